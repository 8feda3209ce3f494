package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one piece of housekeeping every {@code interval} on its own daemon thread. A failed run,
 * whatever it threw (an {@link Error} too: an uncaught throwable would cancel the schedule for
 * good), is reported to {@link BackgroundFailures} and simply tried again next time: every task
 * run this way is idempotent and safe to run in several instances at once. Given a {@link JobLease},
 * a pass runs only on the instance holding the job's lease (see {@link LeasedPass}), and closing
 * gives the lease up.
 */
public final class PeriodicTask implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final LeasedPass pass;

    public PeriodicTask(String name, Duration interval, Runnable work) {
        this(name, interval, work, BackgroundFailures.unexported());
    }

    public PeriodicTask(String name, Duration interval, Runnable work, BackgroundFailures failures) {
        this(name, interval, work, failures, JobLease.unshared());
    }

    /** @param lease which instance runs each pass; the job's name is the lease's name */
    public PeriodicTask(String name, Duration interval, Runnable work, BackgroundFailures failures, JobLease lease) {
        requireNonNull(work, "work is null");
        requireNonNull(failures, "failures is null");
        failures.register(name);
        LeasedPass leased = new LeasedPass(name, interval, lease, work);
        this.pass = leased;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("strata-" + name).daemon().factory());
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        leased.run();
                    } catch (Throwable e) {
                        failures.record(name, name, e);
                    }
                },
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        pass.release();
    }
}
