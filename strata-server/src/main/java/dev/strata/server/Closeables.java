package dev.strata.server;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resources a composition root created, closed last-in first-out: what was built last (and so
 * may use what came before) closes first. A failing close is logged and the rest are still closed.
 * Closing twice closes nothing the second time. Not thread-safe: the root registers from one thread.
 */
final class Closeables implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Closeables.class);

    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    /** Takes ownership of {@code resource}: it is closed by {@link #close}. Returns it, for chaining. */
    <T extends AutoCloseable> T add(T resource) {
        open.push(requireNonNull(resource, "resource is null"));
        return resource;
    }

    @Override
    public void close() {
        while (!open.isEmpty()) {
            AutoCloseable resource = open.pop();
            try {
                resource.close();
            } catch (Exception e) {
                // Deliberately absorbed: one resource failing to close must not keep the others open.
                log.warn("closing {} failed", resource, e);
            }
        }
    }
}
