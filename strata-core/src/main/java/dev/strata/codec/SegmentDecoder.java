package dev.strata.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.strata.model.CorruptContentException;
import dev.strata.model.TaskMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a segment object back into messages. Large bodies are inflated as a stream, field by
 * field; nothing inflates past the decoded length the header records. Stateless and thread-safe.
 */
final class SegmentDecoder {
    private SegmentDecoder() {}

    static List<TaskMessage> decode(String taskId, byte[] bytes) {
        int checksum = SegmentFormat.verify(bytes);
        int rawLength = SegmentFormat.decodedLength(bytes);
        BodyReader reader = rawLength <= SegmentFormat.STREAM_ABOVE
                ? BodyReader.of(inflateAtOnce(taskId, checksum, bytes, rawLength))
                : BodyReader.streaming(inflating(taskId, bytes), rawLength);
        try (BodyReader in = reader) {
            int count = Math.toIntExact(in.varLong());
            if (count < 0 || count > rawLength) {
                throw new IllegalStateException("message count " + count + " cannot fit in " + rawLength + " bytes");
            }
            // The count is only a claim until the body delivers the messages: grow as they arrive.
            List<TaskMessage> messages = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                long seq = in.varLong();
                String id = in.string();
                String type = in.string();
                String tool = in.string();
                String callId = in.string();
                Instant createdAt = Instant.ofEpochMilli(in.varLong());
                String content = in.string();
                String output = in.string();
                Optional<String> input = in.varLong() == 1 ? Optional.of(in.string()) : Optional.empty();
                messages.add(new TaskMessage(id, taskId, seq, type, tool, callId, content, input, output, createdAt));
            }
            in.requireEnd();
            return messages;
        } catch (IOException | RuntimeException e) {
            throw new CorruptContentException(
                    "segment of task " + taskId + " with checksum " + checksum + " has a malformed body: " + e);
        }
    }

    private static InputStream inflating(String taskId, byte[] bytes) {
        try {
            return new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(
                    bytes, SegmentFormat.HEADER_LENGTH, bytes.length - SegmentFormat.HEADER_LENGTH));
        } catch (IOException e) {
            throw new CorruptContentException(
                    "segment of task " + taskId + " does not start a zstd stream: " + e.getMessage());
        }
    }

    private static byte[] inflateAtOnce(String taskId, int checksum, byte[] bytes, int rawLength) {
        byte[] raw = new byte[rawLength];
        long produced;
        try {
            // Fails rather than writing past rawLength, so the header bounds the memory.
            produced = Zstd.decompressByteArray(
                    raw, 0, rawLength, bytes, SegmentFormat.HEADER_LENGTH, bytes.length - SegmentFormat.HEADER_LENGTH);
            if (Zstd.isError(produced)) {
                throw new IllegalStateException(Zstd.getErrorName(produced));
            }
        } catch (RuntimeException e) {
            throw new CorruptContentException("segment of task " + taskId + " with checksum " + checksum
                    + " does not decompress within its recorded " + rawLength + " bytes: " + e.getMessage());
        }
        if (produced != rawLength) {
            throw new CorruptContentException(
                    "segment of task " + taskId + " decompressed to " + produced + " bytes, expected " + rawLength);
        }
        return raw;
    }
}
