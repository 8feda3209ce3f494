package dev.strata.server.migrate;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers which ids an import run has already ensured (created if absent), so an idempotent
 * write runs once per id instead of once per task. Bounded: past {@value #MAX_IDS} ids it forgets
 * them all and ensures again, which is only slower. Thread-safe; two workers may both ensure the
 * same id at once, which the idempotent write allows.
 */
final class EnsuredOnce {
    static final int MAX_IDS = 100_000;

    private final Set<String> ensured = ConcurrentHashMap.newKeySet();

    /** Runs {@code ensure} unless it already succeeded for {@code id} in this run. */
    void ensure(String id, Runnable ensure) {
        if (ensured.contains(id)) {
            return;
        }
        ensure.run();
        if (ensured.size() >= MAX_IDS) {
            ensured.clear();
        }
        ensured.add(id);
    }
}
