package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A frame already durable in the content tier, and the messages it holds.
 *
 * @param objectId random id that, with the kind (and for a task object the task id), forms the object's key
 * @param kind whether the frame lives in an object of its task or in a shared one
 * @param frameOffset where the frame starts in its object
 * @param byteSize length of the frame in bytes
 * @param checksum CRC32C of the frame, verified on every read
 */
public record SegmentCommit(
        long taskKey,
        long objectId,
        int byteSize,
        int checksum,
        List<MessageRow> rows,
        ObjectKind kind,
        long frameOffset) {
    public SegmentCommit {
        rows = List.copyOf(requireNonNull(rows, "rows is null"));
        requireNonNull(kind, "kind is null");
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a segment holds at least one message");
        }
        if (byteSize <= 0) {
            throw new IllegalArgumentException("byteSize must be positive, got " + byteSize);
        }
        if (frameOffset < 0) {
            throw new IllegalArgumentException("frameOffset must not be negative, got " + frameOffset);
        }
    }

    /** A whole one-frame object of the task. */
    public SegmentCommit(long taskKey, long objectId, int byteSize, int checksum, List<MessageRow> rows) {
        this(taskKey, objectId, byteSize, checksum, rows, ObjectKind.TASK, 0);
    }
}
