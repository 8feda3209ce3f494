package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.model.AppendResult;
import dev.strata.model.MessagePage;
import dev.strata.model.TaskSummary;
import dev.strata.server.lifecycle.TaskDeletion;
import dev.strata.server.workspace.Conversation;
import dev.strata.server.workspace.Task;
import dev.strata.server.workspace.TaskStatus;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The task-message API: daemon writes and reads, user reads, tasks, conversations, step counts
 * and deletes. Compatible with the original API's paths, fields, status codes and messages.
 */
final class TaskRoutes {
    private static final int MAX_STEP_COUNT_TASKS = 100;

    private final Access access;
    private final WorkspaceDirectory directory;
    private final TaskMessageStore store;
    private final TaskDeletion deletion;
    private final Consumer<String> onSealed;
    private final long maxBodyBytes;

    TaskRoutes(
            Access access,
            WorkspaceDirectory directory,
            TaskMessageStore store,
            TaskDeletion deletion,
            Consumer<String> onSealed,
            long maxBodyBytes) {
        this.access = requireNonNull(access, "access is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.store = requireNonNull(store, "store is null");
        this.deletion = requireNonNull(deletion, "deletion is null");
        this.onSealed = requireNonNull(onSealed, "onSealed is null");
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/daemon/tasks/{taskId}/messages", this::daemonAppend);
        routes.get("/api/daemon/tasks/{taskId}/messages", this::daemonList);
        routes.post("/api/daemon/tasks/{taskId}/complete", ctx -> daemonFinish(ctx, TaskStatus.COMPLETED, "output"));
        routes.post("/api/daemon/tasks/{taskId}/fail", ctx -> daemonFinish(ctx, TaskStatus.FAILED, "error"));
        routes.delete("/api/conversations/{id}", this::deleteConversation);
        routes.post("/api/tasks/step-counts", this::stepCounts);
        routes.get("/api/tasks/{id}", this::getTask);
        routes.get("/api/tasks/{id}/messages", this::listMessages);
        routes.delete("/api/tasks/{id}", this::deleteTask);
    }

    private void daemonAppend(Context ctx) {
        String workspaceId = access.machine(ctx).workspaceId();
        // Parse before any lookup: a malformed body is a 400 whatever the task.
        var batch = MessageJson.parseBatch(Bodies.read(ctx, maxBodyBytes));
        Task task = requireTask(workspaceId, ctx.pathParam("taskId"));
        AppendResult result = store.append(task.id(), batch);
        // Written directly (the hottest response: numbers only, nothing to escape), as the mapper
        // would write the object {status, accepted, duplicates, dropped}.
        Responses.raw(
                ctx,
                200,
                ("{\"status\":\"ok\",\"accepted\":" + result.accepted() + ",\"duplicates\":" + result.duplicates()
                                + ",\"dropped\":" + result.dropped() + "}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private void daemonList(Context ctx) {
        String workspaceId = access.machine(ctx).workspaceId();
        Task task = requireTask(workspaceId, ctx.pathParam("taskId"));
        writePage(ctx, store.list(task.id(), MessageQueries.page(ctx)));
    }

    private void daemonFinish(Context ctx, TaskStatus status, String resultField) {
        String workspaceId = access.machine(ctx).workspaceId();
        byte[] body = Bodies.read(ctx, maxBodyBytes);
        String result = "";
        if (body.length > 0) {
            JsonNode root = Json.parse(body);
            if (!root.isObject()) {
                throw new ApiException.BadRequest("invalid request body");
            }
            result = optionalString(root, resultField).orElse("");
        }
        Task task = requireTask(workspaceId, ctx.pathParam("taskId"));
        // The first end wins. Repeating it is answered as before (and finishes sealing, in case
        // the first request died after ending the task); a different end is refused.
        switch (directory.finishTask(task.id(), status, result)) {
            case ENDED, ALREADY_ENDED_SO -> {
                store.seal(task.id());
                onSealed.accept(task.id());
                Responses.json(ctx, 200, Map.of("status", "ok"));
            }
            case ENDED_OTHERWISE -> Responses.json(ctx, 409, Map.of("error", "task already ended"));
            case NOT_FOUND -> throw new ApiException.NotFound("task not found");
        }
    }

    private void deleteConversation(Context ctx) {
        String workspaceId = access.workspace(ctx);
        Conversation conversation = Optional.of(ctx.pathParam("id"))
                .filter(Ids::plausible)
                .flatMap(id -> directory.conversation(workspaceId, id))
                .orElseThrow(() -> new ApiException.NotFound("conversation not found"));
        access.requireOwner(ctx);
        deletion.deleteConversation(conversation.id());
        Responses.json(ctx, 200, Map.of("status", "ok"));
    }

    private void getTask(Context ctx) {
        String workspaceId = access.workspace(ctx);
        Task task = requireTask(workspaceId, ctx.pathParam("id"));
        // No store task means its delete is under way (the store goes first, then the directory row):
        // answer as after the delete, never with a task that lost its messages.
        TaskSummary summary = store.task(task.id()).orElseThrow(() -> new ApiException.NotFound("task not found"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", task.id());
        body.put("workspace_id", task.workspaceId());
        body.put("conversation_id", task.conversationId().orElse(null));
        body.put("status", task.status().wireName());
        body.put("message_count", summary.messageCount());
        body.put(
                "last_message_at",
                summary.lastMessageAt().map(MessageJson::timestamp).orElse(null));
        body.put("created_at", MessageJson.timestamp(task.createdAt()));
        Responses.json(ctx, 200, body);
    }

    private void listMessages(Context ctx) {
        String workspaceId = access.workspace(ctx);
        Task task = requireTask(workspaceId, ctx.pathParam("id"));
        writePage(ctx, store.list(task.id(), MessageQueries.page(ctx)));
    }

    private void deleteTask(Context ctx) {
        String workspaceId = access.workspace(ctx);
        Task task = requireTask(workspaceId, ctx.pathParam("id"));
        access.requireOwner(ctx);
        deletion.deleteTasks(List.of(task.id()));
        Responses.json(ctx, 200, Map.of("status", "ok"));
    }

    private void stepCounts(Context ctx) {
        String workspaceId = access.workspace(ctx);
        JsonNode root = Json.parse(Bodies.read(ctx, maxBodyBytes));
        JsonNode ids = root.isObject() ? root.get("task_ids") : null;
        if (ids == null || ids.isNull()) {
            throw new ApiException.BadRequest("task_ids is required");
        }
        if (!ids.isArray()) {
            throw new ApiException.BadRequest("task_ids must be an array of strings");
        }
        List<String> taskIds = new ArrayList<>();
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw new ApiException.BadRequest("task_ids must be an array of strings");
            }
            // An id that cannot exist is simply not visible, like any unknown id.
            if (Ids.plausible(id.textValue())) {
                taskIds.add(id.textValue());
            }
        }
        if (ids.size() > MAX_STEP_COUNT_TASKS) {
            throw new ApiException.BadRequest("task_ids exceeds maximum of " + MAX_STEP_COUNT_TASKS + " entries");
        }
        Set<String> visible = directory.taskIdsIn(workspaceId, taskIds);
        Responses.json(ctx, 200, StepCounts.of(store, visible));
    }

    private Task requireTask(String workspaceId, String taskId) {
        return Ids.requireTask(directory, workspaceId, taskId);
    }

    /** The page is complete (and within the store's byte budget) before the first byte is streamed. */
    private void writePage(Context ctx, MessagePage page) {
        if (page.hasMore()) {
            ctx.header("X-Has-More", "true");
        }
        Responses.stream(ctx, 200, out -> MessageJson.writeArray(out, page.messages()));
    }

    /** A body that may be empty (treated as {}), else must be a JSON object. */
    static JsonNode optionalObjectBody(Context ctx, long maxBodyBytes) {
        byte[] body = Bodies.read(ctx, maxBodyBytes);
        if (body.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        JsonNode root = Json.parse(body);
        if (!root.isObject()) {
            throw new ApiException.BadRequest("invalid request body");
        }
        return root;
    }

    static Optional<String> optionalString(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new ApiException.BadRequest(field + ": must be a string");
        }
        return Optional.of(StorableText.require(field, value.textValue()));
    }
}
