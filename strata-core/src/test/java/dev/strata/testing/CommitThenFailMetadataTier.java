package dev.strata.testing;

import dev.strata.model.BackendUnavailableException;
import dev.strata.tier.metadata.MetadataTier;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real metadata tier whose next commits are applied and then reported as failed, as when the
 * connection is lost after {@code COMMIT} reached the database but before its answer reached
 * Strata: the client sees a failed append that was in fact stored. Every call goes to the wrapped
 * tier; a JDK proxy forwards them, so the decorator follows the interface as it changes.
 */
public final class CommitThenFailMetadataTier {
    private final MetadataTier metadata;
    private final AtomicInteger failuresLeft = new AtomicInteger();

    public CommitThenFailMetadataTier(MetadataTier delegate) {
        this.metadata = (MetadataTier) Proxy.newProxyInstance(
                MetadataTier.class.getClassLoader(), new Class<?>[] {MetadataTier.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if ((method.getName().equals("commit") || method.getName().equals("commitFlush"))
                            && failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                        throw new BackendUnavailableException(
                                "metadata commit failed: connection lost after COMMIT"
                                        + " (injected; the commit was applied)",
                                null);
                    }
                    return result;
                });
    }

    /** The tier to give the store. */
    public MetadataTier metadata() {
        return metadata;
    }

    /** The next {@code count} commits are applied and then reported as failed. */
    public void failAfterTheNextCommits(int count) {
        failuresLeft.set(count);
    }
}
