package dev.strata.store;

import static java.util.Objects.requireNonNull;

/**
 * One frame of a content object: the unit the read path fetches, verifies, caches and decodes.
 * Objects are immutable, so a frame's cache key ({@code <object key>@<offset>}) can never name
 * other bytes later.
 *
 * @param objectKey the content key of the object holding it
 * @param offset where it starts in the object
 * @param length its length in bytes
 * @param checksum its CRC32C as metadata recorded it
 */
public record Frame(String objectKey, long offset, int length, int checksum) {
    public Frame {
        requireNonNull(objectKey, "objectKey is null");
    }

    /** The key of the frame in the segment cache and the decoded cache. */
    public String cacheKey() {
        return cacheKey(objectKey, offset);
    }

    /** The cache key of the frame at {@code offset} of the object. */
    public static String cacheKey(String objectKey, long offset) {
        return objectKey + "@" + offset;
    }
}
