package dev.strata.tier.cache;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the cache optional: every failure is absorbed (a cache is never the only copy), and
 * after {@code failureThreshold} consecutive failures a circuit opens for {@code openFor}, during
 * which the cache is skipped entirely so a dead server adds no latency. After that one call is
 * let through; success closes the circuit again. Thread-safe.
 */
public final class FailSafeSegmentCache implements SegmentCache {
    private static final Logger log = LoggerFactory.getLogger(FailSafeSegmentCache.class);

    private final SegmentCache delegate;
    private final Clock clock;
    private final int failureThreshold;
    private final Duration openFor;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicReference<Instant> openUntil = new AtomicReference<>(Instant.MIN);

    public FailSafeSegmentCache(SegmentCache delegate, Clock clock, int failureThreshold, Duration openFor) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.openFor = requireNonNull(openFor, "openFor is null");
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be positive, got " + failureThreshold);
        }
        this.failureThreshold = failureThreshold;
    }

    public FailSafeSegmentCache(SegmentCache delegate) {
        this(delegate, Clock.systemUTC(), 3, Duration.ofSeconds(5));
    }

    /** @return {@link CacheHealth#DOWN} while the circuit counts as open, else {@link CacheHealth#UP} */
    public CacheHealth state() {
        return consecutiveFailures.get() >= failureThreshold ? CacheHealth.DOWN : CacheHealth.UP;
    }

    @Override
    public Map<String, byte[]> getAll(Collection<String> keys) {
        if (keys.isEmpty() || circuitOpen()) {
            return Map.of();
        }
        try {
            Map<String, byte[]> found = delegate.getAll(keys);
            succeeded();
            return found;
        } catch (RuntimeException e) {
            failed("getAll", keys.iterator().next(), e.toString());
            return Map.of();
        }
    }

    @Override
    public void putAll(Map<String, byte[]> entries) {
        if (entries.isEmpty() || circuitOpen()) {
            return;
        }
        try {
            delegate.putAll(entries);
            succeeded();
        } catch (RuntimeException e) {
            failed("put", entries.keySet().iterator().next(), e.toString());
        }
    }

    @Override
    public void invalidate(Collection<String> keys) {
        if (keys.isEmpty() || circuitOpen()) {
            // Entries of deleted tasks are unreachable through metadata, and expire with the TTL.
            return;
        }
        try {
            delegate.invalidate(keys);
            succeeded();
        } catch (RuntimeException e) {
            failed("invalidate", keys.iterator().next(), e.toString());
        }
    }

    /** Asks the real cache directly, so a probe can close an open circuit once the server is back. */
    @Override
    public void check() {
        try {
            delegate.check();
            succeeded();
        } catch (RuntimeException e) {
            failed("check", "-", e.toString());
            throw e;
        }
    }

    /**
     * Asks the real cache, like {@link #check()}, but never throws: one failed probe counts as one
     * failure, so the answer is {@link CacheHealth#DOWN} only once the circuit opened.
     */
    @Override
    public CacheHealth health() {
        CacheHealth answer = delegate.health();
        switch (answer) {
            case UP -> succeeded();
            case DOWN -> failed("check", "-", "the cache does not answer");
            case DISABLED -> {
                return CacheHealth.DISABLED;
            }
        }
        return state();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private boolean circuitOpen() {
        return clock.instant().isBefore(openUntil.get());
    }

    private void succeeded() {
        if (consecutiveFailures.getAndSet(0) >= failureThreshold) {
            log.info("cache {} answers again; circuit closed", delegate.describe());
        }
    }

    private void failed(String operation, String key, String error) {
        int failures = consecutiveFailures.incrementAndGet();
        if (failures >= failureThreshold) {
            openUntil.set(clock.instant().plus(openFor));
        }
        if (failures <= failureThreshold) {
            log.warn(
                    "cache {} failed for key {}; served without cache ({} consecutive failures): {}",
                    operation,
                    key,
                    failures,
                    error);
        }
    }
}
