package dev.strata.server.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Which segment cache runs, parsed once from {@code STRATA_CACHE_URL}: none, an in-process cache or
 * Redis. {@link #toString()} never shows a secret.
 */
public sealed interface CacheBackend {
    /** No cache: every read goes to the content tier; from {@code none}. */
    record None() implements CacheBackend {
        @Override
        public String toString() {
            return "none";
        }
    }

    /** An in-process cache of at most {@code bytes}; from {@code memory}. */
    record Memory(long bytes, Duration ttl) implements CacheBackend {
        public Memory {
            requireNonNull(ttl, "ttl is null");
            if (bytes < 1) {
                throw new IllegalArgumentException("bytes must be positive, got " + bytes);
            }
        }

        @Override
        public String toString() {
            return "memory[bytes=" + bytes + ", ttl=" + ttl + "]";
        }
    }

    /**
     * A Redis cache shared by every instance; from {@code redis://} or {@code rediss://}.
     *
     * @param url the Redis URL as given, for the client; it may hold a password
     * @param prefix put before every key, so deployments can share one Redis
     * @param timeout bound of one Redis call
     */
    record Redis(String url, String prefix, Duration ttl, Duration timeout) implements CacheBackend {
        public Redis {
            requireNonNull(url, "url is null");
            requireNonNull(prefix, "prefix is null");
            requireNonNull(ttl, "ttl is null");
            requireNonNull(timeout, "timeout is null");
        }

        @Override
        public String toString() {
            return "redis[url=" + Redaction.maskUrl(url) + ", prefix=" + prefix + ", ttl=" + ttl + ", timeout="
                    + timeout + "]";
        }
    }

    /**
     * Parses {@code STRATA_CACHE_URL}; the other arguments come from their own variables, read
     * whichever backend is chosen.
     *
     * @throws ConfigException naming the variable, if the URL is of no known form
     */
    static CacheBackend parse(String url, long memoryBytes, String prefix, Duration ttl, Duration timeout) {
        if (url.startsWith("redis://") || url.startsWith("rediss://")) {
            return new Redis(url, prefix, ttl, timeout);
        }
        return switch (url) {
            case "none" -> new None();
            case "memory" -> new Memory(memoryBytes, ttl);
            default ->
                throw new ConfigException("STRATA_CACHE_URL must be memory, none or redis://host:port[/db], got '"
                        + Redaction.maskUrl(url) + "'");
        };
    }
}
