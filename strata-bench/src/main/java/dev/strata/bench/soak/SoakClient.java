package dev.strata.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The soak's HTTP calls to Strata, as a daemon (machine token) or a person (user token) makes them. Thread-safe. */
final class SoakClient implements AutoCloseable {
    /** A response; status 0 when the request got no answer at all (a timeout or a cut connection). */
    record Response(int status, String body, Optional<String> hasMore) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                return MAPPER.createObjectNode().put("unparsable", body);
            }
        }

        boolean retryable() {
            return status == 503 || status == 0;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;
    private final String userToken;
    private final String workspaceId;
    private final String machineToken;

    SoakClient(int port, String userToken, String workspaceId, String machineToken) {
        this.base = "http://127.0.0.1:" + port;
        this.userToken = userToken;
        this.workspaceId = workspaceId;
        this.machineToken = machineToken;
    }

    Response createTask() {
        return send(user("/api/tasks").POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"soak\"}")));
    }

    Response append(String taskId, byte[] body) {
        return send(machine("/api/daemon/tasks/" + taskId + "/messages")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    Response complete(String taskId) {
        return send(machine("/api/daemon/tasks/" + taskId + "/complete")
                .POST(HttpRequest.BodyPublishers.ofString("{\"output\":\"done\"}")));
    }

    Response delete(String taskId) {
        return send(user("/api/tasks/" + taskId).DELETE());
    }

    Response task(String taskId) {
        return send(user("/api/tasks/" + taskId).GET());
    }

    /** One page of every type of message after {@code since} (all when negative). */
    Response messages(String taskId, long since) {
        String query = "?exclude_types=&limit=1000" + (since >= 0 ? "&since=" + since : "");
        return send(user("/api/tasks/" + taskId + "/messages" + query).GET());
    }

    static byte[] json(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder user(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + userToken)
                .header("X-Workspace-ID", workspaceId);
    }

    private HttpRequest.Builder machine(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + machineToken);
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(), response.body(), response.headers().firstValue("X-Has-More"));
        } catch (IOException e) {
            return new Response(0, e.toString(), Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(0, "interrupted", Optional.empty());
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
