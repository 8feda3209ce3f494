package dev.strata.bench.soak;

import dev.strata.testing.FaultProxy;
import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The backends a soak runs Strata on, private to the run, and the faults it injects into them.
 * Embedded: a SQLite file, a directory and the in-process cache; the faults are the database
 * locked by another process and the content directory made read-only. Scalable: PostgreSQL,
 * S3Proxy and Redis, each behind a {@link FaultProxy} that resets, drops or black-holes its
 * connections.
 */
abstract sealed class SoakBackends implements AutoCloseable {
    /** Environment variables that point Strata at these backends. */
    abstract Map<String, String> environment();

    /** Starts a fault on one backend, chosen at random; returns what it is. */
    abstract String inject(SplittableRandom random);

    /** Ends the fault in force, if any. Idempotent. */
    abstract void heal();

    @Override
    public abstract void close();

    static SoakBackends embedded(Path directory) {
        return new Embedded(directory);
    }

    static SoakBackends scalable(Path directory) {
        return new Scalable(directory);
    }

    /** SQLite, a local directory, the in-process cache. */
    static final class Embedded extends SoakBackends {
        private final Path database;
        private final Path objects;
        private Connection lockHolder;
        private boolean readOnly;

        Embedded(Path directory) {
            this.database = directory.resolve("strata.db");
            this.objects = directory.resolve("objects");
        }

        @Override
        Map<String, String> environment() {
            return Map.of(
                    "STRATA_DB_URL",
                    "jdbc:sqlite:" + database,
                    "STRATA_CONTENT_URL",
                    "file:" + objects,
                    "STRATA_CACHE_URL",
                    "memory",
                    "STRATA_CACHE_MEMORY_BYTES",
                    Long.toString(32L << 20));
        }

        @Override
        synchronized String inject(SplittableRandom random) {
            if (random.nextBoolean()) {
                try {
                    lockHolder = DriverManager.getConnection("jdbc:sqlite:" + database);
                    try (Statement statement = lockHolder.createStatement()) {
                        statement.execute("BEGIN IMMEDIATE");
                    }
                    return "metadata locked by another process";
                } catch (SQLException e) {
                    closeLockHolder();
                    return "metadata lock not taken (" + e.getMessage() + ")";
                }
            }
            readOnly = true;
            setReadOnly(true);
            return "content directory read-only";
        }

        @Override
        synchronized void heal() {
            closeLockHolder();
            if (readOnly) {
                setReadOnly(false);
                readOnly = false;
            }
        }

        @Override
        public void close() {
            heal();
        }

        private void closeLockHolder() {
            if (lockHolder != null) {
                try (Connection connection = lockHolder) {
                    connection.createStatement().execute("ROLLBACK");
                } catch (SQLException ignored) {
                    // closing releases the lock anyway
                }
                lockHolder = null;
            }
        }

        /**
         * Root ignores permission bits, so the immutable attribute is tried first; without
         * {@code chattr} (or its capability) the directories lose their write permission instead.
         */
        private void setReadOnly(boolean on) {
            Path tasks = objects.resolve("tasks");
            if (!Files.isDirectory(tasks)) {
                return;
            }
            try {
                Process chattr = new ProcessBuilder("chattr", "-R", on ? "+i" : "-i", tasks.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (chattr.waitFor() == 0) {
                    return;
                }
            } catch (IOException notAvailable) {
                // fall back to permissions
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (var paths = Files.walk(tasks)) {
                for (Path path : paths.filter(Files::isDirectory).toList()) {
                    path.toFile().setWritable(!on, false);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** PostgreSQL, S3Proxy and Redis, each behind a fault proxy. */
    static final class Scalable extends SoakBackends {
        private static final List<String> MODES = List.of("reset", "drop", "black hole");

        private final S3ProxyServer s3;
        private final String bucket;
        private final String schema = TestServices.uniqueName("soak");
        private final String redisPrefix = TestServices.uniqueName("soak") + ":";
        private final FaultProxy postgres = FaultProxy.to(TestServices.POSTGRES_URL);
        private final FaultProxy content;
        private final FaultProxy cache = FaultProxy.to(TestServices.REDIS_URL);
        private final Map<String, FaultProxy> proxies;

        Scalable(Path directory) {
            s3 = new S3ProxyServer(directory.resolve("s3"));
            bucket = s3.createBucket("soak");
            content = FaultProxy.to(s3.endpoint());
            proxies = Map.of("metadata (PostgreSQL)", postgres, "content (S3)", content, "cache (Redis)", cache);
        }

        @Override
        Map<String, String> environment() {
            Map<String, String> env = new HashMap<>();
            env.put("STRATA_DB_URL", postgres.through(TestServices.postgresUrl(schema)));
            env.put("STRATA_CONTENT_URL", "s3://" + bucket + "/strata");
            env.put("STRATA_S3_ENDPOINT", content.through(s3.endpoint()));
            env.put("STRATA_S3_PATH_STYLE", "true");
            env.put("STRATA_S3_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
            env.put("STRATA_S3_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
            env.put("STRATA_CACHE_URL", cache.through(TestServices.REDIS_URL));
            env.put("STRATA_CACHE_PREFIX", redisPrefix);
            return env;
        }

        @Override
        String inject(SplittableRandom random) {
            List<String> targets = proxies.keySet().stream().sorted().toList();
            String target = targets.get(random.nextInt(targets.size()));
            String mode = MODES.get(random.nextInt(MODES.size()));
            FaultProxy proxy = proxies.get(target);
            switch (mode) {
                case "reset" -> proxy.reset();
                case "drop" -> proxy.drop();
                default -> proxy.blackHole();
            }
            return target + " " + mode;
        }

        @Override
        void heal() {
            proxies.values().forEach(FaultProxy::pass);
        }

        @Override
        public void close() {
            proxies.values().forEach(FaultProxy::close);
            s3.close();
            TestServices.dropSchema(schema);
            RedisKeys.deleteAll(redisPrefix);
        }
    }
}
