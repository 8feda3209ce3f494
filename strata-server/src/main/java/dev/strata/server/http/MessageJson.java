package dev.strata.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.server.export.MessageShape;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/** The wire form of task messages: parsing an append body and writing message arrays. */
final class MessageJson {
    private MessageJson() {}

    /**
     * Parses {@code {"messages":[...]}}, naming the offending field in every error
     * ({@code messages.3.seq: ...}); see {@link AppendBodyParser}.
     */
    static List<NewMessage> parseBatch(byte[] body) {
        return AppendBodyParser.parse(body);
    }

    /**
     * Writes messages as the API's JSON array to {@code out} as it goes: the response never
     * exists as one string or array, whatever the page holds.
     */
    static void writeArray(OutputStream out, List<TaskMessage> messages) throws IOException {
        // The response stream is Jetty's to close.
        try (JsonGenerator generator =
                Json.MAPPER.getFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            generator.writeStartArray();
            for (TaskMessage m : messages) {
                write(generator, m);
            }
            generator.writeEndArray();
        }
    }

    /** One message as the JSON object it is in a list response (an item of {@link #writeArray}). */
    static String object(TaskMessage message) {
        StringWriter text = new StringWriter(
                256 + message.content().length() + message.output().length());
        try (JsonGenerator generator = Json.MAPPER.getFactory().createGenerator(text)) {
            write(generator, message);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a message to a string failed", e);
        }
        return text.toString();
    }

    private static void write(JsonGenerator generator, TaskMessage m) throws IOException {
        MessageShape.write(generator, m);
    }

    static String timestamp(Instant instant) {
        return MessageShape.timestamp(instant);
    }
}
