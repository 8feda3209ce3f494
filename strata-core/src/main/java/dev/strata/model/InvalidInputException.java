package dev.strata.model;

/** The caller sent something Strata refuses to store; nothing was changed. */
public final class InvalidInputException extends StrataException {
    public InvalidInputException(String message) {
        super(message);
    }
}
