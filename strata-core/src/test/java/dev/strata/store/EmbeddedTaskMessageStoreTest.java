package dev.strata.store;

import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store on the embedded defaults: SQLite, a local directory, Caffeine. */
class EmbeddedTaskMessageStoreTest extends AbstractTaskMessageStoreTest {
    @TempDir
    Path directory;

    @Override
    protected Database openDatabase() {
        return TestDatabases.sqlite(directory);
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
    protected TaskMessageStore openSecondInstance() {
        // Another process on the same SQLite file and directory: its own pool and in-process cache.
        Database database = TestDatabases.sqlite(directory);
        TaskMessageStore second = dev.strata.testing.StoreFixture.store(
                database,
                new LocalDirectoryContentTier(directory.resolve("objects")),
                new dev.strata.tier.cache.CaffeineSegmentCache(8 << 20, java.time.Duration.ofHours(1)));
        closeAfter.add(second);
        closeAfter.add(database);
        return second;
    }
}
