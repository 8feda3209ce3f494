package dev.strata.metrics;

import static java.util.Objects.requireNonNull;

import dev.strata.tier.content.ListableContent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Counts and times content-tier operations, listing included, and the bytes moved; the one
 * content object a composition root hands to the store, orphan collection and fsck. Thread-safe.
 */
public final class MeteredContentTier implements ListableContent {
    private final ListableContent delegate;
    private final TierTimer timer;
    private final Counter bytesWritten;
    private final Counter bytesRead;

    public MeteredContentTier(ListableContent delegate, MeterRegistry registry) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.timer = new TierTimer(registry, "content");
        this.bytesWritten = Counter.builder("strata.content.written.bytes")
                .description("Bytes written to the content tier")
                .register(registry);
        this.bytesRead = Counter.builder("strata.content.read.bytes")
                .description("Bytes read from the content tier")
                .register(registry);
    }

    /**
     * Bytes written through this decorator's counter so far (the counter is the registry's, so it
     * also holds what other decorators on the same registry wrote).
     */
    public long bytesWritten() {
        return (long) bytesWritten.count();
    }

    /**
     * Bytes read through this decorator's counter so far (shared with other decorators on the same
     * registry, like {@link #bytesWritten}): what cold reads cost the content tier.
     */
    public long bytesRead() {
        return (long) bytesRead.count();
    }

    @Override
    public void put(String key, byte[] bytes) {
        timer.run("put", () -> delegate.put(key, bytes));
        bytesWritten.increment(bytes.length);
    }

    @Override
    public Optional<byte[]> get(String key) {
        Optional<byte[]> found = timer.time("get", () -> delegate.get(key));
        found.ifPresent(bytes -> bytesRead.increment(bytes.length));
        return found;
    }

    @Override
    public Optional<byte[]> get(String key, long offset, int length) {
        Optional<byte[]> found = timer.time("get", () -> delegate.get(key, offset, length));
        found.ifPresent(bytes -> bytesRead.increment(bytes.length));
        return found;
    }

    @Override
    public void delete(Collection<String> keys) {
        timer.run("delete", () -> delegate.delete(keys));
    }

    @Override
    public List<StoredObject> list(String prefix, String startAfter, int limit) {
        return timer.time("list", () -> delegate.list(prefix, startAfter, limit));
    }

    @Override
    public void check() {
        timer.run("check", delegate::check);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
