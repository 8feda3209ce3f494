package dev.strata.store;

import static dev.strata.testing.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.codec.SegmentCodec;
import dev.strata.lifecycle.Fsck;
import dev.strata.lifecycle.TaskFrames;
import dev.strata.model.AppendResult;
import dev.strata.model.NewMessage;
import dev.strata.model.TaskNotFoundException;
import dev.strata.testing.FaultProxy;
import dev.strata.testing.HookedContentTier;
import dev.strata.testing.MutableClock;
import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestS3;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CaffeineSegmentCache;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import dev.strata.tier.content.ContentKeys;
import dev.strata.tier.content.ListableContent;
import dev.strata.tier.content.LocalDirectoryContentTier;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture of the tests that try to break the shared write path (issue 12): a store on fresh
 * backends of either set (SQLite, a local directory and Caffeine; or PostgreSQL through a
 * {@link FaultProxy}, S3 through S3Proxy and Redis), a content tier with hooks to hold a flush at a
 * known point, a {@link MutableClock} for the deletion bound, and the invariants every race must keep: each
 * object's live frame count in {@code tm_object} equals the segment rows pointing into it, and each
 * task's counters equal its rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractSharedFlushRaceTest {
    static final Duration TTL = Duration.ofMinutes(10);

    enum Backends {
        EMBEDDED,
        SCALED
    }

    @TempDir
    static Path directory;

    S3ProxyServer s3;
    FaultProxy postgresProxy;
    final List<String> schemas = new ArrayList<>();
    final List<AutoCloseable> opened = new ArrayList<>();
    final ExecutorService threads = Executors.newCachedThreadPool();
    final AtomicInteger instance = new AtomicInteger();
    final MutableClock clock = new MutableClock(Instant.now());
    HookedContentTier content;
    ListableContent raw;
    Path localRoot;
    String sqliteUrl;
    Database database;
    JdbcMetadataTier metadata;
    SegmentCache cache;
    final List<String> redisPrefixes = new ArrayList<>();
    TaskMessageStore store;

    @BeforeAll
    void start() {
        s3 = new S3ProxyServer(directory.resolve("s3"));
        postgresProxy = FaultProxy.to(TestServices.POSTGRES_URL);
    }

    @AfterEach
    void closeStore() throws Exception {
        for (AutoCloseable resource : opened.reversed()) {
            resource.close();
        }
        opened.clear();
        postgresProxy.pass();
    }

    @AfterAll
    void stop() {
        threads.shutdownNow();
        postgresProxy.close();
        s3.close();
        schemas.forEach(TestServices::dropSchema);
        redisPrefixes.forEach(RedisKeys::deleteAll);
    }

    /** Fresh backends of the set, and a store over them; PostgreSQL connections pass through {@link #postgresProxy}. */
    TaskMessageStore open(Backends backends, StoreOptions options) {
        int n = instance.incrementAndGet();
        switch (backends) {
            case EMBEDDED -> {
                // A short busy timeout: the metadata outage below is another connection holding the write lock.
                sqliteUrl = "jdbc:sqlite:" + directory.resolve("db-" + n).resolve("metadata.db");
                database = new Database(
                        new DatabaseSettings(sqliteUrl, Optional.empty(), Optional.empty(), 8, Duration.ofSeconds(1)));
                localRoot = directory.resolve("objects-" + n);
                raw = new LocalDirectoryContentTier(localRoot);
            }
            case SCALED -> {
                String schema = TestServices.uniqueName("race");
                schemas.add(schema);
                database = new Database(new DatabaseSettings(
                        postgresProxy.through(TestServices.postgresUrl(schema)) + "&socketTimeout=5",
                        Optional.empty(),
                        Optional.empty(),
                        8,
                        Duration.ofSeconds(5)));
                String bucket = s3.createBucket("race");
                raw = new S3ContentTier(S3Location.parse("s3://" + bucket + "/strata"), TestS3.settings(s3));
            }
        }
        opened.add(database);
        opened.add(raw);
        content = new HookedContentTier(raw);
        cache = switch (backends) {
            case EMBEDDED -> new CaffeineSegmentCache(8 << 20, Duration.ofHours(1));
            case SCALED -> {
                String prefix = TestServices.uniqueName("race") + ":";
                redisPrefixes.add(prefix);
                yield new RedisSegmentCache(
                        TestServices.REDIS_URL, prefix, Duration.ofMinutes(10), Duration.ofSeconds(2), 8 << 20);
            }
        };
        opened.add(cache);
        return reopen(options);
    }

    /** A new store over the same tiers (a restart). */
    TaskMessageStore reopen(StoreOptions options) {
        metadata = new JdbcMetadataTier(database, clock, new ContentSegmentKeys());
        store = new TaskMessageStore(metadata, content, new FailSafeSegmentCache(cache), options, clock);
        opened.add(store);
        return store;
    }

    static StoreOptions oneFlushAtATime() {
        return StoreOptions.defaults().withFlush(StoreOptions.DEFAULT_FLUSH_MAX_BYTES, Duration.ZERO, 1);
    }

    // ---- helpers ----

    /** What the compaction scheduler and the deletion worker do on each pass. */
    void runLifecycle() {
        store.consolidationCandidates(TTL, 1000).forEach(taskId -> {
            try {
                store.compact(taskId);
            } catch (TaskNotFoundException e) {
                // Deleted meanwhile.
            }
        });
        store.purgePendingDeletions();
    }

    Fsck fsck(Duration orphanGrace) {
        return new Fsck(metadata, raw, new FailSafeSegmentCache(cache), new SegmentCodec(), clock, orphanGrace);
    }

    /** Live frame count per object, as {@code tm_object} records it. */
    Map<Long, Integer> liveFrames() {
        return database.read("test liveFrames", handle -> {
            Map<Long, Integer> live = new HashMap<>();
            handle.createQuery("SELECT object_id, live_frames FROM tm_object")
                    .map((rs, ctx) -> live.put(rs.getLong(1), rs.getInt(2)))
                    .list();
            return live;
        });
    }

    /**
     * Every object's live frame count equals the segment rows pointing into it; rows with no live
     * frame are orphan collection's claims, which no segment row points into.
     */
    void assertLiveFramesMatchSegments() {
        Map<Long, Integer> referenced = database.read("test referencedFrames", handle -> {
            Map<Long, Integer> frames = new HashMap<>();
            handle.createQuery("SELECT object_id, COUNT(*) FROM tm_segment WHERE object_kind <> 0 GROUP BY object_id")
                    .map((rs, ctx) -> frames.put(rs.getLong(1), rs.getInt(2)))
                    .list();
            return frames;
        });
        Map<Long, Integer> live = new HashMap<>(liveFrames());
        live.values().removeIf(frames -> frames == 0);
        assertThat(live)
                .as("tm_object live frames against the segment rows that reference each object")
                .isEqualTo(referenced);
        // The task counters that compaction candidates and the deletion sweep rely on.
        List<String> drifted = database.read(
                "test taskCounters",
                handle -> handle.createQuery("SELECT t.task_id || ': messages ' || t.message_count || '/' ||"
                                + " (SELECT COUNT(*) FROM tm_message m WHERE m.task_key = t.task_key)"
                                + " || ', live ' || t.live_segments || '/' ||"
                                + " (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = t.task_key)"
                                + " || ', loose ' || t.loose_segments || '/' ||"
                                + " (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = t.task_key AND s.object_kind <> 2)"
                                + " || ', shared ' || t.shared_frames || '/' ||"
                                + " (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = t.task_key AND s.object_kind = 1)"
                                + " FROM tm_task t WHERE t.message_count <>"
                                + " (SELECT COUNT(*) FROM tm_message m WHERE m.task_key = t.task_key)"
                                + " OR t.live_segments <> (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = t.task_key)"
                                + " OR t.loose_segments <> (SELECT COUNT(*) FROM tm_segment s"
                                + " WHERE s.task_key = t.task_key AND s.object_kind <> 2)"
                                + " OR t.shared_frames <> (SELECT COUNT(*) FROM tm_segment s"
                                + " WHERE s.task_key = t.task_key AND s.object_kind = 1)")
                        .mapTo(String.class)
                        .list());
        assertThat(drifted)
                .as("tasks whose counters differ from their rows (counter/rows)")
                .isEmpty();
    }

    long sharedObjectOf(String taskId) {
        return metadata.catalog().segments(metadata.task(taskId).orElseThrow()).stream()
                .filter(segment -> segment.kind() == dev.strata.tier.metadata.ObjectKind.SHARED)
                .findFirst()
                .orElseThrow()
                .objectId();
    }

    List<String> sharedKeys() {
        return TaskFrames.keysUnder(raw, ContentKeys.SHARED);
    }

    /** Every object in the content tier, taken apart frame by frame and decoded, that holds the text. */
    List<String> objectsHolding(String text) {
        SegmentCodec codec = new SegmentCodec();
        List<String> holding = new ArrayList<>();
        for (String key : TaskFrames.keysUnder(raw, "")) {
            Optional<byte[]> stored = raw.get(key);
            if (stored.isEmpty()) {
                continue;
            }
            byte[] bytes = stored.get();
            boolean found = new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
            for (TaskFrames.Found frame : TaskFrames.in(key, bytes)) {
                byte[] frameBytes = Arrays.copyOfRange(
                        bytes,
                        (int) frame.frame().offset(),
                        (int) frame.frame().offset() + frame.frame().length());
                found |= codec.decode(frame.taskId(), frameBytes).stream()
                        .anyMatch(m -> m.content().contains(text));
            }
            if (found) {
                holding.add(key);
            }
        }
        return holding;
    }

    /** Messages whose content starts with the tag and a colon. */
    static List<NewMessage> tagged(String tag, long from, long to) {
        List<NewMessage> messages = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            messages.add(text(seq, tag + ": " + seq));
        }
        return messages;
    }

    static List<String> contents(String tag, long from, long to) {
        return tagged(tag, from, to).stream().map(NewMessage::content).toList();
    }

    static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Submits an append and waits until it is the {@code position}th queued for the next flush. */
    Future<AppendResult> queue(java.util.concurrent.Callable<AppendResult> append, int position) {
        Future<AppendResult> result = threads.submit(append);
        await().atMost(Duration.ofSeconds(30)).until(() -> store.queuedAppends() == position);
        return result;
    }

    /** Holds the next put until the returned latch is opened, then lets it (and later ones) through. */
    CountDownLatch holdNextPut(CountDownLatch entered) {
        return holdOnce(content::beforePut, entered);
    }

    /** Holds the next flush right after its put (object written, not yet committed), like {@link #holdNextPut}. */
    CountDownLatch holdAfterNextPut(CountDownLatch written) {
        return holdOnce(content::afterPut, written);
    }

    private static CountDownLatch holdOnce(
            java.util.function.Consumer<java.util.function.Consumer<String>> hook, CountDownLatch reached) {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean held = new AtomicBoolean();
        hook.accept(key -> {
            if (held.compareAndSet(false, true)) {
                reached.countDown();
                awaitLatch(release);
            }
        });
        return release;
    }

    static AppendResult get(Future<AppendResult> result) {
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("append did not finish", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not reached");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
