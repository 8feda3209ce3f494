package dev.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.model.NewMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Request bodies for the ingest sweep: a fixed pool of generated batches of 20 messages (about
 * 1.1 KB each on average, heavy-tailed), each message serialized once without its seq, so a body
 * for any seqs is a concatenation. Keeps the clients' own CPU small: they share two cores with the
 * server. Immutable and thread-safe.
 */
final class SweepBodies {
    static final int BATCH = 20;
    private static final byte[] OPEN = "{\"messages\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CLOSE = "]}".getBytes(StandardCharsets.UTF_8);

    /** Per batch, per message: the JSON object after {@code "seq":N,}, closing brace included. */
    private final List<List<byte[]>> fragments;

    private final long[] rawBytes;

    SweepBodies(long seed, int batches) {
        ObjectMapper mapper = new ObjectMapper();
        TraceGenerator generator = new TraceGenerator(seed);
        fragments = new ArrayList<>(batches);
        rawBytes = new long[batches];
        for (int b = 0; b < batches; b++) {
            List<byte[]> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                NewMessage message = generator.message(i + 1);
                rawBytes[b] += TraceGenerator.rawBytes(message);
                ObjectNode node = mapper.createObjectNode();
                node.put("type", message.type())
                        .put("tool", message.tool())
                        .put("call_id", message.callId())
                        .put("content", message.content())
                        .put("output", message.output());
                if (message.input().isPresent()) {
                    try {
                        node.set("input", mapper.readTree(message.input().get()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                String json = node.toString();
                batch.add(json.substring(1).getBytes(StandardCharsets.UTF_8));
            }
            fragments.add(batch);
        }
    }

    int batches() {
        return fragments.size();
    }

    /** Message bytes (the text fields, as {@link TraceGenerator#rawBytes}) of one batch. */
    long rawBytes(int batch) {
        return rawBytes[batch];
    }

    /** The body of batch {@code batch} with seqs {@code firstSeq} to {@code firstSeq + 19}. */
    byte[] body(int batch, long firstSeq) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        out.writeBytes(OPEN);
        List<byte[]> messages = fragments.get(batch);
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(("{\"seq\":" + (firstSeq + i) + ",").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(messages.get(i));
        }
        out.writeBytes(CLOSE);
        return out.toByteArray();
    }
}
