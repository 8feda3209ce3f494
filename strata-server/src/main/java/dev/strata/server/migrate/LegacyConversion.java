package dev.strata.server.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.strata.model.BatchSeqs;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskMessage;
import dev.strata.store.TaskMessageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a legacy row becomes a Strata message, shared by import and verify so both apply the same
 * rules: the first inserted row of each seq wins, dropped types are left out, ids and times are
 * kept, and odd inputs are kept losslessly as JSON values.
 */
final class LegacyConversion {
    static final ObjectMapper JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Set<String> dropTypes;

    LegacyConversion(Set<String> dropTypes) {
        this.dropTypes = Set.copyOf(dropTypes);
    }

    /** The rows of one task after the rules; {@code dropped} and {@code quirks} are counted as a side effect. */
    List<TaskMessage> select(
            List<LegacyRow> rowsInOrder, Optional<Instant> taskCreatedAt, Quirks quirks, long[] dropped) {
        Selector selector = selector(taskCreatedAt, quirks);
        List<TaskMessage> kept = new ArrayList<>(rowsInOrder.size());
        for (LegacyRow row : rowsInOrder) {
            selector.accept(row).ifPresent(kept::add);
        }
        dropped[0] += selector.dropped();
        return kept;
    }

    /** Applies the rules to the rows of one task as they stream by, in seq then insertion order. */
    Selector selector(Optional<Instant> taskCreatedAt, Quirks quirks) {
        return new Selector(taskCreatedAt, quirks);
    }

    /** The rules for one task's rows, one row at a time. Not thread-safe. */
    final class Selector {
        private final Optional<Instant> taskCreatedAt;
        private final Quirks quirks;
        private final BatchSeqs seqs = new BatchSeqs();
        private long dropped;

        private Selector(Optional<Instant> taskCreatedAt, Quirks quirks) {
            this.taskCreatedAt = taskCreatedAt;
            this.quirks = quirks;
        }

        /** @return the message to store, or empty when a rule leaves the row out */
        Optional<TaskMessage> accept(LegacyRow row) {
            switch (seqs.accept(row.seq())) {
                case FIRST -> {}
                case OUT_OF_RANGE -> {
                    quirks.count(Quirks.SEQ_OUT_OF_RANGE);
                    return Optional.empty();
                }
                case REPEATED -> {
                    quirks.count(Quirks.DUPLICATE_SEQ);
                    return Optional.empty();
                }
            }
            if (dropTypes.contains(nonNull(row.type()))) {
                dropped++;
                return Optional.empty();
            }
            return Optional.of(toMessage(row, taskCreatedAt, quirks));
        }

        long dropped() {
            return dropped;
        }
    }

    TaskMessage toMessage(LegacyRow row, Optional<Instant> taskCreatedAt, Quirks quirks) {
        String id = nonNull(row.id());
        if (id.isEmpty()) {
            quirks.count(Quirks.EMPTY_ID);
            id = TaskMessageStore.messageId(row.taskId(), row.seq());
        }
        Instant createdAt = parseTime(row.createdAt()).orElseGet(() -> {
            quirks.count(Quirks.CREATED_AT_UNPARSEABLE);
            return taskCreatedAt.orElse(Instant.EPOCH);
        });
        return new TaskMessage(
                id,
                row.taskId(),
                row.seq(),
                fit(row.type(), NewMessage.MAX_TYPE_BYTES, quirks),
                fit(row.tool(), NewMessage.MAX_TOOL_BYTES, quirks),
                fit(row.callId(), NewMessage.MAX_CALL_ID_BYTES, quirks),
                nonNull(row.content()),
                input(row.input(), quirks),
                nonNull(row.output()),
                createdAt);
    }

    /**
     * A name column as Strata can hold it: without NUL, with any lone surrogate replaced by U+FFFD,
     * and cut at a character boundary to at most {@code maxBytes} in UTF-8. Counted as a quirk when
     * that changed it; the legacy column keeps the original (finalize keeps these columns).
     */
    static String fit(String legacy, int maxBytes, Quirks quirks) {
        String value = nonNull(legacy);
        StringBuilder fitted = new StringBuilder(value.length());
        int bytes = 0;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0) {
                continue;
            }
            if (cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
                cp = 0xFFFD;
            }
            int length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp <= 0xFFFF ? 3 : 4;
            if (bytes + length > maxBytes) {
                break;
            }
            bytes += length;
            fitted.appendCodePoint(cp);
        }
        String result = fitted.toString();
        if (!result.equals(value)) {
            quirks.count(Quirks.NAME_UNFIT);
        }
        return result;
    }

    /** The input as Strata keeps it: objects as written, anything else as a JSON value that holds it exactly. */
    static Optional<String> input(String legacy, Quirks quirks) {
        if (legacy == null) {
            return Optional.empty();
        }
        if (legacy.isEmpty()) {
            quirks.count(Quirks.INPUT_EMPTY);
            return Optional.of("\"\"");
        }
        try {
            JsonNode node = JSON.readTree(legacy);
            if (node != null && node.isObject()) {
                return Optional.of(legacy);
            }
            if (node != null && !node.isMissingNode()) {
                quirks.count(Quirks.INPUT_NOT_OBJECT);
                return Optional.of(legacy.strip());
            }
        } catch (JsonProcessingException e) {
            // Not JSON at all: falls through to keeping the text as a JSON string.
        }
        quirks.count(Quirks.INPUT_INVALID);
        try {
            return Optional.of(JSON.writeValueAsString(legacy));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serializes", e);
        }
    }

    /** Reads the legacy time formats; see {@link LegacyTimes}. */
    static Optional<Instant> parseTime(String text) {
        return LegacyTimes.parse(text);
    }

    /** True when two inputs hold the same JSON value. */
    static boolean sameJson(Optional<String> expected, Optional<String> actual) {
        if (expected.isEmpty() || actual.isEmpty()) {
            return expected.isEmpty() && actual.isEmpty();
        }
        try {
            return JSON.readTree(expected.get()).equals(JSON.readTree(actual.get()));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
