package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where background workers report a failed pass: one WARN line and one increment of
 * {@code strata_background_failures_total{job=...}}. Any {@link Throwable} is reported, Errors
 * such as {@link OutOfMemoryError} included, so that one failure never silently ends housekeeping.
 * Thread-safe.
 */
public final class BackgroundFailures {
    public static final String METER = "strata.background.failures";
    private static final Logger log = LoggerFactory.getLogger(BackgroundFailures.class);

    private final MeterRegistry registry;

    public BackgroundFailures(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** Failures that are logged and counted in a private registry nobody exports. */
    public static BackgroundFailures unexported() {
        return new BackgroundFailures(new SimpleMeterRegistry());
    }

    /** Makes the job's counter visible (at 0) before its first failure. */
    public void register(String job) {
        counter(job);
    }

    /**
     * Logs and counts one failed pass of {@code job}. Never throws (a second OutOfMemoryError while
     * logging is swallowed: the worker must survive to run its next pass).
     */
    public void record(String job, String what, Throwable failure) {
        try {
            counter(job).increment();
            log.warn("{} failed; the next pass retries: {}", what, failure.toString());
        } catch (Throwable ignored) {
            // Reporting must not kill the worker; the counter or the log line is lost, nothing else.
        }
    }

    /** @return how many failures of {@code job} were reported */
    public double count(String job) {
        return counter(job).count();
    }

    private Counter counter(String job) {
        return Counter.builder(METER)
                .tag("job", job)
                .description("Failed passes of a background worker (it keeps running)")
                .register(registry);
    }
}
