package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.store.TaskMessageStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes deletions the request path could not: every {@code interval} it removes queued content
 * objects, so objects of deleted tasks go even if the content tier was down at delete time or the
 * process restarted. Safe to run in every instance at once.
 */
public final class DeletionWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeletionWorker.class);
    private static final int BATCH = 500;

    private final TaskMessageStore store;
    private final ScheduledExecutorService scheduler;

    public DeletionWorker(TaskMessageStore store, Duration interval) {
        this.store = requireNonNull(store, "store is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("strata-deletion").daemon().factory());
        scheduler.scheduleWithFixedDelay(this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Removes queued objects until the queue is empty or the content tier refuses. */
    public void runOnce() {
        try {
            int removed;
            do {
                removed = store.purgePendingDeletions(BATCH);
            } while (removed == BATCH);
        } catch (RuntimeException e) {
            log.warn("deletion worker pass failed; next pass retries: {}", e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
