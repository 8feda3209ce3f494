package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static dev.strata.testing.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.strata.codec.SegmentCodec;
import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.FsckReport;
import dev.strata.lifecycle.TaskFrames;
import dev.strata.model.AppendResult;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.testing.FaultProxy;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.MutableClock;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestS3;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tries to break the shared write path (issue 12) where its promises meet races and outages:
 * overlapping appends of one task in one flush and in concurrent flushes, deletes racing appends,
 * the content tier really down mid-flush (S3Proxy stopped, the local directory replaced by a
 * file), a store closed with appends queued, and consolidation racing appends, deletes and reads.
 * After each, the live frame counts in {@code tm_object} must equal the frames metadata still
 * references. On both backend sets; time that matters (the deletion bound) is a {@link MutableClock}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedFlushRaceTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    enum Backends {
        EMBEDDED,
        SCALED
    }

    @TempDir
    static Path directory;

    private S3ProxyServer s3;
    private FaultProxy postgresProxy;
    private final List<String> schemas = new ArrayList<>();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger instance = new AtomicInteger();
    private final MutableClock clock = new MutableClock(Instant.now());
    private HookedContentTier content;
    private ListableContent raw;
    private Path localRoot;
    private Database database;
    private JdbcMetadataTier metadata;
    private CaffeineSegmentCache cache;
    private TaskMessageStore store;

    @BeforeAll
    void start() {
        s3 = new S3ProxyServer(directory.resolve("s3"));
        postgresProxy = FaultProxy.to(TestServices.POSTGRES_URL);
    }

    @AfterEach
    void closeStore() throws Exception {
        for (AutoCloseable resource : opened.reversed()) {
            resource.close();
        }
        opened.clear();
        postgresProxy.pass();
    }

    @AfterAll
    void stop() {
        threads.shutdownNow();
        postgresProxy.close();
        s3.close();
        schemas.forEach(TestServices::dropSchema);
    }

    /** Fresh backends of the set, and a store over them; PostgreSQL connections pass through {@link #postgresProxy}. */
    private TaskMessageStore open(Backends backends, StoreOptions options) {
        int n = instance.incrementAndGet();
        switch (backends) {
            case EMBEDDED -> {
                database = TestDatabases.sqlite(directory.resolve("db-" + n));
                localRoot = directory.resolve("objects-" + n);
                raw = new LocalDirectoryContentTier(localRoot);
            }
            case SCALED -> {
                String schema = TestServices.uniqueName("race");
                schemas.add(schema);
                database = new Database(new DatabaseSettings(
                        postgresProxy.through(TestServices.postgresUrl(schema)) + "&socketTimeout=5",
                        Optional.empty(),
                        Optional.empty(),
                        8,
                        Duration.ofSeconds(5)));
                String bucket = s3.createBucket("race");
                raw = new S3ContentTier(S3Location.parse("s3://" + bucket + "/strata"), TestS3.settings(s3));
            }
        }
        opened.add(database);
        opened.add(raw);
        content = new HookedContentTier(raw);
        cache = new CaffeineSegmentCache(8 << 20, Duration.ofHours(1));
        opened.add(cache);
        return reopen(options);
    }

    /** A new store over the same tiers (a restart). */
    private TaskMessageStore reopen(StoreOptions options) {
        metadata = new JdbcMetadataTier(database, clock, new ContentSegmentKeys());
        store = new TaskMessageStore(metadata, content, new FailSafeSegmentCache(cache), options, clock);
        opened.add(store);
        return store;
    }

    private static StoreOptions oneFlushAtATime() {
        return StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 1);
    }

    // ---- a. overlapping appends of one task ----

    @ParameterizedTest
    @EnumSource(Backends.class)
    void overlappingAppendsOfOneTaskInOneFlush_aFrameThatStoredNothingIsNotLive_andTheObjectGoesWithItsLastLiveFrame(
            Backends backends) {
        open(backends, oneFlushAtATime());
        for (String taskId : List.of("blocker", "t", "u")) {
            store.createTask(taskId);
        }
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> blocker = threads.submit(() -> store.append("blocker", range(0, 0)));
        awaitLatch(entered);
        Future<AppendResult> first = queue(() -> store.append("t", tagged("first", 0, 9)), 1);
        Future<AppendResult> repeated = queue(() -> store.append("t", tagged("repeated", 0, 9)), 2);
        Future<AppendResult> other = queue(() -> store.append("u", tagged("other", 0, 4)), 3);
        Future<AppendResult> overlapping = queue(() -> store.append("t", tagged("overlapping", 5, 14)), 4);

        release.countDown();

        assertThat(get(blocker)).isEqualTo(new AppendResult(1, 0, 0));
        assertThat(get(first)).isEqualTo(new AppendResult(10, 0, 0));
        assertThat(get(repeated)).as("every seq stored by the first").isEqualTo(new AppendResult(0, 10, 0));
        assertThat(get(other)).isEqualTo(new AppendResult(5, 0, 0));
        assertThat(get(overlapping)).isEqualTo(new AppendResult(5, 5, 0));
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::content)
                .containsExactlyElementsOf(concat(contents("first", 0, 9), contents("overlapping", 10, 14)));
        assertThat(store.task("t").orElseThrow().messageCount()).isEqualTo(15);
        long shared = sharedObjectOf("u");
        assertThat(liveFrames())
                .as("live frames per object: the repeated append's frame stored nothing")
                .containsEntry(shared, 3);
        assertLiveFramesMatchSegments();

        store.delete(List.of("t", "u"));

        assertThat(liveFrames()).as("objects with live frames").doesNotContainKey(shared);
        assertThat(sharedKeys())
                .as("shared objects once t and u are gone: only the blocker's")
                .containsExactly(ContentKeys.shared(sharedObjectOf("blocker")));
        assertThat(store.pendingDeletions()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Backends.class)
    void overlappingAppendsInConcurrentFlushes_eachWritersAcceptedCount_isWhatTheTaskStoresOfIt(Backends backends) {
        open(backends, StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 4));
        store.createTask("contested");
        store.createTask("bystander");
        for (int round = 0; round < 3; round++) {
            long base = round * 100L;
            List<Future<AppendResult>> results = new ArrayList<>();
            for (int writer = 0; writer < 12; writer++) {
                long from = base + (writer % 4) * 10L;
                String tag = "r" + round + "w" + writer;
                results.add(threads.submit(() -> store.append("contested", tagged(tag, from, from + 29))));
                long bystanderFrom = base + writer * 5L;
                results.add(threads.submit(() -> store.append("bystander", range(bystanderFrom, bystanderFrom + 4))));
            }
            List<AppendResult> outcomes =
                    results.stream().map(SharedFlushRaceTest::get).toList();
            Map<String, Long> storedByTag = new HashMap<>();
            for (TaskMessage message : store.list(
                            "contested",
                            MessageQuery.all()
                                    .after(base - 1)
                                    .before(base + 100)
                                    .limitedTo(1000))
                    .messages()) {
                storedByTag.merge(
                        message.content().substring(0, message.content().indexOf(':')), 1L, Long::sum);
            }
            long accepted = 0;
            for (int writer = 0; writer < 12; writer++) {
                AppendResult result = outcomes.get(2 * writer);
                assertThat(result.accepted() + result.duplicates()).isEqualTo(30);
                assertThat(storedByTag.getOrDefault("r" + round + "w" + writer, 0L))
                        .as(
                                "messages stored with the content of writer %d of round %d, which was told %s",
                                writer, round, result)
                        .isEqualTo(result.accepted());
                accepted += result.accepted();
                assertThat(outcomes.get(2 * writer + 1)).isEqualTo(new AppendResult(5, 0, 0));
            }
            assertThat(accepted).as("seqs accepted in round %d", round).isEqualTo(60);
        }
        assertThat(store.task("contested").orElseThrow().messageCount()).isEqualTo(180);
        assertThat(store.list("contested", MessageQuery.all().limitedTo(1000)).messages())
                .hasSize(180);
        assertLiveFramesMatchSegments();
    }

    // ---- b. deletes racing appends, and the deletion bound ----

    @ParameterizedTest
    @EnumSource(Backends.class)
    void deletesRacingQueuedAndFlushingAppends_keepCountsExact_andNoByteOfADeletedTaskOutlivesTheBound(
            Backends backends) throws Exception {
        open(backends, StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 2));
        String marker = "DOOMED-MARKER-" + java.util.UUID.randomUUID();
        Map<String, Long> keptAccepted = new HashMap<>();
        for (int round = 0; round < 25; round++) {
            String doomed = "doomed-" + round;
            String kept = "kept-" + round;
            store.createTask(doomed);
            store.createTask(kept);
            List<Future<AppendResult>> doomedAppends = new ArrayList<>();
            List<Future<AppendResult>> keptAppends = new ArrayList<>();
            for (int writer = 0; writer < 3; writer++) {
                long from = writer * 5L;
                doomedAppends.add(threads.submit(() -> store.append(doomed, tagged(marker, from, from + 9))));
                keptAppends.add(threads.submit(() -> store.append(kept, range(from, from + 9))));
            }
            // Every third round the doomed task is deleted twice at once.
            Future<?> delete = threads.submit(() -> store.delete(List.of(doomed)));
            if (round % 3 == 0) {
                store.delete(List.of(doomed, "kept-none"));
            }
            delete.get(30, TimeUnit.SECONDS);
            for (Future<AppendResult> append : doomedAppends) {
                try {
                    AppendResult result = append.get(30, TimeUnit.SECONDS);
                    assertThat(result.accepted() + result.duplicates()).isEqualTo(10);
                } catch (ExecutionException e) {
                    assertThat(e.getCause())
                            .isInstanceOf(TaskNotFoundException.class)
                            .hasMessageContaining(doomed);
                }
            }
            long accepted = 0;
            for (Future<AppendResult> append : keptAppends) {
                accepted += get(append).accepted();
            }
            keptAccepted.put(kept, accepted);
            assertThat(store.task(doomed)).isEmpty();
        }
        assertLiveFramesMatchSegments();
        keptAccepted.forEach((kept, accepted) -> {
            assertThat(accepted).as("accepted of %s", kept).isEqualTo(20);
            assertThat(store.list(kept, MessageQuery.all()).messages())
                    .extracting(TaskMessage::seq)
                    .containsExactlyElementsOf(
                            range(0, 19).stream().map(NewMessage::seq).toList());
        });

        clock.advance(TTL.plusSeconds(1));
        runLifecycle();
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        runLifecycle();

        assertThat(objectsHolding(marker))
                .as("objects holding a deleted task's bytes after the bound")
                .isEmpty();
        assertLiveFramesMatchSegments();
        FsckReport report = fsck(Duration.ZERO).run(Fsck.Mode.CHECK, checked -> {});
        assertThat(report.problems()).as("fsck after the bound").isEmpty();
        keptAccepted
                .keySet()
                .forEach(kept -> assertThat(store.list(kept, MessageQuery.all()).messages())
                        .hasSize(20));
    }

    // ---- c. the content tier really down mid-flush ----

    @ParameterizedTest
    @EnumSource(Backends.class)
    void contentTierDownMidFlush_failsEveryAppendOfTheFlush_showsNothing_andTheRetryIsAcceptedOnce(Backends backends) {
        open(backends, oneFlushAtATime());
        for (String taskId : List.of("a", "b", "c")) {
            store.createTask(taskId);
        }
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> first = threads.submit(() -> store.append("a", range(0, 4)));
        awaitLatch(entered);
        Future<AppendResult> second = queue(() -> store.append("b", range(0, 4)), 1);
        Future<AppendResult> third = queue(() -> store.append("c", range(0, 4)), 2);
        Runnable recover = takeContentDown(backends);
        // The held flush and the one queued behind it both meet the outage.
        release.countDown();
        try {
            for (Future<AppendResult> append : List.of(first, second, third)) {
                assertThatThrownBy(() -> get(append))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("put");
            }
        } finally {
            recover.run();
        }
        for (String taskId : List.of("a", "b", "c")) {
            assertThat(store.list(taskId, MessageQuery.all()).messages())
                    .as("messages of %s", taskId)
                    .isEmpty();
            assertThat(store.task(taskId).orElseThrow().messageCount()).isZero();
        }
        assertThat(sharedKeys()).as("shared objects after the failed flushes").isEmpty();
        for (String taskId : List.of("a", "b", "c")) {
            assertThat(store.append(taskId, range(0, 4))).isEqualTo(new AppendResult(5, 0, 0));
            assertThat(store.append(taskId, range(0, 4))).isEqualTo(new AppendResult(0, 5, 0));
            assertThat(store.list(taskId, MessageQuery.all()).messages()).hasSize(5);
        }
        assertLiveFramesMatchSegments();
    }

    /** Makes the content tier refuse puts for real; the returned action brings it back. */
    private Runnable takeContentDown(Backends backends) {
        switch (backends) {
            case EMBEDDED -> {
                // Root ignores permissions, so the shared directory becomes a file: no object fits in it.
                Path shared = localRoot.resolve("shared");
                try {
                    if (Files.isDirectory(shared)) {
                        try (var files = Files.list(shared)) {
                            assertThat(files)
                                    .as("objects in shared/ before the outage")
                                    .isEmpty();
                        }
                        Files.delete(shared);
                    }
                    Files.writeString(shared, "not a directory");
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
                return () -> {
                    try {
                        Files.delete(shared);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                };
            }
            case SCALED -> {
                s3.stop();
                return s3::start;
            }
        }
        throw new IllegalStateException("unknown backends " + backends);
    }

    // ---- d. close with appends queued ----

    @ParameterizedTest
    @EnumSource(Backends.class)
    void closeWithAppendsQueuedAndFlushing_keepsEveryAcknowledgedAppend_andEachOtherIsWhollyPresentOrAbsent(
            Backends backends) throws Exception {
        StoreOptions options = StoreOptions.defaults().withFlush(64 << 10, Duration.ZERO, 2);
        open(backends, options);
        int tasks = 8;
        for (int t = 0; t < tasks; t++) {
            store.createTask("task-" + t);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, List<long[]>> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, List<long[]>> failed = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicLong acknowledgedCount = new AtomicLong();
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            String taskId = "task-" + t;
            writers.add(threads.submit(() -> {
                for (long from = 0; !stop.get(); from += 10) {
                    long[] batch = {from, from + 9};
                    try {
                        store.append(taskId, range(from, from + 9));
                        acknowledged
                                .computeIfAbsent(taskId, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(batch);
                        acknowledgedCount.incrementAndGet();
                    } catch (BackendUnavailableException e) {
                        failed.computeIfAbsent(taskId, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(batch);
                        return;
                    }
                }
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledgedCount.get() >= 40);

        store.close();
        stop.set(true);
        for (Future<?> writer : writers) {
            writer.get(30, TimeUnit.SECONDS);
        }
        reopen(options);

        for (int t = 0; t < tasks; t++) {
            String taskId = "task-" + t;
            List<Long> stored = store.list(taskId, MessageQuery.all().limitedTo(100_000)).messages().stream()
                    .map(TaskMessage::seq)
                    .toList();
            for (long[] batch : acknowledged.getOrDefault(taskId, List.of())) {
                for (long seq = batch[0]; seq <= batch[1]; seq++) {
                    assertThat(stored)
                            .as("acknowledged seq %d of %s after reopen", seq, taskId)
                            .contains(seq);
                }
            }
            for (long[] batch : failed.getOrDefault(taskId, List.of())) {
                long present = stored.stream()
                        .filter(seq -> seq >= batch[0] && seq <= batch[1])
                        .count();
                assertThat(present)
                        .as("seqs of the batch %s of %s refused by the closing store", Arrays.toString(batch), taskId)
                        .isIn(0L, 10L);
            }
            assertThat(store.task(taskId).orElseThrow().messageCount()).isEqualTo(stored.size());
        }
        assertLiveFramesMatchSegments();
        assertThat(store.append("task-0", range(1_000_000, 1_000_004))).isEqualTo(new AppendResult(5, 0, 0));
    }

    // ---- e. consolidation racing appends, deletes and reads ----

    @ParameterizedTest
    @EnumSource(Backends.class)
    void consolidationRacingAppendsAndReads_neverFailsAReadNorShowsAGap_andCountsStayExact(Backends backends)
            throws Exception {
        open(backends, StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 2));
        store.createTask("hot");
        AtomicLong acknowledgedUpTo = new AtomicLong(-1);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> readFailure = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger compactions = new AtomicInteger();
        Future<?> writer = threads.submit(() -> {
            try {
                for (long from = 0; from < 400; from += 5) {
                    // A replay of the previous batch overlaps each new one: duplicates race compaction too.
                    AppendResult result = store.append("hot", range(Math.max(0, from - 3), from + 4));
                    assertThat(result.accepted()).isEqualTo(5);
                    acknowledgedUpTo.set(from + 4);
                    if (from == 200) {
                        store.seal("hot");
                    }
                }
            } finally {
                done.set(true);
            }
        });
        Future<?> compactor = threads.submit(() -> {
            while (!done.get()) {
                store.compact("hot");
                store.purgePendingDeletions();
                compactions.incrementAndGet();
            }
        });
        Future<?> reader = threads.submit(() -> {
            try {
                while (!done.get()) {
                    long before = acknowledgedUpTo.get();
                    List<Long> seqs = store.list("hot", MessageQuery.all().limitedTo(1000)).messages().stream()
                            .map(TaskMessage::seq)
                            .toList();
                    assertThat(seqs.size()).isGreaterThanOrEqualTo((int) (before + 1));
                    for (int i = 0; i < seqs.size(); i++) {
                        assertThat(seqs.get(i)).as("seq at position %d", i).isEqualTo(i);
                    }
                    reads.incrementAndGet();
                }
            } catch (Throwable t) {
                readFailure.set(t);
            }
        });
        writer.get(60, TimeUnit.SECONDS);
        compactor.get(60, TimeUnit.SECONDS);
        reader.get(60, TimeUnit.SECONDS);
        assertThat(readFailure.get()).as("a read during consolidation failed").isNull();
        assertThat(reads.get()).isPositive();
        assertThat(compactions.get()).isPositive();

        store.compact("hot");
        assertThat(store.list("hot", MessageQuery.all().limitedTo(1000)).messages())
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        range(0, 399).stream().map(NewMessage::seq).toList());
        assertThat(store.task("hot").orElseThrow().messageCount()).isEqualTo(400);
        assertLiveFramesMatchSegments();

        // Deleted while a compaction runs: the compaction gives way, nothing of the task stays.
        Future<?> lastCompaction = threads.submit(() -> {
            try {
                store.compact("hot");
            } catch (TaskNotFoundException e) {
                // Lost the race with the delete, as it may.
            }
        });
        store.delete(List.of("hot"));
        lastCompaction.get(30, TimeUnit.SECONDS);
        clock.advance(TTL.plusMinutes(2));
        runLifecycle();
        assertLiveFramesMatchSegments();
        assertThat(liveFrames()).isEmpty();
        FsckReport report = fsck(Duration.ZERO).run(Fsck.Mode.CHECK, checked -> {});
        assertThat(report.problems()).as("fsck once the task is deleted").isEmpty();
        assertThat(TaskFrames.keysUnder(raw, "")).as("objects left").isEmpty();
    }

    /**
     * Regression: a compaction that planned its runs and then found every segment of a run already
     * replaced by a concurrent compaction (another instance's sweep, a seal's request) merged an
     * empty message list: it wrote an object of no frames, then failed with
     * IllegalArgumentException ("a replacement has at least one frame") instead of giving way, and
     * left that object behind as an orphan.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void compactionWhoseRunAConcurrentCompactionReplaced_givesWay_withoutWritingAnEmptyObject(Backends backends)
            throws Exception {
        open(backends, oneFlushAtATime());
        store.createTask("t");
        for (long from = 0; from < 30; from += 10) {
            store.append("t", range(from, from + 9));
        }
        // Planning reads the frames' headers; from the content tier, not the cache, so it can be held there.
        cache.invalidate(metadata.catalog().segments(metadata.task("t").orElseThrow()).stream()
                .map(segment -> ContentSegmentKeys.frame(segment).cacheKey())
                .toList());
        CountDownLatch planning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean held = new AtomicBoolean();
        content.beforeGet(key -> {
            if (held.compareAndSet(false, true)) {
                planning.countDown();
                awaitLatch(release);
            }
        });
        Future<CompactionResult> late = threads.submit(() -> store.compact("t"));
        awaitLatch(planning);
        CompactionResult first = store.compact("t");
        List<String> objectsAfterFirst = TaskFrames.keysUnder(raw, "");
        release.countDown();

        assertThat(first.merged()).as("the first compaction merged").isTrue();
        CompactionResult second = late.get(30, TimeUnit.SECONDS);
        assertThat(second.merged()).as("the late compaction merged").isFalse();
        assertThat(TaskFrames.keysUnder(raw, ""))
                .as("objects once the late compaction gave way")
                .containsExactlyInAnyOrderElementsOf(objectsAfterFirst);
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        range(0, 29).stream().map(NewMessage::seq).toList());
        assertLiveFramesMatchSegments();
    }

    // ---- helpers ----

    /** What the compaction scheduler and the deletion worker do on each pass. */
    private void runLifecycle() {
        store.consolidationCandidates(TTL, 1000).forEach(taskId -> {
            try {
                store.compact(taskId);
            } catch (TaskNotFoundException e) {
                // Deleted meanwhile.
            }
        });
        store.purgePendingDeletions();
    }

    private Fsck fsck(Duration orphanGrace) {
        return new Fsck(metadata, raw, new FailSafeSegmentCache(cache), new SegmentCodec(), clock, orphanGrace);
    }

    /** Live frame count per object, as {@code tm_object} records it. */
    private Map<Long, Integer> liveFrames() {
        return database.read("test liveFrames", handle -> {
            Map<Long, Integer> live = new HashMap<>();
            handle.createQuery("SELECT object_id, live_frames FROM tm_object")
                    .map((rs, ctx) -> live.put(rs.getLong(1), rs.getInt(2)))
                    .list();
            return live;
        });
    }

    /** Every object's live frame count is positive and equals the segment rows pointing into it. */
    private void assertLiveFramesMatchSegments() {
        Map<Long, Integer> referenced = database.read("test referencedFrames", handle -> {
            Map<Long, Integer> frames = new HashMap<>();
            handle.createQuery("SELECT object_id, COUNT(*) FROM tm_segment WHERE object_kind <> 0 GROUP BY object_id")
                    .map((rs, ctx) -> frames.put(rs.getLong(1), rs.getInt(2)))
                    .list();
            return frames;
        });
        assertThat(liveFrames())
                .as("tm_object live frames against the segment rows that reference each object")
                .isEqualTo(referenced);
        // The task counters that compaction candidates and the deletion sweep rely on.
        List<String> drifted = database.read(
                "test taskCounters",
                handle -> handle.createQuery("SELECT t.task_id || ': messages ' || t.message_count || '/' ||"
                                + " (SELECT COUNT(*) FROM tm_message m WHERE m.task_key = t.task_key)"
                                + " || ', live ' || t.live_segments || '/' ||"
                                + " (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = t.task_key)"
                                + " || ', loose ' || t.loose_segments || '/' ||"
                                + " (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = t.task_key AND s.object_kind <> 2)"
                                + " || ', shared ' || t.shared_frames || '/' ||"
                                + " (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = t.task_key AND s.object_kind = 1)"
                                + " FROM tm_task t WHERE t.message_count <>"
                                + " (SELECT COUNT(*) FROM tm_message m WHERE m.task_key = t.task_key)"
                                + " OR t.live_segments <> (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = t.task_key)"
                                + " OR t.loose_segments <> (SELECT COUNT(*) FROM tm_segment s"
                                + " WHERE s.task_key = t.task_key AND s.object_kind <> 2)"
                                + " OR t.shared_frames <> (SELECT COUNT(*) FROM tm_segment s"
                                + " WHERE s.task_key = t.task_key AND s.object_kind = 1)")
                        .mapTo(String.class)
                        .list());
        assertThat(drifted)
                .as("tasks whose counters differ from their rows (counter/rows)")
                .isEmpty();
    }

    private long sharedObjectOf(String taskId) {
        return metadata.catalog().segments(metadata.task(taskId).orElseThrow()).stream()
                .filter(segment -> segment.kind() == dev.strata.tier.metadata.ObjectKind.SHARED)
                .findFirst()
                .orElseThrow()
                .objectId();
    }

    private List<String> sharedKeys() {
        return TaskFrames.keysUnder(raw, ContentKeys.SHARED);
    }

    /** Every object in the content tier, taken apart frame by frame and decoded, that holds the text. */
    private List<String> objectsHolding(String text) {
        SegmentCodec codec = new SegmentCodec();
        List<String> holding = new ArrayList<>();
        for (String key : TaskFrames.keysUnder(raw, "")) {
            Optional<byte[]> stored = raw.get(key);
            if (stored.isEmpty()) {
                continue;
            }
            byte[] bytes = stored.get();
            boolean found = new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
            for (TaskFrames.Found frame : TaskFrames.in(key, bytes)) {
                byte[] frameBytes = Arrays.copyOfRange(
                        bytes,
                        (int) frame.frame().offset(),
                        (int) frame.frame().offset() + frame.frame().length());
                found |= codec.decode(frame.taskId(), frameBytes).stream()
                        .anyMatch(m -> m.content().contains(text));
            }
            if (found) {
                holding.add(key);
            }
        }
        return holding;
    }

    /** Messages whose content starts with the tag and a colon. */
    private static List<NewMessage> tagged(String tag, long from, long to) {
        List<NewMessage> messages = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            messages.add(text(seq, tag + ": " + seq));
        }
        return messages;
    }

    private static List<String> contents(String tag, long from, long to) {
        return tagged(tag, from, to).stream().map(NewMessage::content).toList();
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Submits an append and waits until it is the {@code position}th queued for the next flush. */
    private Future<AppendResult> queue(java.util.concurrent.Callable<AppendResult> append, int position) {
        Future<AppendResult> result = threads.submit(append);
        await().atMost(Duration.ofSeconds(30)).until(() -> store.queuedAppends() == position);
        return result;
    }

    /** Holds the next put until the returned latch is opened, then lets it (and later ones) through. */
    private CountDownLatch holdNextPut(CountDownLatch entered) {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean held = new AtomicBoolean();
        content.beforePut(key -> {
            if (held.compareAndSet(false, true)) {
                entered.countDown();
                awaitLatch(release);
            }
        });
        return release;
    }

    private static AppendResult get(Future<AppendResult> result) {
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("append did not finish", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not reached");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
