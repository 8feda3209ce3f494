package dev.strata.server.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Live tails (server-sent event streams).
 *
 * @param heartbeat an idle stream sends a comment this often, so proxies and clients see it alive
 * @param maxStreams open streams per instance; more are refused with 429
 * @param maxPerToken open streams per token (or per token that issued the stream ticket)
 * @param catchUp how often streams look for changes a lost notification would have announced
 */
public record StreamConfig(Duration heartbeat, int maxStreams, int maxPerToken, Duration catchUp) {
    public StreamConfig {
        requireNonNull(heartbeat, "heartbeat is null");
        requireNonNull(catchUp, "catchUp is null");
        if (heartbeat.isZero() || heartbeat.isNegative()) {
            throw new ConfigException("STRATA_STREAM_HEARTBEAT must be positive, got " + heartbeat);
        }
        if (catchUp.isZero() || catchUp.isNegative()) {
            throw new ConfigException("STRATA_STREAM_CATCH_UP must be positive, got " + catchUp);
        }
    }

    public static StreamConfig defaults() {
        return new StreamConfig(Duration.ofSeconds(15), 10_000, 100, Duration.ofSeconds(2));
    }
}
