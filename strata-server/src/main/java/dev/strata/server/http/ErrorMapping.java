package dev.strata.server.http;

import dev.strata.model.BackendUnavailableException;
import dev.strata.model.CorruptContentException;
import dev.strata.model.InvalidInputException;
import dev.strata.model.MissingContentException;
import dev.strata.model.TaskNotFoundException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become HTTP responses: status by exception type, body
 * {@code {"error": "..."}}. Only 5xx are logged; a backend outage (503) as one WARN line, a bug (500) with its stack trace.
 */
final class ErrorMapping {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {}

    static void register(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> respond(ctx, e.status(), e.getMessage()));
        routes.exception(InvalidInputException.class, (e, ctx) -> respond(ctx, 400, e.getMessage()));
        routes.exception(TaskNotFoundException.class, (e, ctx) -> respond(ctx, 404, "task not found"));
        routes.exception(BackendUnavailableException.class, (e, ctx) -> {
            // An outage, not a bug: one line per request (the message names the tier, operation and
            // key); the stack trace only at DEBUG, so an outage does not flood the log.
            log.warn("backend unavailable for {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            log.debug("backend unavailable for {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 503, "service unavailable: a storage backend is not answering; retry later");
        });
        routes.exception(CorruptContentException.class, (e, ctx) -> {
            log.error("corrupt content for {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "stored content failed verification");
        });
        // Content that metadata references but the content tier lacks: to a client, as broken as
        // content that fails verification, so the same answer (the log says which it was).
        routes.exception(MissingContentException.class, (e, ctx) -> {
            log.error("missing content for {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "stored content failed verification");
        });
        routes.exception(
                HttpResponseException.class,
                (e, ctx) -> respond(
                        ctx,
                        e.getStatus(),
                        e.getStatus() == 404
                                ? "not found"
                                : e.getStatus() == 405 ? "method not allowed" : e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("unexpected failure for {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "internal error");
        });
    }

    static void respond(Context ctx, int status, String message) {
        Responses.json(ctx, status, Map.of("error", message));
    }
}
