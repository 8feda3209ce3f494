package dev.strata.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.NewMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.workspace.TaskStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention judges a task by its activity (newest message, else last status change), never by its
 * age alone: a queued or running task that was active within the period is kept, however old it is.
 */
class RetentionActivityTest {
    private static final Duration RETENTION = Duration.ofDays(1);

    @TempDir
    Path directory;

    private Strata strata;
    private String workspace;
    private final Instant now = Instant.now();

    @BeforeEach
    void open() {
        strata = Strata.open(StrataConfig.fromEnvironment(Map.of(
                "STRATA_DB_URL",
                "jdbc:sqlite:" + directory.resolve("strata.db"),
                "STRATA_CONTENT_URL",
                "file:" + directory.resolve("objects"),
                "STRATA_CACHE_URL",
                "none")));
        workspace = strata.directory().createWorkspace("retention").id();
    }

    @AfterEach
    void close() {
        strata.close();
    }

    /** A task with this status whose row was created (and last changed) {@code age} ago. */
    private String task(TaskStatus status, Duration age) {
        String id = UUID.randomUUID().toString();
        strata.store().createTask(id);
        strata.directory().ensureTask(id, workspace, Optional.empty(), status, now.minus(age));
        return id;
    }

    private int retentionPass() {
        RetentionWorker worker = new RetentionWorker(
                strata.directory(),
                new TaskDeletion(strata.store(), strata.directory()),
                Optional.of(RETENTION),
                Clock.fixed(now, ZoneOffset.UTC));
        return worker.runOnce();
    }

    private boolean exists(String taskId) {
        return strata.directory().task(workspace, taskId).isPresent()
                && strata.store().task(taskId).isPresent();
    }

    @Test
    void queuedOrRunningTasks_withAMessageWithinThePeriod_areKept_howeverOld() {
        String running = task(TaskStatus.RUNNING, Duration.ofDays(30));
        String queued = task(TaskStatus.QUEUED, Duration.ofDays(30));
        strata.store().append(running, List.of(NewMessage.of(1, "text")));
        strata.store().append(queued, List.of(NewMessage.of(1, "text")));

        assertThat(retentionPass()).isZero();

        assertThat(exists(running))
                .as("running task %s, message just now", running)
                .isTrue();
        assertThat(exists(queued))
                .as("queued task %s, message just now", queued)
                .isTrue();
    }

    @Test
    void aQueuedTaskCreatedWithinThePeriod_isKept_thoughItHasNoMessage() {
        String queued = task(TaskStatus.QUEUED, Duration.ofHours(23));

        assertThat(retentionPass()).isZero();

        assertThat(exists(queued)).as("queued task %s, created 23h ago", queued).isTrue();
    }

    @Test
    void tasksWithNoActivityWithinThePeriod_expire_whateverTheirStatus() {
        String silentRunning = task(TaskStatus.RUNNING, Duration.ofDays(2));
        String completed = task(TaskStatus.COMPLETED, Duration.ofDays(2));
        String kept = task(TaskStatus.COMPLETED, Duration.ofHours(1));

        assertThat(retentionPass()).isEqualTo(2);

        assertThat(exists(silentRunning))
                .as("running task %s, silent for 2 days", silentRunning)
                .isFalse();
        assertThat(exists(completed))
                .as("completed task %s, 2 days old", completed)
                .isFalse();
        assertThat(exists(kept)).as("completed task %s, 1 hour old", kept).isTrue();
    }
}
