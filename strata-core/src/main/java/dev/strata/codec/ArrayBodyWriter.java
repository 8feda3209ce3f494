package dev.strata.codec;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;

/** A growable byte buffer with varint and string writers. */
final class ArrayBodyWriter implements BodyWriter {
    private byte[] buffer;
    private int size;

    ArrayBodyWriter(int capacity) {
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
            buffer = Arrays.copyOf(buffer, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
        }
    }

    byte[] toArray() {
        return Arrays.copyOf(buffer, size);
    }
}
