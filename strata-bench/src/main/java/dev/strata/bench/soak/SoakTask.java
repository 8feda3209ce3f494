package dev.strata.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.BitSet;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One task of the soak and what the soak knows of it: the seqs handed out so far and the seqs
 * Strata acknowledged (a 200 to an append that carried them). A message's content is a function
 * of its task and seq, so whichever writer's copy of a seq wins, the soak knows what must be read
 * back. Thread-safe.
 */
final class SoakTask {
    /** Where a task is in its life, as far as the soak is concerned. */
    enum State {
        OPEN,
        COMPLETING,
        COMPLETED,
        DELETING,
        DELETED
    }

    private static final String[] TYPES = {"tool-use", "tool-result", "thinking", "text"};
    private static final String[] WORDS = {
        "build", "the", "module", "failed", "retry", "cache", "segment", "read", "append", "compile", "error", "test",
        "passed", "file", "line", "import", "class", "method", "return", "value"
    };

    final String id;
    private final AtomicLong nextSeq = new AtomicLong(1);
    private final BitSet acknowledged = new BitSet();
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);

    SoakTask(String id) {
        this.id = Objects.requireNonNull(id, "id is null");
    }

    State state() {
        return state.get();
    }

    boolean moveTo(State from, State to) {
        return state.compareAndSet(from, to);
    }

    void force(State to) {
        state.set(to);
    }

    /** Hands out {@code count} new seqs; returns the first. */
    long allocate(int count) {
        return nextSeq.getAndAdd(count);
    }

    /** Largest seq handed out so far. */
    long lastAllocated() {
        return nextSeq.get() - 1;
    }

    synchronized void acknowledge(long from, long to) {
        acknowledged.set((int) from, (int) to + 1);
    }

    synchronized BitSet acknowledgedSnapshot() {
        return (BitSet) acknowledged.clone();
    }

    /** The message with this seq, as every writer sends it. */
    static ObjectNode message(String taskId, long seq) {
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        String type = TYPES[(int) (seq % TYPES.length)];
        message.put("seq", seq);
        message.put("type", type);
        if (type.startsWith("tool")) {
            message.put("tool", "Bash");
            message.put("call_id", "c" + seq);
        }
        message.put("content", content(taskId, seq));
        if (type.equals("tool-use")) {
            message.putObject("input").put("cmd", "make step-" + seq);
        }
        if (type.equals("tool-result")) {
            message.put("output", "output of step " + seq);
        }
        return message;
    }

    /** Null when the message as read equals the one sent, else what differs. */
    static String difference(String taskId, JsonNode read) {
        long seq = read.path("seq").asLong(-1);
        ObjectNode sent = message(taskId, seq);
        for (String field : new String[] {"type", "tool", "call_id", "content", "output"}) {
            String expected = sent.path(field).asText("");
            String actual = read.path(field).asText("");
            if (!expected.equals(actual)) {
                return "task " + taskId + " seq " + seq + ": " + field + " differs";
            }
        }
        if (sent.has("input") && !sent.get("input").equals(read.get("input"))) {
            return "task " + taskId + " seq " + seq + ": input differs";
        }
        if (!read.path("task_id").asText().equals(taskId)) {
            return "task " + taskId + " seq " + seq + ": served with task_id "
                    + read.path("task_id").asText();
        }
        return null;
    }

    private static String content(String taskId, long seq) {
        SplittableRandom random = new SplittableRandom(taskId.hashCode() * 1_000_003L + seq);
        StringBuilder text = new StringBuilder("step ")
                .append(seq)
                .append(" of ")
                .append(taskId)
                .append(':');
        int words = random.nextInt(5, 300);
        for (int i = 0; i < words; i++) {
            text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
            if (random.nextInt(20) == 0) {
                text.append(' ').append(random.nextLong());
            }
        }
        return text.toString();
    }
}
