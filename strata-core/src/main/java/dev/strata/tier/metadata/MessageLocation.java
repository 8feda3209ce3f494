package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/**
 * Where a message's content lives: a frame (object, offset, length). The store turns the task id,
 * kind and object id into the object's key.
 *
 * @param segmentNo number of the segment holding it
 * @param objectId id of the object holding that segment's frame
 * @param checksum the frame's CRC32C as recorded at commit
 * @param kind whether the object is the task's own or shared
 * @param frameOffset where the frame starts in its object
 * @param byteSize length of the frame
 */
public record MessageLocation(
        String taskId,
        long seq,
        int segmentNo,
        long objectId,
        int checksum,
        ObjectKind kind,
        long frameOffset,
        int byteSize) {
    public MessageLocation {
        requireNonNull(taskId, "taskId is null");
        requireNonNull(kind, "kind is null");
    }
}
