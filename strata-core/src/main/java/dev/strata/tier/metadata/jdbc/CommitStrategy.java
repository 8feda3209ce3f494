package dev.strata.tier.metadata.jdbc;

import dev.strata.tier.metadata.CommitOutcome;

/**
 * How segment commits reach the database, chosen once per dialect: SQLite has one writer at a
 * time, so concurrent commits share one transaction ({@link GroupCommit}); PostgreSQL commits in
 * parallel, each in its own ({@link DirectCommit}). Thread-safe.
 */
sealed interface CommitStrategy permits DirectCommit, GroupCommit {

    /** Runs the commit, in a transaction of its own or shared with concurrent ones. */
    CommitOutcome commit(TaskCommit commit);

    static CommitStrategy forDialect(Database database, CommitTransaction transaction) {
        return switch (database.dialect()) {
            case SQLITE -> new GroupCommit(database, transaction);
            case POSTGRESQL -> new DirectCommit(database, transaction);
        };
    }
}
