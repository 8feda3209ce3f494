package dev.strata.server.http;

import dev.strata.testing.TestServices;
import java.util.Map;

/** The inspector's endpoints on PostgreSQL (own schema), where the metadata size is the schema's tables. */
class PostgresWorkspaceStatsHttpTest extends AbstractWorkspaceStatsHttpTest {
    private String schema;

    @Override
    protected Map<String, String> database() {
        schema = TestServices.uniqueName("workspacestats");
        return Map.of("STRATA_DB_URL", TestServices.postgresUrl(schema));
    }

    @Override
    protected void cleanUp() {
        TestServices.dropSchema(schema);
    }
}
