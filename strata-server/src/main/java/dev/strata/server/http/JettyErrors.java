package dev.strata.server.http;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error responses (a malformed request line or URI, a URI or header too large, an
 * idle timeout) in the API's format, {@code {"error": "..."}}, instead of Jetty's HTML page. These
 * errors never reach a route, so {@link ErrorMapping} cannot answer them. Stateless and
 * thread-safe.
 */
final class JettyErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String message = (String) request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        if (request.getAttribute(ErrorHandler.ERROR_EXCEPTION) instanceof HttpException httpException) {
            status = httpException.getCode();
            message = message != null ? message : httpException.getReason();
        }
        if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            // A made-up protocol version is the client's mistake: bad input is a 4xx, 5xx is kept for our own failures.
            status = HttpStatus.BAD_REQUEST_400;
        } else if (status < 400) {
            status = HttpStatus.INTERNAL_SERVER_ERROR_500;
        }
        response.setStatus(status);
        response.getHeaders().put(ErrorHandler.ERROR_CACHE_CONTROL);
        // Jetty drops the connection after such an error; saying so keeps a client from reusing it.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        if (HttpStatus.hasNoBody(status) || "HEAD".equals(request.getMethod())) {
            callback.succeeded();
            return true;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(Map.of("error", describe(status, message)));
        } catch (java.io.IOException e) {
            body = "{\"error\":\"error\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** Jetty's reason, lower-cased like the API's own messages; never the request's own bytes. */
    static String describe(int status, String reason) {
        String standard = HttpStatus.getMessage(status);
        String text = reason == null || reason.isBlank() ? standard : reason;
        // Jetty reasons may quote parts of the request; keep them short and printable.
        text = text.replaceAll("\\p{Cntrl}", "?");
        if (text.length() > 200) {
            text = text.substring(0, 200);
        }
        return text.toLowerCase(java.util.Locale.ROOT);
    }
}
