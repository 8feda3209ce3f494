package dev.strata.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes JSON responses with the API's own mapper. */
final class Responses {
    private static final Logger log = LoggerFactory.getLogger(Responses.class);

    private Responses() {}

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

    /**
     * Streams a JSON body to the client as {@code body} writes it, so a large response is never
     * held in memory whole. Everything that can fail with an API error must have happened before:
     * once bytes are sent, the status can no longer change.
     */
    static void stream(Context ctx, int status, StreamedBody body) {
        ctx.status(status).contentType("application/json");
        try {
            OutputStream out = ctx.outputStream();
            body.writeTo(out);
            out.flush();
        } catch (IOException e) {
            // The client went away mid-response: nothing can be sent any more, and nothing failed here.
            log.debug("response to {} {} not completed: {}", ctx.method(), ctx.path(), e.toString());
        }
    }

    /** A response body written to a stream. */
    @FunctionalInterface
    interface StreamedBody {
        void writeTo(OutputStream out) throws IOException;
    }
}
