package dev.strata.server.http;

import dev.strata.store.TaskMessageStore;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** How many steps tasks took: their messages of types other than those below, as in the original API. */
final class StepCounts {
    /** Types a step count leaves out. */
    private static final Set<String> NOT_STEPS = Set.of("status", "log", "tool-result", "text");

    private StepCounts() {}

    /** @return per task of {@code taskIds} with at least one step, its step count */
    static Map<String, Long> of(TaskMessageStore store, Collection<String> taskIds) {
        Map<String, Long> counts = new LinkedHashMap<>();
        store.countByType(taskIds).forEach((taskId, byType) -> {
            long steps = byType.entrySet().stream()
                    .filter(e -> !NOT_STEPS.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            if (steps > 0) {
                counts.put(taskId, steps);
            }
        });
        return counts;
    }
}
