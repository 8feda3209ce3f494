package dev.strata.lifecycle;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.codec.SegmentCodec;
import dev.strata.store.CompactionResult;
import dev.strata.store.MessageQuery;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessage;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction on the embedded backends: one object per finished task, reads exact at every moment. */
class CompactionTest {
    @TempDir
    Path directory;
    private Database database;
    private LocalDirectoryContentTier content;
    private TaskMessageStore store;

    @BeforeEach
    void open() {
        database = TestServices.sqlite(directory);
        content = new LocalDirectoryContentTier(directory.resolve("objects"));
        // No grace: replaced segments may be deleted as soon as the deletion worker runs.
        store = StoreFixture.store(database, content, new CaffeineSegmentCache(64 << 20, Duration.ofHours(1)),
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
        assertThat(result.segmentsAfter()).isEqualTo(1);
        assertThat(objects()).isEqualTo(1);
        assertThat(store.list("long", MessageQuery.all()).messages()).isEqualTo(before);
        assertThat(store.list("long", MessageQuery.all().after(3989)).messages()).isEqualTo(before.subList(3990, 4000));
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
        List<String> violations = new ArrayList<>();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                long from = appended.get();
                store.append("busy", range(from, from + 4));
                appended.set(from + 5);
            }
        });
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                long floor = appended.get();
                List<Long> seqs = store.list("busy", MessageQuery.all()).messages().stream().map(TaskMessage::seq).toList();
                if (seqs.size() < floor || !seqs.equals(LongStream.range(0, seqs.size()).boxed().toList())) {
                    synchronized (violations) {
                        violations.add("read " + seqs.size() + " messages with at least " + floor + " appended");
                    }
                }
            }
        });
        for (int round = 0; round < 5; round++) {
            store.compact("busy");
            store.purgePendingDeletions();
        }
        stop.set(true);
        writer.join();
        reader.join();

        assertThat(violations).isEmpty();
        List<TaskMessage> all = store.list("busy", MessageQuery.all()).messages();
        assertThat(all).extracting(TaskMessage::seq).containsExactlyElementsOf(LongStream.range(0, appended.get()).boxed().toList());
    }

    @Test
    void concurrentCompactionsOfOneTask_oneWinsAndNothingIsLost() {
        store.createTask("twice");
        for (int b = 0; b < 30; b++) {
            store.append("twice", range(b * 3L, b * 3L + 2));
        }
        List<TaskMessage> before = store.list("twice", MessageQuery.all()).messages();
        TaskMessageStore other = StoreFixture.store(database, content, new CaffeineSegmentCache(1 << 20, Duration.ofHours(1)),
                StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));

        var first = CompletableFuture.supplyAsync(() -> store.compact("twice"));
        var second = CompletableFuture.supplyAsync(() -> other.compact("twice"));
        first.join();
        second.join();
        store.purgePendingDeletions();

        assertThat(store.list("twice", MessageQuery.all()).messages()).isEqualTo(before);
        assertThat(other.list("twice", MessageQuery.all()).messages()).isEqualTo(before);
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
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
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

        FsckReport report = new Fsck(new JdbcMetadataTier(database), content, content, new dev.strata.tier.cache.NoSegmentCache(),
                new SegmentCodec(), Clock.systemUTC(), Duration.ZERO).run(Fsck.Mode.CHECK, done -> { });

        assertThat(report.problems()).isEmpty();
        assertThat(report.clean()).isTrue();
        assertThat(report.tasks()).isEqualTo(1);
        assertThat(report.segments()).isEqualTo(1);
        assertThat(report.messages()).isEqualTo(20);
    }

    private long objects() {
        return TestServices.countFiles(directory.resolve("objects"));
    }
}
