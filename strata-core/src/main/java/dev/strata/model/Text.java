package dev.strata.model;

/** Checks on text that must survive UTF-8 storage unchanged. */
final class Text {
    private Text() {}

    /**
     * Rejects unpaired UTF-16 surrogates: UTF-8 cannot represent them, so storing such a string
     * would silently change it, which breaks the exact round trip promise.
     */
    static void requireWellFormed(String field, String value) {
        // Most text has no surrogate at all: one range test per char finds the first, if any
        // (every append checks each message's text, so this loop showed in profiles).
        int first = 0;
        while (first < value.length() && !Character.isSurrogate(value.charAt(first))) {
            first++;
        }
        for (int i = first; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new InvalidInputException(field + ": contains an unpaired surrogate at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new InvalidInputException(field + ": contains an unpaired surrogate at index " + i);
            }
        }
    }

    /**
     * Checks a name that metadata stores: well-formed, no NUL character, at most {@code maxBytes}
     * bytes in UTF-8. Counts the bytes without encoding, so an oversized value costs no copy.
     */
    static void requireName(String field, String value, int maxBytes) {
        requireWellFormed(field, value);
        long bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                throw new InvalidInputException(
                        field + ": must not contain the NUL character (U+0000), found at index " + i);
            }
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        if (bytes > maxBytes) {
            throw new InvalidInputException(field + ": must be at most " + maxBytes + " bytes in UTF-8, got " + bytes);
        }
    }
}
