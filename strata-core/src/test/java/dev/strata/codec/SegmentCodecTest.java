package dev.strata.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.CorruptContentException;
import dev.strata.model.TaskMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SegmentCodecTest {
    private final SegmentCodec codec = new SegmentCodec();

    @Property(tries = 300)
    void encodeThenDecode_returnsEveryFieldExactly(@ForAll("messages") @Size(max = 20) List<TaskMessage> messages) {
        SegmentCodec.Encoded encoded = codec.encode(messages);

        assertThat(codec.decode("task", encoded.bytes())).containsExactlyElementsOf(messages);
        assertThat(codec.verify(encoded.bytes())).isEqualTo(encoded.checksum());
    }

    @Provide
    Arbitrary<List<TaskMessage>> messages() {
        Arbitrary<String> text = Arbitraries.strings()
                .all()
                .ofMaxLength(300)
                .filter(s -> s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF));
        Arbitrary<Optional<String>> input = Arbitraries.of(
                        "{}", "{\"a\":null}", "{\"n\":123456789012345678901234567890,\"x\":[1,{\"y\":\"é\"}]}")
                .optional();
        Arbitrary<TaskMessage> message = Combinators.combine(
                        Arbitraries.longs().between(0, (1L << 53) - 1),
                        text,
                        text,
                        text,
                        text,
                        input,
                        text,
                        Arbitraries.longs().between(0, 4_102_444_800_000L))
                .as((seq, type, tool, callId, content, in, output, millis) -> new TaskMessage(
                        "id-" + seq,
                        "task",
                        seq,
                        type.isEmpty() ? "t" : type,
                        tool,
                        callId,
                        content,
                        in,
                        output,
                        Instant.ofEpochMilli(millis)));
        return message.list();
    }

    @Test
    void concurrentEncodes_onReusedContexts_giveTheBytesOfAFreshContext() throws Exception {
        List<List<TaskMessage>> batches = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
            List<TaskMessage> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(message(b * 100L + i, ("batch " + b + " message " + i + " ").repeat(10 + b * i)));
            }
            batches.add(batch);
        }
        // A new codec's first encode runs on a fresh context, as every encode did before contexts were reused.
        List<byte[]> expected = batches.stream()
                .map(batch -> new SegmentCodec().encode(batch).bytes())
                .toList();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(threads.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        for (int b = 0; b < batches.size(); b++) {
                            byte[] bytes = codec.encode(batches.get(b)).bytes();
                            if (!java.util.Arrays.equals(bytes, expected.get(b))
                                    || !codec.decode("task", bytes).equals(batches.get(b))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (var result : results) {
                assertThat(result.get()).isTrue();
            }
        }
    }

    @Test
    void flippedByte_isDetectedAsCorrupt() {
        byte[] bytes = codec.encode(List.of(message(1, "hello"))).bytes();
        bytes[bytes.length - 3] ^= 0x40;

        assertThatThrownBy(() -> codec.decode("task", bytes))
                .isInstanceOf(CorruptContentException.class)
                .hasMessageStartingWith("segment checksum mismatch");
    }

    @Test
    void foreignObject_isNotASegment() {
        assertThatThrownBy(() -> codec.decode("task", "{\"json\":true}".getBytes()))
                .isInstanceOf(CorruptContentException.class)
                .hasMessage("object is not a Strata segment (13 bytes)");
    }

    @Test
    void typicalAgentTrace_compressesAtLeastThreeTimes() {
        List<TaskMessage> trace = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            trace.add(message(
                    i,
                    "Reading src/main/java/com/example/Service" + (i % 7) + ".java and checking the imports; "
                            + "public class Service" + i + " { private final Repository repository; }"));
        }
        int raw = trace.stream()
                .mapToInt(m -> m.content().length() + m.id().length() + m.type().length())
                .sum();

        int encoded = codec.encode(trace).bytes().length;

        assertThat((double) raw / encoded).isGreaterThan(3.0);
    }

    @Test
    void largeCompressibleSegment_decodesAsAStream_exactly() {
        // Defect 4: bodies above 1 MiB are inflated field by field instead of into one array.
        List<TaskMessage> messages = List.of(
                message(1, "a".repeat(3 << 20)),
                message(2, "é".repeat(1 << 20)),
                message(3, ""),
                // Surrogate pairs straddling the encoder's 64 Ki-character chunks.
                message(4, "a" + "\uD83D\uDE00".repeat(100_000) + "z"),
                message(5, "€\uD83D\uDE00".repeat(70_000)));

        assertThat(codec.decode("task", codec.encode(messages).bytes())).containsExactlyElementsOf(messages);
    }

    @Test
    void decompressionBomb_smallRecordedLength_isRefusedWithoutInflatingIt() {
        // A header that records 1,000 bytes for a body that inflates to 8 MiB: refused as corrupt
        // before more than the recorded length is produced.
        byte[] bomb = withRecordedLength(
                codec.encode(List.of(message(1, "b".repeat(8 << 20)))).bytes(), 1000);

        assertThatThrownBy(() -> codec.decode("task", bomb))
                .isInstanceOf(CorruptContentException.class)
                .hasMessageContaining("does not decompress within its recorded 1000 bytes");
    }

    @Test
    void decompressionBomb_recordedLengthBelowTheStreamedBody_isRefused() {
        byte[] bomb = withRecordedLength(
                codec.encode(List.of(message(1, "b".repeat(8 << 20)))).bytes(), 2 << 20);

        assertThatThrownBy(() -> codec.decode("task", bomb))
                .isInstanceOf(CorruptContentException.class)
                .hasMessageContaining("runs past the recorded body length " + (2 << 20));
    }

    @Test
    void recordedLengthAboveTheBody_isRefused() {
        byte[] bytes = codec.encode(List.of(message(1, "c".repeat(2 << 20)))).bytes();
        int actual = codec.decodedLength(bytes);
        byte[] lying = withRecordedLength(bytes, actual + 100);

        assertThatThrownBy(() -> codec.decode("task", lying))
                .isInstanceOf(CorruptContentException.class)
                .hasMessageContaining("body does not end at its recorded length " + (actual + 100));
    }

    @Test
    void negativeRecordedLength_isRefused() {
        byte[] bytes = withRecordedLength(codec.encode(List.of(message(1, "x"))).bytes(), -5);

        assertThatThrownBy(() -> codec.decode("task", bytes))
                .isInstanceOf(CorruptContentException.class)
                .hasMessage("segment records an impossible decoded length -5");
    }

    @Test
    void forgedHugeMessageCount_isCorruptNotOutOfMemory() {
        // A re-signed segment whose header records 2 GiB and whose body claims two billion
        // messages: the count fits the recorded length, so only the body's real end refutes it.
        byte[] body = {(byte) 0x80, (byte) 0xA8, (byte) 0xD6, (byte) 0xB9, 0x07}; // varint 2,000,000,000
        byte[] compressed = com.github.luben.zstd.Zstd.compress(body);
        byte[] forged = new byte[SegmentFormat.HEADER_LENGTH + compressed.length];
        java.nio.ByteBuffer.wrap(forged).put(SegmentFormat.MAGIC).put(SegmentFormat.VERSION);
        System.arraycopy(compressed, 0, forged, SegmentFormat.HEADER_LENGTH, compressed.length);
        byte[] bytes = withRecordedLength(forged, Integer.MAX_VALUE);

        assertThatThrownBy(() -> codec.decode("task", bytes))
                .isInstanceOf(CorruptContentException.class)
                .hasMessageContaining("body ends early");
    }

    @Test
    void forgedHugeStringLength_isCorrupt_withoutAllocatingWhatItClaims() {
        // One message whose first string claims 2,000,000,000 bytes of a body recorded as 2 GiB,
        // re-signed; the body ends right after the claim. Only delivered bytes may cost memory.
        byte[] body = {1, 1, (byte) 0x80, (byte) 0xA8, (byte) 0xD6, (byte) 0xB9, 0x07}; // count, seq, length
        byte[] compressed = com.github.luben.zstd.Zstd.compress(body);
        byte[] forged = new byte[SegmentFormat.HEADER_LENGTH + compressed.length];
        java.nio.ByteBuffer.wrap(forged).put(SegmentFormat.MAGIC).put(SegmentFormat.VERSION);
        System.arraycopy(compressed, 0, forged, SegmentFormat.HEADER_LENGTH, compressed.length);
        byte[] bytes = withRecordedLength(forged, Integer.MAX_VALUE);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        assertThatThrownBy(() -> codec.decode("task", bytes))
                .isInstanceOf(CorruptContentException.class)
                .hasMessageContaining("body ends early");
        assertThat(threads.getCurrentThreadAllocatedBytes() - before)
                .as("bytes allocated by the decode")
                .isLessThan(64L << 20);
    }

    /** Rewrites the header's decoded length and re-signs the object, as a forger would. */
    private static byte[] withRecordedLength(byte[] segment, int length) {
        byte[] bytes = segment.clone();
        java.nio.ByteBuffer.wrap(bytes).putInt(9, length);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 9, bytes.length - 9);
        java.nio.ByteBuffer.wrap(bytes).putInt(5, (int) crc.getValue());
        return bytes;
    }

    private static TaskMessage message(long seq, String content) {
        return new TaskMessage(
                "id-" + seq,
                "task",
                seq,
                "text",
                "",
                "",
                content,
                Optional.empty(),
                "",
                Instant.ofEpochMilli(1_700_000_000_000L));
    }
}
