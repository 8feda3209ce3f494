package dev.strata.server;

import dev.strata.server.config.ConfigException;
import dev.strata.server.config.StrataConfig;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.LocalDirectoryContentTier;
import java.nio.file.Path;

/** Picks each tier's backend from its configuration URL. */
final class Backends {
    private Backends() {
    }

    static ContentTier content(StrataConfig config) {
        String url = config.contentUrl();
        if (url.startsWith("file:")) {
            return new LocalDirectoryContentTier(Path.of(url.substring("file:".length())));
        }
        throw new ConfigException("STRATA_CONTENT_URL: unsupported content backend '" + url + "'");
    }

    static SegmentCache cache(StrataConfig config) {
        return switch (config.cacheUrl()) {
            case "memory" -> new CaffeineSegmentCache(config.cacheMemoryBytes(), config.cacheTtl());
            case "none" -> new NoSegmentCache();
            default -> throw new ConfigException("STRATA_CACHE_URL: unsupported cache backend '" + config.cacheUrl() + "'");
        };
    }
}
