package dev.strata.server.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.strata.model.TaskMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes the export format, one JSON object per line (NDJSON): for each task a line
 * {@code {"task":{"id","workspace_id","conversation_id","status","created_at"}}}, then its messages,
 * each exactly as {@code GET /api/tasks/{id}/messages} shows it, and last
 * {@code {"end":{"tasks":N,"messages":M}}}, so a reader can tell a complete file from a truncated
 * one. Holds nothing but the generator's buffer. Not thread-safe.
 */
public final class ExportWriter {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final JsonGenerator generator;
    private long tasks;
    private long messages;

    /** Writes to {@code out}, which stays the caller's to close. */
    public ExportWriter(OutputStream out) {
        try {
            this.generator = FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        generator.setRootValueSeparator(null);
    }

    public void task(ExportedTask task) {
        line(() -> {
            generator.writeStartObject();
            generator.writeObjectFieldStart("task");
            generator.writeStringField("id", task.id());
            generator.writeStringField("workspace_id", task.workspaceId());
            generator.writeStringField("conversation_id", task.conversationId().orElse(null));
            generator.writeStringField("status", task.status());
            generator.writeStringField("created_at", MessageShape.timestamp(task.createdAt()));
            generator.writeEndObject();
            generator.writeEndObject();
        });
        tasks++;
    }

    public void message(TaskMessage message) {
        line(() -> MessageShape.write(generator, message));
        messages++;
    }

    /** Writes the closing line and flushes; nothing may follow. */
    public void end() {
        line(() -> {
            generator.writeStartObject();
            generator.writeObjectFieldStart("end");
            generator.writeNumberField("tasks", tasks);
            generator.writeNumberField("messages", messages);
            generator.writeEndObject();
            generator.writeEndObject();
        });
        try {
            generator.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long messages() {
        return messages;
    }

    public long tasks() {
        return tasks;
    }

    private interface LineBody {
        void write() throws IOException;
    }

    private void line(LineBody body) {
        try {
            body.write();
            generator.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("writing the export failed: " + e.getMessage(), e);
        }
    }
}
