package dev.strata.server.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * Background work: deletions, compaction, orphan collection and retention.
 *
 * @param compactSegments an open task with more live segments than this is compacted
 * @param orphanGrace an unreferenced object younger than this is never removed (its append may still commit)
 * @param retention default retention of inactive tasks, empty to keep them forever
 * @param allowShortRetention whether retentions under {@link StrataConfig#MIN_RETENTION} are
 *     accepted, for the default and for each workspace's ({@code STRATA_RETENTION_ALLOW_SHORT})
 */
public record LifecycleConfig(
        Duration deletionInterval,
        Duration compactionInterval,
        int compactSegments,
        int compactionConcurrency,
        Duration compactionGrace,
        Duration orphanInterval,
        Duration orphanGrace,
        Optional<Duration> retention,
        Duration retentionInterval,
        boolean allowShortRetention) {
    public LifecycleConfig {
        requireNonNull(deletionInterval, "deletionInterval is null");
        requireNonNull(compactionInterval, "compactionInterval is null");
        requireNonNull(compactionGrace, "compactionGrace is null");
        requireNonNull(orphanInterval, "orphanInterval is null");
        requireNonNull(orphanGrace, "orphanGrace is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(retentionInterval, "retentionInterval is null");
    }
}
