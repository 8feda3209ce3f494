package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.jdbc.Database;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what live tails watch across the server's task table and the store's task counters (both
 * live in the same database): a fingerprint per task for the periodic catch-up, and the recent
 * activity of a workspace. Thread-safe.
 */
public final class TaskActivity {
    private static final int IDS_PER_QUERY = 500;

    private final Database database;

    public TaskActivity(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    /** A task as a task list shows it. */
    public record TaskState(String id, String status, long messageCount, Optional<Long> lastMessageAt) {}

    /**
     * @return per existing task, a value that changes whenever its status changes or a commit or
     *     compaction happens to it (absent tasks are left out)
     */
    public Map<String, String> fingerprints(List<String> taskIds) {
        Map<String, String> result = new HashMap<>();
        for (int from = 0; from < taskIds.size(); from += IDS_PER_QUERY) {
            List<String> chunk = taskIds.subList(from, Math.min(taskIds.size(), from + IDS_PER_QUERY));
            database.jdbi()
                    .useHandle(handle -> handle.createQuery(
                                    "SELECT t.id, t.status, s.segment_count FROM task t LEFT JOIN tm_task s ON s.task_id = t.id"
                                            + " WHERE t.id IN (<ids>)")
                            .bindList("ids", chunk)
                            .map((rs, ctx) -> {
                                result.put(rs.getString(1), rs.getString(2) + "/" + rs.getLong(3));
                                return null;
                            })
                            .list());
        }
        return result;
    }

    /** @return the workspace's tasks whose status or messages changed at or after {@code sinceMillis} */
    public List<TaskState> changedSince(String workspaceId, long sinceMillis) {
        return database.jdbi().withHandle(handle -> {
            List<TaskState> states = new ArrayList<>();
            handle.createQuery(
                            "SELECT t.id, t.status, s.message_count, s.last_message_at FROM task t LEFT JOIN tm_task s ON s.task_id = t.id"
                                    + " WHERE t.workspace_id = :w AND t.updated_at >= :since"
                                    + " UNION SELECT t.id, t.status, s.message_count, s.last_message_at FROM task t JOIN tm_task s ON s.task_id = t.id"
                                    + " WHERE t.workspace_id = :w AND s.last_message_at >= :since")
                    .bind("w", workspaceId)
                    .bind("since", sinceMillis)
                    .map((rs, ctx) -> {
                        long count = rs.getLong(3);
                        long last = rs.getLong(4);
                        Optional<Long> lastAt = rs.wasNull() ? Optional.empty() : Optional.of(last);
                        states.add(new TaskState(rs.getString(1), rs.getString(2), count, lastAt));
                        return null;
                    })
                    .list();
            return states;
        });
    }
}
