package dev.strata.server.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import java.util.Collection;

/**
 * The one path by which tasks are deleted, whether a user asks or retention decides: the store
 * first (messages unreadable at once, content queued for durable deletion), then the server's
 * task rows. If the process dies in between, the task is still listed and deleting it again
 * finishes the job.
 */
public final class TaskDeletion {
    private final TaskMessageStore store;
    private final WorkspaceDirectory directory;

    public TaskDeletion(TaskMessageStore store, WorkspaceDirectory directory) {
        this.store = requireNonNull(store, "store is null");
        this.directory = requireNonNull(directory, "directory is null");
    }

    public void deleteTasks(Collection<String> taskIds) {
        store.delete(taskIds);
        directory.deleteTasks(taskIds);
    }

    /** Deletes a conversation with all its tasks. */
    public void deleteConversation(String conversationId) {
        store.delete(directory.taskIdsOfConversation(conversationId));
        directory.deleteConversation(conversationId);
    }
}
