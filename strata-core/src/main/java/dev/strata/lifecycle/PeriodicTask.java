package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one piece of housekeeping every {@code interval} on its own daemon thread. A failed run is
 * logged once as a warning and simply tried again next time: every task run this way is
 * idempotent and safe to run in several instances at once.
 */
public final class PeriodicTask implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

    private final ScheduledExecutorService timer;

    public PeriodicTask(String name, Duration interval, Runnable work) {
        requireNonNull(work, "work is null");
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("strata-" + name).daemon().factory());
        timer.scheduleWithFixedDelay(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                log.warn("{} failed; retrying in {}: {}", name, interval, e.toString());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
