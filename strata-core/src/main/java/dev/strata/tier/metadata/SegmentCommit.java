package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A segment object already durable in the content tier, and the messages it holds.
 *
 * @param objectId random id that, with the task id, forms the object's key
 * @param checksum CRC32C of the object, verified on every read
 */
public record SegmentCommit(long taskKey, long objectId, int byteSize, int checksum, List<MessageRow> rows) {
    public SegmentCommit {
        rows = List.copyOf(requireNonNull(rows, "rows is null"));
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a segment holds at least one message");
        }
        if (byteSize <= 0) {
            throw new IllegalArgumentException("byteSize must be positive, got " + byteSize);
        }
    }
}
