package dev.strata.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.AppendResult;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.model.TaskSummary;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.store.StoreOptions;
import dev.strata.store.TaskMessageStore;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.Messages;
import dev.strata.testing.StoreFixture;
import dev.strata.testing.TestDatabases;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random interleavings of append, retried append, read, seal, compact, delete and crash,
 * checked against a plain in-memory model: every read must equal the model, and once the
 * lifecycle has run (queued deletions, orphan collection) nothing is left behind.
 *
 * <p>A crash is modelled as what it leaves on disk: the SQLite files (database, WAL, shared
 * memory) and the objects directory are copied while an operation is held at its most fragile
 * point, and the next store opens the copy without any close, flush or checkpoint having run.
 * The operations held are an append between its content write and its commit, a delete between
 * its metadata commit and its content deletion, and a compaction between its merged object write
 * and its metadata commit; or nothing at all.
 */
class LifecycleModelPropertiesTest {
    sealed interface Step {
        record Append(int task, long from, int count) implements Step {}

        record Retry(int task) implements Step {}

        record Read(int task, long after) implements Step {}

        record Seal(int task) implements Step {}

        record Compact(int task) implements Step {}

        record Delete(int task) implements Step {}

        record Crash(Held held, int task) implements Step {}
    }

    /** The operation a crash interrupts. */
    enum Held {
        NOTHING,
        APPEND_BEFORE_COMMIT,
        DELETE_BEFORE_CONTENT_REMOVAL,
        COMPACTION_BEFORE_COMMIT
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> task = Arbitraries.integers().between(0, 2);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        6,
                        Combinators.combine(
                                        task,
                                        Arbitraries.longs().between(0, 60),
                                        Arbitraries.integers().between(1, 20))
                                .as(Step.Append::new)),
                net.jqwik.api.Tuple.of(2, task.map(Step.Retry::new)),
                net.jqwik.api.Tuple.of(
                        4,
                        Combinators.combine(task, Arbitraries.longs().between(-1, 60))
                                .as(Step.Read::new)),
                net.jqwik.api.Tuple.of(1, task.map(Step.Seal::new)),
                net.jqwik.api.Tuple.of(2, task.map(Step.Compact::new)),
                net.jqwik.api.Tuple.of(1, task.map(Step.Delete::new)),
                net.jqwik.api.Tuple.of(
                        3, Combinators.combine(Arbitraries.of(Held.class), task).as(Step.Crash::new)));
        return step.list().ofMinSize(5).ofMaxSize(40);
    }

    /** The store of the current "process" and the files it runs on. */
    private static final class Instance {
        final Path directory;
        final Database database;
        final HookedContentTier content;
        final TaskMessageStore store;

        Instance(Path directory) {
            this.directory = directory;
            this.database = TestDatabases.sqlite(directory);
            this.content = new HookedContentTier(new LocalDirectoryContentTier(directory.resolve("objects")));
            this.store = StoreFixture.store(
                    database,
                    content,
                    new CaffeineSegmentCache(8 << 20, Duration.ofHours(1)),
                    StoreOptions.defaults().withReplacedSegmentGrace(Duration.ZERO));
        }

        void close() {
            store.close();
            database.close();
            deleteRecursively(directory);
        }
    }

    @Property(tries = 40)
    void everyReadEqualsTheModel(@ForAll("steps") List<Step> steps) throws Exception {
        Map<String, TreeMap<Long, String>> model = new HashMap<>();
        Map<String, List<NewMessage>> lastBatch = new HashMap<>();
        Instance instance = new Instance(Files.createTempDirectory("strata-model"));
        try {
            for (Step step : steps) {
                TaskMessageStore store = instance.store;
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
                        assertThat(result.accepted())
                                .as("accepted of %s", append)
                                .isEqualTo(fresh);
                        lastBatch.put(id, batch);
                    }
                    case Step.Retry retry -> {
                        String id = "task-" + retry.task();
                        if (lastBatch.containsKey(id) && model.containsKey(id)) {
                            assertThat(store.append(id, lastBatch.get(id)).accepted())
                                    .as("accepted of %s", retry)
                                    .isZero();
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
                    case Step.Crash crash -> instance = crash(instance, crash, model, lastBatch);
                }
            }
            for (int task = 0; task < 3; task++) {
                check(instance.store, model, "task-" + task, -1);
            }
            assertNothingLeftBehindOnceTheLifecycleRan(instance, model);
            // Over all tries, every kind of crash must have happened.
            net.jqwik.api.statistics.Statistics.label("crashes").coverage(coverage -> {
                for (Held kind : Held.values()) {
                    coverage.check(kind).count(count -> count > 0);
                }
            });
        } finally {
            instance.close();
        }
    }

    /**
     * Holds the operation the crash interrupts at its fragile point, copies the files as they are
     * on disk at that moment, and returns a new instance on the copy. The old instance is then
     * let go only to free this JVM's resources: nothing it does afterwards reaches the copy.
     */
    private static Instance crash(
            Instance old,
            Step.Crash crash,
            Map<String, TreeMap<Long, String>> model,
            Map<String, List<NewMessage>> lastBatch)
            throws Exception {
        String id = "task-" + crash.task();
        if (crash.held() != Held.NOTHING) {
            ensureCreated(old.store, model, id);
        }
        // A delete needs a segment to remove and a compaction two not yet consolidated to move or
        // merge: make sure they exist.
        int wanted = switch (crash.held()) {
            case NOTHING, APPEND_BEFORE_COMMIT -> 0;
            case DELETE_BEFORE_CONTENT_REMOVAL -> 1;
            case COMPACTION_BEFORE_COMMIT -> 2;
        };
        while (crash.held() == Held.COMPACTION_BEFORE_COMMIT
                ? looseSegments(old, id) < wanted
                : old.store.task(id).map(TaskSummary::liveSegments).orElse(0L) < wanted) {
            long from =
                    Math.max(500, model.get(id).isEmpty() ? 0 : model.get(id).lastKey() + 1);
            List<NewMessage> batch = Messages.range(from, from + 1);
            assertThat(old.store.append(id, batch).accepted())
                    .as("accepted of a setup batch for %s", crash)
                    .isEqualTo(2);
            batch.forEach(m -> model.get(id).put(m.seq(), m.content()));
            lastBatch.put(id, batch);
        }
        Runnable operation = switch (crash.held()) {
            case NOTHING -> null;
            // Seqs the model never uses, so the append surely writes a segment.
            case APPEND_BEFORE_COMMIT -> () -> old.store.append(id, Messages.range(1000, 1004));
            case DELETE_BEFORE_CONTENT_REMOVAL -> () -> old.store.delete(List.of(id));
            case COMPACTION_BEFORE_COMMIT -> () -> old.store.compact(id);
        };
        net.jqwik.api.statistics.Statistics.label("crashes").collect(crash.held());
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread worker = null;
        if (operation != null) {
            Runnable hold = () -> {
                held.countDown();
                awaitUninterruptibly(release);
            };
            if (crash.held() == Held.DELETE_BEFORE_CONTENT_REMOVAL) {
                old.content.beforeDelete(keys -> hold.run());
            } else {
                old.content.afterPut(key -> hold.run());
            }
            worker = Thread.ofPlatform().start(() -> {
                try {
                    operation.run();
                } catch (RuntimeException ignored) {
                    // Whatever the old instance does after the crash point never reaches the copy.
                }
            });
            assertThat(held.await(30, TimeUnit.SECONDS))
                    .as("%s reached its crash point", crash)
                    .isTrue();
        }
        Path copy = Files.createTempDirectory("strata-model-crash");
        // Metadata first, then objects: an object is durable before metadata names it, so this
        // order can only add objects the copied metadata does not know (as a crash would).
        for (String file : List.of("metadata.db", "metadata.db-wal", "metadata.db-shm")) {
            if (Files.exists(old.directory.resolve(file))) {
                Files.copy(old.directory.resolve(file), copy.resolve(file));
            }
        }
        copyTree(old.directory.resolve("objects"), copy.resolve("objects"));
        release.countDown();
        if (worker != null) {
            worker.join();
        }
        old.close();
        if (crash.held() == Held.DELETE_BEFORE_CONTENT_REMOVAL && operation != null) {
            // Its metadata transaction committed before the crash: the task is gone.
            model.remove(id);
            lastBatch.remove(id);
        }
        return new Instance(copy);
    }

    /** @return the task's segments not in a consolidated object */
    private static long looseSegments(Instance instance, String id) {
        var metadata = new JdbcMetadataTier(instance.database, Clock.systemUTC(), new ContentSegmentKeys());
        return metadata.catalog().segments(metadata.task(id).orElseThrow()).stream()
                .filter(segment -> segment.kind() != dev.strata.tier.metadata.ObjectKind.CONSOLIDATED)
                .count();
    }

    /** Queued deletions and orphan collection leave exactly the objects live metadata names. */
    private static void assertNothingLeftBehindOnceTheLifecycleRan(
            Instance instance, Map<String, TreeMap<Long, String>> model) {
        instance.store.purgePendingDeletions();
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1));
        OrphanCollector collector = new OrphanCollector(
                instance.content,
                new JdbcMetadataTier(instance.database, Clock.systemUTC(), new ContentSegmentKeys()).catalog(),
                later,
                Duration.ZERO);
        while (!collector.collect(1000, OrphanCollector.Removal.REMOVE).wrapped()) {
            // Next page.
        }
        // Shared orphans are claimed and queued: the deletion worker removes them.
        instance.store.purgePendingDeletions();
        assertThat(instance.store.pendingDeletions())
                .as("deletions still queued")
                .isZero();
        // An object holds one live segment or several (a shared object, a consolidated one): count
        // the distinct objects live segments name.
        var metadata = new JdbcMetadataTier(instance.database, Clock.systemUTC(), new ContentSegmentKeys());
        java.util.Set<Long> liveObjects = new java.util.HashSet<>();
        for (String id : model.keySet()) {
            metadata.catalog()
                    .segments(metadata.task(id).orElseThrow())
                    .forEach(segment -> liveObjects.add(segment.objectId()));
        }
        assertThat(TestServices.countFiles(instance.directory.resolve("objects")))
                .as("objects against the objects live segments of %s name", model.keySet())
                .isEqualTo(liveObjects.size());
        FsckReport report = new Fsck(
                        new JdbcMetadataTier(instance.database, Clock.systemUTC(), new ContentSegmentKeys()),
                        instance.content,
                        new NoSegmentCache(),
                        new SegmentCodec(),
                        later,
                        Duration.ZERO)
                .run(Fsck.Mode.CHECK, done -> {});
        assertThat(report.problems()).as("fsck problems").isEmpty();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        try (var paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        List<String> expected =
                new ArrayList<>(model.get(id).tailMap(after, false).values());
        assertThat(got).extracting(TaskMessage::content).containsExactlyElementsOf(expected);
        assertThat(got)
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(model.get(id).tailMap(after, false).keySet());
    }

    private static void deleteRecursively(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
