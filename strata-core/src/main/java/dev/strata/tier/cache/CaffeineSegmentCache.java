package dev.strata.tier.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/** The embedded cache: segments in this JVM's heap, bounded by total bytes. Thread-safe. */
public final class CaffeineSegmentCache implements SegmentCache {
    private final Cache<String, byte[]> cache;
    private final long maxBytes;

    public CaffeineSegmentCache(long maxBytes, Duration ttl, Ticker ticker) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String key, byte[] value) -> value.length + key.length() + 64)
                .expireAfterAccess(ttl)
                .ticker(ticker)
                .build();
    }

    public CaffeineSegmentCache(long maxBytes, Duration ttl) {
        this(maxBytes, ttl, Ticker.systemTicker());
    }

    @Override
    public Map<String, byte[]> getAll(Collection<String> keys) {
        return cache.getAllPresent(keys);
    }

    @Override
    public void putAll(Map<String, byte[]> entries) {
        entries.forEach((key, value) -> {
            // A single value above a tenth of the budget would evict much of the working set.
            if (value.length <= maxBytes / 10) {
                cache.put(key, value);
            }
        });
    }

    @Override
    public void invalidate(Collection<String> keys) {
        cache.invalidateAll(keys);
    }

    @Override
    public void check() {
        cache.cleanUp();
    }

    @Override
    public String describe() {
        return "memory (" + maxBytes + " bytes)";
    }
}
