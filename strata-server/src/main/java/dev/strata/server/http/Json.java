package dev.strata.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * The JSON settings of the API: numbers keep their exact value (big integers and decimals are
 * never rounded through double), duplicate keys are refused, and strings may be as long as the
 * body limit allows.
 */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(Integer.MAX_VALUE)
                            .maxNumberLength(100_000)
                            .maxNestingDepth(1000)
                            .build())
                    .build())
            // Keep decimals as written (1.50 stays 1.50): exact round trip of a daemon's input.
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {}

    /**
     * Parses a request body.
     *
     * @throws ApiException.BadRequest {@code invalid request body} when it is not one JSON value
     */
    static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ApiException.BadRequest("invalid request body");
            }
            return node;
        } catch (IOException | NumberFormatException | ArithmeticException e) {
            // A number beyond what BigDecimal holds (1e9999999999) is bad input like any syntax error.
            throw new ApiException.BadRequest("invalid request body");
        }
    }
}
