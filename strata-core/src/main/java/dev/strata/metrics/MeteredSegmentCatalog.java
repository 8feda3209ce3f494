package dev.strata.metrics;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.metadata.ReplaceOutcome;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.TaskRecord;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Times segment-catalog operations as metadata operations named {@code catalog.<method>}. Thread-safe. */
final class MeteredSegmentCatalog implements SegmentCatalog {
    private final SegmentCatalog delegate;
    private final TierTimer timer;

    MeteredSegmentCatalog(SegmentCatalog delegate, TierTimer timer) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.timer = requireNonNull(timer, "timer is null");
    }

    @Override
    public List<SegmentRecord> segments(TaskRecord task) {
        return timer.time("catalog.segments", () -> delegate.segments(task));
    }

    @Override
    public ReplaceOutcome replaceSegments(
            TaskRecord task, Set<Integer> replaced, List<SegmentCommit> frames, Instant deleteAfter) {
        return timer.time(
                "catalog.replaceSegments", () -> delegate.replaceSegments(task, replaced, frames, deleteAfter));
    }

    @Override
    public ReplaceOutcome moveSegments(TaskRecord task, long objectId, List<Move> moves, Instant deleteAfter) {
        return timer.time("catalog.moveSegments", () -> delegate.moveSegments(task, objectId, moves, deleteAfter));
    }

    @Override
    public void mergeDone(TaskRecord task) {
        timer.run("catalog.mergeDone", () -> delegate.mergeDone(task));
    }

    @Override
    public List<String> sharedFramesBefore(Instant cutoff, int limit) {
        return timer.time("catalog.sharedFramesBefore", () -> delegate.sharedFramesBefore(cutoff, limit));
    }

    @Override
    public java.util.Optional<Instant> oldestSharedObject() {
        return timer.time("catalog.oldestSharedObject", delegate::oldestSharedObject);
    }

    @Override
    public List<String> compactionCandidates(int maxOpenSegments, int limit) {
        return timer.time("catalog.compactionCandidates", () -> delegate.compactionCandidates(maxOpenSegments, limit));
    }

    @Override
    public long compactionBacklog(int maxOpenSegments) {
        return timer.time("catalog.compactionBacklog", () -> delegate.compactionBacklog(maxOpenSegments));
    }

    @Override
    public Set<Long> knownObjects(String taskId) {
        return timer.time("catalog.knownObjects", () -> delegate.knownObjects(taskId));
    }

    @Override
    public Set<Long> knownSharedObjects(java.util.Collection<Long> objectIds) {
        return timer.time("catalog.knownSharedObjects", () -> delegate.knownSharedObjects(objectIds));
    }

    @Override
    public List<dev.strata.tier.metadata.PendingDeletion> claimOrphans(java.util.Collection<String> keys) {
        return timer.time("catalog.claimOrphans", () -> delegate.claimOrphans(keys));
    }

    @Override
    public int forgetClaimsBefore(Instant cutoff) {
        return timer.time("catalog.forgetClaimsBefore", () -> delegate.forgetClaimsBefore(cutoff));
    }

    @Override
    public List<TaskSegments> segmentsAfter(String afterTaskId, int limit) {
        return timer.time("catalog.segmentsAfter", () -> delegate.segmentsAfter(afterTaskId, limit));
    }

    @Override
    public List<SegmentMismatch> segmentMismatches(java.util.Collection<String> taskIds) {
        return timer.time("catalog.segmentMismatches", () -> delegate.segmentMismatches(taskIds));
    }
}
