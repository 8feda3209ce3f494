package dev.strata.server.lifecycle;

/** Two instances on one SQLite file. */
class SqliteTwoInstancesHousekeepingTest extends AbstractTwoInstancesHousekeepingTest {
    @Override
    String databaseUrl() {
        return "jdbc:sqlite:" + directory.resolve("strata.db");
    }
}
