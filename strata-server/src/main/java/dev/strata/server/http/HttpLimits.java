package dev.strata.server.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Bounds on what clients may make the server hold.
 *
 * @param maxBodyBytes largest request body; larger ones get 413
 * @param maxInflightBodyBytes memory all request bodies being received or handled may hold at once
 * @param bodyTimeout time a request has to deliver its whole body; slower ones get 408
 */
public record HttpLimits(long maxBodyBytes, long maxInflightBodyBytes, Duration bodyTimeout) {
    public HttpLimits {
        requireNonNull(bodyTimeout, "bodyTimeout is null");
        if (maxBodyBytes < 1 || maxInflightBodyBytes < 1) {
            throw new IllegalArgumentException(
                    "body limits must be positive, got " + maxBodyBytes + " and " + maxInflightBodyBytes);
        }
        if (bodyTimeout.isNegative() || bodyTimeout.isZero()) {
            throw new IllegalArgumentException("bodyTimeout must be positive, got " + bodyTimeout);
        }
    }
}
