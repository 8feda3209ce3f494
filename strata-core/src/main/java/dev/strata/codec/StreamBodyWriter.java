package dev.strata.codec;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a body into a compressing stream. Long strings go in chunks, their UTF-8 length
 * counted first, so no field is ever copied whole.
 */
final class StreamBodyWriter implements BodyWriter, AutoCloseable {
    private static final int CHUNK = 64 << 10;
    private final OutputStream out;
    private final byte[] varint = new byte[10];
    private long written;

    StreamBodyWriter(OutputStream compressing) {
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
