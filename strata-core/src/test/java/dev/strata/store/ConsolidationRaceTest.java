package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.FsckReport;
import dev.strata.lifecycle.TaskFrames;
import dev.strata.model.AppendResult;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Consolidation under races (issue 12): compaction racing appends, a seal, reads through the list
 * and the commit log, a delete, and another compaction of the same task; and fsck's check of the
 * deletion bound. On both backend sets.
 */
class ConsolidationRaceTest extends AbstractSharedFlushRaceTest {
    @ParameterizedTest
    @EnumSource(Backends.class)
    void consolidationRacingAppendsAndReads_neverFailsAReadNorShowsAGap_andCountsStayExact(Backends backends)
            throws Exception {
        open(backends, StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 2));
        store.createTask("hot");
        AtomicLong acknowledgedUpTo = new AtomicLong(-1);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> readFailure = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger compactions = new AtomicInteger();
        Future<?> writer = threads.submit(() -> {
            try {
                for (long from = 0; from < 300; from += 5) {
                    // A replay of the previous batch overlaps each new one: duplicates race compaction too.
                    AppendResult result = store.append("hot", range(Math.max(0, from - 3), from + 4));
                    assertThat(result.accepted()).isEqualTo(5);
                    acknowledgedUpTo.set(from + 4);
                    if (from == 200) {
                        store.seal("hot");
                    }
                }
            } finally {
                done.set(true);
            }
        });
        Future<?> compactor = threads.submit(() -> {
            while (!done.get()) {
                store.compact("hot");
                store.purgePendingDeletions();
                compactions.incrementAndGet();
            }
        });
        Future<?> reader = threads.submit(() -> {
            try {
                while (!done.get()) {
                    long before = acknowledgedUpTo.get();
                    List<Long> seqs = store.list("hot", MessageQuery.all().limitedTo(1000)).messages().stream()
                            .map(TaskMessage::seq)
                            .toList();
                    assertThat(seqs.size()).isGreaterThanOrEqualTo((int) (before + 1));
                    for (int i = 0; i < seqs.size(); i++) {
                        assertThat(seqs.get(i)).as("seq at position %d", i).isEqualTo(i);
                    }
                    // A live tail's backlog reads the same frames through the commit log.
                    long logBefore = acknowledgedUpTo.get();
                    List<Long> logged = store.log().upTo("hot", MessageQuery.all(), Long.MAX_VALUE, 1000).stream()
                            .map(committed -> committed.message().seq())
                            .toList();
                    assertThat(logged.size()).isGreaterThanOrEqualTo((int) (logBefore + 1));
                    for (int i = 0; i < logged.size(); i++) {
                        assertThat(logged.get(i))
                                .as("logged seq at position %d", i)
                                .isEqualTo(i);
                    }
                    reads.incrementAndGet();
                }
            } catch (Throwable t) {
                readFailure.set(t);
            }
        });
        writer.get(60, TimeUnit.SECONDS);
        compactor.get(60, TimeUnit.SECONDS);
        reader.get(60, TimeUnit.SECONDS);
        assertThat(readFailure.get()).as("a read during consolidation failed").isNull();
        assertThat(reads.get()).isPositive();
        assertThat(compactions.get()).isPositive();

        store.compact("hot");
        assertThat(store.list("hot", MessageQuery.all().limitedTo(1000)).messages())
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        range(0, 299).stream().map(NewMessage::seq).toList());
        assertThat(store.task("hot").orElseThrow().messageCount()).isEqualTo(300);
        assertLiveFramesMatchSegments();

        // Deleted while a compaction runs: the compaction gives way, nothing of the task stays.
        Future<?> lastCompaction = threads.submit(() -> {
            try {
                store.compact("hot");
            } catch (TaskNotFoundException e) {
                // Lost the race with the delete, as it may.
            }
        });
        store.delete(List.of("hot"));
        lastCompaction.get(30, TimeUnit.SECONDS);
        clock.advance(TTL.plusMinutes(2));
        runLifecycle();
        assertLiveFramesMatchSegments();
        assertThat(liveFrames()).isEmpty();
        FsckReport report = fsck(Duration.ZERO).run(Fsck.Mode.CHECK, checked -> {});
        assertThat(report.problems()).as("fsck once the task is deleted").isEmpty();
        assertThat(TaskFrames.keysUnder(raw, "")).as("objects left").isEmpty();
    }

    /**
     * Regression: a compaction that planned its runs and then found every segment of a run already
     * replaced by a concurrent compaction (another instance's sweep, a seal's request) merged an
     * empty message list: it wrote an object of no frames, then failed with
     * IllegalArgumentException ("a replacement has at least one frame") instead of giving way, and
     * left that object behind as an orphan.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void compactionWhoseRunAConcurrentCompactionReplaced_givesWay_withoutWritingAnEmptyObject(Backends backends)
            throws Exception {
        open(backends, oneFlushAtATime());
        store.createTask("t");
        for (long from = 0; from < 30; from += 10) {
            store.append("t", range(from, from + 9));
        }
        // Planning reads the frames' headers; from the content tier, not the cache, so it can be held there.
        cache.invalidate(metadata.catalog().segments(metadata.task("t").orElseThrow()).stream()
                .map(segment -> ContentSegmentKeys.frame(segment).cacheKey())
                .toList());
        CountDownLatch planning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean held = new AtomicBoolean();
        content.beforeGet(key -> {
            if (held.compareAndSet(false, true)) {
                planning.countDown();
                awaitLatch(release);
            }
        });
        Future<CompactionResult> late = threads.submit(() -> store.compact("t"));
        awaitLatch(planning);
        CompactionResult first = store.compact("t");
        List<String> objectsAfterFirst = TaskFrames.keysUnder(raw, "");
        release.countDown();

        assertThat(first.merged()).as("the first compaction merged").isTrue();
        CompactionResult second = late.get(30, TimeUnit.SECONDS);
        assertThat(second.merged()).as("the late compaction merged").isFalse();
        assertThat(TaskFrames.keysUnder(raw, ""))
                .as("objects once the late compaction gave way")
                .containsExactlyInAnyOrderElementsOf(objectsAfterFirst);
        assertThat(store.list("t", MessageQuery.all()).messages())
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        range(0, 29).stream().map(NewMessage::seq).toList());
        assertLiveFramesMatchSegments();
    }

    /**
     * Regression: fsck judged "shared objects past the deletion bound" by the default shared
     * segment TTL (10 min) whatever {@code STRATA_SHARED_SEGMENT_TTL} the compaction scheduler ran
     * with: a longer TTL made it report healthy stores, a shorter one hid late consolidation.
     */
    @ParameterizedTest
    @EnumSource(value = Backends.class, names = "EMBEDDED")
    void fsck_judgesTheDeletionBound_byTheConfiguredSharedSegmentTtl_notTheDefault(Backends backends) {
        open(backends, oneFlushAtATime());
        store.createTask("t");
        store.append("t", range(0, 4));
        clock.advance(Duration.ofMinutes(20));

        assertThat(fsckWithTtl(Duration.ofMinutes(30)).problems())
                .as("problems with a 30-minute TTL, 20 minutes after the flush")
                .isEmpty();
        assertThat(fsckWithTtl(Duration.ofMinutes(5)).problems())
                .as("problems with a 5-minute TTL, 20 minutes after the flush")
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("shared objects past the deletion bound")
                .endsWith("more than PT7M ago");
    }

    private FsckReport fsckWithTtl(Duration sharedSegmentTtl) {
        return new Fsck(
                        metadata,
                        raw,
                        new dev.strata.tier.cache.FailSafeSegmentCache(cache),
                        new dev.strata.codec.SegmentCodec(),
                        clock,
                        Duration.ofHours(1),
                        dev.strata.lifecycle.KnownTasks.everyStoreTask(),
                        Duration.ofMinutes(2),
                        sharedSegmentTtl)
                .run(Fsck.Mode.CHECK, checked -> {});
    }
}
