package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.workspace.Conversation;
import dev.strata.server.workspace.ConversationNotFoundException;
import dev.strata.server.workspace.Creation;
import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code POST /api/conversations} and {@code POST /api/tasks}, idempotent when the client names
 * the id: the first request creates (201), repeating it returns what exists (200), and the same
 * id with a different body, or an id taken in another workspace, is refused with 409 (the same
 * answer either way, so it tells nothing about other workspaces). A retried create after a lost
 * response thus never makes a second task.
 */
final class CreateRoutes {
    /** The one error a taken id gets. */
    static final String ID_EXISTS = "id already exists";

    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final Access access;
    private final WorkspaceDirectory directory;
    private final TaskMessageStore store;
    private final long maxBodyBytes;

    CreateRoutes(Access access, WorkspaceDirectory directory, TaskMessageStore store, long maxBodyBytes) {
        this.access = requireNonNull(access, "access is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.store = requireNonNull(store, "store is null");
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/conversations", this::createConversation);
        routes.post("/api/tasks", this::createTask);
    }

    private void createConversation(Context ctx) {
        String workspaceId = access.workspace(ctx);
        JsonNode root = TaskRoutes.optionalObjectBody(ctx, maxBodyBytes);
        Optional<String> id = clientId(root);
        String title = TaskRoutes.optionalString(root, "title").orElse("");
        Creation<Conversation> creation = directory.createConversation(
                id.orElseGet(() -> UUID.randomUUID().toString()), workspaceId, title);
        Conversation conversation = creation.record();
        if (creation.outcome() == Creation.Outcome.EXISTED
                && !(conversation.workspaceId().equals(workspaceId)
                        && conversation.title().equals(title))) {
            throw new ApiException.Conflict(ID_EXISTS);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", conversation.id());
        body.put("workspace_id", conversation.workspaceId());
        body.put("title", conversation.title());
        body.put("created_at", MessageJson.timestamp(conversation.createdAt()));
        Responses.json(ctx, status(creation), body);
    }

    private void createTask(Context ctx) {
        String workspaceId = access.workspace(ctx);
        JsonNode root = TaskRoutes.optionalObjectBody(ctx, maxBodyBytes);
        Optional<String> id = clientId(root);
        Optional<String> conversationId = TaskRoutes.optionalString(root, "conversation_id");
        String prompt = TaskRoutes.optionalString(root, "prompt").orElse("");
        if (conversationId.isPresent()
                && (!Ids.plausible(conversationId.get())
                        || directory
                                .conversation(workspaceId, conversationId.get())
                                .isEmpty())) {
            throw new ApiException.NotFound("conversation not found");
        }
        // A repeat is answered from the directory alone: the store is not touched, so a repeat
        // racing the task's delete cannot bring back a store task the delete has just removed.
        Optional<Creation<Task>> existing = id.flatMap(directory::existingTask);
        Creation<Task> creation;
        if (existing.isPresent()) {
            creation = existing.get();
        } else {
            String taskId = id.orElseGet(() -> UUID.randomUUID().toString());
            // The store's task first: a directory row always has one (idempotent, so concurrent
            // creations of one id share it).
            store.createTask(taskId);
            try {
                creation = directory.createTaskUnlessPresent(taskId, workspaceId, conversationId, prompt);
            } catch (ConversationNotFoundException e) {
                // The conversation was deleted meanwhile and no task holds the id: its delete never
                // saw this task. (If this process dies here, fsck finds the store's row as a forgotten task.)
                store.delete(List.of(taskId));
                throw new ApiException.NotFound("conversation not found");
            }
        }
        Task task = creation.record();
        if (creation.outcome() == Creation.Outcome.EXISTED
                && !(task.workspaceId().equals(workspaceId)
                        && task.conversationId().equals(conversationId)
                        && Objects.equals(creation.text(), prompt))) {
            throw new ApiException.Conflict(ID_EXISTS);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", task.id());
        body.put("workspace_id", task.workspaceId());
        body.put("conversation_id", task.conversationId().orElse(null));
        body.put("status", task.status().wireName());
        body.put("created_at", MessageJson.timestamp(task.createdAt()));
        Responses.json(ctx, status(creation), body);
    }

    /** The client's {@code id}, if it sent one: 1 to 128 characters of {@code [A-Za-z0-9_-]}. */
    private static Optional<String> clientId(JsonNode root) {
        Optional<String> id = TaskRoutes.optionalString(root, "id");
        if (id.isPresent() && !CLIENT_ID.matcher(id.get()).matches()) {
            throw new ApiException.BadRequest("id must be 1 to 128 characters of A-Z, a-z, 0-9, _ and -");
        }
        return id;
    }

    private static int status(Creation<?> creation) {
        return switch (creation.outcome()) {
            case CREATED -> 201;
            case EXISTED -> 200;
        };
    }
}
