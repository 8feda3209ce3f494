package dev.strata.bench;

import dev.strata.metrics.MeteredContentTier;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.content.s3.S3Settings;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backends one bench run measures, fresh and private to the run: a SQLite file, a directory
 * and an in-process cache (embedded), or a PostgreSQL schema, an S3Proxy bucket and a Redis key
 * prefix (scalable). Content requests and bytes are counted through a metered content tier.
 */
final class BenchEnvironment implements AutoCloseable {
    enum Kind {
        EMBEDDED,
        SCALABLE
    }

    final Kind kind;
    final Path directory;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Database database;
    private final ListableContent rawContent;
    final ContentTier content;
    /** Caches this environment made for its stores and baselines; it closes them (stores do not own tiers). */
    private final List<AutoCloseable> caches = new ArrayList<>();

    private final S3ProxyServer s3;
    private final String schema;
    private final String redisPrefix;

    BenchEnvironment(Kind kind) {
        this.kind = kind;
        try {
            this.directory = Files.createTempDirectory("strata-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (kind == Kind.EMBEDDED) {
            s3 = null;
            schema = null;
            redisPrefix = null;
            database = new Database(DatabaseSettings.of("jdbc:sqlite:" + directory.resolve("metadata.db")));
            rawContent = new LocalDirectoryContentTier(directory.resolve("objects"));
        } else {
            s3 = new S3ProxyServer(directory.resolve("s3"));
            schema = TestServices.uniqueName("bench");
            redisPrefix = TestServices.uniqueName("bench") + ":";
            database = new Database(new DatabaseSettings(
                    TestServices.postgresUrl(schema), Optional.empty(), Optional.empty(), 8, Duration.ofSeconds(5)));
            rawContent =
                    new S3ContentTier(S3Location.parse("s3://" + s3.createBucket("bench") + "/strata"), s3Settings(s3));
        }
        content = new MeteredContentTier(rawContent, registry);
    }

    /** A warm cache of the run's kind. */
    SegmentCache cache() {
        SegmentCache cache = kind == Kind.EMBEDDED
                ? new CaffeineSegmentCache(512L << 20, Duration.ofHours(1))
                : new RedisSegmentCache(
                        TestServices.REDIS_URL, redisPrefix, Duration.ofHours(1), Duration.ofSeconds(2), 8L << 20);
        synchronized (caches) {
            caches.add(cache);
        }
        return cache;
    }

    /** A store over this run's tiers; {@code cached} false reads everything from the content tier. */
    TaskMessageStore store(boolean cached) {
        SegmentCache cache = cached ? cache() : new NoSegmentCache();
        return new TaskMessageStore(
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()),
                content,
                new FailSafeSegmentCache(cache),
                StoreOptions.defaults()
                        .withReplacedSegmentGrace(Duration.ZERO)
                        .withDecodedCacheBytes(cached ? 64L << 20 : 0),
                Clock.systemUTC());
    }

    /** @return how many objects the content tier holds under {@code prefix}, listed page by page */
    long objectsUnder(String prefix) {
        long count = 0;
        String after = "";
        while (true) {
            List<ListableContent.StoredObject> page = rawContent.list(prefix, after, ListableContent.MAX_PAGE);
            count += page.size();
            if (page.size() < ListableContent.MAX_PAGE) {
                return count;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    /** Environment variables that point a Strata server at these backends. */
    Map<String, String> serverEnvironment() {
        if (kind == Kind.EMBEDDED) {
            return Map.of(
                    "STRATA_DB_URL",
                    "jdbc:sqlite:" + directory.resolve("server.db"),
                    "STRATA_CONTENT_URL",
                    "file:" + directory.resolve("server-objects"),
                    "STRATA_CACHE_URL",
                    "memory");
        }
        String serverSchema = schema + "srv";
        return Map.of(
                "STRATA_DB_URL",
                TestServices.postgresUrl(serverSchema),
                "STRATA_CONTENT_URL",
                "s3://" + s3.createBucket("benchsrv") + "/strata",
                "STRATA_S3_ENDPOINT",
                s3.endpoint(),
                "STRATA_S3_PATH_STYLE",
                "true",
                "STRATA_S3_ACCESS_KEY_ID",
                S3ProxyServer.ACCESS_KEY,
                "STRATA_S3_SECRET_ACCESS_KEY",
                S3ProxyServer.SECRET_KEY,
                "STRATA_CACHE_URL",
                TestServices.REDIS_URL,
                "STRATA_CACHE_PREFIX",
                redisPrefix + "srv:");
    }

    long counter(String name) {
        var counter = registry.find(name).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    /** Content requests so far of one operation (put, get, delete). */
    long requests(String operation) {
        return registry
                .find("strata.tier.operation")
                .tag("tier", "content")
                .tag("operation", operation)
                .timers()
                .stream()
                .mapToLong(timer -> timer.count())
                .sum();
    }

    /**
     * Size of the metadata database on disk, after folding the write-ahead log into it; with
     * {@code vacuum}, after rewriting it densely (pages freed by compaction returned).
     */
    long metadataBytes(boolean vacuum) {
        if (kind == Kind.EMBEDDED) {
            database.jdbi().useHandle(h -> h.execute("PRAGMA wal_checkpoint(TRUNCATE)"));
            if (vacuum) {
                database.jdbi().useHandle(h -> h.execute("VACUUM"));
                database.jdbi().useHandle(h -> h.execute("PRAGMA wal_checkpoint(TRUNCATE)"));
            }
            return directory.resolve("metadata.db").toFile().length();
        }
        if (vacuum) {
            database.jdbi().useHandle(h -> h.execute("VACUUM FULL"));
        }
        return database.jdbi()
                .withHandle(h -> h.createQuery(
                                "SELECT COALESCE(SUM(pg_total_relation_size(format('%I.%I', schemaname, tablename))), 0) FROM pg_tables WHERE schemaname = :s")
                        .bind("s", schema)
                        .mapTo(Long.class)
                        .one());
    }

    @Override
    public void close() {
        synchronized (caches) {
            for (AutoCloseable cache : caches.reversed()) {
                try {
                    cache.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing " + cache + " failed", e);
                }
            }
        }
        content.close();
        database.close();
        if (s3 != null) {
            s3.close();
            TestServices.dropSchema(schema);
            TestServices.dropSchema(schema + "srv");
            RedisKeys.deleteAll(redisPrefix);
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings that reach the in-process S3 server, with a short timeout so outages surface fast. */
    private static S3Settings s3Settings(S3ProxyServer server) {
        return new S3Settings(
                Optional.of(server.endpoint()),
                "us-east-1",
                Optional.of(S3ProxyServer.ACCESS_KEY),
                Optional.of(S3ProxyServer.SECRET_KEY),
                true,
                16,
                Duration.ofSeconds(5));
    }
}
