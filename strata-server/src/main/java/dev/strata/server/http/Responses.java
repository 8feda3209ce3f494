package dev.strata.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import java.io.UncheckedIOException;

/** Writes JSON responses with the API's own mapper. */
final class Responses {
    private Responses() {
    }

    static void json(Context ctx, int status, Object body) {
        try {
            raw(ctx, status, Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void raw(Context ctx, int status, byte[] json) {
        ctx.status(status).contentType("application/json").result(json);
    }
}
