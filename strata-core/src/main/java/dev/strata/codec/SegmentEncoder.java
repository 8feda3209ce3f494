package dev.strata.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.strata.model.TaskMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes messages as one segment object (see {@link SegmentFormat} for the header). Bodies over
 * 1 MiB are compressed as they are written, so the uncompressed body never exists as one array.
 * Stateless and thread-safe.
 */
final class SegmentEncoder {
    private final int level;

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
        byte[] compressed = Zstd.compress(raw, level);
        ByteBuffer object = ByteBuffer.allocate(SegmentFormat.HEADER_LENGTH + compressed.length);
        SegmentFormat.putHeader(object, raw.length);
        object.put(compressed);
        return object.array();
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
