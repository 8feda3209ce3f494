package dev.strata.store;

import dev.strata.codec.SegmentCodec;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.metadata.MessageLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The read path below metadata: loads the segments that hold the located messages, from the cache
 * when it has them and from the content tier in parallel otherwise, verifies each against the
 * checksum metadata recorded, and picks the located messages out. Thread-safe.
 */
final class SegmentFetcher implements AutoCloseable {
    private final ContentTier content;
    private final SegmentCache cache;
    private final SegmentCodec codec;
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Decoded segments by key, verified when they were decoded. Keys name immutable objects, so
     * an entry is never stale; it only spares warm reads the decompression and decoding.
     */
    private final Optional<Cache<String, Map<Long, TaskMessage>>> decoded;

    SegmentFetcher(ContentTier content, SegmentCache cache, SegmentCodec codec, long decodedCacheBytes) {
        this.content = content;
        this.cache = cache;
        this.codec = codec;
        this.decoded = decodedCacheBytes == 0 ? Optional.empty() : Optional.of(Caffeine.newBuilder()
                .maximumWeight(decodedCacheBytes)
                .weigher((String key, Map<Long, TaskMessage> messages) -> weight(messages))
                .build());
    }

    private static int weight(Map<Long, TaskMessage> messages) {
        long chars = 0;
        for (TaskMessage m : messages.values()) {
            chars += 120 + m.content().length() + m.output().length() + m.input().map(String::length).orElse(0);
        }
        return (int) Math.min(Integer.MAX_VALUE, chars * 2);
    }

    List<TaskMessage> messages(String taskId, List<MessageLocation> locations) {
        if (locations.isEmpty()) {
            return List.of();
        }
        Map<String, Integer> checksums = new LinkedHashMap<>();
        for (MessageLocation location : locations) {
            checksums.putIfAbsent(location.objectKey(), location.checksum());
        }
        Map<String, Map<Long, TaskMessage>> segments = new HashMap<>();
        decoded.ifPresent(d -> segments.putAll(d.getAllPresent(checksums.keySet())));
        checksums.keySet().removeAll(segments.keySet());
        Map<String, byte[]> objects = new HashMap<>(checksums.isEmpty() ? Map.of() : cache.getAll(checksums.keySet()));
        List<String> misses = checksums.keySet().stream().filter(key -> !objects.containsKey(key)).toList();
        objects.putAll(load(misses));
        for (var entry : checksums.entrySet()) {
            byte[] bytes = objects.get(entry.getKey());
            if (bytes == null) {
                throw new CorruptContentException("segment " + entry.getKey() + " of task " + taskId + " is missing from the content tier");
            }
            int actual = codec.verify(bytes);
            if (actual != entry.getValue()) {
                throw new CorruptContentException("segment " + entry.getKey() + " has checksum " + actual
                        + " but metadata recorded " + entry.getValue());
            }
            Map<Long, TaskMessage> bySeq = new HashMap<>();
            for (TaskMessage message : codec.decode(taskId, bytes)) {
                bySeq.put(message.seq(), message);
            }
            segments.put(entry.getKey(), bySeq);
            decoded.ifPresent(d -> d.put(entry.getKey(), bySeq));
        }
        List<TaskMessage> result = new ArrayList<>(locations.size());
        for (MessageLocation location : locations) {
            TaskMessage message = segments.get(location.objectKey()).get(location.seq());
            if (message == null) {
                throw new CorruptContentException("segment " + location.objectKey() + " lacks seq " + location.seq());
            }
            result.add(message);
        }
        return result;
    }

    private Map<String, byte[]> load(List<String> keys) {
        Map<String, byte[]> loaded = new HashMap<>();
        if (keys.size() == 1) {
            content.get(keys.get(0)).ifPresent(bytes -> loaded.put(keys.get(0), bytes));
        } else if (!keys.isEmpty()) {
            Map<String, Future<java.util.Optional<byte[]>>> pending = new LinkedHashMap<>();
            for (String key : keys) {
                pending.put(key, readers.submit(() -> content.get(key)));
            }
            for (var entry : pending.entrySet()) {
                await(entry.getValue()).ifPresent(bytes -> loaded.put(entry.getKey(), bytes));
            }
        }
        loaded.forEach(cache::put);
        return loaded;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnavailableException("interrupted while reading content", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new BackendUnavailableException("content read failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        readers.shutdown();
    }
}
