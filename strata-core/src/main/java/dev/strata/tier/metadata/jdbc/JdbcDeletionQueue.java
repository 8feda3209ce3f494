package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.DeletionQueue;
import dev.strata.tier.metadata.PendingDeletion;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * {@link DeletionQueue} on {@code tm_deletion}. Entries are added by the transactions that stop
 * referencing an object ({@link #enqueue}), so an object is never forgotten by a crash.
 * Thread-safe.
 */
final class JdbcDeletionQueue implements DeletionQueue {
    private final Database database;

    JdbcDeletionQueue(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    /** Queues the object in the caller's transaction, to be deleted no earlier than {@code notBefore}. */
    static PendingDeletion enqueue(Handle handle, String objectKey, Instant now, Instant notBefore) {
        long id = handle.createQuery(
                        "INSERT INTO tm_deletion (object_key, enqueued_at, not_before) VALUES (:key, :at, :notBefore) RETURNING deletion_id")
                .bind("key", objectKey)
                .bind("at", now.toEpochMilli())
                .bind("notBefore", notBefore.toEpochMilli())
                .mapTo(Long.class)
                .one();
        return new PendingDeletion(id, objectKey, Instant.ofEpochMilli(now.toEpochMilli()));
    }

    @Override
    public List<PendingDeletion> due(Instant now, int limit) {
        return database.read(
                "metadata dueDeletions for -",
                handle -> handle.createQuery(
                                "SELECT deletion_id, object_key, enqueued_at FROM tm_deletion WHERE not_before <= :now"
                                        + " ORDER BY deletion_id LIMIT :limit")
                        .bind("now", now.toEpochMilli())
                        .bind("limit", limit)
                        .map((rs, ctx) -> new PendingDeletion(
                                rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))))
                        .list());
    }

    @Override
    public void complete(Collection<Long> deletionIds) {
        if (deletionIds.isEmpty()) {
            return;
        }
        database.write(
                "metadata completeDeletions for -",
                handle -> handle.createUpdate("DELETE FROM tm_deletion WHERE deletion_id IN (<ids>)")
                        .bindList("ids", List.copyOf(deletionIds))
                        .execute());
    }

    @Override
    public long size() {
        return database.read(
                "metadata deletionBacklog for -",
                handle -> handle.createQuery("SELECT COUNT(*) FROM tm_deletion")
                        .mapTo(Long.class)
                        .one());
    }

    @Override
    public long countDue(Instant now) {
        return database.read(
                "metadata dueDeletionCount for -",
                handle -> handle.createQuery("SELECT COUNT(*) FROM tm_deletion WHERE not_before <= :now")
                        .bind("now", now.toEpochMilli())
                        .mapTo(Long.class)
                        .one());
    }
}
