package dev.strata.tier.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.BackendUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirectoryContentTierTest extends AbstractContentTierContractTest {
    @TempDir
    Path root;

    @Override
    protected ListableContent open() {
        return new LocalDirectoryContentTier(root);
    }

    @Test
    void put_leavesNoTemporaryFiles() throws IOException {
        tier.put(ContentKeys.segment("task", 1), randomBytes(1000));

        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(p -> p.getFileName().toString()))
                    .containsExactly("0000000000000001.seg");
        }
    }

    @Test
    void delete_removesTheEmptyTaskDirectory() {
        tier.put(ContentKeys.segment("task", 1), randomBytes(10));

        tier.delete(List.of(ContentKeys.segment("task", 1)));

        assertThat(root.resolve("tasks/task")).doesNotExist();
    }

    @Test
    void put_whenTheDirectoryCannotBeCreated_isBackendUnavailable() throws IOException {
        Files.writeString(root.resolve("tasks"), "a file where a directory belongs");

        assertThatThrownBy(() -> tier.put(ContentKeys.segment("task", 1), new byte[] {1}))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("content put of tasks/task/0000000000000001.seg");
    }

    @Test
    void check_failsWhenTheRootIsNoLongerADirectory() throws IOException {
        LocalDirectoryContentTier broken = new LocalDirectoryContentTier(root.resolve("replaced"));
        Files.delete(root.resolve("replaced"));
        Files.writeString(root.resolve("replaced"), "a file where the content directory was");

        assertThatThrownBy(broken::check)
                .as("check of %s", broken.describe())
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("is not a writable directory");
    }

    /**
     * Issue 9, defect 12: a put into a task directory that a concurrent first put had created (but
     * not yet forced) was acknowledged without forcing the directory's entry.
     */
    @Test
    void put_intoADirectoryAnotherRequestCreated_forcesTheDirectoryChainItself() throws IOException {
        LocalDirectoryContentTier local = (LocalDirectoryContentTier) tier;
        Files.createDirectories(root.resolve("tasks/racing"));
        long before = local.directorySyncs();

        tier.put(ContentKeys.segment("racing", 1), randomBytes(10));

        assertThat(local.directorySyncs() - before)
                .as("root (entry of tasks/), tasks/ (entry of racing/), racing/ (the object)")
                .isEqualTo(3);
    }

    @Test
    void put_intoADirectoryKnownDurable_forcesOnlyThatDirectory_untilTheDirectoryIsRemoved() {
        LocalDirectoryContentTier local = (LocalDirectoryContentTier) tier;
        tier.put(ContentKeys.segment("task", 1), randomBytes(10));

        long before = local.directorySyncs();
        tier.put(ContentKeys.segment("task", 2), randomBytes(10));
        assertThat(local.directorySyncs() - before).isEqualTo(1);

        tier.delete(List.of(ContentKeys.segment("task", 1), ContentKeys.segment("task", 2)));
        before = local.directorySyncs();
        tier.put(ContentKeys.segment("task", 3), randomBytes(10));
        assertThat(local.directorySyncs() - before)
                .as("the recreated directory is forced again")
                .isEqualTo(3);
    }

    @Test
    void concurrentFirstPuts_toTheSameNewTask_allSucceedAndAreReadable() throws Exception {
        int writers = 6;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            for (int task = 0; task < 20; task++) {
                String taskId = "new-" + task;
                var start = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<?>> puts = new java.util.ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    long objectId = w;
                    puts.add(pool.submit(() -> {
                        start.await();
                        tier.put(ContentKeys.segment(taskId, objectId), new byte[] {(byte) objectId});
                        return null;
                    }));
                }
                start.countDown();
                for (var put : puts) {
                    put.get();
                }
                for (int w = 0; w < writers; w++) {
                    assertThat(tier.get(ContentKeys.segment(taskId, w)))
                            .as("object %d of %s", w, taskId)
                            .contains(new byte[] {(byte) w});
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Shared objects come and go in one directory, which is removed whenever a delete empties it:
     * puts racing those removals all succeed, and every object acknowledged and not deleted is
     * there. (The removal and the puts into a directory exclude each other, so no put trusts a
     * durable-directory entry from before a removal; what that protects, an entry forced before a
     * power loss, no test here can observe.)
     */
    @Test
    void putsRacingTheRemovalOfTheirEmptiedDirectory_allSucceedAndStay() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            var churn = pool.submit(() -> {
                for (long id = 1_000_000; id < 1_000_400; id++) {
                    tier.put(ContentKeys.shared(id), new byte[] {1});
                    tier.delete(List.of(ContentKeys.shared(id)));
                }
                return null;
            });
            List<java.util.concurrent.Future<List<Long>>> writers = new java.util.ArrayList<>();
            for (int w = 0; w < 2; w++) {
                long first = w * 1_000L;
                writers.add(pool.submit(() -> {
                    List<Long> kept = new java.util.ArrayList<>();
                    for (long id = first; id < first + 200; id++) {
                        tier.put(ContentKeys.shared(id), new byte[] {(byte) id});
                        if (id % 2 == 0) {
                            tier.delete(List.of(ContentKeys.shared(id)));
                        } else {
                            kept.add(id);
                        }
                    }
                    return kept;
                }));
            }
            churn.get();
            for (var writer : writers) {
                for (long id : writer.get()) {
                    assertThat(tier.get(ContentKeys.shared(id)))
                            .as("object %d", id)
                            .contains(new byte[] {(byte) id});
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Issue 10: list walked and sorted the whole tree on every page. A directory that sorts before
     * {@code startAfter}, or outside the prefix, is now never read: here one holds an entry that
     * fails whenever it is read (a symbolic link to itself), and only a listing that has to enter
     * that directory sees the failure.
     */
    @Test
    void list_neverReadsDirectoriesBeforeStartAfterOrOutsideThePrefix() throws IOException {
        tier.put(ContentKeys.segment("early", 1), randomBytes(10));
        tier.put(ContentKeys.segment("late", 1), randomBytes(10));
        Path early = root.resolve(ContentKeys.taskPrefix("early"));
        Path loop = early.resolve("loop");
        Files.createSymbolicLink(loop, loop);

        // "tasks/early/" sorts before "tasks/f": nothing in it can come after.
        assertThat(tier.list(ContentKeys.TASKS, ContentKeys.TASKS + "f", 10))
                .extracting(ListableContent.StoredObject::key)
                .containsExactly(ContentKeys.segment("late", 1));
        assertThat(tier.list(ContentKeys.taskPrefix("late"), "", 10))
                .extracting(ListableContent.StoredObject::key)
                .containsExactly(ContentKeys.segment("late", 1));
        assertThatThrownBy(() -> tier.list(ContentKeys.TASKS, "", 10))
                .as("a listing that enters the directory")
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageStartingWith("content list of tasks/ in " + root.toRealPath() + " failed: ");
    }
}
