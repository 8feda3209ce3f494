package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the client retries a request that failed transiently (503, 408, 429, 502, 504, a timeout or
 * a connection error): exponential backoff from {@code initialDelay}, doubling up to
 * {@code maxDelay}, each delay jittered uniformly between its half and its whole so that many
 * clients do not retry in step, until {@code giveUpAfter} has passed since the first attempt.
 * Retrying is safe for every request the client sends: appends are idempotent per (task, seq),
 * reads change nothing, and repeating a task's end answers as the first did.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, Duration giveUpAfter) {
    public RetryPolicy {
        requireNonNull(initialDelay, "initialDelay is null");
        requireNonNull(maxDelay, "maxDelay is null");
        requireNonNull(giveUpAfter, "giveUpAfter is null");
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be positive: " + initialDelay);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is below initialDelay " + initialDelay);
        }
        if (giveUpAfter.isNegative()) {
            throw new IllegalArgumentException("giveUpAfter must not be negative: " + giveUpAfter);
        }
    }

    /** 100 ms doubling up to 5 s, for up to 10 minutes: rides out a restart or a storage outage. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(10));
    }

    /** The jittered delay before retry number {@code retry} (1 for the first retry). */
    Duration delayBefore(int retry) {
        long ceiling = initialDelay.toNanos();
        for (int i = 1; i < retry && ceiling < maxDelay.toNanos(); i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, maxDelay.toNanos());
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }
}
