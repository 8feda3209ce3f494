package dev.strata.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.store.AppendResult;
import dev.strata.store.MessageQuery;
import dev.strata.store.NewMessage;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessage;
import dev.strata.store.TaskMessageStore;
import dev.strata.store.TaskNotFoundException;
import dev.strata.testing.Messages;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random interleavings of append, retried append, read, seal, compact, delete and
 * crash-and-restart (the store is dropped without cleanup and reopened on the same files),
 * checked against a plain in-memory model: every read must equal the model.
 */
class LifecycleModelProperties {
    sealed interface Step {
        record Append(int task, long from, int count) implements Step {
        }

        record Retry(int task) implements Step {
        }

        record Read(int task, long after) implements Step {
        }

        record Seal(int task) implements Step {
        }

        record Compact(int task) implements Step {
        }

        record Delete(int task) implements Step {
        }

        record Restart() implements Step {
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> task = Arbitraries.integers().between(0, 2);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Combinators.combine(task, Arbitraries.longs().between(0, 60), Arbitraries.integers().between(1, 20))
                        .as(Step.Append::new)),
                net.jqwik.api.Tuple.of(2, task.map(Step.Retry::new)),
                net.jqwik.api.Tuple.of(4, Combinators.combine(task, Arbitraries.longs().between(-1, 60)).as(Step.Read::new)),
                net.jqwik.api.Tuple.of(1, task.map(Step.Seal::new)),
                net.jqwik.api.Tuple.of(2, task.map(Step.Compact::new)),
                net.jqwik.api.Tuple.of(1, task.map(Step.Delete::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Step.Restart())));
        return step.list().ofMinSize(5).ofMaxSize(40);
    }

    @Property(tries = 40)
    void everyReadEqualsTheModel(@ForAll("steps") List<Step> steps) throws IOException {
        Path directory = Files.createTempDirectory("strata-model");
        Map<String, TreeMap<Long, String>> model = new HashMap<>();
        Map<String, List<NewMessage>> lastBatch = new HashMap<>();
        Database database = TestServices.sqlite(directory);
        TaskMessageStore store = open(database, directory);
        try {
            for (Step step : steps) {
                switch (step) {
                    case Step.Append append -> {
                        String id = "task-" + append.task();
                        ensureCreated(store, model, id);
                        List<NewMessage> batch = Messages.range(append.from(), append.from() + append.count() - 1);
                        AppendResult result = store.append(id, batch);
                        int fresh = 0;
                        for (NewMessage m : batch) {
                            if (model.get(id).putIfAbsent(m.seq(), m.content()) == null) {
                                fresh++;
                            }
                        }
                        assertThat(result.accepted()).isEqualTo(fresh);
                        lastBatch.put(id, batch);
                    }
                    case Step.Retry retry -> {
                        String id = "task-" + retry.task();
                        if (lastBatch.containsKey(id) && model.containsKey(id)) {
                            assertThat(store.append(id, lastBatch.get(id)).accepted()).isZero();
                        }
                    }
                    case Step.Read read -> check(store, model, "task-" + read.task(), read.after());
                    case Step.Seal seal -> {
                        if (model.containsKey("task-" + seal.task())) {
                            store.seal("task-" + seal.task());
                        }
                    }
                    case Step.Compact compact -> {
                        if (model.containsKey("task-" + compact.task())) {
                            store.compact("task-" + compact.task());
                            store.purgePendingDeletions();
                        }
                    }
                    case Step.Delete delete -> {
                        store.delete(List.of("task-" + delete.task()));
                        model.remove("task-" + delete.task());
                        lastBatch.remove("task-" + delete.task());
                    }
                    case Step.Restart restart -> {
                        // Dropped as a crash would: no purge, no flush; then reopened on the same files.
                        store.close();
                        database.close();
                        database = TestServices.sqlite(directory);
                        store = open(database, directory);
                    }
                }
            }
            for (int task = 0; task < 3; task++) {
                check(store, model, "task-" + task, -1);
            }
        } finally {
            store.close();
            database.close();
            deleteRecursively(directory);
        }
    }

    private static TaskMessageStore open(Database database, Path directory) {
        return StoreFixture.store(database, new LocalDirectoryContentTier(directory.resolve("objects")),
                new CaffeineSegmentCache(8 << 20, Duration.ofHours(1)), StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
    }

    private static void ensureCreated(TaskMessageStore store, Map<String, TreeMap<Long, String>> model, String id) {
        if (!model.containsKey(id)) {
            store.createTask(id);
            model.put(id, new TreeMap<>());
        }
    }

    private static void check(TaskMessageStore store, Map<String, TreeMap<Long, String>> model, String id, long after) {
        if (!model.containsKey(id)) {
            try {
                store.list(id, MessageQuery.all());
                throw new AssertionError("deleted or never created task " + id + " is readable");
            } catch (TaskNotFoundException expected) {
                return;
            }
        }
        List<TaskMessage> got = store.list(id, MessageQuery.all().after(after)).messages();
        List<String> expected = new ArrayList<>(model.get(id).tailMap(after, false).values());
        assertThat(got).extracting(TaskMessage::content).containsExactlyElementsOf(expected);
        assertThat(got).extracting(TaskMessage::seq).containsExactlyElementsOf(model.get(id).tailMap(after, false).keySet());
    }

    private static void deleteRecursively(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
