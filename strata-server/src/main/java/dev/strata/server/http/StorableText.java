package dev.strata.server.http;

/**
 * Checks a free-text field (a title, a prompt, a task's result) can be stored unchanged by every
 * metadata backend: PostgreSQL {@code text} cannot hold NUL, and UTF-8 cannot hold an unpaired
 * surrogate. Refusing them here makes them a 400 instead of a backend error.
 */
final class StorableText {
    private StorableText() {}

    static String require(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                throw new ApiException.BadRequest(field + ": must not contain NUL characters");
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ApiException.BadRequest(field + ": contains an unpaired surrogate at index " + i);
            }
        }
        return value;
    }
}
