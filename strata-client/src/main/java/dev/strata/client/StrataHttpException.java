package dev.strata.client;

/**
 * Strata answered with an error the client does not retry (a 4xx other than 408 and 429, or a
 * 500): retrying the same request would get the same answer. {@link #status()} is the HTTP status
 * and {@link #error()} the API's {@code "error"} text.
 */
public class StrataHttpException extends StrataException {
    private final int status;
    private final String error;

    public StrataHttpException(String request, int status, String error) {
        super(request + " answered " + status + ": " + error);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }
}
