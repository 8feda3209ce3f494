package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Sends the API's requests with the client's credentials: retries transient failures as its
 * {@link RetryPolicy} says, and turns every other error answer into an exception at once.
 * Thread-safe.
 */
final class ApiTransport implements AutoCloseable {
    /** A successful answer. */
    record Answer(int status, Optional<String> hasMoreHeader, String body) {}

    /** A failure worth retrying: the server may answer differently next time. */
    static final class TransientFailure extends Exception {
        TransientFailure(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private final ClientSettings settings;
    private final HttpClient http;
    private volatile boolean closed;

    ApiTransport(ClientSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .build();
    }

    RetryPolicy retry() {
        return settings.retry();
    }

    Duration streamIdleTimeout() {
        return settings.streamIdleTimeout();
    }

    /** Sends the request until it succeeds, fails for good, or the retry policy gives up. */
    Answer send(String method, String path, Optional<String> jsonBody) {
        String request = method + " " + path;
        long start = System.nanoTime();
        for (int retry = 1; ; retry++) {
            try {
                return sendOnce(request, method, path, jsonBody);
            } catch (TransientFailure failure) {
                Duration delay = settings.retry().delayBefore(retry);
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                if (elapsed.plus(delay).compareTo(settings.retry().giveUpAfter()) > 0) {
                    throw new StrataUnavailableException(
                            request + " failed " + retry + " times in " + elapsed.toMillis() + " ms, last: "
                                    + failure.getMessage(),
                            failure.getCause() == null ? failure : failure.getCause());
                }
                pause(delay);
            }
        }
    }

    /** Opens a server-sent event stream once: a 200 with its body, a transient failure, or an exception. */
    HttpResponse<InputStream> openStream(String path, Optional<String> lastEventId) throws TransientFailure {
        HttpRequest.Builder builder =
                request(path).header("Accept", "text/event-stream").GET();
        lastEventId.ifPresent(id -> builder.header("Last-Event-ID", id));
        String request = "GET " + path;
        HttpResponse<InputStream> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw transientUnlessClosed(request, e);
        } catch (InterruptedException e) {
            throw interrupted(request, e);
        }
        if (response.statusCode() == 200) {
            return response;
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TransientFailure(request + ": " + e, e);
        }
        throw failure(request, response.statusCode(), body);
    }

    private Answer sendOnce(String request, String method, String path, Optional<String> jsonBody)
            throws TransientFailure {
        HttpRequest.Builder builder = request(path)
                .timeout(settings.requestTimeout())
                .method(
                        method,
                        jsonBody.map(body -> HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                                .orElse(HttpRequest.BodyPublishers.noBody()));
        jsonBody.ifPresent(body -> builder.header("Content-Type", "application/json"));
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Connection refused or reset, a timeout, a truncated answer: the request may or may
            // not have been applied, and repeating it is safe either way.
            throw transientUnlessClosed(request, e);
        } catch (InterruptedException e) {
            throw interrupted(request, e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Answer(status, response.headers().firstValue("X-Has-More"), response.body());
        }
        throw failure(request, status, response.body());
    }

    private TransientFailure transientUnlessClosed(String request, IOException e) {
        if (closed) {
            throw new StrataException(request + " failed: the client is closed", e);
        }
        return new TransientFailure(request + ": " + e, e);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(java.net.URI.create(settings.prefix() + path))
                .header("Authorization", "Bearer " + settings.token())
                .header("User-Agent", "strata-client");
        settings.workspace().ifPresent(workspace -> builder.header("X-Workspace-ID", workspace));
        return builder;
    }

    /** A transient failure to retry, or the exception for an answer that will not change. */
    private static StrataException failure(String request, int status, String body) throws TransientFailure {
        String error = errorText(body);
        if (status == 408 || status == 429 || status == 502 || status == 503 || status == 504) {
            throw new TransientFailure(request + " answered " + status + ": " + error, null);
        }
        if (status == 401 || status == 403) {
            return new StrataAuthenticationException(request, status, error);
        }
        return new StrataHttpException(request, status, error);
    }

    /** The API's {"error": "..."}, else the start of whatever the body is (a proxy's page, say). */
    private static String errorText(String body) {
        try {
            if (JsonReader.parse(body) instanceof JsonObject object
                    && object.string("error").isPresent()) {
                return object.string("error").get();
            }
        } catch (StrataException e) {
            // Not the API's JSON: fall through to the raw text.
        }
        String trimmed = body.strip();
        return trimmed.length() <= 200 ? trimmed : trimmed.substring(0, 200) + "...";
    }

    static StrataException interrupted(String request, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new StrataException(request + " was interrupted", e);
    }

    static void pause(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            throw interrupted("waiting to retry", e);
        }
    }

    /** Aborts the requests under way (they throw, and are not retried) and releases the connections. */
    @Override
    public void close() {
        closed = true;
        http.shutdownNow();
    }
}
