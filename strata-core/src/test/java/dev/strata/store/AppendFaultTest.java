package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.AppendResult;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 with real faults injected at each step of an append: the content tier refusing the
 * write, and the metadata database refusing the commit after the content is written. The append
 * fails as a whole, nothing becomes visible, and the retried append stores everything once.
 */
class AppendFaultTest {
    @TempDir
    Path directory;

    private Database database;
    private TaskMessageStore store;

    @BeforeEach
    void open() {
        database = new Database(new DatabaseSettings(
                "jdbc:sqlite:" + directory.resolve("metadata.db"),
                Optional.empty(),
                Optional.empty(),
                4,
                Duration.ofMillis(300)));
        store = StoreFixture.store(
                database,
                new LocalDirectoryContentTier(directory.resolve("objects")),
                new CaffeineSegmentCache(1 << 20, Duration.ofMinutes(1)));
        store.createTask("t");
    }

    @AfterEach
    void close() {
        store.close();
        database.close();
    }

    @Test
    void contentWriteFails_appendFailsAndNothingIsVisible_thenRetrySucceeds() throws IOException {
        Path blocker = directory.resolve("objects/shared");
        Files.writeString(blocker, "the content directory cannot be written");

        assertThatThrownBy(() -> store.append("t", range(0, 9)))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("content put of shared/");
        assertThat(store.list("t", MessageQuery.all()).messages()).isEmpty();
        assertThat(store.task("t").orElseThrow().messageCount()).isZero();

        Files.delete(blocker);
        assertThat(store.append("t", range(0, 9))).isEqualTo(new AppendResult(10, 0, 0));
        assertThat(store.list("t", MessageQuery.all()).messages()).hasSize(10);
    }

    @Test
    void commitFailsAfterContentIsDurable_nothingIsVisible_thenRetryStoresEachMessageOnce() throws Exception {
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("metadata.db"));
                Statement statement = other.createStatement()) {
            // Another process holds the write lock, so the commit times out after the content is written.
            statement.execute("BEGIN IMMEDIATE");
            assertThatThrownBy(() -> store.append("t", range(0, 9)))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("metadata");
            assertThat(store.list("t", MessageQuery.all()).messages()).isEmpty();
            assertThat(objectFiles())
                    .as("the written segment is an invisible orphan")
                    .isEqualTo(1);
            statement.execute("ROLLBACK");
        }

        assertThat(store.append("t", range(0, 9))).isEqualTo(new AppendResult(10, 0, 0));
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::seq)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(store.task("t").orElseThrow().messageCount()).isEqualTo(10);
    }

    private long objectFiles() {
        return TestServices.countFiles(directory.resolve("objects"));
    }
}
