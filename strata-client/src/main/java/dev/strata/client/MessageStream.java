package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A task's live tail: its stored messages, then each new one as it is committed, until the task
 * ends. When the connection drops (a server restart, a network failure) it reconnects by itself
 * with {@code Last-Event-ID}, after the delay the server asked for and with backoff while
 * reconnecting fails, so no message is missed or repeated. A connection that receives nothing for
 * the stream idle timeout (not even the server's keepalive) counts as dropped. {@link #hasNext()} blocks until the
 * next message or the end. Gives up with {@link StrataUnavailableException} as the
 * {@link RetryPolicy} says, or at once on an answer that will not change (a wrong token, an unknown
 * task). Iterate from one thread; {@link #close()} may be called from any.
 */
public final class MessageStream implements Iterator<TaskMessage>, AutoCloseable {
    private static final Duration DEFAULT_RECONNECT = Duration.ofSeconds(2);

    private final ApiTransport transport;
    private final String path;
    private Optional<String> lastEventId = Optional.empty();
    private Duration reconnectDelay = DEFAULT_RECONNECT;
    private boolean connectedBefore;
    private volatile SseReader reader;
    private volatile boolean closed;
    private TaskMessage next;
    private Optional<String> endStatus = Optional.empty();

    MessageStream(ApiTransport transport, String taskId, MessageQuery query) {
        this.transport = requireNonNull(transport, "transport is null");
        this.path = TaskEndpoints.userPath(taskId) + "/messages/stream" + query.queryString(false);
    }

    /** Waits for the next message; false once the task ended (see {@link #endStatus()}) or the stream was closed. */
    @Override
    public boolean hasNext() {
        while (next == null && endStatus.isEmpty() && !closed) {
            SseReader current = reader == null ? connect() : reader;
            if (current == null) {
                break;
            }
            try {
                Optional<SseReader.Event> event = current.next();
                current.retryMillis().ifPresent(millis -> reconnectDelay = Duration.ofMillis(millis));
                if (event.isEmpty()) {
                    disconnect();
                } else {
                    accept(event.get());
                }
            } catch (IOException e) {
                disconnect();
            }
        }
        return next != null;
    }

    @Override
    public TaskMessage next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the stream has ended");
        }
        TaskMessage message = next;
        next = null;
        return message;
    }

    /** How the task ended ({@code completed}, {@code failed} or {@code deleted}); empty while it runs. */
    public Optional<String> endStatus() {
        return endStatus;
    }

    /** Stops the stream; a blocked {@link #hasNext()} returns false. */
    @Override
    public void close() {
        closed = true;
        disconnect();
    }

    private void accept(SseReader.Event event) {
        switch (event.name()) {
            case "message" -> {
                next = TaskMessage.fromJson(JsonReader.parse(event.data()));
                lastEventId = event.id();
            }
            case "end" -> {
                if (JsonReader.parse(event.data()) instanceof JsonObject object) {
                    endStatus = Optional.of(object.string("status").orElse("ended"));
                } else {
                    endStatus = Optional.of("ended");
                }
                disconnect();
            }
            default -> {
                // Other events are for other clients.
            }
        }
    }

    /** Opens the stream, retrying transient failures; null when closed meanwhile. */
    private SseReader connect() {
        long start = System.nanoTime();
        boolean reconnecting = connectedBefore;
        for (int retry = 1; !closed; retry++) {
            if (reconnecting) {
                Duration backoff = transport.retry().delayBefore(retry);
                ApiTransport.pause(backoff.compareTo(reconnectDelay) > 0 ? backoff : reconnectDelay);
            }
            try {
                SseReader opened =
                        new SseReader(transport.openStream(path, lastEventId).body());
                reader = opened;
                connectedBefore = true;
                Thread.ofVirtual().name("strata-stream-watchdog").start(() -> watch(opened));
                if (closed) {
                    disconnect();
                }
                return reader;
            } catch (ApiTransport.TransientFailure failure) {
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                if (elapsed.compareTo(transport.retry().giveUpAfter()) > 0) {
                    throw new StrataUnavailableException(
                            "GET " + path + " failed for " + elapsed.toMillis() + " ms, last: " + failure.getMessage(),
                            failure.getCause() == null ? failure : failure.getCause());
                }
                reconnecting = true;
            }
        }
        return null;
    }

    /** Closes {@code watched} once it has been idle for the idle timeout, unless it was replaced or closed before. */
    private void watch(SseReader watched) {
        long timeout = transport.streamIdleTimeout().toNanos();
        try {
            while (reader == watched) {
                long left = timeout - watched.idleNanos();
                if (left <= 0) {
                    // The blocked read then fails, and hasNext() reconnects with Last-Event-ID.
                    watched.close();
                    return;
                }
                Thread.sleep(Duration.ofNanos(left));
            }
        } catch (IOException e) {
            // Closing a dead connection; the reader is done with it either way.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void disconnect() {
        SseReader current = reader;
        reader = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // Closing a broken connection; nothing left to read from it anyway.
            }
        }
    }
}
