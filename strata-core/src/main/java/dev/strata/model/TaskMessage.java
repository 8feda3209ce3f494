package dev.strata.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A stored message, exactly as it was appended, with its stable id and the time it was accepted.
 *
 * @param id stable id, unique within the task, identical in every tier and unchanged by compaction
 */
public record TaskMessage(
        String id,
        String taskId,
        long seq,
        String type,
        String tool,
        String callId,
        String content,
        Optional<String> input,
        String output,
        Instant createdAt) {
    public TaskMessage {
        requireNonNull(id, "id is null");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id is empty");
        }
        requireNonNull(taskId, "taskId is null");
        requireNonNull(type, "type is null");
        requireNonNull(tool, "tool is null");
        requireNonNull(callId, "callId is null");
        requireNonNull(content, "content is null");
        requireNonNull(input, "input is null");
        requireNonNull(output, "output is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    /** The characters of all its text fields together: what sizing estimates of memory and output start from. */
    public long textLength() {
        return (long) id.length()
                + taskId.length()
                + type.length()
                + tool.length()
                + callId.length()
                + content.length()
                + output.length()
                + input.map(String::length).orElse(0);
    }
}
