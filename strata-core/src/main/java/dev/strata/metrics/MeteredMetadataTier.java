package dev.strata.metrics;

import static java.util.Objects.requireNonNull;

import dev.strata.model.MessageQuery;
import dev.strata.tier.metadata.CommitLog;
import dev.strata.tier.metadata.CommitOutcome;
import dev.strata.tier.metadata.DeletionQueue;
import dev.strata.tier.metadata.FlushCommit;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.PendingDeletion;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.TaskRecord;
import dev.strata.tier.metadata.TaskSeqs;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Times every metadata operation, those of its deletion queue, segment catalog and commit log
 * included, and exposes the deletion backlog. Thread-safe.
 */
public final class MeteredMetadataTier implements MetadataTier {
    private final MetadataTier delegate;
    private final TierTimer timer;
    private final DeletionQueue deletions;
    private final SegmentCatalog catalog;
    private final CommitLog commitLog;
    private final DistributionSummary framesPerFlush;

    public MeteredMetadataTier(MetadataTier delegate, MeterRegistry registry) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.timer = new TierTimer(registry, "metadata");
        this.deletions = new MeteredDeletionQueue(delegate.deletions(), timer);
        this.catalog = new MeteredSegmentCatalog(delegate.catalog(), timer);
        this.commitLog = new MeteredCommitLog(delegate.commitLog(), timer);
        Gauge.builder("strata.deletion.backlog", delegate, tier -> safeSize(tier.deletions()))
                .description("Content objects queued for deletion")
                .register(registry);
        this.framesPerFlush = DistributionSummary.builder("strata.flush.frames")
                .description("Appends (one frame each) committed by one flush: one shared object, one transaction")
                .register(registry);
    }

    @Override
    public Set<String> createTasks(Collection<String> taskIds, Instant createdAt) {
        return timer.time("createTasks", () -> delegate.createTasks(taskIds, createdAt));
    }

    @Override
    public Optional<TaskRecord> task(String taskId) {
        return timer.time("task", () -> delegate.task(taskId));
    }

    @Override
    public Set<Long> storedSeqs(TaskRecord task, Collection<Long> seqs) {
        return timer.time("storedSeqs", () -> delegate.storedSeqs(task, seqs));
    }

    @Override
    public Optional<TaskSeqs> taskWithStoredSeqs(String taskId, Collection<Long> seqs) {
        return timer.time("taskWithStoredSeqs", () -> delegate.taskWithStoredSeqs(taskId, seqs));
    }

    @Override
    public CommitOutcome commit(TaskRecord task, SegmentCommit segment) {
        return timer.time("commit", () -> delegate.commit(task, segment));
    }

    @Override
    public List<CommitOutcome> commitFlush(FlushCommit flush) {
        framesPerFlush.record(flush.frames().size());
        return timer.time("commitFlush", () -> delegate.commitFlush(flush));
    }

    @Override
    public List<MessageLocation> locate(TaskRecord task, MessageQuery query, long limit) {
        return timer.time("locate", () -> delegate.locate(task, query, limit));
    }

    @Override
    public Map<String, Map<String, Long>> countByType(Collection<String> taskIds) {
        return timer.time("countByType", () -> delegate.countByType(taskIds));
    }

    @Override
    public Set<String> seal(Collection<String> taskIds) {
        return timer.time("seal", () -> delegate.seal(taskIds));
    }

    @Override
    public List<PendingDeletion> deleteTasks(Collection<String> taskIds) {
        return timer.time("deleteTasks", () -> delegate.deleteTasks(taskIds));
    }

    @Override
    public DeletionQueue deletions() {
        return deletions;
    }

    @Override
    public SegmentCatalog catalog() {
        return catalog;
    }

    @Override
    public CommitLog commitLog() {
        return commitLog;
    }

    @Override
    public void check() {
        timer.run("check", delegate::check);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static double safeSize(DeletionQueue queue) {
        try {
            return queue.size();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
