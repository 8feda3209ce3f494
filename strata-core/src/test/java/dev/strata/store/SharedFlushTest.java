package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static dev.strata.testing.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.strata.model.AppendResult;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.content.ContentKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared write path (issue 12): appends waiting at the same moment go into one shared object
 * and one metadata transaction, first write wins across and within flushes, and a flush that
 * fails (its object write or its commit) fails every append in it with nothing visible. On both
 * backend sets: SQLite with a local directory, PostgreSQL with S3 (S3Proxy). Flushes are held at
 * a known point with a content hook, so which appends share a flush is certain, not timed.
 */
class SharedFlushTest extends AbstractSharedFlushRaceTest {
    @ParameterizedTest
    @EnumSource(Backends.class)
    void appendsOfManyTasksWaitingTogether_shareOneObject_andEachGetsItsExactResult(Backends backends) {
        // The default four flush workers: the three idle ones used to take the waiting appends as
        // they came, so a busy store wrote many small objects (and ran as many transactions).
        open(backends, StoreOptions.defaults());
        for (int t = 0; t < 40; t++) {
            store.createTask("task-" + t);
        }
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> first = threads.submit(() -> store.append("task-0", range(0, 9)));
        awaitLatch(entered);
        List<Future<AppendResult>> waiting = new ArrayList<>();
        for (int t = 1; t < 40; t++) {
            String taskId = "task-" + t;
            waiting.add(threads.submit(() -> store.append(taskId, range(0, 19))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> store.queuedAppends() == 39);

        release.countDown();

        assertThat(get(first)).isEqualTo(new AppendResult(10, 0, 0));
        for (Future<AppendResult> result : waiting) {
            assertThat(get(result)).isEqualTo(new AppendResult(20, 0, 0));
        }
        assertThat(sharedKeys())
                .as("objects of 40 appends: the held flush's and one for the 39 that waited, not one per idle worker")
                .hasSize(2);
        assertThat(raw.list(ContentKeys.TASKS, "", 10))
                .as("objects of single tasks")
                .isEmpty();
        for (int t = 1; t < 40; t++) {
            assertThat(store.list("task-" + t, MessageQuery.all()).messages())
                    .extracting(TaskMessage::content)
                    .isEqualTo(range(0, 19).stream().map(NewMessage::content).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Backends.class)
    void aQuarterOfMaxBytesWaiting_startsAnotherFlush_besideTheRunningOne(Backends backends) {
        // 8 KiB per flush: frames of about 2 KiB (incompressible) fill a quarter of it one by one.
        open(backends, StoreOptions.defaults().withFlush(8 << 10, Duration.ZERO, 2));
        store.createTask("held");
        store.createTask("next");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> held = threads.submit(() -> store.append("held", range(0, 0)));
        awaitLatch(entered);

        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        StringBuilder noise = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            noise.append((char) ('!' + random.nextInt(90)));
        }
        Future<AppendResult> next = threads.submit(() -> store.append("next", List.of(text(0, noise.toString()))));

        assertThat(get(next))
                .as("stored by a second flush while the first is still held")
                .isEqualTo(new AppendResult(1, 0, 0));
        assertThat(held).isNotDone();
        release.countDown();
        assertThat(get(held)).isEqualTo(new AppendResult(1, 0, 0));
    }

    @ParameterizedTest
    @EnumSource(Backends.class)
    void twoAppendsOfOneTaskInOneFlush_theFirstWins_andEachIsItsOwnCommit(Backends backends) {
        open(backends, oneFlushAtATime());
        store.createTask("blocker");
        store.createTask("t");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> blocker = threads.submit(() -> store.append("blocker", range(0, 0)));
        awaitLatch(entered);
        List<NewMessage> firstBatch = new ArrayList<>();
        List<NewMessage> secondBatch = new ArrayList<>();
        for (long seq = 0; seq < 10; seq++) {
            firstBatch.add(text(seq, "first " + seq));
            secondBatch.add(text(seq + 5, "second " + (seq + 5)));
        }
        Future<AppendResult> first = queue(() -> store.append("t", firstBatch), 1);
        Future<AppendResult> second = queue(() -> store.append("t", secondBatch), 2);

        release.countDown();

        assertThat(get(blocker)).isEqualTo(new AppendResult(1, 0, 0));
        assertThat(get(first)).isEqualTo(new AppendResult(10, 0, 0));
        assertThat(get(second)).as("seqs 5 to 9 were stored by the first").isEqualTo(new AppendResult(5, 5, 0));
        List<TaskMessage> all = store.list("t", MessageQuery.all()).messages();
        assertThat(all)
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        range(0, 14).stream().map(NewMessage::seq).toList());
        assertThat(all.subList(5, 10)).extracting(TaskMessage::content).allMatch(c -> c.startsWith("first "));
        assertThat(sharedKeys())
                .as("the blocker's object and the one both appends share")
                .hasSize(2);
        assertThat(store.log().horizon("t")).as("one commit per append").contains(2L);
        assertThat(store.task("t").orElseThrow().messageCount()).isEqualTo(15);
    }

    @ParameterizedTest
    @EnumSource(Backends.class)
    void concurrentDuplicateAppends_acrossFlushes_storeEachSeqOnce_withExactCounts(Backends backends) {
        open(backends, StoreOptions.defaults());
        store.createTask("dup");
        List<Future<AppendResult>> results = new ArrayList<>();
        for (int writer = 0; writer < 16; writer++) {
            long from = (writer % 4) * 10L;
            results.add(threads.submit(() -> store.append("dup", range(from, from + 29))));
        }
        long accepted = 0;
        for (Future<AppendResult> result : results) {
            AppendResult r = get(result);
            assertThat(r.accepted() + r.duplicates()).isEqualTo(30);
            accepted += r.accepted();
        }
        assertThat(accepted).as("seqs 0 to 59, each accepted once").isEqualTo(60);
        assertThat(store.list("dup", MessageQuery.all()).messages())
                .extracting(TaskMessage::seq)
                .containsExactlyElementsOf(
                        range(0, 59).stream().map(NewMessage::seq).toList());
        assertThat(store.task("dup").orElseThrow().messageCount()).isEqualTo(60);
    }

    @ParameterizedTest
    @EnumSource(Backends.class)
    void flushWhoseObjectWriteFails_failsEveryAppendInIt_nothingIsVisible_andTheRetrySucceeds(Backends backends) {
        open(backends, oneFlushAtATime());
        for (String taskId : List.of("a", "b", "c", "d")) {
            store.createTask(taskId);
        }
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean failing = new AtomicBoolean(true);
        AtomicBoolean held = new AtomicBoolean();
        content.beforePut(key -> {
            if (held.compareAndSet(false, true)) {
                entered.countDown();
                awaitLatch(release);
            }
            if (failing.get()) {
                throw new BackendUnavailableException("content put of " + key + " failed: injected", null);
            }
        });
        Future<AppendResult> first = threads.submit(() -> store.append("a", range(0, 4)));
        awaitLatch(entered);
        List<Future<AppendResult>> together = new ArrayList<>();
        for (String taskId : List.of("b", "c", "d")) {
            together.add(threads.submit(() -> store.append(taskId, range(0, 4))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> store.queuedAppends() == 3);

        release.countDown();

        assertFailsUnavailable(first);
        together.forEach(SharedFlushTest::assertFailsUnavailable);
        for (String taskId : List.of("a", "b", "c", "d")) {
            assertThat(store.list(taskId, MessageQuery.all()).messages())
                    .as("messages of %s", taskId)
                    .isEmpty();
            assertThat(store.task(taskId).orElseThrow().messageCount()).isZero();
        }
        assertThat(sharedKeys()).isEmpty();

        failing.set(false);
        for (String taskId : List.of("a", "b", "c", "d")) {
            assertThat(store.append(taskId, range(0, 4))).isEqualTo(new AppendResult(5, 0, 0));
            assertThat(store.list(taskId, MessageQuery.all()).messages()).hasSize(5);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backends.class, names = "SCALED")
    void flushWhoseMetadataCommitFails_failsEveryAppendInIt_nothingIsVisible(Backends backends) {
        open(backends, oneFlushAtATime());
        for (String taskId : List.of("a", "b")) {
            store.createTask(taskId);
        }
        // The object is durable; then PostgreSQL drops every connection before the commit.
        content.afterPut(key -> postgresProxy.reset());

        assertThatThrownBy(() -> store.append("a", range(0, 4)))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("metadata commitFlush for a");
        content.afterPut(key -> {});
        postgresProxy.pass();

        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(BackendUnavailableException.class)
                .untilAsserted(
                        () -> assertThat(store.list("a", MessageQuery.all()).messages())
                                .isEmpty());
        assertThat(store.task("a").orElseThrow().messageCount()).isZero();
        assertThat(sharedKeys())
                .as("the uncommitted object stays for orphan collection (the commit might have landed)")
                .hasSize(1);
        assertThat(store.append("a", range(0, 4))).isEqualTo(new AppendResult(5, 0, 0));
        assertThat(store.append("b", range(0, 4))).isEqualTo(new AppendResult(5, 0, 0));
    }

    @ParameterizedTest
    @EnumSource(Backends.class)
    void deleteRacingAnAppend_whoseObjectIsWritten_failsTheAppendAsNotFound_andKeepsOthersInTheFlush(
            Backends backends) {
        open(backends, oneFlushAtATime());
        store.createTask("doomed");
        store.createTask("kept");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdNextPut(entered);
        Future<AppendResult> blocker = threads.submit(() -> store.append("kept", range(0, 0)));
        awaitLatch(entered);
        Future<AppendResult> doomed = threads.submit(() -> store.append("doomed", range(0, 4)));
        Future<AppendResult> kept = threads.submit(() -> store.append("kept", range(1, 5)));
        await().atMost(Duration.ofSeconds(30)).until(() -> store.queuedAppends() == 2);
        store.delete(List.of("doomed"));

        release.countDown();

        assertThat(get(blocker)).isEqualTo(new AppendResult(1, 0, 0));
        assertThatThrownBy(() -> get(doomed)).isInstanceOf(TaskNotFoundException.class);
        assertThat(get(kept)).isEqualTo(new AppendResult(5, 0, 0));
        assertThat(store.list("kept", MessageQuery.all()).messages()).hasSize(6);
        assertThat(store.task("doomed")).isEmpty();
    }

    private static void assertFailsUnavailable(Future<AppendResult> result) {
        assertThatThrownBy(() -> get(result))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("injected");
    }
}
