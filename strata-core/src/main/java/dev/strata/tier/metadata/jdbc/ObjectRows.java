package dev.strata.tier.metadata.jdbc;

import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.SegmentKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * so it is queued at once. Objects are visited in id order, so concurrent transactions lock
     * their rows in one order.
     *
     * @return the deletions queued
     */
    static List<PendingDeletion> release(
            Handle handle, SegmentKeys keys, List<RemovedFrame> frames, Instant now, Instant notBefore) {
        Map<Long, Released> byObject = new TreeMap<>();
        for (RemovedFrame frame : frames) {
            byObject.computeIfAbsent(frame.objectId(), id -> new Released(frame.taskId(), frame.kind())).frames++;
        }
        List<PendingDeletion> queued = new ArrayList<>();
        for (var entry : byObject.entrySet()) {
            long objectId = entry.getKey();
            Released released = entry.getValue();
            Optional<Integer> left = handle.createQuery("UPDATE tm_object SET live_frames = live_frames - :n"
                            + " WHERE object_id = :id RETURNING live_frames")
                    .bind("n", released.frames)
                    .bind("id", objectId)
                    .mapTo(Integer.class)
                    .findOne();
            if (left.isPresent() && left.get() > 0) {
                continue;
            }
            if (left.isPresent()) {
                handle.createUpdate("DELETE FROM tm_object WHERE object_id = :id")
                        .bind("id", objectId)
                        .execute();
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
        return queued;
    }
}
