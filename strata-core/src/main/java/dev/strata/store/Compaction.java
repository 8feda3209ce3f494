package dev.strata.store;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.ReplaceOutcome;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.TaskRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Merges a task's segments into as few objects as its size allows: one for a task whose decoded
 * messages fit {@code maxMergedBytes}, else several, each holding a run of consecutive segments
 * that fits (see {@link CompactionPlan}), so compaction never holds more than about that much
 * decoded data. Each merged object is written and made durable first; then one metadata
 * transaction points the run's messages at it and queues the run's old objects for deletion after
 * a grace period. Until that commit, reads use the old segments; after it, the new one; at no
 * moment is a message missing or doubled, and ids do not change because they travel inside the
 * segments. A crash before a commit leaves an unreferenced object for orphan collection.
 * Thread-safe; concurrent compactions of one task are detected and one of them gives way.
 */
final class Compaction {
    private final MetadataTier metadata;
    private final SegmentWriter writer;
    private final SegmentFetcher fetcher;
    private final SegmentCodec codec;
    private final Clock clock;
    private final Duration grace;
    private final long maxMergedBytes;

    Compaction(
            MetadataTier metadata,
            SegmentWriter writer,
            SegmentFetcher fetcher,
            SegmentCodec codec,
            Clock clock,
            Duration grace,
            long maxMergedBytes) {
        this.metadata = metadata;
        this.writer = writer;
        this.fetcher = fetcher;
        this.codec = codec;
        this.clock = clock;
        this.grace = grace;
        this.maxMergedBytes = maxMergedBytes;
    }

    CompactionResult compact(String taskId) {
        TaskRecord task = metadata.task(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        List<SegmentRecord> segments = metadata.catalog().segments(task);
        if (segments.size() <= 1) {
            return CompactionResult.unchanged(segments.size());
        }
        List<List<SegmentRecord>> runs = CompactionPlan.runs(taskId, segments, maxMergedBytes, fetcher);
        if (runs.size() == segments.size()) {
            return CompactionResult.unchanged(segments.size());
        }
        Set<Integer> snapshot = segments.stream().map(SegmentRecord::segmentNo).collect(Collectors.toSet());
        // Messages appended after the snapshot above sit in newer segments and are left alone.
        List<MessageLocation> locations = metadata.locate(task, MessageQuery.all(), Long.MAX_VALUE).stream()
                .filter(location -> snapshot.contains(location.segmentNo()))
                .toList();
        int segmentsAfter = segments.size();
        long bytesRead = 0;
        long bytesWritten = 0;
        for (List<SegmentRecord> run : runs) {
            if (run.size() < 2) {
                continue;
            }
            Set<Integer> replaced = run.stream().map(SegmentRecord::segmentNo).collect(Collectors.toSet());
            long written = merge(
                    task,
                    replaced,
                    locations.stream()
                            .filter(l -> replaced.contains(l.segmentNo()))
                            .toList());
            if (written < 0) {
                break;
            }
            segmentsAfter -= run.size() - 1;
            bytesRead += run.stream().mapToLong(SegmentRecord::byteSize).sum();
            bytesWritten += written;
        }
        return new CompactionResult(segments.size(), segmentsAfter, bytesRead, bytesWritten);
    }

    /** @return bytes of the merged object, or -1 when a concurrent compaction replaced the run first */
    private long merge(TaskRecord task, Set<Integer> replaced, List<MessageLocation> locations) {
        String taskId = task.taskId();
        List<TaskMessage> messages =
                fetcher.messages(taskId, locations, Long.MAX_VALUE).messages();
        SegmentWriter.Written merged = writer.write(taskId, codec.encode(messages));
        List<MessageRow> rows = MessageRow.of(messages);
        ReplaceOutcome outcome = metadata.catalog()
                .replaceSegments(
                        task,
                        replaced,
                        new SegmentCommit(
                                task.taskKey(),
                                merged.objectId(),
                                merged.byteSize(),
                                merged.encoded().checksum(),
                                rows),
                        clock.instant().plus(grace));
        return switch (outcome) {
            case ReplaceOutcome.Replaced done -> merged.byteSize();
            case ReplaceOutcome.Conflict conflict -> {
                writer.discard(merged);
                yield -1;
            }
            case ReplaceOutcome.TaskGone gone -> {
                writer.discard(merged);
                throw new TaskNotFoundException(taskId);
            }
        };
    }
}
