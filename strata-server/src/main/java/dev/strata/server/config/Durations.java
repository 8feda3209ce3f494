package dev.strata.server.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written the way operators write them: {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s},
 * {@code 250ms}; at most ten years. Every error is a {@link ConfigException} naming the variable.
 */
public final class Durations {
    /** Ten years: longer would overflow the arithmetic of schedules and leases, and means "off". */
    static final Duration MAX = Duration.ofDays(3650);

    private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String variable, String text) {
        Matcher matcher = FORMAT.matcher(text.trim());
        if (text.trim().startsWith("-")) {
            throw new ConfigException(variable + " must not be negative, got '" + text + "'");
        }
        if (!matcher.matches()) {
            throw new ConfigException(
                    variable + " must be a duration like 250ms, 45s, 30m, 12h or 7d, got '" + text + "'");
        }
        Duration duration;
        try {
            long amount = Long.parseLong(matcher.group(1));
            duration = switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> throw new IllegalStateException("unreachable unit " + matcher.group(2));
            };
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            duration = MAX.plusDays(1);
        }
        if (duration.compareTo(MAX) > 0) {
            throw new ConfigException(variable + " must be at most 3650d, got '" + text + "'");
        }
        return duration;
    }
}
