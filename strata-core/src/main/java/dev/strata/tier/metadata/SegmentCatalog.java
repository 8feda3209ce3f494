package dev.strata.tier.metadata;

import java.time.Instant;
import java.util.List;
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
    ReplaceOutcome replaceSegments(TaskRecord task, Set<Integer> replaced, SegmentCommit merged, Instant deleteAfter);

    /**
     * @return ids of tasks worth compacting: sealed with more than one segment, or open with more
     *     than {@code maxOpenSegments}
     */
    List<String> compactionCandidates(int maxOpenSegments, int limit);

    /** @return object ids under the task's prefix that metadata still knows: live or queued for deletion */
    Set<Long> knownObjects(String taskId);

    /** @return every live segment of up to {@code limit} tasks with ids after {@code afterTaskId}, in task id order */
    List<TaskSegments> segmentsAfter(String afterTaskId, int limit);

    /** A task's live segments. */
    record TaskSegments(String taskId, List<SegmentRecord> segments) {}
}
