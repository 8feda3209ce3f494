package dev.strata.server.stats;

import static java.util.Objects.requireNonNull;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.CorruptContentException;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.jdbc.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The figures of the inspector's storage page, computed on request: counts and sizes from
 * metadata (never by listing the content tier), the compression ratio from the headers of the
 * few newest segments (metadata keeps only their stored size), the cache hit ratio from the
 * cache's meters. Thread-safe.
 */
public final class StorageStatistics {
    /** Segments whose headers are read for the compression ratio: a few reads, whatever the store's size. */
    static final int COMPRESSION_SAMPLE = 8;

    private final StorageQueries queries;
    private final MetadataTier metadata;
    private final ContentTier content;
    private final MeterRegistry registry;
    private final int compactSegments;
    private final Duration overdueMargin;
    private final Clock clock;
    private final SegmentCodec codec = new SegmentCodec();
    private final ContentSegmentKeys keys = new ContentSegmentKeys();

    /**
     * @param compactSegments an open task with more live segments than this is due for compaction
     * @param overdueMargin how long past its due time a queued deletion may wait for the worker
     */
    public StorageStatistics(
            Database database,
            MetadataTier metadata,
            ContentTier content,
            MeterRegistry registry,
            int compactSegments,
            Duration overdueMargin,
            Clock clock) {
        this.queries = new StorageQueries(database);
        this.metadata = requireNonNull(metadata, "metadata is null");
        this.content = requireNonNull(content, "content is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.compactSegments = compactSegments;
        this.overdueMargin = requireNonNull(overdueMargin, "overdueMargin is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @throws dev.strata.model.BackendUnavailableException when metadata or content does not answer
     */
    public StorageReport report(String workspaceId) {
        requireNonNull(workspaceId, "workspaceId is null");
        long decoded = 0;
        long stored = 0;
        int sampled = 0;
        for (StorageQueries.SegmentSample sample : queries.newestSegments(COMPRESSION_SAMPLE)) {
            Optional<Integer> length = decodedLength(sample);
            if (length.isPresent()) {
                decoded += length.get();
                stored += sample.byteSize();
                sampled++;
            }
        }
        StorageReport.Store store = new StorageReport.Store(
                queries.store(),
                queries.metadataBytes(),
                stored == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) decoded / stored),
                sampled,
                cacheHitRatio(),
                metadata.deletions().size(),
                metadata.deletions().countDue(clock.instant().minus(overdueMargin)),
                metadata.catalog().compactionBacklog(compactSegments));
        return new StorageReport(queries.workspace(workspaceId), store);
    }

    /** Empty when the object is gone (deleted since the query) or is not a readable segment: it is left out of the sample. */
    private Optional<Integer> decodedLength(StorageQueries.SegmentSample sample) {
        String key = sample.kind() == ObjectKind.SHARED
                ? keys.sharedKey(sample.objectId())
                : keys.key(sample.taskId(), sample.objectId());
        Optional<byte[]> bytes = content.get(key, sample.offset(), sample.byteSize());
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(codec.decodedLength(bytes.get()));
        } catch (CorruptContentException e) {
            return Optional.empty();
        }
    }

    private OptionalDouble cacheHitRatio() {
        double hits = count("strata.cache.hits");
        double misses = count("strata.cache.misses");
        return hits + misses == 0 ? OptionalDouble.empty() : OptionalDouble.of(hits / (hits + misses));
    }

    private double count(String meter) {
        Counter counter = registry.find(meter).counter();
        return counter == null ? 0 : counter.count();
    }
}
