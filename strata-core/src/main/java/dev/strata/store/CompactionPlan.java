package dev.strata.store;

import dev.strata.tier.metadata.SegmentRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits a task's segments, in segment order, into runs whose recorded decoded bytes fit one
 * merged object. A run of one segment stays as it is. The decoded lengths come from the segments'
 * headers, read in waves of about {@code maxBytes} of objects, so planning holds no more than that.
 */
final class CompactionPlan {
    private CompactionPlan() {}

    /** @return the runs, in order; a task that fits ends as one run */
    static List<List<SegmentRecord>> runs(
            String taskId, List<SegmentRecord> segments, long maxBytes, SegmentFetcher fetcher) {
        List<List<SegmentRecord>> runs = new ArrayList<>();
        List<SegmentRecord> run = new ArrayList<>();
        long runBytes = 0;
        int next = 0;
        while (next < segments.size()) {
            List<SegmentRecord> wave = new ArrayList<>();
            long waveBytes = 0;
            while (next < segments.size()
                    && (wave.isEmpty() || waveBytes + segments.get(next).byteSize() <= maxBytes)) {
                waveBytes += segments.get(next).byteSize();
                wave.add(segments.get(next++));
            }
            // An object larger than the budget decodes to at least about as much: it stays alone, unread.
            List<Frame> toRead = wave.stream()
                    .filter(s -> s.byteSize() <= maxBytes)
                    .map(ContentSegmentKeys::frame)
                    .toList();
            Map<Frame, Integer> lengths = fetcher.decodedLengths(taskId, toRead);
            for (SegmentRecord segment : wave) {
                Frame frame = ContentSegmentKeys.frame(segment);
                long bytes = lengths.containsKey(frame) ? lengths.get(frame) : segment.byteSize();
                if (!run.isEmpty() && runBytes + bytes > maxBytes) {
                    runs.add(run);
                    run = new ArrayList<>();
                    runBytes = 0;
                }
                run.add(segment);
                runBytes += bytes;
            }
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }
}
