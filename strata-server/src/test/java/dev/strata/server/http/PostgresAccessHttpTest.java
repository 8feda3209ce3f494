package dev.strata.server.http;

import dev.strata.testing.TestServices;

/** Roles, tokens and idempotent creation on PostgreSQL (own schema), where concurrent creations really race. */
class PostgresAccessHttpTest extends AbstractAccessHttpTest {
    private String schema;

    @Override
    protected String databaseUrl() {
        schema = TestServices.uniqueName("access");
        return TestServices.postgresUrl(schema);
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
    }
}
