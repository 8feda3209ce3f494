package dev.strata.tier.metadata;

import dev.strata.testing.TestDatabases;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteMetadataTierTest extends AbstractMetadataTierContractTest {
    @TempDir
    Path directory;

    @Override
    protected Database openDatabase() {
        return TestDatabases.sqlite(directory);
    }
}
