package dev.strata.server.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The write path's flushes (see the store's {@code Flusher}): appends waiting at the same moment
 * share one content object and one metadata transaction.
 *
 * @param maxBytes {@code STRATA_FLUSH_MAX_BYTES}: most encoded bytes one flush writes as one object
 * @param maxDelay {@code STRATA_FLUSH_MAX_DELAY}: how long a flush may wait for more appends (0: not at all)
 * @param concurrency {@code STRATA_FLUSH_CONCURRENCY}: flushes writing and committing at once
 * @param sharedSegmentTtl {@code STRATA_SHARED_SEGMENT_TTL}: a task with a frame in a shared object older than this is
 *     consolidated by the next compaction sweep, which bounds how long a shared object (and a deleted task's bytes in it)
 *     can live
 */
public record FlushConfig(long maxBytes, Duration maxDelay, int concurrency, Duration sharedSegmentTtl) {
    public FlushConfig {
        requireNonNull(maxDelay, "maxDelay is null");
        requireNonNull(sharedSegmentTtl, "sharedSegmentTtl is null");
    }
}
