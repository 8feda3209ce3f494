package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static dev.strata.testing.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.metrics.MeteredContentTier;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.Messages;
import dev.strata.testing.StoreFixture;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
    protected ContentTier content;
    protected SegmentCache cache;
    protected SimpleMeterRegistry registry;
    protected TaskMessageStore store;
    /** Runs once after the next content put, between an append's task lookup and its commit. */
    private final AtomicReference<Runnable> afterNextPut = new AtomicReference<>();

    protected abstract Database openDatabase();

    protected abstract ContentTier openContent();

    protected SegmentCache openCache() {
        return new CaffeineSegmentCache(64 << 20, Duration.ofHours(1));
    }

    /** Counts every object the content tier currently holds. */
    protected abstract long objectCount();

    protected void cleanUp() {
    }

    @BeforeEach
    void openStore() {
        database = openDatabase();
        registry = new SimpleMeterRegistry();
        content = new MeteredContentTier(new HookedContentTier(openContent(), afterNextPut), registry);
        cache = openCache();
        store = StoreFixture.store(database, content, cache);
    }

    @AfterEach
    void closeStore() {
        store.close();
        database.close();
        cleanUp();
    }

    @Test
    void append_thenList_returnsMessagesExactlyAsWritten() {
        store.createTask("task-1");
        List<NewMessage> batch = List.of(
                new NewMessage(1, "tool-use", "Bash", "call-1", "run ls ✓ 🚀", Optional.of("{\"cmd\":\"ls\",\"n\":null,\"x\":{\"y\":[1,2.50,1e400]}}"), ""),
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

        assertThat(store.list("t", MessageQuery.all()).messages()).extracting(TaskMessage::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 25).boxed().toList());
        assertThat(store.task("t").orElseThrow().messageCount()).isEqualTo(25);
    }

    @Test
    void append_replayWithDifferentContent_keepsFirstWrite() {
        store.createTask("t");
        store.append("t", List.of(text(1, "first")));

        AppendResult replay = store.append("t", List.of(text(1, "second"), text(2, "new")));

        assertThat(replay).isEqualTo(new AppendResult(1, 1, 0));
        assertThat(store.list("t", MessageQuery.all()).messages()).extracting(TaskMessage::content).containsExactly("first", "new");
    }

    @Test
    void append_droppedTypes_areCountedAndNeverStored() {
        store.createTask("t");
        List<NewMessage> batch = List.of(NewMessage.of(1, "log"), NewMessage.of(2, "status"), text(3, "kept"));

        assertThat(store.append("t", batch)).isEqualTo(new AppendResult(1, 0, 2));
        assertThat(store.list("t", MessageQuery.all()).messages()).extracting(TaskMessage::seq).containsExactly(3L);
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
        double bytesBefore = registry.get("strata.content.written.bytes").counter().count();

        store.append("t", range(1000, 1019));

        double lastAppendBytes = registry.get("strata.content.written.bytes").counter().count() - bytesBefore;
        assertThat(lastAppendBytes).isLessThan(bytesBefore / 25);
        assertThat(registry.find("strata.tier.operation").tag("tier", "content").tag("operation", "get").timers()).isEmpty();
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
                futures.add(CompletableFuture.runAsync(() -> {
                    await(start);
                    // Every writer sends the same overlapping windows, like a timer flush racing a size flush.
                    for (int b = 0; b < batches; b++) {
                        accepted.add(store.append("t", range(b * 10L, b * 10L + 19)).accepted());
                    }
                }, pool));
            }
            start.countDown();
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        }

        long expected = (batches - 1) * 10L + 20;
        assertThat(accepted.stream().mapToInt(Integer::intValue).sum()).isEqualTo((int) expected);
        List<TaskMessage> listed = store.list("t", MessageQuery.all()).messages();
        assertThat(listed).extracting(TaskMessage::seq).containsExactlyElementsOf(LongStream.range(0, expected).boxed().toList());
        assertThat(store.task("t").orElseThrow().messageCount()).isEqualTo(expected);
        assertThat(listed).allSatisfy(m -> assertThat(m.content()).isEqualTo(range(m.seq(), m.seq()).get(0).content()));
    }

    @Test
    void list_appliesSinceLimitAndTypeFilters() {
        store.createTask("t");
        store.append("t", range(0, 39));

        assertThat(store.list("t", MessageQuery.all().after(35)).messages()).extracting(TaskMessage::seq).containsExactly(36L, 37L, 38L, 39L);
        MessagePage page = store.list("t", MessageQuery.all().after(10).limitedTo(5));
        assertThat(page.messages()).extracting(TaskMessage::seq).containsExactly(11L, 12L, 13L, 14L, 15L);
        assertThat(page.hasMore()).isTrue();
        assertThat(store.list("t", MessageQuery.all().after(35).limitedTo(4)).hasMore()).isFalse();
        assertThat(store.list("t", MessageQuery.all().including(Set.of("text"))).messages())
                .extracting(TaskMessage::type).containsOnly("text").hasSize(10);
        assertThat(store.list("t", MessageQuery.all().excluding(Set.of("tool-result", "text"))).messages())
                .extracting(TaskMessage::type).containsOnly("tool-use", "thinking").hasSize(20);
        assertThat(store.list("t", MessageQuery.all().including(Set.of("never-seen"))).messages()).isEmpty();
        assertThat(store.list("t", MessageQuery.all().excluding(Set.of("never-seen"))).messages()).hasSize(40);
    }

    @Test
    void countByType_countsPerTaskAndLeavesOutUnknownTasks() {
        store.createTask("a");
        store.createTask("b");
        store.append("a", range(0, 7));
        store.append("a", List.of(NewMessage.of(100, "error")));

        Map<String, Map<String, Long>> counts = store.countByType(List.of("a", "b", "missing"));

        assertThat(counts).containsOnlyKeys("a");
        assertThat(counts.get("a")).containsExactlyInAnyOrderEntriesOf(
                Map.of("tool-use", 2L, "tool-result", 2L, "thinking", 2L, "text", 2L, "error", 1L));
    }

    @Test
    void delete_removesMessagesFromEveryTier() {
        store.createTask("gone");
        store.createTask("kept");
        store.append("gone", range(0, 9));
        store.append("gone", range(10, 19));
        store.append("kept", range(0, 9));

        store.delete(List.of("gone", "never-existed"));

        assertThatThrownBy(() -> store.list("gone", MessageQuery.all())).isInstanceOf(TaskNotFoundException.class);
        assertThat(store.task("gone")).isEmpty();
        assertThat(objectCount()).isEqualTo(1);
        assertThat(store.pendingDeletions()).isZero();
        assertThat(store.list("kept", MessageQuery.all()).messages()).hasSize(10);
    }

    @Test
    void delete_thenRecreateSameTask_neverServesTheOldContent() {
        store.createTask("t");
        store.append("t", List.of(text(1, "old")));
        assertThat(store.list("t", MessageQuery.all()).messages()).extracting(TaskMessage::content).containsExactly("old");

        store.delete(List.of("t"));
        store.createTask("t");
        store.append("t", List.of(text(1, "new")));

        assertThat(store.list("t", MessageQuery.all()).messages()).extracting(TaskMessage::content).containsExactly("new");
    }

    @Test
    void ids_areNonEmptyStableAndUniqueWithinTheTask() {
        store.createTask("t");
        store.append("t", range(0, 99));

        List<TaskMessage> first = store.list("t", MessageQuery.all()).messages();
        List<TaskMessage> second = store.list("t", MessageQuery.all().after(49)).messages();

        assertThat(first).extracting(TaskMessage::id).doesNotContain("").doesNotHaveDuplicates();
        assertThat(second).extracting(TaskMessage::id).containsExactlyElementsOf(first.subList(50, 100).stream().map(TaskMessage::id).toList());
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
            assertThat(store.list(id, MessageQuery.all()).messages()).extracting(TaskMessage::content).containsExactly(id);
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
        assertThat(store.list("t", MessageQuery.all()).messages().get(2).createdAt()).isEqualTo(summary.lastMessageAt().get());
    }

    @Test
    void listQuery_afterSeqIsExclusive() {
        store.createTask("t");
        store.append("t", range(0, 3));

        MessageQuery query = new MessageQuery(OptionalLong.of(0), 10, Set.of(), Set.of());

        assertThat(store.list("t", query).messages()).extracting(TaskMessage::seq).containsExactly(1L, 2L, 3L);
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

        assertThat(store.task("b").orElseThrow().messageCount()).as("message count of task b").isZero();
        assertThat(store.countByType(List.of("b"))).as("type counts of task b").isEmpty();
        assertThat(store.list("b", MessageQuery.all()).messages()).as("messages of task b").isEmpty();
        assertThat(store.append("b", range(1, 1))).as("b's own seq 1").isEqualTo(new AppendResult(1, 0, 0));
        assertThat(store.list("b", MessageQuery.all()).messages()).extracting(TaskMessage::seq).as("messages of task b").containsExactly(1L);
        assertThat(objectCount()).as("objects: only b's segment, a's uploaded segment removed").isEqualTo(1);
    }

    @Test
    void append_racingDeletesAndCreates_neverMixesMessagesOfTasks() {
        int rounds = 40;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<CompletableFuture<Void>> work = new ArrayList<>();
            for (int appender = 0; appender < 2; appender++) {
                work.add(CompletableFuture.runAsync(() -> {
                    await(start);
                    for (int round = 0; round < rounds; round++) {
                        try {
                            store.append("victim", range(round * 10L, round * 10L + 9));
                        } catch (TaskNotFoundException e) {
                            // Deleted meanwhile: expected, and nothing of the batch may show up anywhere.
                        }
                    }
                }, pool));
            }
            work.add(CompletableFuture.runAsync(() -> {
                await(start);
                for (int round = 0; round < rounds; round++) {
                    store.delete(List.of("victim"));
                    // Created right after the delete: the task that got the deleted key on SQLite.
                    store.createTask("bystander-" + round);
                    store.createTask("victim");
                    store.append("bystander-" + round, List.of(text(0, "bystander " + round)));
                }
            }, pool));
            store.createTask("victim");
            start.countDown();
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();
        }

        for (int round = 0; round < rounds; round++) {
            String id = "bystander-" + round;
            assertThat(store.task(id).orElseThrow().messageCount()).as("message count of %s", id).isEqualTo(1);
            assertThat(store.list(id, MessageQuery.all()).messages()).as("messages of %s", id)
                    .extracting(TaskMessage::content).containsExactly("bystander " + round);
        }
        long victimCount = store.task("victim").orElseThrow().messageCount();
        assertThat(store.list("victim", MessageQuery.all()).messages()).as("messages of the last victim").hasSize((int) victimCount);
        for (String table : List.of("tm_message", "tm_segment", "tm_type_count", "tm_task_name")) {
            // A delete that raced a commit used to leave the commit's rows behind on PostgreSQL.
            long orphans = database.jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM " + table + " r"
                    + " WHERE NOT EXISTS (SELECT 1 FROM tm_task t WHERE t.task_key = r.task_key)").mapTo(Long.class).one());
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
        assertThat(nameCount()).as("names after 300 unique types and 300 unique tools").isEqualTo(namesBefore + 600);

        store.delete(List.of("t"));

        assertThat(nameCount()).as("names after deleting the task that used them").isEqualTo(namesBefore);
        assertThat(store.list("kept", MessageQuery.all().including(Set.of("text"))).messages()).as("text messages of kept")
                .extracting(TaskMessage::seq).containsExactly(3L, 7L);
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

        cases.forEach((message, bad) -> assertThatThrownBy(() -> store.importMessages("t", List.of(imported(0, "text", "", ""), bad)))
                .as("import of %s", bad).isInstanceOf(InvalidInputException.class).hasMessage(message));

        assertThat(store.task("t").orElseThrow().messageCount()).as("message count after rejected imports").isZero();
        assertThat(objectCount()).as("objects after rejected imports").isZero();
    }

    private static TaskMessage imported(long seq, String type, String tool, String callId) {
        return new TaskMessage(TaskMessageStore.messageId("t", seq), "t", seq, type, tool, callId, "", Optional.empty(), "",
                Instant.EPOCH);
    }

    private long nameCount() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM tm_name").mapTo(Long.class).one());
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
