package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;

/** Notifications within this instance only: enough when metadata is SQLite, which one instance owns. */
public final class InProcessNotifier implements ChangeNotifier {
    private final Consumer<String> listener;

    public InProcessNotifier(Consumer<String> listener) {
        this.listener = requireNonNull(listener, "listener is null");
    }

    @Override
    public void publish(String taskId) {
        listener.accept(taskId);
    }

    @Override
    public void close() {}
}
