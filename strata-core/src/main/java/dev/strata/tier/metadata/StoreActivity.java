package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * What the store holds of one task right now, for watchers such as live tails: every commit raises
 * {@code messageCount} (unless all its messages were duplicates), and every commit and every
 * compaction raises {@code segmentsWritten}.
 *
 * @param messageCount messages stored
 * @param lastMessageAt the newest message's time; empty before the first
 * @param segmentsWritten segment numbers the task has taken so far (commits and compactions)
 */
public record StoreActivity(long messageCount, Optional<Instant> lastMessageAt, long segmentsWritten) {
    public StoreActivity {
        requireNonNull(lastMessageAt, "lastMessageAt is null");
    }
}
