package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.CommitOutcome;

/** Each commit in a transaction of its own, for databases with concurrent writers. Thread-safe. */
final class DirectCommit implements CommitStrategy {
    private final Database database;
    private final CommitTransaction transaction;

    DirectCommit(Database database, CommitTransaction transaction) {
        this.database = requireNonNull(database, "database is null");
        this.transaction = requireNonNull(transaction, "transaction is null");
    }

    @Override
    public CommitOutcome commit(TaskCommit commit) {
        return database.write(
                "metadata commit for " + commit.task().taskId(), handle -> transaction.apply(handle, commit));
    }
}
