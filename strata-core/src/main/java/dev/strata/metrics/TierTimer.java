package dev.strata.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/** Times one tier's operations as {@code strata_tier_operation_seconds{tier,operation,outcome}}. */
final class TierTimer {
    private final MeterRegistry registry;
    private final String tier;

    TierTimer(MeterRegistry registry, String tier) {
        this.registry = registry;
        this.tier = tier;
    }

    <T> T time(String operation, Supplier<T> work) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = work.get();
            outcome = "ok";
            return result;
        } finally {
            Timer.builder("strata.tier.operation")
                    .description("Operations on a storage tier")
                    .tags("tier", tier, "operation", operation, "outcome", outcome)
                    .register(registry)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    void run(String operation, Runnable work) {
        time(operation, () -> {
            work.run();
            return null;
        });
    }
}
