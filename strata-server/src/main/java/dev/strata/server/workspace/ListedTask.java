package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A task as a task list shows it: its row here with what the store holds of it.
 *
 * @param lastMessageAt when its newest message was written, empty without messages
 */
public record ListedTask(Task task, long messageCount, Optional<Instant> lastMessageAt) {
    public ListedTask {
        requireNonNull(task, "task is null");
        requireNonNull(lastMessageAt, "lastMessageAt is null");
    }
}
