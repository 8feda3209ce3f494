package dev.strata.tier.metadata;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The segments metadata references, for the lifecycle: compaction, orphan collection and fsck.
 * Thread-safe.
 */
public interface SegmentCatalog {

    /** @return the task's live segments, by segment number */
    List<SegmentRecord> segments(TaskRecord task);

    /**
     * Atomically points every message held by the {@code replaced} segments at the new merged
     * segment (already durable in the content tier), removes the replaced segments and queues
     * their objects for deletion no earlier than {@code deleteAfter}, so that reads that located
     * them just before can still fetch them. Like a commit, it applies only to the very task that
     * was read, and reports {@link ReplaceOutcome.TaskGone} otherwise.
     */
    default ReplaceOutcome replaceSegments(
            TaskRecord task, Set<Integer> replaced, SegmentCommit merged, Instant deleteAfter) {
        return replaceSegments(task, replaced, List.of(merged), deleteAfter);
    }

    /**
     * The same with the merged messages as several frames, each its own segment: the frames of one
     * {@link ObjectKind#CONSOLIDATED} object (recorded with its live frame count) or a single
     * {@link ObjectKind#TASK} object. Frames hold consecutive runs of the replaced messages in seq
     * order. Objects the replaced segments were in lose those frames, and are queued for deletion
     * once no live frame is left in them.
     */
    ReplaceOutcome replaceSegments(
            TaskRecord task, Set<Integer> replaced, List<SegmentCommit> frames, Instant deleteAfter);

    /**
     * Atomically moves segments, bytes unchanged, into one new {@link ObjectKind#CONSOLIDATED}
     * object of the task (already durable in the content tier): each keeps its number, its messages,
     * its length and its checksum, and now names its frame in that object. The objects the segments
     * were in lose those frames, and are queued for deletion (no earlier than {@code deleteAfter})
     * once no live frame is left in them. Nothing is re-encoded and no message row changes, so an
     * open task's frames leave shared objects at the cost of a copy.
     *
     * @return {@link ReplaceOutcome.Conflict} when any segment is no longer where {@code from}
     *     says (a concurrent compaction moved or merged it), {@link ReplaceOutcome.TaskGone} when
     *     the task is gone or is no longer the task that was read; nothing changed then
     */
    ReplaceOutcome moveSegments(TaskRecord task, long objectId, List<Move> moves, Instant deleteAfter);

    /**
     * Records that the sealed task's moved segments were merged (or that nothing was left to
     * merge): it stops being a compaction candidate for them. {@link #moveSegments} marks a task
     * as having moved segments; until this is called once it is sealed, {@link #compactionCandidates}
     * names it, so a merge lost to a failure or a restart is still done by a later sweep.
     */
    void mergeDone(TaskRecord task);

    /** A segment to move, as it was read, and where its frame starts in the new object. */
    record Move(SegmentRecord from, long frameOffset) {
        public Move {
            Objects.requireNonNull(from, "from is null");
        }
    }

    /**
     * @return ids of tasks worth compacting: sealed with a frame in a shared object, several
     *     one-frame objects or moved segments not yet merged ({@link #mergeDone}), or open with more
     *     than {@code maxOpenSegments} segments not yet consolidated
     */
    List<String> compactionCandidates(int maxOpenSegments, int limit);

    /** @return how many tasks {@link #compactionCandidates} would name without a limit */
    long compactionBacklog(int maxOpenSegments);

    /**
     * @return ids of tasks with a live frame in a shared object created before {@code cutoff}, oldest
     *     first: consolidating them empties shared objects, which bounds how long a deleted task's
     *     bytes can stay beside other tasks' frames
     */
    List<String> sharedFramesBefore(Instant cutoff, int limit);

    /** @return the creation time of the oldest shared object still holding a live frame, if any */
    Optional<Instant> oldestSharedObject();

    /** @return object ids under the task's prefix that metadata still knows: live or queued for deletion */
    Set<Long> knownObjects(String taskId);

    /**
     * @return those of the shared objects that metadata still knows: some frame of theirs is live,
     *     or they are queued for deletion
     */
    Set<Long> knownSharedObjects(Collection<Long> objectIds);

    /**
     * Claims objects found unreferenced (shared objects, or consolidated objects under a deleted
     * task's prefix), in one transaction: each gets a claim (a {@code tm_object} row with no live
     * frame) and is queued for deletion, due now. A commit that still tries to record a claimed
     * object (a flush, or a compaction) fails on the claim (a flush's appends were never
     * acknowledged and are retried), and a claim waits for, then yields to, a commit that recorded
     * the object first; so no object a commit points at is ever removed, however late that commit
     * comes. Objects that metadata knows, and keys that name no segment object, are left alone.
     *
     * @param keys content keys of shared or consolidated objects
     * @return the deletions queued, one per object claimed
     */
    List<PendingDeletion> claimOrphans(Collection<String> keys);

    /**
     * Forgets claims made before {@code cutoff}: long enough ago that no transaction that could
     * still record the object is open.
     *
     * @return how many claims were forgotten
     */
    int forgetClaimsBefore(Instant cutoff);

    /** @return every live segment of up to {@code limit} tasks with ids after {@code afterTaskId}, in task id order */
    List<TaskSegments> segmentsAfter(String afterTaskId, int limit);

    /** A task's live segments. */
    record TaskSegments(String taskId, List<SegmentRecord> segments) {}

    /**
     * Segments of the tasks whose row disagrees with the message rows pointing at it, and message
     * rows pointing at no live segment. Reads find a message's frame by its row, and a move writes
     * the new object's index from the segment rows' seq ranges, so either kind of mismatch can hide
     * acknowledged messages from reads. Read in one statement: a concurrent commit cannot make one
     * appear.
     */
    List<SegmentMismatch> segmentMismatches(Collection<String> taskIds);

    /** How many messages, and their lowest and highest seq ({@link SegmentRecord#UNKNOWN_SEQ} when not recorded). */
    record SeqSpan(long count, long firstSeq, long lastSeq) {
        @Override
        public String toString() {
            return count + " messages, seqs " + (firstSeq == SegmentRecord.UNKNOWN_SEQ ? "?" : firstSeq) + " to "
                    + (lastSeq == SegmentRecord.UNKNOWN_SEQ ? "?" : lastSeq);
        }
    }

    /**
     * A segment whose row ({@code segment}, empty when message rows point at a segment number no
     * live segment has) and message rows ({@code messageRows}, empty when none point at it) disagree.
     */
    record SegmentMismatch(String taskId, int segmentNo, Optional<SeqSpan> segment, Optional<SeqSpan> messageRows) {
        public SegmentMismatch {
            Objects.requireNonNull(taskId, "taskId is null");
            Objects.requireNonNull(segment, "segment is null");
            Objects.requireNonNull(messageRows, "messageRows is null");
        }

        /** One line for an operator. */
        public String describe() {
            return "task " + taskId + " segment " + segmentNo + ": its row says "
                    + segment.map(SeqSpan::toString).orElse("nothing (no live segment)") + ", message rows hold "
                    + messageRows.map(SeqSpan::toString).orElse("none");
        }
    }
}
