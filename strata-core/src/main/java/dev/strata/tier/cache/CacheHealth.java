package dev.strata.tier.cache;

/** What a readiness report says about the cache. */
public enum CacheHealth {
    /** The cache answers. */
    UP,
    /** The cache does not answer; reads go to the content tier meanwhile. */
    DOWN,
    /** There is no cache ({@code STRATA_CACHE_URL=none}). */
    DISABLED
}
