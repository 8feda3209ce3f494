package dev.strata.server.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.testing.TestServices;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
            Importer.Summary summary = strata.importer()
                    .run(
                            new Importer.Options(url, Optional.of("ws-default"), false, 0, 100, 2, false),
                            total -> {},
                            read -> {});

            assertThat(summary.rowsImported()).isEqualTo(7 + 30 + 5 + 2_000);
            assertThat(summary.quirks()).containsEntry(Quirks.DUPLICATE_SEQ, 1L);
            assertThat(strata.store().list("t-quirks", MessageQuery.all()).messages())
                    .extracting(TaskMessage::content)
                    .first()
                    .isEqualTo("first write wins");
            Verifier.Result verify = strata.verifier().run(url, Optional.of("ws-default"), false, rows -> {});
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

            Importer.Summary summary = strata.importer()
                    .run(
                            new Importer.Options(url, Optional.of("ws-default"), false, 0, 100, 2, false),
                            total -> {},
                            read -> {});

            assertThat(summary.quirks()).as("duplicates counted").containsEntry(Quirks.DUPLICATE_SEQ, 4L);
            List<TaskMessage> kept =
                    strata.store().list("t-dups", MessageQuery.all()).messages();
            assertThat(kept)
                    .as("messages of t-dups")
                    .extracting(TaskMessage::seq)
                    .containsExactly(1L, 2L);
            assertThat(kept.get(0).id()).as("the row of seq 1 that was kept").isEqualTo("dup-m");
            assertThat(kept.get(0).content()).as("content of seq 1").isEqualTo("earliest, smaller id");
            assertThat(strata.verifier()
                            .run(url, Optional.of("ws-default"), false, rows -> {})
                            .passed())
                    .as("verify by the same rule")
                    .isTrue();
        }
    }

    @Test
    void finalizeKilledMidRun_leavesAValidLegacyDatabase_andARerunFinishesWithNothingLost() throws Exception {
        String url = TestServices.postgresUrl(schema);
        String application = "strata-finalize-" + schema;
        // Random content, so PostgreSQL's TOAST compression cannot shrink it away.
        java.util.Random random = new java.util.Random(15);
        byte[] noise = new byte[1_500];
        try (LegacyFixture legacy = new LegacyFixture(url, schema)) {
            legacy.connection().setAutoCommit(false);
            for (int t = 0; t < 50; t++) {
                String task = String.format("task-%03d", t);
                legacy.task(task, "ws-1", null, "completed");
                for (int seq = 1; seq <= 200; seq++) {
                    random.nextBytes(noise);
                    legacy.message(
                            task + "-" + seq,
                            task,
                            seq,
                            seq % 2 == 0 ? "tool-use" : "text",
                            java.util.Base64.getEncoder().encodeToString(noise),
                            "{\"n\":" + seq + "}");
                }
            }
            legacy.connection().commit();
            legacy.connection().setAutoCommit(true);
        }
        String metadata = "SELECT id, task_id, seq, type, tool, call_id, created_at FROM task_message ORDER BY id";
        List<String> metadataBefore = query(url, metadata);
        long bytesBefore = Long.parseLong(
                query(url, "SELECT pg_total_relation_size('task_message')").get(0));

        try (Connection monitor = DriverManager.getConnection(TestServices.POSTGRES_URL)) {
            Process child = StrataProcess.start(
                    directory,
                    "finalizer",
                    "migrate",
                    "finalize",
                    "--from",
                    url + "&ApplicationName=" + application,
                    "--force");
            await("finalize rewriting task_message (VACUUM FULL running)")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() ->
                            sessions(monitor, application, "AND state = 'active' AND query ILIKE 'VACUUM FULL%'") > 0
                                    || !child.isAlive());
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
            // The server may still finish the statement the dead client sent; wait for its session to end.
            await("the killed finalize's session ends")
                    .atMost(Duration.ofSeconds(120))
                    .until(() -> sessions(monitor, application, "") == 0);
        }

        assertThat(columns(url))
                .as("task_message columns after the kill (content columns already dropped)")
                .containsExactly("id", "task_id", "seq", "type", "tool", "call_id", "created_at");
        assertThat(query(url, metadata))
                .as("every legacy row's metadata after the kill")
                .isEqualTo(metadataBefore);

        Finalizer.run(url);

        assertThat(columns(url))
                .as("task_message columns after the rerun")
                .containsExactly("id", "task_id", "seq", "type", "tool", "call_id", "created_at");
        assertThat(query(url, metadata))
                .as("every legacy row's metadata after the rerun")
                .isEqualTo(metadataBefore);
        assertThat(
                        query(
                                url,
                                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'task_message'"))
                .as("indexes of task_message after the rerun")
                .contains("idx_task_message_task_seq", "idx_task_message_task_created");
        assertThat(Long.parseLong(query(url, "SELECT pg_total_relation_size('task_message')")
                        .get(0)))
                .as("size of task_message after the rerun, against %d bytes before finalize", bytesBefore)
                .isLessThan(bytesBefore / 2);
    }

    private static long sessions(Connection connection, String application, String condition) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ? " + condition)) {
            statement.setString(1, application);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<String> columns(String url) throws SQLException {
        return query(
                url,
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                        + " AND table_name = 'task_message' ORDER BY ordinal_position");
    }

    private static List<String> query(String url, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
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
}
