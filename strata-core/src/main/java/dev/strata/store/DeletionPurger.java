package dev.strata.store;

import static java.util.Objects.requireNonNull;

import dev.strata.model.BackendUnavailableException;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.metadata.DeletionQueue;
import dev.strata.tier.metadata.PendingDeletion;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes queued deletions: removes each object from the content tier, then its cache entry,
 * then its queue entry, in that order, so a crash or an outage at any point leaves the entry
 * queued and a later pass finishes the job (every step is idempotent). A content tier that
 * refuses is not an error here: the entries stay queued, one WARN line says so, and the periodic
 * worker retries. The one implementation for the store's deletes, its deletion worker and fsck.
 * Thread-safe.
 */
public final class DeletionPurger {
    private static final Logger log = LoggerFactory.getLogger(DeletionPurger.class);
    private static final int BATCH = 500;
    /** Later than any deletion's due time, so "due by then" means every queued deletion. */
    private static final Instant END_OF_TIME = Instant.ofEpochMilli(Long.MAX_VALUE);

    private final ContentTier content;
    private final SegmentCache cache;
    private final DeletionQueue queue;
    private final Clock clock;

    /** @param cache a cache that absorbs its own failures (see {@link dev.strata.tier.cache.FailSafeSegmentCache}) */
    public DeletionPurger(ContentTier content, SegmentCache cache, DeletionQueue queue, Clock clock) {
        this.content = requireNonNull(content, "content is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Which queued deletions a pass finishes. */
    public enum Due {
        /** Those whose time has come; segments compaction replaced wait out their grace period. */
        ON_SCHEDULE,
        /** Every queued deletion now, regardless of its schedule (fsck's repair-now). */
        ALL_NOW
    }

    /**
     * Finishes the given deletions.
     *
     * @return false when the content tier refused; the deletions then stay queued
     */
    public boolean purge(List<PendingDeletion> deletions) {
        if (deletions.isEmpty()) {
            return true;
        }
        List<String> keys = deletions.stream().map(PendingDeletion::objectKey).toList();
        try {
            content.delete(keys);
        } catch (BackendUnavailableException e) {
            log.warn("deferred deletion of {} objects (first {}): {}", keys.size(), keys.get(0), e.getMessage());
            return false;
        }
        cache.invalidate(keys);
        queue.complete(deletions.stream().map(PendingDeletion::deletionId).toList());
        return true;
    }

    /**
     * Finishes queued deletions in batches until none that is due is left or the content tier
     * refuses.
     *
     * @return how many were finished
     */
    public long purgeDue(Due due) {
        requireNonNull(due, "due is null");
        Instant dueBy = switch (due) {
            case ON_SCHEDULE -> clock.instant();
            case ALL_NOW -> END_OF_TIME;
        };
        long finished = 0;
        for (List<PendingDeletion> batch = queue.due(dueBy, BATCH);
                !batch.isEmpty() && purge(batch);
                batch = queue.due(dueBy, BATCH)) {
            finished += batch.size();
        }
        return finished;
    }
}
