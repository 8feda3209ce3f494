package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/**
 * A segment that metadata references.
 *
 * @param segmentNo number of the segment within its task
 * @param objectKey content key of the segment object
 * @param messageCount messages of the task that this segment holds
 */
public record SegmentRecord(
        int segmentNo, long objectId, String objectKey, int byteSize, int checksum, int messageCount) {
    public SegmentRecord {
        requireNonNull(objectKey, "objectKey is null");
    }
}
