package dev.strata.lifecycle;

import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * The application's own record of which tasks exist, when it keeps one beside the store (the
 * server's task table). Fsck asks it for store tasks the application has forgotten: their
 * messages can never be read through the application again, so their metadata and content are
 * garbage. Implementations are thread-safe.
 */
@FunctionalInterface
public interface KnownTasks {

    /**
     * @param createdBefore only store tasks created before this instant count, so a task whose
     *     creation is still between the store and the application is never taken for forgotten
     * @return those of {@code taskIds} that the store holds, created before {@code createdBefore},
     *     and that the application does not know; empty when it knows them all
     */
    Set<String> forgotten(Collection<String> taskIds, Instant createdBefore);

    /** For an embedding without a task record of its own: every store task is known. */
    static KnownTasks everyStoreTask() {
        return (taskIds, createdBefore) -> Set.of();
    }
}
