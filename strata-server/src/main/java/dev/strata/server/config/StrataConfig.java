package dev.strata.server.config;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.content.s3.S3Settings;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import dev.strata.tier.metadata.jdbc.JdbcUrl;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything Strata reads from its environment, validated once at start; each backend URL is
 * parsed here, once, into typed settings. Secrets are kept out of {@link #toString()}.
 *
 * @param database from {@code STRATA_DB_URL} ({@code jdbc:sqlite:...} or {@code jdbc:postgresql:...}) and its
 *     companions
 * @param content from {@code STRATA_CONTENT_URL}: {@code file:<directory>} or {@code s3://bucket[/prefix]}
 * @param cache from {@code STRATA_CACHE_URL}: {@code memory}, {@code none} or {@code redis://host:port[/db]}
 * @param maxResponseBytes most decoded message bytes one page of a message listing holds (at least one message is always sent)
 * @param flush how appends are grouped into shared objects and transactions
 */
public record StrataConfig(
        String host,
        int port,
        DatabaseSettings database,
        ContentBackend content,
        CacheBackend cache,
        Set<String> dropTypes,
        long maxBodyBytes,
        long maxInflightBodyBytes,
        Duration bodyTimeout,
        long maxResponseBytes,
        LifecycleConfig lifecycle,
        StreamConfig stream,
        FlushConfig flush) {

    public static final String DEFAULT_DB_URL = "jdbc:sqlite:data/strata.db";
    public static final String DEFAULT_CONTENT_URL = "file:data/objects";
    /** The shortest {@code STRATA_RETENTION} accepted without {@code STRATA_RETENTION_ALLOW_SHORT=true}. */
    public static final Duration MIN_RETENTION = Duration.ofHours(1);

    public StrataConfig {
        requireNonNull(host, "host is null");
        requireNonNull(database, "database is null");
        requireNonNull(content, "content is null");
        requireNonNull(cache, "cache is null");
        dropTypes = Set.copyOf(requireNonNull(dropTypes, "dropTypes is null"));
        requireNonNull(bodyTimeout, "bodyTimeout is null");
        requireNonNull(lifecycle, "lifecycle is null");
        requireNonNull(stream, "stream is null");
        requireNonNull(flush, "flush is null");
    }

    /** Reads and validates the configuration from environment variables. */
    public static StrataConfig fromEnvironment(Map<String, String> env) {
        return fromEnvironment(new Reader(env));
    }

    private static StrataConfig fromEnvironment(Reader read) {
        JdbcUrl dbUrl = jdbcUrl(read.text("STRATA_DB_URL", DEFAULT_DB_URL));
        String contentUrl = read.text("STRATA_CONTENT_URL", DEFAULT_CONTENT_URL);
        String cacheUrl = read.text("STRATA_CACHE_URL", "memory");
        ContentBackend content = ContentBackend.parse(contentUrl, s3Settings(read));
        CacheBackend cache = CacheBackend.parse(
                cacheUrl,
                read.number("STRATA_CACHE_MEMORY_BYTES", 256L << 20, 1 << 20, Long.MAX_VALUE),
                read.text("STRATA_CACHE_PREFIX", "strata:"),
                read.duration("STRATA_CACHE_TTL", "7d"),
                read.duration("STRATA_CACHE_TIMEOUT", "250ms"));
        long maxBodyBytes = read.number("STRATA_MAX_BODY_BYTES", 32L << 20, 1024, Integer.MAX_VALUE - 8);
        // A body is briefly held twice while its pieces are joined, so the budget must fit two.
        long maxInflightBodyBytes = read.number(
                "STRATA_MAX_INFLIGHT_BODY_BYTES",
                Math.max(256L << 20, 2 * maxBodyBytes),
                2 * maxBodyBytes,
                Long.MAX_VALUE);
        Duration bodyTimeout = read.duration("STRATA_BODY_TIMEOUT", "30s");
        requireLogFormat(read);
        Set<String> dropTypes = new LinkedHashSet<>();
        Arrays.stream(read.text("STRATA_DROP_TYPES", "log,status").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .forEach(dropTypes::add);
        return new StrataConfig(
                read.text("STRATA_HOST", "0.0.0.0"),
                (int) read.number("STRATA_PORT", 8080, 0, 65535),
                database(read, dbUrl),
                content,
                cache,
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
                        retention(read),
                        read.duration("STRATA_RETENTION_INTERVAL", "1h"),
                        read.bool("STRATA_RETENTION_ALLOW_SHORT", false)),
                new StreamConfig(
                        read.duration("STRATA_STREAM_HEARTBEAT", "15s"),
                        (int) read.number("STRATA_STREAM_MAX", 10_000, 1, 1_000_000),
                        (int) read.number("STRATA_STREAM_MAX_PER_TOKEN", 100, 1, 1_000_000),
                        read.duration("STRATA_STREAM_CATCH_UP", "2s")),
                new FlushConfig(
                        read.number("STRATA_FLUSH_MAX_BYTES", 8L << 20, 1024, 1L << 30),
                        read.waitDuration("STRATA_FLUSH_MAX_DELAY", "0s"),
                        (int) read.number("STRATA_FLUSH_CONCURRENCY", 4, 1, 64),
                        read.duration("STRATA_SHARED_SEGMENT_TTL", "10m")));
    }

    /** Every variable {@link #fromEnvironment} reads; the others named {@code STRATA_*} are unknown to it. */
    public static Set<String> variables() {
        Reader read = new Reader(Map.of());
        fromEnvironment(read);
        return Set.copyOf(read.names());
    }

    /**
     * {@code STRATA_RETENTION}: {@code off} or a duration of at least an hour, since a shorter one
     * deletes tasks that merely paused; {@code STRATA_RETENTION_ALLOW_SHORT=true} allows it (tests, demos).
     */
    private static Optional<Duration> retention(Reader read) {
        boolean allowShort = read.bool("STRATA_RETENTION_ALLOW_SHORT", false);
        if (read.text("STRATA_RETENTION", "off").equals("off")) {
            return Optional.empty();
        }
        Duration retention = read.duration("STRATA_RETENTION", "off");
        requireLongEnough("STRATA_RETENTION", read.text("STRATA_RETENTION", ""), retention, allowShort);
        return Optional.of(retention);
    }

    /**
     * The rule for every retention setting (the default and each workspace's): at least
     * {@link #MIN_RETENTION}, unless {@code STRATA_RETENTION_ALLOW_SHORT=true}.
     *
     * @param name the setting, as the error names it
     * @throws ConfigException when {@code retention} is shorter and short ones are not allowed
     */
    public static void requireLongEnough(String name, String text, Duration retention, boolean allowShort) {
        if (retention.compareTo(MIN_RETENTION) < 0 && !allowShort) {
            throw new ConfigException(name + " must be at least 1h (or off), got '" + text
                    + "'; set STRATA_RETENTION_ALLOW_SHORT=true to allow it");
        }
    }

    /**
     * {@code STRATA_LOG_FORMAT} is applied by {@code logback.xml} (it names the appender), which
     * cannot refuse a bad value; it is checked here so a typo stops the start with a clear line.
     */
    private static void requireLogFormat(Reader read) {
        String format = read.text("STRATA_LOG_FORMAT", "text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new ConfigException("STRATA_LOG_FORMAT must be text or json, got '" + format + "'");
        }
    }

    private static JdbcUrl jdbcUrl(String url) {
        try {
            return JdbcUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("STRATA_DB_URL must start with jdbc:sqlite: or jdbc:postgresql:, got '"
                    + Redaction.maskUrl(url) + "'");
        }
    }

    private static DatabaseSettings database(Reader read, JdbcUrl url) {
        int defaultPoolSize = switch (url.dialect()) {
            case SQLITE -> 4;
            case POSTGRESQL -> 10;
        };
        return new DatabaseSettings(
                url,
                read.optional("STRATA_DB_USER"),
                read.optional("STRATA_DB_PASSWORD"),
                (int) read.number("STRATA_DB_POOL_SIZE", defaultPoolSize, 1, 1000),
                Duration.ofSeconds(5));
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
        return "StrataConfig[host=" + host + ", port=" + port + ", dbUrl="
                + Redaction.maskUrl(database.url().value())
                + ", dbUser=" + database.user().orElse("") + ", dbPassword="
                + (database.password().isPresent() ? Redaction.MASK : "") + ", dbPoolSize=" + database.poolSize()
                + ", content=" + content + ", cache=" + cache + ", dropTypes=" + dropTypes + ", maxBodyBytes="
                + maxBodyBytes + ", maxInflightBodyBytes=" + maxInflightBodyBytes + ", bodyTimeout=" + bodyTimeout
                + ", maxResponseBytes=" + maxResponseBytes + ", flush=" + flush + "]";
    }

    /** Reads typed values, naming the variable in every error, and notes every name it was asked for. */
    private static final class Reader {
        private final Map<String, String> env;
        private final Set<String> names = new LinkedHashSet<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        /** The names asked for so far. */
        Set<String> names() {
            return names;
        }

        Optional<String> optional(String name) {
            names.add(name);
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

        /** A duration longer than zero: an interval, timeout or lifetime. */
        Duration duration(String name, String fallback) {
            String text = text(name, fallback);
            Duration duration = Durations.parse(name, text);
            if (duration.isZero()) {
                throw new ConfigException(name + " must be longer than 0, got '" + text + "'");
            }
            return duration;
        }

        /** A wait that may be zero (do not wait), never negative: {@code STRATA_FLUSH_MAX_DELAY}. */
        Duration waitDuration(String name, String fallback) {
            return Durations.parse(name, text(name, fallback));
        }
    }
}
