package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static dev.strata.testing.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.FsckReport;
import dev.strata.lifecycle.OrphanCollector;
import dev.strata.lifecycle.TaskFrames;
import dev.strata.model.AppendResult;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.testing.FaultProxy;
import dev.strata.tier.content.ContentKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Outages and restarts on the shared write path (issue 12), with real faults: the content tier
 * down mid-flush (S3Proxy stopped, the local shared directory replaced by a file), metadata down
 * mid-flush (PostgreSQL connections reset through the {@link FaultProxy}, SQLite's write lock held
 * by another connection), and a store closed while appends are queued and flushing.
 */
class FlushOutageTest extends AbstractSharedFlushRaceTest {
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
                        .hasMessageStartingWith("content put of shared/");
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

    @ParameterizedTest
    @EnumSource(Backends.class)
    void metadataDownMidFlush_failsEveryAppendOfTheFlush_showsNothing_andTheRetryIsAcceptedOnce(Backends backends)
            throws Exception {
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
        AutoCloseable recover = takeMetadataDown(backends);
        // The held flush's object is written, then its commit meets the outage; so does the next flush's.
        release.countDown();
        try (recover) {
            for (Future<AppendResult> append : List.of(first, second, third)) {
                assertThatThrownBy(() -> get(append))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("metadata commitFlush for");
            }
        }
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(BackendUnavailableException.class)
                .untilAsserted(() -> assertThat(store.task("a")).isPresent());
        for (String taskId : List.of("a", "b", "c")) {
            assertThat(store.list(taskId, MessageQuery.all()).messages())
                    .as("messages of %s", taskId)
                    .isEmpty();
            assertThat(store.task(taskId).orElseThrow().messageCount()).isZero();
        }
        assertThat(liveFrames())
                .as("objects with live frames after the failed commits")
                .isEmpty();
        for (String taskId : List.of("a", "b", "c")) {
            assertThat(store.append(taskId, range(0, 4))).isEqualTo(new AppendResult(5, 0, 0));
            assertThat(store.append(taskId, range(0, 4))).isEqualTo(new AppendResult(0, 5, 0));
            assertThat(store.list(taskId, MessageQuery.all()).messages()).hasSize(5);
        }
        assertLiveFramesMatchSegments();
        // The objects of the failed flushes are orphans (their commit might have landed): fsck removes them.
        clock.advance(Duration.ofMinutes(1));
        FsckReport repair = fsck(Duration.ZERO).run(Fsck.Mode.REPAIR, checked -> {});
        assertThat(repair.orphansRemoved()).as("orphans removed").isEqualTo(2);
        assertThat(fsck(Duration.ZERO).run(Fsck.Mode.CHECK, checked -> {}).problems())
                .isEmpty();
        for (String taskId : List.of("a", "b", "c")) {
            assertThat(store.list(taskId, MessageQuery.all()).messages()).hasSize(5);
        }
    }

    /**
     * The deletion bound covers objects no metadata references: a flush whose commit failed leaves
     * its shared object, with the task's bytes, to orphan collection, which claims an unreferenced
     * shared object after {@link OrphanCollector#SHARED_GRACE} (not {@code STRATA_ORPHAN_GRACE})
     * and the deletion worker removes it.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void deletedTasksBytesInTheObjectOfAFailedFlush_leaveWithinTheDeletionBound(Backends backends) throws Exception {
        open(backends, oneFlushAtATime());
        String marker = "FAILED-FLUSH-MARKER-" + java.util.UUID.randomUUID();
        store.createTask("doomed");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> append =
                threads.submit(() -> store.append("doomed", List.of(text(0, marker), text(1, marker))));
        awaitLatch(entered);
        AutoCloseable recover = takeMetadataDown(backends);
        release.countDown();
        try (recover) {
            assertThatThrownBy(() -> get(append))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("metadata commitFlush for doomed");
        }
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(BackendUnavailableException.class)
                .untilAsserted(() -> store.delete(List.of("doomed")));
        assertThat(objectsHolding(marker))
                .as("objects holding the marker after the delete")
                .hasSize(1);

        // Everything the server runs, at its default settings, until past the bound.
        OrphanCollector orphans = new OrphanCollector(raw, metadata.catalog(), clock, Duration.ofHours(1));
        for (int pass = 0; pass < 16; pass++) {
            clock.advance(Duration.ofMinutes(1));
            runLifecycle();
            orphans.collect(1000, OrphanCollector.Removal.REMOVE);
        }

        assertThat(objectsHolding(marker))
                .as("objects holding a deleted task's bytes 16 minutes after the delete")
                .isEmpty();
    }

    /**
     * A flush whose commit comes after orphan collection claimed its object (here: held between
     * its put and its commit past the shared grace) fails instead of pointing at an object the
     * deletion worker removes; the append was never acknowledged and its retry stores it.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void flushCommittingAfterItsObjectWasClaimed_failsAndLeavesNothing_andItsRetryIsStored(Backends backends) {
        open(backends, oneFlushAtATime());
        store.createTask("slow");
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = holdAfterNextPut(written);
        Future<AppendResult> append = threads.submit(() -> store.append("slow", tagged("slow", 0, 3)));
        awaitLatch(written);

        clock.advance(OrphanCollector.SHARED_GRACE.plusMinutes(1));
        OrphanCollector orphans = new OrphanCollector(raw, metadata.catalog(), clock, Duration.ofHours(1));
        OrphanCollector.Pass pass = orphans.collect(1000, OrphanCollector.Removal.REMOVE);
        assertThat(pass.removed()).as("claimed").hasSize(1).allMatch(key -> key.startsWith(ContentKeys.SHARED));
        store.purgePendingDeletions();
        assertThat(TaskFrames.keysUnder(raw, ContentKeys.SHARED))
                .as("shared objects")
                .isEmpty();

        release.countDown();
        assertThatThrownBy(() -> get(append))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("metadata commitFlush for slow");
        assertThat(store.list("slow", MessageQuery.all()).messages()).isEmpty();

        assertThat(store.append("slow", tagged("slow", 0, 3)).accepted()).isEqualTo(4);
        assertThat(store.list("slow", MessageQuery.all()).messages()).hasSize(4);
        assertLiveFramesMatchSegments();
        assertThat(fsck(Duration.ofHours(1)).run(Fsck.Mode.CHECK, checked -> {}).problems())
                .isEmpty();
        // A day later the claim is forgotten; what is live stays.
        clock.advance(Duration.ofDays(1).plusHours(1));
        orphans.collect(1000, OrphanCollector.Removal.REMOVE);
        store.purgePendingDeletions();
        assertThat(liveFrames()).as("claims left").doesNotContainValue(0);
        assertThat(store.list("slow", MessageQuery.all()).messages()).hasSize(4);
    }

    /**
     * A compaction whose commit failed leaves its per-task object, with the task's bytes, which no
     * metadata records; deleting the task removes it at once (claimed first, so a late commit
     * would fail), not an orphan grace later.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void deletedTasksBytesInTheObjectOfAFailedCompaction_leaveWithTheDelete(Backends backends) throws Exception {
        open(backends, oneFlushAtATime());
        String marker = "FAILED-COMPACTION-MARKER-" + java.util.UUID.randomUUID();
        store.createTask("doomed");
        store.append("doomed", List.of(text(0, marker)));
        store.append("doomed", List.of(text(1, marker)));
        store.seal("doomed");
        java.util.concurrent.atomic.AtomicReference<AutoCloseable> recover =
                new java.util.concurrent.atomic.AtomicReference<>();
        content.afterPut(key -> {
            if (key.startsWith(ContentKeys.taskPrefix("doomed")) && recover.get() == null) {
                try {
                    recover.set(takeMetadataDown(backends));
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        try {
            assertThatThrownBy(() -> store.compact("doomed")).isInstanceOf(BackendUnavailableException.class);
        } finally {
            content.afterPut(key -> {});
            recover.get().close();
        }
        assertThat(objectsHolding(marker))
                .as("objects holding the marker before the delete")
                .anyMatch(key -> key.startsWith(ContentKeys.taskPrefix("doomed")));

        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(BackendUnavailableException.class)
                .untilAsserted(() -> store.delete(List.of("doomed")));

        assertThat(objectsHolding(marker))
                .as("objects holding a deleted task's bytes")
                .isEmpty();
        assertLiveFramesMatchSegments();
        assertThat(fsck(Duration.ZERO).run(Fsck.Mode.CHECK, checked -> {}).problems())
                .isEmpty();
    }

    /** Makes metadata writes fail for real; closing the result brings the database back. */
    private AutoCloseable takeMetadataDown(Backends backends) throws java.sql.SQLException {
        switch (backends) {
            case EMBEDDED -> {
                // Another connection holds SQLite's write lock: commits wait out the busy timeout and fail.
                java.sql.Connection locker = java.sql.DriverManager.getConnection(sqliteUrl);
                try (var statement = locker.createStatement()) {
                    statement.execute("BEGIN EXCLUSIVE");
                }
                return () -> {
                    try (locker;
                            var statement = locker.createStatement()) {
                        statement.execute("ROLLBACK");
                    }
                };
            }
            case SCALED -> {
                postgresProxy.reset();
                return postgresProxy::pass;
            }
        }
        throw new IllegalStateException("unknown backends " + backends);
    }

    @ParameterizedTest
    @EnumSource(Backends.class)
    void flushInWhichNoFrameStoredAnything_whoseObjectCannotBeDeleted_stillAnswersEachAppend_andLeavesAnOrphan(
            Backends backends) {
        open(backends, oneFlushAtATime());
        store.createTask("t");
        content.beforeDelete(keys -> {
            throw new BackendUnavailableException("content delete of " + keys + " failed: injected", null);
        });
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> first = threads.submit(() -> store.append("t", tagged("first", 0, 4)));
        awaitLatch(entered);
        // Checked for stored seqs before the first committed: it goes to the next flush, which stores nothing.
        Future<AppendResult> replay = queue(() -> store.append("t", tagged("replay", 0, 4)), 1);

        release.countDown();

        assertThat(get(first)).isEqualTo(new AppendResult(5, 0, 0));
        assertThat(get(replay)).as("the replay whose flush stored nothing").isEqualTo(new AppendResult(0, 5, 0));
        content.beforeDelete(keys -> {});
        assertThat(sharedKeys())
                .as("shared objects: the first's, and the replay's that could not be removed")
                .hasSize(2);
        clock.advance(Duration.ofMinutes(1));
        FsckReport repair = fsck(Duration.ZERO).run(Fsck.Mode.REPAIR, checked -> {});
        assertThat(repair.orphansRemoved()).as("orphans fsck removed").isEqualTo(1);
        assertThat(sharedKeys()).containsExactly(ContentKeys.shared(sharedObjectOf("t")));
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::content)
                .containsExactlyElementsOf(contents("first", 0, 4));
        assertLiveFramesMatchSegments();
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
}
