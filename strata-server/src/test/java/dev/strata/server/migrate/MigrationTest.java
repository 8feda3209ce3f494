package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.store.InvalidInputException;
import dev.strata.store.MessageQuery;
import dev.strata.store.TaskMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migration toolkit on generated legacy SQLite databases. */
class MigrationTest {
    @TempDir
    Path directory;
    private final List<Strata> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(Strata::close);
    }

    Strata strata(String name) {
        Strata strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve(name + ".db"),
                "STRATA_CONTENT_URL", "file:" + directory.resolve(name + "-objects"),
                "STRATA_CACHE_URL", "none")));
        opened.add(strata);
        return strata;
    }

    LegacyFixture legacy(String name, int longTask) throws Exception {
        return new LegacyFixture("jdbc:sqlite:" + directory.resolve(name), null).standard(longTask);
    }

    static Importer.Options options(String from) {
        return new Importer.Options(from, Optional.of("ws-default"), false, 0, 1000, 2, false);
    }

    static Importer.Summary importAll(Strata strata, Importer.Options options) {
        return new Importer(strata).run(options, total -> { }, read -> { });
    }

    /** Every message Strata serves, by task, for comparing whole stores. */
    static Map<String, List<TaskMessage>> contents(Strata strata, List<String> tasks) {
        Map<String, List<TaskMessage>> all = new TreeMap<>();
        for (String task : tasks) {
            strata.store().task(task).ifPresent(t -> all.put(task, strata.store().list(task, MessageQuery.all()).messages()));
        }
        return all;
    }

    @Test
    void import_keepsEveryRuleAndQuirk_andVerifyPasses() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 50_000)) {
            Strata strata = strata("strata");

            Importer.Summary summary = importAll(strata, options(legacy.url));

            assertThat(summary.rowsRead()).isEqualTo(10 + 30 + 5 + 50_000);
            assertThat(summary.rowsImported()).isEqualTo(7 + 30 + 5 + 50_000);
            assertThat(summary.dropped()).isEqualTo(2);
            assertThat(summary.quirks()).containsEntry(Quirks.DUPLICATE_SEQ, 1L).containsEntry(Quirks.INPUT_EMPTY, 1L)
                    .containsEntry(Quirks.INPUT_NOT_OBJECT, 1L).containsEntry(Quirks.INPUT_INVALID, 1L).containsEntry(Quirks.TASK_MISSING, 1L);
            List<TaskMessage> quirky = strata.store().list("t-quirks", MessageQuery.all()).messages();
            assertThat(quirky).extracting(TaskMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 8L, 9L);
            assertThat(quirky.get(0).content()).isEqualTo("first write wins");
            assertThat(quirky.get(0).id()).isEqualTo("m1");
            assertThat(quirky.get(1).input()).contains("{\"path\":\"/a\",\"big\":123456789012345678901234567890,\"d\":1.50}");
            assertThat(quirky.get(2).input()).contains("\"\"");
            assertThat(quirky.get(3).input()).contains("[1,2]");
            assertThat(quirky.get(4).input()).contains("\"not json at all\"");
            assertThat(quirky.get(0).createdAt().toString()).isEqualTo("2026-05-01T10:00:01Z");
            assertThat(strata.store().list("t-long", MessageQuery.all()).messages()).hasSize(50_000);
            assertThat(strata.directory().task("ws-1", "t-quirks")).hasValueSatisfying(t -> assertThat(t.status().wireName()).isEqualTo("completed"));
            assertThat(strata.directory().task("ws-default", "t-orphan")).isPresent();
            assertThat(strata.store().task("t-quirks").orElseThrow().sealed()).isTrue();
            assertThat(strata.store().task("t-running").orElseThrow().sealed()).isFalse();
            assertThat(strata.store().task("t-quirks").orElseThrow().liveSegments()).isEqualTo(1);

            Verifier.Result verify = new Verifier(strata).run(legacy.url, Optional.of("ws-default"), false, rows -> { });
            assertThat(verify.examples()).isEmpty();
            assertThat(verify.passed()).isTrue();
            assertThat(verify.matched()).isEqualTo(summary.rowsImported());
        }
    }

    @Test
    void dryRun_readsEverythingAndWritesNothing() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 0)) {
            Strata strata = strata("strata");
            Importer.Options dry = new Importer.Options(legacy.url, Optional.of("ws-default"), true, 0, 1000, 2, false);

            Importer.Summary summary = importAll(strata, dry);

            assertThat(summary.rowsImported()).isEqualTo(42);
            assertThat(strata.store().task("t-quirks")).isEmpty();
            assertThat(strata.directory().workspace("ws-1")).isEmpty();
            assertThat(objectFiles("strata-objects")).isZero();
        }
    }

    @Test
    void rerun_importsNothingTwice_andDeltaSyncTakesOnlyNewRows() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 0)) {
            Strata strata = strata("strata");
            importAll(strata, options(legacy.url));

            legacy.messages("t-running", 31, 10, "new");
            legacy.task("t-new", "ws-2", null, "completed");
            legacy.messages("t-new", 1, 7, "new");
            Importer.Summary delta = importAll(strata, options(legacy.url));

            assertThat(delta.delta()).isTrue();
            assertThat(delta.rowsRead()).isEqualTo(17);
            assertThat(delta.rowsImported()).isEqualTo(17);
            assertThat(strata.store().list("t-running", MessageQuery.all()).messages()).hasSize(40);
            assertThat(strata.store().list("t-new", MessageQuery.all()).messages()).hasSize(7);
            assertThat(importAll(strata, options(legacy.url)).rowsImported()).isZero();
            assertThat(new Verifier(strata).run(legacy.url, Optional.of("ws-default"), false, rows -> { }).passed()).isTrue();
        }
    }

    @Test
    void offset_skipsTheFirstTasksInIdOrder() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 0)) {
            Strata strata = strata("strata");
            importAll(strata, new Importer.Options(legacy.url, Optional.of("ws-default"), false, 1, 1000, 1, false));

            // Task ids in order: t-orphan, t-quirks, t-running; the first is skipped.
            assertThat(strata.store().task("t-orphan")).isEmpty();
            assertThat(strata.store().task("t-quirks")).isPresent();
            assertThat(strata.store().task("t-running")).isPresent();
        }
    }

    @Test
    void verify_catchesACorruptedObjectAndAMissingRow() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 0)) {
            Strata strata = strata("strata");
            importAll(strata, options(legacy.url));
            // A row Strata never saw (inserted straight into the legacy table after the import).
            legacy.message("late", "t-orphan", 99, "text", "late", null);
            try (Stream<Path> files = Files.walk(directory.resolve("strata-objects/tasks/t-quirks"))) {
                Path object = files.filter(Files::isRegularFile).findFirst().orElseThrow();
                Files.write(object, new byte[] {1, 2, 3, 4});
            }

            Verifier.Result result = new Verifier(strata).run(legacy.url, Optional.of("ws-default"), false, rows -> { });

            assertThat(result.passed()).isFalse();
            assertThat(result.missing()).isGreaterThanOrEqualTo(8);
            assertThat(result.examples()).anyMatch(line -> line.startsWith("task t-orphan seq 99: missing"))
                    .anyMatch(line -> line.startsWith("task t-quirks: not readable"));
        }
    }

    @Test
    void finalize_refusesWithoutVerify_thenShrinksTheFileAndKeepsMetadata() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 3_000)) {
            Strata strata = strata("strata");
            importAll(strata, options(legacy.url));
            assertThatThrownBy(() -> MigrationSources.requireVerified(strata, legacy.url, false))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("no passing 'migrate verify'");
            assertThat(new Verifier(strata).run(legacy.url, Optional.of("ws-default"), false, rows -> { }).passed()).isTrue();
            MigrationSources.recordVerified(strata, legacy.url);
            MigrationSources.requireVerified(strata, legacy.url, false);
        }

        Finalizer.Result result = Finalizer.run("jdbc:sqlite:" + directory.resolve("legacy.db"));

        assertThat(result.bytesAfter()).isLessThan(result.bytesBefore());
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("legacy.db"));
             var statement = connection.createStatement()) {
            List<String> columns = new ArrayList<>();
            try (var rs = statement.executeQuery("PRAGMA table_info(task_message)")) {
                while (rs.next()) {
                    columns.add(rs.getString("name"));
                }
            }
            assertThat(columns).containsExactly("id", "task_id", "seq", "type", "tool", "call_id", "created_at");
            try (var rs = statement.executeQuery("SELECT COUNT(*) FROM task_message")) {
                assertThat(rs.getLong(1)).isEqualTo(10 + 30 + 5 + 3_000);
            }
            List<String> indexes = new ArrayList<>();
            try (var rs = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'task_message' AND sql IS NOT NULL")) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
            assertThat(indexes).containsExactlyInAnyOrder("idx_task_message_task_seq", "idx_task_message_task_created");
        }
    }

    /** Issue 9, defect 11: verify reported the rows import had skipped by rule as missing, so import, verify, finalize could not pass. */
    @Test
    void importWithoutDefaultWorkspace_skipsUnlistedTasks_andVerifyAndFinalizePass() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 0)) {
            Strata strata = strata("strata");

            Importer.Summary summary = importAll(strata, new Importer.Options(legacy.url, Optional.empty(), false, 0, 1000, 2, false));

            assertThat(summary.tasksSkipped()).isEqualTo(1);
            assertThat(summary.rowsSkipped()).isEqualTo(5);
            assertThat(summary.describe()).contains("tasks skipped (not in agent_task_queue): 1 (5 rows); to include them, give --default-workspace W");
            assertThat(strata.store().task("t-orphan")).isEmpty();
            Verifier.Result verify = new Verifier(strata).run(legacy.url, Optional.empty(), false, rows -> { });
            assertThat(verify.examples()).isEmpty();
            assertThat(verify.passed()).as("verify after a clean import without --default-workspace").isTrue();
            assertThat(verify.tasksSkipped()).isEqualTo(1);
            assertThat(verify.rowsSkipped()).isEqualTo(5);
            assertThat(verify.matched()).isEqualTo(summary.rowsImported());
            MigrationSources.recordVerified(strata, legacy.url);
            MigrationSources.requireVerified(strata, legacy.url, false);
        }
        Finalizer.Result result = Finalizer.run("jdbc:sqlite:" + directory.resolve("legacy.db"));
        assertThat(result.bytesAfter()).isLessThanOrEqualTo(result.bytesBefore());
    }

    @Test
    void importWithDefaultWorkspace_importsUnlistedTasks_andVerifyExpectsThemOnlyWithIt() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 0)) {
            Strata strata = strata("strata");
            Importer.Summary summary = importAll(strata, options(legacy.url));

            assertThat(summary.tasksSkipped()).isZero();
            assertThat(strata.store().list("t-orphan", MessageQuery.all()).messages()).hasSize(5);
            Verifier.Result with = new Verifier(strata).run(legacy.url, Optional.of("ws-default"), false, rows -> { });
            assertThat(with.passed()).isTrue();
            assertThat(with.tasksSkipped()).isZero();
            Verifier.Result without = new Verifier(strata).run(legacy.url, Optional.empty(), false, rows -> { });
            assertThat(without.passed()).as("verify must apply the import's rules").isFalse();
            assertThat(without.unexpected()).isEqualTo(5);
            assertThat(without.examples()).anyMatch(line -> line.startsWith("task t-orphan seq 1: in Strata but not expected"));
        }
    }

    @Test
    void importKilledMidRun_resumes_toExactlyTheResultOfAnUninterruptedImport() throws Exception {
        try (LegacyFixture legacy = new LegacyFixture("jdbc:sqlite:" + directory.resolve("big.db"), null)) {
            List<String> tasks = new ArrayList<>();
            for (int t = 0; t < 400; t++) {
                String task = String.format("task-%04d", t);
                legacy.task(task, "ws-1", null, "completed");
                legacy.messages(task, 1, 60, "b");
                tasks.add(task);
            }
            Process child = startImportProcess(legacy.url, "killed");
            awaitCheckpoint(directory.resolve("killed.db"));
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);

            Strata resumed = strata("killed");
            Importer.Summary rest = importAll(resumed, options(legacy.url));
            Strata clean = strata("clean");
            importAll(clean, options(legacy.url));

            assertThat(rest.rowsRead()).as("the resumed run did not start over").isLessThan(400L * 60);
            assertThat(contents(resumed, tasks)).isEqualTo(contents(clean, tasks));
            assertThat(new Verifier(resumed).run(legacy.url, Optional.of("ws-default"), false, rows -> { }).passed()).isTrue();
        }
    }

    private Process startImportProcess(String from, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), dev.strata.server.cli.StrataCommand.class.getName(),
                "migrate", "import", "--from", from, "--concurrency", "1", "--batch-size", "10");
        builder.environment().putAll(Map.of("STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve(name + ".db"),
                "STRATA_CONTENT_URL", "file:" + directory.resolve(name + "-objects"), "STRATA_CACHE_URL", "none", "STRATA_LOG_LEVEL", "WARN"));
        return builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void awaitCheckpoint(Path database) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(50))
                .ignoreExceptions().until(() -> {
                    try (var connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                         var rs = connection.createStatement().executeQuery("SELECT last_task_id FROM migration_progress")) {
                        return rs.next() && rs.getString(1) != null && rs.getString(1).compareTo("task-0020") > 0;
                    }
                });
    }

    private long objectFiles(String name) throws IOException {
        Path root = directory.resolve(name);
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
