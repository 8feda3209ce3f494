package dev.strata.metrics;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.StoreActivity;
import dev.strata.tier.metadata.TaskTimes;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** Times task-time reads as metadata operations named {@code taskTimes.<method>}. Thread-safe. */
public final class MeteredTaskTimes implements TaskTimes {
    private final TaskTimes delegate;
    private final TierTimer timer;

    public MeteredTaskTimes(TaskTimes delegate, MeterRegistry registry) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.timer = new TierTimer(registry, "metadata");
    }

    @Override
    public Set<String> createdBefore(Collection<String> taskIds, Instant before) {
        return timer.time("taskTimes.createdBefore", () -> delegate.createdBefore(taskIds, before));
    }

    @Override
    public Map<String, Instant> lastMessageTimes(Collection<String> taskIds) {
        return timer.time("taskTimes.lastMessageTimes", () -> delegate.lastMessageTimes(taskIds));
    }

    @Override
    public Map<String, StoreActivity> activity(Collection<String> taskIds) {
        return timer.time("taskTimes.activity", () -> delegate.activity(taskIds));
    }
}
