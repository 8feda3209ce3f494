package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What {@link Fsck} found, and what it repaired.
 *
 * @param missing segments metadata references that the content tier lacks (never repairable)
 * @param corrupt segments whose checksum or format is wrong (never repairable)
 * @param orphans objects no metadata references, older than the grace period
 * @param orphansRemoved of those, removed by {@code --repair}
 * @param pendingDeletions deletions queued when fsck started
 * @param pendingDeletionsFinished of those, finished by {@code --repair}
 * @param cacheMismatches cache entries whose bytes differ from the content tier
 * @param cacheMismatchesRemoved of those, removed by {@code --repair}
 * @param problems one line per problem found, for the operator
 */
public record FsckReport(long tasks, long segments, long messages, long missing, long corrupt, long orphans, long orphansRemoved,
                         long pendingDeletions, long pendingDeletionsFinished, long cacheMismatches, long cacheMismatchesRemoved,
                         List<String> problems) {
    public FsckReport {
        problems = List.copyOf(requireNonNull(problems, "problems is null"));
    }

    /** @return true when nothing is wrong any more (after repairs, if any) */
    public boolean clean() {
        return missing == 0 && corrupt == 0 && orphans == orphansRemoved && pendingDeletions == pendingDeletionsFinished
                && cacheMismatches == cacheMismatchesRemoved;
    }
}
