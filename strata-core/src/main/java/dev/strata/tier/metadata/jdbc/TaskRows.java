package dev.strata.tier.metadata.jdbc;

import dev.strata.model.TaskSummary;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Statements on {@code tm_task} and {@code tm_segment} that commits and compactions share. Stateless. */
final class TaskRows {
    /** The columns {@link #taskRecord} reads. */
    static final String TASK_COLUMNS = "task_key, task_id, sealed, message_count, last_message_at, live_segments";

    /** {@link #TASK_COLUMNS} of {@code tm_task t}, for queries that join it. */
    static final String TASK_COLUMNS_OF_T = java.util.Arrays.stream(TASK_COLUMNS.split(", "))
            .map(column -> "t." + column)
            .collect(java.util.stream.Collectors.joining(", "));

    /**
     * The order every transaction that takes several task rows takes them in (flushes, task
     * deletions, seals), so on PostgreSQL two of them never deadlock: task ids by code point, the
     * order of PostgreSQL's C collation (UTF-8 bytes), which the flush's locking {@code SELECT}
     * sorts by. {@link String#compareTo} compares UTF-16 units and differs from it for characters
     * beyond U+FFFF against U+E000 to U+FFFF.
     */
    static final Comparator<String> LOCK_ORDER = TaskRows::compareCodePoints;

    private TaskRows() {}

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static TaskRecord taskRecord(ResultSet rs) throws SQLException {
        long lastAt = rs.getLong("last_message_at");
        Optional<Instant> lastMessageAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastAt));
        return new TaskRecord(
                rs.getLong("task_key"),
                new TaskSummary(
                        rs.getString("task_id"),
                        rs.getLong("message_count"),
                        lastMessageAt,
                        rs.getInt("sealed") != 0,
                        rs.getLong("live_segments")));
    }

    /**
     * A location from the columns {@code m.seq, m.segment_no, s.object_id, s.checksum, s.object_kind,
     * s.frame_offset, s.byte_size}, in that order, at the start of the row.
     */
    static MessageLocation location(String taskId, ResultSet rs) throws SQLException {
        return new MessageLocation(
                taskId,
                rs.getLong(1),
                rs.getInt(2),
                rs.getLong(3),
                rs.getInt(4),
                ObjectKind.ofColumn(rs.getInt(5)),
                rs.getLong(6),
                rs.getInt(7));
    }

    static void requireSameTask(TaskRecord task, SegmentCommit segment) {
        if (segment.taskKey() != task.taskKey()) {
            throw new IllegalArgumentException("segment for task key " + segment.taskKey() + " committed to task "
                    + task.taskId() + " (key " + task.taskKey() + ")");
        }
    }

    /**
     * Takes the task's next segment number; on PostgreSQL this also locks the task row until
     * commit. Empty when the task is gone, or is no longer the task that was read.
     */
    static Optional<Integer> nextSegmentNo(Handle handle, TaskRecord task) {
        return handle.createQuery("UPDATE tm_task SET segment_count = segment_count + 1"
                        + " WHERE task_key = :key AND task_id = :id RETURNING segment_count")
                .bind("key", task.taskKey())
                .bind("id", task.taskId())
                .mapTo(Integer.class)
                .findOne();
    }

    /**
     * Inserts the segment row of a frame that stored {@code messageCount} messages, seqs
     * {@code firstSeq} to {@code lastSeq}.
     */
    static void insertSegment(
            Handle handle,
            int segmentNo,
            SegmentCommit segment,
            int messageCount,
            long firstSeq,
            long lastSeq,
            Instant now) {
        handle.createUpdate(
                        "INSERT INTO tm_segment (task_key, segment_no, object_id, byte_size, message_count, checksum, created_at,"
                                + " frame_offset, object_kind, first_seq, last_seq)"
                                + " VALUES (:key, :no, :object, :size, :count, :checksum, :at, :offset, :kind, :first, :last)")
                .bind("key", segment.taskKey())
                .bind("no", segmentNo)
                .bind("object", segment.objectId())
                .bind("size", segment.byteSize())
                .bind("count", messageCount)
                .bind("checksum", segment.checksum())
                .bind("at", now.toEpochMilli())
                .bind("offset", segment.frameOffset())
                .bind("kind", segment.kind().column())
                .bind("first", firstSeq)
                .bind("last", lastSeq)
                .execute();
    }
}
