package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.store.MessageQuery;
import dev.strata.store.TaskMessage;
import dev.strata.testing.TestServices;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Import, verify and finalize from a legacy database on PostgreSQL (in a schema of its own). */
class PostgresMigrationTest {
    @TempDir
    Path directory;
    private final String schema = TestServices.uniqueName("legacy");

    @AfterEach
    void dropSchema() {
        TestServices.dropSchema(schema);
    }

    @Test
    void importVerifyAndFinalize_onPostgres() throws Exception {
        String url = TestServices.postgresUrl(schema);
        try (LegacyFixture legacy = new LegacyFixture(url, schema).standard(2_000);
             Strata strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                     "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                     "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"))))) {
            Importer.Summary summary = new Importer(strata).run(
                    new Importer.Options(url, Optional.of("ws-default"), false, 0, 100, 2, false), total -> { }, read -> { });

            assertThat(summary.rowsImported()).isEqualTo(7 + 30 + 5 + 2_000);
            assertThat(summary.quirks()).containsEntry(Quirks.DUPLICATE_SEQ, 1L);
            assertThat(strata.store().list("t-quirks", MessageQuery.all()).messages()).extracting(TaskMessage::content).first()
                    .isEqualTo("first write wins");
            Verifier.Result verify = new Verifier(strata).run(url, Optional.of("ws-default"), false, rows -> { });
            assertThat(verify.examples()).isEmpty();
            assertThat(verify.passed()).isTrue();
        }

        Finalizer.Result result = Finalizer.run(url);

        assertThat(result.bytesAfter()).isLessThan(result.bytesBefore());
    }
}
