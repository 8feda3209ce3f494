package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.ReplaceOutcome;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.SegmentKeys;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.TaskRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

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
        return handle.createQuery(
                        "SELECT segment_no, object_id, byte_size, checksum, message_count, object_kind, frame_offset,"
                                + " first_seq, last_seq FROM tm_segment WHERE task_key = :key ORDER BY segment_no")
                .bind("key", task.taskKey())
                .map((rs, ctx) -> {
                    long firstSeq = rs.getLong(8);
                    boolean seqsKnown = !rs.wasNull();
                    long lastSeq = rs.getLong(9);
                    return new SegmentRecord(
                            task.taskId(),
                            rs.getInt(1),
                            rs.getLong(2),
                            rs.getInt(3),
                            rs.getInt(4),
                            rs.getInt(5),
                            ObjectKind.ofColumn(rs.getInt(6)),
                            rs.getLong(7),
                            seqsKnown ? firstSeq : SegmentRecord.UNKNOWN_SEQ,
                            seqsKnown ? lastSeq : SegmentRecord.UNKNOWN_SEQ);
                })
                .list();
    }

    @Override
    public ReplaceOutcome replaceSegments(
            TaskRecord task, Set<Integer> replaced, List<SegmentCommit> frames, Instant deleteAfter) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a replacement has at least one frame");
        }
        frames.forEach(frame -> TaskRows.requireSameTask(task, frame));
        ObjectKind kind = frames.get(0).kind();
        if (kind == ObjectKind.SHARED
                || frames.stream()
                        .anyMatch(f -> f.kind() != kind
                                || f.objectId() != frames.get(0).objectId())
                || (kind == ObjectKind.TASK && frames.size() > 1)) {
            throw new IllegalArgumentException("frames of a replacement must be one task object's, got " + frames);
        }
        return database.write("metadata replaceSegments for " + task.taskId(), handle -> {
            long taskKey = task.taskKey();
            List<Integer> segmentNos = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                Optional<Integer> segmentNo = TaskRows.nextSegmentNo(handle, task);
                if (segmentNo.isEmpty()) {
                    return new ReplaceOutcome.TaskGone();
                }
                segmentNos.add(segmentNo.get());
            }
            List<ObjectRows.RemovedFrame> present = handle.createQuery(
                            "SELECT object_id, object_kind FROM tm_segment WHERE task_key = :key AND segment_no IN (<nos>)")
                    .bind("key", taskKey)
                    .bindList("nos", List.copyOf(replaced))
                    .map((rs, ctx) -> new ObjectRows.RemovedFrame(
                            task.taskId(), rs.getLong(1), ObjectKind.ofColumn(rs.getInt(2))))
                    .list();
            if (present.size() != replaced.size()) {
                handle.rollback();
                return new ReplaceOutcome.Conflict();
            }
            Instant now = clock.instant();
            int moved = 0;
            for (int i = 0; i < frames.size(); i++) {
                SegmentCommit frame = frames.get(i);
                // A frame holds a consecutive run of the replaced messages, so its seq range picks them.
                int movedHere = handle.createUpdate("UPDATE tm_message SET segment_no = :new WHERE task_key = :key"
                                + " AND segment_no IN (<nos>) AND seq >= :first AND seq <= :last")
                        .bind("new", segmentNos.get(i))
                        .bind("key", taskKey)
                        .bindList("nos", List.copyOf(replaced))
                        .bind("first", frame.rows().get(0).seq())
                        .bind("last", frame.rows().get(frame.rows().size() - 1).seq())
                        .execute();
                if (movedHere != frame.rows().size()) {
                    // The object was built from a different set of rows: never point rows at it.
                    handle.rollback();
                    return new ReplaceOutcome.Conflict();
                }
                TaskRows.insertSegment(
                        handle,
                        segmentNos.get(i),
                        frame,
                        movedHere,
                        frame.rows().get(0).seq(),
                        frame.rows().get(frame.rows().size() - 1).seq(),
                        now);
                moved += movedHere;
            }
            handle.createUpdate("DELETE FROM tm_segment WHERE task_key = :key AND segment_no IN (<nos>)")
                    .bind("key", taskKey)
                    .bindList("nos", List.copyOf(replaced))
                    .execute();
            ObjectRows.release(handle, database.dialect(), keys, present, now, deleteAfter);
            if (kind == ObjectKind.CONSOLIDATED) {
                ObjectRows.insert(handle, frames.get(0).objectId(), kind, frames.size(), now);
            }
            long looseReplaced = present.stream()
                    .filter(frame -> frame.kind() != ObjectKind.CONSOLIDATED)
                    .count();
            long sharedReplaced = present.stream()
                    .filter(frame -> frame.kind() == ObjectKind.SHARED)
                    .count();
            handle.createUpdate("UPDATE tm_task SET live_segments = live_segments - :replaced + :frames,"
                            + " loose_segments = loose_segments - :loose + :newLoose,"
                            + " shared_frames = shared_frames - :shared WHERE task_key = :key")
                    .bind("replaced", replaced.size())
                    .bind("frames", frames.size())
                    .bind("loose", looseReplaced)
                    .bind("newLoose", kind == ObjectKind.TASK ? 1 : 0)
                    .bind("shared", sharedReplaced)
                    .bind("key", taskKey)
                    .execute();
            return new ReplaceOutcome.Replaced(moved);
        });
    }

    @Override
    public ReplaceOutcome moveSegments(TaskRecord task, long objectId, List<Move> moves, Instant deleteAfter) {
        if (moves.isEmpty()) {
            throw new IllegalArgumentException("a move has at least one segment");
        }
        for (Move move : moves) {
            if (!move.from().taskId().equals(task.taskId())) {
                throw new IllegalArgumentException(
                        "segment of task " + move.from().taskId() + " moved for " + task.taskId());
            }
        }
        long loose = moves.stream()
                .filter(move -> move.from().kind() != ObjectKind.CONSOLIDATED)
                .count();
        long shared = moves.stream()
                .filter(move -> move.from().kind() == ObjectKind.SHARED)
                .count();
        return database.write("metadata moveSegments for " + task.taskId(), handle -> {
            // The task row first, as every commit and compaction takes it: on PostgreSQL it stays
            // locked until commit, so the segments below cannot change under this transaction.
            int taskRows = handle.createUpdate("UPDATE tm_task SET loose_segments = loose_segments - :loose,"
                            + " shared_frames = shared_frames - :shared, merge_pending = 1"
                            + " WHERE task_key = :key AND task_id = :id")
                    .bind("loose", loose)
                    .bind("shared", shared)
                    .bind("key", task.taskKey())
                    .bind("id", task.taskId())
                    .execute();
            if (taskRows == 0) {
                return new ReplaceOutcome.TaskGone();
            }
            PreparedBatch update = handle.prepareBatch("UPDATE tm_segment SET object_id = ?, object_kind = ?,"
                    + " frame_offset = ? WHERE task_key = ? AND segment_no = ? AND object_id = ? AND object_kind = ?"
                    + " AND frame_offset = ?");
            List<ObjectRows.RemovedFrame> removed = new ArrayList<>(moves.size());
            int messages = 0;
            for (Move move : moves) {
                SegmentRecord from = move.from();
                update.bind(0, objectId)
                        .bind(1, ObjectKind.CONSOLIDATED.column())
                        .bind(2, move.frameOffset())
                        .bind(3, task.taskKey())
                        .bind(4, from.segmentNo())
                        .bind(5, from.objectId())
                        .bind(6, from.kind().column())
                        .bind(7, from.frameOffset())
                        .add();
                removed.add(new ObjectRows.RemovedFrame(task.taskId(), from.objectId(), from.kind()));
                messages += from.messageCount();
            }
            for (int count : update.execute()) {
                if (count != 1) {
                    handle.rollback();
                    return new ReplaceOutcome.Conflict();
                }
            }
            Instant now = clock.instant();
            ObjectRows.release(handle, database.dialect(), keys, removed, now, deleteAfter);
            ObjectRows.insert(handle, objectId, ObjectKind.CONSOLIDATED, moves.size(), now);
            return new ReplaceOutcome.Replaced(messages);
        });
    }

    @Override
    public void mergeDone(TaskRecord task) {
        database.write(
                "metadata mergeDone for " + task.taskId(),
                handle -> handle.createUpdate("UPDATE tm_task SET merge_pending = 0"
                                + " WHERE task_key = :key AND task_id = :id AND merge_pending = 1")
                        .bind("key", task.taskKey())
                        .bind("id", task.taskId())
                        .execute());
    }

    /**
     * The {@code tm_task} condition of a task with segments to move: sealed with any frame in a
     * shared object or several one-frame objects, or open with more than {@code :max} such segments.
     */
    private static final String MOVE_CANDIDATE =
            "(loose_segments > 0 AND ((sealed = 1 AND (shared_frames > 0 OR loose_segments > 1)) OR loose_segments > :max))";

    /** The {@code tm_task} condition of a sealed task whose moved segments wait for their merge. */
    private static final String MERGE_CANDIDATE = "(merge_pending = 1 AND sealed = 1)";

    /**
     * Tasks with segments not yet consolidated ({@link #MOVE_CANDIDATE}), most loose segments
     * first; then sealed tasks whose moved segments wait for their merge. A task whose segments
     * are all in consolidated objects, and merged once sealed, is never a candidate again.
     */
    @Override
    public List<String> compactionCandidates(int maxOpenSegments, int limit) {
        return database.read("metadata compactionCandidates for -", handle -> {
            List<String> candidates = new ArrayList<>(handle.createQuery("SELECT task_id FROM tm_task WHERE "
                            + MOVE_CANDIDATE + " ORDER BY loose_segments DESC LIMIT :limit")
                    .bind("max", maxOpenSegments)
                    .bind("limit", limit)
                    .mapTo(String.class)
                    .list());
            if (candidates.size() < limit) {
                Set<String> found = new HashSet<>(candidates);
                handle
                        .createQuery("SELECT task_id FROM tm_task WHERE " + MERGE_CANDIDATE
                                + " ORDER BY task_id LIMIT :limit")
                        .bind("limit", limit)
                        .mapTo(String.class)
                        .list()
                        .stream()
                        .filter(found::add)
                        .limit(limit - candidates.size())
                        .forEach(candidates::add);
            }
            return candidates;
        });
    }

    @Override
    public long compactionBacklog(int maxOpenSegments) {
        return database.read(
                "metadata compactionBacklog for -",
                handle -> handle.createQuery(
                                "SELECT COUNT(*) FROM tm_task WHERE " + MOVE_CANDIDATE + " OR " + MERGE_CANDIDATE)
                        .bind("max", maxOpenSegments)
                        .mapTo(Long.class)
                        .one());
    }

    @Override
    public List<String> sharedFramesBefore(Instant cutoff, int limit) {
        return database.read(
                "metadata sharedFramesBefore for -",
                handle -> handle.createQuery(
                                "SELECT t.task_id FROM tm_segment s JOIN tm_task t ON t.task_key = s.task_key"
                                        + " WHERE s.object_kind = 1 AND s.created_at < :cutoff"
                                        + " GROUP BY t.task_id ORDER BY MIN(s.created_at) LIMIT :limit")
                        .bind("cutoff", cutoff.toEpochMilli())
                        .bind("limit", limit)
                        .mapTo(String.class)
                        .list());
    }

    @Override
    public Optional<Instant> oldestSharedObject() {
        return database.read(
                "metadata oldestSharedObject for -",
                handle -> handle.createQuery(
                                "SELECT created_at FROM tm_object WHERE object_kind = 1 AND live_frames > 0"
                                        + " ORDER BY created_at LIMIT 1")
                        .mapTo(Long.class)
                        .findOne()
                        .map(Instant::ofEpochMilli));
    }

    @Override
    public Set<Long> knownObjects(String taskId) {
        String prefix = keys.taskPrefix(taskId);
        // Every key that starts with the prefix sorts in [prefix, prefix with its last character incremented).
        String end = prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
        return database.read("metadata knownObjects for " + taskId, handle -> {
            Set<Long> known = new HashSet<>(
                    handle.createQuery("SELECT s.object_id FROM tm_segment s JOIN tm_task t ON t.task_key = s.task_key"
                                    + " WHERE t.task_id = :id AND s.object_kind <> 1")
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
    public Set<Long> knownSharedObjects(java.util.Collection<Long> objectIds) {
        if (objectIds.isEmpty()) {
            return Set.of();
        }
        List<Long> ids = List.copyOf(objectIds);
        return database.read("metadata knownSharedObjects for -", handle -> {
            Set<Long> known = new HashSet<>();
            for (int from = 0; from < ids.size(); from += CommitTransaction.ROWS_PER_STATEMENT) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CommitTransaction.ROWS_PER_STATEMENT));
                // A shared object has its tm_object row from the commit that first references it
                // until its last live frame goes, when it is queued in tm_deletion instead.
                known.addAll(handle.createQuery("SELECT object_id FROM tm_object WHERE object_id IN (<ids>)")
                        .bindList("ids", chunk)
                        .mapTo(Long.class)
                        .list());
                Map<String, Long> byKey = new HashMap<>();
                chunk.forEach(id -> byKey.put(keys.sharedKey(id), id));
                handle.createQuery("SELECT object_key FROM tm_deletion WHERE object_key IN (<keys>)")
                        .bindList("keys", List.copyOf(byKey.keySet()))
                        .mapTo(String.class)
                        .forEach(key -> known.add(byKey.get(key)));
            }
            return known;
        });
    }

    @Override
    public List<PendingDeletion> claimOrphans(java.util.Collection<String> objectKeys) {
        if (objectKeys.isEmpty()) {
            return List.of();
        }
        return database.write("metadata claimOrphans for -", handle -> {
            Instant now = clock.instant();
            List<PendingDeletion> claimed = new ArrayList<>();
            for (String key : objectKeys) {
                OptionalLong objectId = keys.objectId(key);
                if (objectId.isEmpty()) {
                    continue;
                }
                ObjectKind kind =
                        key.equals(keys.sharedKey(objectId.getAsLong())) ? ObjectKind.SHARED : ObjectKind.CONSOLIDATED;
                boolean queued = handle.createQuery("SELECT 1 FROM tm_deletion WHERE object_key = :key")
                        .bind("key", key)
                        .mapTo(Integer.class)
                        .findFirst()
                        .isPresent();
                // The row's primary key is the fence: a flush or a compaction commit inserts the
                // same id, so on PostgreSQL whichever transaction comes second waits for the
                // first, then this insert does nothing or the commit fails; SQLite has one writer.
                if (!queued && ObjectRows.claim(handle, objectId.getAsLong(), kind, now)) {
                    claimed.add(JdbcDeletionQueue.enqueue(handle, key, now, now));
                }
            }
            return claimed;
        });
    }

    @Override
    public int forgetClaimsBefore(Instant cutoff) {
        return database.write("metadata forgetClaimsBefore for -", handle -> ObjectRows.forgetClaims(handle, cutoff));
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

    @Override
    public List<SegmentMismatch> segmentMismatches(java.util.Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return List.of();
        }
        // One statement, so one snapshot on both dialects. A segment written before V8 has no
        // recorded range: only its message count is compared.
        String sql = "SELECT t.task_id, s.segment_no, s.message_count, s.first_seq, s.last_seq, m.n, m.lo, m.hi"
                + " FROM tm_task t JOIN tm_segment s ON s.task_key = t.task_key"
                + " LEFT JOIN (SELECT mm.task_key, mm.segment_no, COUNT(*) AS n, MIN(mm.seq) AS lo, MAX(mm.seq) AS hi"
                + " FROM tm_message mm JOIN tm_task tt ON tt.task_key = mm.task_key WHERE tt.task_id IN (<ids>)"
                + " GROUP BY mm.task_key, mm.segment_no) m ON m.task_key = s.task_key AND m.segment_no = s.segment_no"
                + " WHERE t.task_id IN (<ids>) AND (m.n IS NULL OR m.n <> s.message_count"
                + " OR (s.first_seq IS NOT NULL AND (s.first_seq <> m.lo OR s.last_seq <> m.hi)))"
                + " UNION ALL"
                + " SELECT t.task_id, m.segment_no, NULL, NULL, NULL, COUNT(*), MIN(m.seq), MAX(m.seq)"
                + " FROM tm_task t JOIN tm_message m ON m.task_key = t.task_key WHERE t.task_id IN (<ids>)"
                + " AND NOT EXISTS (SELECT 1 FROM tm_segment s WHERE s.task_key = m.task_key AND s.segment_no = m.segment_no)"
                + " GROUP BY t.task_id, m.segment_no";
        return database.read(
                "metadata segmentMismatches for -",
                handle -> handle.createQuery(sql)
                        .bindList("ids", List.copyOf(taskIds))
                        .map((rs, ctx) -> new SegmentMismatch(rs.getString(1), rs.getInt(2), span(rs, 3), span(rs, 6)))
                        .list());
    }

    /** The span in columns {@code from} to {@code from + 2}; empty when its count is NULL. */
    private static Optional<SeqSpan> span(ResultSet rs, int from) throws SQLException {
        long count = rs.getLong(from);
        if (rs.wasNull()) {
            return Optional.empty();
        }
        long first = rs.getLong(from + 1);
        long firstOrUnknown = rs.wasNull() ? SegmentRecord.UNKNOWN_SEQ : first;
        long last = rs.getLong(from + 2);
        return Optional.of(new SeqSpan(count, firstOrUnknown, rs.wasNull() ? SegmentRecord.UNKNOWN_SEQ : last));
    }
}
