package dev.strata.server.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.strata.codec.FrameIndex;
import dev.strata.codec.SegmentCodec;
import dev.strata.model.CorruptContentException;
import dev.strata.model.InvalidInputException;
import dev.strata.model.TaskMessage;
import dev.strata.server.Strata;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.export.MessageShape;
import dev.strata.tier.content.ContentKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code strata segment dump KEY}: decodes one content object for people debugging storage. For
 * each frame of the object a line describes it ({@code {"segment":{"key","bytes","checksum",
 * "decoded_bytes","offset","task_id","messages","first_seq","last_seq"}}}), then one line per
 * message in the API's shape.
 * Everything it knows of the format comes from {@link SegmentCodec}'s public API, so a new object
 * layout needs changes here only.
 */
@Command(
        name = "segment",
        mixinStandardHelpOptions = true,
        description = "Look inside content objects.",
        subcommands = {SegmentCommand.Dump.class})
final class SegmentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(
            name = "dump",
            mixinStandardHelpOptions = true,
            description = "Decode one content object: a line of header facts, then its messages as JSON lines.")
    static final class Dump implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "KEY", description = "Object key, e.g. tasks/<task id>/<16 hex>.seg.")
        String key;

        @Override
        public Integer call() throws IOException {
            try (Strata strata = Strata.open(StrataConfig.fromEnvironment(System.getenv()))) {
                byte[] bytes = strata.content()
                        .get(key)
                        .orElseThrow(() -> new InvalidInputException("no object " + key + " in the content tier"));
                try {
                    dump(key, bytes, System.out);
                } catch (CorruptContentException e) {
                    System.err.println("strata: " + key + " (" + bytes.length + " bytes) is not a readable segment: "
                            + e.getMessage());
                    return 1;
                }
            }
            return 0;
        }
    }

    /**
     * Writes each frame's description, then its messages, to {@code out}. An object written by a
     * flush or by consolidation holds several frames and an index ({@link FrameIndex}); an older
     * object is one frame of the task its key names.
     *
     * @throws dev.strata.model.CorruptContentException when the object or a frame is not valid
     */
    static void dump(String key, byte[] bytes, PrintStream out) throws IOException {
        SegmentCodec codec = new SegmentCodec();
        String keyTask =
                ContentKeys.parse(key).map(ContentKeys.SegmentKey::taskId).orElse("");
        List<FrameIndex.Entry> frames = FrameIndex.read(bytes)
                .orElseGet(() -> List.of(new FrameIndex.Entry(keyTask, -1, -1, 0, bytes.length, 0)));
        try (JsonGenerator json = new JsonFactory().createGenerator((OutputStream) out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.setRootValueSeparator(null);
            for (FrameIndex.Entry frame : frames) {
                if (frame.offset() < 0 || frame.offset() + frame.length() > bytes.length) {
                    throw new CorruptContentException("frame at " + frame.offset() + " does not fit the object");
                }
                byte[] frameBytes =
                        Arrays.copyOfRange(bytes, (int) frame.offset(), (int) frame.offset() + frame.length());
                int checksum = codec.verify(frameBytes);
                List<TaskMessage> messages = codec.decode(frame.taskId(), frameBytes);
                json.writeStartObject();
                json.writeObjectFieldStart("segment");
                json.writeStringField("key", key);
                json.writeNumberField("bytes", frameBytes.length);
                json.writeStringField("checksum", String.format("%08x", checksum));
                json.writeNumberField("decoded_bytes", codec.decodedLength(frameBytes));
                json.writeNumberField("offset", frame.offset());
                json.writeStringField("task_id", frame.taskId());
                json.writeNumberField("messages", messages.size());
                if (!messages.isEmpty()) {
                    json.writeNumberField("first_seq", messages.get(0).seq());
                    json.writeNumberField(
                            "last_seq", messages.get(messages.size() - 1).seq());
                }
                json.writeEndObject();
                json.writeEndObject();
                json.writeRaw('\n');
                for (TaskMessage message : messages) {
                    MessageShape.write(json, message);
                    json.writeRaw('\n');
                }
            }
        }
        out.flush();
    }
}
