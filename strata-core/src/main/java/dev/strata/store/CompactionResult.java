package dev.strata.store;

/**
 * What one compaction of a task did.
 *
 * @param segmentsBefore live segments before
 * @param segmentsAfter live segments after (1 when the whole task fit one merged object, more when it did not or nothing merged)
 * @param bytesRead bytes of segment objects read
 * @param bytesWritten bytes of the merged object written
 */
public record CompactionResult(int segmentsBefore, int segmentsAfter, long bytesRead, long bytesWritten) {
    public static CompactionResult unchanged(int segments) {
        return new CompactionResult(segments, segments, 0, 0);
    }

    public boolean merged() {
        return segmentsAfter < segmentsBefore;
    }
}
