package dev.strata.client;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed JSON object: its members' values (see {@link JsonReader} for their Java types) and,
 * for each member, the exact text of its value in the source, so a field such as a message's
 * {@code input} can be handed on byte for byte. Immutable.
 */
final class JsonObject {
    private final String source;
    private final Map<String, Object> values;
    private final Map<String, int[]> spans;

    /** {@code values} may hold nulls (JSON {@code null}); {@code spans} hold each value's start and end in {@code source}. */
    JsonObject(String source, Map<String, Object> values, Map<String, int[]> spans) {
        this.source = source;
        this.values = Collections.unmodifiableMap(new HashMap<>(values));
        this.spans = Map.copyOf(spans);
    }

    /** Whether the member is present (with any value, {@code null} included). */
    boolean has(String name) {
        return spans.containsKey(name);
    }

    /** The member's value; empty when absent or JSON {@code null}. */
    Optional<Object> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The member's string value; empty when absent or {@code null}; throws when it is another type. */
    Optional<String> string(String name) {
        return value(name).map(value -> cast(name, value, String.class));
    }

    /** The member's integer value, which must be present. */
    long integer(String name) {
        BigDecimal number = value(name)
                .map(value -> cast(name, value, BigDecimal.class))
                .orElseThrow(() -> new JsonReader.MalformedJsonException("missing number member " + name));
        try {
            return number.longValueExact();
        } catch (ArithmeticException e) {
            throw new JsonReader.MalformedJsonException(name + ": not an integer: " + number);
        }
    }

    /** The exact source text of the member's value (a JSON {@code null} included), empty when absent. */
    Optional<String> rawText(String name) {
        int[] span = spans.get(name);
        return span == null ? Optional.empty() : Optional.of(source.substring(span[0], span[1]));
    }

    private static <T> T cast(String name, Object value, Class<T> type) {
        if (!type.isInstance(value)) {
            throw new JsonReader.MalformedJsonException(name + ": expected " + type.getSimpleName() + " but found "
                    + value.getClass().getSimpleName());
        }
        return type.cast(value);
    }
}
