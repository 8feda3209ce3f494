package dev.strata.tier.metadata;

import dev.strata.model.MessageQuery;
import java.util.List;
import java.util.Optional;

/**
 * A task's messages in commit order, for live tails. Each message keeps the number of the commit
 * that stored it (compaction does not change it). Commit numbers of one task become visible in
 * increasing order: PostgreSQL commits hold the task row lock from taking their number to the end
 * of their transaction, and SQLite has one writer. So once commit N is visible, every commit below
 * N is too, and "after commit N" never skips a message that commits later. Thread-safe.
 */
public interface CommitLog {

    /**
     * @return the task with the highest commit number visible now (every message commit at or below
     *     it is visible), or empty when the task does not exist
     */
    Optional<CommitHorizon> horizon(String taskId);

    /**
     * @return the locations of messages matching {@code query} (its {@code afterSeq} and type
     *     filters; its limit is ignored) committed at or below {@code maxCommitNo}, in seq order,
     *     at most {@code limit}
     */
    List<CommittedLocation> upTo(TaskRecord task, MessageQuery query, long maxCommitNo, int limit);

    /**
     * @return the locations of messages matching {@code query} whose (commit number, seq) is after
     *     {@code after}, in (commit number, seq) order, at most {@code limit}
     */
    List<CommittedLocation> after(TaskRecord task, MessageQuery query, CommitPosition after, int limit);

    /** A task and the highest commit number visible when it was read. */
    record CommitHorizon(TaskRecord task, long commitNo) {}

    /** A position in a task's commit order. */
    record CommitPosition(long commitNo, long seq) {}

    /** Where a message lives, and the commit that stored it. */
    record CommittedLocation(long commitNo, MessageLocation location) {}
}
