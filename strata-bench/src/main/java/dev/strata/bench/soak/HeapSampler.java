package dev.strata.bench.soak;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Heap in use right after a full collection, sampled once a minute; the soak's leak check. Thread-safe. */
final class HeapSampler {
    /** A sample: minutes since the start, heap bytes in use after GC. */
    record Sample(double minute, long bytes) {
    }

    private final long start = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();

    synchronized Sample sample() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Sample sample = new Sample((System.nanoTime() - start) / 60e9, used);
        samples.add(sample);
        return sample;
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * The samples from minute 2 to the end must lie within {@code tolerance} (0.10: 10%) of each
     * other: the largest at most that much above the smallest. Caches fill during the first
     * minutes, which is why minute 2 is the start.
     *
     * @return null when flat (or the run too short to tell: fewer than two samples from minute 2), else why not
     */
    synchronized String notFlat(double tolerance) {
        List<Sample> steady = samples.stream().filter(s -> s.minute() >= 1.99).toList();
        if (steady.size() < 2) {
            return null;
        }
        long min = steady.stream().mapToLong(Sample::bytes).min().orElseThrow();
        long max = steady.stream().mapToLong(Sample::bytes).max().orElseThrow();
        return max <= min * (1 + tolerance) ? null
                : String.format(Locale.ROOT, "heap after GC grew from %.1f MB to %.1f MB (%.0f%%) after minute 2",
                        min / 1e6, max / 1e6, (max - min) * 100.0 / min);
    }
}
