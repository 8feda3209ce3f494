package dev.strata.tier.metadata;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * When the store's tasks were created and last written, for components that keep task records of
 * their own (the server's task directory) and must not read the store's tables. Reads only; unknown
 * ids are ignored. Implementations are thread-safe and throw
 * {@link dev.strata.model.BackendUnavailableException} when the database fails.
 */
public interface TaskTimes {

    /** @return those of {@code taskIds} that the store holds and created before {@code before} */
    Set<String> createdBefore(Collection<String> taskIds, Instant before);

    /** @return for each of {@code taskIds} that the store holds with at least one message, its newest message's time */
    Map<String, Instant> lastMessageTimes(Collection<String> taskIds);

    /** @return for each of {@code taskIds} that the store holds, what it holds of it now */
    Map<String, StoreActivity> activity(Collection<String> taskIds);
}
