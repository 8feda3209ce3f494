package dev.strata.server;

import dev.strata.server.config.ConfigException;
import dev.strata.server.config.StrataConfig;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import java.nio.file.Path;

/** Picks each tier's backend from its configuration URL. */
final class Backends {
    /** Segments larger than this are not put in Redis: one would displace many small ones. */
    static final long REDIS_MAX_VALUE_BYTES = 4L << 20;

    private Backends() {}

    static ContentTier content(StrataConfig config) {
        String url = config.contentUrl();
        if (url.startsWith("file:")) {
            return new LocalDirectoryContentTier(Path.of(url.substring("file:".length())));
        }
        if (url.startsWith("s3://")) {
            return new S3ContentTier(S3Location.parse(url), config.s3());
        }
        throw new ConfigException("STRATA_CONTENT_URL: unsupported content backend '" + url + "'");
    }

    /** Whether the configuration turns caching off, so there is nothing to meter. */
    static boolean cacheDisabled(StrataConfig config) {
        return config.cacheUrl().equals("none");
    }

    static SegmentCache cache(StrataConfig config) {
        String url = config.cacheUrl();
        if (url.startsWith("redis://") || url.startsWith("rediss://")) {
            return new RedisSegmentCache(
                    url, config.cachePrefix(), config.cacheTtl(), config.cacheTimeout(), REDIS_MAX_VALUE_BYTES);
        }
        return switch (url) {
            case "memory" -> new CaffeineSegmentCache(config.cacheMemoryBytes(), config.cacheTtl());
            case "none" -> new NoSegmentCache();
            default -> throw new ConfigException("STRATA_CACHE_URL: unsupported cache backend '" + url + "'");
        };
    }
}
