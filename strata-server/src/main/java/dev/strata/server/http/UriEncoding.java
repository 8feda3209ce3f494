package dev.strata.server.http;

import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Refuses a request URI whose percent-encoding Javalin cannot decode. Jetty lets some through
 * (such as {@code %u0041}), and Javalin's decoding of path and query parameters would then fail
 * with an {@link IllegalArgumentException}: a 500 for what is bad input.
 */
final class UriEncoding {
    private UriEncoding() {}

    static void requireDecodable(Context ctx) {
        String path = ctx.req().getRequestURI();
        String query = ctx.req().getQueryString();
        try {
            URLDecoder.decode(path, StandardCharsets.UTF_8);
            if (query != null) {
                URLDecoder.decode(query, StandardCharsets.UTF_8);
            }
        } catch (IllegalArgumentException e) {
            throw new ApiException.BadRequest("invalid percent-encoding in the request URI");
        }
    }
}
