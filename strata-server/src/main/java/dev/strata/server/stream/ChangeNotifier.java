package dev.strata.server.stream;

/**
 * Tells the live tails of every instance that a task may have changed. Delivery is best effort:
 * streams read what they send from the store and catch up periodically, so a lost notification
 * only delays a message. Thread-safe.
 */
public interface ChangeNotifier extends AutoCloseable {

    /** Announces a change of the task, here and on the other instances; never blocks on I/O. */
    void publish(String taskId);

    @Override
    void close();
}
