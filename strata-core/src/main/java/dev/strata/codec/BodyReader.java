package dev.strata.codec;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads the body's varints and strings, from a decompressed array or from a zstd stream, and
 * refuses to go past the recorded decoded length.
 */
final class BodyReader implements AutoCloseable {
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
            throw new IllegalStateException("string length " + length + " runs past the recorded body length " + limit);
        }
        int size = (int) length;
        if (position + size <= end) {
            String value = new String(buffer, position, size, UTF_8);
            position += size;
            return value;
        }
        // The length is only a claim until the body delivers the bytes: grow as they arrive, so a
        // forged length costs no more memory than the body really inflates to.
        byte[] utf8 = new byte[Math.min(size, 2 * buffer.length)];
        int copied = 0;
        while (copied < size) {
            if (position == end) {
                fill();
            }
            int chunk = Math.min(size - copied, end - position);
            if (copied + chunk > utf8.length) {
                utf8 = Arrays.copyOf(utf8, (int) Math.min(size, Math.max(copied + chunk, 2L * utf8.length)));
            }
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
