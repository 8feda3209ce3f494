package dev.strata.tier.metadata;

import java.util.Collection;
import java.util.List;

/**
 * Content objects whose metadata is gone but which may still exist in the content tier. Entries
 * survive restarts; removing an object and then its entry is idempotent, so several workers may
 * process the queue at once.
 */
public interface DeletionQueue {

    /** @return up to {@code limit} of the oldest deletions that are due at {@code now} */
    List<PendingDeletion> due(java.time.Instant now, int limit);

    /** Forgets the entries, once their objects are gone; unknown ids are ignored. */
    void complete(Collection<Long> deletionIds);

    /** @return how many deletions are pending */
    long size();

    /** @return how many pending deletions are due at {@code now} (their grace, if any, has ended) */
    long countDue(java.time.Instant now);
}
