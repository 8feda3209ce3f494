package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/**
 * Where a message's content lives. The store turns the task id and object id into the object's key.
 *
 * @param segmentNo number of the segment holding it
 * @param objectId id of that segment's object within the task
 * @param checksum the segment's CRC32C as recorded at commit
 */
public record MessageLocation(String taskId, long seq, int segmentNo, long objectId, int checksum) {
    public MessageLocation {
        requireNonNull(taskId, "taskId is null");
    }
}
