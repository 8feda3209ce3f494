package dev.strata.server.migrate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts of legacy oddities that an import handles (never fatal) and reports. Thread-safe. */
final class Quirks {
    static final String DUPLICATE_SEQ = "duplicate (task_id, seq) rows left out (the first inserted is kept)";
    static final String INPUT_EMPTY = "input empty string (kept as the JSON string \"\")";
    static final String INPUT_NOT_OBJECT = "input valid JSON but not an object (kept as that JSON value)";
    static final String INPUT_INVALID = "input not JSON (kept as a JSON string holding the original text)";
    static final String CREATED_AT_UNPARSEABLE =
            "created_at unreadable (the task's creation time, else the epoch, is used)";
    static final String SEQ_OUT_OF_RANGE = "seq outside 0..2^53-1 (row left out)";
    static final String TASK_MISSING = "rows whose task is missing from agent_task_queue";
    static final String EMPTY_ID = "empty id (a stable id is derived from task and seq)";
    static final String NAME_UNFIT =
            "type, tool or call_id over Strata's limit (64, 256, 256 bytes) or holding NUL or a lone surrogate"
                    + " (cut at a character boundary, NUL left out, a lone surrogate replaced by U+FFFD;"
                    + " the legacy columns keep the original)";
    static final String TASK_ID_UNFIT = "tasks whose id cannot be a Strata task id (over 128 characters, or a lone"
            + " surrogate): not imported, and verify fails while they exist";
    static final String NO_TASK_ID =
            "rows without a task_id (NULL or empty): not imported, and verify fails while they exist";

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void count(String quirk) {
        count(quirk, 1);
    }

    void count(String quirk, long n) {
        counts.computeIfAbsent(quirk, q -> new LongAdder()).add(n);
    }

    long get(String quirk) {
        LongAdder adder = counts.get(quirk);
        return adder == null ? 0 : adder.sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> result = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> result.put(e.getKey(), e.getValue().sum()));
        return result;
    }
}
