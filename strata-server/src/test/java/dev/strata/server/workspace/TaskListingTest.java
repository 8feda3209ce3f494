package dev.strata.server.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.InvalidInputException;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.testing.MutableClock;
import dev.strata.testing.TestDatabases;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import dev.strata.tier.metadata.jdbc.JdbcTaskTimes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshots behind task list cursors: their lifetime and their clean-up, on the directory's clock. */
class TaskListingTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path directory;

    private final MutableClock clock = new MutableClock(START);
    private Database database;
    private MetadataTier metadata;
    private WorkspaceDirectory workspaces;
    private String workspace;

    @BeforeEach
    void open() {
        database = TestDatabases.sqlite(directory);
        metadata = new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys());
        workspaces = new WorkspaceDirectory(database, new JdbcTaskTimes(database), clock);
        workspace = workspaces.createWorkspace("w").id();
        for (int i = 0; i < 3; i++) {
            String taskId = "task-" + i;
            metadata.createTask(taskId, START);
            workspaces.createTask(taskId, workspace, Optional.empty(), "");
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @AfterEach
    void close() {
        metadata.close();
        database.close();
    }

    @Test
    void cursor_worksForAnHour_thenIsRefusedAsExpired() {
        ListPage<ListedTask> first = workspaces.listTasks(workspace, TaskFilter.all(), 1, Optional.empty());
        assertThat(first.items()).extracting(t -> t.task().id()).containsExactly("task-2");

        clock.advance(TaskSnapshots.LIFETIME);
        ListPage<ListedTask> second = workspaces.listTasks(workspace, TaskFilter.all(), 1, first.nextCursor());
        assertThat(second.items()).extracting(t -> t.task().id()).containsExactly("task-1");

        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> workspaces.listTasks(workspace, TaskFilter.all(), 1, second.nextCursor()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("expired cursor: list again from the first page");
    }

    @Test
    void newSnapshot_deletesExpiredOnes_andAListOfOnePageMakesNone() {
        workspaces.listTasks(workspace, TaskFilter.all(), 1, Optional.empty());
        workspaces.listTasks(workspace, TaskFilter.all(), 2, Optional.empty());
        assertThat(snapshots()).isEqualTo(2);

        workspaces.listTasks(workspace, TaskFilter.all(), 3, Optional.empty());
        assertThat(snapshots()).as("everything fits one page").isEqualTo(2);

        clock.advance(TaskSnapshots.LIFETIME.plusMillis(1));
        workspaces.listTasks(workspace, TaskFilter.all(), 1, Optional.empty());
        assertThat(snapshots()).as("the two expired ones deleted by the third").isEqualTo(1);
    }

    @Test
    void cursorAtTheEndOfItsSnapshot_orBeyond_isInvalid() {
        String snapshot = TaskSnapshots.parse(workspaces
                        .listTasks(workspace, TaskFilter.all(), 1, Optional.empty())
                        .nextCursor()
                        .orElseThrow())
                .snapshotId();

        assertThatThrownBy(() -> workspaces.listTasks(
                        workspace, TaskFilter.all(), 1, Optional.of(TaskSnapshots.cursor(snapshot, 3))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid cursor");
        assertThat(workspaces
                        .listTasks(workspace, TaskFilter.all(), 5, Optional.of(TaskSnapshots.cursor(snapshot, 2)))
                        .items())
                .extracting(t -> t.task().id())
                .containsExactly("task-0");
    }

    private long snapshots() {
        return database.jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM task_list_snapshot")
                        .mapTo(Long.class)
                        .one());
    }
}
