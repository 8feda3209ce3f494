package dev.strata.codec;

import dev.strata.model.CorruptContentException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The segment header: {@code "STRS"} magic, a version byte, the CRC32C of everything after it
 * (4 bytes), the uncompressed body length (4 bytes). Reading and checking it, in one place for the
 * encoder and the decoder. Stateless and thread-safe.
 */
final class SegmentFormat {
    static final byte[] MAGIC = {'S', 'T', 'R', 'S'};
    static final byte VERSION = 1;
    private static final int CHECKSUM_OFFSET = MAGIC.length + 1;
    private static final int LENGTH_OFFSET = CHECKSUM_OFFSET + 4;
    static final int HEADER_LENGTH = LENGTH_OFFSET + 4;
    /** Bodies larger than this are compressed and inflated as streams rather than in one array. */
    static final int STREAM_ABOVE = 1 << 20;

    private SegmentFormat() {}

    /** Writes the header of a body of {@code rawLength} bytes (checksum still zero) at the buffer's position. */
    static void putHeader(ByteBuffer object, int rawLength) {
        object.put(MAGIC).put(VERSION).putInt(0).putInt(rawLength);
    }

    /**
     * Computes the checksum of a whole object whose header is in place and stores it there.
     *
     * @return the checksum
     */
    static int seal(byte[] object) {
        int checksum = checksumOf(object);
        ByteBuffer.wrap(object).putInt(CHECKSUM_OFFSET, checksum);
        return checksum;
    }

    /**
     * Checks magic, version and embedded checksum.
     *
     * @return the checksum
     * @throws CorruptContentException when any of them is wrong
     */
    static int verify(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH
                || bytes[0] != MAGIC[0]
                || bytes[1] != MAGIC[1]
                || bytes[2] != MAGIC[2]
                || bytes[3] != MAGIC[3]) {
            throw new CorruptContentException("object is not a Strata segment (" + bytes.length + " bytes)");
        }
        if (bytes[MAGIC.length] != VERSION) {
            throw new CorruptContentException("unsupported segment version " + bytes[MAGIC.length]);
        }
        int stored = ByteBuffer.wrap(bytes).getInt(CHECKSUM_OFFSET);
        int actual = checksumOf(bytes);
        if (stored != actual) {
            throw new CorruptContentException("segment checksum mismatch: stored " + stored + ", computed " + actual);
        }
        return actual;
    }

    /**
     * The decoded body length the header records, without inflating anything.
     *
     * @throws CorruptContentException when the object is too short or the length is not positive
     */
    static int decodedLength(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH) {
            throw new CorruptContentException("object is not a Strata segment (" + bytes.length + " bytes)");
        }
        int rawLength = ByteBuffer.wrap(bytes).getInt(LENGTH_OFFSET);
        if (rawLength < 1) {
            throw new CorruptContentException("segment records an impossible decoded length " + rawLength);
        }
        return rawLength;
    }

    private static int checksumOf(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, LENGTH_OFFSET, bytes.length - LENGTH_OFFSET);
        return (int) crc.getValue();
    }
}
