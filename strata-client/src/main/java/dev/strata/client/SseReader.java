package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads server-sent events from a response body as the HTML standard's parser does: lines end in
 * CR, LF or CRLF; {@code event}, {@code data} (joined by newlines), {@code id} and {@code retry}
 * fields; comments and unknown fields ignored; an event without data is not dispatched. Not
 * thread-safe.
 */
final class SseReader implements AutoCloseable {
    /** One dispatched event. {@code id} is the last id the stream set, as a browser would resend it. */
    record Event(String name, Optional<String> id, String data) {}

    private final InputStream body;
    private final BufferedReader lines;
    private String lastId;
    private OptionalLong retryMillis = OptionalLong.empty();
    private volatile long lastLineNanos = System.nanoTime();

    SseReader(InputStream body) {
        this.body = requireNonNull(body, "body is null");
        this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event; empty at the end of the stream. */
    Optional<Event> next() throws IOException {
        String name = "";
        StringBuilder data = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            lastLineNanos = System.nanoTime();
            if (line.isEmpty()) {
                if (data != null) {
                    return Optional.of(
                            new Event(name.isEmpty() ? "message" : name, Optional.ofNullable(lastId), data.toString()));
                }
                name = "";
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + (line.startsWith(" ", colon + 1) ? 2 : 1));
            switch (field) {
                case "event" -> name = value;
                case "data" ->
                    data = data == null
                            ? new StringBuilder(value)
                            : data.append('\n').append(value);
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        lastId = value;
                    }
                }
                case "retry" -> {
                    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        retryMillis = OptionalLong.of(Long.parseLong(value));
                    }
                }
                default -> {
                    // Unknown fields are ignored, as the standard says.
                }
            }
        }
        return Optional.empty();
    }

    /** Nanoseconds since the last line arrived (a keepalive comment included), or since the reader was made. */
    long idleNanos() {
        return System.nanoTime() - lastLineNanos;
    }

    /** The reconnection delay the server asked for, if it did. */
    OptionalLong retryMillis() {
        return retryMillis;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
