package dev.strata.server.export;

import static java.util.Objects.requireNonNull;

import dev.strata.model.MessageQuery;
import dev.strata.model.TaskSummary;
import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Streams tasks into an {@link ExportWriter} with constant memory: task ids a page at a time, each
 * task's messages a store page at a time ({@link TaskMessageStore#forEachMessage}). Every type is
 * exported, the ones reads leave out by default included. Thread-safe (holds no state).
 */
public final class TaskExporter {
    private static final int TASK_PAGE = 500;

    private final TaskMessageStore store;
    private final WorkspaceDirectory directory;

    public TaskExporter(TaskMessageStore store, WorkspaceDirectory directory) {
        this.store = requireNonNull(store, "store is null");
        this.directory = requireNonNull(directory, "directory is null");
    }

    /**
     * Writes one task and its messages (only those created at or after {@code since}, when given).
     *
     * @return false, writing nothing, when the task's delete is under way
     */
    public boolean exportTask(Task task, Optional<Instant> since, ExportWriter out, LongConsumer messagesSoFar) {
        Optional<TaskSummary> summary = store.task(task.id());
        if (summary.isEmpty()) {
            return false;
        }
        out.task(new ExportedTask(
                task.id(),
                task.workspaceId(),
                task.conversationId(),
                task.status().wireName(),
                task.createdAt()));
        store.forEachMessage(task.id(), MessageQuery.all(), message -> {
            if (since.isEmpty() || !message.createdAt().isBefore(since.get())) {
                out.message(message);
                messagesSoFar.accept(out.messages());
            }
        });
        return true;
    }

    /**
     * Writes every task of the workspace in id order; with {@code since}, only tasks with messages
     * created at or after it, and only those messages.
     */
    public void exportWorkspace(
            String workspaceId, Optional<Instant> since, ExportWriter out, LongConsumer messagesSoFar) {
        String after = "";
        for (List<Task> page = directory.tasksOf(workspaceId, after, TASK_PAGE);
                !page.isEmpty();
                page = directory.tasksOf(workspaceId, after, TASK_PAGE)) {
            for (Task task : page) {
                if (since.isEmpty() || active(task.id(), since.get())) {
                    exportTask(task, since, out, messagesSoFar);
                }
            }
            after = page.get(page.size() - 1).id();
        }
    }

    private boolean active(String taskId, Instant since) {
        return store.task(taskId)
                .flatMap(TaskSummary::lastMessageAt)
                .filter(last -> !last.isBefore(since))
                .isPresent();
    }
}
