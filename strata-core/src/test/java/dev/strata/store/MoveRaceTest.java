package dev.strata.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.AppendResult;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The move of an open task's frames (Compaction.move, SegmentCatalog.moveSegments) racing a second instance's seal and merge, a task delete, and frames that hold
 * race-loser copies; after each race: reads, counters, live frame counts, fsck and the objects left.
 */
class MoveRaceTest extends AbstractSharedFlushRaceTest {

    private static StoreOptions options() {
        return oneFlushAtATime().withReplacedSegmentGrace(Duration.ofMinutes(5));
    }

    /** Holds the n-th put under the task's prefix (1-based) until its latch opens; reports reaching it. */
    private final class Holds {
        final List<CountDownLatch> reached = new ArrayList<>();
        final List<CountDownLatch> release = new ArrayList<>();
        final AtomicInteger count = new AtomicInteger();

        Holds(String taskId, int holds) {
            for (int i = 0; i < holds; i++) {
                reached.add(new CountDownLatch(1));
                release.add(new CountDownLatch(1));
            }
            String prefix = ContentKeys.taskPrefix(taskId);
            content.afterPut(key -> {
                if (!key.startsWith(prefix)) {
                    return;
                }
                int n = count.getAndIncrement();
                if (n < holds) {
                    reached.get(n).countDown();
                    awaitLatch(release.get(n));
                }
            });
        }
    }

    private List<String> contents(TaskMessageStore s, String taskId) {
        return s.list(taskId, MessageQuery.all().limitedTo(10_000)).messages().stream()
                .map(TaskMessage::content)
                .toList();
    }

    private void finish(TaskMessageStore s) {
        content.afterPut(key -> {});
        clock.advance(Duration.ofHours(2));
        s.purgePendingDeletions();
    }

    private void assertClean() {
        assertLiveFramesMatchSegments();
        assertThat(fsck(Duration.ofHours(1))
                        .run(dev.strata.lifecycle.Fsck.Mode.CHECK, done -> {})
                        .problems())
                .as("fsck problems")
                .isEmpty();
    }

    /** Creates the task, then appends {@code batches} batches of 5 messages, alternately through a and b. */
    private static void createAndFillAlternately(TaskMessageStore a, TaskMessageStore b, String task, int batches) {
        a.createTask(task);
        for (int i = 0; i < batches; i++) {
            (i % 2 == 0 ? a : b).append(task, tagged("m", i * 5L, i * 5L + 4));
        }
    }

    private List<String> taskObjects(String taskId) {
        return dev.strata.lifecycle.TaskFrames.keysUnder(raw, ContentKeys.taskPrefix(taskId));
    }

    /**
     * A move of the open task holds after writing its object; meanwhile a second instance seals the
     * task and merges it (the merge commits first), then the move commits (must give way); and the
     * reverse order: the move commits while the merge is held, then the merge commits over the moved
     * rows.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void moveAndMergeOfTwoInstances_eitherOrder_keepEveryMessageOnce(Backends backends) throws Exception {
        for (boolean mergeFirst : List.of(true, false)) {
            TaskMessageStore a = open(backends, options());
            TaskMessageStore b = reopen(options());
            String task = "t-" + mergeFirst;
            createAndFillAlternately(a, b, task, 12);
            List<String> expected = contents("m", 0, 59);
            assertThat(contents(a, task)).isEqualTo(expected);

            Holds holds = new Holds(task, 2);
            Future<CompactionResult> move = threads.submit(() -> a.compact(task)); // open: a move
            awaitLatch(holds.reached.get(0));
            b.seal(task);
            Future<CompactionResult> merge = threads.submit(() -> b.compact(task)); // sealed: a merge
            awaitLatch(holds.reached.get(1));
            Future<CompactionResult> first = mergeFirst ? merge : move;
            Future<CompactionResult> second = mergeFirst ? move : merge;
            holds.release.get(mergeFirst ? 1 : 0).countDown();
            CompactionResult firstResult = first.get(60, TimeUnit.SECONDS);
            holds.release.get(mergeFirst ? 0 : 1).countDown();
            CompactionResult secondResult = second.get(60, TimeUnit.SECONDS);

            assertThat(contents(a, task))
                    .as("reads of a, mergeFirst=%s", mergeFirst)
                    .isEqualTo(expected);
            assertThat(contents(b, task))
                    .as("reads of b, mergeFirst=%s", mergeFirst)
                    .isEqualTo(expected);
            assertClean();
            finish(a);
            assertThat(contents(a, task))
                    .as("reads after purge, mergeFirst=%s", mergeFirst)
                    .isEqualTo(expected);
            assertThat(contents(b, task)).isEqualTo(expected);
            assertClean();
            assertThat(sharedKeys())
                    .as("shared objects left (results %s, %s)", firstResult, secondResult)
                    .isEmpty();
            // Whatever won, the sealed task ends merged, in one object, once compacted again.
            b.compact(task);
            finish(b);
            assertThat(contents(b, task)).isEqualTo(expected);
            assertThat(taskObjects(task))
                    .as("objects of the task, mergeFirst=%s", mergeFirst)
                    .hasSize(1);
            assertClean();
            closeStore();
        }
    }

    /** A move holds after writing its object; the task is deleted; then the move tries to commit. */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void taskDeletedWhileAMoveHoldsItsObject_leavesNoByteOfTheTask(Backends backends) throws Exception {
        TaskMessageStore a = open(backends, options());
        String marker = "DOOMED-MOVE-" + java.util.UUID.randomUUID();
        a.createTask("doomed");
        a.createTask("kept");
        for (int i = 0; i < 6; i++) {
            a.append("doomed", tagged(marker, i * 3L, i * 3L + 2));
            a.append("kept", tagged("k", i * 3L, i * 3L + 2));
        }
        Holds holds = new Holds("doomed", 1);
        Future<CompactionResult> move = threads.submit(() -> a.compact("doomed"));
        awaitLatch(holds.reached.get(0));
        a.delete(List.of("doomed"));
        holds.release.get(0).countDown();
        assertThatThrownBy(() -> move.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TaskNotFoundException.class);
        runLifecycle();
        finish(a);
        runLifecycle();
        assertThat(objectsHolding(marker))
                .as("objects holding the deleted task's bytes")
                .isEmpty();
        assertThat(contents(a, "kept")).isEqualTo(contents("k", 0, 17));
        assertClean();
    }

    /**
     * Two instances append overlapping seqs with different contents, so frames hold race-loser
     * copies; the open task's frames move, then the task is sealed and merged: every read shows the
     * winners exactly as before.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void framesHoldingRaceLosers_moveThenMerge_readTheWinners(Backends backends) throws Exception {
        TaskMessageStore a = open(backends, StoreOptions.defaults());
        TaskMessageStore b = reopen(StoreOptions.defaults());
        a.createTask("contested");
        for (int round = 0; round < 4; round++) {
            long base = round * 40L;
            List<Future<AppendResult>> results = new ArrayList<>();
            for (int writer = 0; writer < 8; writer++) {
                long from = base + (writer % 4) * 10L;
                String tag = "r" + round + "w" + writer;
                TaskMessageStore s = writer % 2 == 0 ? a : b;
                results.add(threads.submit(() -> s.append("contested", tagged(tag, from, from + 19))));
            }
            results.forEach(AbstractSharedFlushRaceTest::get);
        }
        List<TaskMessage> before =
                a.list("contested", MessageQuery.all().limitedTo(10_000)).messages();
        assertThat(before).hasSize(170);
        CompactionResult moved = a.compact("contested");
        List<SegmentRecord> segments =
                metadata.catalog().segments(metadata.task("contested").orElseThrow());
        assertThat(segments).allSatisfy(s -> assertThat(s.kind()).isEqualTo(ObjectKind.CONSOLIDATED));
        assertThat(b.list("contested", MessageQuery.all().limitedTo(10_000)).messages())
                .as("after the move (%s)", moved)
                .isEqualTo(before);
        assertClean();
        b.seal("contested");
        b.compact("contested");
        finish(a);
        assertThat(a.list("contested", MessageQuery.all().limitedTo(10_000)).messages())
                .as("after the merge")
                .isEqualTo(before);
        assertThat(taskObjects("contested")).hasSize(1);
        assertClean();
    }

    /**
     * Two instances move the same open task's frames at once (both objects written before either
     * commits), with an append committed between their reads and their commits; either may win.
     */
    @ParameterizedTest
    @EnumSource(Backends.class)
    void twoMovesOfOneOpenTask_withAnAppendBetween_oneWins_andNothingLeaks(Backends backends) throws Exception {
        for (boolean firstWins : List.of(true, false)) {
            TaskMessageStore a = open(backends, options());
            TaskMessageStore b = reopen(options());
            String task = "m-" + firstWins;
            createAndFillAlternately(a, b, task, 10);
            Holds holds = new Holds(task, 2);
            Future<CompactionResult> first = threads.submit(() -> a.compact(task));
            awaitLatch(holds.reached.get(0));
            Future<CompactionResult> second = threads.submit(() -> b.compact(task));
            awaitLatch(holds.reached.get(1));
            b.append(task, tagged("m", 50, 54));
            Future<CompactionResult> winner = firstWins ? first : second;
            Future<CompactionResult> loser = firstWins ? second : first;
            holds.release.get(firstWins ? 0 : 1).countDown();
            CompactionResult won = winner.get(60, TimeUnit.SECONDS);
            holds.release.get(firstWins ? 1 : 0).countDown();
            CompactionResult lost = loser.get(60, TimeUnit.SECONDS);
            List<String> expected = contents("m", 0, 54);
            assertThat(contents(a, task)).as("%s / %s", won, lost).isEqualTo(expected);
            assertThat(contents(b, task)).isEqualTo(expected);
            assertClean();
            finish(a);
            assertThat(contents(b, task)).isEqualTo(expected);
            assertThat(taskObjects(task))
                    .as("objects of the task: the winner's")
                    .hasSize(1);
            // Not fsck here: the appended shared frame is older than the bound on the moved clock.
            assertLiveFramesMatchSegments();
            // The appended frame moves next time; then sealed, all merge into one.
            a.compact(task);
            b.seal(task);
            b.compact(task);
            finish(b);
            assertThat(contents(a, task)).isEqualTo(expected);
            assertThat(taskObjects(task)).hasSize(1);
            assertThat(sharedKeys()).isEmpty();
            assertClean();
            closeStore();
        }
    }
}
