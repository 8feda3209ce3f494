package dev.strata.testing;

import dev.strata.store.BackendUnavailableException;
import dev.strata.store.MessageQuery;
import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.DeletionQueue;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real metadata tier whose next commits succeed and then throw, as when the connection is lost
 * after {@code COMMIT} reached the database but before its answer reached Strata: the client sees
 * a failed append that was in fact stored. Everything else goes straight to the wrapped tier.
 */
public final class CommitThenFailMetadataTier implements MetadataTier {
    private final MetadataTier delegate;
    private final AtomicInteger failuresLeft = new AtomicInteger();

    public CommitThenFailMetadataTier(MetadataTier delegate) {
        this.delegate = delegate;
    }

    /** The next {@code count} commits are applied and then reported as failed. */
    public void failAfterTheNextCommits(int count) {
        failuresLeft.set(count);
    }

    @Override
    public CommitOutcome commit(SegmentCommit commit) {
        CommitOutcome outcome = delegate.commit(commit);
        if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new BackendUnavailableException("metadata commit of task key " + commit.taskKey()
                    + " failed: connection lost after COMMIT (injected; the commit was applied)", null);
        }
        return outcome;
    }

    @Override
    public boolean createTask(String taskId, Instant createdAt) {
        return delegate.createTask(taskId, createdAt);
    }

    @Override
    public Optional<TaskRecord> task(String taskId) {
        return delegate.task(taskId);
    }

    @Override
    public Set<Long> storedSeqs(long taskKey, Collection<Long> seqs) {
        return delegate.storedSeqs(taskKey, seqs);
    }

    @Override
    public List<MessageLocation> locate(TaskRecord task, MessageQuery query, long limit) {
        return delegate.locate(task, query, limit);
    }

    @Override
    public Map<String, Map<String, Long>> countByType(Collection<String> taskIds) {
        return delegate.countByType(taskIds);
    }

    @Override
    public boolean seal(String taskId) {
        return delegate.seal(taskId);
    }

    @Override
    public List<PendingDeletion> deleteTasks(Collection<String> taskIds) {
        return delegate.deleteTasks(taskIds);
    }

    @Override
    public DeletionQueue deletions() {
        return delegate.deletions();
    }

    @Override
    public SegmentCatalog catalog() {
        return delegate.catalog();
    }

    @Override
    public void check() {
        delegate.check();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
