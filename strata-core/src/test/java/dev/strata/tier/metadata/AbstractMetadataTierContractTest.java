package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskSummary;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import dev.strata.tier.metadata.jdbc.JdbcTaskTimes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every metadata backend must do; each database's test subclasses this. */
public abstract class AbstractMetadataTierContractTest {
    protected Database database;
    protected MetadataTier metadata;

    protected abstract Database openDatabase();

    protected void cleanUp() {}

    @BeforeEach
    void open() {
        database = openDatabase();
        metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
    }

    @AfterEach
    void close() {
        metadata.close();
        database.close();
        cleanUp();
    }

    @Test
    void createTask_isIdempotent() {
        assertThat(metadata.createTask("t", Instant.now())).isTrue();
        assertThat(metadata.createTask("t", Instant.now())).isFalse();
        assertThat(metadata.task("t"))
                .hasValueSatisfying(
                        task -> assertThat(task.summary().messageCount()).isZero());
        assertThat(metadata.task("missing")).isEmpty();
    }

    @Test
    void createTasks_createsTheMissingOnesInOneCall_andSealOfSeveralSkipsUnknownIds() {
        metadata.createTask("b", Instant.ofEpochMilli(1_000));

        assertThat(metadata.createTasks(List.of("a", "b", "c", "a"), Instant.ofEpochMilli(2_000)))
                .containsExactlyInAnyOrder("a", "c");
        assertThat(new JdbcTaskTimes(database).createdBefore(List.of("a", "b", "c"), Instant.ofEpochMilli(1_500)))
                .as("b keeps its creation time")
                .containsExactly("b");
        assertThat(metadata.createTasks(List.of(), Instant.now())).isEmpty();

        assertThat(metadata.seal(List.of("a", "missing", "c"))).containsExactlyInAnyOrder("a", "c");
        assertThat(metadata.task("a").orElseThrow().summary().sealed()).isTrue();
        assertThat(metadata.task("b").orElseThrow().summary().sealed()).isFalse();
        assertThat(metadata.task("c").orElseThrow().summary().sealed()).isTrue();
    }

    @Test
    void commit_firstWriteWinsPerSeq() {
        TaskRecord task = created("t");

        var first = metadata.commit(task, segment(task, 1, 0, 9));
        var second = metadata.commit(task, segment(task, 2, 5, 14));
        var third = metadata.commit(task, segment(task, 3, 0, 14));

        assertThat(first).isEqualTo(new CommitOutcome.Committed(seqs(0, 9)));
        assertThat(second).isEqualTo(new CommitOutcome.Committed(seqs(10, 14)));
        assertThat(third).isEqualTo(new CommitOutcome.Committed(Set.of()));
        List<MessageLocation> located = metadata.locate(task, MessageQuery.all(), Long.MAX_VALUE);
        assertThat(located)
                .extracting(MessageLocation::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(0, 14).boxed().toList());
        assertThat(located.get(7))
                .extracting(MessageLocation::taskId, MessageLocation::objectId)
                .containsExactly("t", 1L);
        assertThat(located.get(12))
                .extracting(MessageLocation::taskId, MessageLocation::objectId)
                .containsExactly("t", 2L);
        assertThat(metadata.task("t").orElseThrow().summary().messageCount()).isEqualTo(15);
        assertThat(metadata.storedSeqs(task, List.of(3L, 14L, 15L))).containsExactlyInAnyOrder(3L, 14L);
    }

    @Test
    void taskWithStoredSeqs_readsTheTaskAndItsStoredSeqsAtOnce() {
        TaskRecord task = created("t");
        metadata.commit(task, segment(task, 1, 0, 599));
        created("other");

        TaskSeqs some =
                metadata.taskWithStoredSeqs("t", List.of(5L, 598L, 600L, 601L)).orElseThrow();
        assertThat(some.task()).isEqualTo(metadata.task("t").orElseThrow());
        assertThat(some.stored()).containsExactlyInAnyOrder(5L, 598L);
        assertThat(metadata.taskWithStoredSeqs("other", List.of(5L))
                        .orElseThrow()
                        .stored())
                .as("seqs of a task that stores none")
                .isEmpty();
        assertThat(metadata.taskWithStoredSeqs("missing", List.of(5L))).isEmpty();
        assertThat(metadata.taskWithStoredSeqs("t", List.of()).orElseThrow().stored())
                .isEmpty();
        // More seqs than one statement takes: the rest are read after the first statement.
        List<Long> many = LongStream.range(0, 1200).boxed().toList();
        assertThat(metadata.taskWithStoredSeqs("t", many).orElseThrow().stored())
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.range(0, 600).boxed().toList());
    }

    @Test
    void concurrentCommits_storeEachSeqOnce() {
        TaskRecord task = created("t");
        List<CompletableFuture<CommitOutcome>> commits = new ArrayList<>();
        int inserted;
        // Threads of their own: the common pool may have one thread on a small machine.
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 8; i++) {
                long objectId = i;
                commits.add(CompletableFuture.supplyAsync(
                        () -> {
                            awaitUninterruptibly(start);
                            return metadata.commit(task, segment(task, objectId, 0, 99));
                        },
                        threads));
            }
            start.countDown();
            inserted = commits.stream()
                    .map(CompletableFuture::join)
                    .mapToInt(outcome ->
                            ((CommitOutcome.Committed) outcome).insertedSeqs().size())
                    .sum();
        }

        assertThat(inserted).isEqualTo(100);
        assertThat(metadata.task("t").orElseThrow().summary().messageCount()).isEqualTo(100);
    }

    @Test
    void concurrentMovesAndDeletesOfTasksSharingObjects_releaseEveryFrameOnce_andQueueEachObjectOnce() {
        int taskCount = 8;
        int flushes = 30;
        List<TaskRecord> tasks = new ArrayList<>();
        for (int t = 0; t < taskCount; t++) {
            tasks.add(created("t" + t));
        }
        for (int f = 0; f < flushes; f++) {
            long objectId = 1000 + f;
            List<FrameCommit> frames = new ArrayList<>();
            for (int t = 0; t < taskCount; t++) {
                frames.add(new FrameCommit(
                        tasks.get(t),
                        placed(segment(tasks.get(t), objectId, f * 10L, f * 10L + 9), ObjectKind.SHARED, t * 100L)));
            }
            metadata.commitFlush(new FlushCommit(objectId, frames));
        }

        // Every task at once: six move all their frames (each releasing a frame of all 30
        // objects), two are deleted together; each shared object loses its 8 frames concurrently.
        try (var threads = Executors.newFixedThreadPool(taskCount)) {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<CompletableFuture<?>> work = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                TaskRecord task = tasks.get(t);
                long objectId = 2000 + t;
                work.add(CompletableFuture.supplyAsync(
                        () -> {
                            awaitUninterruptibly(start);
                            List<SegmentRecord> segments = metadata.catalog().segments(task);
                            List<SegmentCatalog.Move> moves = new ArrayList<>();
                            for (int i = 0; i < segments.size(); i++) {
                                moves.add(new SegmentCatalog.Move(segments.get(i), i * 100L));
                            }
                            return metadata.catalog().moveSegments(task, objectId, moves, Instant.now());
                        },
                        threads));
            }
            work.add(CompletableFuture.runAsync(
                    () -> {
                        awaitUninterruptibly(start);
                        metadata.deleteTasks(List.of("t6", "t7"));
                    },
                    threads));
            start.countDown();
            work.forEach(CompletableFuture::join);
        }

        List<String> queued = metadata.deletions().due(Instant.now().plusSeconds(3600), 10_000).stream()
                .map(PendingDeletion::objectKey)
                .filter(key -> key.startsWith(ContentKeys.SHARED))
                .toList();
        assertThat(queued)
                .as("each emptied shared object queued for deletion exactly once")
                .containsExactlyInAnyOrderElementsOf(LongStream.range(1000, 1000 + flushes)
                        .mapToObj(ContentKeys::shared)
                        .toList());
        assertThat(metadata.catalog().oldestSharedObject())
                .as("no shared object left")
                .isEmpty();
        for (int t = 0; t < 6; t++) {
            assertThat(metadata.locate(tasks.get(t), MessageQuery.all(), Long.MAX_VALUE))
                    .as("task t%d, moved", t)
                    .hasSize(flushes * 10)
                    .allSatisfy(location -> assertThat(location.kind()).isEqualTo(ObjectKind.CONSOLIDATED));
        }
    }

    @Test
    void deleteTasks_ofATaskInMoreObjectsThanOneStatementTakes_queuesEachOnce() {
        TaskRecord task = created("long");
        TaskRecord other = created("other");
        int objects = 1_100; // past ObjectRows' 1,000 objects per statement
        for (int f = 0; f < objects; f++) {
            long objectId = 5000 + f;
            List<FrameCommit> frames =
                    new ArrayList<>(flush(task, objectId, f, f).frames());
            if (f % 2 == 0) {
                // Half the objects also hold a frame of a task that stays: they must stay too.
                frames.add(new FrameCommit(other, placed(segment(other, objectId, f, f), ObjectKind.SHARED, 100)));
            }
            metadata.commitFlush(new FlushCommit(objectId, frames));
        }

        metadata.deleteTasks(List.of("long"));

        assertThat(metadata.deletions().due(Instant.now().plusSeconds(3600), 10_000))
                .extracting(PendingDeletion::objectKey)
                .as("the objects only the deleted task used")
                .containsExactlyInAnyOrderElementsOf(LongStream.range(0, objects)
                        .filter(f -> f % 2 == 1)
                        .mapToObj(f -> ContentKeys.shared(5000 + f))
                        .toList());
        assertThat(metadata.locate(other, MessageQuery.all(), Long.MAX_VALUE)).hasSize(objects / 2);
        metadata.deleteTasks(List.of("other"));
        assertThat(metadata.deletions().due(Instant.now().plusSeconds(3600), 10_000))
                .as("every object, once")
                .hasSize(objects);
    }

    @Test
    void commit_afterTheTaskWasDeleted_reportsTaskGone() {
        TaskRecord task = created("t");
        metadata.deleteTasks(List.of("t"));

        assertThat(metadata.commit(task, segment(task, 1, 0, 0))).isInstanceOf(CommitOutcome.TaskGone.class);
    }

    @Test
    void deleteTasks_queuesEverySegmentForDeletionInTheSameTransaction() {
        TaskRecord task = created("t");
        metadata.commit(task, segment(task, 1, 0, 4));
        metadata.commit(task, segment(task, 2, 5, 9));

        List<PendingDeletion> queued = metadata.deleteTasks(List.of("t", "unknown"));

        assertThat(queued)
                .extracting(PendingDeletion::objectKey)
                .containsExactlyInAnyOrder(ContentKeys.segment("t", 1), ContentKeys.segment("t", 2));
        assertThat(metadata.task("t")).isEmpty();
        assertThat(metadata.deletions().size()).isEqualTo(2);
        assertThat(metadata.deletions().due(Instant.now(), 10)).containsExactlyElementsOf(queued);
        metadata.deletions()
                .complete(queued.stream().map(PendingDeletion::deletionId).toList());
        assertThat(metadata.deletions().size()).isZero();
    }

    @Test
    void moveSegments_repointsSegmentsInPlace_andTheTaskStaysACandidateUntilMergedOnceSealed() {
        TaskRecord task = created("t");
        metadata.commit(task, segment(task, 1, 0, 4));
        metadata.commit(task, segment(task, 2, 5, 9));
        List<SegmentRecord> before = metadata.catalog().segments(task);
        List<SegmentCatalog.Move> moves =
                List.of(new SegmentCatalog.Move(before.get(0), 0), new SegmentCatalog.Move(before.get(1), 100));
        assertThat(metadata.catalog().compactionCandidates(1, 10))
                .as("open, more loose segments than 1")
                .containsExactly("t");
        assertThat(metadata.catalog().compactionBacklog(1)).isEqualTo(1);
        assertThat(metadata.catalog().compactionBacklog(2)).isZero();

        assertThat(metadata.catalog().moveSegments(task, 77, moves, Instant.now()))
                .isEqualTo(new ReplaceOutcome.Replaced(10));

        List<SegmentRecord> after = metadata.catalog().segments(task);
        assertThat(after)
                .extracting(
                        SegmentRecord::segmentNo,
                        SegmentRecord::objectId,
                        SegmentRecord::kind,
                        SegmentRecord::frameOffset,
                        SegmentRecord::messageCount)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                before.get(0).segmentNo(), 77L, ObjectKind.CONSOLIDATED, 0L, 5),
                        org.assertj.core.groups.Tuple.tuple(
                                before.get(1).segmentNo(), 77L, ObjectKind.CONSOLIDATED, 100L, 5));
        assertThat(metadata.locate(metadata.task("t").orElseThrow(), MessageQuery.all(), 100))
                .as("every message, now in the new object")
                .hasSize(10)
                .allSatisfy(location -> assertThat(location.objectId()).isEqualTo(77L));
        assertThat(metadata.deletions().due(Instant.now().plusSeconds(1), 10))
                .as("the objects the segments left")
                .extracting(PendingDeletion::objectKey)
                .containsExactlyInAnyOrder(ContentKeys.segment("t", 1), ContentKeys.segment("t", 2));
        assertThat(metadata.catalog().moveSegments(task, 78, moves, Instant.now()))
                .as("a move of segments that moved meanwhile")
                .isInstanceOf(ReplaceOutcome.Conflict.class);
        assertThat(metadata.catalog().segments(task)).isEqualTo(after);

        assertThat(metadata.catalog().compactionCandidates(1, 10))
                .as("open, nothing left to move")
                .isEmpty();
        assertThat(metadata.catalog().compactionBacklog(1)).isZero();
        metadata.seal("t");
        assertThat(metadata.catalog().compactionCandidates(1, 10))
                .as("sealed with moved segments: to merge")
                .containsExactly("t");
        assertThat(metadata.catalog().compactionBacklog(1)).isEqualTo(1);
        metadata.catalog().mergeDone(metadata.task("t").orElseThrow());
        assertThat(metadata.catalog().compactionCandidates(1, 10)).as("merged").isEmpty();
        assertThat(metadata.catalog().compactionBacklog(1)).isZero();

        metadata.deleteTasks(List.of("t"));
        assertThat(metadata.catalog()
                        .moveSegments(task, 79, List.of(new SegmentCatalog.Move(after.get(0), 0)), Instant.now()))
                .isInstanceOf(ReplaceOutcome.TaskGone.class);
    }

    @Test
    void segments_carryTheSeqRangeOfTheMessagesTheyStored_throughMovesAndMerges() {
        TaskRecord task = created("t");
        SegmentCommit early = placed(segment(task, 21, 0, 9), ObjectKind.SHARED, 0);
        SegmentCommit overlapping = placed(segment(task, 21, 5, 14), ObjectKind.SHARED, 100);
        metadata.commitFlush(
                new FlushCommit(21L, List.of(new FrameCommit(task, early), new FrameCommit(task, overlapping))));
        metadata.commit(task, segment(task, 22, 12, 24));

        List<SegmentRecord> stored = metadata.catalog().segments(task);
        assertThat(seqRanges(task))
                .as("each segment's range covers the seqs it stored, not the ones it lost to a first write")
                .containsExactly("0..9", "10..14", "15..24");
        assertThat(stored).allMatch(SegmentRecord::seqsKnown);

        metadata.catalog()
                .moveSegments(
                        task,
                        23,
                        List.of(new SegmentCatalog.Move(stored.get(0), 0), new SegmentCatalog.Move(stored.get(1), 50)),
                        Instant.now());
        assertThat(seqRanges(task)).as("a move keeps the ranges").containsExactly("0..9", "10..14", "15..24");

        List<SegmentCommit> merged = List.of(
                placed(segment(task, 24, 0, 11), ObjectKind.CONSOLIDATED, 0),
                placed(segment(task, 24, 12, 24), ObjectKind.CONSOLIDATED, 100));
        assertThat(metadata.catalog()
                        .replaceSegments(
                                task,
                                Set.copyOf(stored.stream()
                                        .map(SegmentRecord::segmentNo)
                                        .toList()),
                                merged,
                                Instant.now()))
                .isInstanceOf(ReplaceOutcome.Replaced.class);
        assertThat(seqRanges(task))
                .as("merged frames get the ranges of the runs they hold")
                .containsExactly("0..11", "12..24");
    }

    @Test
    void segmentMismatches_nameSegmentRowsThatDisagreeWithTheirMessageRows() {
        TaskRecord a = created("a");
        TaskRecord b = created("b");
        metadata.commit(a, segment(a, 1, 0, 9));
        metadata.commit(a, segment(a, 2, 10, 19));
        metadata.commit(a, segment(a, 3, 20, 24));
        metadata.commit(b, segment(b, 4, 0, 4));
        assertThat(metadata.catalog().segmentMismatches(List.of("a", "b", "missing")))
                .isEmpty();
        assertThat(metadata.catalog().segmentMismatches(List.of())).isEmpty();
        List<SegmentRecord> segments = metadata.catalog().segments(a);
        int wrongRange = segments.get(0).segmentNo();
        int gone = segments.get(1).segmentNo();
        int legacy = segments.get(2).segmentNo();

        // What a bug could leave: a range one seq short, a segment row deleted under its message
        // rows, and a row from before V8 (no range), which only has its count checked.
        database.jdbi().useHandle(handle -> {
            handle.execute(
                    "UPDATE tm_segment SET last_seq = 8 WHERE task_key = ? AND segment_no = ?",
                    a.taskKey(),
                    wrongRange);
            handle.execute("DELETE FROM tm_segment WHERE task_key = ? AND segment_no = ?", a.taskKey(), gone);
            handle.execute(
                    "UPDATE tm_segment SET first_seq = NULL, last_seq = NULL WHERE task_key = ? AND segment_no = ?",
                    a.taskKey(),
                    legacy);
        });

        assertThat(metadata.catalog().segmentMismatches(List.of("a", "b")))
                .containsExactlyInAnyOrder(
                        new SegmentCatalog.SegmentMismatch(
                                "a",
                                wrongRange,
                                Optional.of(new SegmentCatalog.SeqSpan(10, 0, 8)),
                                Optional.of(new SegmentCatalog.SeqSpan(10, 0, 9))),
                        new SegmentCatalog.SegmentMismatch(
                                "a", gone, Optional.empty(), Optional.of(new SegmentCatalog.SeqSpan(10, 10, 19))));
        assertThat(metadata.catalog().segmentMismatches(List.of("b"))).isEmpty();

        database.jdbi()
                .useHandle(handle -> handle.execute(
                        "UPDATE tm_segment SET message_count = 4 WHERE task_key = ? AND segment_no = ?",
                        a.taskKey(),
                        legacy));
        assertThat(metadata.catalog().segmentMismatches(List.of("a")))
                .as("a row from before V8 still has its count checked")
                .anyMatch(
                        mismatch -> mismatch.segmentNo() == legacy
                                && mismatch.describe()
                                        .equals(
                                                "task a segment " + legacy
                                                        + ": its row says 4 messages, seqs ? to ?, message rows hold 5 messages, seqs 20 to 24"));
    }

    private List<String> seqRanges(TaskRecord task) {
        return metadata.catalog().segments(task).stream()
                .map(segment -> segment.firstSeq() + ".." + segment.lastSeq())
                .toList();
    }

    /** The frame, in an object of the kind, at the offset. */
    private static SegmentCommit placed(SegmentCommit frame, ObjectKind kind, long offset) {
        return new SegmentCommit(
                frame.taskKey(), frame.objectId(), frame.byteSize(), frame.checksum(), frame.rows(), kind, offset);
    }

    @Test
    void countByType_andSeal() {
        TaskRecord task = created("t");
        metadata.commit(task, segment(task, 1, 0, 5));

        assertThat(metadata.countByType(List.of("t", "x"))).containsOnlyKeys("t");
        assertThat(metadata.countByType(List.of("t")).get("t"))
                .containsEntry("even", 3L)
                .containsEntry("odd", 3L);
        assertThat(metadata.seal("t")).isTrue();
        assertThat(metadata.seal("x")).isFalse();
        assertThat(metadata.task("t").orElseThrow().summary().sealed()).isTrue();
    }

    private static void awaitUninterruptibly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void createTask_afterTheNewestTaskWasDeleted_neverReusesItsKey() {
        TaskRecord first = created("first");
        TaskRecord newest = created("newest");
        metadata.deleteTasks(List.of("newest"));

        TaskRecord next = created("next");
        metadata.deleteTasks(List.of("first", "next"));
        TaskRecord afterAll = created("after-all");

        assertThat(next.taskKey())
                .as("key of a task created after the newest (key %d) was deleted", newest.taskKey())
                .isGreaterThan(newest.taskKey());
        assertThat(afterAll.taskKey())
                .as("key of a task created after every task was deleted")
                .isGreaterThan(next.taskKey())
                .isGreaterThan(first.taskKey());
    }

    @Test
    void commit_toDeletedTask_neverLandsInTaskThatReusedItsKey() {
        // The interleaving of defect 1: the append reads task A, A is deleted, B is created, then
        // A's commit runs. Before the fix B got A's key on SQLite and received A's messages.
        TaskRecord readBeforeDelete = created("a");
        metadata.deleteTasks(List.of("a"));
        TaskRecord other = created("b");

        CommitOutcome outcome = metadata.commit(readBeforeDelete, segment(readBeforeDelete, 1, 0, 9));

        assertThat(outcome).as("commit for deleted task a").isInstanceOf(CommitOutcome.TaskGone.class);
        assertThat(metadata.task("b").orElseThrow().summary().messageCount())
                .as("message count of task b")
                .isZero();
        assertThat(metadata.locate(other, MessageQuery.all(), Long.MAX_VALUE))
                .as("rows of task b")
                .isEmpty();
        assertThat(metadata.countByType(List.of("b")))
                .as("type counts of task b")
                .isEmpty();
    }

    @Test
    void commit_withTheKeyOfAnotherTask_reportsTaskGoneAndChangesNothing() {
        // Simulates a reused key directly, so the task id check is proven on its own.
        TaskRecord other = created("other");
        metadata.commit(other, segment(other, 1, 0, 4));
        TaskRecord stale = new TaskRecord(other.taskKey(), new TaskSummary("deleted", 0, Optional.empty(), false, 0));

        CommitOutcome outcome = metadata.commit(stale, segment(stale, 2, 0, 9));

        assertThat(outcome)
                .as("commit for task 'deleted' with the key of 'other'")
                .isInstanceOf(CommitOutcome.TaskGone.class);
        assertThat(metadata.storedSeqs(stale, List.of(0L, 1L)))
                .as("seqs of 'deleted' seen through the key of 'other'")
                .isEmpty();
        TaskRecord after = metadata.task("other").orElseThrow();
        assertThat(after.summary().messageCount())
                .as("message count of 'other'")
                .isEqualTo(5);
        assertThat(metadata.catalog().segments(after)).as("segments of 'other'").hasSize(1);
        assertThat(metadata.catalog().replaceSegments(stale, Set.of(1), segment(stale, 3, 0, 4), Instant.now()))
                .as("compaction of 'deleted' with the key of 'other'")
                .isInstanceOf(ReplaceOutcome.TaskGone.class);
        assertThat(metadata.catalog().segments(after))
                .as("segments of 'other' after the stale compaction")
                .extracting(SegmentRecord::objectId)
                .containsExactly(1L);
    }

    @Test
    void commit_toTaskDeletedAndCreatedAgainWithTheSameId_reportsTaskGone() {
        TaskRecord first = created("t");
        metadata.deleteTasks(List.of("t"));
        created("t");

        assertThat(metadata.commit(first, segment(first, 1, 0, 3)))
                .as("commit for the first task t")
                .isInstanceOf(CommitOutcome.TaskGone.class);
        assertThat(metadata.task("t").orElseThrow().summary().messageCount())
                .as("message count of the second task t")
                .isZero();
    }

    @Test
    void deleteTasks_prunesNamesThatNoTaskUses() {
        long namesBefore = nameCount();
        TaskRecord kept = created("kept");
        metadata.commit(kept, segment(kept, 1, 0, 3));
        long namesOfKept = nameCount();
        TaskRecord gone = created("gone");
        for (int batch = 0; batch < 5; batch++) {
            metadata.commit(gone, segmentWithTools(gone, 10 + batch, batch * 100L, 100, "unique-" + batch + "-"));
        }
        assertThat(nameCount()).as("names after 500 unique tool names").isEqualTo(namesOfKept + 500);

        metadata.deleteTasks(List.of("gone"));

        assertThat(nameCount())
                .as("names after deleting the task that used the unique ones")
                .isEqualTo(namesOfKept);
        metadata.deleteTasks(List.of("kept"));
        assertThat(nameCount()).as("names after deleting every task").isEqualTo(namesBefore);
    }

    @Test
    void commit_reusesAPrunedNameAgainCorrectly() {
        TaskRecord first = created("first");
        metadata.commit(first, segment(first, 1, 0, 3));
        metadata.deleteTasks(List.of("first"));
        TaskRecord second = created("second");

        metadata.commit(second, segment(second, 2, 0, 3));

        assertThat(metadata.countByType(List.of("second")).get("second"))
                .as("type counts of the second task")
                .containsExactlyInAnyOrderEntriesOf(Map.of("even", 2L, "odd", 2L));
        assertThat(metadata.locate(second, MessageQuery.all().including(Set.of("odd")), Long.MAX_VALUE))
                .as("odd messages of the second task")
                .extracting(MessageLocation::seq)
                .containsExactly(1L, 3L);
        assertThat(metadata.locate(second, MessageQuery.all().excluding(Set.of("odd", "never-seen")), Long.MAX_VALUE))
                .as("messages of the second task but odd ones")
                .extracting(MessageLocation::seq)
                .containsExactly(0L, 2L);
    }

    @Test
    void locate_keepingNewest_findsTheLastMatchesBelowBefore_inSeqOrder() {
        TaskRecord task = created("t");
        metadata.commit(task, segment(task, 1, 0, 9));
        metadata.commit(task, segment(task, 2, 10, 19));
        MessageQuery newest = MessageQuery.all().keepingNewest();

        assertThat(metadata.locate(task, newest, 3))
                .extracting(MessageLocation::seq)
                .containsExactly(17L, 18L, 19L);
        assertThat(metadata.locate(task, newest.before(12), 4))
                .extracting(MessageLocation::seq)
                .containsExactly(8L, 9L, 10L, 11L);
        assertThat(metadata.locate(task, newest.before(12).including(Set.of("odd")), 3))
                .extracting(MessageLocation::seq)
                .containsExactly(7L, 9L, 11L);
        assertThat(metadata.locate(task, newest.before(2), 5))
                .extracting(MessageLocation::seq)
                .containsExactly(0L, 1L);
        assertThat(metadata.locate(task, newest.before(0), 5)).isEmpty();
        assertThat(metadata.locate(task, MessageQuery.all().before(3), 2))
                .as("a forward query with before keeps the oldest")
                .extracting(MessageLocation::seq)
                .containsExactly(0L, 1L);
        assertThat(metadata.locate(task, newest.after(15), Long.MAX_VALUE))
                .extracting(MessageLocation::seq)
                .containsExactly(16L, 17L, 18L, 19L);
    }

    @Test
    void commit_manyDistinctNames_allStoredInOneCommit() {
        // Defect 3: each new name used to be its own durable insert (1.7 s for 2,000 names).
        TaskRecord task = created("t");

        CommitOutcome outcome = metadata.commit(task, segmentWithTools(task, 1, 0, 2_000, "tool-"));

        assertThat(outcome).isEqualTo(new CommitOutcome.Committed(seqs(0, 1_999)));
        assertThat(nameCount()).as("names after one commit of 2000 tool names").isEqualTo(2_000 + 2);
    }

    @Test
    void concurrentCommitsAndDeletes_neverReferenceAPrunedName() {
        int rounds = 30;
        List<CompletableFuture<Void>> work = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int worker = 0; worker < 4; worker++) {
                int w = worker;
                work.add(CompletableFuture.runAsync(
                        () -> {
                            for (int round = 0; round < rounds; round++) {
                                String taskId = "w" + w + "-" + round;
                                TaskRecord task = created(taskId);
                                // Every worker uses the same few names, so one worker's delete prunes names another is
                                // committing.
                                metadata.commit(
                                        task, segmentWithTools(task, round, 0, 3, "shared-" + (round % 3) + "-"));
                                if (round % 2 == 0) {
                                    metadata.deleteTasks(List.of(taskId));
                                }
                            }
                        },
                        pool));
            }
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();
        }

        long dangling = database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM tm_message m"
                                + " WHERE NOT EXISTS (SELECT 1 FROM tm_name n WHERE n.name_id = m.tool_id)"
                                + " OR NOT EXISTS (SELECT 1 FROM tm_name n WHERE n.name_id = m.type_id)")
                        .mapTo(Long.class)
                        .one());
        assertThat(dangling)
                .as("message rows whose type or tool name was pruned")
                .isZero();
        assertThat(metadata.countByType(List.of("w0-1")).get("w0-1"))
                .as("type counts of a kept task")
                .containsKeys("even", "odd");
    }

    @Test
    void taskTimes_createdBefore_namesTheStoredTasksCreatedBeforeTheCutoff() {
        TaskTimes times = new JdbcTaskTimes(database);
        metadata.createTask("old", Instant.ofEpochMilli(1_000));
        metadata.createTask("new", Instant.ofEpochMilli(5_000));

        assertThat(times.createdBefore(List.of("old", "new", "unknown"), Instant.ofEpochMilli(5_000)))
                .containsExactly("old");
        assertThat(times.createdBefore(List.of(), Instant.ofEpochMilli(5_000))).isEmpty();
    }

    @Test
    void taskTimes_lastMessageTimes_holdTheNewestMessageOfTasksWithMessages() {
        TaskTimes times = new JdbcTaskTimes(database);
        TaskRecord task = created("t");
        created("empty");
        metadata.commit(task, segment(task, 1, 0, 4));

        assertThat(times.lastMessageTimes(List.of("t", "empty", "unknown")))
                .isEqualTo(Map.of("t", Instant.ofEpochMilli(1_700_000_000_004L)));
        assertThat(times.lastMessageTimes(List.of())).isEmpty();
    }

    @Test
    void taskTimes_activity_countsMessagesAndRisesWithEveryCommit() {
        TaskTimes times = new JdbcTaskTimes(database);
        TaskRecord task = created("t");
        created("empty");
        assertThat(times.activity(List.of("t", "empty", "unknown")))
                .isEqualTo(Map.of(
                        "t", new StoreActivity(0, Optional.empty(), 0),
                        "empty", new StoreActivity(0, Optional.empty(), 0)));

        metadata.commit(task, segment(task, 1, 0, 4));
        StoreActivity first = times.activity(List.of("t")).get("t");
        metadata.commit(task, segment(task, 2, 5, 6));
        StoreActivity second = times.activity(List.of("t")).get("t");

        assertThat(first.messageCount()).isEqualTo(5);
        assertThat(first.lastMessageAt()).contains(Instant.ofEpochMilli(1_700_000_000_004L));
        assertThat(second.messageCount()).isEqualTo(7);
        assertThat(second.segmentsWritten()).isGreaterThan(first.segmentsWritten());
        assertThat(times.activity(List.of())).isEmpty();
    }

    @Test
    void deletionsAndSegments_areStampedByTheInjectedClock() {
        Instant now = Instant.parse("2030-01-02T03:04:05.678Z");
        MetadataTier clocked =
                new JdbcMetadataTier(database, Clock.fixed(now, java.time.ZoneOffset.UTC), new ContentSegmentKeys());
        TaskRecord task = created("t");
        clocked.commit(task, segment(task, 1, 0, 4));
        long segmentCreatedAt = database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT created_at FROM tm_segment")
                        .mapTo(Long.class)
                        .one());

        List<PendingDeletion> queued = clocked.deleteTasks(List.of("t"));

        assertThat(segmentCreatedAt).isEqualTo(now.toEpochMilli());
        assertThat(queued).extracting(PendingDeletion::enqueuedAt).containsExactly(now);
    }

    @Test
    void claimOrphans_claimsOnlyUnknownObjects_andFencesOutALaterFlushCommit() {
        TaskRecord task = created("t");
        assertThat(claimed(ContentKeys.shared(13L))).containsExactly(ContentKeys.shared(13L));
        assertThat(metadata.catalog().oldestSharedObject())
                .as("a claim holds no frame")
                .isEmpty();
        metadata.commitFlush(flush(task, 11L, 0, 4));

        assertThat(claimed(ContentKeys.shared(11L), ContentKeys.shared(12L), "not-a-segment-key"))
                .containsExactly(ContentKeys.shared(12L));
        assertThat(claimed(ContentKeys.shared(12L))).as("claimed again").isEmpty();
        assertThat(metadata.catalog().knownSharedObjects(List.of(11L, 12L, 14L)))
                .containsExactlyInAnyOrder(11L, 12L);
        assertThat(metadata.deletions().due(Instant.now().plusSeconds(1), 10))
                .extracting(PendingDeletion::objectKey)
                .containsExactlyInAnyOrder(ContentKeys.shared(12L), ContentKeys.shared(13L));

        assertThatThrownBy(() -> metadata.commitFlush(flush(task, 12L, 5, 9)))
                .isInstanceOf(BackendUnavailableException.class);
        assertThat(metadata.task("t").orElseThrow().summary().messageCount())
                .as("nothing of the fenced flush")
                .isEqualTo(5);
        assertThat(metadata.locate(task, MessageQuery.all(), Long.MAX_VALUE))
                .extracting(MessageLocation::objectId)
                .containsOnly(11L);

        assertThat(metadata.catalog().forgetClaimsBefore(Instant.now().plusSeconds(1)))
                .as("claims forgotten, the recorded object kept")
                .isEqualTo(2);
        assertThat(metadata.catalog().knownSharedObjects(List.of(11L, 12L))).containsExactlyInAnyOrder(11L, 12L);
    }

    private TaskRecord created(String taskId) {
        metadata.createTask(taskId, Instant.now());
        return metadata.task(taskId).orElseThrow();
    }

    private List<String> claimed(String... keys) {
        return metadata.catalog().claimOrphans(List.of(keys)).stream()
                .map(PendingDeletion::objectKey)
                .toList();
    }

    /** A flush of one frame, seqs {@code from..to} of the task, in shared object {@code objectId}. */
    static FlushCommit flush(TaskRecord task, long objectId, long from, long to) {
        return new FlushCommit(
                objectId,
                List.of(new FrameCommit(task, placed(segment(task, objectId, from, to), ObjectKind.SHARED, 0))));
    }

    private static SegmentCommit segment(TaskRecord task, long objectId, long from, long to) {
        List<MessageRow> rows = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            rows.add(new MessageRow(
                    seq, seq % 2 == 0 ? "even" : "odd", "Tool", "call-" + seq, 1_700_000_000_000L + seq));
        }
        return new SegmentCommit(task.taskKey(), objectId, 100, 7, rows);
    }

    /** Messages whose tools are {@code prefix} followed by their seq: one new name each. */
    private static SegmentCommit segmentWithTools(TaskRecord task, long objectId, long from, int count, String prefix) {
        List<MessageRow> rows = new ArrayList<>();
        for (long seq = from; seq < from + count; seq++) {
            rows.add(new MessageRow(
                    seq, seq % 2 == 0 ? "even" : "odd", prefix + seq, "call-" + seq, 1_700_000_000_000L + seq));
        }
        return new SegmentCommit(task.taskKey(), objectId, 100, 7, rows);
    }

    private long nameCount() {
        return database.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM tm_name")
                        .mapTo(Long.class)
                        .one());
    }

    private static Set<Long> seqs(long from, long to) {
        return Set.copyOf(LongStream.rangeClosed(from, to).boxed().toList());
    }
}
