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
import java.util.List;
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

    /** The local directory "goes down" when its task and shared directories are replaced by files. */
    @Override
    protected void stopContent() {
        try {
            for (String part : List.of("tasks", "shared")) {
                if (Files.exists(directory.resolve("objects").resolve(part))) {
                    Files.move(directory.resolve("objects").resolve(part), directory.resolve(part + "-aside"));
                }
                Files.writeString(directory.resolve("objects").resolve(part), "unavailable");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void startContent() {
        try {
            for (String part : List.of("tasks", "shared")) {
                Files.delete(directory.resolve("objects").resolve(part));
                if (Files.exists(directory.resolve(part + "-aside"))) {
                    Files.move(
                            directory.resolve(part + "-aside"),
                            directory.resolve("objects").resolve(part));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
