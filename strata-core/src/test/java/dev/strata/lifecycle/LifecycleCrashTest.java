package dev.strata.lifecycle;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of compaction and deletion under a real SIGKILL: a child JVM runs the operation,
 * stops at its most fragile point and is killed there (no close, no finally, no flush). A store
 * restarted on the same files has lost nothing, and once the lifecycle has run (queued deletions,
 * orphan collection) nothing is left behind.
 */
class LifecycleCrashTest {
    @TempDir
    Path directory;

    private Database database;
    private LocalDirectoryContentTier content;
    private TaskMessageStore store;

    @BeforeEach
    void open() {
        openStore();
        store.createTask("victim");
        store.createTask("bystander");
        for (int b = 0; b < 12; b++) {
            store.append("victim", range(b * 5L, b * 5L + 4));
        }
        store.append("bystander", range(0, 9));
        store.seal("victim");
    }

    private void openStore() {
        database = TestDatabases.sqlite(directory);
        content = new LocalDirectoryContentTier(directory.resolve("objects"));
        store = StoreFixture.store(
                database,
                content,
                new CaffeineSegmentCache(8 << 20, Duration.ofHours(1)),
                StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
    }

    private void closeStore() {
        store.close();
        database.close();
    }

    @AfterEach
    void close() {
        closeStore();
    }

    @Test
    void compactionKilledBetweenItsMergedObjectAndItsCommit_losesNothing_andLeavesNothingOnceTheLifecycleRan()
            throws Exception {
        List<TaskMessage> before = store.list("victim", MessageQuery.all()).messages();
        closeStore();

        killAtTheCrashPoint("compact", "victim");
        openStore();

        assertThat(store.list("victim", MessageQuery.all()).messages())
                .as("victim read after the crash")
                .isEqualTo(before);
        assertThat(store.task("victim").orElseThrow().liveSegments())
                .as("victim's live segments after the crash")
                .isEqualTo(12);
        assertThat(objectsOf("victim"))
                .as("victim's objects after the crash: 12 segments and the unreferenced merged object")
                .isEqualTo(13);

        runLifecycle();

        assertThat(objectsOf("victim"))
                .as("victim's objects once orphan collection ran")
                .isEqualTo(12);
        assertThat(store.compact("victim").merged())
                .as("compaction after the restart")
                .isTrue();
        store.purgePendingDeletions();
        assertThat(objectsOf("victim"))
                .as("victim's objects after a compaction that completed")
                .isEqualTo(1);
        assertThat(store.list("victim", MessageQuery.all()).messages())
                .as("victim read after the compaction")
                .isEqualTo(before);
        assertClean();
    }

    @Test
    void deletionKilledBetweenItsCommitAndTheObjectRemoval_staysDeleted_andLeavesNothingOnceTheLifecycleRan()
            throws Exception {
        List<TaskMessage> bystander =
                store.list("bystander", MessageQuery.all()).messages();
        closeStore();

        killAtTheCrashPoint("delete", "victim");
        openStore();

        assertThat(store.task("victim")).as("victim after the crash").isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.list("victim", MessageQuery.all()))
                .isInstanceOf(TaskNotFoundException.class);
        assertThat(store.pendingDeletions())
                .as("deletions queued by the killed delete")
                .isEqualTo(12);
        assertThat(objectsOf("victim"))
                .as("victim's objects right after the crash")
                .isEqualTo(12);

        runLifecycle();

        assertThat(store.pendingDeletions())
                .as("deletions queued once the lifecycle ran")
                .isZero();
        assertThat(objectsOf("victim"))
                .as("victim's objects once the lifecycle ran")
                .isZero();
        assertThat(store.list("bystander", MessageQuery.all()).messages())
                .as("bystander read")
                .isEqualTo(bystander);
        assertClean();
    }

    /** Starts the child, waits until it reports it is held at the crash point, and kills it there. */
    private void killAtTheCrashPoint(String operation, String taskId) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashingLifecycle.class.getName(),
                        directory.toString(),
                        operation,
                        taskId)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("what the %s child printed first", operation).isEqualTo("held");
            assertThat(child.isAlive())
                    .as("the %s child is alive at its crash point", operation)
                    .isTrue();
            child.destroyForcibly();
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS))
                .as("the %s child died", operation)
                .isTrue();
        assertThat(child.exitValue())
                .as("exit status of the killed %s child (128 + SIGKILL)", operation)
                .isEqualTo(137);
    }

    private void runLifecycle() {
        store.purgePendingDeletions();
        OrphanCollector collector = new OrphanCollector(
                content,
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()).catalog(),
                later(),
                Duration.ZERO);
        while (!collector.collect(1000, OrphanCollector.Removal.REMOVE).wrapped()) {
            // Next page.
        }
    }

    private void assertClean() {
        FsckReport report = new Fsck(
                        new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()),
                        content,
                        new NoSegmentCache(),
                        new SegmentCodec(),
                        later(),
                        Duration.ZERO)
                .run(Fsck.Mode.CHECK, done -> {});
        assertThat(report.problems()).as("fsck problems").isEmpty();
        assertThat(report.clean()).isTrue();
    }

    /** Orphan collection skips objects younger than its grace; a clock a second ahead sees every object as old enough. */
    private static Clock later() {
        return Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1));
    }

    /**
     * The objects of the task: every object but the bystander's one. The victim's frames are in
     * shared objects of their own (one flush per append here) until compaction moves them under
     * its prefix, so the count is taken over the whole content tier.
     */
    private long objectsOf(String taskId) {
        assertThat(taskId).isEqualTo("victim");
        return TestServices.countFiles(directory.resolve("objects")) - 1;
    }
}
