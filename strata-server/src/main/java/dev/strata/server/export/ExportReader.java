package dev.strata.server.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.InvalidInputException;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.server.workspace.TaskStatus;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
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
                    case "input" -> input = Optional.of(rawValue(parser, line));
                    case "seq" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw invalid(lineNumber, "seq must be an integer, got " + describe(value));
                        }
                        fields.put(name, parser.getLongValue());
                    }
                    case "id", "task_id", "type", "tool", "call_id", "content", "output", "created_at" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw invalid(lineNumber, name + " must be a string, got " + describe(value));
                        }
                        fields.put(name, parser.getText());
                    }
                    default -> parser.skipChildren(); // a field this version does not know: ignored
                }
            }
            if (parser.nextToken() != null) {
                throw invalid(lineNumber, "more than one JSON value");
            }
            if (task != null) {
                return new ExportLine.TaskLine(task(task, lineNumber));
            }
            if (end != null) {
                if (!end.path("tasks").isIntegralNumber()
                        || !end.path("messages").isIntegralNumber()
                        || !end.path("tasks").canConvertToLong()
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
        if (!task.isObject()) {
            throw invalid(lineNumber, "task must be an object");
        }
        String id = taskText(task, "id", lineNumber);
        String workspace = taskText(task, "workspace_id", lineNumber);
        String status = taskText(task, "status", lineNumber);
        String createdAt = taskText(task, "created_at", lineNumber);
        if (id == null || workspace == null || status == null || createdAt == null) {
            throw invalid(lineNumber, "a task needs id, workspace_id, status and created_at");
        }
        if (Arrays.stream(TaskStatus.values()).noneMatch(s -> s.wireName().equals(status))) {
            throw invalid(
                    lineNumber,
                    "task status must be one of "
                            + Arrays.stream(TaskStatus.values())
                                    .map(TaskStatus::wireName)
                                    .toList() + ", got " + status);
        }
        return new ExportedTask(
                id,
                workspace,
                Optional.ofNullable(taskText(task, "conversation_id", lineNumber)),
                status,
                instant(createdAt, lineNumber));
    }

    /** A task field's text, or null when absent or JSON null; anything but a string is refused. */
    private static String taskText(JsonNode task, String name, long lineNumber) {
        JsonNode value = task.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid(lineNumber, "task " + name + " must be a string, got " + value.getNodeType());
        }
        wellFormed(lineNumber, "task " + name, value.textValue());
        return value.textValue();
    }

    /**
     * The exact JSON text of the current value (an object, array or scalar), as the line holds
     * it. The parser is left on the value's last token.
     */
    private static String rawValue(JsonParser parser, String line) throws IOException {
        int start = (int) parser.currentTokenLocation().getCharOffset();
        if (parser.currentToken().isStructStart()) {
            parser.skipChildren();
        } else {
            // Strings are parsed lazily: read all of it so the location is past its closing quote.
            parser.finishToken();
        }
        int stop = (int) parser.currentLocation().getCharOffset();
        return line.substring(start, stop);
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_STRING -> "a string";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> token.toString();
        };
    }

    private static void wellFormed(long lineNumber, String field, String value) {
        try {
            NewMessage.requireWellFormed(field, value);
        } catch (InvalidInputException e) {
            throw invalid(lineNumber, e.getMessage());
        }
    }

    private static TaskMessage message(Map<String, Object> fields, Optional<String> input, long lineNumber) {
        for (String required : new String[] {"id", "task_id", "seq", "type", "created_at"}) {
            if (fields.get(required) == null) {
                throw invalid(lineNumber, "a message needs " + required);
            }
        }
        for (String name : new String[] {"id", "task_id", "type", "tool", "call_id", "content", "output"}) {
            wellFormed(lineNumber, name, text(fields, name));
        }
        input.ifPresent(json -> wellFormed(lineNumber, "input", json));
        long seq = (Long) fields.get("seq");
        if (seq < 0 || seq > NewMessage.MAX_SEQ) {
            throw invalid(lineNumber, "seq must be an integer from 0 to " + NewMessage.MAX_SEQ + ", got " + seq);
        }
        try {
            NewMessage.requireValidNames(text(fields, "type"), text(fields, "tool"), text(fields, "call_id"));
        } catch (InvalidInputException e) {
            throw invalid(lineNumber, e.getMessage());
        }
        return new TaskMessage(
                (String) fields.get("id"),
                (String) fields.get("task_id"),
                seq,
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
