package dev.strata.model;

/** The task is unknown to the store (never created, or deleted). */
public final class TaskNotFoundException extends StrataException {
    public TaskNotFoundException(String taskId) {
        super("task not found: " + taskId);
    }
}
