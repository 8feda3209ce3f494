package dev.strata.server.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.server.workspace.WorkspaceDirectory.WhenTasksRemain;
import dev.strata.store.TaskMessageStore;
import java.util.Collection;
import java.util.List;

/**
 * The one path by which tasks are deleted, whether a user asks or retention decides: the store
 * first (messages unreadable at once, content queued for durable deletion), then the server's
 * task rows. If the process dies in between, the task is still listed and deleting it again
 * finishes the job. Thread-safe.
 */
public final class TaskDeletion {
    /** Rounds a conversation delete waits for tasks being created in it before it shuts the conversation. */
    static final int CONVERSATION_ROUNDS = 5;

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

    /**
     * Deletes a conversation with all its tasks, including tasks created in it while the delete
     * runs: each round deletes the tasks it saw (store first), then, holding the conversation's
     * row lock, removes exactly those rows and the conversation if no task is left; a task
     * created meanwhile is seen by the next round. After {@value #CONVERSATION_ROUNDS} rounds the
     * conversation is removed first, which stops creations in it, and the rest is deleted.
     * Creations racing the final step fail with "conversation not found". A crash leaves the
     * conversation, or its remaining tasks, listed: deleting again finishes the job.
     */
    public void deleteConversation(String conversationId) {
        for (int round = 1; ; round++) {
            List<String> taskIds = directory.taskIdsOfConversation(conversationId);
            store.delete(taskIds);
            WhenTasksRemain whenTasksRemain = round < CONVERSATION_ROUNDS
                    ? WhenTasksRemain.KEEP_CONVERSATION
                    : WhenTasksRemain.DELETE_CONVERSATION;
            List<String> remaining = directory.deleteConversation(conversationId, taskIds, whenTasksRemain);
            if (remaining.isEmpty()) {
                return;
            }
            if (whenTasksRemain == WhenTasksRemain.DELETE_CONVERSATION) {
                deleteTasks(remaining);
                return;
            }
        }
    }
}
