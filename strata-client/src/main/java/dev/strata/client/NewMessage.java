package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A message to append. Without a {@code seq} the {@link Appender} assigns the next one. {@code input}
 * is a JSON object's text, checked here and stored exactly as given (without surrounding whitespace). Build one with
 * {@link #of(String, String)} and the {@code with...} methods.
 */
public record NewMessage(
        OptionalLong seq,
        String type,
        String tool,
        String callId,
        String content,
        String output,
        Optional<String> input) {
    /** The largest seq the API accepts: 2^53 - 1, exact in every JSON reader. */
    public static final long MAX_SEQ = (1L << 53) - 1;

    public NewMessage {
        requireNonNull(seq, "seq is null");
        requireNonNull(type, "type is null");
        requireNonNull(tool, "tool is null");
        requireNonNull(callId, "callId is null");
        requireNonNull(content, "content is null");
        requireNonNull(output, "output is null");
        requireNonNull(input, "input is null");
        if (seq.isPresent() && (seq.getAsLong() < 0 || seq.getAsLong() > MAX_SEQ)) {
            throw new IllegalArgumentException("seq must be from 0 to 2^53-1: " + seq.getAsLong());
        }
        if (type.isEmpty()) {
            throw new IllegalArgumentException("type is empty");
        }
        input.ifPresent(json -> {
            Object value;
            try {
                value = JsonReader.parse(json);
            } catch (JsonReader.MalformedJsonException e) {
                throw new IllegalArgumentException("input is not JSON: " + e.getMessage(), e);
            }
            if (!(value instanceof JsonObject)) {
                throw new IllegalArgumentException("input must be a JSON object, as the API requires: " + json);
            }
        });
        // Well-formed, so only JSON whitespace can surround the value: the server keeps the value alone.
        input = input.map(String::strip);
    }

    /** A message of {@code type} with {@code content}, no seq (the appender assigns it), tool, call id, output or input. */
    public static NewMessage of(String type, String content) {
        return new NewMessage(OptionalLong.empty(), type, "", "", content, "", Optional.empty());
    }

    public NewMessage withSeq(long value) {
        return new NewMessage(OptionalLong.of(value), type, tool, callId, content, output, input);
    }

    public NewMessage withTool(String value) {
        return new NewMessage(seq, type, value, callId, content, output, input);
    }

    public NewMessage withCallId(String value) {
        return new NewMessage(seq, type, tool, value, content, output, input);
    }

    public NewMessage withOutput(String value) {
        return new NewMessage(seq, type, tool, callId, content, value, input);
    }

    /** With {@code json} (a JSON object, as text) as the message's input. */
    public NewMessage withInput(String json) {
        return new NewMessage(seq, type, tool, callId, content, output, Optional.of(json));
    }

    /** The message as one item of an append body, with {@code assignedSeq}; empty fields are left out. */
    String toJson(long assignedSeq) {
        StringBuilder out = new StringBuilder(64 + content.length() + output.length());
        out.append("{\"seq\":").append(assignedSeq).append(",\"type\":");
        JsonWriter.string(out, type);
        field(out, "tool", tool);
        field(out, "call_id", callId);
        field(out, "content", content);
        field(out, "output", output);
        input.ifPresent(json -> out.append(",\"input\":").append(json));
        return out.append('}').toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        if (!value.isEmpty()) {
            out.append(",\"").append(name).append("\":");
            JsonWriter.string(out, value);
        }
    }
}
