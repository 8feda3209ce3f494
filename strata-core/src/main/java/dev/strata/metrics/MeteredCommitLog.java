package dev.strata.metrics;

import static java.util.Objects.requireNonNull;

import dev.strata.model.MessageQuery;
import dev.strata.tier.metadata.CommitLog;
import dev.strata.tier.metadata.TaskRecord;
import java.util.List;
import java.util.Optional;

/** Times commit-log reads as metadata operations named {@code commitLog.<method>}. Thread-safe. */
final class MeteredCommitLog implements CommitLog {
    private final CommitLog delegate;
    private final TierTimer timer;

    MeteredCommitLog(CommitLog delegate, TierTimer timer) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.timer = requireNonNull(timer, "timer is null");
    }

    @Override
    public Optional<CommitHorizon> horizon(String taskId) {
        return timer.time("commitLog.horizon", () -> delegate.horizon(taskId));
    }

    @Override
    public List<CommittedLocation> upTo(TaskRecord task, MessageQuery query, long maxCommitNo, int limit) {
        return timer.time("commitLog.upTo", () -> delegate.upTo(task, query, maxCommitNo, limit));
    }

    @Override
    public List<CommittedLocation> after(TaskRecord task, MessageQuery query, CommitPosition after, int limit) {
        return timer.time("commitLog.after", () -> delegate.after(task, query, after, limit));
    }
}
