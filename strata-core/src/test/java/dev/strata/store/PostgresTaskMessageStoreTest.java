package dev.strata.store;

import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store with metadata on the machine's PostgreSQL server, in a schema of its own. */
class PostgresTaskMessageStoreTest extends AbstractTaskMessageStoreTest {
    @TempDir
    Path directory;

    private String schema;

    @Override
    protected Database openDatabase() {
        schema = TestServices.uniqueName("store");
        return TestDatabases.postgres(schema);
    }

    @Override
    protected ListableContent openContent() {
        return new LocalDirectoryContentTier(directory.resolve("objects"));
    }

    @Override
    protected long objectCount() {
        return TestServices.countFiles(directory.resolve("objects"));
    }

    @Override
    protected long objectsUnder(String keyPrefix) {
        Path under = directory.resolve("objects").resolve(keyPrefix);
        return java.nio.file.Files.exists(under) ? TestServices.countFiles(under) : 0;
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
    }

    @Override
    protected TaskMessageStore openSecondInstance() {
        Database database = TestDatabases.postgres(schema);
        TaskMessageStore second = dev.strata.testing.StoreFixture.store(
                database,
                new LocalDirectoryContentTier(directory.resolve("objects")),
                new dev.strata.tier.cache.CaffeineSegmentCache(8 << 20, java.time.Duration.ofHours(1)));
        closeAfter.add(second);
        closeAfter.add(database);
        return second;
    }
}
