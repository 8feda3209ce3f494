package dev.strata.client;

/** Every failure the client reports is a {@code StrataException} or one of its subtypes. */
public class StrataException extends RuntimeException {
    public StrataException(String message) {
        super(message);
    }

    public StrataException(String message, Throwable cause) {
        super(message, cause);
    }
}
