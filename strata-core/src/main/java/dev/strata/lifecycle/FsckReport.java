package dev.strata.lifecycle;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What {@link Fsck} found, and what it repaired.
 *
 * @param missing segments metadata references that the content tier lacks (never repairable)
 * @param corrupt segments whose checksum or format is wrong (never repairable)
 * @param segmentMismatches segment rows whose message count or seq range disagrees with the message
 *     rows pointing at them, or segment numbers message rows point at without a live segment (never
 *     repairable: reads and moves trust these rows)
 * @param orphans objects no metadata references, older than the grace period
 * @param orphansRemoved of those, removed by {@code --repair}
 * @param forgottenTasks store tasks the application no longer knows (their content is unreachable)
 * @param forgottenTasksRemoved of those, deleted from the store by {@code --repair}
 * @param scheduledDeletions queued deletions that are not late: inside their grace period, or due
 *     only recently (the deletion worker has not had its turn yet); not a problem
 * @param overdueDeletions queued deletions due for longer than the overdue margin: the deletion
 *     worker is not keeping up or the content tier refuses them
 * @param deletionsFinished queued deletions finished by {@code --repair}
 * @param overdueDeletionsLeft overdue deletions still queued when fsck ended
 * @param cacheMismatches cache entries of live segments whose bytes do not match the checksum
 *     metadata recorded
 * @param cacheMismatchesRemoved of those, removed by {@code --repair}
 * @param problems one line per problem found, for the operator
 */
public record FsckReport(
        long tasks,
        long segments,
        long messages,
        long missing,
        long corrupt,
        long segmentMismatches,
        long orphans,
        long orphansRemoved,
        long forgottenTasks,
        long forgottenTasksRemoved,
        long scheduledDeletions,
        long overdueDeletions,
        long deletionsFinished,
        long overdueDeletionsLeft,
        long cacheMismatches,
        long cacheMismatchesRemoved,
        List<String> problems) {
    public FsckReport {
        problems = List.copyOf(requireNonNull(problems, "problems is null"));
    }

    /** @return true when nothing is wrong any more (after repairs, if any); scheduled deletions are not wrong */
    public boolean clean() {
        return missing == 0
                && corrupt == 0
                && segmentMismatches == 0
                && orphans == orphansRemoved
                && forgottenTasks == forgottenTasksRemoved
                && overdueDeletionsLeft == 0
                && cacheMismatches == cacheMismatchesRemoved;
    }
}
