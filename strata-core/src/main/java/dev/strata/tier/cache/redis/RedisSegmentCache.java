package dev.strata.tier.cache.redis;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.cache.SegmentCache;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The cache on Redis through Lettuce: one multiplexed connection, {@code MGET} for the segments of
 * a read in one round trip, {@code SET ... EX ttl} for puts. Commands time out quickly and fail
 * at once while disconnected (no queueing), so a dead Redis costs milliseconds, not seconds; the
 * connection is opened lazily and re-opened after a failure. Thread-safe.
 */
public final class RedisSegmentCache implements SegmentCache {
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String prefix;
    private final Duration ttl;
    private final Duration commandTimeout;
    private final long maxValueBytes;
    private final ReentrantLock connecting = new ReentrantLock();
    private volatile StatefulRedisConnection<String, byte[]> connection;

    /**
     * @param url {@code redis://host:port[/db]}
     * @param prefix prepended to every key, so several deployments or tests can share a server
     * @param commandTimeout how long one command may take before the cache counts as failed
     * @param maxValueBytes larger segments are not cached (they would crowd out many small ones)
     */
    public RedisSegmentCache(String url, String prefix, Duration ttl, Duration commandTimeout, long maxValueBytes) {
        this.uri = RedisURI.create(requireNonNull(url, "url is null"));
        uri.setTimeout(commandTimeout);
        this.prefix = requireNonNull(prefix, "prefix is null");
        this.ttl = requireNonNull(ttl, "ttl is null");
        this.commandTimeout = requireNonNull(commandTimeout, "commandTimeout is null");
        this.maxValueBytes = maxValueBytes;
        // Reconnect attempts back off to at most one second, so the cache comes back soon after Redis does.
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // RESP2: no HELLO handshake, so connecting to a server that never answers fails on the timeout below.
                .protocolVersion(ProtocolVersion.RESP2)
                .socketOptions(
                        SocketOptions.builder().connectTimeout(commandTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
    }

    @Override
    public Map<String, byte[]> getAll(Collection<String> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        String[] prefixed = keys.stream().map(key -> prefix + key).toArray(String[]::new);
        List<KeyValue<String, byte[]>> values = commands().mget(prefixed);
        Map<String, byte[]> found = new HashMap<>();
        for (KeyValue<String, byte[]> value : values) {
            if (value.hasValue()) {
                found.put(value.getKey().substring(prefix.length()), value.getValue());
            }
        }
        return found;
    }

    @Override
    public void putAll(Map<String, byte[]> entries) {
        // Sent back to back on the one connection and awaited together: a flush of many frames
        // costs one round trip, not one per frame.
        RedisAsyncCommands<String, byte[]> async = connection().async();
        SetArgs expiry = SetArgs.Builder.ex(ttl);
        List<RedisFuture<String>> sent = new ArrayList<>(entries.size());
        entries.forEach((key, value) -> {
            if (value.length <= maxValueBytes) {
                sent.add(async.set(prefix + key, value, expiry));
            }
        });
        if (!sent.isEmpty() && !LettuceFutures.awaitAll(commandTimeout, sent.toArray(new RedisFuture<?>[0]))) {
            throw new RedisCommandTimeoutException(
                    "Redis did not confirm " + sent.size() + " SETs within " + commandTimeout);
        }
    }

    @Override
    public void invalidate(Collection<String> keys) {
        if (!keys.isEmpty()) {
            commands().unlink(keys.stream().map(key -> prefix + key).toArray(String[]::new));
        }
    }

    @Override
    public void check() {
        commands().ping();
    }

    @Override
    public String describe() {
        return "redis://" + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase() + " prefix " + prefix;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, byte[]> open = connection;
        if (open != null) {
            open.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private RedisCommands<String, byte[]> commands() {
        return connection().sync();
    }

    private StatefulRedisConnection<String, byte[]> connection() {
        StatefulRedisConnection<String, byte[]> open = connection;
        if (open == null || !open.isOpen()) {
            connecting.lock();
            try {
                open = connection;
                if (open == null || !open.isOpen()) {
                    open = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), uri);
                    connection = open;
                }
            } finally {
                connecting.unlock();
            }
        }
        return open;
    }
}
