package dev.strata.store;

import dev.strata.codec.FrameIndex;
import dev.strata.codec.SegmentCodec;
import dev.strata.model.TaskMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a task's messages (in seq order) into consecutive slices that each encode to about
 * {@link #TARGET_FRAME_BYTES}, so a consolidated object is read a frame at a time: a poll of the
 * last few messages of a large task fetches one or two frames. The encoded size is only known
 * after encoding, so each slice is sized by the compression ratio the previous one reached
 * (starting from none); a single message larger than the target is a frame of its own. Stateless.
 */
final class FrameSlicer {
    /** About how many encoded bytes a frame of a consolidated object holds. */
    static final int TARGET_FRAME_BYTES = 32 << 10;

    private FrameSlicer() {}

    /**
     * @param frames receives the encoded frames, one per slice, in order
     * @return the slices, in order
     */
    static List<List<TaskMessage>> slices(
            List<TaskMessage> messages, SegmentCodec codec, List<FrameIndex.Frame> frames) {
        List<List<TaskMessage>> slices = new ArrayList<>();
        double ratio = 1.0;
        int next = 0;
        while (next < messages.size()) {
            // 10% below the target, so a slightly worse ratio than the last frame's still fits.
            long budget = (long) (TARGET_FRAME_BYTES * ratio * 0.9);
            List<TaskMessage> slice = new ArrayList<>();
            long decoded = 0;
            while (next < messages.size()
                    && (slice.isEmpty() || decoded + MessageSizes.textBytes(messages.get(next)) <= budget)) {
                decoded += MessageSizes.textBytes(messages.get(next));
                slice.add(messages.get(next++));
            }
            SegmentCodec.Encoded encoded = codec.encode(slice);
            ratio = Math.max(1.0, (double) Math.max(1, decoded) / encoded.bytes().length);
            slices.add(slice);
            frames.add(new FrameIndex.Frame(
                    slice.get(0).taskId(),
                    slice.get(0).seq(),
                    slice.get(slice.size() - 1).seq(),
                    encoded));
        }
        return slices;
    }
}
