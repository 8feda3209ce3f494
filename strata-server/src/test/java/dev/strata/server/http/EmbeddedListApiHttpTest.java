package dev.strata.server.http;

/** The list APIs on SQLite. */
class EmbeddedListApiHttpTest extends AbstractListApiHttpTest {
    @Override
    protected String databaseUrl() {
        return "jdbc:sqlite:" + directory.resolve("strata.db");
    }
}
