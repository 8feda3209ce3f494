package dev.strata.tier.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.store.MessageQuery;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every metadata backend must do; each database's test subclasses this. */
public abstract class AbstractMetadataTierContractTest {
    protected Database database;
    protected MetadataTier metadata;

    protected abstract Database openDatabase();

    protected void cleanUp() {
    }

    @BeforeEach
    void open() {
        database = openDatabase();
        metadata = new JdbcMetadataTier(database);
    }

    @AfterEach
    void close() {
        metadata.close();
        database.close();
        cleanUp();
    }

    @Test
    void createTask_isIdempotent() {
        assertThat(metadata.createTask("t", Instant.now())).isTrue();
        assertThat(metadata.createTask("t", Instant.now())).isFalse();
        assertThat(metadata.task("t")).hasValueSatisfying(task -> assertThat(task.summary().messageCount()).isZero());
        assertThat(metadata.task("missing")).isEmpty();
    }

    @Test
    void commit_firstWriteWinsPerSeq() {
        TaskRecord task = created("t");

        var first = metadata.commit(segment(task, 1, 0, 9));
        var second = metadata.commit(segment(task, 2, 5, 14));
        var third = metadata.commit(segment(task, 3, 0, 14));

        assertThat(first).isEqualTo(new CommitOutcome.Committed(seqs(0, 9)));
        assertThat(second).isEqualTo(new CommitOutcome.Committed(seqs(10, 14)));
        assertThat(third).isEqualTo(new CommitOutcome.Committed(Set.of()));
        List<MessageLocation> located = metadata.locate(task, MessageQuery.all(), Long.MAX_VALUE);
        assertThat(located).extracting(MessageLocation::seq).containsExactlyElementsOf(LongStream.rangeClosed(0, 14).boxed().toList());
        assertThat(located.get(7).objectKey()).isEqualTo(ContentKeys.segment("t", 1));
        assertThat(located.get(12).objectKey()).isEqualTo(ContentKeys.segment("t", 2));
        assertThat(metadata.task("t").orElseThrow().summary().messageCount()).isEqualTo(15);
        assertThat(metadata.storedSeqs(task.taskKey(), List.of(3L, 14L, 15L))).containsExactlyInAnyOrder(3L, 14L);
    }

    @Test
    void concurrentCommits_storeEachSeqOnce() {
        TaskRecord task = created("t");
        List<CompletableFuture<CommitOutcome>> commits = new ArrayList<>();
        int inserted;
        // Threads of their own: the common pool may have one thread on a small machine.
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 8; i++) {
                long objectId = i;
                commits.add(CompletableFuture.supplyAsync(() -> {
                    awaitUninterruptibly(start);
                    return metadata.commit(segment(task, objectId, 0, 99));
                }, threads));
            }
            start.countDown();
            inserted = commits.stream().map(CompletableFuture::join)
                    .mapToInt(outcome -> ((CommitOutcome.Committed) outcome).insertedSeqs().size()).sum();
        }

        assertThat(inserted).isEqualTo(100);
        assertThat(metadata.task("t").orElseThrow().summary().messageCount()).isEqualTo(100);
    }

    @Test
    void commit_afterTheTaskWasDeleted_reportsTaskGone() {
        TaskRecord task = created("t");
        metadata.deleteTasks(List.of("t"));

        assertThat(metadata.commit(segment(task, 1, 0, 0))).isInstanceOf(CommitOutcome.TaskGone.class);
    }

    @Test
    void deleteTasks_queuesEverySegmentForDeletionInTheSameTransaction() {
        TaskRecord task = created("t");
        metadata.commit(segment(task, 1, 0, 4));
        metadata.commit(segment(task, 2, 5, 9));

        List<PendingDeletion> queued = metadata.deleteTasks(List.of("t", "unknown"));

        assertThat(queued).extracting(PendingDeletion::objectKey)
                .containsExactlyInAnyOrder(ContentKeys.segment("t", 1), ContentKeys.segment("t", 2));
        assertThat(metadata.task("t")).isEmpty();
        assertThat(metadata.deletions().size()).isEqualTo(2);
        assertThat(metadata.deletions().due(Instant.now(), 10)).containsExactlyElementsOf(queued);
        metadata.deletions().complete(queued.stream().map(PendingDeletion::deletionId).toList());
        assertThat(metadata.deletions().size()).isZero();
    }

    @Test
    void countByType_andSeal() {
        TaskRecord task = created("t");
        metadata.commit(segment(task, 1, 0, 5));

        assertThat(metadata.countByType(List.of("t", "x"))).containsOnlyKeys("t");
        assertThat(metadata.countByType(List.of("t")).get("t")).containsEntry("even", 3L).containsEntry("odd", 3L);
        assertThat(metadata.seal("t")).isTrue();
        assertThat(metadata.seal("x")).isFalse();
        assertThat(metadata.task("t").orElseThrow().summary().sealed()).isTrue();
    }

    private static void awaitUninterruptibly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private TaskRecord created(String taskId) {
        metadata.createTask(taskId, Instant.now());
        return metadata.task(taskId).orElseThrow();
    }

    private static SegmentCommit segment(TaskRecord task, long objectId, long from, long to) {
        List<MessageRow> rows = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            rows.add(new MessageRow(seq, seq % 2 == 0 ? "even" : "odd", "Tool", "call-" + seq, 1_700_000_000_000L + seq));
        }
        return new SegmentCommit(task.taskKey(), objectId, 100, 7, rows);
    }

    private static Set<Long> seqs(long from, long to) {
        return Set.copyOf(LongStream.rangeClosed(from, to).boxed().toList());
    }
}
