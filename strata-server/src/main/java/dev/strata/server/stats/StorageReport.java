package dev.strata.server.stats;

import static java.util.Objects.requireNonNull;

import java.util.OptionalDouble;

/**
 * What the storage page shows: the caller's workspace, and the store as a whole (one metadata
 * database, content tier and cache serve every workspace, so sizes, ratios and backlogs are global).
 *
 * @param workspace the workspace's tasks, their messages and their live segment objects
 * @param store every task's, plus what only exists store-wide
 */
public record StorageReport(Usage workspace, Store store) {
    public StorageReport {
        requireNonNull(workspace, "workspace is null");
        requireNonNull(store, "store is null");
    }

    /** Counts of tasks, messages and live segment objects (with their stored, compressed bytes). */
    public record Usage(long tasks, long messages, long contentObjects, long contentBytes) {}

    /**
     * @param usage tasks, messages and live segment objects of every workspace
     * @param metadataBytes bytes the metadata database takes
     * @param compressionRatio decoded bytes per stored byte, estimated from the newest segments; empty with none
     * @param sampledSegments how many segments the compression ratio was estimated from
     * @param cacheHitRatio segment cache hits per lookup since this instance started; empty before any lookup
     * @param pendingDeletions content objects queued for deletion
     * @param overdueDeletions queued deletions past their due time by more than the worker's margin
     * @param compactionBacklog tasks compaction would pick now
     */
    public record Store(
            Usage usage,
            long metadataBytes,
            OptionalDouble compressionRatio,
            int sampledSegments,
            OptionalDouble cacheHitRatio,
            long pendingDeletions,
            long overdueDeletions,
            long compactionBacklog) {
        public Store {
            requireNonNull(usage, "usage is null");
            requireNonNull(compressionRatio, "compressionRatio is null");
            requireNonNull(cacheHitRatio, "cacheHitRatio is null");
        }
    }
}
