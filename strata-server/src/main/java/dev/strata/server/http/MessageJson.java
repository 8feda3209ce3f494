package dev.strata.server.http;

import dev.strata.store.NewMessage;
import dev.strata.store.TaskMessage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The wire form of task messages: parsing an append body and writing message arrays. */
final class MessageJson {
    private static final DateTimeFormatter RFC_3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private MessageJson() {
    }

    /**
     * Parses {@code {"messages":[...]}}, naming the offending field in every error
     * ({@code messages.3.seq: ...}); see {@link AppendBodyParser}.
     */
    static List<NewMessage> parseBatch(byte[] body) {
        return AppendBodyParser.parse(body);
    }

    /** Writes messages as the API's JSON array. */
    static byte[] writeArray(List<TaskMessage> messages) {
        int hint = 0;
        for (TaskMessage m : messages) {
            hint += 200 + m.content().length() + m.output().length() + m.input().map(String::length).orElse(0);
        }
        return Json.generate(hint, generator -> {
            generator.writeStartArray();
            for (TaskMessage m : messages) {
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
            generator.writeEndArray();
        });
    }

    static String timestamp(Instant instant) {
        return RFC_3339.format(instant);
    }
}
