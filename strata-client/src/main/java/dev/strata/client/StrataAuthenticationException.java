package dev.strata.client;

/**
 * Strata refused the client's token (401: unknown, revoked or missing) or the token's kind (403:
 * a machine token on a user endpoint or the reverse). Never retried: fix the token.
 */
public final class StrataAuthenticationException extends StrataHttpException {
    public StrataAuthenticationException(String request, int status, String error) {
        super(request, status, error + (status == 401 ? " (check the client's token)" : " (check the token's kind)"));
    }
}
