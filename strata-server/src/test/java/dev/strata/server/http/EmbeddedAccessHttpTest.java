package dev.strata.server.http;

/** Roles, tokens and idempotent creation on SQLite. */
class EmbeddedAccessHttpTest extends AbstractAccessHttpTest {
    @Override
    protected String databaseUrl() {
        return "jdbc:sqlite:" + directory.resolve("strata.db");
    }
}
