package dev.strata.server.http;

/**
 * A request the API refuses, with the status it maps to (see {@link ErrorMapping}). The message
 * is sent to the client as {@code {"error": message}}.
 */
public abstract sealed class ApiException extends RuntimeException
        permits ApiException.BadRequest,
                ApiException.Unauthorized,
                ApiException.Forbidden,
                ApiException.NotFound,
                ApiException.Conflict,
                ApiException.RequestTimeout,
                ApiException.PayloadTooLarge,
                ApiException.ServiceUnavailable {

    private ApiException(String message) {
        super(message, null, false, false);
    }

    public abstract int status();

    /** 400: the request is malformed or a value is invalid. */
    public static final class BadRequest extends ApiException {
        public BadRequest(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 400;
        }
    }

    /** 401: no credentials, or credentials that are unknown or revoked. */
    public static final class Unauthorized extends ApiException {
        public Unauthorized(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 401;
        }
    }

    /** 403: valid credentials of the wrong kind. */
    public static final class Forbidden extends ApiException {
        public Forbidden(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 403;
        }
    }

    /** 404: absent, or not visible to this caller (never revealing which). */
    public static final class NotFound extends ApiException {
        public NotFound(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 404;
        }
    }

    /** 409: the request contradicts what exists (an id taken by something else). */
    public static final class Conflict extends ApiException {
        public Conflict(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 409;
        }
    }

    /** 408: the request body did not arrive in time. */
    public static final class RequestTimeout extends ApiException {
        public RequestTimeout(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 408;
        }
    }

    /** 413: the body exceeds the configured limit. */
    public static final class PayloadTooLarge extends ApiException {
        public PayloadTooLarge(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 413;
        }
    }

    /** 503: the server is busy (not a backend failure); the same request may be retried as is. */
    public static final class ServiceUnavailable extends ApiException {
        public ServiceUnavailable(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 503;
        }
    }
}
