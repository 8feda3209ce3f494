package dev.strata.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.store.ContentSegmentKeys;
import dev.strata.testing.TestDatabases;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Orphan collection pages through every key over successive passes, whatever page size it is asked for. */
class OrphanCollectorPagingTest {
    @TempDir
    Path directory;

    private Database database;
    private LocalDirectoryContentTier content;
    private OrphanCollector collector;

    @BeforeEach
    void setUp() {
        database = TestDatabases.sqlite(directory);
        content = new LocalDirectoryContentTier(directory.resolve("objects"));
        collector = new OrphanCollector(
                content,
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()).catalog(),
                Clock.offset(Clock.systemUTC(), Duration.ofHours(1)),
                Duration.ZERO);
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    @Test
    void pageSizeAboveTheListingCap_stillMovesOnToTheKeysAfterTheFirstPage() throws IOException {
        int objects = ListableContent.MAX_PAGE + 200;
        Set<String> all = new HashSet<>();
        for (long id = 0; id < objects; id++) {
            String key = ContentKeys.segment("task", id);
            Path file = content.root().resolve(key);
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[] {1});
            all.add(key);
        }

        Set<String> seen = new HashSet<>();
        OrphanCollector.Pass first = collector.collect(objects, OrphanCollector.Removal.REPORT);
        seen.addAll(first.orphans());
        OrphanCollector.Pass second = collector.collect(objects, OrphanCollector.Removal.REPORT);
        seen.addAll(second.orphans());

        assertThat(first.wrapped())
                .as("a full page of the listing is not its end")
                .isFalse();
        assertThat(second.wrapped()).isTrue();
        assertThat(seen).isEqualTo(all);
    }
}
