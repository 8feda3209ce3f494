package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.testing.TestServices;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delta import from a legacy PostgreSQL database takes rows written in the same instant as its high-water mark. */
class PostgresDeltaImportTest {
    @TempDir
    Path directory;

    private final String schema = TestServices.uniqueName("legacy");

    @AfterEach
    void dropSchema() {
        TestServices.dropSchema(schema);
    }

    /**
     * The PostgreSQL high-water mark is the largest created_at, and the delta takes rows strictly
     * above it: a row added after the bulk import within the same second (legacy times are often
     * second-precision text) is never imported, by the delta or by any re-run, so verify fails for
     * good and the migration cannot complete.
     */
    @Test
    void deltaImport_takesARowAddedAfterTheBulkImportWithTheSameCreatedAt() throws Exception {
        String url = TestServices.postgresUrl(schema);
        try (LegacyFixture legacy = new LegacyFixture(url, schema);
                Strata strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                        "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                        "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"),
                        "STRATA_CACHE_URL", "none")))) {
            legacy.task("t-1", "ws-1", null, "running");
            legacy.message("m1", "t-1", 1, "text", "bulk", null, "2026-05-01 10:00:05");
            var options = new Importer.Options(url, Optional.of("ws-default"), false, 0, 100, 2, false);
            strata.importer().run(options, total -> {}, read -> {});
            // Written after the bulk import, in the same second as the last row it saw.
            legacy.message("m2", "t-1", 2, "text", "delta", null, "2026-05-01 10:00:05");

            Importer.Summary delta = strata.importer().run(options, total -> {}, read -> {});
            Importer.Summary again = strata.importer().run(options, total -> {}, read -> {});

            assertThat(delta.delta()).isTrue();
            assertThat(strata.store().list("t-1", MessageQuery.all()).messages())
                    .extracting(TaskMessage::content)
                    .as("after delta imports (%s; then %s)", delta.rowsImported(), again.rowsImported())
                    .containsExactly("bulk", "delta");
        }
    }
}
