package dev.strata.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.model.TaskMessage;
import java.util.Map;

/**
 * An in-process cache of decoded segments by key, bounded by what they hold on the heap. Keys
 * name immutable objects, so an entry is never stale; it only spares warm reads the
 * decompression and decoding. Every field of every message counts toward the bound (a weigher
 * that left out {@code call_id}, {@code tool} and {@code type} let 20 MB call ids grow the heap
 * past 700 MB against a 64 MB limit). Thread-safe.
 */
final class DecodedSegments {
    /** The key, the map and its table. */
    private static final long ENTRY_OVERHEAD = 256;

    private final long maximumBytes;
    private final Cache<String, Map<Long, TaskMessage>> cache;

    /** @param maximumBytes most heap the decoded segments may hold, by {@link #weight}; 0 caches nothing */
    DecodedSegments(long maximumBytes) {
        this.maximumBytes = maximumBytes;
        this.cache = maximumBytes == 0
                ? null
                : Caffeine.newBuilder()
                        // Evict on the writing thread: with the default asynchronous maintenance, a burst
                        // of large entries could outgrow the bound until a pool thread got to them.
                        .executor(Runnable::run)
                        .maximumWeight(maximumBytes)
                        .weigher((String key, Map<Long, TaskMessage> messages) ->
                                (int) Math.min(Integer.MAX_VALUE, weight(key, messages)))
                        .build();
    }

    /** @return the cached segments among the keys */
    Map<String, Map<Long, TaskMessage>> present(Iterable<String> keys) {
        return cache == null ? Map.of() : cache.getAllPresent(keys);
    }

    /** Caches a decoded segment unless it alone would exceed the bound. */
    void put(String key, Map<Long, TaskMessage> messages) {
        if (cache != null && weight(key, messages) <= maximumBytes) {
            cache.put(key, messages);
        }
    }

    /** @return the weight of the entries held now (after pending evictions) */
    long weightedSize() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    /** @return the entries held now, for tests and diagnostics */
    Map<String, Map<Long, TaskMessage>> snapshot() {
        if (cache == null) {
            return Map.of();
        }
        cache.cleanUp();
        return Map.copyOf(cache.asMap());
    }

    static long weight(String key, Map<Long, TaskMessage> messages) {
        long bytes = ENTRY_OVERHEAD + 2L * key.length();
        for (TaskMessage m : messages.values()) {
            bytes += MessageSizes.heapBytes(m);
        }
        return bytes;
    }
}
