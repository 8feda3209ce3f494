package dev.strata.server.export;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.strata.model.TaskMessage;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The API's JSON object for a stored message ({@code GET .../messages} items, live-tail events,
 * export lines): written in one place so every output agrees, and read back by {@link ExportReader}.
 */
public final class MessageShape {
    private static final DateTimeFormatter RFC_3339 =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private MessageShape() {}

    /** Writes one message as its JSON object. */
    public static void write(JsonGenerator generator, TaskMessage m) throws IOException {
        generator.writeStartObject();
        generator.writeStringField("id", m.id());
        generator.writeStringField("task_id", m.taskId());
        generator.writeNumberField("seq", m.seq());
        generator.writeStringField("type", m.type());
        generator.writeStringField("tool", m.tool());
        generator.writeStringField("call_id", m.callId());
        generator.writeStringField("content", m.content());
        generator.writeStringField("output", m.output());
        if (m.input().isPresent()) {
            generator.writeFieldName("input");
            // Stored as the exact JSON text the daemon sent, checked well-formed on the way in.
            generator.writeRawValue(m.input().get());
        }
        generator.writeStringField("created_at", timestamp(m.createdAt()));
        generator.writeEndObject();
    }

    /** RFC 3339 UTC with milliseconds, as every time in the API. */
    public static String timestamp(Instant instant) {
        return RFC_3339.format(instant);
    }

    static Instant parseTimestamp(String text) {
        return Instant.from(RFC_3339.parse(text));
    }
}
