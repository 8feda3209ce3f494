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
 */
public record StoreOptions(Set<String> dropTypes, int compressionLevel, Duration replacedSegmentGrace, long decodedCacheBytes) {
    public static final Set<String> DEFAULT_DROP_TYPES = Set.of("log", "status");

    public StoreOptions {
        dropTypes = Set.copyOf(requireNonNull(dropTypes, "dropTypes is null"));
        if (compressionLevel < 1 || compressionLevel > 19) {
            throw new IllegalArgumentException("compressionLevel must be 1 to 19, got " + compressionLevel);
        }
        requireNonNull(replacedSegmentGrace, "replacedSegmentGrace is null");
        if (decodedCacheBytes < 0) {
            throw new IllegalArgumentException("decodedCacheBytes must not be negative, got " + decodedCacheBytes);
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(DEFAULT_DROP_TYPES, 3, Duration.ofMinutes(5), 64L << 20);
    }

    public StoreOptions withDropTypes(Set<String> types) {
        return new StoreOptions(types, compressionLevel, replacedSegmentGrace, decodedCacheBytes);
    }

    /** @param bytes size of the in-process cache of decoded segments; 0 turns it off */
    public StoreOptions withDecodedCacheBytes(long bytes) {
        return new StoreOptions(dropTypes, compressionLevel, replacedSegmentGrace, bytes);
    }

    public StoreOptions withReplacedSegmentGrace(Duration grace) {
        return new StoreOptions(dropTypes, compressionLevel, grace, decodedCacheBytes);
    }
}
