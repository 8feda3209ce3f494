package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.strata.model.InvalidInputException;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskSummary;
import dev.strata.server.Strata;
import dev.strata.server.testing.LocalStratas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The migration toolkit on generated legacy SQLite databases. */
class MigrationTest {
    @TempDir
    Path directory;

    @RegisterExtension
    final LocalStratas stratas = new LocalStratas(() -> directory);

    Strata strata(String name) {
        return stratas.open(name);
    }

    LegacyFixture legacy(String name, int longTask) throws Exception {
        return new LegacyFixture("jdbc:sqlite:" + directory.resolve(name), null).standard(longTask);
    }

    static Importer.Options options(String from) {
        return new Importer.Options(from, Optional.of("ws-default"), false, 0, 1000, 2, false);
    }

    static Importer.Summary importAll(Strata strata, Importer.Options options) {
        return strata.importer().run(options, total -> {}, read -> {});
    }

    /** Every message Strata serves, by task, for comparing whole stores. */
    static Map<String, List<TaskMessage>> contents(Strata strata, List<String> tasks) {
        Map<String, List<TaskMessage>> all = new TreeMap<>();
        for (String task : tasks) {
            strata.store()
                    .task(task)
                    .ifPresent(t -> all.put(
                            task, strata.store().list(task, MessageQuery.all()).messages()));
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
            assertThat(summary.quirks())
                    .containsEntry(Quirks.DUPLICATE_SEQ, 1L)
                    .containsEntry(Quirks.INPUT_EMPTY, 1L)
                    .containsEntry(Quirks.INPUT_NOT_OBJECT, 1L)
                    .containsEntry(Quirks.INPUT_INVALID, 1L)
                    .containsEntry(Quirks.TASK_MISSING, 1L);
            List<TaskMessage> quirky =
                    strata.store().list("t-quirks", MessageQuery.all()).messages();
            assertThat(quirky).extracting(TaskMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 8L, 9L);
            assertThat(quirky.get(0).content()).isEqualTo("first write wins");
            assertThat(quirky.get(0).id()).isEqualTo("m1");
            assertThat(quirky.get(1).input())
                    .contains("{\"path\":\"/a\",\"big\":123456789012345678901234567890,\"d\":1.50}");
            assertThat(quirky.get(2).input()).contains("\"\"");
            assertThat(quirky.get(3).input()).contains("[1,2]");
            assertThat(quirky.get(4).input()).contains("\"not json at all\"");
            assertThat(quirky.get(0).createdAt().toString()).isEqualTo("2026-05-01T10:00:01Z");
            assertThat(strata.store().list("t-long", MessageQuery.all()).messages())
                    .hasSize(50_000);
            assertThat(strata.directory().task("ws-1", "t-quirks"))
                    .hasValueSatisfying(t -> assertThat(t.status().wireName()).isEqualTo("completed"));
            assertThat(strata.directory().task("ws-default", "t-orphan")).isPresent();
            assertThat(strata.store().task("t-quirks").orElseThrow().sealed()).isTrue();
            assertThat(strata.store().task("t-running").orElseThrow().sealed()).isFalse();
            assertThat(strata.store().task("t-quirks").orElseThrow().liveSegments())
                    .isEqualTo(1);

            Verifier.Result verify = strata.verifier().run(legacy.url, Optional.of("ws-default"), false, rows -> {});
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
            assertThat(strata.store().list("t-running", MessageQuery.all()).messages())
                    .hasSize(40);
            assertThat(strata.store().list("t-new", MessageQuery.all()).messages())
                    .hasSize(7);
            assertThat(importAll(strata, options(legacy.url)).rowsImported()).isZero();
            assertThat(strata.verifier()
                            .run(legacy.url, Optional.of("ws-default"), false, rows -> {})
                            .passed())
                    .isTrue();
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

            // Pages of one task id: the skip spans pages.
            Strata paged = strata("paged");
            importAll(paged, new Importer.Options(legacy.url, Optional.of("ws-default"), false, 2, 1, 1, false));
            assertThat(paged.store().task("t-orphan")).isEmpty();
            assertThat(paged.store().task("t-quirks")).isEmpty();
            assertThat(paged.store().task("t-running")).isPresent();
        }
    }

    @Test
    void verify_catchesACorruptedObjectAndAMissingRow() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 0)) {
            Strata strata = strata("strata");
            importAll(strata, options(legacy.url));
            // A row Strata never saw (inserted straight into the legacy table after the import).
            legacy.message("late", "t-orphan", 99, "text", "late", null);
            // The object holding t-quirks' first frame (a shared one, found by its index).
            String key = dev.strata.lifecycle.TaskFrames.of(
                            new dev.strata.tier.content.LocalDirectoryContentTier(directory.resolve("strata-objects")),
                            "t-quirks")
                    .get(0)
                    .objectKey();
            Files.write(directory.resolve("strata-objects").resolve(key), new byte[] {1, 2, 3, 4});

            Verifier.Result result = strata.verifier().run(legacy.url, Optional.of("ws-default"), false, rows -> {});

            assertThat(result.passed()).isFalse();
            assertThat(result.missing()).isGreaterThanOrEqualTo(8);
            assertThat(result.examples())
                    // t-orphan's frame may share the corrupted object (one flush): then it is unreadable as a whole.
                    .anyMatch(line -> line.startsWith("task t-orphan seq 99: missing")
                            || line.startsWith("task t-orphan: not readable"))
                    .anyMatch(line -> line.startsWith("task t-quirks: not readable"));
        }
    }

    @Test
    void finalize_refusesWithoutVerify_thenShrinksTheFileAndKeepsMetadata() throws Exception {
        try (LegacyFixture legacy = legacy("legacy.db", 3_000)) {
            Strata strata = strata("strata");
            importAll(strata, options(legacy.url));
            assertThatThrownBy(() -> MigrationSources.requireVerified(strata.database(), legacy.url, false))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("no passing 'migrate verify'");
            Verifier.Result verify = strata.verifier().run(legacy.url, Optional.of("ws-default"), false, rows -> {});
            assertThat(verify.passed()).isTrue();
            MigrationSources.recordVerified(strata.database(), legacy.url, verify);
            MigrationSources.requireVerified(strata.database(), legacy.url, false);
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
            try (var rs = statement.executeQuery(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'task_message' AND sql IS NOT NULL")) {
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

            Importer.Summary summary =
                    importAll(strata, new Importer.Options(legacy.url, Optional.empty(), false, 0, 1000, 2, false));

            assertThat(summary.tasksSkipped()).isEqualTo(1);
            assertThat(summary.rowsSkipped()).isEqualTo(5);
            assertThat(summary.describe())
                    .contains(
                            "tasks skipped (not in agent_task_queue): 1 (5 rows); to include them, give --default-workspace W");
            assertThat(strata.store().task("t-orphan")).isEmpty();
            Verifier.Result verify = strata.verifier().run(legacy.url, Optional.empty(), false, rows -> {});
            assertThat(verify.examples()).isEmpty();
            assertThat(verify.passed())
                    .as("verify after a clean import without --default-workspace")
                    .isTrue();
            assertThat(verify.tasksSkipped()).isEqualTo(1);
            assertThat(verify.rowsSkipped()).isEqualTo(5);
            assertThat(verify.matched()).isEqualTo(summary.rowsImported());
            MigrationSources.recordVerified(strata.database(), legacy.url, verify);
            MigrationSources.requireVerified(strata.database(), legacy.url, false);
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
            assertThat(strata.store().list("t-orphan", MessageQuery.all()).messages())
                    .hasSize(5);
            Verifier.Result with = strata.verifier().run(legacy.url, Optional.of("ws-default"), false, rows -> {});
            assertThat(with.passed()).isTrue();
            assertThat(with.tasksSkipped()).isZero();
            Verifier.Result without = strata.verifier().run(legacy.url, Optional.empty(), false, rows -> {});
            assertThat(without.passed())
                    .as("verify must apply the import's rules")
                    .isFalse();
            assertThat(without.unexpected()).isEqualTo(5);
            assertThat(without.examples())
                    .anyMatch(line -> line.startsWith("task t-orphan seq 1: in Strata but not expected"));
        }
    }

    @Test
    void duplicateSeq_keepsTheRowInsertedFirst_notTheSmallestIdNorTheEarliestCreatedAt() throws Exception {
        try (LegacyFixture legacy = new LegacyFixture("jdbc:sqlite:" + directory.resolve("dups.db"), null)) {
            legacy.task("t-dups", "ws-1", null, "completed");
            // Each candidate rule picks a different row of seq 1: the documented one (SQLite rowid,
            // i.e. insertion order) picks "dup-c"; smallest id would pick "dup-a"; earliest
            // created_at would pick "dup-m"; last inserted would pick "dup-m" as well.
            legacy.message("dup-c", "t-dups", 1, "text", "inserted first", null, "2026-05-01 10:00:09");
            legacy.message("dup-a", "t-dups", 1, "text", "smallest id", null, "2026-05-01 10:00:05");
            legacy.message("dup-m", "t-dups", 1, "text", "earliest created_at", null, "2026-05-01 10:00:01");
            legacy.message("only", "t-dups", 2, "text", "no duplicate", null, "2026-05-01 10:00:02");
            Strata strata = strata("strata");

            Importer.Summary summary = importAll(strata, options(legacy.url));

            assertThat(summary.quirks()).as("duplicates counted").containsEntry(Quirks.DUPLICATE_SEQ, 2L);
            List<TaskMessage> kept =
                    strata.store().list("t-dups", MessageQuery.all()).messages();
            assertThat(kept)
                    .as("messages of t-dups")
                    .extracting(TaskMessage::seq)
                    .containsExactly(1L, 2L);
            assertThat(kept.get(0).id()).as("the row of seq 1 that was kept").isEqualTo("dup-c");
            assertThat(kept.get(0).content()).as("content of seq 1").isEqualTo("inserted first");
            assertThat(kept.get(0).createdAt().toString())
                    .as("created_at of seq 1")
                    .isEqualTo("2026-05-01T10:00:09Z");
            assertThat(strata.verifier()
                            .run(legacy.url, Optional.of("ws-default"), false, rows -> {})
                            .passed())
                    .as("verify by the same rule")
                    .isTrue();
        }
    }

    @Test
    void importKilledMidRun_resumes_toExactlyTheResultOfAnUninterruptedImport() throws Exception {
        int taskCount = 300;
        int rowsPerTask = 20;
        try (LegacyFixture legacy = new LegacyFixture("jdbc:sqlite:" + directory.resolve("big.db"), null)) {
            List<String> tasks = new ArrayList<>();
            for (int t = 0; t < taskCount; t++) {
                String task = String.format("task-%04d", t);
                legacy.task(task, "ws-1", null, t % 2 == 0 ? "completed" : "running");
                legacy.messages(task, 1, rowsPerTask, "b");
                tasks.add(task);
            }
            Path killedDatabase = directory.resolve("killed.db");
            Process child = startImportProcess(legacy.url, "killed");
            awaitMidRunCheckpoint(killedDatabase, child, tasks.get(taskCount / 10));
            assertThat(child.isAlive())
                    .as("the import child is still running when it is killed")
                    .isTrue();
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS))
                    .as("the killed import child exited")
                    .isTrue();
            assertThat(child.exitValue())
                    .as("the import child died of SIGKILL (137), it did not finish by itself")
                    .isEqualTo(StrataProcess.KILLED);

            // What the kill left behind, read straight from the killed store before anything resumes.
            Checkpoint atKill = checkpoint(killedDatabase);
            assertThat(atKill.bulkDone())
                    .as("bulk import marked done at the kill")
                    .isFalse();
            assertThat(atKill.lastTaskId()).as("checkpointed task at the kill").isNotNull();
            int resumeFrom = tasks.indexOf(atKill.lastTaskId()) + 1;
            assertThat(resumeFrom)
                    .as("position of checkpoint %s", atKill.lastTaskId())
                    .isBetween(1, taskCount - 1);
            long storedAtKill = count(killedDatabase, "SELECT COUNT(*) FROM tm_task");
            assertThat(storedAtKill)
                    .as("tasks in the store at the kill (checkpoint %s)", atKill.lastTaskId())
                    .isGreaterThanOrEqualTo(resumeFrom)
                    .isLessThan(taskCount);

            Strata resumed = strata("killed");
            Importer.Summary rest = importAll(resumed, options(legacy.url));
            Strata clean = strata("clean");
            importAll(clean, options(legacy.url));

            assertThat(rest.delta())
                    .as("the second run resumed the bulk import; it was not a delta sync")
                    .isFalse();
            assertThat(rest.tasks())
                    .as("tasks the resumed run imported, after checkpoint %s", atKill.lastTaskId())
                    .isEqualTo(taskCount - resumeFrom);
            assertThat(rest.rowsRead())
                    .as(
                            "rows the resumed run read: exactly those of the tasks after checkpoint %s",
                            atKill.lastTaskId())
                    .isEqualTo((long) (taskCount - resumeFrom) * rowsPerTask);
            assertThat(checkpoint(killedDatabase).bulkDone())
                    .as("bulk import done after the resume")
                    .isTrue();
            Map<String, List<TaskMessage>> resumedContents = contents(resumed, tasks);
            assertThat(resumedContents).as("tasks in the resumed store").hasSize(taskCount);
            assertThat(resumedContents)
                    .as("every message of the resumed store, row for row, against a clean import")
                    .isEqualTo(contents(clean, tasks));
            assertThat(summaries(resumed, tasks))
                    .as("task summaries (count, last message, sealed, segments) against a clean import")
                    .isEqualTo(summaries(clean, tasks));
            assertThat(directoryTasks(resumed, tasks))
                    .as("directory tasks (workspace, status) against a clean import")
                    .isEqualTo(directoryTasks(clean, tasks));
            assertThat(resumed.verifier()
                            .run(legacy.url, Optional.of("ws-default"), false, rows -> {})
                            .passed())
                    .as("verify of the resumed store")
                    .isTrue();
        }
    }

    @Test
    void finalizeKilledMidRun_leavesAValidLegacyDatabase_andARerunFinishesWithNothingLost() throws Exception {
        Path file = directory.resolve("finalize.db");
        String url = "jdbc:sqlite:" + file;
        String content = "x".repeat(2_000);
        try (LegacyFixture legacy = new LegacyFixture(url, null)) {
            legacy.connection().setAutoCommit(false);
            for (int t = 0; t < 100; t++) {
                String task = String.format("task-%03d", t);
                legacy.task(task, "ws-1", null, "completed");
                for (int seq = 1; seq <= 200; seq++) {
                    legacy.message(
                            task + "-" + seq,
                            task,
                            seq,
                            seq % 2 == 0 ? "tool-use" : "text",
                            content + seq,
                            "{\"n\":" + seq + "}");
                }
            }
            legacy.connection().commit();
            legacy.connection().setAutoCommit(true);
        }
        List<String> allBefore = rows(url, "id, task_id, seq, type, tool, call_id, content, input, output, created_at");
        List<String> metadataBefore = rows(url, "id, task_id, seq, type, tool, call_id, created_at");
        Path journal = Path.of(file + "-journal");

        Process child = StrataProcess.start(directory, "finalizer", "migrate", "finalize", "--from", url, "--force");
        await("finalize opens a write transaction (rollback journal present)")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(2))
                .until(() -> Files.exists(journal) || !child.isAlive());
        assertThat(child.isAlive())
                .as("finalize still running when it is killed")
                .isTrue();
        child.destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS))
                .as("the killed finalize child exited")
                .isTrue();
        assertThat(child.exitValue())
                .as("finalize died of SIGKILL (137), it did not finish by itself")
                .isEqualTo(StrataProcess.KILLED);
        assertThat(journal)
                .as("the kill interrupted a write: its rollback journal is left behind")
                .exists();

        // Opening the file rolls the interrupted write back (or finds it committed): either way a
        // valid database with every row.
        assertThat(integrityCheck(url))
                .as("integrity of the legacy database after the kill")
                .isEqualTo("ok");
        List<String> columnsAfterKill = columns(url);
        if (columnsAfterKill.contains("content")) {
            assertThat(rows(url, "id, task_id, seq, type, tool, call_id, content, input, output, created_at"))
                    .as("every legacy row, content included, after a kill before the rebuild committed")
                    .isEqualTo(allBefore);
        } else {
            assertThat(rows(url, "id, task_id, seq, type, tool, call_id, created_at"))
                    .as("every legacy row's metadata after a kill once the rebuild committed")
                    .isEqualTo(metadataBefore);
        }

        Finalizer.Result rerun = Finalizer.run(url);

        assertThat(rerun.bytesAfter()).as("size after the rerun").isLessThan(allBefore.size() * 2_000L);
        assertThat(integrityCheck(url))
                .as("integrity of the legacy database after the rerun")
                .isEqualTo("ok");
        assertThat(columns(url))
                .as("task_message columns after the rerun")
                .containsExactly("id", "task_id", "seq", "type", "tool", "call_id", "created_at");
        assertThat(rows(url, "id, task_id, seq, type, tool, call_id, created_at"))
                .as("every legacy row's metadata after the rerun")
                .isEqualTo(metadataBefore);
        assertThat(indexes(url))
                .as("indexes of task_message after the rerun")
                .containsExactlyInAnyOrder("idx_task_message_task_seq", "idx_task_message_task_created");
    }

    /**
     * The import in a child JVM that only interprets bytecode (-Xint): slow enough on any machine
     * to save checkpoints (one a second) long before it finishes, so the kill lands mid-run.
     */
    private Process startImportProcess(String from, String name) throws IOException {
        return StrataProcess.start(
                directory,
                name,
                List.of("-Xint"),
                "migrate",
                "import",
                "--from",
                from,
                "--concurrency",
                "1",
                "--batch-size",
                "10");
    }

    /** A checkpoint as the importer saved it. */
    private record Checkpoint(String lastTaskId, boolean bulkDone) {}

    private static Checkpoint checkpoint(Path database) throws SQLException {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                var rs = connection
                        .createStatement()
                        .executeQuery("SELECT last_task_id, bulk_done FROM migration_progress")) {
            assertThat(rs.next())
                    .as("a checkpoint row in " + database.getFileName())
                    .isTrue();
            return new Checkpoint(rs.getString(1), rs.getInt(2) != 0);
        }
    }

    /**
     * Waits for a checkpoint saved while the bulk import runs, at or past {@code atLeast} and with
     * the bulk not done: the first checkpoint has no task id and the last one says done, so
     * neither can end the wait.
     */
    private static void awaitMidRunCheckpoint(Path database, Process child, String atLeast) {
        await("a mid-run checkpoint in " + database.getFileName())
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    assertThat(child.isAlive())
                            .as("import child alive while waiting for a mid-run checkpoint (it finished too soon)")
                            .isTrue();
                    try {
                        Checkpoint checkpoint = checkpoint(database);
                        return checkpoint.lastTaskId() != null
                                && checkpoint.lastTaskId().compareTo(atLeast) >= 0
                                && !checkpoint.bulkDone();
                    } catch (SQLException | AssertionError notYet) {
                        return false;
                    }
                });
    }

    private static long count(Path database, String sql) throws SQLException {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                var rs = connection.createStatement().executeQuery(sql)) {
            return rs.getLong(1);
        }
    }

    static Map<String, TaskSummary> summaries(Strata strata, List<String> tasks) {
        Map<String, TaskSummary> all = new TreeMap<>();
        tasks.forEach(task -> strata.store().task(task).ifPresent(summary -> all.put(task, summary)));
        return all;
    }

    static Map<String, String> directoryTasks(Strata strata, List<String> tasks) {
        Map<String, String> all = new TreeMap<>();
        tasks.forEach(task -> strata.directory()
                .task("ws-1", task)
                .ifPresent(t -> all.put(
                        task,
                        t.workspaceId() + " " + t.conversationId() + " "
                                + t.status().wireName())));
        return all;
    }

    /** Every row of {@code task_message} as text, in id order. */
    private static List<String> rows(String url, String columns) throws SQLException {
        return query(url, "SELECT " + columns + " FROM task_message ORDER BY id");
    }

    private static List<String> indexes(String url) throws SQLException {
        return query(
                url,
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'task_message' AND sql IS NOT NULL");
    }

    private static List<String> query(String url, String sql) throws SQLException {
        try (var connection = DriverManager.getConnection(url);
                var rs = connection.createStatement().executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            int width = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= width; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
            return rows;
        }
    }

    private static List<String> columns(String url) throws SQLException {
        try (var connection = DriverManager.getConnection(url);
                var rs = connection.createStatement().executeQuery("PRAGMA table_info(task_message)")) {
            List<String> columns = new ArrayList<>();
            while (rs.next()) {
                columns.add(rs.getString("name"));
            }
            return columns;
        }
    }

    private static String integrityCheck(String url) throws SQLException {
        try (var connection = DriverManager.getConnection(url);
                var rs = connection.createStatement().executeQuery("PRAGMA integrity_check")) {
            return rs.next() ? rs.getString(1) : "no answer";
        }
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
