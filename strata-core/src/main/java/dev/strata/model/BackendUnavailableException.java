package dev.strata.model;

/**
 * A tier could not be reached or refused the operation. The operation had no visible effect
 * and may be retried as a whole once the backend is back.
 */
public final class BackendUnavailableException extends StrataException {
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
