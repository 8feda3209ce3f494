package dev.strata.server.http;

import dev.strata.testing.TestServices;

/** The API-breaking requests on PostgreSQL (own schema). */
class PostgresApiEdgeCaseHttpTest extends AbstractApiEdgeCaseHttpTest {
    private String schema;

    @Override
    protected String databaseUrl() {
        schema = TestServices.uniqueName("apibreak");
        return TestServices.postgresUrl(schema);
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
    }
}
