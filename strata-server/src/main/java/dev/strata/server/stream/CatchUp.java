package dev.strata.server.stream;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The safety net under notifications: periodically reads a fingerprint of every watched task (one
 * query for many tasks, not one per stream) and wakes the streams of tasks that changed, appeared
 * or vanished since the last look. Run by one thread at a time.
 */
final class CatchUp implements Runnable {
    private final StreamRegistry registry;
    private final TaskActivity activity;
    private Map<String, String> last = new HashMap<>();

    CatchUp(StreamRegistry registry, TaskActivity activity) {
        this.registry = requireNonNull(registry, "registry is null");
        this.activity = requireNonNull(activity, "activity is null");
    }

    @Override
    public void run() {
        registry.wakeWorkspaces();
        List<String> watched = List.copyOf(registry.watchedTasks());
        Map<String, String> now = activity.fingerprints(watched);
        for (String taskId : watched) {
            String fingerprint = now.get(taskId);
            // A task seen for the first time is woken too: a notification may have been lost just
            // after its stream first read the store.
            if (fingerprint == null || !fingerprint.equals(last.get(taskId))) {
                registry.changed(taskId);
            }
        }
        last = now;
    }
}
