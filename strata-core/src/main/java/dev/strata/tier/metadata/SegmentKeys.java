package dev.strata.tier.metadata;

import java.util.OptionalLong;

/**
 * How segment objects are named in the content tier. Whoever wires the store together hands it to
 * the metadata tier, so that queued deletions carry the keys the content tier deletes by, while
 * metadata itself knows nothing of the key layout. Implementations are stateless and thread-safe.
 */
public interface SegmentKeys {

    /** @return the content key of the task's segment object {@code objectId} */
    String key(String taskId, long objectId);

    /** @return the content key of the shared object {@code objectId} */
    String sharedKey(long objectId);

    /** @return the content key of an object of the given kind (the task id matters only for {@link ObjectKind#TASK}) */
    default String key(String taskId, ObjectKind kind, long objectId) {
        return switch (kind) {
            case TASK, CONSOLIDATED -> key(taskId, objectId);
            case SHARED -> sharedKey(objectId);
        };
    }

    /** @return the prefix that every key of the task starts with and no key of another task does */
    String taskPrefix(String taskId);

    /** @return the object id that {@code key} names (a task's or a shared object), or empty when it is not a segment key */
    OptionalLong objectId(String key);
}
