package dev.strata.client;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser (RFC 8259) for the API's responses. Values become {@link JsonObject},
 * {@code List<Object>}, {@link String}, {@link BigDecimal}, {@link Boolean} or {@code null}.
 * Escapes are decoded exactly, {@code \\uXXXX} surrogates included (an unpaired one is kept as the
 * lone {@code char} it denotes); raw control characters in strings, trailing commas, leading zeros,
 * trailing text and nesting deeper than {@value #MAX_DEPTH} are rejected with
 * {@link MalformedJsonException}. Not thread-safe; one instance parses one text.
 */
final class JsonReader {
    static final int MAX_DEPTH = 512;

    /** Text that is not the JSON the client expects. */
    static final class MalformedJsonException extends StrataException {
        MalformedJsonException(String message) {
            super(message);
        }
    }

    private final String text;
    private int position;
    private int depth;

    private JsonReader(String text) {
        this.text = text;
    }

    /** Parses a whole JSON text. */
    static Object parse(String text) {
        JsonReader reader = new JsonReader(text);
        Object value = reader.value();
        reader.skipWhitespace();
        if (reader.position != text.length()) {
            throw reader.malformed("unexpected text after the value");
        }
        return value;
    }

    private Object value() {
        skipWhitespace();
        if (position >= text.length()) {
            throw malformed("unexpected end of text");
        }
        char c = text.charAt(position);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw malformed("unexpected character " + describe(c));
            }
        };
    }

    private JsonObject object() {
        enter();
        position++;
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, int[]> spans = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            position++;
            depth--;
            return new JsonObject(text, values, spans);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw malformed("expected a member name");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            int start = position;
            values.put(name, value());
            spans.put(name, new int[] {start, position});
            skipWhitespace();
            char next = next();
            if (next == '}') {
                depth--;
                return new JsonObject(text, values, spans);
            }
            if (next != ',') {
                throw malformed("expected , or } in an object");
            }
        }
    }

    private List<Object> array() {
        enter();
        position++;
        List<Object> values = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            position++;
            depth--;
            return Collections.unmodifiableList(values);
        }
        while (true) {
            values.add(value());
            skipWhitespace();
            char next = next();
            if (next == ']') {
                depth--;
                return Collections.unmodifiableList(values);
            }
            if (next != ',') {
                throw malformed("expected , or ] in an array");
            }
        }
    }

    private String string() {
        position++;
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw malformed("unescaped control character " + describe(c) + " in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escape = next();
            switch (escape) {
                case '"', '\\', '/' -> out.append(escape);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(hexChar());
                default -> throw malformed("invalid escape \\" + escape);
            }
        }
    }

    private char hexChar() {
        if (position + 4 > text.length()) {
            throw malformed("unexpected end of text in a \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(position++), 16);
            if (digit < 0) {
                throw malformed("invalid \\u escape");
            }
            value = value * 16 + digit;
        }
        return (char) value;
    }

    private BigDecimal number() {
        int start = position;
        if (peek() == '-') {
            position++;
        }
        if (peek() == '0') {
            position++;
        } else if (!digits()) {
            throw malformed("invalid number");
        }
        if (peek() == '.') {
            position++;
            if (!digits()) {
                throw malformed("invalid number: no digit after the decimal point");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            position++;
            if (peek() == '+' || peek() == '-') {
                position++;
            }
            if (!digits()) {
                throw malformed("invalid number: no digit in the exponent");
            }
        }
        return new BigDecimal(text.substring(start, position));
    }

    private boolean digits() {
        int start = position;
        while (position < text.length() && text.charAt(position) >= '0' && text.charAt(position) <= '9') {
            position++;
        }
        return position > start;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, position)) {
            throw malformed("invalid literal");
        }
        position += word.length();
        return value;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw malformed("nesting deeper than " + MAX_DEPTH);
        }
    }

    private void expect(char expected) {
        if (next() != expected) {
            throw malformed("expected " + expected);
        }
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\uffff';
    }

    private char next() {
        if (position >= text.length()) {
            throw malformed("unexpected end of text");
        }
        return text.charAt(position++);
    }

    private void skipWhitespace() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            position++;
        }
    }

    private MalformedJsonException malformed(String problem) {
        return new MalformedJsonException("malformed JSON at offset " + position + ": " + problem);
    }

    private static String describe(char c) {
        return String.format("U+%04X", (int) c);
    }
}
