package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.testing.IsolatedMetadata;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL every transaction that locks several task rows must lock them in task id order
 * (flushes and task deletions do, see FlushTransaction), or two of them deadlock. A seal of several
 * tasks locked them in the caller's order.
 */
class SealLockOrderTest {
    private IsolatedMetadata isolated;
    private MetadataTier metadata;

    @BeforeEach
    void open() {
        isolated = IsolatedMetadata.postgres("seallock");
        metadata = isolated.metadata();
    }

    @AfterEach
    void close() {
        isolated.close();
    }

    /**
     * A flush of tasks a and b has locked a (its first in task id order, with FlushTransaction's
     * statement) when a seal of b and a (in that order) starts; then the flush locks b.
     */
    @Test
    void sealOfSeveralTasks_locksThemInTaskIdOrder_soAFlushOfTheSameTasksNeverDeadlocks() throws Exception {
        metadata.createTasks(List.of("a", "b"), Instant.now());
        try (Connection flush = DriverManager.getConnection(isolated.postgresUrl());
                Connection observer = DriverManager.getConnection(isolated.postgresUrl())) {
            flush.setAutoCommit(false);
            lockTask(flush, "a");
            CompletableFuture<Set<String>> seal = CompletableFuture.supplyAsync(() -> metadata.seal(List.of("b", "a")));
            await().atMost(Duration.ofSeconds(10)).until(() -> sealWaitsOnALock(observer));

            SQLException deadlock = null;
            try {
                lockTask(flush, "b");
                flush.commit();
            } catch (SQLException e) {
                deadlock = e;
                flush.rollback();
            }
            Throwable sealFailure = null;
            try {
                seal.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                sealFailure = e.getCause();
            }
            assertThat((Throwable) deadlock)
                    .as("the flush's lock of its second task")
                    .isNull();
            assertThat(sealFailure).as("the seal").isNull();
            assertThat(seal.get()).containsExactlyInAnyOrder("a", "b");
        }
    }

    private static void lockTask(Connection connection, String taskId) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT task_key, task_id, segment_count FROM tm_task"
                        + " WHERE task_id = '" + taskId + "' ORDER BY task_id FOR UPDATE")) {
            assertThat(rs.next()).isTrue();
        }
    }

    private static boolean sealWaitsOnALock(Connection observer) throws SQLException {
        try (Statement statement = observer.createStatement();
                ResultSet waiting = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE tm_task SET sealed%'"
                        + " AND datname = current_database()")) {
            return waiting.next() && waiting.getLong(1) > 0;
        }
    }
}
