package dev.strata.store;

import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.MessageLocation;
import dev.strata.tier.metadata.SegmentKeys;
import dev.strata.tier.metadata.SegmentRecord;
import java.util.OptionalLong;

/**
 * Where metadata's (task id, object id) pairs become content keys, in the content tier's layout
 * ({@link ContentKeys}): as the {@link SegmentKeys} the metadata tier queues deletions with, and
 * for the records metadata returns. Stateless, thread-safe.
 */
public final class ContentSegmentKeys implements SegmentKeys {

    /** @return the content key of the segment object that holds the located message */
    public static String of(MessageLocation location) {
        return ContentKeys.segment(location.taskId(), location.objectId());
    }

    /** @return the content key of the segment's object */
    public static String of(SegmentRecord segment) {
        return ContentKeys.segment(segment.taskId(), segment.objectId());
    }

    @Override
    public String key(String taskId, long objectId) {
        return ContentKeys.segment(taskId, objectId);
    }

    @Override
    public String taskPrefix(String taskId) {
        return ContentKeys.taskPrefix(taskId);
    }

    @Override
    public OptionalLong objectId(String key) {
        return ContentKeys.parse(key)
                .map(parsed -> OptionalLong.of(parsed.objectId()))
                .orElse(OptionalLong.empty());
    }
}
