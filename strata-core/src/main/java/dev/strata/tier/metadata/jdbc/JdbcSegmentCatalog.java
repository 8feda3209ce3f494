package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.ReplaceOutcome;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.SegmentKeys;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.TaskRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** {@link SegmentCatalog} on {@code tm_segment}, with replaced objects queued in {@code tm_deletion}. Thread-safe. */
final class JdbcSegmentCatalog implements SegmentCatalog {
    /** A task's internal key and its id. */
    private record TaskKey(long taskKey, String taskId) {}

    private final Database database;
    private final SegmentKeys keys;
    private final Clock clock;

    JdbcSegmentCatalog(Database database, SegmentKeys keys, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public List<SegmentRecord> segments(TaskRecord task) {
        return database.read(
                "metadata segments for " + task.taskId(),
                handle -> segmentsOf(handle, new TaskKey(task.taskKey(), task.taskId())));
    }

    private static List<SegmentRecord> segmentsOf(Handle handle, TaskKey task) {
        return handle.createQuery("SELECT segment_no, object_id, byte_size, checksum, message_count FROM tm_segment"
                        + " WHERE task_key = :key ORDER BY segment_no")
                .bind("key", task.taskKey())
                .map((rs, ctx) -> new SegmentRecord(
                        task.taskId(), rs.getInt(1), rs.getLong(2), rs.getInt(3), rs.getInt(4), rs.getInt(5)))
                .list();
    }

    @Override
    public ReplaceOutcome replaceSegments(
            TaskRecord task, Set<Integer> replaced, SegmentCommit merged, Instant deleteAfter) {
        TaskRows.requireSameTask(task, merged);
        return database.write("metadata replaceSegments for " + task.taskId(), handle -> {
            long taskKey = task.taskKey();
            Optional<Integer> segmentNo = TaskRows.nextSegmentNo(handle, task);
            if (segmentNo.isEmpty()) {
                return new ReplaceOutcome.TaskGone();
            }
            List<Long> present = handle.createQuery(
                            "SELECT object_id FROM tm_segment WHERE task_key = :key AND segment_no IN (<nos>)")
                    .bind("key", taskKey)
                    .bindList("nos", List.copyOf(replaced))
                    .mapTo(Long.class)
                    .list();
            if (present.size() != replaced.size()) {
                handle.rollback();
                return new ReplaceOutcome.Conflict();
            }
            int moved = handle.createUpdate(
                            "UPDATE tm_message SET segment_no = :new WHERE task_key = :key AND segment_no IN (<nos>)")
                    .bind("new", segmentNo.get())
                    .bind("key", taskKey)
                    .bindList("nos", List.copyOf(replaced))
                    .execute();
            if (moved != merged.rows().size()) {
                // The merged object was built from a different set of rows: never point rows at it.
                handle.rollback();
                return new ReplaceOutcome.Conflict();
            }
            Instant now = clock.instant();
            TaskRows.insertSegment(handle, segmentNo.get(), merged, moved, now);
            handle.createUpdate("DELETE FROM tm_segment WHERE task_key = :key AND segment_no IN (<nos>)")
                    .bind("key", taskKey)
                    .bindList("nos", List.copyOf(replaced))
                    .execute();
            for (long objectId : present) {
                JdbcDeletionQueue.enqueue(handle, keys.key(task.taskId(), objectId), now, deleteAfter);
            }
            handle.createUpdate(
                            "UPDATE tm_task SET live_segments = live_segments - :replaced + 1 WHERE task_key = :key")
                    .bind("replaced", replaced.size())
                    .bind("key", taskKey)
                    .execute();
            return new ReplaceOutcome.Replaced(moved);
        });
    }

    @Override
    public List<String> compactionCandidates(int maxOpenSegments, int limit) {
        return database.read(
                "metadata compactionCandidates for -",
                handle -> handle.createQuery(
                                "SELECT task_id FROM tm_task WHERE live_segments > 1 AND (sealed = 1 OR live_segments > :max)"
                                        + " ORDER BY live_segments DESC LIMIT :limit")
                        .bind("max", maxOpenSegments)
                        .bind("limit", limit)
                        .mapTo(String.class)
                        .list());
    }

    @Override
    public Set<Long> knownObjects(String taskId) {
        String prefix = keys.taskPrefix(taskId);
        // Every key that starts with the prefix sorts in [prefix, prefix with its last character incremented).
        String end = prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
        return database.read("metadata knownObjects for " + taskId, handle -> {
            Set<Long> known = new HashSet<>(
                    handle.createQuery("SELECT s.object_id FROM tm_segment s JOIN tm_task t ON t.task_key = s.task_key"
                                    + " WHERE t.task_id = :id")
                            .bind("id", taskId)
                            .mapTo(Long.class)
                            .list());
            handle.createQuery("SELECT object_key FROM tm_deletion WHERE object_key >= :from AND object_key < :to")
                    .bind("from", prefix)
                    .bind("to", end)
                    .mapTo(String.class)
                    .forEach(key -> keys.objectId(key).ifPresent(known::add));
            return known;
        });
    }

    @Override
    public List<TaskSegments> segmentsAfter(String afterTaskId, int limit) {
        return database.read("metadata segmentsAfter for " + afterTaskId, handle -> {
            List<TaskSegments> result = new ArrayList<>();
            handle.createQuery(
                            "SELECT task_key, task_id FROM tm_task WHERE task_id > :after ORDER BY task_id LIMIT :limit")
                    .bind("after", afterTaskId)
                    .bind("limit", limit)
                    .map((rs, ctx) -> new TaskKey(rs.getLong(1), rs.getString(2)))
                    .list()
                    .forEach(task -> result.add(new TaskSegments(task.taskId(), segmentsOf(handle, task))));
            return result;
        });
    }
}
