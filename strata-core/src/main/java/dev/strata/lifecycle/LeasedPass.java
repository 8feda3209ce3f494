package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One pass of a periodic job that runs only on the instance holding the job's {@link JobLease}.
 * The lease is taken (or renewed) at the start of each pass for two intervals: the holder renews
 * it one interval later, well before it runs out, so it keeps it while it lives; when it stops, the
 * lease is released (or, after a crash, runs out) and another instance takes the next pass.
 * Thread-safe if the lease and the pass are.
 */
public final class LeasedPass implements Runnable {
    private final String job;
    private final Duration leaseDuration;
    private final JobLease lease;
    private final Runnable pass;

    public LeasedPass(String job, Duration interval, JobLease lease, Runnable pass) {
        this.job = requireNonNull(job, "job is null");
        this.leaseDuration = leaseDuration(requireNonNull(interval, "interval is null"));
        this.lease = requireNonNull(lease, "lease is null");
        this.pass = requireNonNull(pass, "pass is null");
    }

    /** How long a pass's lease lasts for a job run every {@code interval}: two intervals. */
    public static Duration leaseDuration(Duration interval) {
        return interval.multipliedBy(2);
    }

    /**
     * Runs the pass if this instance holds the lease; a failure to reach the lease is thrown, so
     * the caller reports it like a failed pass.
     */
    @Override
    public void run() {
        if (lease.tryHold(job, leaseDuration)) {
            pass.run();
        }
    }

    /** Gives the lease up (when this instance stops); never throws, the lease then simply runs out. */
    public void release() {
        try {
            lease.release(job);
        } catch (RuntimeException e) {
            // Best effort: an unreachable database means the lease expires by itself.
        }
    }
}
