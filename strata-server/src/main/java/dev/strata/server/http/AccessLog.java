package dev.strata.server.http;

import dev.strata.server.auth.Principal;
import io.javalin.http.Context;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import org.eclipse.jetty.ee10.servlet.ServletApiResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One log line per request on logger {@code dev.strata.access}: method, route template (never the
 * path with its ids or query), status, duration, response bytes, who asked (see {@link #who}) and
 * the request id, as the message and as key-value pairs (which the JSON log format emits as
 * fields). The request id is also put in the MDC while the request is served, so every line logged
 * meanwhile carries it, and echoed in {@code X-Request-ID}. Never logs a header, token or body.
 * Stateless and thread-safe.
 */
final class AccessLog {
    /** The MDC key (and JSON field) of the request id. */
    static final String MDC_KEY = "request_id";

    private static final Logger log = LoggerFactory.getLogger("dev.strata.access");
    private static final String PRINCIPAL = "strata.principal";
    private static final String REQUEST_ID = "strata.requestId";

    private AccessLog() {}

    /**
     * First thing for every request: picks its id, echoes it and puts it in the MDC. Handlers run
     * on the request's own virtual thread, so the MDC entry stays with this request; {@link #finish}
     * removes it.
     */
    static void start(Context ctx) {
        String requestId = RequestIds.choose(ctx.header(RequestIds.HEADER));
        ctx.attribute(REQUEST_ID, requestId);
        ctx.header(RequestIds.HEADER, requestId);
        MDC.put(MDC_KEY, requestId);
    }

    /** Notes who a request acts as, once its token is checked: what the access line names. */
    static void authenticated(Context ctx, Principal principal) {
        ctx.attribute(PRINCIPAL, principal);
    }

    /** Writes the request's line and clears its MDC entry; called once the response is done. */
    static void finish(Context ctx, String route, float millis) {
        try {
            String method = ctx.method().name();
            int status = ctx.statusCode();
            long bytes = bytesWritten(ctx.res());
            String who = who(ctx.attribute(PRINCIPAL));
            String requestId = ctx.attribute(REQUEST_ID);
            String duration = tenths(millis);
            log.atInfo()
                    .addKeyValue("method", method)
                    .addKeyValue("route", route)
                    .addKeyValue("status", status)
                    .addKeyValue("duration_ms", duration)
                    .addKeyValue("bytes", bytes)
                    .addKeyValue("token_id", who)
                    .addKeyValue(MDC_KEY, requestId)
                    .log(
                            "{} {} {} {}ms {}B token_id={} request_id={}",
                            method,
                            route,
                            status,
                            duration,
                            bytes,
                            who,
                            requestId);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    /**
     * Milliseconds with one decimal, as {@code "%.1f"} writes them for a duration; without
     * {@code String.format}, whose parsing of the pattern on every request showed in profiles.
     */
    static String tenths(float millis) {
        long tenths = Math.round(millis * 10.0);
        return (tenths / 10) + "." + (tenths % 10);
    }

    /** How the access line names who asked: the token's id, never the token; {@code -} when none was checked. */
    static String who(Principal principal) {
        return principal == null ? "-" : principal.tokenId();
    }

    /**
     * Response body bytes the handlers wrote, as Jetty's servlet output counted them (sent or still
     * buffered); -1 if the response is not Jetty's.
     */
    private static long bytesWritten(ServletResponse response) {
        ServletResponse unwrapped = response;
        while (unwrapped instanceof ServletResponseWrapper wrapper) {
            unwrapped = wrapper.getResponse();
        }
        if (unwrapped instanceof ServletApiResponse jetty) {
            return jetty.getServletChannel().getHttpOutput().getWritten();
        }
        return -1;
    }
}
