package dev.strata.tier.metadata;

import dev.strata.model.MessageQuery;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The source of truth: which messages exist, and which segment object holds each one. A message
 * is visible exactly when its row is committed here, so content written for an append that never
 * committed stays invisible.
 *
 * <p>Implementations are thread-safe and translate driver errors into
 * {@link dev.strata.model.BackendUnavailableException} with the operation and task in the message.
 */
public interface MetadataTier extends AutoCloseable {

    /**
     * Registers a task so messages can be appended to it. Idempotent.
     *
     * @return true when the task was created by this call, false when it existed already
     */
    default boolean createTask(String taskId, Instant createdAt) {
        return !createTasks(List.of(taskId), createdAt).isEmpty();
    }

    /**
     * Registers tasks, in one transaction (an import creates thousands). Idempotent.
     *
     * @return the ids created by this call (the others existed already)
     */
    Set<String> createTasks(Collection<String> taskIds, Instant createdAt);

    /** @return the task's metadata, or empty when it does not exist */
    Optional<TaskRecord> task(String taskId);

    /**
     * @return those of {@code seqs} already stored for the task; empty when the task does not
     *     exist or is no longer the task that was read (deleted, and perhaps created again)
     */
    Set<Long> storedSeqs(TaskRecord task, Collection<Long> seqs);

    /**
     * {@link #task} and {@link #storedSeqs} at once, in one statement for batches of up to 500
     * seqs: the two reads an append makes before it encodes its frame.
     *
     * @return the task and those of {@code seqs} it stores, or empty when the task does not exist
     */
    Optional<TaskSeqs> taskWithStoredSeqs(String taskId, Collection<Long> seqs);

    /**
     * Atomically records a new segment and every one of its messages whose seq is not yet stored
     * (first write wins), and updates the task's counters. When no message is new, nothing is
     * recorded and the segment object is unreferenced. The commit applies only to the very task
     * that was read: task keys are never reused, and the task id must still match.
     *
     * @param task the task as read before the segment was written; its key is the segment's
     * @return the outcome; {@link CommitOutcome.TaskGone} when the task was deleted meanwhile,
     *     even if a task with the same id was created since
     */
    CommitOutcome commit(TaskRecord task, SegmentCommit segment);

    /**
     * Commits every frame of one flush in one transaction: for each, exactly what {@link #commit}
     * does for one segment (first write wins, the task must still be the one read, each frame its
     * own segment number), and records the shared object with the number of frames that stored a
     * message. Either all of it is committed or, when this throws, none of it.
     *
     * @return an outcome per frame, in the order of {@link FlushCommit#frames()}
     */
    List<CommitOutcome> commitFlush(FlushCommit flush);

    /**
     * Finds the segment of each message matching the query, in seq order, at most {@code limit} rows:
     * the first ones, or the last ones when the query keeps the {@link MessageQuery.End#NEWEST newest}.
     * Messages whose type is unknown to the store never match an include filter.
     */
    List<MessageLocation> locate(TaskRecord task, MessageQuery query, long limit);

    /** @return for each existing task among {@code taskIds}, its message count per type (types with none absent) */
    Map<String, Map<String, Long>> countByType(Collection<String> taskIds);

    /**
     * Marks a task sealed: it ended and its segments may be compacted.
     *
     * @return false when the task does not exist
     */
    default boolean seal(String taskId) {
        return !seal(List.of(taskId)).isEmpty();
    }

    /**
     * Marks tasks sealed, in one transaction.
     *
     * @return the ids of those that exist (the others are ignored)
     */
    Set<String> seal(Collection<String> taskIds);

    /**
     * Removes the tasks and all their message metadata in one transaction, and in the same
     * transaction queues their segment objects for deletion (see {@link DeletionQueue}), so
     * content is never forgotten by a crash. Unknown ids are ignored.
     *
     * @return the deletions queued
     */
    List<PendingDeletion> deleteTasks(Collection<String> taskIds);

    /** The queue of content objects that must still be removed. */
    DeletionQueue deletions();

    /** The task's messages in commit order, for live tails. */
    CommitLog commitLog();

    /** The segments metadata references, for compaction, orphan collection and fsck. */
    SegmentCatalog catalog();

    /**
     * Checks that the database answers, for readiness probes.
     *
     * @throws dev.strata.model.BackendUnavailableException when it does not
     */
    void check();

    @Override
    void close();
}
