package dev.strata.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * Per-task facts kept in metadata for listings and stale-task detection.
 *
 * @param lastMessageAt when the newest stored message was accepted, empty while there is none
 * @param liveSegments content objects that currently hold the task's messages (1 after compaction)
 */
public record TaskSummary(
        String taskId, long messageCount, Optional<Instant> lastMessageAt, boolean sealed, long liveSegments) {
    public TaskSummary {
        requireNonNull(taskId, "taskId is null");
        requireNonNull(lastMessageAt, "lastMessageAt is null");
    }
}
