package dev.strata.server;

import dev.strata.metrics.MeteredSegmentCache;
import dev.strata.server.config.CacheBackend;
import dev.strata.server.config.ContentBackend;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.content.s3.S3ContentTier;
import io.micrometer.core.instrument.MeterRegistry;

/** Builds each tier's backend from its parsed configuration. */
final class Backends {
    /** Segments larger than this are not put in Redis: one would displace many small ones. */
    static final long REDIS_MAX_VALUE_BYTES = 4L << 20;

    private Backends() {}

    static ListableContent content(ContentBackend backend) {
        return switch (backend) {
            case ContentBackend.LocalDirectory local -> new LocalDirectoryContentTier(local.directory());
            case ContentBackend.S3 s3 -> new S3ContentTier(s3.location(), s3.settings());
        };
    }

    /**
     * The cache as the store uses it: the configured backend, metered and made fail-safe; or no
     * cache at all, unmetered (metering it would only count misses, and hide that it is disabled).
     */
    static SegmentCache cache(CacheBackend backend, MeterRegistry registry) {
        return switch (backend) {
            case CacheBackend.None none -> new NoSegmentCache();
            case CacheBackend.Memory memory ->
                failSafe(new CaffeineSegmentCache(memory.bytes(), memory.ttl()), registry);
            case CacheBackend.Redis redis ->
                failSafe(
                        new RedisSegmentCache(
                                redis.url(), redis.prefix(), redis.ttl(), redis.timeout(), REDIS_MAX_VALUE_BYTES),
                        registry);
        };
    }

    private static SegmentCache failSafe(SegmentCache backend, MeterRegistry registry) {
        return new FailSafeSegmentCache(new MeteredSegmentCache(backend, registry));
    }
}
