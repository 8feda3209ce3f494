package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

import dev.strata.model.TaskSummary;

/**
 * A task as metadata knows it.
 *
 * @param taskKey compact internal key that message rows use instead of the task id
 */
public record TaskRecord(long taskKey, TaskSummary summary) {
    public TaskRecord {
        requireNonNull(summary, "summary is null");
    }

    public String taskId() {
        return summary.taskId();
    }
}
