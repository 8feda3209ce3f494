package dev.strata.bench.soak;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** Counters of a soak run: answers by operation and status, faults, the longest waits, and broken promises. Thread-safe. */
final class SoakStats {
    private static final int MAX_PROBLEMS_KEPT = 50;

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAccumulator> longest = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private final AtomicLong problemCount = new AtomicLong();

    void add(String counter, long amount) {
        counts.computeIfAbsent(counter, key -> new LongAdder()).add(amount);
    }

    /** An operation got its final answer after {@code millis}, retries included. */
    void answered(String operation, long millis) {
        longest.computeIfAbsent(operation, key -> new LongAccumulator(Math::max, 0))
                .accumulate(millis);
    }

    /** A broken promise; the first few are kept word for word. */
    void problem(String description) {
        if (problemCount.incrementAndGet() <= MAX_PROBLEMS_KEPT) {
            problems.add(description);
        }
    }

    Map<String, Long> counts() {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((key, value) -> sorted.put(key, value.sum()));
        return sorted;
    }

    /** Per operation, the longest it took to get an answer other than 503, retries included, in milliseconds. */
    Map<String, Long> longestMillis() {
        Map<String, Long> sorted = new TreeMap<>();
        longest.forEach((key, value) -> sorted.put(key, value.get()));
        return sorted;
    }

    long problemCount() {
        return problemCount.get();
    }

    List<String> problems() {
        return List.copyOf(problems);
    }
}
