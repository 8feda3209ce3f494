package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.server.workspace.WorkspaceDirectory.FinishOutcome;
import dev.strata.tier.metadata.jdbc.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The server's task rows: which workspace and conversation a task is in, and its status. Thread-safe. */
final class TaskRecords {
    /** Creates task {@code :id} with an empty prompt unless its id exists: for imports, one at a time or batched. */
    private static final String ENSURE_TASK =
            "INSERT INTO task (id, workspace_id, conversation_id, status, prompt, created_at, updated_at)"
                    + " VALUES (:id, :w, :c, :status, '', :at, :at) ON CONFLICT (id) DO NOTHING";

    private final Database database;
    private final Clock clock;

    TaskRecords(Database database, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    Task createTask(String taskId, String workspaceId, Optional<String> conversationId, String prompt) {
        Creation<Task> creation = createUnlessPresent(taskId, workspaceId, conversationId, prompt);
        if (creation.outcome() == Creation.Outcome.EXISTED) {
            throw new IllegalStateException("task id " + taskId + " is taken");
        }
        return creation.record();
    }

    /**
     * Inserts the task unless its id is taken (in any workspace), in one transaction: either way
     * the answer says which record holds the id, so concurrent creations of one id agree on it.
     */
    Creation<Task> createUnlessPresent(
            String taskId, String workspaceId, Optional<String> conversationId, String prompt) {
        Task task = new Task(taskId, workspaceId, conversationId, TaskStatus.QUEUED, clock.instant());
        Optional<Creation<Task>> result = database.write("directory createTask", h -> {
            if (conversationId.isPresent()
                    && !Conversations.lock(database.dialect(), h, workspaceId, conversationId.get(), "FOR SHARE")) {
                return existing(h, taskId);
            }
            int inserted = h.createUpdate(
                            "INSERT INTO task (id, workspace_id, conversation_id, status, prompt, created_at, updated_at)"
                                    + " VALUES (:id, :w, :c, :status, :prompt, :at, :at) ON CONFLICT (id) DO NOTHING")
                    .bind("id", task.id())
                    .bind("w", workspaceId)
                    .bind("c", conversationId.orElse(null))
                    .bind("status", task.status().wireName())
                    .bind("prompt", prompt)
                    .bind("at", task.createdAt().toEpochMilli())
                    .execute();
            return inserted == 1
                    ? Optional.of(new Creation<>(Creation.Outcome.CREATED, task, prompt))
                    : existing(h, taskId);
        });
        // No record under the id and none created: the conversation is gone.
        return result.orElseThrow(() -> new ConversationNotFoundException(conversationId.orElseThrow()));
    }

    Optional<Creation<Task>> existing(String taskId) {
        return database.read("directory existingTask", h -> existing(h, taskId));
    }

    private static Optional<Creation<Task>> existing(org.jdbi.v3.core.Handle h, String taskId) {
        return h.createQuery(
                        "SELECT id, workspace_id, conversation_id, status, created_at, prompt FROM task WHERE id = :id")
                .bind("id", taskId)
                .map((rs, ctx) -> new Creation<>(Creation.Outcome.EXISTED, task(rs), rs.getString(6)))
                .findOne();
    }

    /**
     * Creates each task unless its id exists, with its workspace and conversation unless they
     * exist, all in one transaction (an import creates thousands; one commit each would wait for
     * SQLite's one writer thousands of times). A conversation first seen here takes the creation
     * time of its first task in the list.
     */
    void ensureTasks(Collection<Task> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        long now = clock.millis();
        database.write("directory ensureTasks", h -> {
            PreparedBatch workspaces = h.prepareBatch(Memberships.ENSURE_WORKSPACE);
            PreparedBatch conversations = h.prepareBatch(Conversations.ENSURE_CONVERSATION);
            PreparedBatch rows = h.prepareBatch(ENSURE_TASK);
            Set<String> workspaceIds = new HashSet<>();
            Set<String> conversationIds = new HashSet<>();
            for (Task task : tasks) {
                long at = task.createdAt().toEpochMilli();
                if (workspaceIds.add(task.workspaceId())) {
                    workspaces.bind("id", task.workspaceId()).bind("at", now).add();
                }
                task.conversationId()
                        .filter(conversationIds::add)
                        .ifPresent(c -> conversations
                                .bind("id", c)
                                .bind("w", task.workspaceId())
                                .bind("at", at)
                                .add());
                rows.bind("id", task.id())
                        .bind("w", task.workspaceId())
                        .bind("c", task.conversationId().orElse(null))
                        .bind("status", task.status().wireName())
                        .bind("at", at)
                        .add();
            }
            workspaces.execute();
            if (!conversationIds.isEmpty()) {
                conversations.execute();
            }
            rows.execute();
            return null;
        });
    }

    void ensureTask(
            String id, String workspaceId, Optional<String> conversationId, TaskStatus status, Instant createdAt) {
        database.write(
                "directory ensureTask",
                h -> h.createUpdate(ENSURE_TASK)
                        .bind("id", id)
                        .bind("w", workspaceId)
                        .bind("c", conversationId.orElse(null))
                        .bind("status", status.wireName())
                        .bind("at", createdAt.toEpochMilli())
                        .execute());
    }

    Optional<Task> task(String workspaceId, String id) {
        // Plain JDBC, not Jdbi: every daemon append looks its task up here.
        return database.readJdbc("directory task", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id, workspace_id, conversation_id, status, created_at FROM task WHERE id = ? AND workspace_id = ?")) {
                select.setString(1, id);
                select.setString(2, workspaceId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(task(rs)) : Optional.empty();
                }
            }
        });
    }

    List<Task> tasksOf(String workspaceId, String afterId, int limit) {
        return database.read(
                "directory tasksOf",
                h -> h.createQuery("SELECT id, workspace_id, conversation_id, status, created_at FROM task"
                                + " WHERE workspace_id = :w AND id > :after ORDER BY id LIMIT :limit")
                        .bind("w", workspaceId)
                        .bind("after", afterId)
                        .bind("limit", limit)
                        .map((rs, ctx) -> task(rs))
                        .list());
    }

    Set<String> taskIdsIn(String workspaceId, Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return database.read(
                "directory taskIdsIn",
                h -> h.createQuery("SELECT id FROM task WHERE workspace_id = :w AND id IN (<ids>)")
                        .bind("w", workspaceId)
                        .bindList("ids", List.copyOf(ids))
                        .mapTo(String.class)
                        .collect(Collectors.toSet()));
    }

    /** @return those of {@code ids} that have a task row, in any workspace */
    Set<String> known(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return database.read(
                "directory knownTasks",
                h -> h.createQuery("SELECT id FROM task WHERE id IN (<ids>)")
                        .bindList("ids", List.copyOf(ids))
                        .mapTo(String.class)
                        .collect(Collectors.toSet()));
    }

    List<String> taskIdsOfConversation(String conversationId) {
        return database.read(
                "directory taskIdsOfConversation",
                h -> h.createQuery("SELECT id FROM task WHERE conversation_id = :c")
                        .bind("c", conversationId)
                        .mapTo(String.class)
                        .list());
    }

    FinishOutcome finishTask(String taskId, TaskStatus status, String result) {
        if (!status.ended()) {
            throw new IllegalArgumentException("a task cannot end as " + status);
        }
        List<String> open = Arrays.stream(TaskStatus.values())
                .filter(s -> !s.ended())
                .map(TaskStatus::wireName)
                .toList();
        return database.write("directory finishTask", h -> {
            int changed = h.createUpdate("UPDATE task SET status = :status, result = :result, updated_at = :at"
                            + " WHERE id = :id AND status IN (<open>)")
                    .bind("status", status.wireName())
                    .bind("result", result)
                    .bind("at", clock.millis())
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
        });
    }

    void deleteTasks(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return;
        }
        database.write(
                "directory deleteTasks",
                h -> h.createUpdate("DELETE FROM task WHERE id IN (<ids>)")
                        .bindList("ids", List.copyOf(taskIds))
                        .execute());
    }

    /** The task in columns 1 to 5: id, workspace_id, conversation_id, status, created_at. */
    private static Task task(ResultSet rs) throws SQLException {
        return new Task(
                rs.getString(1),
                rs.getString(2),
                Optional.ofNullable(rs.getString(3)),
                TaskStatus.fromWireName(rs.getString(4)),
                Instant.ofEpochMilli(rs.getLong(5)));
    }
}
