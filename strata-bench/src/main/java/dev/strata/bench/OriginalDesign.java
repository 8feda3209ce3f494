package dev.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.model.NewMessage;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentTier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The baseline, used only by the bench: the original design's content path over the same tiers.
 * One JSON array per task ({@code task-messages/<task>.json}); each append reads the array from
 * the cache or the object store, appends, rewrites the whole object and writes it to the cache.
 * Uncompressed, as in the original. (Its metadata rows are left out, which only flatters it.)
 */
final class OriginalDesign {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ContentTier content;
    private final SegmentCache cache;

    OriginalDesign(ContentTier content, SegmentCache cache) {
        this.content = content;
        this.cache = cache;
    }

    void append(String taskId, List<NewMessage> batch) {
        String key = key(taskId);
        ArrayNode messages = read(key);
        for (NewMessage m : batch) {
            ObjectNode node = messages.addObject();
            node.put("id", "");
            node.put("task_id", taskId);
            node.put("seq", m.seq());
            node.put("type", m.type());
            node.put("tool", m.tool());
            node.put("call_id", m.callId());
            node.put("content", m.content());
            node.put("output", m.output());
            if (m.input().isPresent()) {
                node.set("input", parse(m.input().get()));
            }
        }
        byte[] bytes = write(messages);
        content.put(key, bytes);
        cache.put(key, bytes);
    }

    int list(String taskId) {
        return read(key(taskId)).size();
    }

    /** The seqs the task's array holds, as a reader of the original design would find them. */
    java.util.stream.LongStream seqs(String taskId) {
        ArrayNode messages = read(key(taskId));
        long[] seqs = new long[messages.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = messages.get(i).path("seq").asLong();
        }
        return java.util.Arrays.stream(seqs);
    }

    private ArrayNode read(String key) {
        byte[] cached = cache.getAll(List.of(key)).get(key);
        Optional<byte[]> bytes = cached != null ? Optional.of(cached) : content.get(key);
        return bytes.map(b -> (ArrayNode) parse(b)).orElseGet(MAPPER::createArrayNode);
    }

    private static String key(String taskId) {
        // Kept inside the content tier's checked layout: tasks/<id>/<16 hex>.seg.
        return dev.strata.tier.content.ContentKeys.segment("baseline-" + taskId, 0);
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(Object json) {
        try {
            return json instanceof byte[] bytes ? MAPPER.readTree(bytes) : MAPPER.readTree((String) json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] write(ArrayNode messages) {
        try {
            return MAPPER.writeValueAsBytes(messages);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
