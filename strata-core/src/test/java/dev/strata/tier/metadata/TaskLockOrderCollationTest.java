package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.testing.IsolatedMetadata;
import dev.strata.tier.metadata.jdbc.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Flushes, seals and task deletions lock task rows in one order so they never deadlock. A flush
 * sorts its locks in SQL ({@code ORDER BY task_id COLLATE "C"} on PostgreSQL), deletions and seals
 * in Java ({@code TaskRows.LOCK_ORDER}). Cases where other orders would disagree: a linguistic
 * collation on the column (under which a plain {@code ORDER BY task_id} deadlocked), and ids with
 * characters beyond U+FFFF (where {@code String}'s own order deadlocked).
 */
class TaskLockOrderCollationTest {
    private IsolatedMetadata isolated;
    private Database database;
    private MetadataTier metadata;

    @BeforeEach
    void open() {
        isolated = IsolatedMetadata.postgres("lockorder");
        database = isolated.database();
        metadata = isolated.metadata();
    }

    @AfterEach
    void close() {
        isolated.close();
    }

    /**
     * Task ids whose orders disagree: {@code held} comes first in the order the flush's locking
     * {@code SELECT} sorts by on PostgreSQL, {@code other} first in Java's {@code String} order.
     */
    static Stream<Arguments> disagreeingIds() {
        return Stream.of(
                // A linguistic collation, the default of a database created in an English locale.
                Arguments.of("a", "B", "en-x-icu"),
                // Code point order against UTF-16 order: U+E000 before U+1F600, but \uD83D < \uE000.
                Arguments.of("\uE000", "\uD83D\uDE00", "C"));
    }

    /**
     * A transaction holds task {@code held}; a flush of both tasks starts, then a deletion of both;
     * the holder commits. Neither the flush nor the deletion may fail.
     */
    @ParameterizedTest
    @MethodSource("disagreeingIds")
    void flushAndDeleteOfTheSameTasks_whoseOrdersDisagree_neverDeadlock(String held, String other, String collation)
            throws Exception {
        database.jdbi()
                .useHandle(handle -> handle.execute(
                        "ALTER TABLE tm_task ALTER COLUMN task_id TYPE TEXT COLLATE \"" + collation + "\""));
        metadata.createTasks(List.of(held, other), Instant.now());
        TaskRecord a = metadata.task(held).orElseThrow();
        TaskRecord b = metadata.task(other).orElseThrow();
        // Threads of their own: the common pool may have one thread on a small machine.
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(2);
                Connection holder = DriverManager.getConnection(isolated.postgresUrl());
                Connection observer = DriverManager.getConnection(isolated.postgresUrl())) {
            holder.setAutoCommit(false);
            long holderPid;
            try (Statement statement = holder.createStatement()) {
                try (var lock = holder.prepareStatement("SELECT 1 FROM tm_task WHERE task_id = ? FOR UPDATE")) {
                    lock.setString(1, held);
                    lock.executeQuery().close();
                }
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
                    CompletableFuture.supplyAsync(() -> metadata.deleteTasks(List.of(held, other)), threads);
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
            assertThat(metadata.task(held)).isEmpty();
            assertThat(metadata.task(other)).isEmpty();
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
