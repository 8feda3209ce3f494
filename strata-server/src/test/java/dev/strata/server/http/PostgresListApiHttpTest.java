package dev.strata.server.http;

import dev.strata.testing.TestServices;

/** The list APIs on PostgreSQL (own schema). */
class PostgresListApiHttpTest extends AbstractListApiHttpTest {
    private String schema;

    @Override
    protected String databaseUrl() {
        schema = TestServices.uniqueName("listapi");
        return TestServices.postgresUrl(schema);
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
    }
}
