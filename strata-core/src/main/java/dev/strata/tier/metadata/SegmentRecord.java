package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/**
 * A segment (one frame) that metadata references. The store turns the task id, kind and object id
 * into the object's key.
 *
 * @param segmentNo number of the segment within its task
 * @param objectId id of the object holding the frame
 * @param byteSize length of the frame
 * @param messageCount messages of the task that this segment holds
 * @param kind whether the object is the task's own or shared
 * @param frameOffset where the frame starts in its object
 */
public record SegmentRecord(
        String taskId,
        int segmentNo,
        long objectId,
        int byteSize,
        int checksum,
        int messageCount,
        ObjectKind kind,
        long frameOffset) {
    public SegmentRecord {
        requireNonNull(taskId, "taskId is null");
        requireNonNull(kind, "kind is null");
    }

    /** A whole one-frame object of the task. */
    public SegmentRecord(String taskId, int segmentNo, long objectId, int byteSize, int checksum, int messageCount) {
        this(taskId, segmentNo, objectId, byteSize, checksum, messageCount, ObjectKind.TASK, 0);
    }
}
