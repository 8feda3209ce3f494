package dev.strata.server.lifecycle;

import dev.strata.testing.TestDatabases;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Job leases on one SQLite file shared by two pools. */
class SqliteJobLeaseTest extends AbstractJobLeaseTest {
    @TempDir
    Path directory;

    @Override
    Database openDatabase() {
        return TestDatabases.sqlite(directory);
    }
}
