package dev.strata.client;

import java.time.Duration;

/**
 * How an {@link Appender} batches and bounds its queue: a batch is sent once it holds
 * {@code batchMessages} messages or its oldest message has waited {@code flushInterval}, and holds
 * at most {@code batchBytes} of JSON (a larger single message goes alone). At most
 * {@code queueMessages} messages and {@code queueBytes} bytes of JSON wait unacknowledged; an
 * {@code append} that finds the queue full waits up to {@code appendTimeout}, then throws
 * {@link AppenderFullException}.
 */
public record AppenderSettings(
        Duration flushInterval,
        int batchMessages,
        long batchBytes,
        int queueMessages,
        long queueBytes,
        Duration appendTimeout) {
    public AppenderSettings {
        ClientSettings.positive("flushInterval", flushInterval);
        ClientSettings.positive("appendTimeout", appendTimeout);
        if (batchMessages < 1 || batchBytes < 1) {
            throw new IllegalArgumentException(
                    "batchMessages and batchBytes must be positive: " + batchMessages + ", " + batchBytes);
        }
        if (queueMessages < batchMessages || queueBytes < batchBytes) {
            throw new IllegalArgumentException("the queue (" + queueMessages + " messages, " + queueBytes
                    + " bytes) must hold at least one batch (" + batchMessages + ", " + batchBytes + ")");
        }
    }

    /** 100 ms or 20 messages (as the original daemon flushed), 4 MiB batches, 10,000 messages or 64 MiB queued, 30 s. */
    public static AppenderSettings defaults() {
        return new AppenderSettings(Duration.ofMillis(100), 20, 4L << 20, 10_000, 64L << 20, Duration.ofSeconds(30));
    }

    public AppenderSettings withFlushInterval(Duration interval) {
        return new AppenderSettings(interval, batchMessages, batchBytes, queueMessages, queueBytes, appendTimeout);
    }

    public AppenderSettings withBatchMessages(int messages) {
        return new AppenderSettings(flushInterval, messages, batchBytes, queueMessages, queueBytes, appendTimeout);
    }

    public AppenderSettings withQueue(int messages, long bytes) {
        return new AppenderSettings(flushInterval, batchMessages, batchBytes, messages, bytes, appendTimeout);
    }

    public AppenderSettings withAppendTimeout(Duration timeout) {
        return new AppenderSettings(flushInterval, batchMessages, batchBytes, queueMessages, queueBytes, timeout);
    }
}
