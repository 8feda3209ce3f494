package dev.strata.store;

import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.SegmentKeys;
import dev.strata.tier.metadata.SegmentRecord;
import java.util.OptionalLong;

/**
 * Where metadata's (task id, kind, object id) triples become content keys, in the content tier's
 * layout ({@link ContentKeys}): as the {@link SegmentKeys} the metadata tier queues deletions
 * with, and for the records metadata returns. Stateless, thread-safe.
 */
public final class ContentSegmentKeys implements SegmentKeys {

    /** @return the content key of the object that holds the located message */
    public static String of(MessageLocation location) {
        return keyOf(location.taskId(), location.kind(), location.objectId());
    }

    /** @return the content key of the segment's object */
    public static String of(SegmentRecord segment) {
        return keyOf(segment.taskId(), segment.kind(), segment.objectId());
    }

    /** @return the frame that holds the located message */
    public static Frame frame(MessageLocation location) {
        return new Frame(of(location), location.frameOffset(), location.byteSize(), location.checksum());
    }

    /** @return the segment's frame */
    public static Frame frame(SegmentRecord segment) {
        return new Frame(of(segment), segment.frameOffset(), segment.byteSize(), segment.checksum());
    }

    private static String keyOf(String taskId, ObjectKind kind, long objectId) {
        return switch (kind) {
            case TASK, CONSOLIDATED -> ContentKeys.segment(taskId, objectId);
            case SHARED -> ContentKeys.shared(objectId);
        };
    }

    @Override
    public String key(String taskId, long objectId) {
        return ContentKeys.segment(taskId, objectId);
    }

    @Override
    public String sharedKey(long objectId) {
        return ContentKeys.shared(objectId);
    }

    @Override
    public String taskPrefix(String taskId) {
        return ContentKeys.taskPrefix(taskId);
    }

    @Override
    public OptionalLong objectId(String key) {
        return ContentKeys.parse(key)
                .map(parsed -> OptionalLong.of(parsed.objectId()))
                .orElseGet(() -> ContentKeys.parseShared(key));
    }
}
