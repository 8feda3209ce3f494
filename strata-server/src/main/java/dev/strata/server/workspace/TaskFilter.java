package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Which tasks of a workspace a task list shows.
 *
 * @param status only tasks with this status, or any
 * @param conversationId only tasks in this conversation, or any
 */
public record TaskFilter(Optional<TaskStatus> status, Optional<String> conversationId) {
    public TaskFilter {
        requireNonNull(status, "status is null");
        requireNonNull(conversationId, "conversationId is null");
    }

    public static TaskFilter all() {
        return new TaskFilter(Optional.empty(), Optional.empty());
    }

    /** The filter as one string, kept with a list's snapshot so a cursor is only used with its own filter. */
    String key() {
        return status.map(TaskStatus::wireName).orElse("") + "\n" + conversationId.orElse("");
    }
}
