package dev.strata.server.http;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Task ends and conversation deletes on SQLite. */
class EmbeddedTaskLifecycleHttpTest extends AbstractTaskLifecycleHttpTest {
    @TempDir
    static Path database;

    @Override
    protected String databaseUrl() {
        return "jdbc:sqlite:" + database.resolve("strata.db");
    }
}
