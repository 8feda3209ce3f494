package dev.strata.lifecycle;

import java.time.Duration;

/**
 * Decides which of several Strata instances on one metadata database runs the next pass of a
 * periodic job, so that compaction sweeps, deletion purging, orphan collection and retention are
 * not all repeated by every instance. A pass that runs twice anyway (a lease that ran out while
 * its holder was still busy) is harmless: every such pass is idempotent; the lease only saves the
 * work. Implementations are thread-safe.
 */
public interface JobLease {
    /**
     * Holds {@code job}'s lease for {@code duration} from now if it is free, expired, or already
     * held by this instance (then it is renewed).
     *
     * @return true when this instance holds the lease now and should run the pass
     * @throws dev.strata.model.BackendUnavailableException when the lease cannot be read or written;
     *     the caller skips the pass
     */
    boolean tryHold(String job, Duration duration);

    /**
     * Gives up {@code job}'s lease if this instance holds it, so another instance takes over at its
     * next pass instead of when the lease runs out. Does nothing when the lease is held by another
     * instance or by none.
     */
    void release(String job);

    /** For a single instance (or work that must run everywhere): every pass runs. */
    static JobLease unshared() {
        return Unshared.INSTANCE;
    }

    /** The lease of {@link #unshared()}: always held, nothing to release. */
    enum Unshared implements JobLease {
        INSTANCE;

        @Override
        public boolean tryHold(String job, Duration duration) {
            return true;
        }

        @Override
        public void release(String job) {}
    }
}
