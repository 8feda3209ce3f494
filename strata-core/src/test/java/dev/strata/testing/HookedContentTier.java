package dev.strata.testing;

import dev.strata.tier.content.ListableContent;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A real content tier with test hooks around its writes and reads: a hook runs after a put is
 * durable, before a delete starts and before a read, in the calling thread, so a test can hold an operation at that exact
 * point (a latch, a barrier) while it looks at the tiers, copies them or lets other work overlap.
 * Not a mock: every call reaches the wrapped backend.
 */
public final class HookedContentTier implements ListableContent {
    private final ListableContent delegate;
    private volatile Consumer<String> beforePut = key -> {};
    private volatile Consumer<String> afterPut = key -> {};
    private volatile Consumer<Collection<String>> beforeDelete = keys -> {};
    private volatile Consumer<String> beforeGet = key -> {};

    public HookedContentTier(ListableContent delegate) {
        this.delegate = delegate;
    }

    /** Runs the action found in {@code afterNextPut} once, right after the next put, and clears it. */
    public HookedContentTier(ListableContent delegate, AtomicReference<Runnable> afterNextPut) {
        this(delegate);
        afterPut(key -> {
            Runnable action = afterNextPut.getAndSet(null);
            if (action != null) {
                action.run();
            }
        });
    }

    /**
     * Runs {@code hook} with the key before each put reaches the backend, until replaced; a hook
     * that throws fails the put as an outage of the backend would, before anything is written.
     */
    public HookedContentTier beforePut(Consumer<String> hook) {
        this.beforePut = hook;
        return this;
    }

    /** Runs {@code hook} with the key after each put has returned, until replaced. */
    public HookedContentTier afterPut(Consumer<String> hook) {
        this.afterPut = hook;
        return this;
    }

    /** Runs {@code hook} with the keys before each delete reaches the backend, until replaced. */
    public HookedContentTier beforeDelete(Consumer<Collection<String>> hook) {
        this.beforeDelete = hook;
        return this;
    }

    /** Runs {@code hook} with the key before each read (whole or ranged) reaches the backend, until replaced. */
    public HookedContentTier beforeGet(Consumer<String> hook) {
        this.beforeGet = hook;
        return this;
    }

    @Override
    public void put(String key, byte[] bytes) {
        beforePut.accept(key);
        delegate.put(key, bytes);
        afterPut.accept(key);
    }

    @Override
    public Optional<byte[]> get(String key) {
        beforeGet.accept(key);
        return delegate.get(key);
    }

    @Override
    public Optional<byte[]> get(String key, long offset, int length) {
        beforeGet.accept(key);
        return delegate.get(key, offset, length);
    }

    @Override
    public void delete(Collection<String> keys) {
        beforeDelete.accept(keys);
        delegate.delete(keys);
    }

    @Override
    public void check() {
        delegate.check();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public List<StoredObject> list(String prefix, String startAfter, int limit) {
        return delegate.list(prefix, startAfter, limit);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
