package dev.strata.codec;

import dev.strata.model.CorruptContentException;
import dev.strata.model.TaskMessage;
import java.util.List;

/**
 * Encodes a batch of messages as one immutable segment object and back.
 *
 * <p>Layout: {@code "STRS"} magic, a version byte, the CRC32C of everything after it (4 bytes),
 * the uncompressed body length (4 bytes), then one zstd frame holding the body. The body is a
 * message count followed by each message's fields, strings as length-prefixed UTF-8. The
 * checksum is kept in metadata too, so a read detects a corrupt or substituted object.
 * {@link SegmentFormat} owns the header, {@link SegmentEncoder} and {@link SegmentDecoder} the body.
 *
 * <p>Stateless and thread-safe.
 */
public final class SegmentCodec {
    private final SegmentEncoder encoder;

    /** @param level zstd compression level, 1 (fastest) to 19 */
    public SegmentCodec(int level) {
        if (level < 1 || level > 19) {
            throw new IllegalArgumentException("zstd level must be 1 to 19, got " + level);
        }
        this.encoder = new SegmentEncoder(level);
    }

    public SegmentCodec() {
        this(3);
    }

    /** The encoded object and the checksum metadata keeps for it. */
    public record Encoded(byte[] bytes, int checksum) {}

    /**
     * Encodes messages as one segment. Bodies over 1 MiB are compressed as they are written, so
     * the uncompressed body never exists as one array (compaction merges up to its budget of
     * decoded bytes this way, holding little more than the messages and the compressed object).
     */
    public Encoded encode(List<TaskMessage> messages) {
        return encoder.encode(messages);
    }

    /**
     * Decodes a segment after checking its magic and embedded checksum. Large bodies are inflated
     * as a stream, field by field, never into one buffer; no body inflates past the decoded length
     * its header records (a decompression bomb, or a header that lies, is refused as corrupt
     * before more than that was produced), and no field may claim more bytes than remain.
     *
     * @throws CorruptContentException when the object is not a valid segment
     */
    public List<TaskMessage> decode(String taskId, byte[] bytes) {
        return SegmentDecoder.decode(taskId, bytes);
    }

    /**
     * The decoded size of a segment's body as its header records it, without inflating anything:
     * what {@link #decode} will hold at most.
     *
     * @throws CorruptContentException when the object is not a segment or the length is negative
     */
    public int decodedLength(byte[] bytes) {
        return SegmentFormat.decodedLength(bytes);
    }

    /**
     * Checks magic, version and embedded checksum.
     *
     * @return the checksum
     * @throws CorruptContentException when any of them is wrong
     */
    public int verify(byte[] bytes) {
        return SegmentFormat.verify(bytes);
    }
}
