package dev.strata.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.strata.model.TaskMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Writes messages as one segment object (see {@link SegmentFormat} for the header). Bodies over
 * 1 MiB are compressed as they are written, so the uncompressed body never exists as one array.
 * Thread-safe.
 */
final class SegmentEncoder {
    private final int level;
    /**
     * Idle compression contexts, reused: a fresh one per frame (what {@code Zstd.compress} does)
     * allocates and sets up its native workspace every time, which showed in append profiles.
     * A context compresses one body at a time; at most this many wait here, the rest are closed.
     */
    private final ArrayBlockingQueue<ZstdCompressCtx> idle =
            new ArrayBlockingQueue<>(Math.max(2, Runtime.getRuntime().availableProcessors()));

    SegmentEncoder(int level) {
        this.level = level;
    }

    SegmentCodec.Encoded encode(List<TaskMessage> messages) {
        byte[] bytes =
                estimate(messages) > SegmentFormat.STREAM_ABOVE ? encodeStreaming(messages) : encodeAtOnce(messages);
        return new SegmentCodec.Encoded(bytes, SegmentFormat.seal(bytes));
    }

    private byte[] encodeAtOnce(List<TaskMessage> messages) {
        ArrayBodyWriter body = new ArrayBodyWriter(estimate(messages));
        try {
            writeBody(messages, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] raw = body.toArray();
        byte[] compressed = compress(raw);
        ByteBuffer object = ByteBuffer.allocate(SegmentFormat.HEADER_LENGTH + compressed.length);
        SegmentFormat.putHeader(object, raw.length);
        object.put(compressed);
        return object.array();
    }

    /** The same bytes as {@code Zstd.compress(raw, level)}, on a reused context. */
    private byte[] compress(byte[] raw) {
        ZstdCompressCtx context = idle.poll();
        if (context == null) {
            context = new ZstdCompressCtx();
            context.setLevel(level);
        }
        byte[] compressed;
        try {
            compressed = context.compress(raw);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        if (!idle.offer(context)) {
            context.close();
        }
        return compressed;
    }

    private byte[] encodeStreaming(List<TaskMessage> messages) {
        ByteArrayOutputStream object = new ByteArrayOutputStream(64 << 10);
        object.writeBytes(new byte[SegmentFormat.HEADER_LENGTH]);
        long rawLength;
        try (StreamBodyWriter body = new StreamBodyWriter(new ZstdOutputStreamNoFinalizer(object, level))) {
            writeBody(messages, body);
            rawLength = body.written();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rawLength > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a segment body of " + rawLength + " bytes exceeds the format's 2 GiB");
        }
        byte[] bytes = object.toByteArray();
        SegmentFormat.putHeader(ByteBuffer.wrap(bytes), (int) rawLength);
        return bytes;
    }

    private static void writeBody(List<TaskMessage> messages, BodyWriter body) throws IOException {
        body.varLong(messages.size());
        for (TaskMessage message : messages) {
            body.varLong(message.seq());
            body.string(message.id());
            body.string(message.type());
            body.string(message.tool());
            body.string(message.callId());
            body.varLong(message.createdAt().toEpochMilli());
            body.string(message.content());
            body.string(message.output());
            if (message.input().isPresent()) {
                body.varLong(1);
                body.string(message.input().get());
            } else {
                body.varLong(0);
            }
        }
    }

    private static int estimate(List<TaskMessage> messages) {
        long total = 16;
        for (TaskMessage m : messages) {
            total += 48 + m.textLength();
        }
        return (int) Math.min(total, Integer.MAX_VALUE - 16);
    }
}
