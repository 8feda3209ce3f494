package dev.strata.server.migrate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Import workers that each hold their own connection to the legacy database. Thread-safe. */
final class ImportWorkers implements AutoCloseable {
    private final ExecutorService pool;
    private final List<LegacyDatabase> connections = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<LegacyDatabase> connection;

    ImportWorkers(String from, int concurrency) {
        this.pool = Executors.newFixedThreadPool(concurrency);
        this.connection = ThreadLocal.withInitial(() -> {
            LegacyDatabase db = new LegacyDatabase(from);
            connections.add(db);
            return db;
        });
    }

    Future<?> submit(Consumer<LegacyDatabase> work) {
        return pool.submit(() -> work.accept(connection.get()));
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(1, TimeUnit.HOURS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(LegacyDatabase::close);
    }
}
