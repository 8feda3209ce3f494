package dev.strata.tier.metadata.jdbc;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.CommitOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for a single-writer database (SQLite): writers queue their commits, and whichever
 * takes the lock first runs everything queued so far in one transaction, so concurrent appends
 * share one durable commit (one fsync) instead of paying one each. Each commit still sees the
 * effects of those before it in the same transaction, so first-write-wins is unchanged. If the
 * transaction fails, every commit in it fails, and nothing of any of them is committed.
 * Thread-safe.
 */
final class GroupCommit implements CommitStrategy {
    private record Pending(TaskCommit commit, CompletableFuture<CommitOutcome> result) {}

    private static final int MAX_GROUP = 256;

    private final Database database;
    private final CommitTransaction transaction;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock leader = new ReentrantLock(true);

    GroupCommit(Database database, CommitTransaction transaction) {
        this.database = requireNonNull(database, "database is null");
        this.transaction = requireNonNull(transaction, "transaction is null");
    }

    @Override
    public CommitOutcome commit(TaskCommit commit) {
        Pending mine = new Pending(commit, new CompletableFuture<>());
        queue.add(mine);
        while (!mine.result().isDone()) {
            leader.lock();
            try {
                if (!mine.result().isDone()) {
                    runGroup();
                }
            } finally {
                leader.unlock();
            }
        }
        try {
            return mine.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private void runGroup() {
        List<Pending> group = new ArrayList<>();
        for (Pending next = queue.poll(); next != null; next = group.size() < MAX_GROUP ? queue.poll() : null) {
            group.add(next);
        }
        if (group.isEmpty()) {
            return;
        }
        try {
            String operation =
                    "metadata commit for " + group.get(0).commit().task().taskId()
                            + (group.size() > 1 ? " and " + (group.size() - 1) + " more" : "");
            List<CommitOutcome> outcomes = database.write(operation, handle -> {
                List<CommitOutcome> results = new ArrayList<>(group.size());
                for (Pending pending : group) {
                    results.add(transaction.apply(handle, pending.commit()));
                }
                return results;
            });
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(outcomes.get(i));
            }
        } catch (RuntimeException e) {
            group.forEach(pending -> pending.result().completeExceptionally(e));
        }
    }
}
