package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.server.Strata;
import dev.strata.server.testing.LocalStratas;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migrate import, verify and finalize on legacy SQLite files with odd rows, concurrent runs and a
 * source that changes after verify.
 */
class MigrationSafetyTest {
    @TempDir
    Path directory;

    @RegisterExtension
    final LocalStratas stratas = new LocalStratas(() -> directory);

    Strata strata(String name) {
        return stratas.open(name);
    }

    static Importer.Options options(String from) {
        return new Importer.Options(from, Optional.of("ws-default"), false, 0, 1000, 2, false);
    }

    /**
     * Legacy columns over Strata's limits (call_id over 256 bytes, a type over 64 bytes) are odd
     * columns, which the import survives; they used to abort it, so the legacy database could never
     * be migrated (no later task was imported either).
     */
    @Test
    void import_survivesLegacyRowsWithOverlongCallIdOrType() throws Exception {
        try (LegacyFixture legacy = new LegacyFixture("jdbc:sqlite:" + directory.resolve("legacy.db"), null)) {
            legacy.task("t-a", "ws-1", null, "completed");
            legacy.message("a1", "t-a", 1, "text", "before", null);
            try (var update = legacy.connection().createStatement()) {
                update.executeUpdate("INSERT INTO task_message (id, task_id, seq, type, call_id, content, created_at)"
                        + " VALUES ('a2', 't-a', 2, 'tool-use', '" + "c".repeat(300) + "', 'long call id',"
                        + " '2026-05-01 10:00:02')");
                update.executeUpdate("INSERT INTO task_message (id, task_id, seq, type, content, created_at)"
                        + " VALUES ('a3', 't-a', 3, '" + "t".repeat(80) + "', 'long type', '2026-05-01 10:00:03')");
            }
            legacy.task("t-b", "ws-1", null, "completed");
            legacy.messages("t-b", 1, 10, "b");
            Strata strata = strata("strata");

            assertThatCode(() -> strata.importer().run(options(legacy.url), total -> {}, read -> {}))
                    .as("an odd legacy column is a counted quirk, never fatal")
                    .doesNotThrowAnyException();
            assertThat(strata.store().list("t-b", MessageQuery.all()).messages())
                    .hasSize(10);
        }
    }

    /**
     * A verify passes, then the legacy database gets another row (writers not yet switched, or the
     * final delta forgotten): finalize used to accept the old verify and drop the content of a row
     * that Strata never imported; it refuses now.
     */
    @Test
    void finalize_afterAStaleVerify_neverDropsContentStrataDoesNotHave() throws Exception {
        String url = "jdbc:sqlite:" + directory.resolve("legacy.db");
        try (LegacyFixture legacy = new LegacyFixture(url, null).standard(0)) {
            Strata strata = strata("strata");
            strata.importer().run(options(url), total -> {}, read -> {});
            Verifier.Result verify = strata.verifier().run(url, Optional.of("ws-default"), false, rows -> {});
            assertThat(verify.passed()).isTrue();
            MigrationSources.recordVerified(strata.database(), url, verify);
            // Written to the legacy database after the verify.
            legacy.message("late", "t-running", 99, "text", "written after verify", null);

            boolean refused = false;
            try {
                MigrationSources.requireVerified(strata.database(), url, false);
            } catch (dev.strata.model.InvalidInputException e) {
                refused = true;
            }
            if (refused) {
                return;
            }
        }
        Finalizer.run(url);

        Strata strata = strata("strata");
        boolean inStrata = strata.store().list("t-running", MessageQuery.all()).messages().stream()
                .map(TaskMessage::content)
                .anyMatch("written after verify"::equals);
        boolean stillInLegacy;
        try (var connection = DriverManager.getConnection(url);
                var statement = connection.createStatement()) {
            stillInLegacy = hasColumn(statement, "content");
        }
        assertThat(inStrata || stillInLegacy)
                .as("the content of a row written after verify survives finalize somewhere")
                .isTrue();
    }

    /** Two imports of the same source at once (an operator starting it twice): both finish, and verify passes. */
    @Test
    void twoConcurrentImports_ofOneSource_bothFinish_andVerifyPasses() throws Exception {
        String url = "jdbc:sqlite:" + directory.resolve("legacy.db");
        try (LegacyFixture legacy = new LegacyFixture(url, null).standard(5_000)) {
            for (int t = 0; t < 40; t++) {
                legacy.task("t-many-" + t, "ws-1", null, t % 2 == 0 ? "completed" : "running");
                legacy.messages("t-many-" + t, 1, 50, "x");
            }
            Strata strata = strata("strata");
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var first = pool.submit(() -> strata.importer().run(options(url), total -> {}, read -> {}));
                var second = pool.submit(() -> strata.importer().run(options(url), total -> {}, read -> {}));
                Importer.Summary a = first.get();
                Importer.Summary b = second.get();
                assertThat(a.rowsImported() + b.rowsImported()).isEqualTo(7 + 30 + 5 + 5_000 + 40 * 50);
            } finally {
                pool.shutdownNow();
            }
            Verifier.Result verify = strata.verifier().run(url, Optional.of("ws-default"), false, rows -> {});
            assertThat(verify.examples()).isEmpty();
            assertThat(verify.passed()).isTrue();
        }
    }

    /**
     * Legacy rows with an empty task_id (the column is NOT NULL, '' is allowed): import pages task ids
     * with {@code task_id > ''}, so these rows were neither imported nor counted, and verify never
     * looked at them either: it passed, and finalize then dropped their content.
     */
    @Test
    void rowsWithAnEmptyTaskId_areCountedOrMakeVerifyFail() throws Exception {
        String url = "jdbc:sqlite:" + directory.resolve("legacy.db");
        try (LegacyFixture legacy = new LegacyFixture(url, null).standard(0)) {
            legacy.message("e1", "", 1, "text", "a row without a task", null);
            long legacyRows;
            try (var statement = legacy.connection().createStatement();
                    var rs = statement.executeQuery("SELECT COUNT(*) FROM task_message")) {
                legacyRows = rs.getLong(1);
            }
            Strata strata = strata("strata");

            Importer.Summary summary = strata.importer().run(options(url), total -> {}, read -> {});
            Verifier.Result verify = strata.verifier().run(url, Optional.of("ws-default"), false, rows -> {});

            assertThat(verify.rowsChecked() == legacyRows || !verify.passed())
                    .as("verify checked %s of %s rows and passed=%s", verify.rowsChecked(), legacyRows, verify.passed())
                    .isTrue();
            assertThat(summary.rowsRead()).as("rows the import read").isEqualTo(legacyRows);
        }
    }

    /**
     * A legacy task id Strata cannot hold (over 128 characters) aborted the whole import, leaving
     * every later task unimported: it is a counted quirk now, the other tasks import, and verify
     * fails while that task's rows exist (finalize would drop content Strata does not have).
     */
    @Test
    void aTaskIdStrataCannotHold_isAQuirk_andVerifyFailsWhileItsRowsExist() throws Exception {
        String url = "jdbc:sqlite:" + directory.resolve("legacy.db");
        try (LegacyFixture legacy = new LegacyFixture(url, null).standard(0)) {
            String tooLong = "a" + "x".repeat(dev.strata.tier.content.ContentKeys.MAX_TASK_ID_LENGTH);
            legacy.messages(tooLong, 1, 3, "long");
            legacy.task("z-after", "ws-1", null, "completed");
            legacy.messages("z-after", 1, 4, "after");
            Strata strata = strata("strata");

            Importer.Summary summary = strata.importer().run(options(url), total -> {}, read -> {});

            assertThat(summary.quirks()).containsEntry(Quirks.TASK_ID_UNFIT, 1L);
            assertThat(strata.store().list("z-after", MessageQuery.all()).messages())
                    .as("a task after the unholdable one")
                    .hasSize(4);
            Verifier.Result verify = strata.verifier().run(url, Optional.of("ws-default"), false, rows -> {});
            assertThat(verify.passed()).isFalse();
            assertThat(verify.missing()).isEqualTo(3);
            assertThat(verify.examples()).anyMatch(line -> line.contains("rows cannot be imported"));
        }
    }

    private static boolean hasColumn(java.sql.Statement statement, String column) throws SQLException {
        try (var rs = statement.executeQuery("PRAGMA table_info(task_message)")) {
            while (rs.next()) {
                if (rs.getString("name").equals(column)) {
                    return true;
                }
            }
        }
        return false;
    }
}
