package dev.strata.server.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.store.ContentSegmentKeys;
import dev.strata.testing.TestDatabases;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import dev.strata.tier.metadata.jdbc.JdbcTaskTimes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory's questions about store tasks, answered through the store's {@code TaskTimes} on SQLite. */
class WorkspaceDirectoryTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path directory;

    private Database database;
    private MetadataTier metadata;
    private WorkspaceDirectory workspaces;

    @BeforeEach
    void open() {
        database = TestDatabases.sqlite(directory);
        metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
        workspaces = new WorkspaceDirectory(database, new JdbcTaskTimes(database), Clock.fixed(START, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        metadata.close();
        database.close();
    }

    @Test
    void inactiveTasks_pagesPastTasksWithRecentMessages_untilTheLimitIsFound() {
        String workspace = workspaces.createWorkspace("w").id();
        Instant cutoff = START.plus(Duration.ofDays(1));
        List<String> quiet = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // The first ids sort first and have a message after the cutoff: whole pages of them are skipped.
            String taskId = (i < 5 ? "a-active-" : "b-quiet-") + i;
            workspaces.createTask(taskId, workspace, Optional.empty(), "");
            metadata.createTask(taskId, START);
            if (i < 5) {
                append(taskId, cutoff.plusSeconds(1));
            } else {
                append(taskId, START);
                quiet.add(taskId);
            }
        }
        workspaces.createTask("c-never-written", workspace, Optional.empty(), "");

        assertThat(workspaces.inactiveTasks(workspace, cutoff, 2)).containsExactly("b-quiet-5", "b-quiet-6");
        assertThat(workspaces.inactiveTasks(workspace, cutoff, 10))
                .containsExactly("b-quiet-5", "b-quiet-6", "c-never-written");
        assertThat(workspaces.inactiveTasks(workspace, START, 10))
                .as("nothing changed before the directory's own clock")
                .isEmpty();
    }

    @Test
    void forgottenStoreTasks_areStoreTasksWithoutADirectoryRow_createdBeforeTheCutoff() {
        String workspace = workspaces.createWorkspace("w").id();
        metadata.createTask("known", START);
        workspaces.createTask("known", workspace, Optional.empty(), "");
        metadata.createTask("forgotten", START);
        metadata.createTask("young", START.plusSeconds(60));

        assertThat(workspaces.forgottenStoreTasks(
                        List.of("known", "forgotten", "young", "unknown"), START.plusSeconds(30)))
                .containsExactly("forgotten");
        assertThat(workspaces.forgottenStoreTasks(List.of(), START.plusSeconds(30)))
                .isEmpty();
    }

    private void append(String taskId, Instant at) {
        TaskRecord task = metadata.task(taskId).orElseThrow();
        metadata.commit(
                task,
                new SegmentCommit(
                        task.taskKey(), 1, 10, 7, List.of(new MessageRow(0, "text", "", "", at.toEpochMilli()))));
    }
}
