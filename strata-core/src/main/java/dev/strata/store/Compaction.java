package dev.strata.store;

import dev.strata.codec.FrameIndex;
import dev.strata.codec.SegmentCodec;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.MessageRow;
import dev.strata.tier.metadata.MetadataTier;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.ReplaceOutcome;
import dev.strata.tier.metadata.SegmentCatalog;
import dev.strata.tier.metadata.SegmentCommit;
import dev.strata.tier.metadata.SegmentRecord;
import dev.strata.tier.metadata.TaskRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Consolidates a task. An open task's frames in shared objects and its one-frame objects move, as
 * they are, into a consolidated object of the task ({@link SegmentCatalog#moveSegments}: same
 * segments, new places; nothing decoded). A sealed task is merged: its messages are re-cut into as
 * few consolidated objects of the task as its size allows: one for a task whose decoded messages fit
 * {@code maxMergedBytes}, else several, each holding a run of segments that fits (see
 * {@link CompactionPlan}), so compaction never holds more than about that much decoded data. A
 * consolidated object holds its messages as frames of about {@link FrameSlicer#TARGET_FRAME_BYTES}
 * each (one segment row per frame) with an index at its end, so a read of a few messages fetches a
 * frame or two, not the whole object. Each object is written and made durable first; then one
 * metadata transaction points the run's messages (or moved segments) at its frames and releases
 * the old frames (an object is queued for deletion, after a grace period, once none of its frames
 * is live). Until that commit, reads use the old segments; after it, the new one; at no
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
        // Consolidated objects stay as they are; everything else (frames in shared objects, one-frame
        // objects) is merged into new consolidated objects. A lone one-frame object of the task is
        // already as good as consolidated and stays too.
        List<SegmentRecord> loose = segments.stream()
                .filter(segment -> segment.kind() != ObjectKind.CONSOLIDATED)
                .toList();
        boolean anyShared = loose.stream().anyMatch(segment -> segment.kind() == ObjectKind.SHARED);
        boolean looseToConsolidate = anyShared || loose.size() > 1;
        if (!task.summary().sealed()) {
            // An open task still grows: its loose frames move, bytes unchanged, into objects of its
            // own, so a long task is never decoded and rewritten over and over while it runs.
            return looseToConsolidate ? move(task, segments, loose) : CompactionResult.unchanged(segments.size());
        }
        // A sealed task is finished: everything is merged and re-cut into frames of about
        // TARGET_FRAME_BYTES (its late appends with the rest, README: "compacted with the rest"),
        // so it ends as one object when it fits. Frames moved while it was open are an append each,
        // small; they are merged too, then the task is left alone.
        if (!looseToConsolidate && !smallFrames(segments)) {
            metadata.catalog().mergeDone(task);
            return CompactionResult.unchanged(segments.size());
        }
        List<List<SegmentRecord>> runs = CompactionPlan.runs(taskId, segments, maxMergedBytes, fetcher);
        Set<Integer> snapshot = segments.stream().map(SegmentRecord::segmentNo).collect(Collectors.toSet());
        // Messages appended after the snapshot above sit in newer segments and are left alone.
        List<MessageLocation> locations = metadata.locate(task, MessageQuery.all(), Long.MAX_VALUE).stream()
                .filter(location -> snapshot.contains(location.segmentNo()))
                .toList();
        int segmentsAfter = segments.size();
        long bytesRead = 0;
        long bytesWritten = 0;
        for (List<SegmentRecord> run : runs) {
            boolean oneConsolidatedObject = run.stream().allMatch(segment -> segment.kind() == ObjectKind.CONSOLIDATED)
                    && run.stream().map(SegmentRecord::objectId).distinct().count() == 1;
            if ((run.size() < 2 && run.get(0).kind() == ObjectKind.TASK)
                    || (oneConsolidatedObject && !smallFrames(run))) {
                continue;
            }
            Set<Integer> replaced = run.stream().map(SegmentRecord::segmentNo).collect(Collectors.toSet());
            List<MessageLocation> runLocations = locations.stream()
                    .filter(l -> replaced.contains(l.segmentNo()))
                    .toList();
            // Every live segment holds at least one message: a run none of whose messages is still
            // located in it was replaced by a concurrent compaction after the snapshot. Give way
            // before writing anything (merging nothing would write an empty object). A run replaced
            // only in part is caught by replaceSegments, which answers Conflict.
            Merged merged = runLocations.isEmpty() ? null : merge(task, replaced, runLocations);
            if (merged == null) {
                // A concurrent compaction got there first: it, or a sweep after it, finishes the task.
                return new CompactionResult(segments.size(), segmentsAfter, bytesRead, bytesWritten);
            }
            segmentsAfter += merged.frames() - run.size();
            bytesRead += run.stream().mapToLong(SegmentRecord::byteSize).sum();
            bytesWritten += merged.bytes();
        }
        metadata.catalog().mergeDone(task);
        return new CompactionResult(segments.size(), segmentsAfter, bytesRead, bytesWritten);
    }

    /**
     * Whether the segments are several frames averaging under a quarter of
     * {@link FrameSlicer#TARGET_FRAME_BYTES}: frames moved as they were appended, not yet merged.
     * A merge cuts frames of about the target (only the first and the last may be smaller), so what
     * it wrote never counts as small again.
     */
    static boolean smallFrames(List<SegmentRecord> segments) {
        long bytes = segments.stream().mapToLong(SegmentRecord::byteSize).sum();
        return segments.size() > 2 && bytes < (long) segments.size() * (FrameSlicer.TARGET_FRAME_BYTES / 4);
    }

    /**
     * Moves an open task's loose segments into consolidated objects of the task, their frames
     * copied as they are (verified, not decoded), each object up to about {@code maxMergedBytes}.
     */
    private CompactionResult move(TaskRecord task, List<SegmentRecord> segments, List<SegmentRecord> loose) {
        String taskId = task.taskId();
        Map<Integer, long[]> seqRanges = seqRanges(task, loose);
        long bytesRead = 0;
        long bytesWritten = 0;
        for (List<SegmentRecord> run : byObjectSize(loose)) {
            if (!run.stream().allMatch(segment -> seqRanges.containsKey(segment.segmentNo()))) {
                break; // a concurrent compaction replaced some of them after they were listed
            }
            List<byte[]> bytes = fetcher.frames(
                    taskId, run.stream().map(ContentSegmentKeys::frame).toList());
            List<FrameIndex.Frame> frames = new ArrayList<>(run.size());
            for (int i = 0; i < run.size(); i++) {
                SegmentRecord segment = run.get(i);
                long[] seqs = seqRanges.get(segment.segmentNo());
                frames.add(new FrameIndex.Frame(
                        taskId, seqs[0], seqs[1], new SegmentCodec.Encoded(bytes.get(i), segment.checksum())));
            }
            FrameIndex.Built object = FrameIndex.build(frames);
            SegmentWriter.Written written = writer.write(taskId, object.bytes());
            List<SegmentCatalog.Move> moves = new ArrayList<>(run.size());
            for (int i = 0; i < run.size(); i++) {
                moves.add(new SegmentCatalog.Move(
                        run.get(i), object.entries().get(i).offset()));
            }
            ReplaceOutcome outcome = metadata.catalog()
                    .moveSegments(
                            task, written.objectId(), moves, clock.instant().plus(grace));
            if (!(outcome instanceof ReplaceOutcome.Replaced)) {
                writer.discard(written);
                if (outcome instanceof ReplaceOutcome.TaskGone) {
                    throw new TaskNotFoundException(taskId);
                }
                break;
            }
            bytesRead += run.stream().mapToLong(SegmentRecord::byteSize).sum();
            bytesWritten += object.bytes().length;
        }
        return new CompactionResult(segments.size(), segments.size(), bytesRead, bytesWritten);
    }

    /**
     * The seq range of each segment, for the new object's index (the index is for tools; reads go
     * by metadata). Segment rows carry it; only a segment written before they did (schema version
     * 8) needs its messages located, which reads the whole task, once: moved, it is no longer loose.
     *
     * @return the range of each segment that still holds messages, by segment number
     */
    private Map<Integer, long[]> seqRanges(TaskRecord task, List<SegmentRecord> loose) {
        Map<Integer, long[]> seqRanges = new HashMap<>();
        if (loose.stream().allMatch(SegmentRecord::seqsKnown)) {
            loose.forEach(
                    segment -> seqRanges.put(segment.segmentNo(), new long[] {segment.firstSeq(), segment.lastSeq()}));
            return seqRanges;
        }
        for (MessageLocation location : metadata.locate(task, MessageQuery.all(), Long.MAX_VALUE)) {
            seqRanges.merge(location.segmentNo(), new long[] {location.seq(), location.seq()}, (a, b) ->
                    new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        return seqRanges;
    }

    /** Splits segments, in order, into runs of at most {@code maxMergedBytes} of frames (at least one each). */
    private List<List<SegmentRecord>> byObjectSize(List<SegmentRecord> segments) {
        List<List<SegmentRecord>> runs = new ArrayList<>();
        List<SegmentRecord> run = new ArrayList<>();
        long runBytes = 0;
        for (SegmentRecord segment : segments) {
            if (!run.isEmpty() && runBytes + segment.byteSize() > maxMergedBytes) {
                runs.add(run);
                run = new ArrayList<>();
                runBytes = 0;
            }
            run.add(segment);
            runBytes += segment.byteSize();
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    /** What one merge wrote: an object of {@code frames} frames and {@code bytes} bytes. */
    private record Merged(int frames, long bytes) {}

    /** @return what was written, or null when a concurrent compaction replaced the run first */
    private Merged merge(TaskRecord task, Set<Integer> replaced, List<MessageLocation> locations) {
        String taskId = task.taskId();
        List<TaskMessage> messages =
                fetcher.messages(taskId, locations, Long.MAX_VALUE).messages();
        List<FrameIndex.Frame> frames = new ArrayList<>();
        List<List<TaskMessage>> slices = FrameSlicer.slices(messages, codec, frames);
        FrameIndex.Built object = FrameIndex.build(frames);
        SegmentWriter.Written written = writer.write(taskId, object.bytes());
        List<SegmentCommit> commits = new ArrayList<>(slices.size());
        for (int i = 0; i < slices.size(); i++) {
            FrameIndex.Entry entry = object.entries().get(i);
            commits.add(new SegmentCommit(
                    task.taskKey(),
                    written.objectId(),
                    entry.length(),
                    entry.checksum(),
                    MessageRow.of(slices.get(i)),
                    ObjectKind.CONSOLIDATED,
                    entry.offset()));
        }
        ReplaceOutcome outcome = metadata.catalog()
                .replaceSegments(task, replaced, commits, clock.instant().plus(grace));
        return switch (outcome) {
            case ReplaceOutcome.Replaced done -> new Merged(slices.size(), object.bytes().length);
            case ReplaceOutcome.Conflict conflict -> {
                writer.discard(written);
                yield null;
            }
            case ReplaceOutcome.TaskGone gone -> {
                writer.discard(written);
                throw new TaskNotFoundException(taskId);
            }
        };
    }
}
