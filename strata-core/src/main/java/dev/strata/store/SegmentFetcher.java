package dev.strata.store;

import dev.strata.codec.SegmentCodec;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.CorruptContentException;
import dev.strata.model.MissingContentException;
import dev.strata.model.TaskMessage;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.content.ContentTier;
import dev.strata.tier.metadata.MessageLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The read path below metadata: loads the segments that hold the located messages, from the cache
 * when it has them and from the content tier in parallel otherwise, verifies each against the
 * checksum metadata recorded, and picks the located messages out.
 *
 * <p>Memory stays bounded by the caller's byte budget, not by the task: segments are fetched in
 * waves (sized so a wave's objects are about the budget), decoded only when the next message needs
 * them and released once their last located message was picked, and reading stops before the
 * message that would take the decoded bytes past the budget. Thread-safe.
 */
final class SegmentFetcher implements AutoCloseable {
    private static final int FIRST_WAVE = 8;
    private static final int MAX_WAVE = 256;

    private final ContentTier content;
    private final SegmentCache cache;
    private final SegmentCodec codec;
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
    private final DecodedSegments decoded;

    SegmentFetcher(ContentTier content, SegmentCache cache, SegmentCodec codec, long decodedCacheBytes) {
        this.content = content;
        this.cache = cache;
        this.codec = codec;
        this.decoded = new DecodedSegments(decodedCacheBytes);
    }

    /**
     * The messages at the locations, in their order, as long as their decoded text
     * ({@link MessageSizes#textBytes}) stays within {@code maxBytes}; the first one always comes.
     *
     * @throws MissingContentException when a segment is missing
     * @throws CorruptContentException when a segment fails verification or lacks a located message
     */
    Fetched messages(String taskId, List<MessageLocation> locations, long maxBytes) {
        if (locations.isEmpty()) {
            return new Fetched(List.of(), false);
        }
        Read read = new Read(taskId, locations, maxBytes);
        List<TaskMessage> result = new ArrayList<>(Math.min(locations.size(), 1024));
        long used = 0;
        for (MessageLocation location : locations) {
            String key = ContentSegmentKeys.frame(location).cacheKey();
            TaskMessage message = read.segment(key).get(location.seq());
            if (message == null) {
                throw new CorruptContentException("segment " + key + " lacks seq " + location.seq());
            }
            long size = MessageSizes.textBytes(message);
            if (!result.isEmpty() && used + size > maxBytes) {
                return new Fetched(result, true);
            }
            result.add(message);
            used += size;
            read.picked(key);
        }
        return new Fetched(result, false);
    }

    /**
     * @return per frame, the decoded length it records (see {@link SegmentCodec#decodedLength}),
     *     read from its header without decoding; the frames are loaded at once, so the caller bounds them
     * @throws MissingContentException when one is missing
     */
    Map<Frame, Integer> decodedLengths(String taskId, List<Frame> frames) {
        Map<String, Frame> byKey = new LinkedHashMap<>();
        frames.forEach(frame -> byKey.put(frame.cacheKey(), frame));
        Map<String, byte[]> loaded = load(byKey, new HashSet<>());
        Map<Frame, Integer> lengths = new HashMap<>();
        for (Frame frame : frames) {
            byte[] bytes = loaded.get(frame.cacheKey());
            if (bytes == null) {
                throw missing(taskId, frame.objectKey());
            }
            lengths.put(frame, codec.decodedLength(bytes));
        }
        return lengths;
    }

    /**
     * The frames' bytes as stored, each verified against the checksum metadata recorded. All are
     * returned together, so the caller bounds their bytes; they are read {@link #MAX_WAVE} at a
     * time, so the content tier never sees more reads at once than a listing makes.
     *
     * @return the bytes of each frame, in the given order
     * @throws MissingContentException when one is missing
     * @throws CorruptContentException when one fails verification
     */
    List<byte[]> frames(String taskId, List<Frame> frames) {
        List<byte[]> verified = new ArrayList<>(frames.size());
        for (int from = 0; from < frames.size(); from += MAX_WAVE) {
            List<Frame> wave = frames.subList(from, Math.min(frames.size(), from + MAX_WAVE));
            Map<String, Frame> byKey = new LinkedHashMap<>();
            wave.forEach(frame -> byKey.put(frame.cacheKey(), frame));
            Set<String> servedByCache = new HashSet<>();
            Map<String, byte[]> loaded = load(byKey, servedByCache);
            for (Frame frame : wave) {
                String key = frame.cacheKey();
                verified.add(verified(taskId, frame, loaded.get(key), servedByCache.contains(key)));
            }
        }
        return verified;
    }

    /**
     * @param bytes the frame as loaded, null when missing
     * @param fromCache whether the cache served it
     * @return the frame's bytes, verified against its recorded checksum
     */
    private byte[] verified(String taskId, Frame frame, byte[] bytes, boolean fromCache) {
        if (bytes != null && fromCache) {
            if (matches(frame, bytes)) {
                return bytes;
            }
            // The cache is disposable and never trusted: an entry whose bytes fail verification
            // is dropped and the object read again from the content tier, the source of truth.
            cache.invalidate(List.of(frame.cacheKey()));
            bytes = read(frame).orElse(null);
            if (bytes != null && matches(frame, bytes)) {
                cache.put(frame.cacheKey(), bytes);
                return bytes;
            }
        }
        if (bytes == null) {
            throw missing(taskId, frame.objectKey());
        }
        int actual = codec.verify(bytes);
        if (actual != frame.checksum()) {
            throw new CorruptContentException("segment " + frame.cacheKey() + " has checksum " + actual
                    + " but metadata recorded " + frame.checksum());
        }
        return bytes;
    }

    private boolean matches(Frame frame, byte[] bytes) {
        try {
            return codec.verify(bytes) == frame.checksum();
        } catch (CorruptContentException e) {
            return false;
        }
    }

    /**
     * Messages picked from a listing.
     *
     * @param cut true when the byte budget stopped the listing before its end
     */
    record Fetched(List<TaskMessage> messages, boolean cut) {}

    /** The state of one listing: which segments are fetched, decoded, and still needed. */
    private final class Read {
        private final String taskId;
        private final Map<String, Frame> frames = new LinkedHashMap<>();
        private final Map<String, Integer> stillNeeded = new HashMap<>();
        private final List<String> order;
        private final Map<String, Integer> position = new HashMap<>();
        private final Map<String, Map<Long, TaskMessage>> segments = new HashMap<>();
        private final Map<String, byte[]> fetched = new HashMap<>();
        private final Set<String> servedByCache = new HashSet<>();
        private final long maxBytes;
        private long largestObject;

        Read(String taskId, List<MessageLocation> locations, long maxBytes) {
            this.taskId = taskId;
            this.maxBytes = maxBytes;
            for (MessageLocation location : locations) {
                Frame frame = ContentSegmentKeys.frame(location);
                frames.putIfAbsent(frame.cacheKey(), frame);
                stillNeeded.merge(frame.cacheKey(), 1, Integer::sum);
            }
            order = List.copyOf(frames.keySet());
            for (int i = 0; i < order.size(); i++) {
                position.put(order.get(i), i);
            }
            segments.putAll(decoded.present(order));
        }

        Map<Long, TaskMessage> segment(String key) {
            Map<Long, TaskMessage> segment = segments.get(key);
            if (segment != null) {
                return segment;
            }
            if (!fetched.containsKey(key)) {
                fetchWaveFrom(key);
            }
            byte[] bytes = verified(taskId, frames.get(key), fetched.remove(key), servedByCache.remove(key));
            Map<Long, TaskMessage> bySeq = new HashMap<>();
            for (TaskMessage message : codec.decode(taskId, bytes)) {
                bySeq.put(message.seq(), message);
            }
            segments.put(key, bySeq);
            decoded.put(key, bySeq);
            return bySeq;
        }

        /** Releases a segment once every message located in it was picked. */
        void picked(String key) {
            if (stillNeeded.merge(key, -1, Integer::sum) == 0) {
                segments.remove(key);
            }
        }

        /** Fetches {@code key} and the next segments in order, about the budget's worth of objects in all. */
        private void fetchWaveFrom(String key) {
            int wave =
                    largestObject == 0 ? FIRST_WAVE : (int) Math.max(1, Math.min(MAX_WAVE, maxBytes / largestObject));
            List<String> keys = new ArrayList<>(wave);
            for (int i = position.get(key); i < order.size() && keys.size() < wave; i++) {
                String candidate = order.get(i);
                if (!segments.containsKey(candidate)
                        && !fetched.containsKey(candidate)
                        && stillNeeded.get(candidate) > 0) {
                    keys.add(candidate);
                }
            }
            Map<String, Frame> wanted = new LinkedHashMap<>();
            keys.forEach(k -> wanted.put(k, frames.get(k)));
            Map<String, byte[]> objects = load(wanted, servedByCache);
            for (byte[] bytes : objects.values()) {
                largestObject = Math.max(largestObject, bytes.length);
            }
            fetched.putAll(objects);
        }
    }

    /**
     * Frames by cache key, from the cache or else from the content tier (in parallel, each a
     * ranged read of just the frame), which then fill the cache; the keys the cache answered are
     * added to {@code servedByCache}.
     */
    private Map<String, byte[]> load(Map<String, Frame> frames, Set<String> servedByCache) {
        if (frames.isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> found = new HashMap<>(cache.getAll(List.copyOf(frames.keySet())));
        servedByCache.addAll(found.keySet());
        List<Frame> misses = frames.entrySet().stream()
                .filter(entry -> !found.containsKey(entry.getKey()))
                .map(Map.Entry::getValue)
                .toList();
        Map<String, byte[]> loaded = new HashMap<>();
        if (misses.size() == 1) {
            read(misses.get(0)).ifPresent(bytes -> loaded.put(misses.get(0).cacheKey(), bytes));
        } else if (!misses.isEmpty()) {
            Map<String, Future<Optional<byte[]>>> pending = new LinkedHashMap<>();
            for (Frame frame : misses) {
                pending.put(frame.cacheKey(), readers.submit(() -> read(frame)));
            }
            for (var entry : pending.entrySet()) {
                await(entry.getValue()).ifPresent(bytes -> loaded.put(entry.getKey(), bytes));
            }
        }
        cache.putAll(loaded);
        found.putAll(loaded);
        return found;
    }

    /** One frame from the content tier: just its range. */
    private Optional<byte[]> read(Frame frame) {
        return content.get(frame.objectKey(), frame.offset(), frame.length());
    }

    private static MissingContentException missing(String taskId, String key) {
        return new MissingContentException(
                "segment " + key + " of task " + taskId + " is missing from the content tier");
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
            if (e.getCause() instanceof Error error) {
                // Out of memory is no backend failure: let it reach the caller as it is.
                throw error;
            }
            throw new BackendUnavailableException("content read failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        readers.shutdown();
    }
}
