package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.StoreActivity;
import dev.strata.tier.metadata.TaskTimes;
import dev.strata.tier.metadata.jdbc.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what live tails watch: the server's task rows (status, last update) together with what the
 * store holds of each task, asked through the store's {@link TaskTimes} (the server never reads the
 * store's tables). Gives a fingerprint per task for the periodic catch-up, and the recent activity of
 * a workspace. Thread-safe.
 */
public final class TaskActivity {
    private static final int IDS_PER_QUERY = 500;
    private static final StoreActivity NOTHING_STORED = new StoreActivity(0, Optional.empty(), 0);

    private final Database database;
    private final TaskTimes store;

    public TaskActivity(Database database, TaskTimes store) {
        this.database = requireNonNull(database, "database is null");
        this.store = requireNonNull(store, "store is null");
    }

    /** A task as a task list shows it. */
    public record TaskState(String id, String status, long messageCount, Optional<Long> lastMessageAt) {}

    private record TaskRow(String id, String status, long updatedAt) {}

    /**
     * @return per existing task, a value that changes whenever its status changes or a commit or
     *     compaction happens to it (absent tasks are left out)
     */
    public Map<String, String> fingerprints(List<String> taskIds) {
        Map<String, String> result = new HashMap<>();
        for (int from = 0; from < taskIds.size(); from += IDS_PER_QUERY) {
            List<String> chunk = taskIds.subList(from, Math.min(taskIds.size(), from + IDS_PER_QUERY));
            List<TaskRow> rows = database.read(
                    "task rows for " + chunk.get(0),
                    handle -> handle.createQuery("SELECT id, status, updated_at FROM task WHERE id IN (<ids>)")
                            .bindList("ids", chunk)
                            .map((rs, ctx) -> new TaskRow(rs.getString(1), rs.getString(2), rs.getLong(3)))
                            .list());
            Map<String, StoreActivity> stored = store.activity(chunk);
            for (TaskRow row : rows) {
                StoreActivity activity = stored.getOrDefault(row.id(), NOTHING_STORED);
                result.put(row.id(), row.status() + "/" + activity.segmentsWritten() + "/" + activity.messageCount());
            }
        }
        return result;
    }

    /** @return the workspace's tasks whose status or messages changed at or after {@code sinceMillis} */
    public List<TaskState> changedSince(String workspaceId, long sinceMillis) {
        List<TaskRow> rows = database.read(
                "task rows of workspace " + workspaceId,
                handle -> handle.createQuery("SELECT id, status, updated_at FROM task WHERE workspace_id = :w")
                        .bind("w", workspaceId)
                        .map((rs, ctx) -> new TaskRow(rs.getString(1), rs.getString(2), rs.getLong(3)))
                        .list());
        Map<String, StoreActivity> stored =
                store.activity(rows.stream().map(TaskRow::id).toList());
        Instant since = Instant.ofEpochMilli(sinceMillis);
        List<TaskState> changed = new ArrayList<>();
        for (TaskRow row : rows) {
            StoreActivity activity = stored.getOrDefault(row.id(), NOTHING_STORED);
            boolean written =
                    activity.lastMessageAt().filter(at -> !at.isBefore(since)).isPresent();
            if (row.updatedAt() >= sinceMillis || written) {
                changed.add(new TaskState(
                        row.id(),
                        row.status(),
                        activity.messageCount(),
                        activity.lastMessageAt().map(Instant::toEpochMilli)));
            }
        }
        return changed;
    }
}
