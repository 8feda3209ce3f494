package dev.strata.store;

/**
 * Told, after the fact, that a task may have changed: messages were committed to it, it was sealed
 * or deleted. A hint only (live tails wake up and read the store); it must return quickly, never
 * block and never throw.
 */
@FunctionalInterface
public interface TaskChangeListener {
    void changed(String taskId);
}
