package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.model.BackendUnavailableException;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.SegmentKeys;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes tasks with all their metadata and queues their segment objects for deletion in the same
 * transaction, then prunes the names no task uses any more. Thread-safe.
 */
final class TaskDeletion {
    private static final Logger log = LoggerFactory.getLogger(TaskDeletion.class);

    private final Database database;
    private final NameDictionary names;
    private final SegmentKeys keys;
    private final Clock clock;

    TaskDeletion(Database database, NameDictionary names, SegmentKeys keys, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.names = requireNonNull(names, "names is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    List<PendingDeletion> deleteTasks(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return List.of();
        }
        Set<Integer> namesUsed = new HashSet<>();
        List<PendingDeletion> queued =
                database.write("metadata deleteTasks for " + taskIds.iterator().next(), handle -> {
                    Instant now = clock.instant();
                    List<ObjectRows.RemovedFrame> removed = new ArrayList<>();
                    // In lock order, so two deletes of overlapping sets, or a delete and a flush,
                    // take task rows in one order.
                    Set<String> ordered = new TreeSet<>(TaskRows.LOCK_ORDER);
                    ordered.addAll(taskIds);
                    for (String taskId : ordered) {
                        // The task row goes first: on PostgreSQL this waits for a commit that holds
                        // it, and every later statement then sees that commit's rows.
                        Optional<Long> taskKey = handle.createQuery(
                                        "DELETE FROM tm_task WHERE task_id = :id RETURNING task_key")
                                .bind("id", taskId)
                                .mapTo(Long.class)
                                .findOne();
                        if (taskKey.isEmpty()) {
                            continue;
                        }
                        removed.addAll(handle.createQuery(
                                        "SELECT object_id, object_kind FROM tm_segment WHERE task_key = :key")
                                .bind("key", taskKey.get())
                                .map((rs, ctx) -> new ObjectRows.RemovedFrame(
                                        taskId, rs.getLong(1), ObjectKind.ofColumn(rs.getInt(2))))
                                .list());
                        namesUsed.addAll(handle.createQuery("SELECT name_id FROM tm_task_name WHERE task_key = :key")
                                .bind("key", taskKey.get())
                                .mapTo(Integer.class)
                                .list());
                        for (String table : List.of("tm_message", "tm_segment", "tm_type_count", "tm_task_name")) {
                            handle.createUpdate("DELETE FROM " + table + " WHERE task_key = :key")
                                    .bind("key", taskKey.get())
                                    .execute();
                        }
                    }
                    // Objects last, all tasks' together, in object id order (see ObjectRows.release).
                    return ObjectRows.release(handle, database.dialect(), keys, removed, now, now);
                });
        pruneNames(namesUsed);
        return queued;
    }

    /** Removes the names a crash left unused between a delete and its pruning. */
    void pruneAllNames() {
        database.write("metadata pruneNames for -", names::pruneAll);
    }

    /**
     * Removes the names no task uses any more, in a transaction of its own: on PostgreSQL it waits
     * for commits in flight, which a large delete should not hold up. A failure only leaves unused
     * names until the next start.
     */
    private void pruneNames(Set<Integer> candidates) {
        if (candidates.isEmpty()) {
            return;
        }
        try {
            database.write("metadata pruneNames for -", handle -> names.prune(handle, candidates));
        } catch (BackendUnavailableException e) {
            log.warn("could not prune {} unused names; the next start will: {}", candidates.size(), e.getMessage());
        }
    }
}
