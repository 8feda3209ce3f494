package dev.strata.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;

/**
 * Policy of a store.
 *
 * @param dropTypes message types an append discards (counted as dropped, never stored)
 * @param compressionLevel zstd level for segments, 1 to 19
 * @param decodedCacheBytes size of the in-process cache of decoded segments (0: none), which spares warm reads the decompression
 * @param replacedSegmentGrace how long segments replaced by compaction stay readable, for reads that located them just before
 * @param maxPageBytes most decoded message bytes one page of {@link TaskMessageStore#list} holds; a page always holds at least
 *     one message, and one cut by this budget says it has more, as one cut by its limit does
 * @param maxMergedSegmentBytes most decoded message bytes compaction merges into one object (and so holds in memory at once);
 *     a task larger than this ends as several objects
 * @param flushMaxBytes most encoded frame bytes one flush writes into one shared object (an append larger than this is
 *     flushed alone)
 * @param flushMaxDelay how long a flush may wait for more appends before it writes; zero waits for none (appends that
 *     arrive while flushes are busy go into the next one anyway)
 * @param flushConcurrency how many flushes may be writing and committing at once
 */
public record StoreOptions(
        Set<String> dropTypes,
        int compressionLevel,
        Duration replacedSegmentGrace,
        long decodedCacheBytes,
        long maxPageBytes,
        long maxMergedSegmentBytes,
        long flushMaxBytes,
        Duration flushMaxDelay,
        int flushConcurrency) {
    public static final Set<String> DEFAULT_DROP_TYPES = Set.of("log", "status");
    public static final long DEFAULT_FLUSH_MAX_BYTES = 8L << 20;
    public static final int DEFAULT_FLUSH_CONCURRENCY = 4;
    public static final long DEFAULT_MAX_PAGE_BYTES = 64L << 20;
    public static final long DEFAULT_MAX_MERGED_SEGMENT_BYTES = 64L << 20;

    public StoreOptions {
        dropTypes = Set.copyOf(requireNonNull(dropTypes, "dropTypes is null"));
        if (compressionLevel < 1 || compressionLevel > 19) {
            throw new IllegalArgumentException("compressionLevel must be 1 to 19, got " + compressionLevel);
        }
        requireNonNull(replacedSegmentGrace, "replacedSegmentGrace is null");
        if (decodedCacheBytes < 0) {
            throw new IllegalArgumentException("decodedCacheBytes must not be negative, got " + decodedCacheBytes);
        }
        if (maxPageBytes < 1) {
            throw new IllegalArgumentException("maxPageBytes must be positive, got " + maxPageBytes);
        }
        if (maxMergedSegmentBytes < 1) {
            throw new IllegalArgumentException("maxMergedSegmentBytes must be positive, got " + maxMergedSegmentBytes);
        }
        if (flushMaxBytes < 1) {
            throw new IllegalArgumentException("flushMaxBytes must be positive, got " + flushMaxBytes);
        }
        requireNonNull(flushMaxDelay, "flushMaxDelay is null");
        if (flushMaxDelay.isNegative()) {
            throw new IllegalArgumentException("flushMaxDelay must not be negative, got " + flushMaxDelay);
        }
        if (flushConcurrency < 1) {
            throw new IllegalArgumentException("flushConcurrency must be positive, got " + flushConcurrency);
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(
                DEFAULT_DROP_TYPES,
                3,
                Duration.ofMinutes(5),
                64L << 20,
                DEFAULT_MAX_PAGE_BYTES,
                DEFAULT_MAX_MERGED_SEGMENT_BYTES,
                DEFAULT_FLUSH_MAX_BYTES,
                Duration.ZERO,
                DEFAULT_FLUSH_CONCURRENCY);
    }

    /**
     * @param maxBytes most encoded bytes per flush
     * @param maxDelay longest wait for more appends (zero: none)
     * @param concurrency flushes in flight at once
     */
    public StoreOptions withFlush(long maxBytes, Duration maxDelay, int concurrency) {
        return new StoreOptions(
                dropTypes,
                compressionLevel,
                replacedSegmentGrace,
                decodedCacheBytes,
                maxPageBytes,
                maxMergedSegmentBytes,
                maxBytes,
                maxDelay,
                concurrency);
    }

    public StoreOptions withDropTypes(Set<String> types) {
        return new StoreOptions(
                types,
                compressionLevel,
                replacedSegmentGrace,
                decodedCacheBytes,
                maxPageBytes,
                maxMergedSegmentBytes,
                flushMaxBytes,
                flushMaxDelay,
                flushConcurrency);
    }

    /** @param bytes size of the in-process cache of decoded segments; 0 turns it off */
    public StoreOptions withDecodedCacheBytes(long bytes) {
        return new StoreOptions(
                dropTypes,
                compressionLevel,
                replacedSegmentGrace,
                bytes,
                maxPageBytes,
                maxMergedSegmentBytes,
                flushMaxBytes,
                flushMaxDelay,
                flushConcurrency);
    }

    public StoreOptions withReplacedSegmentGrace(Duration grace) {
        return new StoreOptions(
                dropTypes,
                compressionLevel,
                grace,
                decodedCacheBytes,
                maxPageBytes,
                maxMergedSegmentBytes,
                flushMaxBytes,
                flushMaxDelay,
                flushConcurrency);
    }

    /** @param bytes most decoded message bytes in one page of a listing (at least one message is always returned) */
    public StoreOptions withMaxPageBytes(long bytes) {
        return new StoreOptions(
                dropTypes,
                compressionLevel,
                replacedSegmentGrace,
                decodedCacheBytes,
                bytes,
                maxMergedSegmentBytes,
                flushMaxBytes,
                flushMaxDelay,
                flushConcurrency);
    }

    /** @param bytes most decoded message bytes compaction puts into (and holds in memory for) one merged object */
    public StoreOptions withMaxMergedSegmentBytes(long bytes) {
        return new StoreOptions(
                dropTypes,
                compressionLevel,
                replacedSegmentGrace,
                decodedCacheBytes,
                maxPageBytes,
                bytes,
                flushMaxBytes,
                flushMaxDelay,
                flushConcurrency);
    }
}
