package dev.strata.tier.content;

import dev.strata.model.CorruptContentException;

/** Checks shared by every backend's ranged read ({@link ContentTier#get(String, long, int)}). Stateless. */
public final class ContentRanges {
    private ContentRanges() {}

    /** @throws IllegalArgumentException when the offset is negative or the length not positive */
    public static void requireValid(long offset, int length) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive, got " + length);
        }
    }

    /** The error for a range that runs past the object's end: metadata points at bytes that do not exist. */
    public static CorruptContentException tooShort(String key, long offset, int length, long size) {
        return new CorruptContentException("object " + key + " has " + size + " bytes, too few for a frame of " + length
                + " bytes at offset " + offset);
    }
}
