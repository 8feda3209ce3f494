package dev.strata.codec;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.strata.model.CorruptContentException;
import dev.strata.model.TaskMessage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Encodes a batch of messages as one immutable segment object and back.
 *
 * <p>Layout: {@code "STRS"} magic, a version byte, the CRC32C of everything after it (4 bytes),
 * the uncompressed body length (4 bytes), then one zstd frame holding the body. The body is a
 * message count followed by each message's fields, strings as length-prefixed UTF-8. The
 * checksum is kept in metadata too, so a read detects a corrupt or substituted object.
 *
 * <p>Stateless and thread-safe.
 */
public final class SegmentCodec {
    private static final byte[] MAGIC = {'S', 'T', 'R', 'S'};
    private static final byte VERSION = 1;
    private static final int HEADER_LENGTH = MAGIC.length + 1 + 4 + 4;
    /** Bodies larger than this are compressed and inflated as streams rather than in one array. */
    private static final int STREAM_ABOVE = 1 << 20;

    private final int level;

    /** @param level zstd compression level, 1 (fastest) to 19 */
    public SegmentCodec(int level) {
        if (level < 1 || level > 19) {
            throw new IllegalArgumentException("zstd level must be 1 to 19, got " + level);
        }
        this.level = level;
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
        byte[] bytes = estimate(messages) > STREAM_ABOVE ? encodeStreaming(messages) : encodeAtOnce(messages);
        int checksum = checksumOf(bytes);
        ByteBuffer.wrap(bytes).putInt(MAGIC.length + 1, checksum);
        return new Encoded(bytes, checksum);
    }

    private byte[] encodeAtOnce(List<TaskMessage> messages) {
        ByteWriter body = new ByteWriter(estimate(messages));
        try {
            writeBody(messages, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] raw = body.toArray();
        byte[] compressed = Zstd.compress(raw, level);
        ByteBuffer object = ByteBuffer.allocate(HEADER_LENGTH + compressed.length);
        object.put(MAGIC).put(VERSION).putInt(0).putInt(raw.length).put(compressed);
        return object.array();
    }

    private byte[] encodeStreaming(List<TaskMessage> messages) {
        ByteArrayOutputStream object = new ByteArrayOutputStream(64 << 10);
        object.writeBytes(new byte[HEADER_LENGTH]);
        long rawLength;
        try (StreamWriter body = new StreamWriter(new ZstdOutputStreamNoFinalizer(object, level))) {
            writeBody(messages, body);
            rawLength = body.written();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rawLength > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a segment body of " + rawLength + " bytes exceeds the format's 2 GiB");
        }
        byte[] bytes = object.toByteArray();
        ByteBuffer.wrap(bytes).put(MAGIC).put(VERSION).putInt(0).putInt((int) rawLength);
        return bytes;
    }

    private static void writeBody(List<TaskMessage> messages, BodyWriter body) throws IOException {
        body.varLong(messages.size());
        for (TaskMessage message : messages) {
            body.varLong(message.seq());
            body.string(message.id());
            body.string(message.type());
            body.string(message.tool());
            body.string(message.callId());
            body.varLong(message.createdAt().toEpochMilli());
            body.string(message.content());
            body.string(message.output());
            if (message.input().isPresent()) {
                body.varLong(1);
                body.string(message.input().get());
            } else {
                body.varLong(0);
            }
        }
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
        int checksum = verify(bytes);
        int rawLength = decodedLength(bytes);
        BodyReader reader = rawLength <= STREAM_ABOVE
                ? BodyReader.of(inflateAtOnce(taskId, checksum, bytes, rawLength))
                : BodyReader.streaming(inflating(taskId, bytes), rawLength);
        try (BodyReader in = reader) {
            int count = Math.toIntExact(in.varLong());
            if (count < 0 || count > rawLength) {
                throw new IllegalStateException("message count " + count + " cannot fit in " + rawLength + " bytes");
            }
            List<TaskMessage> messages = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long seq = in.varLong();
                String id = in.string();
                String type = in.string();
                String tool = in.string();
                String callId = in.string();
                Instant createdAt = Instant.ofEpochMilli(in.varLong());
                String content = in.string();
                String output = in.string();
                Optional<String> input = in.varLong() == 1 ? Optional.of(in.string()) : Optional.empty();
                messages.add(new TaskMessage(id, taskId, seq, type, tool, callId, content, input, output, createdAt));
            }
            in.requireEnd();
            return messages;
        } catch (IOException | RuntimeException e) {
            throw new CorruptContentException(
                    "segment of task " + taskId + " with checksum " + checksum + " has a malformed body: " + e);
        }
    }

    /**
     * The decoded size of a segment's body as its header records it, without inflating anything:
     * what {@link #decode} will hold at most.
     *
     * @throws CorruptContentException when the object is not a segment or the length is negative
     */
    public int decodedLength(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH) {
            throw new CorruptContentException("object is not a Strata segment (" + bytes.length + " bytes)");
        }
        int rawLength = ByteBuffer.wrap(bytes).getInt(MAGIC.length + 1 + 4);
        if (rawLength < 1) {
            throw new CorruptContentException("segment records an impossible decoded length " + rawLength);
        }
        return rawLength;
    }

    private static InputStream inflating(String taskId, byte[] bytes) {
        try {
            return new ZstdInputStreamNoFinalizer(
                    new ByteArrayInputStream(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH));
        } catch (IOException e) {
            throw new CorruptContentException(
                    "segment of task " + taskId + " does not start a zstd stream: " + e.getMessage());
        }
    }

    private static byte[] inflateAtOnce(String taskId, int checksum, byte[] bytes, int rawLength) {
        byte[] raw = new byte[rawLength];
        long produced;
        try {
            // Fails rather than writing past rawLength, so the header bounds the memory.
            produced = Zstd.decompressByteArray(raw, 0, rawLength, bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
            if (Zstd.isError(produced)) {
                throw new IllegalStateException(Zstd.getErrorName(produced));
            }
        } catch (RuntimeException e) {
            throw new CorruptContentException("segment of task " + taskId + " with checksum " + checksum
                    + " does not decompress within its recorded " + rawLength + " bytes: " + e.getMessage());
        }
        if (produced != rawLength) {
            throw new CorruptContentException(
                    "segment of task " + taskId + " decompressed to " + produced + " bytes, expected " + rawLength);
        }
        return raw;
    }

    /**
     * Checks magic, version and embedded checksum.
     *
     * @return the checksum
     * @throws CorruptContentException when any of them is wrong
     */
    public int verify(byte[] bytes) {
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
        int stored = ByteBuffer.wrap(bytes).getInt(MAGIC.length + 1);
        int actual = checksumOf(bytes);
        if (stored != actual) {
            throw new CorruptContentException("segment checksum mismatch: stored " + stored + ", computed " + actual);
        }
        return actual;
    }

    private static int checksumOf(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, MAGIC.length + 1 + 4, bytes.length - (MAGIC.length + 1 + 4));
        return (int) crc.getValue();
    }

    private static int estimate(List<TaskMessage> messages) {
        long total = 16;
        for (TaskMessage m : messages) {
            total += 48
                    + m.id().length()
                    + m.type().length()
                    + m.tool().length()
                    + m.callId().length()
                    + m.content().length()
                    + m.output().length()
                    + m.input().map(String::length).orElse(0);
        }
        return (int) Math.min(total, Integer.MAX_VALUE - 16);
    }

    /** Where a body is written: varints and length-prefixed UTF-8 strings. */
    private interface BodyWriter {
        void varLong(long value) throws IOException;

        void string(String value) throws IOException;
    }

    /**
     * Writes a body into a compressing stream. Long strings go in chunks, their UTF-8 length
     * counted first, so no field is ever copied whole.
     */
    private static final class StreamWriter implements BodyWriter, AutoCloseable {
        private static final int CHUNK = 64 << 10;
        private final OutputStream out;
        private final byte[] varint = new byte[10];
        private long written;

        StreamWriter(OutputStream compressing) {
            this.out = new BufferedOutputStream(compressing, 128 << 10);
        }

        @Override
        public void varLong(long value) throws IOException {
            int size = 0;
            long v = value;
            while ((v & ~0x7FL) != 0) {
                varint[size++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            varint[size++] = (byte) v;
            out.write(varint, 0, size);
            written += size;
        }

        @Override
        public void string(String value) throws IOException {
            if (value.length() <= CHUNK) {
                byte[] utf8 = value.getBytes(UTF_8);
                varLong(utf8.length);
                out.write(utf8);
                written += utf8.length;
                return;
            }
            long length = utf8Length(value);
            varLong(length);
            long sent = 0;
            for (int from = 0; from < value.length(); ) {
                int to = Math.min(value.length(), from + CHUNK);
                if (to < value.length()
                        && Character.isHighSurrogate(value.charAt(to - 1))
                        && Character.isLowSurrogate(value.charAt(to))) {
                    to--;
                }
                byte[] utf8 = value.substring(from, to).getBytes(UTF_8);
                out.write(utf8);
                sent += utf8.length;
                from = to;
            }
            if (sent != length) {
                throw new IllegalStateException("string encoded to " + sent + " bytes, counted " + length);
            }
            written += sent;
        }

        /** The length {@code getBytes(UTF_8)} gives: a lone surrogate becomes one replacement byte. */
        private static long utf8Length(String value) {
            long length = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x80) {
                    length += 1;
                } else if (c < 0x800) {
                    length += 2;
                } else if (Character.isHighSurrogate(c)
                        && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1))) {
                    length += 4;
                    i++;
                } else if (Character.isSurrogate(c)) {
                    length += 1;
                } else {
                    length += 3;
                }
            }
            return length;
        }

        long written() {
            return written;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** A growable byte buffer with varint and string writers. */
    private static final class ByteWriter implements BodyWriter {
        private byte[] buffer;
        private int size;

        ByteWriter(int capacity) {
            buffer = new byte[Math.max(capacity, 64)];
        }

        @Override
        public void varLong(long value) {
            ensure(10);
            long v = value;
            while ((v & ~0x7FL) != 0) {
                buffer[size++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buffer[size++] = (byte) v;
        }

        @Override
        public void string(String value) {
            byte[] utf8 = value.getBytes(UTF_8);
            varLong(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buffer, size, utf8.length);
            size += utf8.length;
        }

        private void ensure(int extra) {
            if (size + extra > buffer.length) {
                long wanted = Math.max((long) buffer.length * 2, (long) size + extra);
                buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
            }
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(buffer, size);
        }
    }

    /**
     * Reads the body's varints and strings, from a decompressed array or from a zstd stream, and
     * refuses to go past the recorded decoded length.
     */
    private static final class BodyReader implements AutoCloseable {
        private final InputStream stream;
        private final long limit;
        private byte[] buffer;
        private int position;
        private int end;
        private long consumedBefore;

        private BodyReader(InputStream stream, byte[] buffer, int end, long limit) {
            this.stream = stream;
            this.buffer = buffer;
            this.end = end;
            this.limit = limit;
        }

        static BodyReader of(byte[] raw) {
            return new BodyReader(null, raw, raw.length, raw.length);
        }

        static BodyReader streaming(InputStream stream, long limit) {
            return new BodyReader(stream, new byte[64 << 10], 0, limit);
        }

        long varLong() throws IOException {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = next();
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalStateException("varint longer than 10 bytes");
        }

        String string() throws IOException {
            long length = varLong();
            if (length < 0 || length > limit - consumed()) {
                throw new IllegalStateException(
                        "string length " + length + " runs past the recorded body length " + limit);
            }
            int size = (int) length;
            if (position + size <= end) {
                String value = new String(buffer, position, size, UTF_8);
                position += size;
                return value;
            }
            byte[] utf8 = new byte[size];
            int copied = 0;
            while (copied < size) {
                if (position == end) {
                    fill();
                }
                int chunk = Math.min(size - copied, end - position);
                System.arraycopy(buffer, position, utf8, copied, chunk);
                position += chunk;
                copied += chunk;
            }
            return new String(utf8, UTF_8);
        }

        /** Fails unless the body ended exactly at its recorded length. */
        void requireEnd() throws IOException {
            if (consumed() != limit) {
                throw new IllegalStateException(
                        "body does not end at its recorded length " + limit + " but after " + consumed() + " bytes");
            }
            if (stream != null && (position < end || stream.read() != -1)) {
                throw new IllegalStateException("body inflates past its recorded length " + limit);
            }
        }

        private long consumed() {
            return consumedBefore + position;
        }

        private byte next() throws IOException {
            if (position == end) {
                fill();
            }
            return buffer[position++];
        }

        private void fill() throws IOException {
            if (stream == null) {
                throw new IllegalStateException("body ends early");
            }
            consumedBefore += end;
            position = 0;
            int wanted = (int) Math.min(buffer.length, limit - consumedBefore);
            end = wanted <= 0 ? 0 : stream.readNBytes(buffer, 0, wanted);
            if (end == 0) {
                throw new IllegalStateException(
                        consumedBefore >= limit ? "body runs past its recorded length " + limit : "body ends early");
            }
        }

        @Override
        public void close() throws IOException {
            if (stream != null) {
                stream.close();
            }
        }
    }
}
