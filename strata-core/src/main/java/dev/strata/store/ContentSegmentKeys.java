package dev.strata.store;

import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.metadata.SegmentKeys;
import java.util.OptionalLong;

/** {@link SegmentKeys} in the content tier's layout ({@link ContentKeys}). Stateless, thread-safe. */
public final class ContentSegmentKeys implements SegmentKeys {

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
