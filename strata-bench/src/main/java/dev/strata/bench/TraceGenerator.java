package dev.strata.bench;

import dev.strata.model.NewMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Seeded, realistic agent traces: tool calls with JSON input, tool results from a few bytes to
 * hundreds of KB, thinking, text and the odd error; sizes heavy-tailed around a 1.1 KB mean;
 * tasks from a few messages to 10,000; batches of 1 to 20. The same seed gives the same traces.
 */
final class TraceGenerator {
    private static final String[] TOOLS = {"Read", "Bash", "Edit", "Grep", "Glob", "Write", "WebFetch"};
    private static final String[] WORDS =
            ("the build fails because the test fixture closes the pool before the last query "
                            + "returns so I will move the shutdown hook after the assertions and rerun the suite then check the log for "
                            + "connection errors and compare the timings with the previous run public class Service implements Runnable "
                            + "private final Repository repository return Optional.empty() import java.util.List; error warning info")
                    .split(" ");

    private final SplittableRandom random;

    TraceGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A task length: mostly tens to hundreds of messages, a few in the thousands, at most 10,000. */
    int taskLength() {
        double u = random.nextDouble();
        if (u < 0.02) {
            return 2000 + random.nextInt(8001);
        }
        return (int) Math.min(10_000, Math.max(3, Math.exp(3.5 + random.nextGaussian() * 1.1)));
    }

    /** A batch size from 1 to 20, as a daemon flushing every 100 ms or at 20 pending sends. */
    int batchSize() {
        return random.nextDouble() < 0.3 ? 20 : 1 + random.nextInt(20);
    }

    /** The message at {@code seq} of a task. */
    NewMessage message(long seq) {
        double u = random.nextDouble();
        if (u < 0.30) {
            String tool = TOOLS[random.nextInt(TOOLS.length)];
            String input = "{\"path\":\"/repo/src/main/java/com/example/" + words(2).replace(' ', '/')
                    + ".java\",\"limit\":" + random.nextInt(2000) + ",\"pattern\":\"" + words(3) + "\",\"replace_all\":"
                    + random.nextBoolean() + "}";
            return new NewMessage(seq, "tool-use", tool, callId(seq), "", Optional.of(input), "");
        }
        if (u < 0.60) {
            return new NewMessage(
                    seq,
                    "tool-result",
                    TOOLS[random.nextInt(TOOLS.length)],
                    callId(seq - 1),
                    "",
                    Optional.empty(),
                    text(outputSize()));
        }
        if (u < 0.80) {
            return new NewMessage(seq, "thinking", "", "", text(80 + random.nextInt(900)), Optional.empty(), "");
        }
        if (u < 0.98) {
            return new NewMessage(seq, "text", "", "", text(40 + random.nextInt(500)), Optional.empty(), "");
        }
        return new NewMessage(seq, "error", "", "", "Error: " + text(60 + random.nextInt(200)), Optional.empty(), "");
    }

    /** Batches covering seqs 1..length of one task. */
    List<List<NewMessage>> task(int length) {
        List<List<NewMessage>> batches = new ArrayList<>();
        long seq = 1;
        while (seq <= length) {
            int size = (int) Math.min(batchSize(), length - seq + 1);
            List<NewMessage> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add(message(seq++));
            }
            batches.add(batch);
        }
        return batches;
    }

    /** Heavy-tailed output sizes: mostly a few hundred bytes, sometimes tens or hundreds of KB. */
    private int outputSize() {
        double u = random.nextDouble();
        if (u < 0.004) {
            return 100_000 + random.nextInt(200_000);
        }
        if (u < 0.05) {
            return 4_000 + random.nextInt(12_000);
        }
        return 20 + random.nextInt(1_000);
    }

    private String callId(long seq) {
        return "toolu_01" + Long.toString((seq * 0x9E3779B97F4A7C15L) >>> 8, 36);
    }

    private String text(int length) {
        StringBuilder out = new StringBuilder(length + 16);
        while (out.length() < length) {
            out.append(WORDS[random.nextInt(WORDS.length)]);
            out.append(random.nextInt(12) == 0 ? '\n' : ' ');
        }
        out.setLength(length);
        return out.toString();
    }

    private String words(int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return out.toString();
    }

    /** Bytes a message carries: its UTF-8 text fields, the measure of "bytes of message". */
    static long rawBytes(NewMessage m) {
        return utf8(m.type())
                + utf8(m.tool())
                + utf8(m.callId())
                + utf8(m.content())
                + utf8(m.output())
                + m.input().map(TraceGenerator::utf8).orElse(0)
                + 8;
    }

    private static int utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
