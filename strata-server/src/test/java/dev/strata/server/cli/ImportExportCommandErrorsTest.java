package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.testing.StrataCli;
import dev.strata.server.testing.StrataCli.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code import}, {@code export} and {@code migrate}: a clear one-line error and a non-zero exit, never a stack trace. */
class ImportExportCommandErrorsTest {
    @TempDir
    Path directory;

    Result strata(String... args) throws IOException, InterruptedException {
        return StrataCli.run(
                Map.of(
                        "STRATA_DB_URL", "jdbc:sqlite:" + directory.resolve("target.db"),
                        "STRATA_CONTENT_URL", "file:" + directory.resolve("target-objects"),
                        "STRATA_LOG_LEVEL", "WARN"),
                args);
    }

    static void assertClearError(Result result) {
        assertThat(result.exitCode()).as(result.err()).isNotZero();
        assertThat(result.err()).as("one clear line, no stack trace").startsWith("strata: ");
        assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void import_ofAMissingFile_isAClearError() throws Exception {
        assertClearError(
                strata("import", "--from", directory.resolve("no-such.jsonl").toString()));
    }

    @Test
    void import_ofAFileThatIsNotZstd_isAClearError() throws Exception {
        Path file = directory.resolve("plain.jsonl.zst");
        Files.writeString(file, "{\"end\":{\"tasks\":0,\"messages\":0}}\n");
        assertClearError(strata("import", "--from", file.toString()));
    }

    @Test
    void import_ofATaskWithAnUnknownStatus_isAClearError() throws Exception {
        Path file = directory.resolve("status.jsonl");
        Files.writeString(
                file,
                "{\"task\":{\"id\":\"t-a\",\"workspace_id\":\"ws-1\",\"conversation_id\":null,\"status\":\"bogus\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}}\n"
                        + "{\"end\":{\"tasks\":1,\"messages\":0}}\n");
        assertClearError(strata("import", "--from", file.toString()));
    }

    /** Bytes that are not UTF-8 must be refused, not imported as U+FFFD. */
    @Test
    void import_ofInvalidUtf8_isRefused() throws Exception {
        Path file = directory.resolve("latin1.jsonl");
        byte[] task =
                "{\"task\":{\"id\":\"t-a\",\"workspace_id\":\"ws-1\",\"conversation_id\":null,\"status\":\"running\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}}\n"
                        .getBytes(StandardCharsets.UTF_8);
        byte[] message =
                "{\"id\":\"a1\",\"task_id\":\"t-a\",\"seq\":1,\"type\":\"text\",\"tool\":\"\",\"call_id\":\"\",\"content\":\"caf\u00e9\",\"output\":\"\",\"created_at\":\"2026-05-01T10:00:00.000Z\"}\n"
                        .getBytes(StandardCharsets.ISO_8859_1);
        byte[] end = "{\"end\":{\"tasks\":1,\"messages\":1}}\n".getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write(task);
        bytes.write(message);
        bytes.write(end);
        Files.write(file, bytes.toByteArray());

        Result result = strata("import", "--from", file.toString());

        assertClearError(result);
    }

    @Test
    void export_toADirectoryThatDoesNotExist_isAClearError() throws Exception {
        String workspace = strata("admin", "create-workspace", "--name", "w").out();
        Result result = strata(
                "export",
                "--workspace",
                workspace,
                "--to",
                directory.resolve("no/such/dir/x.jsonl").toString());
        assertClearError(result);
    }

    @Test
    void migrateImport_fromAFileThatIsNotADatabase_isAClearError() throws Exception {
        Path notADatabase = directory.resolve("legacy.db");
        Files.writeString(notADatabase, "this is not a SQLite file\n".repeat(100));
        assertClearError(
                strata("migrate", "import", "--from", "jdbc:sqlite:" + notADatabase, "--default-workspace", "w"));
    }

    /** A mistyped path must not create an empty legacy database and report a successful import of nothing. */
    @Test
    void migrateImport_fromAMissingSqliteFile_isAClearError() throws Exception {
        Path typo = directory.resolve("legacy-typo.db");
        Result result = strata("migrate", "import", "--from", "jdbc:sqlite:" + typo, "--default-workspace", "w");
        assertClearError(result);
        assertThat(Files.exists(typo)).as("a legacy file created by a typo").isFalse();
    }

    /** {@code migrate import} started twice at once on one source (two processes): both finish cleanly and verify passes. */
    @Test
    void migrateImport_runTwiceConcurrently_bothSucceed_andVerifyPasses() throws Exception {
        Path legacy = directory.resolve("legacy.db");
        try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + legacy);
                var ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE agent_task_queue (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL,"
                    + " conversation_id TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL)");
            ddl.execute(
                    "CREATE TABLE task_message (id TEXT PRIMARY KEY, task_id TEXT NOT NULL, seq INTEGER NOT NULL,"
                            + " type TEXT NOT NULL DEFAULT '', tool TEXT NOT NULL DEFAULT '', call_id TEXT NOT NULL DEFAULT '',"
                            + " content TEXT NOT NULL DEFAULT '', input TEXT, output TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)");
            connection.setAutoCommit(false);
            for (int t = 0; t < 300; t++) {
                ddl.execute("INSERT INTO agent_task_queue VALUES ('t-" + t
                        + "', 'ws-1', NULL, 'completed', '2026-05-01 10:00:00')");
                for (int seq = 1; seq <= 20; seq++) {
                    ddl.execute("INSERT INTO task_message (id, task_id, seq, type, content, created_at) VALUES ('m-" + t
                            + "-" + seq + "', 't-" + t + "', " + seq + ", 'text', 'step " + seq
                            + "', '2026-05-01 10:00:01')");
                }
            }
            connection.commit();
        }
        String from = "jdbc:sqlite:" + legacy;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> strata("migrate", "import", "--from", from));
            var second = pool.submit(() -> strata("migrate", "import", "--from", from));
            Result a = first.get();
            Result b = second.get();
            assertThat(a.exitCode()).as(a.err()).isZero();
            assertThat(b.exitCode()).as(b.err()).isZero();
        } finally {
            pool.shutdownNow();
        }
        Result verify = strata("migrate", "verify", "--from", from);
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    }

    /** The command line refuses a workspace retention under an hour as the API and STRATA_RETENTION do. */
    @Test
    void setRetention_underAnHour_isRefused() throws Exception {
        Result result = strata("admin", "set-retention", "--workspace", "w", "--retention", "10m");
        assertThat(result.exitCode()).as(result.err()).isNotZero();
        assertThat(result.err())
                .contains("--retention must be at least 1h (or off), got '10m'")
                .doesNotContain("\tat ");
    }
}
