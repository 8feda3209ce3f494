package dev.strata.tier.cache;

import java.util.Collection;
import java.util.Map;

/**
 * A disposable cache of segment objects, keyed by their content key. Keys are never reused for
 * other bytes, so an entry can never be stale; the store removes entries of deleted tasks, and
 * the metadata tier never leads a read to a deleted key anyway.
 *
 * <p>Implementations are thread-safe and may throw on failure; the composition root wraps them in
 * {@link FailSafeSegmentCache} before handing them to the store, so that a cache outage never
 * fails a request.
 */
public interface SegmentCache extends AutoCloseable {

    /**
     * Looks up several keys in one round trip.
     *
     * @return the entries found; missing keys are simply absent
     */
    Map<String, byte[]> getAll(Collection<String> keys);

    /**
     * Caches segments, in one round trip where the cache is remote; an implementation may decline
     * values it considers too large.
     */
    void putAll(Map<String, byte[]> entries);

    /** Caches one segment; see {@link #putAll}. */
    default void put(String key, byte[] value) {
        putAll(Map.of(key, value));
    }

    /** Removes the entries; keys that are not cached are ignored. */
    void invalidate(Collection<String> keys);

    /**
     * Checks that the cache answers, for readiness probes.
     *
     * @throws RuntimeException when it does not
     */
    void check();

    /**
     * Probes the cache for a readiness report; never throws. By default {@link CacheHealth#UP} when
     * {@link #check()} succeeds and {@link CacheHealth#DOWN} when it throws.
     */
    default CacheHealth health() {
        try {
            check();
            return CacheHealth.UP;
        } catch (RuntimeException e) {
            return CacheHealth.DOWN;
        }
    }

    /** A short description for logs and the readiness report, without secrets. */
    String describe();

    @Override
    default void close() {}
}
