package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.testing.TestServices;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bulk import's checkpoints under failures and {@code --offset}, and its batched writes
 * (directory tasks, store tasks, seals, several to a transaction) with Strata's database on PostgreSQL.
 */
class ImportCheckpointTest {
    @TempDir
    Path directory;

    private final List<Strata> opened = new ArrayList<>();
    private final String schema = TestServices.uniqueName("importcheckpoint");

    @AfterEach
    void close() {
        opened.forEach(Strata::close);
        TestServices.dropSchema(schema);
    }

    private Strata open(String dbUrl, String name) {
        Strata strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL",
                dbUrl,
                "STRATA_CONTENT_URL",
                "file:" + directory.resolve(name + "-objects"),
                "STRATA_CACHE_URL",
                "none")));
        opened.add(strata);
        return strata;
    }

    private static Importer.Summary importAll(Strata strata, Importer.Options options) {
        return strata.importer().run(options, total -> {}, read -> {});
    }

    /**
     * A bulk run with --offset that stops (here: fails; a kill is the same) after its first
     * checkpoint but before its first task finished must not record a task as done: it once saved
     * "", which a re-run took for a resume point, so it imported the tasks --offset skips. The
     * legacy indexes are dropped only so that skipping takes over a second (each page query scans
     * the table), as it does for a large real --offset.
     */
    @Test
    void offset_isKeptByAResumeAfterAStopBeforeTheFirstTaskFinished() throws Exception {
        int skip = 60;
        try (LegacyFixture legacy = new LegacyFixture("jdbc:sqlite:" + directory.resolve("legacy.db"), null)) {
            for (int i = 0; i < skip; i++) {
                String task = String.format("a-skip-%03d", i);
                legacy.task(task, "ws-1", null, "completed");
                legacy.messages(task, 1, 1, "s");
            }
            legacy.task("b-first", "ws-1", null, "completed");
            legacy.messages("b-first", 1, 10, "b");
            // Not in agent_task_queue: goes to the default workspace; reading its row fails (see readableThrough).
            String bad = "c-bad";
            legacy.messages(bad, 1, 1, "c");
            legacy.messages("z-filler", 1, 300_000, "z");
            try (Statement ddl = legacy.connection().createStatement()) {
                ddl.execute("DROP INDEX idx_task_message_task_seq");
                ddl.execute("DROP INDEX idx_task_message_task_created");
                ddl.execute("ALTER TABLE task_message RENAME TO task_message_raw");
                ddl.execute(readableThrough("CASE WHEN task_id = '" + bad + "' THEN json('{oops') ELSE type END"));
            }
            Strata strata = open("jdbc:sqlite:" + directory.resolve("strata.db"), "strata");
            Importer.Options options =
                    new Importer.Options(legacy.url, Optional.of("ws-default"), false, skip, 1, 2, false);

            assertThatThrownBy(() -> importAll(strata, options)).isInstanceOf(BackendUnavailableException.class);
            assertThat(strata.store().task("a-skip-000"))
                    .as("skipped by --offset")
                    .isEmpty();
            String checkpoint;
            try (var connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("strata.db"));
                    var rs = connection.createStatement().executeQuery("SELECT last_task_id FROM migration_progress")) {
                rs.next();
                checkpoint = rs.getString(1);
            }

            // The operator repairs the legacy database and runs the same command again.
            try (Statement ddl = legacy.connection().createStatement()) {
                ddl.execute("DROP VIEW task_message");
                ddl.execute(readableThrough("type"));
            }
            importAll(strata, options);

            assertThat(strata.store().task("b-first")).isPresent();
            assertThat(strata.store().task("a-skip-000"))
                    .as("a task --offset skips, after a resume from checkpoint '%s'", checkpoint)
                    .isEmpty();
        }
    }

    /**
     * The batched writes (directory ensureTasks, store createTasks, seal of several) with Strata's
     * own database on PostgreSQL: the migration tests only ever use SQLite for it.
     */
    @Test
    void import_withStrataOnPostgres_createsSealsAndResumes() throws Exception {
        try (LegacyFixture legacy = new LegacyFixture("jdbc:sqlite:" + directory.resolve("legacy.db"), null)) {
            legacy.standard(0);
            for (int i = 0; i < 150; i++) {
                String task = String.format("u-%03d", i);
                legacy.task(
                        task,
                        "ws-" + (i % 3),
                        i % 2 == 0 ? "conv-" + (i % 7) : null,
                        i % 4 == 0 ? "running" : "completed");
                legacy.messages(task, 1, 3, "u");
            }
            Strata strata = open(TestServices.postgresUrl(schema), "pg");
            Importer.Options options =
                    new Importer.Options(legacy.url, Optional.of("ws-default"), false, 0, 1000, 4, false);

            Importer.Summary summary = importAll(strata, options);

            assertThat(summary.rowsImported()).isEqualTo(7 + 30 + 5 + 150 * 3);
            for (int n = 0; n < 150; n++) {
                int i = n;
                String task = String.format("u-%03d", i);
                assertThat(strata.store().task(task).orElseThrow().sealed())
                        .as("sealed %s", task)
                        .isEqualTo(i % 4 != 0);
                assertThat(strata.directory().task("ws-" + (i % 3), task))
                        .as("directory %s", task)
                        .hasValueSatisfying(t -> assertThat(t.conversationId())
                                .isEqualTo(Optional.ofNullable(i % 2 == 0 ? "conv-" + (i % 7) : null)));
                assertThat(strata.store().list(task, MessageQuery.all()).messages())
                        .hasSize(3);
            }
            assertThat(strata.store().task("t-quirks").orElseThrow().sealed()).isTrue();
            assertThat(strata.store().task("t-running").orElseThrow().sealed()).isFalse();
            assertThat(strata.verifier()
                            .run(legacy.url, Optional.of("ws-default"), false, rows -> {})
                            .passed())
                    .isTrue();

            legacy.messages("u-000", 4, 2, "new");
            Importer.Summary delta = importAll(strata, options);
            assertThat(delta.delta()).isTrue();
            assertThat(delta.rowsImported()).isEqualTo(2);
        }
    }

    /**
     * A worker that throws mid-run: the checkpoint left behind passes only tasks that are in
     * Strata with all their rows and sealed when terminal; a re-run after the fix completes.
     */
    @Test
    void workerFailureMidRun_leavesACheckpointOnlyPastImportedAndSealedTasks() throws Exception {
        int taskCount = 400;
        int rows = 500;
        int failing = 380;
        try (LegacyFixture legacy = new LegacyFixture("jdbc:sqlite:" + directory.resolve("legacy.db"), null)) {
            List<String> tasks = new ArrayList<>();
            for (int t = 0; t < taskCount; t++) {
                String task = String.format("task-%04d", t);
                legacy.task(task, "ws-1", t % 3 == 0 ? "conv-" + (t % 5) : null, t % 2 == 0 ? "completed" : "running");
                legacy.messages(task, 1, rows, "b");
                tasks.add(task);
            }
            String bad = tasks.get(failing);
            // The legacy database fails to read one row of one task: task_message becomes a view
            // whose type column raises an SQLite error (malformed JSON) on that row alone.
            try (Statement ddl = legacy.connection().createStatement()) {
                ddl.execute("ALTER TABLE task_message RENAME TO task_message_raw");
                ddl.execute(readableThrough(
                        "CASE WHEN task_id = '" + bad + "' AND seq = 7 THEN json('{oops')" + " ELSE type END"));
            }
            Path db = directory.resolve("strata.db");
            Strata strata = open("jdbc:sqlite:" + db, "strata");
            Importer.Options options =
                    new Importer.Options(legacy.url, Optional.of("ws-default"), false, 0, 100, 2, false);

            assertThatThrownBy(() -> importAll(strata, options)).isInstanceOf(BackendUnavailableException.class);

            String checkpoint;
            try (var connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                    var rs = connection.createStatement().executeQuery("SELECT last_task_id FROM migration_progress")) {
                rs.next();
                checkpoint = rs.getString(1);
            }
            if (checkpoint != null) {
                assertThat(checkpoint).isLessThan(bad);
                for (int t = 0; t < taskCount && tasks.get(t).compareTo(checkpoint) <= 0; t++) {
                    String task = tasks.get(t);
                    var summary = strata.store().task(task);
                    assertThat(summary)
                            .as("in the store: %s (checkpoint %s)", task, checkpoint)
                            .isPresent();
                    assertThat(summary.get().sealed())
                            .as("sealed: %s (checkpoint %s)", task, checkpoint)
                            .isEqualTo(t % 2 == 0);
                    assertThat(summary.get().messageCount())
                            .as("rows of %s (checkpoint %s)", task, checkpoint)
                            .isEqualTo(rows);
                }
            }

            try (Statement ddl = legacy.connection().createStatement()) {
                ddl.execute("DROP VIEW task_message");
                ddl.execute(readableThrough("type"));
            }
            importAll(strata, options);
            for (int t = 0; t < taskCount; t++) {
                var summary = strata.store().task(tasks.get(t)).orElseThrow();
                assertThat(summary.sealed()).as("sealed %s", tasks.get(t)).isEqualTo(t % 2 == 0);
                assertThat(summary.messageCount()).isEqualTo(rows);
            }
            assertThat(strata.verifier()
                            .run(legacy.url, Optional.of("ws-default"), false, r -> {})
                            .passed())
                    .isTrue();
        }
    }

    /** A view named task_message over task_message_raw, its type column computed by {@code type}; rowid kept. */
    private static String readableThrough(String type) {
        return "CREATE VIEW task_message AS SELECT rowid AS rowid, id, task_id, seq, " + type + " AS type, tool,"
                + " call_id, content, input, output, created_at FROM task_message_raw";
    }
}
