package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.jdbc.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostgresMetadataTierTest extends AbstractMetadataTierContractTest {
    private String schema;

    @Override
    protected Database openDatabase() {
        schema = TestServices.uniqueName("metadata");
        return TestDatabases.postgres(schema);
    }

    /**
     * The claim's fence against a flush commit in flight: it waits for the transaction that
     * inserted the object's row, then yields to it if it committed and claims if it rolled back.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void claimOrphans_waitsForAFlushCommitInFlight(boolean flushCommits) throws Exception {
        try (Connection flush = DriverManager.getConnection(TestServices.postgresUrl(schema));
                Connection observer = DriverManager.getConnection(TestServices.postgresUrl(schema))) {
            flush.setAutoCommit(false);
            try (Statement statement = flush.createStatement()) {
                statement.execute("INSERT INTO tm_object (object_id, object_kind, live_frames, created_at)"
                        + " VALUES (21, 1, 1, 0)");
            }
            CompletableFuture<List<PendingDeletion>> claim = CompletableFuture.supplyAsync(
                    () -> metadata.catalog().claimOrphans(List.of(ContentKeys.shared(21L))));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnALock(observer));
            assertThat(claim).isNotDone();
            if (flushCommits) {
                flush.commit();
            } else {
                flush.rollback();
            }
            assertThat(claim.get(10, TimeUnit.SECONDS))
                    .extracting(PendingDeletion::objectKey)
                    .isEqualTo(flushCommits ? List.of() : List.of(ContentKeys.shared(21L)));
        }
    }

    private boolean waitingOnALock(Connection observer) throws SQLException {
        try (Statement statement = observer.createStatement();
                ResultSet waiting = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO tm_object%ON CONFLICT%'"
                        + " AND datname = current_database()")) {
            return waiting.next() && waiting.getLong(1) > 0;
        }
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
    }
}
