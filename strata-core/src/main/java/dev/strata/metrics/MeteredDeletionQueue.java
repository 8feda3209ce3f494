package dev.strata.metrics;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.DeletionQueue;
import dev.strata.tier.metadata.PendingDeletion;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** Times deletion-queue operations as metadata operations named {@code deletions.<method>}. Thread-safe. */
final class MeteredDeletionQueue implements DeletionQueue {
    private final DeletionQueue delegate;
    private final TierTimer timer;

    MeteredDeletionQueue(DeletionQueue delegate, TierTimer timer) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.timer = requireNonNull(timer, "timer is null");
    }

    @Override
    public List<PendingDeletion> due(Instant now, int limit) {
        return timer.time("deletions.due", () -> delegate.due(now, limit));
    }

    @Override
    public void complete(Collection<Long> deletionIds) {
        timer.run("deletions.complete", () -> delegate.complete(deletionIds));
    }

    @Override
    public long size() {
        return timer.time("deletions.size", delegate::size);
    }

    @Override
    public long countDue(Instant now) {
        return timer.time("deletions.countDue", () -> delegate.countDue(now));
    }
}
