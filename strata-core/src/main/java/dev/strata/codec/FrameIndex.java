package dev.strata.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.strata.model.CorruptContentException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The layout of an object that holds several frames: the frames (each exactly a segment as
 * {@link SegmentCodec} encodes it) back to back from offset 0, then an index of them, then a
 * fixed footer. Metadata records each frame's offset, length and checksum, so reads never need the
 * index; it is there so fsck and tools can take an object apart without the database.
 *
 * <p>Index: entry count (4 bytes), then per frame the task id (2-byte length, UTF-8), first and
 * last seq (8 bytes each), offset (8), length (4) and checksum (4). Footer (16 bytes): index
 * length, CRC32C of the index, format version, magic {@code "STRX"}. An object without that
 * footer is a one-frame object written before the index existed: the whole object is its frame.
 * Stateless and thread-safe.
 */
public final class FrameIndex {
    static final int MAGIC = 0x53545258; // "STRX"
    static final int VERSION = 1;
    static final int FOOTER_LENGTH = 16;

    private FrameIndex() {}

    /** One frame to put in an object: its task, seq range and encoded bytes. */
    public record Frame(String taskId, long firstSeq, long lastSeq, SegmentCodec.Encoded encoded) {
        public Frame {
            requireNonNull(taskId, "taskId is null");
            requireNonNull(encoded, "encoded is null");
        }
    }

    /** Where a frame sits in its object, as the index records it. */
    public record Entry(String taskId, long firstSeq, long lastSeq, long offset, int length, int checksum) {}

    /** An object ready to store, and where each frame (in the given order) landed in it. */
    public record Built(byte[] bytes, List<Entry> entries) {}

    /** Lays the frames out with their index and footer. */
    public static Built build(List<Frame> frames) {
        List<Entry> entries = new ArrayList<>(frames.size());
        long offset = 0;
        int indexLength = 4;
        for (Frame frame : frames) {
            int length = frame.encoded().bytes().length;
            entries.add(new Entry(
                    frame.taskId(),
                    frame.firstSeq(),
                    frame.lastSeq(),
                    offset,
                    length,
                    frame.encoded().checksum()));
            offset += length;
            indexLength += 2 + frame.taskId().getBytes(UTF_8).length + 8 + 8 + 8 + 4 + 4;
        }
        long total = offset + indexLength + FOOTER_LENGTH;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("an object of " + total + " bytes is too large");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        for (Frame frame : frames) {
            out.put(frame.encoded().bytes());
        }
        int indexStart = out.position();
        out.putInt(entries.size());
        for (Entry entry : entries) {
            byte[] taskId = entry.taskId().getBytes(UTF_8);
            out.putShort((short) taskId.length)
                    .put(taskId)
                    .putLong(entry.firstSeq())
                    .putLong(entry.lastSeq())
                    .putLong(entry.offset())
                    .putInt(entry.length())
                    .putInt(entry.checksum());
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), indexStart, indexLength);
        out.putInt(indexLength).putInt((int) crc.getValue()).putInt(VERSION).putInt(MAGIC);
        return new Built(out.array(), List.copyOf(entries));
    }

    /**
     * Reads the index of a whole object.
     *
     * @return the entries, or empty when the object has no index (a one-frame object of its task)
     * @throws CorruptContentException when the footer is there but the index is damaged
     */
    public static Optional<List<Entry>> read(byte[] object) {
        if (object.length < FOOTER_LENGTH) {
            return Optional.empty();
        }
        ByteBuffer footer = ByteBuffer.wrap(object, object.length - FOOTER_LENGTH, FOOTER_LENGTH);
        int indexLength = footer.getInt();
        int checksum = footer.getInt();
        int version = footer.getInt();
        if (footer.getInt() != MAGIC) {
            return Optional.empty();
        }
        if (version != VERSION) {
            throw new CorruptContentException("object index has unknown version " + version);
        }
        long indexStart = (long) object.length - FOOTER_LENGTH - indexLength;
        if (indexLength < 4 || indexStart < 0) {
            throw new CorruptContentException("object index length " + indexLength + " does not fit the object");
        }
        CRC32C crc = new CRC32C();
        crc.update(object, (int) indexStart, indexLength);
        if ((int) crc.getValue() != checksum) {
            throw new CorruptContentException("object index fails its checksum");
        }
        try {
            ByteBuffer index = ByteBuffer.wrap(object, (int) indexStart, indexLength);
            int count = index.getInt();
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] taskId = new byte[index.getShort() & 0xFFFF];
                index.get(taskId);
                Entry entry = new Entry(
                        new String(taskId, UTF_8),
                        index.getLong(),
                        index.getLong(),
                        index.getLong(),
                        index.getInt(),
                        index.getInt());
                if (entry.offset() < 0 || entry.length() <= 0 || entry.offset() + entry.length() > indexStart) {
                    throw new CorruptContentException("object index has a frame outside the object: " + entry);
                }
                entries.add(entry);
            }
            return Optional.of(List.copyOf(entries));
        } catch (BufferUnderflowException e) {
            throw new CorruptContentException("object index is truncated");
        }
    }
}
