package dev.strata.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.store.InvalidInputException;
import dev.strata.store.NewMessage;
import dev.strata.store.TaskMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The wire form of task messages: parsing an append body and writing message arrays. */
final class MessageJson {
    private static final DateTimeFormatter RFC_3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final BigInteger MAX_SEQ = BigInteger.valueOf(NewMessage.MAX_SEQ);

    private MessageJson() {
    }

    /**
     * Parses {@code {"messages":[...]}}, naming the offending field in every error
     * ({@code messages.3.seq: ...}).
     */
    static List<NewMessage> parseBatch(byte[] body) {
        JsonNode root = Json.parse(body);
        if (!root.isObject()) {
            throw new ApiException.BadRequest("invalid request body");
        }
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray()) {
            throw new ApiException.BadRequest("messages: must be an array");
        }
        List<NewMessage> batch = new ArrayList<>(messages.size());
        Set<Long> seqs = new HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            String path = "messages." + i;
            NewMessage message = parseMessage(path, messages.get(i));
            if (!seqs.add(message.seq())) {
                throw new ApiException.BadRequest(path + ".seq: " + message.seq() + " occurs more than once in the batch");
            }
            batch.add(message);
        }
        return batch;
    }

    private static NewMessage parseMessage(String path, JsonNode node) {
        if (!node.isObject()) {
            throw new ApiException.BadRequest(path + ": must be an object");
        }
        JsonNode seqNode = node.get("seq");
        if (seqNode == null || seqNode.isNull()) {
            throw new ApiException.BadRequest(path + ".seq: is required");
        }
        if (!seqNode.isIntegralNumber() || seqNode.bigIntegerValue().signum() < 0 || seqNode.bigIntegerValue().compareTo(MAX_SEQ) > 0) {
            throw new ApiException.BadRequest(path + ".seq: must be an integer from 0 to " + NewMessage.MAX_SEQ);
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null || typeNode.isNull()) {
            throw new ApiException.BadRequest(path + ".type: is required");
        }
        if (!typeNode.isTextual() || typeNode.textValue().isEmpty() || typeNode.textValue().length() > NewMessage.MAX_TYPE_LENGTH) {
            throw new ApiException.BadRequest(path + ".type: must be a string of 1 to " + NewMessage.MAX_TYPE_LENGTH + " characters");
        }
        Optional<String> input = Optional.empty();
        JsonNode inputNode = node.get("input");
        if (inputNode != null && !inputNode.isNull()) {
            if (!inputNode.isObject()) {
                throw new ApiException.BadRequest(path + ".input: must be a JSON object");
            }
            input = Optional.of(Json.write(inputNode));
        }
        try {
            return new NewMessage(seqNode.longValue(), typeNode.textValue(), optionalText(path, node, "tool"),
                    optionalText(path, node, "call_id"), optionalText(path, node, "content"), input,
                    optionalText(path, node, "output"));
        } catch (InvalidInputException e) {
            throw new ApiException.BadRequest(path + "." + e.getMessage());
        }
    }

    private static String optionalText(String path, JsonNode message, String field) {
        JsonNode value = message.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw new ApiException.BadRequest(path + "." + field + ": must be a string");
        }
        return value.textValue();
    }

    /**
     * Writes messages as the API's JSON array to {@code out} as it goes: the response never
     * exists as one string or array, whatever the page holds.
     */
    static void writeArray(OutputStream out, List<TaskMessage> messages) throws IOException {
        // The response stream is Jetty's to close.
        try (JsonGenerator generator = Json.MAPPER.getFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
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
                    // Stored as the JSON text the API itself produced, so it is valid as is.
                    generator.writeRawValue(m.input().get());
                }
                generator.writeStringField("created_at", timestamp(m.createdAt()));
                generator.writeEndObject();
            }
            generator.writeEndArray();
        }
    }

    static String timestamp(Instant instant) {
        return RFC_3339.format(instant);
    }
}
