package dev.strata.bench.soak;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Heap in use right after a full collection, sampled once a minute; the soak's leak check. Thread-safe. */
final class HeapSampler {
    /** A sample: minutes since the start, heap bytes in use after GC. */
    record Sample(double minute, long bytes) {}

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
     * Heap after GC must not trend upwards from minute 2 to the end: the mean of the last three
     * samples at most {@code tolerance} (0.10: 10%) above the mean of the first three from minute 2.
     * Caches fill during the first minutes, which is why minute 2 is the start. Means of three,
     * not single samples: one sample swings by 10 to 15% with the cache's churn and the requests
     * in flight when it is taken (seen in 20-minute runs), while a leak shows as a trend.
     *
     * @return null when flat (or the run too short to tell: fewer than four samples from minute 2), else why not
     */
    synchronized String notFlat(double tolerance) {
        List<Sample> steady = samples.stream().filter(s -> s.minute() >= 1.99).toList();
        if (steady.size() < 4) {
            return null;
        }
        int window = Math.min(3, steady.size() / 2);
        double first = steady.subList(0, window).stream()
                .mapToLong(Sample::bytes)
                .average()
                .orElseThrow();
        double last = steady.subList(steady.size() - window, steady.size()).stream()
                .mapToLong(Sample::bytes)
                .average()
                .orElseThrow();
        return last <= first * (1 + tolerance)
                ? null
                : String.format(
                        Locale.ROOT,
                        "heap after GC grew from %.1f MB to %.1f MB (%.0f%%, means of %d samples) after minute 2",
                        first / 1e6,
                        last / 1e6,
                        (last - first) * 100.0 / first,
                        window);
    }
}
