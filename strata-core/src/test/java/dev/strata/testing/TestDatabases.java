package dev.strata.testing;

import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Strata databases over the test backends of {@link TestServices}: a fresh SQLite file or PostgreSQL schema. */
public final class TestDatabases {
    private TestDatabases() {}

    public static Database sqlite(Path directory) {
        return new Database(DatabaseSettings.of("jdbc:sqlite:" + directory.resolve("metadata.db")));
    }

    /** A database whose every table lives in a new schema; {@link TestServices#dropSchema} removes it. */
    public static Database postgres(String schema) {
        return new Database(new DatabaseSettings(
                TestServices.postgresUrl(schema), Optional.empty(), Optional.empty(), 8, Duration.ofSeconds(5)));
    }
}
