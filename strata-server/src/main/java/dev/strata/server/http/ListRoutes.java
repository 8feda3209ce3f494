package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import dev.strata.server.workspace.ListPage;
import dev.strata.server.workspace.ListedConversation;
import dev.strata.server.workspace.ListedTask;
import dev.strata.server.workspace.TaskFilter;
import dev.strata.server.workspace.TaskStatus;
import dev.strata.server.workspace.WorkspaceDirectory;
import dev.strata.store.TaskMessageStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The lists a UI opens with: a workspace's tasks (most recent activity first, filtered by status or
 * conversation) and its conversations (newest first), each in pages with an opaque
 * {@code next_cursor}. Both only ever show the caller's workspace: it is resolved from the token as
 * for every user endpoint, and a cursor made for another workspace is refused.
 */
final class ListRoutes {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private static final String STATUSES =
            Arrays.stream(TaskStatus.values()).map(TaskStatus::wireName).collect(Collectors.joining(", "));

    private final Access access;
    private final WorkspaceDirectory directory;
    private final TaskMessageStore store;

    ListRoutes(Access access, WorkspaceDirectory directory, TaskMessageStore store) {
        this.access = requireNonNull(access, "access is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.store = requireNonNull(store, "store is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/api/tasks", this::listTasks);
        routes.get("/api/conversations", this::listConversations);
    }

    private void listTasks(Context ctx) {
        String workspaceId = access.workspace(ctx);
        int limit = limit(ctx);
        TaskFilter filter = new TaskFilter(status(ctx), conversation(ctx, workspaceId));
        ListPage<ListedTask> page = directory.listTasks(workspaceId, filter, limit, cursor(ctx));
        Map<String, Long> steps = StepCounts.of(
                store, page.items().stream().map(t -> t.task().id()).toList());
        List<Map<String, Object>> tasks = page.items().stream()
                .map(listed -> taskJson(listed, steps.getOrDefault(listed.task().id(), 0L)))
                .toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tasks", tasks);
        body.put("next_cursor", page.nextCursor().orElse(null));
        Responses.json(ctx, 200, body);
    }

    private void listConversations(Context ctx) {
        String workspaceId = access.workspace(ctx);
        ListPage<ListedConversation> page = directory.listConversations(workspaceId, limit(ctx), cursor(ctx));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "conversations",
                page.items().stream().map(ListRoutes::conversationJson).toList());
        body.put("next_cursor", page.nextCursor().orElse(null));
        Responses.json(ctx, 200, body);
    }

    private static Map<String, Object> taskJson(ListedTask listed, long stepCount) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("id", listed.task().id());
        task.put("workspace_id", listed.task().workspaceId());
        task.put("conversation_id", listed.task().conversationId().orElse(null));
        task.put("status", listed.task().status().wireName());
        task.put("message_count", listed.messageCount());
        task.put("step_count", stepCount);
        task.put(
                "last_message_at",
                listed.lastMessageAt().map(MessageJson::timestamp).orElse(null));
        task.put("created_at", MessageJson.timestamp(listed.task().createdAt()));
        return task;
    }

    private static Map<String, Object> conversationJson(ListedConversation listed) {
        Map<String, Object> conversation = new LinkedHashMap<>();
        conversation.put("id", listed.conversation().id());
        conversation.put("workspace_id", listed.conversation().workspaceId());
        conversation.put("title", listed.conversation().title());
        conversation.put(
                "created_at", MessageJson.timestamp(listed.conversation().createdAt()));
        conversation.put("task_count", listed.taskCount());
        return conversation;
    }

    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = QueryNumbers.parseInt(text);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiException.BadRequest("invalid limit parameter: must be an integer from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    private static Optional<TaskStatus> status(Context ctx) {
        String text = ctx.queryParam("status");
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Arrays.stream(TaskStatus.values())
                .filter(s -> s.wireName().equals(text))
                .findFirst()
                .orElseThrow(
                        () -> new ApiException.BadRequest("invalid status parameter: must be one of " + STATUSES)));
    }

    /** A conversation filter must name a conversation of the workspace, like {@code POST /api/tasks}'s. */
    private Optional<String> conversation(Context ctx, String workspaceId) {
        String id = ctx.queryParam("conversation_id");
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        if (!Ids.plausible(id) || directory.conversation(workspaceId, id).isEmpty()) {
            throw new ApiException.NotFound("conversation not found");
        }
        return Optional.of(id);
    }

    /** An empty cursor is no cursor: clients often send back a null {@code next_cursor} as {@code cursor=}. */
    private static Optional<String> cursor(Context ctx) {
        return Optional.ofNullable(ctx.queryParam("cursor")).filter(c -> !c.isEmpty());
    }
}
