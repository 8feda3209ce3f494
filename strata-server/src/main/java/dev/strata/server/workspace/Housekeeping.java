package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.TaskTimes;
import dev.strata.tier.metadata.jdbc.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Retention settings and the questions that clean-up asks: which tasks went inactive, which store
 * tasks the directory forgot. The store's side is asked through {@link TaskTimes}, never its
 * tables. Thread-safe.
 */
final class Housekeeping {
    private final Database database;
    private final TaskRecords tasks;
    private final TaskTimes storeTasks;

    Housekeeping(Database database, TaskRecords tasks, TaskTimes storeTasks) {
        this.database = requireNonNull(database, "database is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
        this.storeTasks = requireNonNull(storeTasks, "storeTasks is null");
    }

    void setRetention(String workspaceId, Optional<String> retention) {
        int changed = database.write(
                "directory setRetention",
                h -> h.createUpdate("UPDATE workspace SET retention = :retention WHERE id = :id")
                        .bind("retention", retention.orElse(null))
                        .bind("id", workspaceId)
                        .execute());
        if (changed == 0) {
            throw new InvalidInputException("workspace not found: " + workspaceId);
        }
    }

    Map<String, Optional<String>> retentions() {
        return database.read("directory retentions", h -> {
            Map<String, Optional<String>> result = new LinkedHashMap<>();
            h.createQuery("SELECT id, retention FROM workspace ORDER BY id")
                    .map((rs, ctx) -> result.put(rs.getString(1), Optional.ofNullable(rs.getString(2))))
                    .list();
            return result;
        });
    }

    /**
     * Pages through the workspace's tasks unchanged since {@code cutoff}, in id order, and keeps
     * those whose newest message (if any) is before it too, until {@code limit} are found.
     */
    List<String> inactiveTasks(String workspaceId, Instant cutoff, int limit) {
        List<String> inactive = new ArrayList<>();
        String after = "";
        while (inactive.size() < limit) {
            String from = after;
            List<String> page = database.read(
                    "directory inactiveTasks",
                    h -> h.createQuery("SELECT id FROM task WHERE workspace_id = :w AND updated_at < :cutoff"
                                    + " AND id > :after ORDER BY id LIMIT :limit")
                            .bind("w", workspaceId)
                            .bind("cutoff", cutoff.toEpochMilli())
                            .bind("after", from)
                            .bind("limit", limit)
                            .mapTo(String.class)
                            .list());
            Map<String, Instant> lastMessages = storeTasks.lastMessageTimes(page);
            for (String taskId : page) {
                Instant last = lastMessages.get(taskId);
                if ((last == null || last.isBefore(cutoff)) && inactive.size() < limit) {
                    inactive.add(taskId);
                }
            }
            if (page.size() < limit) {
                break;
            }
            after = page.get(page.size() - 1);
        }
        return inactive;
    }

    /**
     * Store tasks created before {@code createdBefore} that have no task row here. The store is
     * asked first: a creation writes the store's row before the directory's, so a task being
     * created now is either too young to count or already has its row when the directory is read.
     */
    Set<String> forgottenStoreTasks(Collection<String> taskIds, Instant createdBefore) {
        if (taskIds.isEmpty()) {
            return Set.of();
        }
        Set<String> forgotten = new HashSet<>(storeTasks.createdBefore(taskIds, createdBefore));
        forgotten.removeAll(tasks.known(forgotten));
        return forgotten;
    }
}
