package dev.strata.store;

/**
 * What one compaction of a task did.
 *
 * @param segmentsBefore live segments (frames) before
 * @param segmentsAfter live segments (frames) after: a consolidated object holds frames of about 32 KiB each, so this
 *     can exceed {@code segmentsBefore} when a few large frames were consolidated
 * @param bytesRead bytes of frames read
 * @param bytesWritten bytes of the consolidated objects written; 0 when nothing was consolidated
 */
public record CompactionResult(int segmentsBefore, int segmentsAfter, long bytesRead, long bytesWritten) {
    public static CompactionResult unchanged(int segments) {
        return new CompactionResult(segments, segments, 0, 0);
    }

    /** @return true when some segments were consolidated into a new object */
    public boolean merged() {
        return bytesWritten > 0;
    }
}
