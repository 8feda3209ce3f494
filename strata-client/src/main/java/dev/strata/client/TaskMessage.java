package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A stored message as the API serves it. {@code input} is present only when the daemon sent one,
 * as the exact JSON text it sent.
 */
public record TaskMessage(
        String id,
        String taskId,
        long seq,
        String type,
        String tool,
        String callId,
        String content,
        String output,
        Optional<String> input,
        Instant createdAt) {
    public TaskMessage {
        requireNonNull(id, "id is null");
        requireNonNull(taskId, "taskId is null");
        requireNonNull(type, "type is null");
        requireNonNull(tool, "tool is null");
        requireNonNull(callId, "callId is null");
        requireNonNull(content, "content is null");
        requireNonNull(output, "output is null");
        requireNonNull(input, "input is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    /** Reads one item of a list response or one stream event's data. */
    static TaskMessage fromJson(Object json) {
        if (!(json instanceof JsonObject object)) {
            throw new JsonReader.MalformedJsonException("a message is not a JSON object");
        }
        Instant createdAt;
        try {
            createdAt = Instant.parse(text(object, "created_at"));
        } catch (DateTimeParseException e) {
            throw new JsonReader.MalformedJsonException("created_at is not a timestamp: " + e.getMessage());
        }
        return new TaskMessage(
                text(object, "id"),
                text(object, "task_id"),
                object.integer("seq"),
                text(object, "type"),
                text(object, "tool"),
                text(object, "call_id"),
                text(object, "content"),
                text(object, "output"),
                object.rawText("input"),
                createdAt);
    }

    private static String text(JsonObject object, String name) {
        return object.string(name).orElse("");
    }
}
