package dev.strata.client;

/**
 * Strata stayed unreachable or unavailable (503, 408, 429, 502, 504, timeouts, connection errors)
 * for longer than the {@link RetryPolicy} allows; the cause is the last failure.
 */
public final class StrataUnavailableException extends StrataException {
    public StrataUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
