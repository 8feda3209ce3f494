package dev.strata.tier.cache;

import java.util.Collection;
import java.util.Map;

/** No cache at all ({@code STRATA_CACHE_URL=none}): every read goes to the content tier. */
public final class NoSegmentCache implements SegmentCache {
    @Override
    public Map<String, byte[]> getAll(Collection<String> keys) {
        return Map.of();
    }

    @Override
    public void putAll(Map<String, byte[]> entries) {}

    @Override
    public void invalidate(Collection<String> keys) {}

    @Override
    public void check() {}

    /** @return {@link CacheHealth#DISABLED}: there is nothing to probe */
    @Override
    public CacheHealth health() {
        return CacheHealth.DISABLED;
    }

    @Override
    public String describe() {
        return "none";
    }
}
