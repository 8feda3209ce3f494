package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;

/** A segment to commit, and the task as the append read it. */
record TaskCommit(TaskRecord task, SegmentCommit segment) {
    TaskCommit {
        requireNonNull(task, "task is null");
        requireNonNull(segment, "segment is null");
        TaskRows.requireSameTask(task, segment);
    }
}
