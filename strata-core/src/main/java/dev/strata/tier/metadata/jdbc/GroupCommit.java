package dev.strata.tier.metadata.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;

/**
 * Group commit for a single-writer database (SQLite): writers queue their work, and whichever
 * takes the lock first runs everything queued so far in one transaction, so concurrent appends
 * share one durable commit (one fsync) instead of paying one each. Each piece of work still sees
 * the effects of those before it in the same transaction, so first-write-wins is unchanged. If
 * the transaction fails, every piece in it fails, and nothing of any of them is committed.
 * Thread-safe.
 */
final class GroupCommit<I, O> {
    /** Work done for one caller inside the shared transaction. */
    @FunctionalInterface
    interface Work<I, O> {
        O apply(Handle handle, I input);
    }

    private record Pending<I, O>(I input, CompletableFuture<O> result) {}

    private static final int MAX_GROUP = 256;

    private final Database database;
    private final Work<I, O> work;
    private final ConcurrentLinkedQueue<Pending<I, O>> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock leader = new ReentrantLock(true);

    GroupCommit(Database database, Work<I, O> work) {
        this.database = database;
        this.work = work;
    }

    O submit(I input) {
        Pending<I, O> mine = new Pending<>(input, new CompletableFuture<>());
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
        List<Pending<I, O>> group = new ArrayList<>();
        for (Pending<I, O> next = queue.poll(); next != null; next = group.size() < MAX_GROUP ? queue.poll() : null) {
            group.add(next);
        }
        if (group.isEmpty()) {
            return;
        }
        try {
            List<O> outcomes = database.write(() -> database.jdbi().inTransaction(handle -> {
                List<O> results = new ArrayList<>(group.size());
                for (Pending<I, O> pending : group) {
                    results.add(work.apply(handle, pending.input()));
                }
                return results;
            }));
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(outcomes.get(i));
            }
        } catch (RuntimeException e) {
            group.forEach(pending -> pending.result().completeExceptionally(e));
        }
    }
}
