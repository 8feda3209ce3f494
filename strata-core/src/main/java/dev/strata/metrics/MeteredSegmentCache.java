package dev.strata.metrics;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.cache.CacheHealth;
import dev.strata.tier.cache.SegmentCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;

/** Counts cache hits and misses and times cache operations. Thread-safe. */
public final class MeteredSegmentCache implements SegmentCache {
    private final SegmentCache delegate;
    private final TierTimer timer;
    private final Counter hits;
    private final Counter misses;

    public MeteredSegmentCache(SegmentCache delegate, MeterRegistry registry) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.timer = new TierTimer(registry, "cache");
        this.hits = Counter.builder("strata.cache.hits")
                .description("Segments found in the cache")
                .register(registry);
        this.misses = Counter.builder("strata.cache.misses")
                .description("Segments not found in the cache")
                .register(registry);
    }

    @Override
    public Map<String, byte[]> getAll(Collection<String> keys) {
        Map<String, byte[]> found = timer.time("getAll", () -> delegate.getAll(keys));
        hits.increment(found.size());
        misses.increment(keys.size() - found.size());
        return found;
    }

    @Override
    public void putAll(Map<String, byte[]> entries) {
        timer.run("put", () -> delegate.putAll(entries));
    }

    @Override
    public void invalidate(Collection<String> keys) {
        timer.run("invalidate", () -> delegate.invalidate(keys));
    }

    @Override
    public void check() {
        timer.run("check", delegate::check);
    }

    @Override
    public CacheHealth health() {
        return timer.time("check", delegate::health);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
