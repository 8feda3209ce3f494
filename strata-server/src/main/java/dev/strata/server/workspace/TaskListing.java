package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.StoreActivity;
import dev.strata.tier.metadata.TaskTimes;
import dev.strata.tier.metadata.jdbc.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workspace's tasks, most recent activity first, in pages that stay stable while appends reorder
 * the tasks. A task's activity is the later of its newest message and its last status change (its
 * creation, if none), so it lives half in the store's tables, which only {@link TaskTimes} reads:
 * the first page orders every task of the list here. When the list is longer than a page, that order
 * is kept as a snapshot ({@link TaskSnapshots}) and the cursor points into it; later pages read their
 * slice and show each task as it is now. A task deleted meanwhile drops out, as does one whose status
 * no longer matches the filter; one created meanwhile is not in the snapshot (a live view learns of it
 * from the workspace stream). So no task shows twice and none is skipped, on any instance. Thread-safe.
 */
final class TaskListing {
    private final Database database;
    private final TaskTimes storeTasks;
    private final TaskSnapshots snapshots;

    TaskListing(Database database, TaskTimes storeTasks, TaskSnapshots snapshots) {
        this.database = requireNonNull(database, "database is null");
        this.storeTasks = requireNonNull(storeTasks, "storeTasks is null");
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
    }

    private record Row(Task task, long updatedAt) {}

    /**
     * @param cursor the {@link ListPage#nextCursor} of the page before, or empty for the first page
     * @throws InvalidInputException when the cursor is not one, expired, or was made for another
     *     workspace or filter
     */
    ListPage<ListedTask> list(String workspaceId, TaskFilter filter, int limit, Optional<String> cursor) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        if (cursor.isPresent()) {
            TaskSnapshots.Position position = TaskSnapshots.parse(cursor.get());
            List<String> order = snapshots.read(workspaceId, filter, position.snapshotId());
            if (position.offset() >= order.size()) {
                throw new InvalidInputException("invalid cursor");
            }
            int end = (int) Math.min(order.size(), (long) position.offset() + limit);
            List<ListedTask> page = current(workspaceId, filter, order.subList(position.offset(), end));
            return new ListPage<>(
                    page,
                    end < order.size()
                            ? Optional.of(TaskSnapshots.cursor(position.snapshotId(), end))
                            : Optional.empty());
        }
        List<ListedTask> all = ordered(rows(workspaceId, filter));
        if (all.size() <= limit) {
            return new ListPage<>(all, Optional.empty());
        }
        String snapshot = snapshots.create(
                workspaceId, filter, all.stream().map(t -> t.task().id()).toList());
        return new ListPage<>(all.subList(0, limit), Optional.of(TaskSnapshots.cursor(snapshot, limit)));
    }

    /** Every task of the list with what the store holds of it, most recent activity first. */
    private List<ListedTask> ordered(List<Row> rows) {
        Map<String, StoreActivity> stored = activity(rows);
        Map<String, Long> activityAt = new HashMap<>();
        List<ListedTask> tasks = new ArrayList<>(rows.size());
        for (Row row : rows) {
            StoreActivity activity = stored.get(row.task().id());
            if (activity == null) {
                // Its delete is under way (the store goes first): listed as after the delete.
                continue;
            }
            long lastMessage =
                    activity.lastMessageAt().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
            activityAt.put(row.task().id(), Math.max(row.updatedAt(), lastMessage));
            tasks.add(new ListedTask(row.task(), activity.messageCount(), activity.lastMessageAt()));
        }
        tasks.sort(
                Comparator.comparing((ListedTask t) -> activityAt.get(t.task().id()))
                        .reversed()
                        .thenComparing(t -> t.task().id()));
        return tasks;
    }

    /** The tasks of {@code ids} as they are now, in that order; gone ones and those the filter no longer matches left out. */
    private List<ListedTask> current(String workspaceId, TaskFilter filter, List<String> ids) {
        Map<String, Row> rows = new HashMap<>();
        database.read(
                        "directory listTasks page",
                        h -> h.createQuery(
                                        "SELECT id, workspace_id, conversation_id, status, created_at, updated_at FROM task"
                                                + " WHERE workspace_id = :w AND id IN (<ids>)")
                                .bind("w", workspaceId)
                                .bindList("ids", ids)
                                .map((rs, ctx) -> row(rs))
                                .list())
                .forEach(row -> rows.put(row.task().id(), row));
        Map<String, StoreActivity> stored = activity(List.copyOf(rows.values()));
        List<ListedTask> page = new ArrayList<>(ids.size());
        for (String id : ids) {
            Row row = rows.get(id);
            StoreActivity activity = stored.get(id);
            if (row == null
                    || activity == null
                    || filter.status().filter(s -> s != row.task().status()).isPresent()) {
                continue;
            }
            page.add(new ListedTask(row.task(), activity.messageCount(), activity.lastMessageAt()));
        }
        return page;
    }

    private List<Row> rows(String workspaceId, TaskFilter filter) {
        StringBuilder sql = new StringBuilder(
                "SELECT id, workspace_id, conversation_id, status, created_at, updated_at FROM task WHERE workspace_id = :w");
        filter.status().ifPresent(s -> sql.append(" AND status = :status"));
        filter.conversationId().ifPresent(c -> sql.append(" AND conversation_id = :c"));
        return database.read("directory listTasks of " + workspaceId, h -> {
            var query = h.createQuery(sql.toString()).bind("w", workspaceId);
            filter.status().ifPresent(s -> query.bind("status", s.wireName()));
            filter.conversationId().ifPresent(c -> query.bind("c", c));
            return query.map((rs, ctx) -> row(rs)).list();
        });
    }

    private Map<String, StoreActivity> activity(List<Row> rows) {
        return storeTasks.activity(rows.stream().map(row -> row.task().id()).toList());
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(
                new Task(
                        rs.getString(1),
                        rs.getString(2),
                        Optional.ofNullable(rs.getString(3)),
                        TaskStatus.fromWireName(rs.getString(4)),
                        Instant.ofEpochMilli(rs.getLong(5))),
                rs.getLong(6));
    }
}
