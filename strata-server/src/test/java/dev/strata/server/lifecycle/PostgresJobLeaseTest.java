package dev.strata.server.lifecycle;

import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.metadata.jdbc.Database;
import org.junit.jupiter.api.AfterEach;

/** Job leases on one PostgreSQL schema shared by two pools. */
class PostgresJobLeaseTest extends AbstractJobLeaseTest {
    private final String schema = TestServices.uniqueName("lease");

    @Override
    Database openDatabase() {
        return TestDatabases.postgres(schema);
    }

    @AfterEach
    void dropSchema() {
        TestServices.dropSchema(schema);
    }
}
