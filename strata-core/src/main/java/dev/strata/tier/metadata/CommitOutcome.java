package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/** What {@link MetadataTier#commit} did. */
public sealed interface CommitOutcome {

    /** @param insertedSeqs the seqs this commit stored; empty when every one was stored already */
    record Committed(Set<Long> insertedSeqs) implements CommitOutcome {
        public Committed {
            insertedSeqs = Set.copyOf(requireNonNull(insertedSeqs, "insertedSeqs is null"));
        }
    }

    /** The task was deleted between the append's start and its commit; nothing was recorded. */
    record TaskGone() implements CommitOutcome {}
}
