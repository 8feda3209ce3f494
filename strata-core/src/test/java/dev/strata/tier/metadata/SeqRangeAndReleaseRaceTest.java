package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.model.MessageQuery;
import dev.strata.store.ContentSegmentKeys;
import dev.strata.testing.IsolatedMetadata;
import dev.strata.testing.IsolatedMetadata.Backend;
import dev.strata.tier.metadata.jdbc.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tries to break two invariants of the metadata tier with random interleavings of every writer at
 * once, on both databases: flushes of several tasks' frames into shared objects (frames of one task
 * overlapping each other and earlier writes, seqs out of order and repeated), single commits, moves
 * of an open task's loose frames, seal and merge of a run of segments, and deletes of several tasks
 * (recreated under the same id).
 *
 * <ol>
 *   <li>Every segment row's {@code first_seq}/{@code last_seq}/{@code message_count} are the
 *       MIN/MAX/COUNT of the message rows that point at it (schema V8).
 *   <li>{@code ObjectRows.release}: no transaction fails (no deadlock on PostgreSQL), each object
 *       is queued for deletion exactly once and only once no frame in it is live, and every
 *       object's live frame count equals the segment rows pointing into it.
 * </ol>
 */
class SeqRangeAndReleaseRaceTest {
    /** An object some transaction made a segment row point into. */
    private record Tracked(String taskId, ObjectKind kind, long objectId) {}

    private static final int TASKS = 10;
    private static final int WORKERS = 6;
    private static final int OPERATIONS = 70;

    /** Frames per flush at most: a few, or every task's (each object then shared by all tasks). */
    private int maxFlushFrames;

    @TempDir
    Path directory;

    private IsolatedMetadata isolated;
    private Database database;
    private MetadataTier metadata;
    private final SegmentKeys keys = new ContentSegmentKeys();
    private final AtomicLong objectIds = new AtomicLong(1_000);
    private final Map<Long, Tracked> tracked = new ConcurrentHashMap<>();

    private void open(Backend backend) {
        isolated = IsolatedMetadata.open(backend, directory, "seqrange");
        database = isolated.database();
        metadata = isolated.metadata();
    }

    @AfterEach
    void close() {
        if (isolated != null) {
            isolated.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void randomInterleavingsOfEveryWriter_keepSeqRanges_liveFrames_andQueueEachObjectOnce(Backend backend)
            throws Exception {
        race(backend, 5, OPERATIONS);
    }

    /**
     * Every flush has a frame of each task, so every move, merge and delete releases frames of
     * objects that all the others release too: the most contention on tm_object rows.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void flushesSharedByEveryTask_racingMovesMergesAndDeletes_neverDeadlock(Backend backend) throws Exception {
        race(backend, TASKS + 2, OPERATIONS / 2);
    }

    private void race(Backend backend, int flushFrames, int operations) throws Exception {
        maxFlushFrames = flushFrames;
        open(backend);
        for (int t = 0; t < TASKS; t++) {
            metadata.createTask("t" + t, Instant.now());
        }
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<String> log = new CopyOnWriteArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(WORKERS)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                // -Dstrata.race.seed=N runs other interleavings.
                long seed = 7_919L * (w + 1) + backend.ordinal() + 1_000L * Long.getLong("strata.race.seed", 0);
                work.add(threads.submit(() -> {
                    Random random = new Random(seed);
                    start.await();
                    for (int op = 0; op < operations; op++) {
                        String what = "?";
                        try {
                            what = step(random);
                            log.add(what);
                        } catch (Throwable e) {
                            failures.add(new AssertionError("operation " + what + " failed", e));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(failures)
                .as("operations that failed (deadlocks, statement errors)")
                .isEmpty();
        assertThat(log).as("operations run").hasSize(WORKERS * operations);
        for (String kind : List.of("move", "merge")) {
            assertThat(log.stream().filter(what -> what.startsWith(kind) && what.contains("Replaced")))
                    .as("%ss that went through", kind)
                    .isNotEmpty();
        }
        assertThat(log.stream().filter(what -> what.startsWith("delete")))
                .as("deletes")
                .isNotEmpty();

        // Finish: everything that remains, sealed and merged or deleted, then checked again.
        assertInvariants();
        for (int t = 0; t < TASKS; t += 2) {
            metadata.deleteTasks(List.of("t" + t));
        }
        assertInvariants();
    }

    /** One random operation; returns what it did. */
    private String step(Random random) {
        int dice = random.nextInt(100);
        String taskId = "t" + random.nextInt(TASKS);
        if (dice < 35) {
            return flush(random);
        }
        if (dice < 50) {
            TaskRecord task = current(taskId);
            long objectId = objectIds.incrementAndGet();
            CommitOutcome outcome =
                    metadata.commit(task, new SegmentCommit(task.taskKey(), objectId, 100, 7, rows(random)));
            if (outcome instanceof CommitOutcome.Committed c
                    && !c.insertedSeqs().isEmpty()) {
                tracked.put(objectId, new Tracked(taskId, ObjectKind.TASK, objectId));
            }
            return "commit " + taskId + " " + outcome;
        }
        if (dice < 72) {
            return move(random, taskId);
        }
        if (dice < 90) {
            return merge(random, taskId);
        }
        Set<String> doomed = new TreeSet<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            doomed.add("t" + random.nextInt(TASKS));
        }
        metadata.deleteTasks(doomed);
        if (random.nextInt(4) != 0) {
            doomed.forEach(id -> metadata.createTask(id, Instant.now()));
        }
        return "delete " + doomed;
    }

    /** The task as it is now; created again when deleted. */
    private TaskRecord current(String taskId) {
        return metadata.task(taskId).orElseGet(() -> {
            metadata.createTask(taskId, Instant.now());
            return metadata.task(taskId).orElseThrow();
        });
    }

    /** 1 to 15 rows from a random range: shuffled, sometimes with gaps and a seq repeated. */
    private static List<MessageRow> rows(Random random) {
        long from = random.nextInt(120);
        int length = 1 + random.nextInt(15);
        List<MessageRow> rows = new ArrayList<>();
        for (long seq = from; seq < from + length; seq++) {
            if (length > 3 && random.nextInt(5) == 0) {
                continue;
            }
            rows.add(row(seq));
        }
        if (rows.isEmpty()) {
            rows.add(row(from));
        }
        if (random.nextInt(4) == 0) {
            rows.add(rows.get(random.nextInt(rows.size())));
        }
        if (random.nextInt(3) == 0) {
            Collections.shuffle(rows, random);
        }
        return rows;
    }

    private static MessageRow row(long seq) {
        return new MessageRow(seq, seq % 2 == 0 ? "even" : "odd", "Tool", "call-" + seq, 1_700_000_000_000L + seq);
    }

    private String flush(Random random) {
        long objectId = objectIds.incrementAndGet();
        int frames = maxFlushFrames > TASKS ? maxFlushFrames : 1 + random.nextInt(maxFlushFrames);
        List<FrameCommit> commits = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            // Several frames of one task now and then, overlapping each other.
            int t = maxFlushFrames > TASKS && i < TASKS ? i : random.nextInt(i > 0 && random.nextBoolean() ? 3 : TASKS);
            TaskRecord task = current("t" + t);
            commits.add(new FrameCommit(
                    task,
                    new SegmentCommit(task.taskKey(), objectId, 100, 7, rows(random), ObjectKind.SHARED, i * 100L)));
        }
        List<CommitOutcome> outcomes = metadata.commitFlush(new FlushCommit(objectId, commits));
        for (CommitOutcome outcome : outcomes) {
            if (outcome instanceof CommitOutcome.Committed c
                    && !c.insertedSeqs().isEmpty()) {
                tracked.put(objectId, new Tracked("-", ObjectKind.SHARED, objectId));
            }
        }
        return "flush " + frames + " frames " + outcomes;
    }

    private String move(Random random, String taskId) {
        TaskRecord task = current(taskId);
        List<SegmentRecord> loose = new ArrayList<>(metadata.catalog().segments(task).stream()
                .filter(segment -> segment.kind() != ObjectKind.CONSOLIDATED)
                .toList());
        if (loose.isEmpty()) {
            return "move " + taskId + " nothing";
        }
        if (loose.size() > 1 && random.nextBoolean()) {
            Collections.shuffle(loose, random);
            loose = loose.subList(0, 1 + random.nextInt(loose.size() - 1));
        }
        long objectId = objectIds.incrementAndGet();
        List<SegmentCatalog.Move> moves = new ArrayList<>();
        for (int i = 0; i < loose.size(); i++) {
            moves.add(new SegmentCatalog.Move(loose.get(i), i * 100L));
        }
        ReplaceOutcome outcome = metadata.catalog().moveSegments(task, objectId, moves, Instant.now());
        if (outcome instanceof ReplaceOutcome.Replaced) {
            tracked.put(objectId, new Tracked(taskId, ObjectKind.CONSOLIDATED, objectId));
        }
        return "move " + taskId + " " + moves.size() + " " + outcome;
    }

    private String merge(Random random, String taskId) {
        current(taskId);
        metadata.seal(taskId);
        TaskRecord task = current(taskId);
        List<SegmentRecord> segments = metadata.catalog().segments(task);
        if (segments.isEmpty()) {
            return "merge " + taskId + " nothing";
        }
        // A run of consecutive segments, as CompactionPlan cuts them, or all of them.
        int from = random.nextInt(segments.size());
        int to = random.nextBoolean() ? segments.size() : from + 1 + random.nextInt(segments.size() - from);
        Set<Integer> replaced = new HashSet<>();
        segments.subList(from, to).forEach(segment -> replaced.add(segment.segmentNo()));
        List<Long> seqs = metadata.locate(task, MessageQuery.all(), Long.MAX_VALUE).stream()
                .filter(location -> replaced.contains(location.segmentNo()))
                .map(MessageLocation::seq)
                .sorted()
                .toList();
        if (seqs.isEmpty()) {
            return "merge " + taskId + " raced";
        }
        long objectId = objectIds.incrementAndGet();
        int pieces = Math.min(seqs.size(), 1 + random.nextInt(3));
        List<SegmentCommit> frames = new ArrayList<>();
        for (int p = 0; p < pieces; p++) {
            List<MessageRow> rows = seqs.subList(p * seqs.size() / pieces, (p + 1) * seqs.size() / pieces).stream()
                    .map(SeqRangeAndReleaseRaceTest::row)
                    .toList();
            frames.add(new SegmentCommit(task.taskKey(), objectId, 100, 7, rows, ObjectKind.CONSOLIDATED, p * 1000L));
        }
        ReplaceOutcome outcome = metadata.catalog().replaceSegments(task, replaced, frames, Instant.now());
        if (outcome instanceof ReplaceOutcome.Replaced) {
            tracked.put(objectId, new Tracked(taskId, ObjectKind.CONSOLIDATED, objectId));
        }
        return "merge " + taskId + " " + replaced.size() + " -> " + pieces + " " + outcome;
    }

    private void assertInvariants() {
        List<String> wrongRanges = IsolatedMetadata.segmentRangeMismatches(database);
        assertThat(wrongRanges)
                .as("segment rows whose seq range or count differ from their message rows")
                .isEmpty();
        List<String> homeless = database.read(
                "test homeless",
                handle -> handle.createQuery("SELECT 'task ' || m.task_key || ' seq ' || m.seq FROM tm_message m"
                                + " WHERE NOT EXISTS (SELECT 1 FROM tm_segment s WHERE s.task_key = m.task_key"
                                + " AND s.segment_no = m.segment_no)")
                        .mapTo(String.class)
                        .list());
        assertThat(homeless).as("message rows with no segment row").isEmpty();

        Map<Long, Integer> referenced = new HashMap<>();
        Set<String> referencedKeys = new HashSet<>();
        database.read(
                "test referenced",
                handle -> handle.createQuery("SELECT t.task_id, s.object_kind, s.object_id FROM tm_segment s"
                                + " JOIN tm_task t ON t.task_key = s.task_key")
                        .map((rs, ctx) -> {
                            ObjectKind kind = ObjectKind.ofColumn(rs.getInt(2));
                            long objectId = rs.getLong(3);
                            if (kind != ObjectKind.TASK) {
                                referenced.merge(objectId, 1, Integer::sum);
                            }
                            referencedKeys.add(keys.key(rs.getString(1), kind, objectId));
                            return 0;
                        })
                        .list());
        Map<Long, Integer> live = database.read("test liveFrames", handle -> {
            Map<Long, Integer> frames = new HashMap<>();
            handle.createQuery("SELECT object_id, live_frames FROM tm_object")
                    .map((rs, ctx) -> frames.put(rs.getLong(1), rs.getInt(2)))
                    .list();
            return frames;
        });
        assertThat(live)
                .as("tm_object live frames against the segment rows that reference each object")
                .isEqualTo(referenced);

        List<String> queued = database.read(
                "test queued",
                handle -> handle.createQuery("SELECT object_key FROM tm_deletion")
                        .mapTo(String.class)
                        .list());
        Map<String, Integer> times = new HashMap<>();
        queued.forEach(key -> times.merge(key, 1, Integer::sum));
        times.values().removeIf(n -> n == 1);
        assertThat(times).as("objects queued for deletion more than once").isEmpty();
        assertThat(queued)
                .as("objects queued for deletion while a frame in them is live")
                .doesNotContainAnyElementsOf(referencedKeys);
        Set<String> released = new HashSet<>();
        tracked.values().forEach(object -> {
            String key = keys.key(object.taskId(), object.kind(), object.objectId());
            if (!referencedKeys.contains(key)) {
                released.add(key);
            }
        });
        assertThat(new HashSet<>(queued))
                .as("objects queued for deletion: exactly those no live frame is in any more")
                .isEqualTo(released);
    }
}
