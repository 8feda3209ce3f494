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
 * @param firstSeq the lowest seq of its messages, {@link #UNKNOWN_SEQ} for a segment written before
 *     metadata recorded it
 * @param lastSeq the highest seq of its messages, {@link #UNKNOWN_SEQ} likewise
 */
public record SegmentRecord(
        String taskId,
        int segmentNo,
        long objectId,
        int byteSize,
        int checksum,
        int messageCount,
        ObjectKind kind,
        long frameOffset,
        long firstSeq,
        long lastSeq) {
    /** The seq range of a segment written before metadata recorded it (schema version 8). */
    public static final long UNKNOWN_SEQ = -1;

    public SegmentRecord {
        requireNonNull(taskId, "taskId is null");
        requireNonNull(kind, "kind is null");
    }

    /** @return whether {@link #firstSeq} and {@link #lastSeq} are known */
    public boolean seqsKnown() {
        return firstSeq != UNKNOWN_SEQ;
    }
}
