package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static dev.strata.testing.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.metrics.MeteredContentTier;
import dev.strata.model.AppendResult;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.InvalidInputException;
import dev.strata.model.MessagePage;
import dev.strata.model.MessageQuery;
import dev.strata.model.MissingContentException;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.model.TaskSummary;
import dev.strata.testing.CommitThenFailMetadataTier;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.Messages;
import dev.strata.testing.StoreFixture;
import dev.strata.tier.cache.CacheHealth;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store's invariants, run once per combination of real backends (each subclass picks them).
 */
abstract class AbstractTaskMessageStoreTest {
    protected Database database;
    protected ListableContent content;
    protected HookedContentTier hooked;
    /** Closed after the store, before {@link #cleanUp()}: second instances and what they opened. */
    protected final List<AutoCloseable> closeAfter = new ArrayList<>();

    protected SegmentCache cache;
    protected SimpleMeterRegistry registry;
    protected TaskMessageStore store;
    /** Runs once after the next content put, between an append's task lookup and its commit. */
    private final AtomicReference<Runnable> afterNextPut = new AtomicReference<>();

    protected abstract Database openDatabase();

    protected abstract ListableContent openContent();

    protected SegmentCache openCache() {
        return new CaffeineSegmentCache(64 << 20, Duration.ofHours(1));
    }

    /** Counts every object the content tier currently holds. */
    protected abstract long objectCount();

    /**
     * A second, independent instance on the same backends (its own pool, client and cache
     * connection or in-process cache), as another Strata process would have; register what it
     * opens in {@link #closeAfter}.
     */
    protected abstract TaskMessageStore openSecondInstance();

    /** Counts the objects whose keys start with {@code keyPrefix}. */
    protected abstract long objectsUnder(String keyPrefix);

    /**
     * Counts cache entries whose keys start with {@code keyPrefix}. An in-process cache cannot be
     * listed, so by default this counts which of the task's {@code knownKeys} are still cached.
     */
    protected long cacheEntriesUnder(String keyPrefix, List<String> knownKeys) {
        return cache.getAll(knownKeys).size();
    }

    protected void cleanUp() {}

    @BeforeEach
    void openStore() {
        database = openDatabase();
        registry = new SimpleMeterRegistry();
        content = new MeteredContentTier(openContent(), registry);
        hooked = new HookedContentTier(content, afterNextPut);
        cache = openCache();
        store = StoreFixture.store(database, hooked, cache);
    }

    @AfterEach
    void closeStore() throws Exception {
        store.close();
        for (AutoCloseable closeable : closeAfter) {
            closeable.close();
        }
        // The store does not own its tiers; the fixture made them, so it closes them.
        cache.close();
        content.close();
        database.close();
        cleanUp();
    }

    @Test
    void append_thenList_returnsMessagesExactlyAsWritten() {
        store.createTask("task-1");
        List<NewMessage> batch = List.of(
                new NewMessage(
                        1,
                        "tool-use",
                        "Bash",
                        "call-1",
                        "run ls ✓ 🚀",
                        Optional.of("{\"cmd\":\"ls\",\"n\":null,\"x\":{\"y\":[1,2.50,1e400]}}"),
                        ""),
                new NewMessage(2, "tool-result", "Bash", "call-1", "", Optional.empty(), "a\u0000b\r\n\tc"),
                new NewMessage(3, "text", "", "", "", Optional.empty(), ""));

        AppendResult result = store.append("task-1", batch);

        assertThat(result).isEqualTo(new AppendResult(3, 0, 0));
        List<TaskMessage> listed = store.list("task-1", MessageQuery.all()).messages();
        assertThat(listed).extracting(TaskMessage::seq).containsExactly(1L, 2L, 3L);
        for (int i = 0; i < batch.size(); i++) {
            NewMessage sent = batch.get(i);
            TaskMessage got = listed.get(i);
            assertThat(got.taskId()).isEqualTo("task-1");
            assertThat(got.type()).isEqualTo(sent.type());
            assertThat(got.tool()).isEqualTo(sent.tool());
            assertThat(got.callId()).isEqualTo(sent.callId());
            assertThat(got.content()).isEqualTo(sent.content());
            assertThat(got.output()).isEqualTo(sent.output());
            assertThat(got.input()).isEqualTo(sent.input());
        }
    }

    @Test
    void append_replayedBatch_storesNothingTwice() {
        store.createTask("t");
        assertThat(store.append("t", range(1, 20))).isEqualTo(new AppendResult(20, 0, 0));

        assertThat(store.append("t", range(1, 20))).isEqualTo(new AppendResult(0, 20, 0));
        assertThat(store.append("t", range(15, 25))).isEqualTo(new AppendResult(5, 6, 0));

        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 25).boxed().toList());
        assertThat(store.task("t").orElseThrow().messageCount()).isEqualTo(25);
    }

    @Test
    void append_replayWithDifferentContent_keepsFirstWrite() {
        store.createTask("t");
        store.append("t", List.of(text(1, "first")));

        AppendResult replay = store.append("t", List.of(text(1, "second"), text(2, "new")));

        assertThat(replay).isEqualTo(new AppendResult(1, 1, 0));
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::content)
                .containsExactly("first", "new");
    }

    @Test
    void append_droppedTypes_areCountedAndNeverStored() {
        store.createTask("t");
        List<NewMessage> batch = List.of(NewMessage.of(1, "log"), NewMessage.of(2, "status"), text(3, "kept"));

        assertThat(store.append("t", batch)).isEqualTo(new AppendResult(1, 0, 2));
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::seq)
                .containsExactly(3L);
    }

    @Test
    void append_seqTwiceInBatch_isRejectedAndStoresNothing() {
        store.createTask("t");

        assertThatThrownBy(() -> store.append("t", List.of(text(1, "a"), text(1, "b"))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("seq 1 occurs more than once in the batch");
        assertThat(store.list("t", MessageQuery.all()).messages()).isEmpty();
        assertThat(objectCount()).isZero();
    }

    @Test
    void append_unknownTask_throwsTaskNotFound() {
        assertThatThrownBy(() -> store.append("nope", range(1, 2)))
                .isInstanceOf(TaskNotFoundException.class)
                .hasMessage("task not found: nope");
        assertThat(objectCount()).isZero();
    }

    @Test
    void append_emptyBatch_writesNothing() {
        store.createTask("t");

        assertThat(store.append("t", List.of())).isEqualTo(new AppendResult(0, 0, 0));
        assertThat(objectCount()).isZero();
    }

    @Test
    void append_writesOnlyTheNewBatch_neverReadingOrRewritingEarlierContent() {
        store.createTask("t");
        for (int batch = 0; batch < 50; batch++) {
            store.append("t", range(batch * 20L, batch * 20L + 19));
        }
        double bytesBefore =
                registry.get("strata.content.written.bytes").counter().count();

        store.append("t", range(1000, 1019));

        double lastAppendBytes =
                registry.get("strata.content.written.bytes").counter().count() - bytesBefore;
        assertThat(lastAppendBytes).isLessThan(bytesBefore / 25);
        assertThat(registry.find("strata.tier.operation")
                        .tag("tier", "content")
                        .tag("operation", "get")
                        .timers())
                .isEmpty();
        assertThat(objectCount()).isEqualTo(51);
    }

    @Test
    void append_concurrentOverlappingWriters_storeEverySeqExactlyOnce() throws Exception {
        store.createTask("t");
        int writers = 4;
        int batches = 60;
        CountDownLatch start = new CountDownLatch(1);
        List<Integer> accepted = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                futures.add(CompletableFuture.runAsync(
                        () -> {
                            await(start);
                            // Every writer sends the same overlapping windows, like a timer flush racing a size flush.
                            for (int b = 0; b < batches; b++) {
                                accepted.add(store.append("t", range(b * 10L, b * 10L + 19))
                                        .accepted());
                            }
                        },
                        pool));
            }
            start.countDown();
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        }

        long expected = (batches - 1) * 10L + 20;
        assertThat(accepted.stream().mapToInt(Integer::intValue).sum()).isEqualTo((int) expected);
        List<TaskMessage> listed = store.list("t", MessageQuery.all()).messages();
        assertThat(listed)
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(LongStream.range(0, expected).boxed().toList());
        assertThat(store.task("t").orElseThrow().messageCount()).isEqualTo(expected);
        assertThat(listed)
                .allSatisfy(m -> assertThat(m.content())
                        .isEqualTo(range(m.seq(), m.seq()).get(0).content()));
    }

    @Test
    void concurrentWritersWithDifferentContentForTheSameSeqs_fromTwoInstances_everyReaderSeesOneWinnerForever()
            throws Exception {
        TaskMessageStore second = openSecondInstance();
        store.createTask("race");
        int writers = 6;
        Map<Integer, Integer> acceptedByWriter = new java.util.concurrent.ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                TaskMessageStore instance = writer % 2 == 0 ? store : second;
                futures.add(CompletableFuture.runAsync(
                        () -> {
                            await(start);
                            // Same seqs, different content per writer: windows of 10 that overlap their
                            // neighbours' and every other writer's.
                            for (int b = 0; b < 20; b++) {
                                long from = b * 5L + writer % 3;
                                List<NewMessage> batch = LongStream.rangeClosed(from, from + 9)
                                        .mapToObj(seq -> text(seq, contentOf(writer, seq)))
                                        .toList();
                                acceptedByWriter.merge(
                                        writer, instance.append("race", batch).accepted(), Integer::sum);
                            }
                        },
                        pool));
            }
            start.countDown();
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(120, java.util.concurrent.TimeUnit.SECONDS);
        }

        List<TaskMessage> winners = store.list("race", MessageQuery.all()).messages();
        assertThat(winners)
                .extracting(TaskMessage::seq)
                .as("stored seqs")
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(0, 106).boxed().toList());
        Map<Integer, Integer> wonByWriter = new java.util.HashMap<>();
        for (TaskMessage message : winners) {
            int writer = writerOf(message);
            assertThat(message.content())
                    .as("content of seq %d", message.seq())
                    .isEqualTo(contentOf(writer, message.seq()));
            wonByWriter.merge(writer, 1, Integer::sum);
        }
        assertThat(wonByWriter)
                .as("seqs each writer won, against what its appends said they accepted")
                .isEqualTo(acceptedByWriter.entrySet().stream()
                        .filter(e -> e.getValue() > 0)
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertThat(keysUnder(ContentKeys.SHARED))
                .as("objects of the task: a shared object whose every frame lost was deleted")
                .containsExactlyInAnyOrderElementsOf(objectKeys("race"));
        for (int round = 0; round < 3; round++) {
            assertThat(store.list("race", MessageQuery.all()).messages())
                    .as("read %d from the first instance", round)
                    .isEqualTo(winners);
            assertThat(second.list("race", MessageQuery.all()).messages())
                    .as("read %d from the second instance", round)
                    .isEqualTo(winners);
        }

        store.seal("race");
        assertThat(second.compact("race").merged())
                .as("compaction of the raced task")
                .isTrue();
        store.purgePendingDeletions();

        for (int round = 0; round < 3; round++) {
            assertThat(store.list("race", MessageQuery.all()).messages())
                    .as("read %d after compaction, first instance", round)
                    .isEqualTo(winners);
            assertThat(second.list("race", MessageQuery.all()).messages())
                    .as("read %d after compaction, second instance", round)
                    .isEqualTo(winners);
        }
        // The replaced segments stay readable for the default grace period, queued for deletion.
        assertThat(objectsUnder(ContentKeys.taskPrefix("race")) + objectsUnder(ContentKeys.SHARED))
                .as("objects of the task after compaction, less those queued for deletion")
                .isEqualTo(1 + store.pendingDeletions());
        assertThat(store.task("race").orElseThrow().liveSegments()).isEqualTo(1);
    }

    @Test
    void appendWhoseEveryMessageLostTheRace_acceptsNothing_andItsSegmentIsDeleted() throws Exception {
        TaskMessageStore second = openSecondInstance();
        store.createTask("lost");
        CountDownLatch loserWritten = new CountDownLatch(1);
        CountDownLatch winnerCommitted = new CountDownLatch(1);
        // The loser passes the "already stored?" check, writes its segment, and is held before its
        // commit until the other instance has committed the same seqs with other content.
        hooked.afterPut(key -> {
            loserWritten.countDown();
            await(winnerCommitted);
        });
        CompletableFuture<AppendResult> loser;
        try (ExecutorService thread = Executors.newSingleThreadExecutor()) {
            loser = CompletableFuture.supplyAsync(
                    () -> store.append("lost", List.of(text(1, "loser 1"), text(2, "loser 2"))), thread);
            assertThat(loserWritten.await(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the loser wrote its segment")
                    .isTrue();
            assertThat(second.append("lost", List.of(text(1, "winner 1"), text(2, "winner 2"))))
                    .isEqualTo(new AppendResult(2, 0, 0));
            assertThat(objectsUnder(ContentKeys.SHARED))
                    .as("objects while the loser waits: both segments")
                    .isEqualTo(2);
            winnerCommitted.countDown();

            assertThat(loser.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the loser's append result")
                    .isEqualTo(new AppendResult(0, 2, 0));
        } finally {
            hooked.afterPut(key -> {});
        }

        assertThat(objectsUnder(ContentKeys.SHARED))
                .as("objects after the race: the loser's segment is gone")
                .isEqualTo(1);
        for (TaskMessageStore reader : List.of(store, second, store, second)) {
            assertThat(reader.list("lost", MessageQuery.all()).messages())
                    .extracting(TaskMessage::content)
                    .containsExactly("winner 1", "winner 2");
        }
    }

    @Test
    void commitAppliedButReportedAsFailed_retryReturnsDuplicates_andReadsShowExactlyOneCopy() {
        CommitThenFailMetadataTier flaky = new CommitThenFailMetadataTier(
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()));
        TaskMessageStore lossy = new TaskMessageStore(
                flaky.metadata(),
                hooked,
                new FailSafeSegmentCache(cache),
                StoreOptions.defaults(),
                java.time.Clock.systemUTC());
        lossy.createTask("t");
        lossy.append("t", range(0, 4));
        flaky.failAfterTheNextCommits(1);

        assertThatThrownBy(() -> lossy.append("t", range(5, 14)))
                .as("the append whose commit was applied but whose answer was lost")
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("connection lost after COMMIT");
        AppendResult retry = lossy.append("t", range(5, 14));
        AppendResult widerRetry = store.append("t", range(5, 19));

        assertThat(retry).as("the client's retry of the same batch").isEqualTo(new AppendResult(0, 10, 0));
        assertThat(widerRetry)
                .as("a retry that also carries new seqs, on another instance")
                .isEqualTo(new AppendResult(5, 10, 0));
        for (TaskMessageStore reader : List.of(lossy, store)) {
            List<TaskMessage> read = reader.list("t", MessageQuery.all()).messages();
            assertThat(read)
                    .extracting(TaskMessage::seq)
                    .as("seqs read")
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(0, 19).boxed().toList());
            assertThat(read)
                    .allSatisfy(m -> assertThat(m.content())
                            .as("content of seq %d", m.seq())
                            .isEqualTo(range(m.seq(), m.seq()).get(0).content()));
        }
        assertThat(store.task("t").orElseThrow().messageCount())
                .as("message count")
                .isEqualTo(20);
        assertThat(objectsUnder(ContentKeys.SHARED))
                .as("objects: the three committed segments, nothing written for the pure retry")
                .isEqualTo(3);
    }

    /** Found by the soak: a read racing a delete answered 200 with no messages instead of 404. */
    @Test
    void list_ofATaskDeletedBetweenItsLookupAndItsRows_isNotFound_neverAnEmptyPage() {
        store.createTask("t");
        store.append("t", range(1, 5));
        AtomicBoolean deleteBeforeLocate = new AtomicBoolean(true);
        JdbcMetadataTier real = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
        MetadataTier racing = (MetadataTier) Proxy.newProxyInstance(
                MetadataTier.class.getClassLoader(), new Class<?>[] {MetadataTier.class}, (proxy, method, args) -> {
                    if (method.getName().equals("locate") && deleteBeforeLocate.getAndSet(false)) {
                        store.delete(List.of("t"));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        TaskMessageStore reader = new TaskMessageStore(
                racing, hooked, new FailSafeSegmentCache(cache), StoreOptions.defaults(), java.time.Clock.systemUTC());

        assertThatThrownBy(() -> reader.list("t", MessageQuery.all()))
                .as("a read whose task was deleted after its lookup, before its rows were located")
                .isInstanceOf(TaskNotFoundException.class);
        assertThat(deleteBeforeLocate)
                .as("the delete ran between the two reads")
                .isFalse();
    }

    private static String contentOf(int writer, long seq) {
        return "writer " + writer + " wrote seq " + seq;
    }

    private static int writerOf(TaskMessage message) {
        return Integer.parseInt(message.content()
                .substring("writer ".length(), message.content().indexOf(' ', "writer ".length())));
    }

    @Test
    void list_appliesSinceLimitAndTypeFilters() {
        store.createTask("t");
        store.append("t", range(0, 39));

        assertThat(store.list("t", MessageQuery.all().after(35)).messages())
                .extracting(TaskMessage::seq)
                .containsExactly(36L, 37L, 38L, 39L);
        MessagePage page = store.list("t", MessageQuery.all().after(10).limitedTo(5));
        assertThat(page.messages()).extracting(TaskMessage::seq).containsExactly(11L, 12L, 13L, 14L, 15L);
        assertThat(page.hasMore()).isTrue();
        assertThat(store.list("t", MessageQuery.all().after(35).limitedTo(4)).hasMore())
                .isFalse();
        assertThat(store.list("t", MessageQuery.all().including(Set.of("text"))).messages())
                .extracting(TaskMessage::type)
                .containsOnly("text")
                .hasSize(10);
        assertThat(store.list("t", MessageQuery.all().excluding(Set.of("tool-result", "text")))
                        .messages())
                .extracting(TaskMessage::type)
                .containsOnly("tool-use", "thinking")
                .hasSize(20);
        assertThat(store.list("t", MessageQuery.all().including(Set.of("never-seen")))
                        .messages())
                .isEmpty();
        assertThat(store.list("t", MessageQuery.all().excluding(Set.of("never-seen")))
                        .messages())
                .hasSize(40);
    }

    @Test
    void countByType_countsPerTaskAndLeavesOutUnknownTasks() {
        store.createTask("a");
        store.createTask("b");
        store.append("a", range(0, 7));
        store.append("a", List.of(NewMessage.of(100, "error")));

        Map<String, Map<String, Long>> counts = store.countByType(List.of("a", "b", "missing"));

        assertThat(counts).containsOnlyKeys("a");
        assertThat(counts.get("a"))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("tool-use", 2L, "tool-result", 2L, "thinking", 2L, "text", 2L, "error", 1L));
    }

    @Test
    void delete_removesMessagesFromEveryTier() {
        store.createTask("gone");
        store.createTask("kept");
        store.append("gone", range(0, 9));
        store.append("gone", range(10, 19));
        store.append("kept", range(0, 9));
        List<String> goneKeys = segmentKeys("gone");
        List<String> goneObjects = objectKeys("gone");
        assertThat(store.list("gone", MessageQuery.all()).messages()).hasSize(20);
        assertThat(cache.getAll(goneKeys))
                .as("cache entries of gone before the delete (the test must see them go)")
                .hasSize(2);
        assertThat(keysUnder(ContentKeys.SHARED))
                .as("objects of gone before the delete")
                .containsAll(goneObjects)
                .hasSize(3);

        store.delete(List.of("gone", "never-existed"));

        assertThatThrownBy(() -> store.list("gone", MessageQuery.all())).isInstanceOf(TaskNotFoundException.class);
        assertThat(store.task("gone")).isEmpty();
        assertThat(cache.getAll(goneKeys))
                .as("cache entries left of gone's segments %s", goneKeys)
                .isEmpty();
        for (String object : goneObjects) {
            assertThat(cacheEntriesUnder(object, goneKeys))
                    .as("cache entries of gone's object %s", object)
                    .isZero();
        }
        assertThat(keysUnder(ContentKeys.SHARED)).as("objects of gone").doesNotContainAnyElementsOf(goneObjects);
        assertThat(objectCount())
                .as("objects in the whole content tier (kept's one segment)")
                .isEqualTo(1);
        assertThat(store.pendingDeletions()).isZero();
        assertThat(store.list("kept", MessageQuery.all()).messages()).hasSize(10);
    }

    @Test
    void cacheEntryWithWrongBytes_underALiveSegmentKey_isNeverServed_andTheReadFallsBackToTheContentTier() {
        store.createTask("donor");
        store.append("donor", List.of(text(1, "from another segment")));
        byte[] validButOther = frameBytes(frames("donor").get(0));
        Map<String, byte[]> wrongBytes = new java.util.LinkedHashMap<>();
        wrongBytes.put("another-valid-segment", validButOther);
        wrongBytes.put("garbage", "not a segment at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        wrongBytes.put("empty", new byte[0]);
        wrongBytes.put("one-flipped-bit", null);
        for (var variant : wrongBytes.entrySet()) {
            String taskId = "victim-" + variant.getKey();
            store.createTask(taskId);
            store.append(taskId, List.of(text(1, "the right content of " + taskId)));
            String key = segmentKeys(taskId).get(0);
            byte[] right = frameBytes(frames(taskId).get(0));
            byte[] wrong = variant.getValue() != null ? variant.getValue() : flipOneBit(right);
            // Replace the entry the append cached; this task has never been read, so nothing decoded is held.
            cache.put(key, wrong);
            assertThat(cache.getAll(List.of(key)))
                    .as("the cache now holds %s bytes under %s", variant.getKey(), key)
                    .hasEntrySatisfying(key, value -> assertThat(value).isEqualTo(wrong));

            List<TaskMessage> read = store.list(taskId, MessageQuery.all()).messages();

            assertThat(read)
                    .as("read of %s with %s bytes cached under %s", taskId, variant.getKey(), key)
                    .extracting(TaskMessage::content)
                    .containsExactly("the right content of " + taskId);
            assertThat(cache.getAll(List.of(key)).get(key))
                    .as("cache entry of %s after the read", key)
                    .satisfiesAnyOf(
                            value -> assertThat(value).isNull(),
                            value -> assertThat(value).isEqualTo(right));
        }
    }

    private static byte[] flipOneBit(byte[] bytes) {
        byte[] flipped = bytes.clone();
        flipped[flipped.length - 1] ^= 0x01;
        return flipped;
    }

    /** The object keys of a task's live segments, from committed metadata. */
    protected List<String> segmentKeys(String taskId) {
        return frames(taskId).stream().map(Frame::cacheKey).toList();
    }

    /** The frames of a task's live segments, from committed metadata. */
    protected List<Frame> frames(String taskId) {
        JdbcMetadataTier metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
        return metadata.catalog().segments(metadata.task(taskId).orElseThrow()).stream()
                .map(ContentSegmentKeys::frame)
                .toList();
    }

    /** The keys of the objects holding a task's live segments. */
    protected List<String> objectKeys(String taskId) {
        return frames(taskId).stream().map(Frame::objectKey).distinct().toList();
    }

    protected byte[] frameBytes(Frame frame) {
        return content.get(frame.objectKey(), frame.offset(), frame.length()).orElseThrow();
    }

    /** The keys of every object under the prefix. */
    protected List<String> keysUnder(String keyPrefix) {
        return content.list(keyPrefix, "", ListableContent.MAX_PAGE).stream()
                .map(ListableContent.StoredObject::key)
                .toList();
    }

    @Test
    void delete_thenRecreateSameTask_neverServesTheOldContent() {
        store.createTask("t");
        store.append("t", List.of(text(1, "old")));
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::content)
                .containsExactly("old");

        store.delete(List.of("t"));
        store.createTask("t");
        store.append("t", List.of(text(1, "new")));

        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::content)
                .containsExactly("new");
    }

    @Test
    void ids_areNonEmptyStableAndUniqueWithinTheTask() {
        store.createTask("t");
        store.append("t", range(0, 99));

        List<TaskMessage> first = store.list("t", MessageQuery.all()).messages();
        List<TaskMessage> second = store.list("t", MessageQuery.all().after(49)).messages();

        assertThat(first).extracting(TaskMessage::id).doesNotContain("").doesNotHaveDuplicates();
        assertThat(second)
                .extracting(TaskMessage::id)
                .containsExactlyElementsOf(
                        first.subList(50, 100).stream().map(TaskMessage::id).toList());
    }

    @Test
    void append_largestContentAndOutput_roundTrip() {
        store.createTask("t");
        String big = "x".repeat(4 << 20) + "é".repeat(2 << 20);
        store.append("t", List.of(new NewMessage(1, "tool-result", "Read", "c", big, Optional.empty(), big)));

        TaskMessage got = store.list("t", MessageQuery.all()).messages().get(0);

        assertThat(got.content()).isEqualTo(big);
        assertThat(got.output()).isEqualTo(big);
    }

    @Test
    void hostileTaskIds_areStoredAndReadBackWithoutEscapingTheContentRoot() {
        for (String id : List.of("../../etc/passwd", "/abs", "a/b", "..", ".", "con", "sp ace", "ü\u0001~%")) {
            store.createTask(id);
            store.append(id, List.of(text(1, id)));
            assertThat(store.list(id, MessageQuery.all()).messages())
                    .extracting(TaskMessage::content)
                    .containsExactly(id);
        }
        assertThat(objectCount()).isEqualTo(8);
    }

    @Test
    void seal_marksTheTaskAndStillAcceptsLateAppends() {
        store.createTask("t");
        store.append("t", range(0, 4));

        store.seal("t");
        store.append("t", range(5, 6));

        assertThat(store.task("t").orElseThrow().sealed()).isTrue();
        assertThat(store.list("t", MessageQuery.all()).messages()).hasSize(7);
        assertThatThrownBy(() -> store.seal("missing")).isInstanceOf(TaskNotFoundException.class);
    }

    @Test
    void task_reportsCountAndLastMessageTime() {
        store.createTask("t");
        assertThat(store.task("t").orElseThrow().lastMessageAt()).isEmpty();

        store.append("t", range(0, 2));

        TaskSummary summary = store.task("t").orElseThrow();
        assertThat(summary.messageCount()).isEqualTo(3);
        assertThat(summary.lastMessageAt()).isPresent();
        assertThat(store.list("t", MessageQuery.all()).messages().get(2).createdAt())
                .isEqualTo(summary.lastMessageAt().get());
    }

    @Test
    void listQuery_afterSeqIsExclusive() {
        store.createTask("t");
        store.append("t", range(0, 3));

        MessageQuery query = new MessageQuery(OptionalLong.of(0), 10, Set.of(), Set.of());

        assertThat(store.list("t", query).messages())
                .extracting(TaskMessage::seq)
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void append_toDeletedTask_neverLandsInTaskThatReusedItsKey() {
        // Defect 1: the append reads task a, a is deleted and b created (on SQLite b used to get
        // a's key), then the append commits. It must fail, and b must stay untouched.
        store.createTask("a");
        afterNextPut.set(() -> {
            store.delete(List.of("a"));
            store.createTask("b");
        });

        assertThatThrownBy(() -> store.append("a", range(0, 99)))
                .as("append to task a, deleted before its commit")
                .isInstanceOf(TaskNotFoundException.class)
                .hasMessage("task not found: a");

        assertThat(store.task("b").orElseThrow().messageCount())
                .as("message count of task b")
                .isZero();
        assertThat(store.countByType(List.of("b"))).as("type counts of task b").isEmpty();
        assertThat(store.list("b", MessageQuery.all()).messages())
                .as("messages of task b")
                .isEmpty();
        assertThat(store.append("b", range(1, 1))).as("b's own seq 1").isEqualTo(new AppendResult(1, 0, 0));
        assertThat(store.list("b", MessageQuery.all()).messages())
                .extracting(TaskMessage::seq)
                .as("messages of task b")
                .containsExactly(1L);
        assertThat(objectCount())
                .as("objects: only b's segment, a's uploaded segment removed")
                .isEqualTo(1);
    }

    @Test
    void append_racingDeletesAndCreates_neverMixesMessagesOfTasks() {
        int rounds = 40;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<CompletableFuture<Void>> work = new ArrayList<>();
            for (int appender = 0; appender < 2; appender++) {
                work.add(CompletableFuture.runAsync(
                        () -> {
                            await(start);
                            for (int round = 0; round < rounds; round++) {
                                try {
                                    store.append("victim", range(round * 10L, round * 10L + 9));
                                } catch (TaskNotFoundException e) {
                                    // Deleted meanwhile: expected, and nothing of the batch may show up anywhere.
                                }
                            }
                        },
                        pool));
            }
            work.add(CompletableFuture.runAsync(
                    () -> {
                        await(start);
                        for (int round = 0; round < rounds; round++) {
                            store.delete(List.of("victim"));
                            // Created right after the delete: the task that got the deleted key on SQLite.
                            store.createTask("bystander-" + round);
                            store.createTask("victim");
                            store.append("bystander-" + round, List.of(text(0, "bystander " + round)));
                        }
                    },
                    pool));
            store.createTask("victim");
            start.countDown();
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();
        }

        for (int round = 0; round < rounds; round++) {
            String id = "bystander-" + round;
            assertThat(store.task(id).orElseThrow().messageCount())
                    .as("message count of %s", id)
                    .isEqualTo(1);
            assertThat(store.list(id, MessageQuery.all()).messages())
                    .as("messages of %s", id)
                    .extracting(TaskMessage::content)
                    .containsExactly("bystander " + round);
        }
        long victimCount = store.task("victim").orElseThrow().messageCount();
        assertThat(store.list("victim", MessageQuery.all()).messages())
                .as("messages of the last victim")
                .hasSize((int) victimCount);
        for (String table : List.of("tm_message", "tm_segment", "tm_type_count", "tm_task_name")) {
            // A delete that raced a commit used to leave the commit's rows behind on PostgreSQL.
            long orphans = database.jdbi()
                    .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM " + table + " r"
                                    + " WHERE NOT EXISTS (SELECT 1 FROM tm_task t WHERE t.task_key = r.task_key)")
                            .mapTo(Long.class)
                            .one());
            assertThat(orphans).as("rows of %s whose task is gone", table).isZero();
        }
    }

    @Test
    void delete_tasksWithUniqueToolNames_shrinksTheNameDictionaryBack() {
        // Defect 3: names of deleted tasks stayed in tm_name forever.
        store.createTask("kept");
        store.append("kept", range(0, 7));
        long namesBefore = nameCount();
        store.createTask("t");
        for (int batch = 0; batch < 6; batch++) {
            List<NewMessage> messages = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long seq = batch * 50L + i;
                String tool = ("tool-" + seq + "-").repeat(40).substring(0, NewMessage.MAX_TOOL_BYTES);
                messages.add(new NewMessage(seq, "type-" + seq, tool, "call-" + seq, "", Optional.empty(), ""));
            }
            store.append("t", messages);
        }
        assertThat(nameCount())
                .as("names after 300 unique types and 300 unique tools")
                .isEqualTo(namesBefore + 600);

        store.delete(List.of("t"));

        assertThat(nameCount())
                .as("names after deleting the task that used them")
                .isEqualTo(namesBefore);
        assertThat(store.list("kept", MessageQuery.all().including(Set.of("text")))
                        .messages())
                .as("text messages of kept")
                .extracting(TaskMessage::seq)
                .containsExactly(3L, 7L);
    }

    @Test
    void importMessages_namesOverTheirLimitsOrWithNul_areRejectedAndStoreNothing() {
        // Defect 3 and 9: PostgreSQL text cannot hold NUL, which used to answer 503.
        store.createTask("t");
        Map<String, TaskMessage> cases = Map.of(
                "import of task t, seq 1: tool: must not contain the NUL character (U+0000), found at index 1",
                imported(1, "text", "a\u0000b", ""),
                "import of task t, seq 1: call_id: must be at most 256 bytes in UTF-8, got 257",
                imported(1, "text", "", "c".repeat(257)),
                "import of task t, seq 1: type: must be at most 64 bytes in UTF-8, got 66",
                imported(1, "é".repeat(33), "", ""));

        cases.forEach((message, bad) -> assertThatThrownBy(
                        () -> store.importMessages("t", List.of(imported(0, "text", "", ""), bad)))
                .as("import of %s", bad)
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(message));

        assertThat(store.task("t").orElseThrow().messageCount())
                .as("message count after rejected imports")
                .isZero();
        assertThat(objectCount()).as("objects after rejected imports").isZero();
    }

    private static TaskMessage imported(long seq, String type, String tool, String callId) {
        return new TaskMessage(
                TaskMessageStore.messageId("t", seq),
                "t",
                seq,
                type,
                tool,
                callId,
                "",
                Optional.empty(),
                "",
                Instant.EPOCH);
    }

    @Test
    void list_segmentMissingFromTheContentTier_failsWithMissingContent_namingSegmentAndTask() {
        store.createTask("lost-object");
        store.append("lost-object", List.of(text(1, "written, then lost")));
        List<String> keys = keysUnder(ContentKeys.SHARED);
        assertThat(keys).hasSize(1);
        content.delete(keys);
        cache.invalidate(segmentKeys("lost-object"));

        // Missing is not corrupt: its own type, still mapped to the same HTTP answer by the server.
        assertThatThrownBy(() -> store.list("lost-object", MessageQuery.all()))
                .isInstanceOf(MissingContentException.class)
                .hasMessage("segment " + keys.get(0) + " of task lost-object is missing from the content tier");
    }

    @Test
    void readiness_reportsTheCacheUp_andDisabledWhenThereIsNoCache() {
        assertThat(store.readiness()).isEqualTo(new TaskMessageStore.Readiness(true, true, CacheHealth.UP));

        try (TaskMessageStore uncached = StoreFixture.store(database, content, new NoSegmentCache())) {
            assertThat(uncached.readiness())
                    .as("a fail-safe wrapper around no cache still says disabled")
                    .isEqualTo(new TaskMessageStore.Readiness(true, true, CacheHealth.DISABLED));
        }
    }

    private long nameCount() {
        return database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM tm_name")
                        .mapTo(Long.class)
                        .one());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<NewMessage> messages(long from, long to) {
        return Messages.range(from, to);
    }
}
