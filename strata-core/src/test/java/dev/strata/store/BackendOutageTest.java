package dev.strata.store;

import static dev.strata.testing.Messages.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.strata.metrics.MeteredSegmentCache;
import dev.strata.model.AppendResult;
import dev.strata.model.BackendUnavailableException;
import dev.strata.model.MessageQuery;
import dev.strata.model.TaskMessage;
import dev.strata.testing.FaultProxy;
import dev.strata.testing.MutableClock;
import dev.strata.testing.RedisKeys;
import dev.strata.testing.S3ProxyServer;
import dev.strata.testing.TestServices;
import dev.strata.tier.cache.CacheHealth;
import dev.strata.tier.cache.FailSafeSegmentCache;
import dev.strata.tier.cache.NoSegmentCache;
import dev.strata.tier.cache.SegmentCache;
import dev.strata.tier.cache.redis.RedisSegmentCache;
import dev.strata.tier.content.s3.S3ContentTier;
import dev.strata.tier.content.s3.S3Location;
import dev.strata.tier.content.s3.S3Settings;
import dev.strata.tier.metadata.jdbc.Database;
import dev.strata.tier.metadata.jdbc.DatabaseSettings;
import dev.strata.tier.metadata.jdbc.JdbcMetadataTier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Outages of real backends under the store, injected by a {@link FaultProxy} in front of each of
 * PostgreSQL, S3Proxy and Redis: connections reset, closed or black-holed (open but silent), then
 * recovery. Appends during a metadata or content outage fail whole with
 * {@link BackendUnavailableException} and change nothing; after recovery the same append succeeds
 * and nothing acknowledged is lost. A cache outage fails nothing, and the circuit breaker keeps a
 * dead Redis out of almost every request. Only this class's own connections are ever disturbed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackendOutageTest {
    /** A fault the proxy injects. */
    enum Fault {
        RESET(FaultProxy::reset),
        DROP(FaultProxy::drop),
        BLACK_HOLE(FaultProxy::blackHole);

        final Consumer<FaultProxy> inject;

        Fault(Consumer<FaultProxy> inject) {
            this.inject = inject;
        }
    }

    /** Short client timeouts so a black hole surfaces in seconds; Strata's defaults are longer. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);

    private static final Duration RECOVERY = Duration.ofSeconds(60);

    @TempDir
    static Path directory;

    private S3ProxyServer s3;
    private String bucket;
    private String schema;
    private String redisPrefix;
    private FaultProxy postgresProxy;
    private FaultProxy s3Proxy;
    private FaultProxy redisProxy;
    private Database database;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    void start() {
        s3 = new S3ProxyServer(directory.resolve("s3"));
        bucket = s3.createBucket("outage");
        schema = TestServices.uniqueName("outage");
        redisPrefix = TestServices.uniqueName("outage") + ":";
        postgresProxy = FaultProxy.to(TestServices.POSTGRES_URL);
        s3Proxy = FaultProxy.to(s3.endpoint());
        redisProxy = FaultProxy.to(TestServices.REDIS_URL);
        // socketTimeout: without it a query on a black-holed connection waits for TCP keepalive (hours).
        String url = postgresProxy.through(TestServices.postgresUrl(schema)) + "&socketTimeout="
                + CLIENT_TIMEOUT.toSeconds();
        database = new Database(new DatabaseSettings(url, Optional.empty(), Optional.empty(), 4, CLIENT_TIMEOUT));
    }

    @AfterEach
    void closeStoresAndHeal() throws Exception {
        for (AutoCloseable resource : opened.reversed()) {
            resource.close();
        }
        opened.clear();
        postgresProxy.pass();
        s3Proxy.pass();
        redisProxy.pass();
    }

    @AfterAll
    void stop() {
        database.close();
        postgresProxy.close();
        s3Proxy.close();
        redisProxy.close();
        s3.close();
        TestServices.dropSchema(schema);
        RedisKeys.deleteAll(redisPrefix);
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void objectStoreOutage_appendFailsWhole_changesNothing_thenTheSameAppendSucceedsAndNothingIsLost(Fault fault) {
        TaskMessageStore store =
                store(new NoSegmentCache(), StoreOptions.defaults().withDecodedCacheBytes(0));
        String task = "s3-" + fault.name().toLowerCase();
        outageThenRecovery(store, task, s3Proxy, fault, "content put of shared/");
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void postgresOutage_appendFailsWhole_changesNothing_thenTheSameAppendSucceedsAndNothingIsLost(Fault fault) {
        TaskMessageStore store =
                store(new NoSegmentCache(), StoreOptions.defaults().withDecodedCacheBytes(0));
        String task = "pg-" + fault.name().toLowerCase();
        outageThenRecovery(store, task, postgresProxy, fault, "metadata ");
    }

    private void outageThenRecovery(
            TaskMessageStore store, String task, FaultProxy proxy, Fault fault, String messagePart) {
        store.createTask(task);
        assertThat(store.append(task, range(0, 9))).isEqualTo(new AppendResult(10, 0, 0));
        List<TaskMessage> acknowledged = store.list(task, MessageQuery.all()).messages();

        fault.inject.accept(proxy);
        try {
            assertThatThrownBy(() -> store.append(task, range(10, 19)))
                    .as("append to %s during a %s", task, fault)
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining(messagePart);
            assertThatThrownBy(() -> store.list(task, MessageQuery.all()))
                    .as("read of %s during a %s", task, fault)
                    .isInstanceOf(BackendUnavailableException.class);
        } finally {
            proxy.pass();
        }

        // The pool and the HTTP client find out on their next use that the connections they hold
        // were cut: until then a call may still fail, and is retried as a client would.
        await().atMost(RECOVERY)
                .ignoreExceptionsInstanceOf(BackendUnavailableException.class)
                .untilAsserted(
                        () -> assertThat(store.list(task, MessageQuery.all()).messages())
                                .as("%s after the %s, before any retry", task, fault)
                                .isEqualTo(acknowledged));
        assertThat(store.task(task).orElseThrow().messageCount())
                .as("message count of %s after the %s", task, fault)
                .isEqualTo(10);
        await().atMost(RECOVERY)
                .ignoreExceptionsInstanceOf(BackendUnavailableException.class)
                .until(() -> {
                    store.append(task, range(10, 19));
                    return true;
                });
        assertThat(store.append(task, range(0, 19)))
                .as("a replay of everything")
                .isEqualTo(new AppendResult(0, 20, 0));
        List<TaskMessage> all = store.list(task, MessageQuery.all()).messages();
        assertThat(all).as("%s after recovery", task).hasSize(20);
        assertThat(all.subList(0, 10))
                .as("what was acknowledged before the %s", fault)
                .isEqualTo(acknowledged);
        assertThat(all)
                .extracting(TaskMessage::seq, TaskMessage::content)
                .isEqualTo(range(0, 19).stream()
                        .map(m -> org.assertj.core.groups.Tuple.tuple(m.seq(), m.content()))
                        .toList());
    }

    @ParameterizedTest
    @EnumSource(
            value = Fault.class,
            names = {"RESET", "BLACK_HOLE"})
    void objectStoreOutage_readsOfCachedSegmentsAreStillServed(Fault fault) {
        TaskMessageStore store =
                store(redis(Duration.ofSeconds(1)), StoreOptions.defaults().withDecodedCacheBytes(0));
        String task = "cached-" + fault.name().toLowerCase();
        store.createTask(task);
        store.append(task, range(0, 9));

        fault.inject.accept(s3Proxy);
        assertThat(store.list(task, MessageQuery.all()).messages())
                .as("read from Redis during a %s of S3", fault)
                .hasSize(10);
        assertThat(store.readiness().content()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(
            value = Fault.class,
            names = {"RESET", "BLACK_HOLE"})
    void redisOutage_requestsSucceedThroughout_andTheCacheRecovers(Fault fault) {
        FailSafeSegmentCache cache =
                new FailSafeSegmentCache(redis(Duration.ofMillis(250)), Clock.systemUTC(), 3, Duration.ofMillis(500));
        TaskMessageStore store = store(cache, StoreOptions.defaults().withDecodedCacheBytes(0));
        String task = "redis-" + fault.name().toLowerCase();
        store.createTask(task);
        store.append(task, range(0, 9));
        assertThat(cache.state()).isEqualTo(CacheHealth.UP);

        fault.inject.accept(redisProxy);
        for (int i = 0; i < 5; i++) {
            store.append(task, range(10 + i * 10L, 19 + i * 10L));
            assertThat(store.list(task, MessageQuery.all()).messages())
                    .as("read %d during a %s of Redis", i, fault)
                    .hasSize(20 + i * 10);
        }
        assertThat(cache.state()).isEqualTo(CacheHealth.DOWN);
        assertThat(store.readiness().ready())
                .as("a cache outage does not make Strata unready")
                .isTrue();

        redisProxy.pass();
        await().atMost(RECOVERY).untilAsserted(() -> {
            assertThat(store.list(task, MessageQuery.all()).messages()).hasSize(60);
            assertThat(cache.state()).as("cache state after Redis came back").isEqualTo(CacheHealth.UP);
        });
    }

    /**
     * Regression for a test that claimed to check latency but read one segment 200 times from the
     * in-process decoded cache, never touching Redis: here every read wants a different segment,
     * the decoded cache is off, and the calls that reach the dead Redis (gets, and the puts that
     * refill it after a miss) are counted. With the
     * breaker's clock standing still, only the first {@code failureThreshold} reads ask Redis at
     * all; each reopening of the circuit lets exactly one probe through.
     */
    @ParameterizedTest
    @EnumSource(
            value = Fault.class,
            names = {"RESET", "BLACK_HOLE"})
    void deadRedis_isAskedOnlyUntilTheCircuitOpens_andOncePerReopening_whileEveryReadSucceeds(Fault fault) {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Duration openFor = Duration.ofSeconds(5);
        // A generous command timeout: on a loaded machine a live Redis must not look dead here.
        FailSafeSegmentCache cache =
                new FailSafeSegmentCache(new MeteredSegmentCache(redis(CLIENT_TIMEOUT), registry), clock, 3, openFor);
        TaskMessageStore store = store(cache, StoreOptions.defaults().withDecodedCacheBytes(0));
        String task = "dead-cache-" + fault.name().toLowerCase();
        store.createTask(task);
        int segments = 24;
        for (int s = 0; s < segments; s++) {
            store.append(task, range(s * 5L, s * 5L + 4));
        }
        // Until a read is served by Redis (a put lost to a slow first connection is refilled by the
        // miss); that success also clears any earlier failure from the breaker's count.
        await().atMost(RECOVERY).untilAsserted(() -> {
            readEachSegment(store, task, 0, 1);
            assertThat(registry.counter("strata.cache.hits").count())
                    .as("hits of warm reads of segment 0")
                    .isPositive();
        });

        fault.inject.accept(redisProxy);
        long before = cacheCalls(registry);
        readEachSegment(store, task, 1, 12);
        assertThat(cacheCalls(registry) - before)
                .as("Redis calls of 11 reads of distinct segments during a %s", fault)
                .isEqualTo(3);
        assertThat(cache.state()).isEqualTo(CacheHealth.DOWN);

        clock.advance(openFor.plusMillis(1));
        readEachSegment(store, task, 12, 16);
        assertThat(cacheCalls(registry) - before)
                .as("one probe after the circuit reopened, then none")
                .isEqualTo(4);

        redisProxy.pass();
        await().atMost(RECOVERY).untilAsserted(() -> {
            clock.advance(openFor.plusMillis(1));
            readEachSegment(store, task, 16, 17);
            assertThat(cache.state()).as("cache state after Redis came back").isEqualTo(CacheHealth.UP);
        });
        long recovered = cacheCalls(registry);
        double hits = registry.counter("strata.cache.hits").count();
        readEachSegment(store, task, 17, segments);
        assertThat(cacheCalls(registry) - recovered)
                .as("every read asks Redis again")
                .isEqualTo(segments - 17);
        assertThat(registry.counter("strata.cache.hits").count() - hits)
                .as("and is served by it")
                .isEqualTo(segments - 17);
    }

    /** Reads segments {@code from} (inclusive) to {@code to} (exclusive) one request each; returns how many were read. */
    private static int readEachSegment(TaskMessageStore store, String task, int from, int to) {
        for (int s = from; s < to; s++) {
            List<TaskMessage> page = store.list(
                            task, MessageQuery.all().after(s * 5L - 1).limitedTo(5))
                    .messages();
            assertThat(page)
                    .as("read of segment %d of %s", s, task)
                    .extracting(TaskMessage::seq)
                    .containsExactly(s * 5L, s * 5L + 1, s * 5L + 2, s * 5L + 3, s * 5L + 4);
        }
        return to - from;
    }

    /** Every call that reached the Redis client: gets, and the puts that refill the cache after a miss. */
    private static long cacheCalls(SimpleMeterRegistry registry) {
        return registry.find("strata.tier.operation").tag("tier", "cache").timers().stream()
                .mapToLong(timer -> timer.count())
                .sum();
    }

    private SegmentCache redis(Duration timeout) {
        return new RedisSegmentCache(
                redisProxy.through(TestServices.REDIS_URL), redisPrefix, Duration.ofMinutes(5), timeout, 8 << 20);
    }

    private TaskMessageStore store(SegmentCache cache, StoreOptions options) {
        FailSafeSegmentCache failSafe =
                cache instanceof FailSafeSegmentCache given ? given : new FailSafeSegmentCache(cache);
        S3Settings settings = new S3Settings(
                Optional.of(s3Proxy.through(s3.endpoint())),
                "us-east-1",
                Optional.of(S3ProxyServer.ACCESS_KEY),
                Optional.of(S3ProxyServer.SECRET_KEY),
                true,
                16,
                CLIENT_TIMEOUT);
        S3ContentTier content = new S3ContentTier(S3Location.parse("s3://" + bucket), settings);
        TaskMessageStore store = new TaskMessageStore(
                new JdbcMetadataTier(database, Clock.systemUTC(), new ContentSegmentKeys()),
                content,
                failSafe,
                options,
                Clock.systemUTC());
        // Closed in reverse: the store first, then the tiers it was given.
        opened.add(failSafe);
        opened.add(content);
        opened.add(store);
        return store;
    }
}
