package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.StoreActivity;
import dev.strata.tier.metadata.TaskTimes;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link TaskTimes} on {@code tm_task}. Thread-safe. */
public final class JdbcTaskTimes implements TaskTimes {
    /** Ids per statement, well under SQLite's limit of bound parameters. */
    private static final int IDS_PER_STATEMENT = 500;

    private final Database database;

    /** Reads the store's tasks in {@code database}, whose schema the store's metadata tier migrates. */
    public JdbcTaskTimes(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    @Override
    public Set<String> createdBefore(Collection<String> taskIds, Instant before) {
        List<String> all = List.copyOf(taskIds);
        if (all.isEmpty()) {
            return Set.of();
        }
        return database.read("metadata createdBefore for " + all.get(0), handle -> {
            Set<String> created = new HashSet<>();
            for (int from = 0; from < all.size(); from += IDS_PER_STATEMENT) {
                created.addAll(handle.createQuery(
                                "SELECT task_id FROM tm_task WHERE task_id IN (<ids>) AND created_at < :before")
                        .bindList("ids", all.subList(from, Math.min(all.size(), from + IDS_PER_STATEMENT)))
                        .bind("before", before.toEpochMilli())
                        .mapTo(String.class)
                        .list());
            }
            return created;
        });
    }

    @Override
    public Map<String, Instant> lastMessageTimes(Collection<String> taskIds) {
        List<String> all = List.copyOf(taskIds);
        if (all.isEmpty()) {
            return Map.of();
        }
        return database.read("metadata lastMessageTimes for " + all.get(0), handle -> {
            Map<String, Instant> times = new HashMap<>();
            for (int from = 0; from < all.size(); from += IDS_PER_STATEMENT) {
                handle.createQuery("SELECT task_id, last_message_at FROM tm_task"
                                + " WHERE task_id IN (<ids>) AND last_message_at IS NOT NULL")
                        .bindList("ids", all.subList(from, Math.min(all.size(), from + IDS_PER_STATEMENT)))
                        .map((rs, ctx) -> times.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))))
                        .list();
            }
            return times;
        });
    }

    @Override
    public Map<String, StoreActivity> activity(Collection<String> taskIds) {
        List<String> all = List.copyOf(taskIds);
        if (all.isEmpty()) {
            return Map.of();
        }
        return database.read("metadata activity for " + all.get(0), handle -> {
            Map<String, StoreActivity> activity = new HashMap<>();
            for (int from = 0; from < all.size(); from += IDS_PER_STATEMENT) {
                handle.createQuery("SELECT task_id, message_count, last_message_at, segment_count FROM tm_task"
                                + " WHERE task_id IN (<ids>)")
                        .bindList("ids", all.subList(from, Math.min(all.size(), from + IDS_PER_STATEMENT)))
                        .map((rs, ctx) -> {
                            long count = rs.getLong(2);
                            long last = rs.getLong(3);
                            Optional<Instant> lastAt =
                                    rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last));
                            return activity.put(rs.getString(1), new StoreActivity(count, lastAt, rs.getLong(4)));
                        })
                        .list();
            }
            return activity;
        });
    }
}
