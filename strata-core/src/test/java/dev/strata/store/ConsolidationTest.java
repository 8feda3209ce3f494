package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static dev.strata.testing.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.codec.FrameIndex;
import dev.strata.codec.SegmentCodec;
import dev.strata.lifecycle.TaskFrames;
import dev.strata.metrics.MeteredContentTier;
import dev.strata.metrics.MeteredMetadataTier;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.MutableClock;
import dev.strata.testing.TestDatabases;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consolidation of shared frames into per-task objects of bounded frames (issue 12, stage 2):
 * cold polls read a frame or two, consolidated tasks are never picked again, and a deleted task's
 * bytes leave every object within the deletion bound. Time is a {@link MutableClock}, never waited.
 */
class ConsolidationTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    @TempDir
    Path directory;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private Database database;
    private LocalDirectoryContentTier raw;
    private MeteredContentTier content;
    private HookedContentTier hooked;
    private JdbcMetadataTier metadata;
    private TaskMessageStore store;

    @BeforeEach
    void open() {
        database = TestDatabases.sqlite(directory);
        raw = new LocalDirectoryContentTier(directory.resolve("objects"));
        content = new MeteredContentTier(raw, new SimpleMeterRegistry());
        hooked = new HookedContentTier(content);
        metadata = new JdbcMetadataTier(database, clock, new ContentSegmentKeys());
        store = storeOver(metadata);
    }

    /** A store over the test's content tier, with no cache and one flush at a time. */
    private TaskMessageStore storeOver(MetadataTier tier) {
        return new TaskMessageStore(
                tier,
                hooked,
                new FailSafeSegmentCache(new NoSegmentCache()),
                StoreOptions.defaults()
                        .withDecodedCacheBytes(0)
                        .withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 1),
                clock);
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        store.close();
        database.close();
    }

    @Test
    void coldPollOfTheLast10MessagesOfACompacted1000MessageTask_readsAtMost64KB() {
        store.createTask("big");
        Random random = new Random(12);
        for (long batch = 0; batch < 50; batch++) {
            List<NewMessage> messages = new ArrayList<>();
            for (long seq = batch * 20; seq < batch * 20 + 20; seq++) {
                messages.add(text(seq, words(random, 1100)));
            }
            store.append("big", messages);
        }
        store.seal("big");

        CompactionResult result = store.compact("big");

        List<SegmentRecord> segments = segments("big");
        assertThat(result.segmentsBefore()).isEqualTo(50);
        assertThat(segments).as("frames of the consolidated task").hasSizeGreaterThan(2);
        assertThat(segments).allSatisfy(segment -> assertThat(segment.kind()).isEqualTo(ObjectKind.CONSOLIDATED));
        assertThat(segments.stream().map(SegmentRecord::objectId).distinct())
                .as("objects of the consolidated task")
                .hasSize(1);
        assertThat(segments)
                .allSatisfy(segment -> assertThat(segment.byteSize())
                        .as("encoded bytes of frame %d", segment.segmentNo())
                        .isLessThanOrEqualTo(40 << 10));
        assertThat(store.compactionCandidates(64, 100))
                .as("candidates once the task is consolidated")
                .doesNotContain("big");
        assertThat(store.compact("big").merged()).as("a second compaction").isFalse();

        long before = content.bytesRead();
        List<TaskMessage> last10 =
                store.list("big", MessageQuery.all().after(989)).messages();
        long read = content.bytesRead() - before;

        assertThat(last10)
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        range(990, 999).stream().map(NewMessage::seq).toList());
        assertThat(read)
                .as("bytes read from the content tier by a cold poll of 10 messages")
                .isLessThanOrEqualTo(64 << 10);
        assertThat(store.list("big", MessageQuery.all().limitedTo(2000)).messages())
                .as("the whole task after consolidation")
                .hasSize(1000);
    }

    /**
     * An open task's frames leave the shared objects as they are: same segments, same bytes, now
     * in one object of the task (nothing decoded or re-encoded while the task still grows). Once
     * sealed, compaction merges those append-sized frames into frames of about the target size.
     */
    @Test
    void openTask_framesMoveByteForByte_intoAnObjectOfItsOwn_andSealingMergesThem() {
        store.createTask("open");
        Random random = new Random(7);
        for (long batch = 0; batch < 12; batch++) {
            List<NewMessage> messages = new ArrayList<>();
            for (long seq = batch * 20; seq < batch * 20 + 20; seq++) {
                messages.add(text(seq, words(random, 300)));
            }
            store.append("open", messages);
        }
        List<TaskMessage> before = store.list("open", MessageQuery.all()).messages();
        List<SegmentRecord> shared = segments("open");
        List<byte[]> frames = shared.stream().map(this::frameBytes).toList();
        assertThat(shared).allSatisfy(segment -> assertThat(segment.kind()).isEqualTo(ObjectKind.SHARED));

        CompactionResult moved = store.compact("open");

        List<SegmentRecord> after = segments("open");
        assertThat(moved.merged())
                .as("the open task's compaction wrote an object")
                .isTrue();
        assertThat(moved.segmentsAfter()).isEqualTo(12);
        assertThat(after).hasSize(12);
        assertThat(after.stream().map(SegmentRecord::objectId).distinct())
                .as("objects holding the moved frames")
                .hasSize(1);
        for (int i = 0; i < after.size(); i++) {
            SegmentRecord was = shared.get(i);
            SegmentRecord now = after.get(i);
            assertThat(now.kind()).isEqualTo(ObjectKind.CONSOLIDATED);
            assertThat(List.of(now.segmentNo(), now.byteSize(), now.checksum(), now.messageCount()))
                    .as("segment %d keeps its number, length, checksum and messages", was.segmentNo())
                    .isEqualTo(List.of(was.segmentNo(), was.byteSize(), was.checksum(), was.messageCount()));
            assertThat(frameBytes(now))
                    .as("frame of segment %d", was.segmentNo())
                    .isEqualTo(frames.get(i));
        }
        List<TaskFrames.Found> indexed = TaskFrames.in(
                ContentKeys.segment("open", after.get(0).objectId()),
                raw.get(ContentKeys.segment("open", after.get(0).objectId())).orElseThrow());
        assertThat(indexed)
                .as("the moved object's index")
                .extracting(found -> found.frame().offset())
                .containsExactlyElementsOf(
                        after.stream().map(SegmentRecord::frameOffset).toList());
        clock.advance(Duration.ofMinutes(1).plusSeconds(1)); // the longest an emptied shared object waits
        store.purgePendingDeletions();
        assertThat(TaskFrames.keysUnder(raw, ContentKeys.SHARED))
                .as("shared objects once their frames moved")
                .isEmpty();
        assertThat(store.list("open", MessageQuery.all()).messages()).isEqualTo(before);
        assertThat(store.compact("open").merged())
                .as("an open task moved already")
                .isFalse();

        store.append("open", range(240, 259));
        store.seal("open");
        CompactionResult merged = store.compact("open");

        assertThat(merged.merged()).isTrue();
        assertThat(segments("open"))
                .as("frames once sealed and merged")
                .hasSizeLessThan(6)
                .allSatisfy(segment -> assertThat(segment.kind()).isEqualTo(ObjectKind.CONSOLIDATED));
        assertThat(store.compact("open").merged()).as("a merged sealed task").isFalse();
        assertThat(store.list("open", MessageQuery.all()).messages())
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        range(0, 259).stream().map(NewMessage::seq).toList());
    }

    @Test
    void openTaskMove_indexesEachFrameBySeqRangeOfItsSegmentRow_withoutLocatingTheTasksMessages() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MeteredMetadataTier metered = new MeteredMetadataTier(metadata, registry);
        try (TaskMessageStore counted = storeOver(metered)) {
            for (String taskId : List.of("current", "legacy")) {
                counted.createTask(taskId);
                counted.append(taskId, range(0, 19));
                counted.append(taskId, range(10, 29)); // 10 to 19 are stored already
                counted.append(taskId, range(40, 59));
            }
            // A store written before segment rows carried seq ranges (schema version 8).
            database.jdbi()
                    .useHandle(handle -> handle.execute("UPDATE tm_segment SET first_seq = NULL, last_seq = NULL"
                            + " WHERE task_key = (SELECT task_key FROM tm_task WHERE task_id = 'legacy')"));

            for (String taskId : List.of("current", "legacy")) {
                double locatesBefore = locates(registry);
                assertThat(counted.compact(taskId).merged()).isTrue();
                SegmentRecord moved = segments(taskId).get(0);
                String key = ContentKeys.segment(taskId, moved.objectId());
                assertThat(FrameIndex.read(raw.get(key).orElseThrow()).orElseThrow())
                        .as("the index of %s's moved frames: the seqs each frame stored", taskId)
                        .extracting(FrameIndex.Entry::firstSeq, FrameIndex.Entry::lastSeq)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(0L, 19L),
                                org.assertj.core.groups.Tuple.tuple(20L, 29L),
                                org.assertj.core.groups.Tuple.tuple(40L, 59L));
                assertThat(locates(registry) - locatesBefore)
                        .as("message locations %s's move read", taskId)
                        .isEqualTo(taskId.equals("legacy") ? 1 : 0);
            }
        }
    }

    private static double locates(SimpleMeterRegistry registry) {
        return registry.find("strata.tier.operation").tag("operation", "locate").timers().stream()
                .mapToDouble(timer -> timer.count())
                .sum();
    }

    private byte[] frameBytes(SegmentRecord segment) {
        Frame frame = ContentSegmentKeys.frame(segment);
        return raw.get(frame.objectKey(), frame.offset(), frame.length()).orElseThrow();
    }

    @Test
    void compactionCandidates_pickSealedTasksWithSharedFrames_andOpenOnesPastTheThreshold_butNeverConsolidatedOnes() {
        store.createTask("sealed-one-frame");
        store.append("sealed-one-frame", range(0, 4));
        store.seal("sealed-one-frame");
        store.createTask("open-few");
        for (int b = 0; b < 3; b++) {
            store.append("open-few", range(b * 10L, b * 10L + 9));
        }
        store.createTask("open-many");
        for (int b = 0; b < 5; b++) {
            store.append("open-many", range(b * 10L, b * 10L + 9));
        }

        assertThat(store.compactionCandidates(4, 100)).containsExactlyInAnyOrder("sealed-one-frame", "open-many");

        store.compact("sealed-one-frame");
        store.compact("open-many");
        store.append("open-many", range(100, 109));

        assertThat(store.compactionCandidates(4, 100))
                .as("after consolidation: open-many has one new shared frame, below the threshold")
                .isEmpty();
        assertThat(store.list("open-many", MessageQuery.all()).messages()).hasSize(60);
        assertThat(store.list("sealed-one-frame", MessageQuery.all()).messages())
                .hasSize(5);
    }

    @Test
    void deletedTask_sharingAnObjectWithAnother_leavesNoByteInAnyObjectOnceTheBoundPassed() throws Exception {
        String marker = "UNIQUE-MARKER-OF-A-" + java.util.UUID.randomUUID();
        for (String taskId : List.of("blocker", "a", "b")) {
            store.createTask(taskId);
        }
        // A and B in one flush: the first flush (blocker's) is held until both wait for the next.
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean held = new AtomicBoolean();
        hooked.beforePut(key -> {
            if (held.compareAndSet(false, true)) {
                entered.countDown();
                awaitLatch(release);
            }
        });
        Future<?> blocker = threads.submit(() -> store.append("blocker", range(0, 0)));
        awaitLatch(entered);
        Future<?> a = threads.submit(() -> store.append("a", List.of(text(1, marker), text(2, marker + " again"))));
        Future<?> b = threads.submit(() -> store.append("b", range(1, 20)));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> store.queuedAppends() == 2);
        release.countDown();
        blocker.get(30, TimeUnit.SECONDS);
        a.get(30, TimeUnit.SECONDS);
        b.get(30, TimeUnit.SECONDS);
        assertThat(segments("a").get(0).objectId())
                .as("a and b share one object")
                .isEqualTo(segments("b").get(0).objectId());
        assertThat(objectsHolding(marker))
                .as("objects holding a's marker before the delete")
                .hasSize(1);

        store.delete(List.of("a"));
        assertThat(objectsHolding(marker))
                .as("right after the delete, a's bytes still sit in b's shared object")
                .hasSize(1);
        assertThat(store.consolidationCandidates(TTL, 100))
                .as("candidates inside the TTL")
                .isEmpty();

        clock.advance(TTL.plusSeconds(1));
        runLifecycle();
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        runLifecycle();

        assertThat(objectsHolding(marker))
                .as("objects holding a's marker after the bound")
                .isEmpty();
        assertThat(TaskFrames.keysUnder(raw, ContentKeys.SHARED))
                .as("shared objects after the bound")
                .isEmpty();
        assertThat(store.pendingDeletions()).isZero();
        assertThat(store.list("b", MessageQuery.all()).messages())
                .extracting(TaskMessage::content)
                .containsExactlyElementsOf(
                        range(1, 20).stream().map(NewMessage::content).toList());
        assertThat(store.list("blocker", MessageQuery.all()).messages()).hasSize(1);
    }

    /** What the compaction scheduler and the deletion worker do on each pass. */
    private void runLifecycle() {
        store.consolidationCandidates(TTL, 100).forEach(store::compact);
        store.purgePendingDeletions();
    }

    /** Every object in the content tier, taken apart frame by frame and decoded, that holds the text. */
    private List<String> objectsHolding(String text) {
        SegmentCodec codec = new SegmentCodec();
        List<String> holding = new ArrayList<>();
        for (String key : TaskFrames.keysUnder(raw, "")) {
            byte[] bytes = raw.get(key).orElseThrow();
            boolean found = new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
            for (TaskFrames.Found frame : TaskFrames.in(key, bytes)) {
                byte[] frameBytes = java.util.Arrays.copyOfRange(
                        bytes,
                        (int) frame.frame().offset(),
                        (int) frame.frame().offset() + frame.frame().length());
                found |= codec.decode(frame.taskId(), frameBytes).stream()
                        .anyMatch(m -> m.content().contains(text));
            }
            if (found) {
                holding.add(key);
            }
        }
        return holding;
    }

    private List<SegmentRecord> segments(String taskId) {
        return metadata.catalog().segments(metadata.task(taskId).orElseThrow());
    }

    private static String words(Random random, int length) {
        StringBuilder text = new StringBuilder(length + 16);
        while (text.length() < length) {
            text.append(Long.toString(random.nextLong() & 0xFFFFFF, 36)).append(' ');
        }
        return text.toString();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not reached");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
