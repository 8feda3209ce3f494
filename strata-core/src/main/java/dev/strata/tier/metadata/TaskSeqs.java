package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * A task as metadata knows it, and which of the seqs asked about it stores already: what an append
 * reads before it encodes its frame, in one round trip.
 */
public record TaskSeqs(TaskRecord task, Set<Long> stored) {
    public TaskSeqs {
        requireNonNull(task, "task is null");
        stored = Set.copyOf(stored);
    }
}
