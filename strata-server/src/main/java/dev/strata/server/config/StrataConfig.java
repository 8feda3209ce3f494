package dev.strata.server.config;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.content.s3.S3Settings;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything Strata reads from its environment, validated once at start. Secrets are kept out of
 * {@link #toString()}.
 *
 * @param contentUrl {@code file:<directory>} or {@code s3://bucket[/prefix]}
 * @param cacheUrl {@code memory}, {@code none} or {@code redis://host:port[/db]}
 * @param maxResponseBytes most decoded message bytes one page of a message listing holds (at least one message is always sent)
 */
public record StrataConfig(
        String host,
        int port,
        String dbUrl,
        Optional<String> dbUser,
        Optional<String> dbPassword,
        int dbPoolSize,
        String contentUrl,
        S3Settings s3,
        String cacheUrl,
        String cachePrefix,
        Duration cacheTtl,
        Duration cacheTimeout,
        long cacheMemoryBytes,
        Set<String> dropTypes,
        long maxBodyBytes,
        long maxInflightBodyBytes,
        Duration bodyTimeout,
        long maxResponseBytes,
        LifecycleConfig lifecycle,
        StreamConfig stream) {

    public static final String DEFAULT_DB_URL = "jdbc:sqlite:data/strata.db";
    public static final String DEFAULT_CONTENT_URL = "file:data/objects";

    public StrataConfig {
        requireNonNull(host, "host is null");
        requireNonNull(dbUrl, "dbUrl is null");
        requireNonNull(dbUser, "dbUser is null");
        requireNonNull(dbPassword, "dbPassword is null");
        requireNonNull(contentUrl, "contentUrl is null");
        requireNonNull(s3, "s3 is null");
        requireNonNull(cacheUrl, "cacheUrl is null");
        requireNonNull(cachePrefix, "cachePrefix is null");
        requireNonNull(cacheTtl, "cacheTtl is null");
        requireNonNull(cacheTimeout, "cacheTimeout is null");
        dropTypes = Set.copyOf(requireNonNull(dropTypes, "dropTypes is null"));
        requireNonNull(bodyTimeout, "bodyTimeout is null");
        requireNonNull(lifecycle, "lifecycle is null");
        requireNonNull(stream, "stream is null");
    }

    /** Reads and validates the configuration from environment variables. */
    public static StrataConfig fromEnvironment(Map<String, String> env) {
        Reader read = new Reader(env);
        String dbUrl = read.text("STRATA_DB_URL", DEFAULT_DB_URL);
        if (!dbUrl.startsWith("jdbc:sqlite:") && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("STRATA_DB_URL must start with jdbc:sqlite: or jdbc:postgresql:, got '"
                    + Redaction.maskUrl(dbUrl) + "'");
        }
        String contentUrl = read.text("STRATA_CONTENT_URL", DEFAULT_CONTENT_URL);
        if (!contentUrl.startsWith("file:") && !contentUrl.startsWith("s3://")) {
            throw new ConfigException("STRATA_CONTENT_URL must be file:<directory> or s3://<bucket>[/<prefix>], got '"
                    + Redaction.maskUrl(contentUrl) + "'");
        }
        if (contentUrl.equals("file:") || contentUrl.equals("s3://")) {
            throw new ConfigException("STRATA_CONTENT_URL names no directory or bucket: '" + contentUrl + "'");
        }
        if (contentUrl.startsWith("s3://")) {
            try {
                S3Location.parse(contentUrl);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("STRATA_CONTENT_URL: " + e.getMessage());
            }
        }
        String cacheUrl = read.text("STRATA_CACHE_URL", "memory");
        if (!cacheUrl.equals("memory")
                && !cacheUrl.equals("none")
                && !cacheUrl.startsWith("redis://")
                && !cacheUrl.startsWith("rediss://")) {
            throw new ConfigException("STRATA_CACHE_URL must be memory, none or redis://host:port[/db], got '"
                    + Redaction.maskUrl(cacheUrl) + "'");
        }
        long maxBodyBytes = read.number("STRATA_MAX_BODY_BYTES", 32L << 20, 1024, Integer.MAX_VALUE - 8);
        // A body is briefly held twice while its pieces are joined, so the budget must fit two.
        long maxInflightBodyBytes = read.number(
                "STRATA_MAX_INFLIGHT_BODY_BYTES",
                Math.max(256L << 20, 2 * maxBodyBytes),
                2 * maxBodyBytes,
                Long.MAX_VALUE);
        Duration bodyTimeout = read.duration("STRATA_BODY_TIMEOUT", "30s");
        if (bodyTimeout.isZero()) {
            throw new ConfigException(
                    "STRATA_BODY_TIMEOUT must be longer than 0, got '" + read.text("STRATA_BODY_TIMEOUT", "") + "'");
        }
        Set<String> dropTypes = new LinkedHashSet<>();
        Arrays.stream(read.text("STRATA_DROP_TYPES", "log,status").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .forEach(dropTypes::add);
        return new StrataConfig(
                read.text("STRATA_HOST", "0.0.0.0"),
                (int) read.number("STRATA_PORT", 8080, 0, 65535),
                dbUrl,
                read.optional("STRATA_DB_USER"),
                read.optional("STRATA_DB_PASSWORD"),
                (int) read.number("STRATA_DB_POOL_SIZE", dbUrl.startsWith("jdbc:sqlite:") ? 4 : 10, 1, 1000),
                contentUrl,
                s3Settings(read),
                cacheUrl,
                read.text("STRATA_CACHE_PREFIX", "strata:"),
                read.duration("STRATA_CACHE_TTL", "7d"),
                read.duration("STRATA_CACHE_TIMEOUT", "250ms"),
                read.number("STRATA_CACHE_MEMORY_BYTES", 256L << 20, 1 << 20, Long.MAX_VALUE),
                dropTypes,
                maxBodyBytes,
                maxInflightBodyBytes,
                bodyTimeout,
                read.number("STRATA_MAX_RESPONSE_BYTES", 64L << 20, 1024, Long.MAX_VALUE),
                new LifecycleConfig(
                        read.duration("STRATA_DELETION_INTERVAL", "30s"),
                        read.duration("STRATA_COMPACTION_INTERVAL", "10s"),
                        (int) read.number("STRATA_COMPACT_SEGMENTS", 64, 2, 1_000_000),
                        (int) read.number("STRATA_COMPACTION_CONCURRENCY", 2, 1, 64),
                        read.duration("STRATA_COMPACTION_GRACE", "5m"),
                        read.duration("STRATA_ORPHAN_INTERVAL", "1m"),
                        read.duration("STRATA_ORPHAN_GRACE", "1h"),
                        read.text("STRATA_RETENTION", "off").equals("off")
                                ? Optional.empty()
                                : Optional.of(read.duration("STRATA_RETENTION", "off")),
                        read.duration("STRATA_RETENTION_INTERVAL", "1h")),
                new StreamConfig(
                        read.duration("STRATA_STREAM_HEARTBEAT", "15s"),
                        (int) read.number("STRATA_STREAM_MAX", 10_000, 1, 1_000_000),
                        (int) read.number("STRATA_STREAM_MAX_PER_TOKEN", 100, 1, 1_000_000),
                        read.duration("STRATA_STREAM_CATCH_UP", "2s")));
    }

    private static S3Settings s3Settings(Reader read) {
        var accessKeyId = read.optional("STRATA_S3_ACCESS_KEY_ID");
        var secretAccessKey = read.optional("STRATA_S3_SECRET_ACCESS_KEY");
        if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
            throw new ConfigException("STRATA_S3_ACCESS_KEY_ID and STRATA_S3_SECRET_ACCESS_KEY must be set together");
        }
        return new S3Settings(
                read.optional("STRATA_S3_ENDPOINT"),
                read.text("STRATA_S3_REGION", "us-east-1"),
                accessKeyId,
                secretAccessKey,
                read.bool("STRATA_S3_PATH_STYLE", false),
                (int) read.number("STRATA_S3_MAX_CONNECTIONS", 64, 1, 10_000),
                read.duration("STRATA_S3_TIMEOUT", "30s"));
    }

    /** Every URL-valued setting with its credentials masked ({@link Redaction}); no secret is printed. */
    @Override
    public String toString() {
        return "StrataConfig[host=" + host + ", port=" + port + ", dbUrl=" + Redaction.maskUrl(dbUrl) + ", dbUser="
                + dbUser.orElse("")
                + ", dbPassword=" + (dbPassword.isPresent() ? Redaction.MASK : "") + ", contentUrl="
                + Redaction.maskUrl(contentUrl)
                + ", s3=S3Settings[endpoint=" + Redaction.maskUrl(s3.endpoint().orElse("aws")) + ", region="
                + s3.region()
                + ", accessKeyId=" + s3.accessKeyId().orElse("") + ", secretAccessKey="
                + (s3.secretAccessKey().isPresent() ? Redaction.MASK : "")
                + ", pathStyle=" + s3.pathStyle() + ", maxConnections=" + s3.maxConnections() + ", timeout="
                + s3.timeout() + "]"
                + ", cacheUrl=" + Redaction.maskUrl(cacheUrl) + ", cachePrefix=" + cachePrefix + ", cacheTtl="
                + cacheTtl
                + ", dropTypes=" + dropTypes + ", maxBodyBytes=" + maxBodyBytes + ", maxInflightBodyBytes="
                + maxInflightBodyBytes
                + ", bodyTimeout=" + bodyTimeout + ", maxResponseBytes=" + maxResponseBytes + "]";
    }

    /** Reads typed values, naming the variable in every error. */
    private record Reader(Map<String, String> env) {
        Optional<String> optional(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
        }

        String text(String name, String fallback) {
            return optional(name).orElse(fallback);
        }

        long number(String name, long fallback, long min, long max) {
            Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return fallback;
            }
            try {
                long parsed = Long.parseLong(value.get());
                if (parsed < min || parsed > max) {
                    throw new ConfigException(name + " must be from " + min + " to " + max + ", got " + parsed);
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be an integer, got '" + value.get() + "'");
            }
        }

        boolean bool(String name, boolean fallback) {
            Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return fallback;
            }
            return switch (value.get().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new ConfigException(name + " must be true or false, got '" + value.get() + "'");
            };
        }

        Duration duration(String name, String fallback) {
            return Durations.parse(name, text(name, fallback));
        }
    }
}
