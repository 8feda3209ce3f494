package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.store.BackendUnavailableException;
import dev.strata.store.InvalidInputException;
import dev.strata.tier.metadata.jdbc.Database;
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
        update("createWorkspace", () -> database.jdbi().withHandle(h -> h
                .createUpdate("INSERT INTO workspace (id, name, created_at) VALUES (:id, :name, :at)")
                .bind("id", workspace.id()).bind("name", workspace.name()).bind("at", workspace.createdAt().toEpochMilli())
                .execute()));
        return workspace;
    }

    public Optional<Workspace> workspace(String id) {
        return read("workspace", () -> database.jdbi().withHandle(h -> h
                .createQuery("SELECT id, name, created_at FROM workspace WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new Workspace(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))))
                .findOne()));
    }

    /** @throws InvalidInputException when a user with that email exists */
    public User createUser(String email, String name) {
        User user = new User(newId(), requireText("email", email), name == null ? "" : name, now());
        int inserted = update("createUser", () -> database.jdbi().withHandle(h -> h
                .createUpdate("INSERT INTO app_user (id, email, name, created_at) VALUES (:id, :email, :name, :at) ON CONFLICT (email) DO NOTHING")
                .bind("id", user.id()).bind("email", user.email()).bind("name", user.name()).bind("at", user.createdAt().toEpochMilli())
                .execute()));
        if (inserted == 0) {
            throw new InvalidInputException("a user with email " + email + " exists already");
        }
        return user;
    }

    public Optional<User> user(String id) {
        return read("user", () -> database.jdbi().withHandle(h -> h
                .createQuery("SELECT id, email, name, created_at FROM app_user WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new User(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))))
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
        update("addMember", () -> database.jdbi().withHandle(h -> h
                .createUpdate("INSERT INTO membership (workspace_id, user_id, role) VALUES (:w, :u, :role)"
                        + " ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role")
                .bind("w", workspaceId).bind("u", userId).bind("role", role.wireName())
                .execute()));
    }

    public boolean isMember(String workspaceId, String userId) {
        return read("isMember", () -> database.jdbi().withHandle(h -> h
                .createQuery("SELECT COUNT(*) FROM membership WHERE workspace_id = :w AND user_id = :u")
                .bind("w", workspaceId).bind("u", userId).mapTo(Integer.class).one() > 0));
    }

    public Conversation createConversation(String workspaceId, String title) {
        Conversation conversation = new Conversation(newId(), workspaceId, title, now());
        update("createConversation", () -> database.jdbi().withHandle(h -> h
                .createUpdate("INSERT INTO conversation (id, workspace_id, title, created_at) VALUES (:id, :w, :title, :at)")
                .bind("id", conversation.id()).bind("w", workspaceId).bind("title", title)
                .bind("at", conversation.createdAt().toEpochMilli())
                .execute()));
        return conversation;
    }

    /** @return the conversation, only if it belongs to the workspace */
    public Optional<Conversation> conversation(String workspaceId, String id) {
        return read("conversation", () -> database.jdbi().withHandle(h -> h
                .createQuery("SELECT id, workspace_id, title, created_at FROM conversation WHERE id = :id AND workspace_id = :w")
                .bind("id", id).bind("w", workspaceId)
                .map((rs, ctx) -> new Conversation(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))))
                .findOne()));
    }

    public Task createTask(String taskId, String workspaceId, Optional<String> conversationId, String prompt) {
        Task task = new Task(taskId, workspaceId, conversationId, TaskStatus.QUEUED, now());
        update("createTask", () -> database.jdbi().withHandle(h -> h
                .createUpdate("INSERT INTO task (id, workspace_id, conversation_id, status, prompt, created_at, updated_at)"
                        + " VALUES (:id, :w, :c, :status, :prompt, :at, :at)")
                .bind("id", task.id()).bind("w", workspaceId).bind("c", conversationId.orElse(null))
                .bind("status", task.status().wireName()).bind("prompt", prompt)
                .bind("at", task.createdAt().toEpochMilli())
                .execute()));
        return task;
    }

    /** @return the task, only if it belongs to the workspace */
    public Optional<Task> task(String workspaceId, String id) {
        return read("task", () -> database.jdbi().withHandle(h -> h
                .createQuery("SELECT id, workspace_id, conversation_id, status, created_at FROM task WHERE id = :id AND workspace_id = :w")
                .bind("id", id).bind("w", workspaceId)
                .map((rs, ctx) -> task(rs))
                .findOne()));
    }

    /** @return those of {@code ids} that are tasks of the workspace */
    public Set<String> taskIdsIn(String workspaceId, Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return read("taskIdsIn", () -> database.jdbi().withHandle(h -> h
                .createQuery("SELECT id FROM task WHERE workspace_id = :w AND id IN (<ids>)")
                .bind("w", workspaceId).bindList("ids", List.copyOf(ids))
                .mapTo(String.class).collect(Collectors.toSet())));
    }

    public List<String> taskIdsOfConversation(String conversationId) {
        return read("taskIdsOfConversation", () -> database.jdbi().withHandle(h -> h
                .createQuery("SELECT id FROM task WHERE conversation_id = :c").bind("c", conversationId)
                .mapTo(String.class).list()));
    }

    /** Ends a task as completed or failed, keeping the daemon's output or error text. */
    public void finishTask(String taskId, TaskStatus status, String result) {
        update("finishTask", () -> database.jdbi().withHandle(h -> h
                .createUpdate("UPDATE task SET status = :status, result = :result, updated_at = :at WHERE id = :id")
                .bind("status", status.wireName()).bind("result", result).bind("at", now().toEpochMilli()).bind("id", taskId)
                .execute()));
    }

    public void deleteTasks(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return;
        }
        update("deleteTasks", () -> database.jdbi().withHandle(h -> h
                .createUpdate("DELETE FROM task WHERE id IN (<ids>)").bindList("ids", List.copyOf(taskIds)).execute()));
    }

    public void deleteConversation(String conversationId) {
        update("deleteConversation", () -> database.jdbi().inTransaction(h -> {
            h.createUpdate("DELETE FROM task WHERE conversation_id = :c").bind("c", conversationId).execute();
            return h.createUpdate("DELETE FROM conversation WHERE id = :c").bind("c", conversationId).execute();
        }));
    }

    /** Creates a workspace with a given id (named after it) unless it exists: for imports. */
    public void ensureWorkspace(String id) {
        update("ensureWorkspace", () -> database.jdbi().withHandle(h -> h
                .createUpdate("INSERT INTO workspace (id, name, created_at) VALUES (:id, :id, :at) ON CONFLICT (id) DO NOTHING")
                .bind("id", id).bind("at", now().toEpochMilli()).execute()));
    }

    /** Creates a conversation with a given id unless it exists: for imports. */
    public void ensureConversation(String id, String workspaceId, Instant createdAt) {
        update("ensureConversation", () -> database.jdbi().withHandle(h -> h
                .createUpdate("INSERT INTO conversation (id, workspace_id, title, created_at) VALUES (:id, :w, '', :at) ON CONFLICT (id) DO NOTHING")
                .bind("id", id).bind("w", workspaceId).bind("at", createdAt.toEpochMilli()).execute()));
    }

    /** Creates a task with a given id and status unless it exists: for imports. */
    public void ensureTask(String id, String workspaceId, Optional<String> conversationId, TaskStatus status, Instant createdAt) {
        update("ensureTask", () -> database.jdbi().withHandle(h -> h
                .createUpdate("INSERT INTO task (id, workspace_id, conversation_id, status, prompt, created_at, updated_at)"
                        + " VALUES (:id, :w, :c, :status, '', :at, :at) ON CONFLICT (id) DO NOTHING")
                .bind("id", id).bind("w", workspaceId).bind("c", conversationId.orElse(null)).bind("status", status.wireName())
                .bind("at", createdAt.toEpochMilli()).execute()));
    }

    /** Sets a workspace's retention: a duration text such as {@code 30d}, {@code off}, or empty for the default. */
    public void setRetention(String workspaceId, Optional<String> retention) {
        int changed = update("setRetention", () -> database.jdbi().withHandle(h -> h
                .createUpdate("UPDATE workspace SET retention = :retention WHERE id = :id")
                .bind("retention", retention.orElse(null)).bind("id", workspaceId).execute()));
        if (changed == 0) {
            throw new InvalidInputException("workspace not found: " + workspaceId);
        }
    }

    /** @return every workspace id with its retention setting (empty: the default) */
    public java.util.Map<String, Optional<String>> retentions() {
        return read("retentions", () -> database.jdbi().withHandle(h -> {
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
        return read("inactiveTasks", () -> database.jdbi().withHandle(h -> h
                .createQuery("SELECT t.id FROM task t LEFT JOIN tm_task s ON s.task_id = t.id"
                        + " WHERE t.workspace_id = :w AND COALESCE(s.last_message_at, t.updated_at) < :cutoff"
                        + " AND t.updated_at < :cutoff ORDER BY t.id LIMIT :limit")
                .bind("w", workspaceId).bind("cutoff", cutoff.toEpochMilli()).bind("limit", limit)
                .mapTo(String.class).list()));
    }

    private static Task task(ResultSet rs) throws SQLException {
        return new Task(rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getString(3)),
                TaskStatus.fromWireName(rs.getString(4)), Instant.ofEpochMilli(rs.getLong(5)));
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
