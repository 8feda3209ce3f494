package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.store.ContentSegmentKeys;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flushes and task deletions lock task rows "in task id order" so they never deadlock; but a
 * flush sorts with the database's collation ({@code ORDER BY task_id}) and a deletion with Java's
 * {@code String} order (a {@code TreeSet}). They agree under the C collation the test database
 * has, not under a linguistic one, the default of a database created in an English locale, where
 * {@code a} sorts before {@code B}. The column is given such a collation here.
 */
class TaskLockOrderCollationTest {
    private String schema;
    private Database database;
    private MetadataTier metadata;

    @BeforeEach
    void open() {
        schema = TestServices.uniqueName("lockorder");
        database = TestDatabases.postgres(schema);
        metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
    }

    @AfterEach
    void close() {
        metadata.close();
        database.close();
        TestServices.dropSchema(schema);
    }

    /**
     * A transaction holds task a; a flush of a and B starts, then a deletion of both; the holder
     * commits. Neither the flush nor the deletion may fail.
     */
    @Test
    void flushAndDeleteOfTheSameTasks_underALinguisticCollation_neverDeadlock() throws Exception {
        database.jdbi()
                .useHandle(handle ->
                        handle.execute("ALTER TABLE tm_task ALTER COLUMN task_id TYPE TEXT COLLATE \"en-x-icu\""));
        metadata.createTasks(List.of("a", "B"), Instant.now());
        TaskRecord a = metadata.task("a").orElseThrow();
        TaskRecord b = metadata.task("B").orElseThrow();
        // Threads of their own: the common pool may have one thread on a small machine.
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(2);
                Connection holder = DriverManager.getConnection(TestServices.postgresUrl(schema));
                Connection observer = DriverManager.getConnection(TestServices.postgresUrl(schema))) {
            holder.setAutoCommit(false);
            long holderPid;
            try (Statement statement = holder.createStatement()) {
                statement.execute("SELECT 1 FROM tm_task WHERE task_id = 'a' FOR UPDATE");
                try (ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    holderPid = rs.getLong(1);
                }
            }
            CompletableFuture<List<CommitOutcome>> flush = CompletableFuture.supplyAsync(
                    () -> metadata.commitFlush(new FlushCommit(77L, List.of(frame(a, 77L, 0), frame(b, 77L, 100)))),
                    threads);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> waiting(observer, "pg_blocking_pids(pid) @> ARRAY[" + holderPid + "]") >= 1);
            CompletableFuture<List<PendingDeletion>> delete =
                    CompletableFuture.supplyAsync(() -> metadata.deleteTasks(List.of("a", "B")), threads);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> waiting(observer, "query LIKE 'DELETE FROM tm_task WHERE task_id%'") >= 1);
            holder.commit();

            List<Throwable> failures = new ArrayList<>();
            for (CompletableFuture<?> work : List.of(flush, delete)) {
                try {
                    work.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            assertThat(failures).as("the flush and the deletion").isEmpty();
            assertThat(metadata.task("a")).isEmpty();
            assertThat(metadata.task("B")).isEmpty();
        }
    }

    private static FrameCommit frame(TaskRecord task, long objectId, long offset) {
        List<MessageRow> rows = List.of(new MessageRow(0, "even", "Tool", "call-0", 1_700_000_000_000L));
        return new FrameCommit(
                task, new SegmentCommit(task.taskKey(), objectId, 100, 7, rows, ObjectKind.SHARED, offset));
    }

    private static long waiting(Connection observer, String condition) throws SQLException {
        try (Statement statement = observer.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE wait_event_type = 'Lock' AND datname = current_database() AND " + condition)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
