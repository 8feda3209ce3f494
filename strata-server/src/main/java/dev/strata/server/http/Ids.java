package dev.strata.server.http;

import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.WorkspaceDirectory;
import java.util.Optional;

/**
 * The shape every task, conversation and workspace id from a path, header, query or body must have
 * before it reaches a backend: 1 to 256 characters, no control characters, no unpaired
 * surrogates. Ids Strata creates are UUIDs; imported ones are short text. Anything else can name
 * nothing, so it is answered like an unknown id (404) and never sent to the database, where a NUL,
 * for one, is an error on PostgreSQL rather than a miss.
 */
final class Ids {
    static final int MAX_LENGTH = 256;

    private Ids() {}

    /**
     * The task of the workspace, looked up only when its id could exist (so a NUL or an absurd
     * length never reaches the database); every route that names a task goes through here.
     *
     * @throws ApiException.NotFound "task not found" otherwise
     */
    static Task requireTask(WorkspaceDirectory directory, String workspaceId, String taskId) {
        return Optional.of(taskId)
                .filter(Ids::plausible)
                .flatMap(id -> directory.task(workspaceId, id))
                .orElseThrow(() -> new ApiException.NotFound("task not found"));
    }

    static boolean plausible(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == id.length() || !Character.isLowSurrogate(id.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
