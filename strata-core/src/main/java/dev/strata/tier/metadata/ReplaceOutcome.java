package dev.strata.tier.metadata;

/** What {@link SegmentCatalog#replaceSegments} did. */
public sealed interface ReplaceOutcome {

    /** The merged segment now holds the messages; the replaced objects are queued for deletion. */
    record Replaced(int messageCount) implements ReplaceOutcome {}

    /** Another compaction replaced some of the segments first; nothing was changed. */
    record Conflict() implements ReplaceOutcome {}

    /** The task was deleted meanwhile; nothing was changed. */
    record TaskGone() implements ReplaceOutcome {}
}
