package dev.strata.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import dev.strata.model.BatchSeqs;
import dev.strata.model.InvalidInputException;
import dev.strata.model.NewMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Parses an append body, {@code {"messages":[...]}}, in one streaming pass. Each message's
 * {@code input} is kept as the exact JSON text the daemon sent (numbers such as {@code -0},
 * {@code 1e400} or {@code 1.50}, escapes and whitespace unchanged): the parser only checks it is a
 * well-formed object and takes its bytes from the body. No number in the body is ever converted
 * except {@code seq}. Errors name the offending field ({@code messages.3.seq: ...}); a body that is
 * not well-formed JSON is {@code invalid request body}, whatever else is wrong with it, as is one in
 * UTF-16 or UTF-32 (JSON exchanged between systems is UTF-8, RFC 8259).
 */
final class AppendBodyParser {
    private static final int MAX_SEQ_DIGITS = Long.toString(NewMessage.MAX_SEQ).length();

    private final byte[] body;
    private final JsonParser parser;
    /** The first field error found; reported only once the whole body proved well-formed. */
    private String firstError;

    private AppendBodyParser(byte[] body, JsonParser parser) {
        this.body = body;
        this.parser = parser;
    }

    static List<NewMessage> parse(byte[] body) {
        try (JsonParser parser = Json.MAPPER.createParser(body)) {
            // Jackson also detects UTF-16 and UTF-32; input is taken from the body as UTF-8 bytes, so only UTF-8 is
            // accepted.
            if (!(parser instanceof UTF8StreamJsonParser)) {
                throw new ApiException.BadRequest("invalid request body");
            }
            return new AppendBodyParser(body, parser).batch();
        } catch (IOException e) {
            throw new ApiException.BadRequest("invalid request body");
        }
    }

    private List<NewMessage> batch() throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new ApiException.BadRequest("invalid request body");
        }
        List<NewMessage> batch = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("messages") && value == JsonToken.START_ARRAY) {
                batch = messages();
            } else {
                parser.skipChildren();
            }
        }
        if (parser.nextToken() != null) {
            throw new ApiException.BadRequest("invalid request body");
        }
        if (batch == null) {
            fail("messages: must be an array");
        }
        if (firstError != null) {
            throw new ApiException.BadRequest(firstError);
        }
        return batch;
    }

    private List<NewMessage> messages() throws IOException {
        List<NewMessage> batch = new ArrayList<>();
        BatchSeqs seqs = new BatchSeqs();
        for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
            String path = "messages." + i;
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                fail(path + ": must be an object");
                parser.skipChildren();
                continue;
            }
            Fields fields = fields();
            if (firstError != null) {
                continue;
            }
            try {
                NewMessage message = fields.toMessage(path);
                if (seqs.accept(message.seq()) == BatchSeqs.Verdict.REPEATED) {
                    fail(path + ".seq: " + BatchSeqs.repeated(message.seq()));
                }
                batch.add(message);
            } catch (ApiException.BadRequest e) {
                fail(e.getMessage());
            }
        }
        return batch;
    }

    /** Reads one message object's fields, leaving the parser on its closing brace. */
    private Fields fields() throws IOException {
        Fields fields = new Fields();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (name) {
                case "seq" -> fields.seq = seq(token);
                case "type" -> fields.type = token == JsonToken.VALUE_NULL ? null : text(fields, name, token);
                case "tool" -> fields.tool = optionalText(fields, name, token);
                case "call_id" -> fields.callId = optionalText(fields, name, token);
                case "content" -> fields.content = optionalText(fields, name, token);
                case "output" -> fields.output = optionalText(fields, name, token);
                case "input" -> fields.input = input(fields, token);
                default -> parser.skipChildren();
            }
        }
        return fields;
    }

    /** The seq as a long, {@code -1} when it is not an integer in range, null when absent. */
    private Long seq(JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_NUMBER_INT) {
            parser.skipChildren();
            return -1L;
        }
        String digits = parser.getText();
        if (digits.startsWith("-")) {
            return digits.chars().skip(1).allMatch(c -> c == '0') ? 0L : -1L;
        }
        if (digits.length() > MAX_SEQ_DIGITS) {
            return -1L;
        }
        long seq = Long.parseLong(digits);
        return seq <= NewMessage.MAX_SEQ ? seq : -1L;
    }

    private String optionalText(Fields fields, String name, JsonToken token) throws IOException {
        return token == JsonToken.VALUE_NULL ? "" : text(fields, name, token);
    }

    private String text(Fields fields, String name, JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            parser.skipChildren();
            fields.wrongType.add(name);
            return "";
        }
        return parser.getText();
    }

    /** The input object's exact text from the body; empty when absent or null. */
    private Optional<String> input(Fields fields, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return Optional.empty();
        }
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            fields.wrongType.add("input");
            return Optional.empty();
        }
        long start = parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        long end = parser.currentTokenLocation().getByteOffset() + 1;
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, (int) start, (int) (end - start)))
                    .toString());
        } catch (CharacterCodingException e) {
            throw new ApiException.BadRequest("invalid request body");
        }
    }

    private void fail(String error) {
        if (firstError == null) {
            firstError = error;
        }
    }

    /** One message's fields as read; validated in the order the API has always reported them. */
    private static final class Fields {
        final Set<String> wrongType = new HashSet<>();
        Long seq;
        String type;
        String tool = "";
        String callId = "";
        String content = "";
        String output = "";
        Optional<String> input = Optional.empty();

        NewMessage toMessage(String path) {
            if (seq == null) {
                throw new ApiException.BadRequest(path + ".seq: is required");
            }
            if (seq < 0) {
                throw new ApiException.BadRequest(path + ".seq: must be an integer from 0 to " + NewMessage.MAX_SEQ);
            }
            if (type == null) {
                throw new ApiException.BadRequest(path + ".type: is required");
            }
            if (wrongType.contains("type") || type.isEmpty() || type.length() > NewMessage.MAX_TYPE_LENGTH) {
                throw new ApiException.BadRequest(
                        path + ".type: must be a string of 1 to " + NewMessage.MAX_TYPE_LENGTH + " characters");
            }
            if (wrongType.contains("input")) {
                throw new ApiException.BadRequest(path + ".input: must be a JSON object");
            }
            for (String field : List.of("tool", "call_id", "content", "output")) {
                if (wrongType.contains(field)) {
                    throw new ApiException.BadRequest(path + "." + field + ": must be a string");
                }
            }
            try {
                return new NewMessage(seq, type, tool, callId, content, input, output);
            } catch (InvalidInputException e) {
                throw new ApiException.BadRequest(path + "." + e.getMessage());
            }
        }
    }
}
