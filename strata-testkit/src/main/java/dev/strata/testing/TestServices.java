package dev.strata.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real backends tests run against, each isolated per test class: a fresh SQLite file, a fresh
 * PostgreSQL schema on the machine's server, a unique Redis key prefix. A missing service fails
 * the test: it is never skipped.
 */
public final class TestServices {
    /** The shared PostgreSQL server; override with STRATA_TEST_PG_URL. */
    public static final String POSTGRES_URL = Optional.ofNullable(System.getenv("STRATA_TEST_PG_URL"))
            .orElse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    /** The shared Redis server; override with STRATA_TEST_REDIS_URL. */
    public static final String REDIS_URL =
            Optional.ofNullable(System.getenv("STRATA_TEST_REDIS_URL")).orElse("redis://127.0.0.1:6379");

    private TestServices() {}

    /** A unique lower-case name for a schema, bucket or key prefix. */
    public static String uniqueName(String hint) {
        String base = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return "t" + base.substring(0, Math.min(base.length(), 30))
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFFFL);
    }

    /** Counts the regular files below a directory (the objects of a local content tier). */
    public static long countFiles(Path directory) {
        try (var files = java.nio.file.Files.walk(directory)) {
            return files.filter(java.nio.file.Files::isRegularFile).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static String postgresUrl(String schema) {
        return POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public static void dropSchema(String schema) {
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL);
                var statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema + ": " + e.getMessage(), e);
        }
    }
}
