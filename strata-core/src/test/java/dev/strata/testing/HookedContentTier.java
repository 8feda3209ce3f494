package dev.strata.testing;

import dev.strata.tier.content.ContentTier;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A content tier that runs a test's action once, right after the next put: the moment between an
 * append's task lookup and its metadata commit, so a race can be replayed deterministically.
 */
public final class HookedContentTier implements ContentTier {
    private final ContentTier delegate;
    private final AtomicReference<Runnable> afterNextPut;

    public HookedContentTier(ContentTier delegate, AtomicReference<Runnable> afterNextPut) {
        this.delegate = delegate;
        this.afterNextPut = afterNextPut;
    }

    @Override
    public void put(String key, byte[] bytes) {
        delegate.put(key, bytes);
        Runnable action = afterNextPut.getAndSet(null);
        if (action != null) {
            action.run();
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        return delegate.get(key);
    }

    @Override
    public void delete(Collection<String> keys) {
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
    public void close() {
        delegate.close();
    }
}
