package dev.strata.client;

/**
 * An {@link Appender}'s queue stayed full for longer than its append timeout: Strata takes
 * messages more slowly than the application hands them over. The message was not queued.
 */
public final class AppenderFullException extends StrataException {
    public AppenderFullException(String message) {
        super(message);
    }
}
