package dev.strata.lifecycle;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.store.CompactionResult;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compaction on the embedded backends: one object per finished task, reads exact at every moment. */
class CompactionTest {
    @TempDir
    Path directory;

    private Database database;
    private LocalDirectoryContentTier content;
    private HookedContentTier hooked;
    private TaskMessageStore store;

    @BeforeEach
    void open() {
        database = TestDatabases.sqlite(directory);
        content = new LocalDirectoryContentTier(directory.resolve("objects"));
        hooked = new HookedContentTier(content);
        // No grace: replaced segments may be deleted as soon as the deletion worker runs.
        store = StoreFixture.store(
                database,
                hooked,
                new CaffeineSegmentCache(64 << 20, Duration.ofHours(1)),
                StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
    }

    @AfterEach
    void close() {
        store.close();
        database.close();
    }

    @Test
    void sealedTaskOf4000MessagesInBatchesOf1To20_endsAsOneObject_withIdenticalReads() throws IOException {
        store.createTask("long");
        Random random = new Random(42);
        long seq = 0;
        int batches = 0;
        while (seq < 4000) {
            long end = Math.min(3999, seq + random.nextInt(20));
            store.append("long", range(seq, end));
            seq = end + 1;
            batches++;
        }
        List<TaskMessage> before = store.list("long", MessageQuery.all()).messages();
        assertThat(objects()).isEqualTo(batches);
        assertThat(store.task("long").orElseThrow().liveSegments()).isEqualTo(batches);

        store.seal("long");
        CompactionResult result = store.compact("long");
        store.purgePendingDeletions();

        assertThat(result.segmentsBefore()).isEqualTo(batches);
        assertThat(result.segmentsAfter())
                .as("frames of the one consolidated object")
                .isEqualTo(store.task("long").orElseThrow().liveSegments());
        assertThat(objects()).isEqualTo(1);
        assertThat(store.list("long", MessageQuery.all()).messages()).isEqualTo(before);
        assertThat(store.list("long", MessageQuery.all().after(3989)).messages())
                .isEqualTo(before.subList(3990, 4000));
        assertThat(store.compactionCandidates(64, 10)).isEmpty();
        assertThat(store.compact("long").merged()).isFalse();
    }

    @Test
    void readsAndAppendsDuringCompaction_neverMissOrDoubleAMessage() throws Exception {
        store.createTask("busy");
        for (int b = 0; b < 100; b++) {
            store.append("busy", range(b * 5L, b * 5L + 4));
        }
        AtomicLong appended = new AtomicLong(500);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean compacting = new AtomicBoolean();
        AtomicInteger readsInsideCompaction = new AtomicInteger();
        AtomicInteger appendsInsideCompaction = new AtomicInteger();
        List<String> violations = new ArrayList<>();
        // Threads of their own: the common pool may have a single thread on a small machine, and
        // then the writer and the reader would never run at the same time.
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(
                () -> {
                    while (!stop.get()) {
                        boolean during = compacting.get();
                        long from = appended.get();
                        store.append("busy", range(from, from + 4));
                        appended.set(from + 5);
                        if (during && compacting.get()) {
                            appendsInsideCompaction.incrementAndGet();
                        }
                    }
                },
                threads);
        CompletableFuture<Void> reader = CompletableFuture.runAsync(
                () -> {
                    while (!stop.get()) {
                        boolean during = compacting.get();
                        long floor = appended.get();
                        List<Long> seqs = store.list("busy", MessageQuery.all()).messages().stream()
                                .map(TaskMessage::seq)
                                .toList();
                        if (seqs.size() < floor
                                || !seqs.equals(
                                        LongStream.range(0, seqs.size()).boxed().toList())) {
                            synchronized (violations) {
                                violations.add(
                                        "read " + seqs.size() + " messages with at least " + floor + " appended");
                            }
                        }
                        if (during && compacting.get()) {
                            readsInsideCompaction.incrementAndGet();
                        }
                    }
                },
                threads);
        Thread compactor = Thread.currentThread();
        int merged = 0;
        for (int round = 0; round < 5; round++) {
            int readsBefore = readsInsideCompaction.get();
            int appendsBefore = appendsInsideCompaction.get();
            // Hold the compaction between its merged object becoming durable and its metadata
            // commit until reads and appends have run inside it: the overlap is proven, not hoped for.
            hooked.afterPut(key -> {
                if (Thread.currentThread() == compactor) {
                    org.awaitility.Awaitility.await("reads and appends while round " + key + " is in progress")
                            .atMost(Duration.ofSeconds(30))
                            .until(() -> readsInsideCompaction.get() - readsBefore >= 3
                                    && appendsInsideCompaction.get() - appendsBefore >= 1);
                }
            });
            compacting.set(true);
            try {
                if (store.compact("busy").merged()) {
                    merged++;
                }
            } finally {
                compacting.set(false);
                hooked.afterPut(key -> {});
            }
            store.purgePendingDeletions();
        }
        stop.set(true);
        writer.join();
        reader.join();
        threads.shutdown();

        assertThat(merged)
                .as("rounds that merged (each finds the appends of the round before)")
                .isEqualTo(5);
        assertThat(readsInsideCompaction.get())
                .as("reads that ran entirely inside a compaction")
                .isGreaterThanOrEqualTo(15);
        assertThat(appendsInsideCompaction.get())
                .as("appends that ran entirely inside a compaction")
                .isGreaterThanOrEqualTo(5);
        assertThat(violations).isEmpty();
        List<TaskMessage> all = store.list("busy", MessageQuery.all()).messages();
        assertThat(all)
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        LongStream.range(0, appended.get()).boxed().toList());
    }

    /** Open, the frames move as they are into one object; sealed, they merge into one frame. */
    @ParameterizedTest(name = "sealed={0}")
    @ValueSource(booleans = {false, true})
    void concurrentCompactionsOfOneTask_exactlyOneWins_theLosersObjectIsDeleted_andNothingIsLost(boolean sealed)
            throws Exception {
        store.createTask("twice");
        for (int b = 0; b < 30; b++) {
            store.append("twice", range(b * 3L, b * 3L + 2));
        }
        if (sealed) {
            store.seal("twice");
        }
        int segmentsAfter = sealed ? 1 : 30;
        List<TaskMessage> before = store.list("twice", MessageQuery.all()).messages();
        assertThat(objects()).isEqualTo(30);
        // Both compactions must have read the same 30 segments and written their merged object
        // before either commits: they meet here, so they cannot run one after the other.
        CyclicBarrier bothMerged = new CyclicBarrier(2);
        hooked.afterPut(key -> {
            try {
                bothMerged.await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "the two compactions did not both write a merged object (at " + key + ")", e);
            }
        });
        TaskMessageStore other = StoreFixture.store(
                database,
                hooked,
                new CaffeineSegmentCache(1 << 20, Duration.ofHours(1)),
                StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
        List<CompactionResult> results;
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            var first = CompletableFuture.supplyAsync(() -> store.compact("twice"), threads);
            var second = CompletableFuture.supplyAsync(() -> other.compact("twice"), threads);
            results = List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));
        } finally {
            hooked.afterPut(key -> {});
        }
        assertThat(objects())
                .as("objects right after both compactions: 30 segments and the winner's merged object")
                .isEqualTo(31);
        store.purgePendingDeletions();

        assertThat(results)
                .as("compaction results %s", results)
                .filteredOn(CompactionResult::merged)
                .hasSize(1)
                .allSatisfy(winner -> assertThat(winner.segmentsAfter()).isEqualTo(segmentsAfter));
        assertThat(results)
                .filteredOn(result -> !result.merged())
                .hasSize(1)
                .allSatisfy(loser -> assertThat(loser.segmentsAfter())
                        .as("the loser changed nothing")
                        .isEqualTo(30));
        assertThat(objects())
                .as("objects after purging: only the winner's merged object")
                .isEqualTo(1);
        assertThat(store.task("twice").orElseThrow().liveSegments()).isEqualTo(segmentsAfter);
        assertThat(store.list("twice", MessageQuery.all()).messages()).isEqualTo(before);
        assertThat(other.list("twice", MessageQuery.all()).messages()).isEqualTo(before);
        other.close();
    }

    @Test
    void compactionCandidates_areSealedTasksAndOpenTasksPastTheLimit() {
        store.createTask("sealed");
        store.createTask("open-small");
        store.createTask("open-big");
        for (int b = 0; b < 5; b++) {
            store.append("sealed", range(b, b));
            store.append("open-small", range(b, b));
            store.append("open-big", range(b, b));
        }
        store.append("open-big", range(10, 10));
        store.seal("sealed");

        assertThat(store.compactionCandidates(5, 10)).containsExactlyInAnyOrder("sealed", "open-big");
    }

    @Test
    void schedulerCompactsASealedTaskInTheBackground() {
        store.createTask("bg");
        for (int b = 0; b < 10; b++) {
            store.append("bg", range(b, b));
        }
        store.seal("bg");
        try (CompactionScheduler scheduler = new CompactionScheduler(store, Duration.ofMillis(50), 64, 1)) {
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> store.task("bg").orElseThrow().liveSegments() == 1);
        }
        assertThat(store.list("bg", MessageQuery.all()).messages()).hasSize(10);
    }

    @Test
    void fsckAfterCompactionAndDeletion_isClean() {
        store.createTask("a");
        store.createTask("b");
        for (int b = 0; b < 10; b++) {
            store.append("a", range(b * 2L, b * 2L + 1));
            store.append("b", range(b * 2L, b * 2L + 1));
        }
        store.compact("a");
        store.delete(List.of("b"));
        store.purgePendingDeletions();

        FsckReport report = new Fsck(
                        new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()),
                        content,
                        new dev.strata.tier.cache.NoSegmentCache(),
                        new SegmentCodec(),
                        Clock.systemUTC(),
                        Duration.ZERO)
                .run(Fsck.Mode.CHECK, done -> {});

        assertThat(report.problems()).isEmpty();
        assertThat(report.clean()).isTrue();
        assertThat(report.tasks()).isEqualTo(1);
        assertThat(report.segments())
                .as("open, its 10 frames moved as they are")
                .isEqualTo(10);
        assertThat(report.messages()).isEqualTo(20);
    }

    private long objects() {
        return TestServices.countFiles(directory.resolve("objects"));
    }
}
