package dev.strata.server.http;

/** The API-breaking requests on SQLite. */
class EmbeddedApiEdgeCaseHttpTest extends AbstractApiEdgeCaseHttpTest {
    @Override
    protected String databaseUrl() {
        return "jdbc:sqlite:" + directory.resolve("strata.db");
    }
}
