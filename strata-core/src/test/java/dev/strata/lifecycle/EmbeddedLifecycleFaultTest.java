package dev.strata.lifecycle;

import dev.strata.testing.TestDatabases;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedLifecycleFaultTest extends AbstractLifecycleFaultTest {
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
    protected SegmentCache openCache() {
        return new CaffeineSegmentCache(8 << 20, Duration.ofHours(1));
    }

    /** The local directory "goes down" when its task directory is replaced by a file. */
    @Override
    protected void stopContent() {
        try {
            Files.move(directory.resolve("objects/tasks"), directory.resolve("tasks-aside"));
            Files.writeString(directory.resolve("objects/tasks"), "unavailable");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void startContent() {
        try {
            Files.delete(directory.resolve("objects/tasks"));
            Files.move(directory.resolve("tasks-aside"), directory.resolve("objects/tasks"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
