package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/**
 * A segment that metadata references. The store turns the task id and object id into the object's key.
 *
 * @param segmentNo number of the segment within its task
 * @param objectId id of the segment's object within the task
 * @param messageCount messages of the task that this segment holds
 */
public record SegmentRecord(String taskId, int segmentNo, long objectId, int byteSize, int checksum, int messageCount) {
    public SegmentRecord {
        requireNonNull(taskId, "taskId is null");
    }
}
