package dev.strata.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A small HTTP client for the API, as a daemon or a browser would call it. */
final class ApiClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    ApiClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** A response, with the body parsed as JSON when it is JSON. */
    record Response(int status, Map<String, String> headers, String text) {
        JsonNode json() {
            try {
                return MAPPER.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text, e);
            }
        }

        String error() {
            return json().path("error").asText(null);
        }

        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
        }
    }

    Request get(String path) {
        return new Request("GET", path, null);
    }

    Request post(String path, String body) {
        return new Request("POST", path, body);
    }

    Request put(String path, String body) {
        return new Request("PUT", path, body);
    }

    Request delete(String path) {
        return new Request("DELETE", path, null);
    }

    final class Request {
        private final String method;
        private final String path;
        private final String body;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private boolean expectContinue;

        private Request(String method, String path, String body) {
            this.method = method;
            this.path = path;
            this.body = body;
        }

        Request token(String token) {
            headers.put("Authorization", "Bearer " + token);
            return this;
        }

        Request workspace(String workspaceId) {
            headers.put("X-Workspace-ID", workspaceId);
            return this;
        }

        Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /**
         * Sends the headers first and the body only after {@code 100 Continue}, as clients of
         * large uploads do: a server refusing the body by its length answers without reading it,
         * and the answer cannot be lost to a connection reset while the body is still sent.
         */
        Request expectContinue() {
            expectContinue = true;
            return this;
        }

        Response send() {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .expectContinue(expectContinue);
            headers.forEach(builder::header);
            try {
                HttpResponse<String> response =
                        http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                Map<String, String> responseHeaders = new LinkedHashMap<>();
                response.headers()
                        .map()
                        .forEach((name, values) ->
                                responseHeaders.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0)));
                return new Response(response.statusCode(), responseHeaders, response.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
