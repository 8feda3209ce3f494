package dev.strata.tier.metadata.jdbc;

import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.SegmentKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * Statements on {@code tm_object}: the live frame count of every object that holds several
 * frames. Whoever removes segment rows (compaction, task deletion) releases their frames here in
 * the same transaction, so an object is queued for deletion exactly when its last live frame goes
 * and never while one is left. A row with no live frame is a claim made on an unreferenced object
 * before queuing it for deletion (see {@link dev.strata.tier.metadata.SegmentCatalog#claimOrphans}).
 * Stateless.
 */
final class ObjectRows {
    /**
     * The longest an emptied shared object waits before it is deleted, whatever the grace of
     * replaced segments: it bounds how long a deleted task's bytes may stay in the content tier
     * (see docs/storage.md). A read that located a frame just before and fetches later than this
     * finds it missing and locates again (the read path retries once).
     */
    static final Duration SHARED_OBJECT_GRACE = Duration.ofMinutes(1);

    /** Objects per statement of {@link #release} where it takes them by list or array. */
    private static final int OBJECTS_PER_STATEMENT = 1000;

    private ObjectRows() {}

    /** A frame whose segment row was just removed. */
    record RemovedFrame(String taskId, long objectId, ObjectKind kind) {}

    private static final class Released {
        final String taskId;
        final ObjectKind kind;
        int frames;

        Released(String taskId, ObjectKind kind) {
            this.taskId = taskId;
            this.kind = kind;
        }
    }

    static void insert(Handle handle, long objectId, ObjectKind kind, int liveFrames, Instant now) {
        handle.createUpdate("INSERT INTO tm_object (object_id, object_kind, live_frames, created_at)"
                        + " VALUES (:id, :kind, :live, :at)")
                .bind("id", objectId)
                .bind("kind", kind.column())
                .bind("live", liveFrames)
                .bind("at", now.toEpochMilli())
                .execute();
    }

    /**
     * Claims an object no commit recorded: a row with no live frame, which a commit that tries to
     * record the object later collides with.
     *
     * @return false when the object already has a row (a commit recorded it, or it was claimed)
     */
    static boolean claim(Handle handle, long objectId, ObjectKind kind, Instant now) {
        return handle.createUpdate("INSERT INTO tm_object (object_id, object_kind, live_frames, created_at)"
                                + " VALUES (:id, :kind, 0, :at) ON CONFLICT (object_id) DO NOTHING")
                        .bind("id", objectId)
                        .bind("kind", kind.column())
                        .bind("at", now.toEpochMilli())
                        .execute()
                == 1;
    }

    /** Removes the claims made before {@code cutoff}. */
    static int forgetClaims(Handle handle, Instant cutoff) {
        return handle.createUpdate(
                        "DELETE FROM tm_object WHERE object_kind IN (1, 2) AND created_at < :cutoff AND live_frames = 0")
                .bind("cutoff", cutoff.toEpochMilli())
                .execute();
    }

    /**
     * Decrements the live frame count of each object the frames were in, and queues an object for
     * deletion (no earlier than {@code notBefore}) when its count reaches zero. A task object with
     * no {@code tm_object} row is a one-frame object (written before V5): its one frame is gone,
     * so it is queued at once. Objects are locked in id order, so concurrent transactions (moves
     * and merges of tasks that shared objects, task deletions) never deadlock on them.
     *
     * <p>On PostgreSQL two statements per thousand objects (lock in id order, then decrement them
     * all from arrays), not a round trip per object: a move of an open task's 65 frames held its
     * task row, which the next flush waits for, through 65 round trips. SQLite runs in this
     * process and takes one writer at a time: one prepared statement, run per object.
     *
     * @return the deletions queued
     */
    static List<PendingDeletion> release(
            Handle handle,
            SqlDialect dialect,
            SegmentKeys keys,
            List<RemovedFrame> frames,
            Instant now,
            Instant notBefore) {
        Map<Long, Released> byObject = new TreeMap<>();
        for (RemovedFrame frame : frames) {
            byObject.computeIfAbsent(frame.objectId(), id -> new Released(frame.taskId(), frame.kind())).frames++;
        }
        Map<Long, Integer> left;
        try {
            left = dialect == SqlDialect.POSTGRESQL
                    ? decrementInArrays(handle.getConnection(), byObject)
                    : decrementEach(handle.getConnection(), byObject);
        } catch (SQLException e) {
            throw new StatementFailed("release of object frames", e);
        }
        List<Long> emptied = new ArrayList<>();
        List<PendingDeletion> queued = new ArrayList<>();
        for (var entry : byObject.entrySet()) {
            long objectId = entry.getKey();
            Released released = entry.getValue();
            Integer count = left.get(objectId);
            if (count != null && count > 0) {
                continue;
            }
            if (count != null) {
                emptied.add(objectId);
            } else if (released.kind != ObjectKind.TASK) {
                // Every object of several frames gets its row in the commit that first references
                // it; without one, other frames may still be in it, so it is never queued from here.
                continue;
            }
            String key = keys.key(released.taskId, released.kind, objectId);
            Instant due = released.kind == ObjectKind.SHARED && notBefore.isAfter(now.plus(SHARED_OBJECT_GRACE))
                    ? now.plus(SHARED_OBJECT_GRACE)
                    : notBefore;
            queued.add(JdbcDeletionQueue.enqueue(handle, key, now, due));
        }
        // A statement per thousand: a parameter per object, and PostgreSQL takes at most 65,535
        // in one statement (a task deletion can empty more objects than that).
        for (int from = 0; from < emptied.size(); from += OBJECTS_PER_STATEMENT) {
            handle.createUpdate("DELETE FROM tm_object WHERE object_id IN (<ids>)")
                    .bindList("ids", emptied.subList(from, Math.min(emptied.size(), from + OBJECTS_PER_STATEMENT)))
                    .execute();
        }
        return queued;
    }

    /** @return the live frames left in each object that has a row */
    private static Map<Long, Integer> decrementEach(Connection connection, Map<Long, Released> byObject)
            throws SQLException {
        Map<Long, Integer> left = new HashMap<>();
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE tm_object SET live_frames = live_frames - ? WHERE object_id = ? RETURNING live_frames")) {
            for (var entry : byObject.entrySet()) {
                update.setInt(1, entry.getValue().frames);
                update.setLong(2, entry.getKey());
                try (ResultSet rs = update.executeQuery()) {
                    if (rs.next()) {
                        left.put(entry.getKey(), rs.getInt(1));
                    }
                }
            }
        }
        return left;
    }

    /** @return the live frames left in each object that has a row */
    private static Map<Long, Integer> decrementInArrays(Connection connection, Map<Long, Released> byObject)
            throws SQLException {
        Map<Long, Integer> left = new HashMap<>();
        List<Long> ids = List.copyOf(byObject.keySet());
        try (PreparedStatement lock = connection.prepareStatement("SELECT object_id FROM tm_object"
                        + " WHERE object_id = ANY (?) ORDER BY object_id FOR UPDATE");
                PreparedStatement update =
                        connection.prepareStatement("UPDATE tm_object o SET live_frames = o.live_frames - d.n"
                                + " FROM unnest(?::bigint[], ?::int[]) AS d (id, n) WHERE o.object_id = d.id"
                                + " RETURNING o.object_id, o.live_frames")) {
            // Chunks of ascending ids, each locked in id order (the sort runs below the row locks),
            // so the whole release locks in id order.
            for (int from = 0; from < ids.size(); from += OBJECTS_PER_STATEMENT) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + OBJECTS_PER_STATEMENT));
                Object[] chunkIds = chunk.toArray();
                lock.setArray(1, connection.createArrayOf("bigint", chunkIds));
                lock.executeQuery().close();
                update.setArray(1, connection.createArrayOf("bigint", chunkIds));
                update.setArray(
                        2,
                        connection.createArrayOf(
                                "integer",
                                chunk.stream()
                                        .map(id -> byObject.get(id).frames)
                                        .toArray()));
                try (ResultSet rs = update.executeQuery()) {
                    while (rs.next()) {
                        left.put(rs.getLong(1), rs.getInt(2));
                    }
                }
            }
        }
        return left;
    }
}
