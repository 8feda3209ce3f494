package dev.strata.server.lifecycle;

import static java.util.Objects.requireNonNull;

import dev.strata.server.config.Durations;
import dev.strata.server.workspace.WorkspaceDirectory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes tasks whose last activity is older than their workspace's retention, through
 * {@link TaskDeletion}, so expired content leaves every tier by the same durable path as a
 * user's delete. A workspace's own setting overrides {@code STRATA_RETENTION}; {@code off}
 * keeps everything.
 */
public final class RetentionWorker {
    private static final Logger log = LoggerFactory.getLogger(RetentionWorker.class);
    private static final int BATCH = 500;

    private final WorkspaceDirectory directory;
    private final TaskDeletion deletion;
    private final Optional<Duration> defaultRetention;
    private final Clock clock;

    public RetentionWorker(
            WorkspaceDirectory directory, TaskDeletion deletion, Optional<Duration> defaultRetention, Clock clock) {
        this.directory = requireNonNull(directory, "directory is null");
        this.deletion = requireNonNull(deletion, "deletion is null");
        this.defaultRetention = requireNonNull(defaultRetention, "defaultRetention is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** @return how many tasks one pass deleted */
    public int runOnce() {
        int deleted = 0;
        for (Map.Entry<String, Optional<String>> workspace :
                directory.retentions().entrySet()) {
            Optional<Duration> retention = effective(workspace.getValue());
            if (retention.isEmpty()) {
                continue;
            }
            var cutoff = clock.instant().minus(retention.get());
            for (List<String> expired = directory.inactiveTasks(workspace.getKey(), cutoff, BATCH);
                    !expired.isEmpty();
                    expired = directory.inactiveTasks(workspace.getKey(), cutoff, BATCH)) {
                deletion.deleteTasks(expired);
                deleted += expired.size();
            }
        }
        return deleted;
    }

    private Optional<Duration> effective(Optional<String> setting) {
        if (setting.isEmpty()) {
            return defaultRetention;
        }
        return setting.get().equals("off")
                ? Optional.empty()
                : Optional.of(Durations.parse("retention", setting.get()));
    }

    /** One pass, logging what it did; for {@link dev.strata.lifecycle.PeriodicTask}. */
    public void runAndLog() {
        int deleted = runOnce();
        if (deleted > 0) {
            log.info("retention deleted {} inactive tasks", deleted);
        }
    }
}
