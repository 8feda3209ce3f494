package dev.strata.model;

/**
 * Root of Strata's unchecked exceptions. Each subtype maps to one HTTP status in the server's
 * error mapper, so callers can tell bad input from a missing item from a backend outage.
 */
public abstract sealed class StrataException extends RuntimeException
        permits InvalidInputException,
                TaskNotFoundException,
                BackendUnavailableException,
                CorruptContentException,
                MissingContentException {
    protected StrataException(String message) {
        super(message);
    }

    protected StrataException(String message, Throwable cause) {
        super(message, cause);
    }
}
