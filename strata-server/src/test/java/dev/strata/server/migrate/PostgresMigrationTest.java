package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.store.MessageQuery;
import dev.strata.store.TaskMessage;
import dev.strata.testing.TestServices;
import java.nio.file.Path;
import java.util.List;
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
            Verifier.Result verify = new Verifier(strata).run(url, false, rows -> { });
            assertThat(verify.examples()).isEmpty();
            assertThat(verify.passed()).isTrue();
        }

        Finalizer.Result result = Finalizer.run(url);

        assertThat(result.bytesAfter()).isLessThan(result.bytesBefore());
    }

    @Test
    void duplicateSeq_keepsTheEarliestCreatedAt_thenTheSmallestId_notTheRowInsertedFirstOrLast() throws Exception {
        String url = TestServices.postgresUrl(schema);
        try (LegacyFixture legacy = new LegacyFixture(url, schema);
             Strata strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                     "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("strata.db"),
                     "STRATA_CONTENT_URL", "file:" + directory.resolve("objects"),
                     "STRATA_CACHE_URL", "none")))) {
            legacy.task("t-dups", "ws-1", null, "completed");
            // Each candidate rule picks a different row of seq 1. The documented one (earliest
            // created_at, then smallest id) picks "dup-m". Insertion order would pick "dup-c",
            // smallest id alone "dup-a", earliest created_at then insertion (or largest id)
            // "dup-z", and the last inserted row "dup-y".
            legacy.message("dup-c", "t-dups", 1, "text", "inserted first", null, "2026-05-01 10:00:09");
            legacy.message("dup-a", "t-dups", 1, "text", "smallest id", null, "2026-05-01 10:00:07");
            legacy.message("dup-z", "t-dups", 1, "text", "earliest, larger id", null, "2026-05-01 10:00:01");
            legacy.message("dup-m", "t-dups", 1, "text", "earliest, smaller id", null, "2026-05-01 10:00:01");
            legacy.message("dup-y", "t-dups", 1, "text", "inserted last", null, "2026-05-01 10:00:08");
            legacy.message("only", "t-dups", 2, "text", "no duplicate", null, "2026-05-01 10:00:02");

            Importer.Summary summary = new Importer(strata).run(
                    new Importer.Options(url, Optional.of("ws-default"), false, 0, 100, 2, false), total -> { }, read -> { });

            assertThat(summary.quirks()).as("duplicates counted").containsEntry(Quirks.DUPLICATE_SEQ, 4L);
            List<TaskMessage> kept = strata.store().list("t-dups", MessageQuery.all()).messages();
            assertThat(kept).as("messages of t-dups").extracting(TaskMessage::seq).containsExactly(1L, 2L);
            assertThat(kept.get(0).id()).as("the row of seq 1 that was kept").isEqualTo("dup-m");
            assertThat(kept.get(0).content()).as("content of seq 1").isEqualTo("earliest, smaller id");
            assertThat(new Verifier(strata).run(url, false, rows -> { }).passed()).as("verify by the same rule").isTrue();
        }
    }
}
