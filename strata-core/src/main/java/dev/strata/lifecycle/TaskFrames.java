package dev.strata.lifecycle;

import dev.strata.codec.FrameIndex;
import dev.strata.model.CorruptContentException;
import dev.strata.store.Frame;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.ListableContent.StoredObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a task's frames in the content tier alone, without the database: in the task's own
 * objects (an object without an index is one frame) and in every shared object whose index names
 * the task. It reads every shared object, so it is for tools, fsck and tests, never for a request
 * path. Stateless and thread-safe.
 */
public final class TaskFrames {
    private TaskFrames() {}

    /** A frame found in an object, with the task its index (or its key) names. */
    public record Found(String taskId, Frame frame) {}

    /** @return every frame of the task that some object holds, whether or not metadata still references it */
    public static List<Frame> of(ListableContent content, String taskId) {
        List<Frame> frames = new ArrayList<>();
        for (String key : keysUnder(content, ContentKeys.taskPrefix(taskId))) {
            content.get(key).ifPresent(bytes -> in(key, bytes).forEach(found -> frames.add(found.frame())));
        }
        for (String key : keysUnder(content, ContentKeys.SHARED)) {
            content.get(key)
                    .ifPresent(bytes -> in(key, bytes).stream()
                            .filter(found -> found.taskId().equals(taskId))
                            .forEach(found -> frames.add(found.frame())));
        }
        return frames;
    }

    /**
     * The frames of one object: those its index lists, or the whole object as one frame of the
     * task its key names when it has no index (a one-frame task object).
     *
     * @throws CorruptContentException when the index is damaged
     */
    public static List<Found> in(String key, byte[] object) {
        Optional<List<FrameIndex.Entry>> index = FrameIndex.read(object);
        if (index.isPresent()) {
            return index.get().stream()
                    .map(entry ->
                            new Found(entry.taskId(), new Frame(key, entry.offset(), entry.length(), entry.checksum())))
                    .toList();
        }
        return ContentKeys.parse(key)
                .map(parsed -> List.of(new Found(parsed.taskId(), new Frame(key, 0, object.length, 0))))
                .orElse(List.of());
    }

    /** Every key under the prefix, page by page. */
    public static List<String> keysUnder(ListableContent content, String prefix) {
        return content.listAll(prefix).stream().map(StoredObject::key).toList();
    }
}
