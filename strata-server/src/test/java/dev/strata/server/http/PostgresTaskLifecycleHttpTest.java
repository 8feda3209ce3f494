package dev.strata.server.http;

import dev.strata.testing.TestServices;

/** Task ends and conversation deletes on PostgreSQL (own schema), where row locks order them. */
class PostgresTaskLifecycleHttpTest extends AbstractTaskLifecycleHttpTest {
    private String schema;

    @Override
    protected String databaseUrl() {
        schema = TestServices.uniqueName("tasklifecycle");
        return TestServices.postgresUrl(schema);
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
    }
}
