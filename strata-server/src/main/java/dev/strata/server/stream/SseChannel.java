package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes server-sent events to one response and flushes each, so the client sees it at once. A
 * write blocks only the stream's own (virtual) thread. Not thread-safe: one stream, one thread.
 */
public final class SseChannel {
    private final OutputStream out;
    private long lastWriteNanos = System.nanoTime();

    public SseChannel(OutputStream out) {
        this.out = requireNonNull(out, "out is null");
    }

    /** Tells the client how long to wait before reconnecting. */
    public void retry(long millis) throws IOException {
        write("retry: " + millis + "\n\n");
    }

    /** Sends an event; {@code id} may be null. Lines of {@code data} become one data field each. */
    public void event(String name, String id, String data) throws IOException {
        StringBuilder event = new StringBuilder(data.length() + 64);
        event.append("event: ").append(name).append('\n');
        if (id != null) {
            event.append("id: ").append(id).append('\n');
        }
        for (String line : data.split("\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        write(event.append('\n').toString());
    }

    /** A comment line, which clients ignore: keeps idle connections alive. */
    public void comment(String text) throws IOException {
        write(": " + text + "\n\n");
    }

    /** @return nanoseconds since the last write */
    public long idleNanos() {
        return System.nanoTime() - lastWriteNanos;
    }

    private void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        lastWriteNanos = System.nanoTime();
    }
}
