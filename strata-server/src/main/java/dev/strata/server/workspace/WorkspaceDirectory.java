package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.model.BackendUnavailableException;
import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.SqlDialect;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

/**
 * Workspaces, users, memberships, conversations and tasks: the records messages belong to,
 * in the same database as the store's metadata. Thread-safe.
 */
public final class WorkspaceDirectory {
    private final Database database;
    private final Clock clock;

    public WorkspaceDirectory(Database database, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
        database.migrate("db/server", "strata_server_schema_history");
    }

    public Workspace createWorkspace(String name) {
        Workspace workspace = new Workspace(newId(), requireText("name", name), now());
        update(
                "createWorkspace",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate(
                                        "INSERT INTO workspace (id, name, created_at) VALUES (:id, :name, :at)")
                                .bind("id", workspace.id())
                                .bind("name", workspace.name())
                                .bind("at", workspace.createdAt().toEpochMilli())
                                .execute()));
        return workspace;
    }

    public Optional<Workspace> workspace(String id) {
        return read(
                "workspace",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery("SELECT id, name, created_at FROM workspace WHERE id = :id")
                                .bind("id", id)
                                .map((rs, ctx) -> new Workspace(
                                        rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))))
                                .findOne()));
    }

    /** @throws InvalidInputException when a user with that email exists */
    public User createUser(String email, String name) {
        User user = new User(newId(), requireText("email", email), name == null ? "" : name, now());
        int inserted = update(
                "createUser",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate(
                                        "INSERT INTO app_user (id, email, name, created_at) VALUES (:id, :email, :name, :at) ON CONFLICT (email) DO NOTHING")
                                .bind("id", user.id())
                                .bind("email", user.email())
                                .bind("name", user.name())
                                .bind("at", user.createdAt().toEpochMilli())
                                .execute()));
        if (inserted == 0) {
            throw new InvalidInputException("a user with email " + email + " exists already");
        }
        return user;
    }

    public Optional<User> user(String id) {
        return read(
                "user",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery(
                                        "SELECT id, email, name, created_at FROM app_user WHERE id = :id")
                                .bind("id", id)
                                .map((rs, ctx) -> new User(
                                        rs.getString(1),
                                        rs.getString(2),
                                        rs.getString(3),
                                        Instant.ofEpochMilli(rs.getLong(4))))
                                .findOne()));
    }

    /** Adds or updates a membership. */
    public void addMember(String workspaceId, String userId, Role role) {
        if (workspace(workspaceId).isEmpty()) {
            throw new InvalidInputException("workspace not found: " + workspaceId);
        }
        if (user(userId).isEmpty()) {
            throw new InvalidInputException("user not found: " + userId);
        }
        update(
                "addMember",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate(
                                        "INSERT INTO membership (workspace_id, user_id, role) VALUES (:w, :u, :role)"
                                                + " ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role")
                                .bind("w", workspaceId)
                                .bind("u", userId)
                                .bind("role", role.wireName())
                                .execute()));
    }

    /** Ends a membership; absent ones are ignored. Open live tails of the user end within a heartbeat. */
    public void removeMember(String workspaceId, String userId) {
        update(
                "removeMember",
                () -> database.jdbi()
                        .withHandle(
                                h -> h.createUpdate("DELETE FROM membership WHERE workspace_id = :w AND user_id = :u")
                                        .bind("w", workspaceId)
                                        .bind("u", userId)
                                        .execute()));
    }

    public boolean isMember(String workspaceId, String userId) {
        return read(
                "isMember",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery(
                                                "SELECT COUNT(*) FROM membership WHERE workspace_id = :w AND user_id = :u")
                                        .bind("w", workspaceId)
                                        .bind("u", userId)
                                        .mapTo(Integer.class)
                                        .one()
                                > 0));
    }

    public Conversation createConversation(String workspaceId, String title) {
        Conversation conversation = new Conversation(newId(), workspaceId, title, now());
        update(
                "createConversation",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate(
                                        "INSERT INTO conversation (id, workspace_id, title, created_at) VALUES (:id, :w, :title, :at)")
                                .bind("id", conversation.id())
                                .bind("w", workspaceId)
                                .bind("title", title)
                                .bind("at", conversation.createdAt().toEpochMilli())
                                .execute()));
        return conversation;
    }

    /** @return the conversation, only if it belongs to the workspace */
    public Optional<Conversation> conversation(String workspaceId, String id) {
        return read(
                "conversation",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery(
                                        "SELECT id, workspace_id, title, created_at FROM conversation WHERE id = :id AND workspace_id = :w")
                                .bind("id", id)
                                .bind("w", workspaceId)
                                .map((rs, ctx) -> new Conversation(
                                        rs.getString(1),
                                        rs.getString(2),
                                        rs.getString(3),
                                        Instant.ofEpochMilli(rs.getLong(4))))
                                .findOne()));
    }

    /**
     * Creates a task, in a conversation if one is given. The conversation is checked and locked in
     * the same transaction as the insert, so a task is never created in a conversation whose
     * delete has passed its final step (see {@link #deleteConversation}).
     *
     * @throws ConversationNotFoundException when the conversation does not exist (any more) in the workspace
     */
    public Task createTask(String taskId, String workspaceId, Optional<String> conversationId, String prompt) {
        Task task = new Task(taskId, workspaceId, conversationId, TaskStatus.QUEUED, now());
        boolean created = update(
                "createTask",
                () -> database.jdbi().inTransaction(h -> {
                    if (conversationId.isPresent()
                            && !lockConversation(h, workspaceId, conversationId.get(), "FOR SHARE")) {
                        return false;
                    }
                    h.createUpdate(
                                    "INSERT INTO task (id, workspace_id, conversation_id, status, prompt, created_at, updated_at)"
                                            + " VALUES (:id, :w, :c, :status, :prompt, :at, :at)")
                            .bind("id", task.id())
                            .bind("w", workspaceId)
                            .bind("c", conversationId.orElse(null))
                            .bind("status", task.status().wireName())
                            .bind("prompt", prompt)
                            .bind("at", task.createdAt().toEpochMilli())
                            .execute();
                    return true;
                }));
        if (!created) {
            throw new ConversationNotFoundException(conversationId.orElseThrow());
        }
        return task;
    }

    /**
     * Whether the conversation exists in the workspace, locking its row until the transaction ends
     * on PostgreSQL ({@code FOR SHARE} for a task creation, {@code FOR UPDATE} for the delete), so
     * the two serialize and a creation waiting for the delete finds the row gone. SQLite needs no
     * lock: its write transactions are immediate and exclusive.
     */
    private boolean lockConversation(Handle h, String workspaceId, String conversationId, String lock) {
        String suffix = database.dialect() == SqlDialect.POSTGRESQL ? " " + lock : "";
        var query = h.createQuery("SELECT id FROM conversation WHERE id = :id"
                        + (workspaceId == null ? "" : " AND workspace_id = :w") + suffix)
                .bind("id", conversationId);
        if (workspaceId != null) {
            query.bind("w", workspaceId);
        }
        return query.mapTo(String.class).findOne().isPresent();
    }

    /** @return the task, only if it belongs to the workspace */
    public Optional<Task> task(String workspaceId, String id) {
        return read(
                "task",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery(
                                        "SELECT id, workspace_id, conversation_id, status, created_at FROM task WHERE id = :id AND workspace_id = :w")
                                .bind("id", id)
                                .bind("w", workspaceId)
                                .map((rs, ctx) -> task(rs))
                                .findOne()));
    }

    /** @return those of {@code ids} that are tasks of the workspace */
    public Set<String> taskIdsIn(String workspaceId, Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return read(
                "taskIdsIn",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery("SELECT id FROM task WHERE workspace_id = :w AND id IN (<ids>)")
                                .bind("w", workspaceId)
                                .bindList("ids", List.copyOf(ids))
                                .mapTo(String.class)
                                .collect(Collectors.toSet())));
    }

    public List<String> taskIdsOfConversation(String conversationId) {
        return read(
                "taskIdsOfConversation",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery("SELECT id FROM task WHERE conversation_id = :c")
                                .bind("c", conversationId)
                                .mapTo(String.class)
                                .list()));
    }

    /** What {@link #finishTask} did. */
    public enum FinishOutcome {
        /** The task ended now, with this status and result. */
        ENDED,
        /** The task had already ended with this status; nothing changed (its first result stays). */
        ALREADY_ENDED_SO,
        /** The task had already ended with another status; nothing changed. */
        ENDED_OTHERWISE,
        /** No such task. */
        NOT_FOUND
    }

    /**
     * Ends a task as completed or failed, keeping the daemon's output or error text. The first end
     * wins: a task that has ended never changes status or result again.
     */
    public FinishOutcome finishTask(String taskId, TaskStatus status, String result) {
        if (!status.ended()) {
            throw new IllegalArgumentException("a task cannot end as " + status);
        }
        List<String> open = java.util.Arrays.stream(TaskStatus.values())
                .filter(s -> !s.ended())
                .map(TaskStatus::wireName)
                .toList();
        return update(
                "finishTask",
                () -> database.jdbi().inTransaction(h -> {
                    int changed = h.createUpdate("UPDATE task SET status = :status, result = :result, updated_at = :at"
                                    + " WHERE id = :id AND status IN (<open>)")
                            .bind("status", status.wireName())
                            .bind("result", result)
                            .bind("at", now().toEpochMilli())
                            .bind("id", taskId)
                            .bindList("open", open)
                            .execute();
                    if (changed > 0) {
                        return FinishOutcome.ENDED;
                    }
                    Optional<String> current = h.createQuery("SELECT status FROM task WHERE id = :id")
                            .bind("id", taskId)
                            .mapTo(String.class)
                            .findOne();
                    if (current.isEmpty()) {
                        return FinishOutcome.NOT_FOUND;
                    }
                    return current.get().equals(status.wireName())
                            ? FinishOutcome.ALREADY_ENDED_SO
                            : FinishOutcome.ENDED_OTHERWISE;
                }));
    }

    public void deleteTasks(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return;
        }
        update(
                "deleteTasks",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate("DELETE FROM task WHERE id IN (<ids>)")
                                .bindList("ids", List.copyOf(taskIds))
                                .execute()));
    }

    /** What {@link #deleteConversation} does when the conversation still has tasks besides those deleted. */
    public enum WhenTasksRemain {
        /** Keep the conversation (and those tasks): the caller deletes them and tries again. */
        KEEP_CONVERSATION,
        /** Delete the conversation anyway, so no task can be created in it any more; the caller deletes the rest. */
        DELETE_CONVERSATION
    }

    /**
     * The last step of a conversation's delete, in one transaction that locks the conversation
     * row: removes the rows of {@code deletedTaskIds} (whose store data the caller has deleted), then
     * either removes the conversation, when no other task is in it, or follows {@code whenTasksRemain}.
     * A task created concurrently either committed before the lock (and is among the remaining
     * ones) or fails afterwards with {@link ConversationNotFoundException}.
     *
     * @return the conversation's remaining task ids: empty when the conversation was deleted with
     *     nothing left; with {@link WhenTasksRemain#DELETE_CONVERSATION} the caller must delete these
     */
    public List<String> deleteConversation(
            String conversationId, Collection<String> deletedTaskIds, WhenTasksRemain whenTasksRemain) {
        return update(
                "deleteConversation",
                () -> database.jdbi().inTransaction(h -> {
                    lockConversation(h, null, conversationId, "FOR UPDATE");
                    if (!deletedTaskIds.isEmpty()) {
                        h.createUpdate("DELETE FROM task WHERE conversation_id = :c AND id IN (<ids>)")
                                .bind("c", conversationId)
                                .bindList("ids", List.copyOf(deletedTaskIds))
                                .execute();
                    }
                    List<String> remaining = h.createQuery("SELECT id FROM task WHERE conversation_id = :c")
                            .bind("c", conversationId)
                            .mapTo(String.class)
                            .list();
                    if (remaining.isEmpty() || whenTasksRemain == WhenTasksRemain.DELETE_CONVERSATION) {
                        h.createUpdate("DELETE FROM conversation WHERE id = :c")
                                .bind("c", conversationId)
                                .execute();
                    }
                    return remaining;
                }));
    }

    /**
     * Store tasks (the store's {@code tm_task}, in this database) that have no task row here: the
     * leftovers of a creation or delete a crash interrupted. Only those the store created before
     * {@code createdBefore} count, since a creation writes the store's row first.
     */
    public Set<String> forgottenStoreTasks(Collection<String> taskIds, Instant createdBefore) {
        if (taskIds.isEmpty()) {
            return Set.of();
        }
        return read(
                "forgottenStoreTasks",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery(
                                        "SELECT s.task_id FROM tm_task s WHERE s.task_id IN (<ids>) AND s.created_at < :before"
                                                + " AND NOT EXISTS (SELECT 1 FROM task t WHERE t.id = s.task_id)")
                                .bindList("ids", List.copyOf(taskIds))
                                .bind("before", createdBefore.toEpochMilli())
                                .mapTo(String.class)
                                .collect(Collectors.toSet())));
    }

    /** Creates a workspace with a given id (named after it) unless it exists: for imports. */
    public void ensureWorkspace(String id) {
        update(
                "ensureWorkspace",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate(
                                        "INSERT INTO workspace (id, name, created_at) VALUES (:id, :id, :at) ON CONFLICT (id) DO NOTHING")
                                .bind("id", id)
                                .bind("at", now().toEpochMilli())
                                .execute()));
    }

    /** Creates a conversation with a given id unless it exists: for imports. */
    public void ensureConversation(String id, String workspaceId, Instant createdAt) {
        update(
                "ensureConversation",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate(
                                        "INSERT INTO conversation (id, workspace_id, title, created_at) VALUES (:id, :w, '', :at) ON CONFLICT (id) DO NOTHING")
                                .bind("id", id)
                                .bind("w", workspaceId)
                                .bind("at", createdAt.toEpochMilli())
                                .execute()));
    }

    /** Creates a task with a given id and status unless it exists: for imports. */
    public void ensureTask(
            String id, String workspaceId, Optional<String> conversationId, TaskStatus status, Instant createdAt) {
        update(
                "ensureTask",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate(
                                        "INSERT INTO task (id, workspace_id, conversation_id, status, prompt, created_at, updated_at)"
                                                + " VALUES (:id, :w, :c, :status, '', :at, :at) ON CONFLICT (id) DO NOTHING")
                                .bind("id", id)
                                .bind("w", workspaceId)
                                .bind("c", conversationId.orElse(null))
                                .bind("status", status.wireName())
                                .bind("at", createdAt.toEpochMilli())
                                .execute()));
    }

    /** Sets a workspace's retention: a duration text such as {@code 30d}, {@code off}, or empty for the default. */
    public void setRetention(String workspaceId, Optional<String> retention) {
        int changed = update(
                "setRetention",
                () -> database.jdbi()
                        .withHandle(h -> h.createUpdate("UPDATE workspace SET retention = :retention WHERE id = :id")
                                .bind("retention", retention.orElse(null))
                                .bind("id", workspaceId)
                                .execute()));
        if (changed == 0) {
            throw new InvalidInputException("workspace not found: " + workspaceId);
        }
    }

    /** @return every workspace id with its retention setting (empty: the default) */
    public java.util.Map<String, Optional<String>> retentions() {
        return read(
                "retentions",
                () -> database.jdbi().withHandle(h -> {
                    java.util.Map<String, Optional<String>> result = new java.util.LinkedHashMap<>();
                    h.createQuery("SELECT id, retention FROM workspace ORDER BY id")
                            .map((rs, ctx) -> result.put(rs.getString(1), Optional.ofNullable(rs.getString(2))))
                            .list();
                    return result;
                }));
    }

    /**
     * Tasks of the workspace whose last activity (newest message, else last status change) is
     * before {@code cutoff}. Reads the store's {@code tm_task} next to the server's own table: both
     * live in this database, and one join beats asking per task.
     */
    public List<String> inactiveTasks(String workspaceId, Instant cutoff, int limit) {
        return read(
                "inactiveTasks",
                () -> database.jdbi()
                        .withHandle(h -> h.createQuery("SELECT t.id FROM task t LEFT JOIN tm_task s ON s.task_id = t.id"
                                        + " WHERE t.workspace_id = :w AND COALESCE(s.last_message_at, t.updated_at) < :cutoff"
                                        + " AND t.updated_at < :cutoff ORDER BY t.id LIMIT :limit")
                                .bind("w", workspaceId)
                                .bind("cutoff", cutoff.toEpochMilli())
                                .bind("limit", limit)
                                .mapTo(String.class)
                                .list()));
    }

    private static Task task(ResultSet rs) throws SQLException {
        return new Task(
                rs.getString(1),
                rs.getString(2),
                Optional.ofNullable(rs.getString(3)),
                TaskStatus.fromWireName(rs.getString(4)),
                Instant.ofEpochMilli(rs.getLong(5)));
    }

    private Instant now() {
        return clock.instant();
    }

    static String newId() {
        return UUID.randomUUID().toString();
    }

    private static String requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field + " must not be empty");
        }
        return value;
    }

    private <T> T update(String operation, Supplier<T> work) {
        return read(operation, () -> database.write(work));
    }

    private <T> T read(String operation, Supplier<T> work) {
        try {
            return work.get();
        } catch (JdbiException e) {
            throw new BackendUnavailableException("directory " + operation + " failed: " + e.getMessage(), e);
        }
    }
}
