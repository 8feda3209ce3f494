package dev.strata.lifecycle;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task whose frames were all moved while it was open is sealed; the merge of its append-sized
 * frames is asked for once, in memory, at seal time. When that one request is lost (its
 * compaction failed, or the process restarted before it ran), does a later sweep still merge it?
 */
class SealedMovedFramesSweepTest {
    @TempDir
    Path directory;

    private Database database;
    private HookedContentTier hooked;
    private TaskMessageStore store;

    @BeforeEach
    void open() {
        database = TestDatabases.sqlite(directory);
        hooked = new HookedContentTier(new LocalDirectoryContentTier(directory.resolve("objects")));
        store = StoreFixture.store(
                database,
                hooked,
                new CaffeineSegmentCache(8 << 20, Duration.ofHours(1)),
                StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
    }

    @AfterEach
    void close() {
        store.close();
        database.close();
    }

    /** 40 appends, moved (not merged) while the task is open: 40 append-sized frames. */
    private void movedWhileOpen(String taskId) {
        store.createTask(taskId);
        for (int b = 0; b < 40; b++) {
            store.append(taskId, range(b * 5L, b * 5L + 4));
        }
        store.compact(taskId);
        assertThat(store.task(taskId).orElseThrow().liveSegments()).isEqualTo(40);
    }

    /** Waits until the task's 40 moved frames were merged into fewer. */
    private void awaitMerged(String taskId, int maxOpenSegments) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(store.task(taskId).orElseThrow().liveSegments())
                        .as(
                                "segments of the sealed task; compaction candidates: %s",
                                store.compactionCandidates(maxOpenSegments, 100))
                        .isLessThan(40));
    }

    @Test
    void sealRequestWhoseCompactionFailedOnce_isRetriedByALaterSweep() {
        movedWhileOpen("t");
        store.seal("t");
        // The seal's compaction meets one content tier outage (the merged object's put).
        AtomicBoolean failOnce = new AtomicBoolean(true);
        hooked.beforePut(key -> {
            if (failOnce.getAndSet(false)) {
                throw new BackendUnavailableException("content tier outage (test)", null);
            }
        });
        BackgroundFailures failures = BackgroundFailures.unexported();
        try (CompactionScheduler scheduler = new CompactionScheduler(
                store, Duration.ofMillis(50), 64, 1, Duration.ofMinutes(10), failures, JobLease.unshared())) {
            scheduler.request("t"); // what the server does when a task is sealed
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> failures.count("compaction") == 1);
            // "A failed compaction ... is retried by the next sweep": give the sweeps (every 50 ms) time.
            awaitMerged("t", 64);
        }
        assertThat(store.list("t", MessageQuery.all()).messages()).hasSize(200);
    }

    @Test
    void sealedBeforeARestart_isMergedBySweepsAfterIt() {
        movedWhileOpen("t");
        store.seal("t"); // then the process stops before the seal's request ran
        try (CompactionScheduler scheduler = new CompactionScheduler(store, Duration.ofMillis(50), 64, 1)) {
            scheduler.sweep();
            awaitMerged("t", 64);
        }
    }

    @Test
    void sealedWhileItsMoveRuns_isMergedOnceTheMoveIsDone() throws Exception {
        store.createTask("t");
        for (int b = 0; b < 40; b++) {
            store.append("t", range(b * 5L, b * 5L + 4));
        }
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean holdOnce = new AtomicBoolean(true);
        hooked.afterPut(key -> {
            if (holdOnce.getAndSet(false)) {
                written.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try (CompactionScheduler scheduler = new CompactionScheduler(store, Duration.ofHours(1), 8, 2)) {
            scheduler.request("t"); // the sweep found the open task past 8 loose segments: a move
            assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
            store.seal("t");
            scheduler.request("t"); // what the server does when the task is sealed
            release.countDown();
            scheduler.sweep();
            awaitMerged("t", 8);
        }
    }
}
