package dev.strata.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A server-sent events client for tests: reads events on a virtual thread and keeps them. */
final class SseClient implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One event as received. */
    record Event(String name, String id, String data) {
        JsonNode json() {
            try {
                return MAPPER.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long seq() {
            return json().get("seq").asLong();
        }
    }

    final int status;
    final String contentType;
    final String errorBody;
    private final InputStream body;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final List<String> retries = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();

    private SseClient(HttpResponse<InputStream> response) throws IOException {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("content-type").orElse("");
        this.body = response.body();
        if (status != 200) {
            this.errorBody = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            ended.set(true);
        } else {
            this.errorBody = null;
            Thread.ofVirtual().start(this::read);
        }
    }

    /** Opens {@code path} on the port with the given headers. */
    static SseClient open(int port, String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET();
        headers.forEach(request::header);
        try {
            return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String error() {
        try {
            return MAPPER.readTree(errorBody).path("error").asText(null);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + errorBody, e);
        }
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = null;
            String id = null;
            StringBuilder data = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(name == null ? "message" : name, id, data.toString()));
                    }
                    name = null;
                    id = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    comments.incrementAndGet();
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("retry: ")) {
                    retries.add(line.substring(7));
                } else if (line.startsWith("data: ")) {
                    data = data == null
                            ? new StringBuilder(line.substring(6))
                            : data.append('\n').append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // Closed by us or by the server.
        } finally {
            ended.set(true);
        }
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    List<Event> messages() {
        return events.stream().filter(e -> e.name().equals("message")).toList();
    }

    List<Long> seqs() {
        return messages().stream().map(Event::seq).toList();
    }

    int comments() {
        return comments.get();
    }

    List<String> retries() {
        return List.copyOf(retries);
    }

    /** @return true once the server closed the stream (or it was never opened) */
    boolean ended() {
        return ended.get();
    }

    String lastEventId() {
        List<Event> all = messages();
        return all.isEmpty() ? null : all.get(all.size() - 1).id();
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }
}
