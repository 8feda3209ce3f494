package dev.strata.server.http;

/**
 * Integers in query parameters: an optional minus sign and ASCII digits, around which spaces are
 * tolerated. {@code Long.parseLong} alone also reads other scripts' digits ({@code ٥}, {@code ５})
 * and a plus sign, which no client means.
 */
final class QueryNumbers {
    private QueryNumbers() {}

    /** @throws NumberFormatException unless {@code text} is such an integer that fits a long */
    static long parseLong(String text) {
        String value = text.trim();
        int from = value.startsWith("-") ? 1 : 0;
        if (value.length() == from) {
            throw new NumberFormatException("no digits: " + text);
        }
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException("not an ASCII integer: " + text);
            }
        }
        return Long.parseLong(value);
    }

    /** @throws NumberFormatException unless {@code text} is such an integer that fits an int */
    static int parseInt(String text) {
        long value = parseLong(text);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new NumberFormatException("out of int range: " + text);
        }
        return (int) value;
    }
}
