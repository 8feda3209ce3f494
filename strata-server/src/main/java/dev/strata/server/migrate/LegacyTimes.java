package dev.strata.server.migrate;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the legacy time formats: SQLite's {@code datetime('now')} (UTC) and ISO 8601 with or
 * without an offset. The common shapes ({@code yyyy-MM-dd HH:mm:ss}, with {@code T}, a fraction or
 * {@code Z}) are read by hand: the general path below costs two exceptions and a regex per SQLite
 * time, which made it the largest CPU cost of an import (about half of a dry run, JFR). Anything
 * else, or anything the fast path finds invalid, goes through the general path, so both give the
 * same answer for every input. Thread-safe.
 */
final class LegacyTimes {
    private static final DateTimeFormatter SQLITE_DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS][.SS][.S]");
    private static final Pattern HOURS_ONLY_OFFSET = Pattern.compile("([+-]\\d\\d)$");

    private LegacyTimes() {}

    static Optional<Instant> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String value = text.trim();
        Instant fast = parseCommon(value);
        return fast != null ? Optional.of(fast) : parseGeneral(value);
    }

    /** {@code yyyy-MM-dd[ T]HH:mm:ss[.f{1,9}][Z]}, or null for any other shape or an invalid date. */
    private static Instant parseCommon(String value) {
        int length = value.length();
        if (length < 19
                || value.charAt(4) != '-'
                || value.charAt(7) != '-'
                || (value.charAt(10) != ' ' && value.charAt(10) != 'T')
                || value.charAt(13) != ':'
                || value.charAt(16) != ':') {
            return null;
        }
        int year = digits(value, 0, 4);
        int month = digits(value, 5, 2);
        int day = digits(value, 8, 2);
        int hour = digits(value, 11, 2);
        int minute = digits(value, 14, 2);
        int second = digits(value, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int position = 19;
        int nanos = 0;
        if (position < length && value.charAt(position) == '.') {
            int start = ++position;
            while (position < length && position - start < 9 && isDigit(value.charAt(position))) {
                nanos = nanos * 10 + (value.charAt(position) - '0');
                position++;
            }
            int fractionDigits = position - start;
            if (fractionDigits == 0) {
                return null;
            }
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (position < length && value.charAt(position) == 'Z') {
            position++;
        }
        if (position != length) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException invalid) {
            return null;
        }
    }

    /** The general reading, exceptions and all; also the reference the fast path is tested against. */
    static Optional<Instant> parseGeneral(String value) {
        try {
            return Optional.of(OffsetDateTime.parse(
                            HOURS_ONLY_OFFSET.matcher(value.replace(' ', 'T')).replaceFirst("$1:00"))
                    .toInstant());
        } catch (DateTimeParseException notOffset) {
            try {
                return Optional.of(LocalDateTime.parse(value.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException notIso) {
                try {
                    return Optional.of(
                            LocalDateTime.parse(value, SQLITE_DATETIME).toInstant(ZoneOffset.UTC));
                } catch (DateTimeParseException unreadable) {
                    return Optional.empty();
                }
            }
        }
    }

    /** The number in {@code count} ASCII digits at {@code start}, or -1 if any is not a digit. */
    private static int digits(String value, int start, int count) {
        int result = 0;
        for (int i = start; i < start + count; i++) {
            char c = value.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
