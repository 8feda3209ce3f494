package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static dev.strata.testing.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.FsckReport;
import dev.strata.model.AppendResult;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.content.ContentKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Races on the shared write path (issue 12): overlapping appends of one task in one flush and in
 * concurrent flushes, flushes that store nothing, deletes racing queued and flushing appends up to
 * the deletion bound, everything at once with tasks recreated under their ids, and lock order on
 * PostgreSQL. On both backend sets; consolidation races are in {@link ConsolidationRaceTest}.
 */
class SharedFlushRaceTest extends AbstractSharedFlushRaceTest {
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
    void flushInWhichNoFrameStoredAnything_deletesItsObjectAtOnce_andAnswersEachAppendExactly(Backends backends) {
        open(backends, oneFlushAtATime());
        store.createTask("t");
        store.createTask("gone");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> first = threads.submit(() -> store.append("t", tagged("first", 0, 4)));
        awaitLatch(entered);
        // Both checked for stored seqs before the first committed, so both go to the next flush.
        Future<AppendResult> replay = queue(() -> store.append("t", tagged("replay", 0, 4)), 1);
        Future<AppendResult> doomed = queue(() -> store.append("gone", tagged("doomed", 0, 4)), 2);
        store.delete(List.of("gone"));

        release.countDown();

        assertThat(get(first)).isEqualTo(new AppendResult(5, 0, 0));
        assertThat(get(replay)).isEqualTo(new AppendResult(0, 5, 0));
        assertThatThrownBy(() -> get(doomed))
                .isInstanceOf(TaskNotFoundException.class)
                .hasMessage("task not found: gone");
        assertThat(sharedKeys())
                .as("shared objects: the first flush's; the second stored nothing")
                .containsExactly(ContentKeys.shared(sharedObjectOf("t")));
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::content)
                .containsExactlyElementsOf(contents("first", 0, 4));
        assertLiveFramesMatchSegments();
    }

    @ParameterizedTest
    @EnumSource(Backends.class)
    void overlappingAppendsInConcurrentFlushes_eachWritersAcceptedCount_isWhatTheTaskStoresOfIt(Backends backends) {
        open(backends, StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 4));
        store.createTask("contested");
        store.createTask("bystander");
        for (int round = 0; round < 2; round++) {
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
                    results.stream().map(AbstractSharedFlushRaceTest::get).toList();
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
        assertThat(store.task("contested").orElseThrow().messageCount()).isEqualTo(120);
        assertThat(store.list("contested", MessageQuery.all().limitedTo(1000)).messages())
                .hasSize(120);
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
        for (int round = 0; round < 12; round++) {
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

    /**
     * Everything at once on a few tasks: overlapping appends, compactions, purges, and deletes that
     * recreate the task under the same id. Each incarnation of a task writes its own marker, so
     * after the deletion bound no object may hold the marker of an incarnation that was deleted,
     * and each surviving incarnation reads exactly the seqs its appends were told were accepted.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void appendsCompactionsAndRecreatingDeletesAtOnce_keepEveryPromise(Backends backends) throws Exception {
        open(backends, StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 2));
        int tasks = 4;
        String run = java.util.UUID.randomUUID().toString();
        java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> incarnation =
                new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Set<String> deletedMarkers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        // Per task id: the lock a delete-and-recreate takes exclusively, so an append's result is
        // attributed to the incarnation it wrote to.
        Map<String, java.util.concurrent.locks.ReentrantReadWriteLock> locks = new HashMap<>();
        Map<String, java.util.Set<Long>> accepted = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, AtomicLong> acceptedCount = new java.util.concurrent.ConcurrentHashMap<>();
        for (int t = 0; t < tasks; t++) {
            String taskId = "mix-" + t;
            store.createTask(taskId);
            incarnation.put(taskId, new AtomicInteger());
            locks.put(taskId, new java.util.concurrent.locks.ReentrantReadWriteLock());
            accepted.put(taskId, java.util.concurrent.ConcurrentHashMap.newKeySet());
            acceptedCount.put(taskId, new AtomicLong());
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            workers.add(threads.submit(() -> {
                java.util.Random random = new java.util.Random(writer);
                for (int i = 0; i < 40 && failure.get() == null; i++) {
                    String taskId = "mix-" + random.nextInt(tasks);
                    long from = random.nextInt(40);
                    var lock = locks.get(taskId).readLock();
                    lock.lock();
                    try {
                        String marker = "M-" + run + "-" + taskId + "#"
                                + incarnation.get(taskId).get() + ":";
                        List<NewMessage> batch = new ArrayList<>();
                        for (long seq = from; seq < from + 5; seq++) {
                            batch.add(text(seq, marker + " " + seq + " by " + writer));
                        }
                        Set<Long> before = Set.copyOf(accepted.get(taskId));
                        AppendResult result = store.append(taskId, batch);
                        assertThat(result.accepted() + result.duplicates()).isEqualTo(5);
                        long fresh = batch.stream()
                                .filter(m -> !before.contains(m.seq()))
                                .count();
                        assertThat(result.accepted())
                                .as("accepted of %s, at most the seqs not accepted before", taskId)
                                .isLessThanOrEqualTo((int) fresh);
                        batch.forEach(m -> accepted.get(taskId).add(m.seq()));
                        acceptedCount.get(taskId).addAndGet(result.accepted());
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        lock.unlock();
                    }
                }
            }));
        }
        workers.add(threads.submit(() -> {
            java.util.Random random = new java.util.Random(99);
            while (!done.get() && failure.get() == null) {
                try {
                    store.compact("mix-" + random.nextInt(tasks));
                    store.purgePendingDeletions();
                } catch (TaskNotFoundException e) {
                    // Between a delete and its recreation.
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }
        }));
        workers.add(threads.submit(() -> {
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < 6 && failure.get() == null; i++) {
                String taskId = "mix-" + random.nextInt(tasks);
                var lock = locks.get(taskId).writeLock();
                lock.lock();
                try {
                    deletedMarkers.add("M-" + run + "-" + taskId + "#"
                            + incarnation.get(taskId).get() + ":");
                    store.delete(List.of(taskId));
                    incarnation.get(taskId).incrementAndGet();
                    accepted.get(taskId).clear();
                    acceptedCount.get(taskId).set(0);
                    store.createTask(taskId);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    lock.unlock();
                }
            }
        }));
        for (int w = 0; w < 4; w++) {
            workers.get(w).get(60, TimeUnit.SECONDS);
        }
        workers.get(5).get(60, TimeUnit.SECONDS);
        done.set(true);
        workers.get(4).get(60, TimeUnit.SECONDS);
        assertThat(failure.get()).as("a worker failed").isNull();

        assertLiveFramesMatchSegments();
        for (int t = 0; t < tasks; t++) {
            String taskId = "mix-" + t;
            String marker =
                    "M-" + run + "-" + taskId + "#" + incarnation.get(taskId).get() + ":";
            List<TaskMessage> messages = store.list(taskId, MessageQuery.all()).messages();
            assertThat(messages)
                    .extracting(TaskMessage::seq)
                    .as("seqs of %s", taskId)
                    .containsExactlyElementsOf(new java.util.TreeSet<>(accepted.get(taskId)));
            assertThat(messages).allSatisfy(m -> assertThat(m.content()).startsWith(marker));
            assertThat((long) messages.size())
                    .as("messages of %s against the sum of what its appends were told they accepted", taskId)
                    .isEqualTo(acceptedCount.get(taskId).get());
        }
        clock.advance(TTL.plusSeconds(1));
        runLifecycle();
        clock.advance(Duration.ofMinutes(5));
        runLifecycle();
        for (String marker : deletedMarkers) {
            assertThat(objectsHolding(marker))
                    .as("objects holding %s after the bound", marker)
                    .isEmpty();
        }
        assertLiveFramesMatchSegments();
        assertThat(fsck(Duration.ZERO).run(Fsck.Mode.CHECK, checked -> {}).problems())
                .isEmpty();
    }

    /**
     * On PostgreSQL, flushes lock task rows in task id order, deletions of several tasks lock them in
     * the same order and then objects in id order, and compactions lock one task then objects: no
     * mix of them may deadlock (which PostgreSQL would break by failing one as unavailable).
     */
    @ParameterizedTest
    @EnumSource(value = Backends.class, names = "SCALED")
    void flushesMultiTaskDeletesAndCompactionsAtOnce_neverDeadlock(Backends backends) throws Exception {
        open(backends, StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 4));
        int tasks = 6;
        for (int t = 0; t < tasks; t++) {
            store.createTask("lock-" + t);
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            int writer = w;
            workers.add(threads.submit(() -> {
                java.util.Random random = new java.util.Random(writer);
                for (int i = 0; i < 20 && failure.get() == null; i++) {
                    String taskId = "lock-" + random.nextInt(tasks);
                    try {
                        store.append(taskId, range(i * 3L, i * 3L + 4));
                    } catch (TaskNotFoundException e) {
                        // Deleted meanwhile; recreated below.
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }
            }));
        }
        Future<?> deleter = threads.submit(() -> {
            java.util.Random random = new java.util.Random(42);
            while (!done.get() && failure.get() == null) {
                List<String> doomed = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    doomed.add("lock-" + random.nextInt(tasks));
                }
                try {
                    store.delete(doomed);
                    doomed.forEach(store::createTask);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }
        });
        Future<?> compactor = threads.submit(() -> {
            java.util.Random random = new java.util.Random(43);
            while (!done.get() && failure.get() == null) {
                try {
                    store.compact("lock-" + random.nextInt(tasks));
                } catch (TaskNotFoundException e) {
                    // Between a delete and its recreation.
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }
        });
        for (Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }
        done.set(true);
        deleter.get(60, TimeUnit.SECONDS);
        compactor.get(60, TimeUnit.SECONDS);

        assertThat(failure.get()).as("a flush, delete or compaction failed").isNull();
        assertLiveFramesMatchSegments();
    }
}
