package dev.strata.server.lifecycle;

import dev.strata.testing.TestServices;

/** Two instances on one PostgreSQL schema. */
class PostgresTwoInstancesHousekeepingTest extends AbstractTwoInstancesHousekeepingTest {
    private final String schema = TestServices.uniqueName("leases");

    @Override
    String databaseUrl() {
        return TestServices.postgresUrl(schema);
    }

    @Override
    void dropDatabase() {
        TestServices.dropSchema(schema);
    }
}
