package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/**
 * Where a message's content lives.
 *
 * @param segmentNo number of the segment holding it
 * @param objectKey content key of that segment
 * @param checksum the segment's CRC32C as recorded at commit
 */
public record MessageLocation(long seq, int segmentNo, String objectKey, int checksum) {
    public MessageLocation {
        requireNonNull(objectKey, "objectKey is null");
    }
}
