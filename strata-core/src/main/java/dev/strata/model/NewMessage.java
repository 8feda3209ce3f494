package dev.strata.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One step an agent daemon reports, as it arrives for an append.
 *
 * @param seq position of the message in its task, from 0 to 2^53-1; unique within the task
 * @param type kind of step ({@code tool-use}, {@code text}, ...), 1 to 64 characters and at most
 *     64 bytes in UTF-8
 * @param tool tool name, may be empty, at most 256 bytes in UTF-8
 * @param callId tool call id, may be empty, at most 256 bytes in UTF-8
 * @param content free text, may be empty
 * @param input the tool input as JSON object text, or empty when the daemon sent none
 * @param output tool output, may be empty
 */
public record NewMessage(
        long seq, String type, String tool, String callId, String content, Optional<String> input, String output) {

    public static final long MAX_SEQ = (1L << 53) - 1;
    public static final int MAX_TYPE_LENGTH = 64;
    /** Most UTF-8 bytes of a type; types are names kept in the metadata dictionary. */
    public static final int MAX_TYPE_BYTES = 64;
    /** Most UTF-8 bytes of a tool name; also a dictionary name. */
    public static final int MAX_TOOL_BYTES = 256;
    /** Most UTF-8 bytes of a call id, which every message row of the metadata carries. */
    public static final int MAX_CALL_ID_BYTES = 256;

    public NewMessage {
        if (seq < 0 || seq > MAX_SEQ) {
            throw new InvalidInputException("seq must be an integer from 0 to " + MAX_SEQ + ", got " + seq);
        }
        requireNonNull(type, "type is null");
        if (type.isEmpty() || type.length() > MAX_TYPE_LENGTH) {
            throw new InvalidInputException(
                    "type must be 1 to " + MAX_TYPE_LENGTH + " characters, got " + type.length());
        }
        requireNonNull(tool, "tool is null");
        requireNonNull(callId, "callId is null");
        requireNonNull(content, "content is null");
        requireNonNull(input, "input is null");
        requireNonNull(output, "output is null");
        requireValidNames(type, tool, callId);
        Text.requireWellFormed("content", content);
        Text.requireWellFormed("output", output);
        input.ifPresent(json -> Text.requireWellFormed("input", json));
    }

    /**
     * Checks the fields that metadata stores: well-formed, without NUL (PostgreSQL text cannot
     * hold it) and within their byte limits, so the metadata of a message stays small.
     *
     * @throws InvalidInputException naming the field and its limit
     */
    public static void requireValidNames(String type, String tool, String callId) {
        Text.requireName("type", type, MAX_TYPE_BYTES);
        Text.requireName("tool", tool, MAX_TOOL_BYTES);
        Text.requireName("call_id", callId, MAX_CALL_ID_BYTES);
    }

    /**
     * Checks text can be stored unchanged in UTF-8: refuses an unpaired surrogate (what an append
     * checks content, output and input with), for readers of other formats such as imports.
     *
     * @throws InvalidInputException naming the field
     */
    public static void requireWellFormed(String field, String value) {
        Text.requireWellFormed(field, value);
    }

    /** A message with only the required fields set. */
    public static NewMessage of(long seq, String type) {
        return new NewMessage(seq, type, "", "", "", Optional.empty(), "");
    }
}
