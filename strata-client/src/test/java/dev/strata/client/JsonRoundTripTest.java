package dev.strata.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

/** The client's own JSON writer and reader agree on every string, including controls and lone surrogates. */
class JsonRoundTripTest {
    @Property(tries = 2000)
    void anyString_readsBackExactlyAsWritten(@ForAll @CharRange(from = '\u0000', to = '\uffff') String value) {
        assertThat(JsonReader.parse(JsonWriter.quote(value))).isEqualTo(value);
    }

    @Property(tries = 1000)
    void writtenStrings_holdNoControlCharacterAndNoUnpairedSurrogate(
            @ForAll @CharRange(from = '\u0000', to = '\uffff') String value) {
        String json = JsonWriter.quote(value);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            assertThat(c).as("character %d of %s", i, json).isGreaterThanOrEqualTo(' ');
            if (Character.isHighSurrogate(c)) {
                assertThat(Character.isLowSurrogate(json.charAt(++i)))
                        .as("pair at %d", i)
                        .isTrue();
            } else {
                assertThat(Character.isLowSurrogate(c))
                        .as("lone low surrogate at %d", i)
                        .isFalse();
            }
        }
        assertThat(json).doesNotContain("\u2028", "\u2029");
    }

    @Property(tries = 500)
    void anyMessage_readsBackWithEveryField(
            @ForAll("messages") NewMessage message, @ForAll @LongRange(min = 0, max = NewMessage.MAX_SEQ) long seq) {
        JsonObject object = (JsonObject) JsonReader.parse(message.toJson(seq));

        assertThat(object.integer("seq")).isEqualTo(seq);
        assertThat(object.string("type")).contains(message.type());
        assertThat(object.string("tool").orElse("")).isEqualTo(message.tool());
        assertThat(object.string("call_id").orElse("")).isEqualTo(message.callId());
        assertThat(object.string("content").orElse("")).isEqualTo(message.content());
        assertThat(object.string("output").orElse("")).isEqualTo(message.output());
        assertThat(object.rawText("input")).isEqualTo(message.input());
        message.input().ifPresent(json -> assertThat(json).isEqualTo(json.strip()));
    }

    @Property(tries = 300)
    void everyCharacterEscaped_readsAsTheSameString(@ForAll @StringLength(max = 40) String value) {
        StringBuilder json = new StringBuilder("\"");
        value.chars().forEach(c -> json.append(String.format("\\u%04X", c)));
        assertThat(JsonReader.parse(json.append('"').toString())).isEqualTo(value);
    }

    @Example
    void numbersLiteralsAndNesting_areRead() {
        Object value = JsonReader.parse(" {\"a\": [0, -1.5e3, true, false, null, {}], \"b\" : \"\\/\"} ");

        JsonObject object = (JsonObject) value;
        List<Object> array =
                new java.util.ArrayList<>((List<?>) object.value("a").orElseThrow());
        assertThat(array.get(5)).isInstanceOf(JsonObject.class);
        assertThat(array.subList(0, 5)).containsExactly(BigDecimal.ZERO, new BigDecimal("-1.5e3"), true, false, null);
        assertThat(object.string("b")).contains("/");
        assertThat(object.rawText("a")).contains("[0, -1.5e3, true, false, null, {}]");
        assertThat(object.has("missing")).isFalse();
    }

    @Example
    void malformedTexts_areRefusedNamingTheProblem() {
        List.of(
                        List.of("{\"a\":1,}", "expected a member name"),
                        List.of("[1,]", "unexpected character U+005D"),
                        List.of("01", "unexpected text after the value"),
                        List.of("\"a\u0001\"", "unescaped control character U+0001"),
                        List.of("\"\\x\"", "invalid escape \\x"),
                        List.of("\"\\u12zz\"", "invalid \\u escape"),
                        List.of("\"\\u12", "unexpected end of text in a \\u escape"),
                        List.of("1.", "no digit after the decimal point"),
                        List.of("[1] 2", "unexpected text after the value"),
                        List.of("\"open", "unexpected end of text"),
                        List.of("[".repeat(JsonReader.MAX_DEPTH + 1), "nesting deeper than 512"))
                .forEach(example -> assertThatThrownBy(() -> JsonReader.parse(example.get(0)))
                        .as(example.get(0))
                        .isInstanceOf(JsonReader.MalformedJsonException.class)
                        .hasMessageContaining(example.get(1)));
    }

    @Example
    void inputThatIsNotAJsonObject_isRefusedWhenTheMessageIsBuilt() {
        assertThatThrownBy(() -> NewMessage.of("tool-use", "").withInput("{cmd: make}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("input is not JSON: malformed JSON at offset 1");
        assertThatThrownBy(() -> NewMessage.of("tool-use", "").withInput("[1, 2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input must be a JSON object, as the API requires: [1, 2]");
    }

    @Provide
    Arbitrary<NewMessage> messages() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(60);
        Arbitrary<String> type = Arbitraries.of("text", "tool-use", "tool-result", "thinking", "ünïcode-☃");
        Arbitrary<String> input = Arbitraries.of(
                "{\"cmd\":\"make\"}",
                "{\"n\": [ 1.50 , -0 , 1e400 ]}",
                "{\"s\":\"\\u00e9\\n\\ud800\"}",
                "{}",
                " { \"a\" : { } } ");
        return Combinators.combine(type, text, text, text, text, input.optional())
                .as((kind, tool, callId, content, output, json) -> {
                    NewMessage message = NewMessage.of(kind, content)
                            .withTool(tool)
                            .withCallId(callId)
                            .withOutput(output);
                    return json.map(message::withInput).orElse(message);
                });
    }
}
