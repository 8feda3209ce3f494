package dev.strata.store;

import dev.strata.codec.SegmentCodec;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ContentTier;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Merges a task's segments into one object. The merged object is written and made durable first;
 * then one metadata transaction points the messages at it and queues the old objects for deletion
 * after a grace period. Until that commit, reads use the old segments; after it, the new one; at
 * no moment is a message missing or doubled, and ids do not change because they travel inside
 * the segments. A crash before the commit leaves an unreferenced object for orphan collection.
 * Thread-safe; concurrent compactions of one task are detected and one of them gives way.
 */
final class Compaction {
    private final MetadataTier metadata;
    private final ContentTier content;
    private final SegmentFetcher fetcher;
    private final SegmentCodec codec;
    private final Clock clock;
    private final Duration grace;

    Compaction(MetadataTier metadata, ContentTier content, SegmentFetcher fetcher, SegmentCodec codec, Clock clock, Duration grace) {
        this.metadata = metadata;
        this.content = content;
        this.fetcher = fetcher;
        this.codec = codec;
        this.clock = clock;
        this.grace = grace;
    }

    CompactionResult compact(String taskId) {
        TaskRecord task = metadata.task(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        List<SegmentRecord> segments = metadata.catalog().segments(task);
        if (segments.size() <= 1) {
            return CompactionResult.unchanged(segments.size());
        }
        Set<Integer> replaced = segments.stream().map(SegmentRecord::segmentNo).collect(Collectors.toSet());
        // Messages appended after the snapshot above sit in newer segments and are left alone.
        List<MessageLocation> locations = metadata.locate(task, MessageQuery.all(), Long.MAX_VALUE).stream()
                .filter(location -> replaced.contains(location.segmentNo()))
                .toList();
        List<TaskMessage> messages = fetcher.messages(taskId, locations);
        SegmentCodec.Encoded merged = codec.encode(messages);
        long objectId = ThreadLocalRandom.current().nextLong();
        String key = ContentKeys.segment(taskId, objectId);
        content.put(key, merged.bytes());
        List<MessageRow> rows = MessageRow.of(messages);
        ReplaceOutcome outcome = metadata.catalog().replaceSegments(task, replaced,
                new SegmentCommit(task.taskKey(), objectId, merged.bytes().length, merged.checksum(), rows),
                clock.instant().plus(grace));
        long bytesRead = segments.stream().mapToLong(SegmentRecord::byteSize).sum();
        return switch (outcome) {
            case ReplaceOutcome.Replaced done -> new CompactionResult(segments.size(), 1, bytesRead, merged.bytes().length);
            case ReplaceOutcome.Conflict conflict -> {
                content.delete(List.of(key));
                yield CompactionResult.unchanged(segments.size());
            }
            case ReplaceOutcome.TaskGone gone -> {
                content.delete(List.of(key));
                throw new TaskNotFoundException(taskId);
            }
        };
    }
}
