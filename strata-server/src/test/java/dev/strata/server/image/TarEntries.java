package dev.strata.server.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough of the tar format to read an image tarball and its layers: each regular file or
 * directory's name, mode and content (PAX extended headers are skipped, long names are not needed).
 */
final class TarEntries {
    record Entry(String name, int mode, char type, byte[] content) {}

    private TarEntries() {}

    /** Every entry of the archive, by name; reads {@code in} to its end-of-archive marker. */
    static Map<String, Entry> read(InputStream in) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        byte[] header = new byte[512];
        while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
            String name = text(header, 0, 100);
            String prefix = text(header, 345, 155);
            int mode = (int) octal(header, 100, 8);
            long size = octal(header, 124, 12);
            char type = (char) header[156];
            byte[] content = in.readNBytes((int) size);
            in.skipNBytes((512 - size % 512) % 512);
            if (type == 'x' || type == 'g') {
                continue;
            }
            String fullName = prefix.isEmpty() ? name : prefix + "/" + name;
            entries.put(fullName, new Entry(fullName, mode, type, content));
        }
        return entries;
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int offset, int length) {
        String digits = text(header, offset, length).trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }
}
