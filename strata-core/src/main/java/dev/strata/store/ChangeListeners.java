package dev.strata.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The store's {@link TaskChangeListener}s, told one by one; a failing listener is logged and skipped. Thread-safe. */
final class ChangeListeners {
    private static final Logger log = LoggerFactory.getLogger(ChangeListeners.class);

    private final List<TaskChangeListener> listeners = new CopyOnWriteArrayList<>();

    void add(TaskChangeListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    void changed(String taskId) {
        for (TaskChangeListener listener : listeners) {
            try {
                listener.changed(taskId);
            } catch (RuntimeException e) {
                // A hint that failed only delays a live tail until its periodic catch-up.
                log.warn("change listener failed for task {}: {}", taskId, e.toString());
            }
        }
    }
}
