package dev.strata.server.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.InvalidInputException;
import dev.strata.model.TaskMessage;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Parses lines of the export format back into tasks and messages. A message's {@code input} is
 * taken as the exact text of the line (so {@code 1.50} or {@code -0} survive the round trip, as
 * they survive an append). Every error names the line. Stateless and thread-safe.
 */
public final class ExportReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(100_000)
                    .maxNestingDepth(1000)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private ExportReader() {}

    /** @throws InvalidInputException naming {@code lineNumber} when the line is not one of the format's lines */
    public static ExportLine parse(String line, long lineNumber) {
        try (JsonParser parser = MAPPER.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalid(lineNumber, "not a JSON object");
            }
            Map<String, Object> fields = new HashMap<>();
            JsonNode task = null;
            JsonNode end = null;
            Optional<String> input = Optional.empty();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "task" -> task = parser.readValueAsTree();
                    case "end" -> end = parser.readValueAsTree();
                    case "input" -> {
                        if (value != JsonToken.VALUE_NULL) {
                            int start = (int) parser.currentTokenLocation().getCharOffset();
                            parser.skipChildren();
                            int stop = (int) parser.currentTokenLocation().getCharOffset() + 1;
                            input = Optional.of(line.substring(start, stop));
                        }
                    }
                    case "seq" -> fields.put(name, value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : null);
                    default -> fields.put(name, value == JsonToken.VALUE_STRING ? parser.getText() : null);
                }
            }
            if (parser.nextToken() != null) {
                throw invalid(lineNumber, "more than one JSON value");
            }
            if (task != null) {
                return new ExportLine.TaskLine(task(task, lineNumber));
            }
            if (end != null) {
                if (!end.path("tasks").canConvertToLong()
                        || !end.path("messages").canConvertToLong()) {
                    throw invalid(lineNumber, "end needs tasks and messages counts");
                }
                return new ExportLine.EndLine(
                        end.get("tasks").asLong(), end.get("messages").asLong());
            }
            return new ExportLine.MessageLine(message(fields, input, lineNumber));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw invalid(lineNumber, "not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw invalid(lineNumber, "not JSON (" + e.getMessage() + ")");
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw invalid(lineNumber, e.getMessage());
        }
    }

    private static ExportedTask task(JsonNode task, long lineNumber) {
        String id = task.path("id").textValue();
        String workspace = task.path("workspace_id").textValue();
        String status = task.path("status").textValue();
        String createdAt = task.path("created_at").textValue();
        if (id == null || workspace == null || status == null || createdAt == null) {
            throw invalid(lineNumber, "a task needs id, workspace_id, status and created_at");
        }
        return new ExportedTask(
                id,
                workspace,
                Optional.ofNullable(task.path("conversation_id").textValue()),
                status,
                instant(createdAt, lineNumber));
    }

    private static TaskMessage message(Map<String, Object> fields, Optional<String> input, long lineNumber) {
        for (String required : new String[] {"id", "task_id", "seq", "type", "created_at"}) {
            if (fields.get(required) == null) {
                throw invalid(lineNumber, "a message needs " + required);
            }
        }
        return new TaskMessage(
                (String) fields.get("id"),
                (String) fields.get("task_id"),
                (Long) fields.get("seq"),
                (String) fields.get("type"),
                text(fields, "tool"),
                text(fields, "call_id"),
                text(fields, "content"),
                input,
                text(fields, "output"),
                instant((String) fields.get("created_at"), lineNumber));
    }

    private static String text(Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        return value == null ? "" : (String) value;
    }

    private static Instant instant(String text, long lineNumber) {
        try {
            return MessageShape.parseTimestamp(text);
        } catch (DateTimeParseException e) {
            throw invalid(lineNumber, "created_at is not an RFC 3339 time: " + text);
        }
    }

    private static InvalidInputException invalid(long lineNumber, String problem) {
        return new InvalidInputException("line " + lineNumber + ": " + problem);
    }
}
