package dev.strata.bench;

import java.util.Arrays;
import java.util.List;

/** Median and p99 of samples, in the unit they were taken in. */
record Stats(int count, double median, double p99, double mean) {
    static Stats of(List<Double> samples) {
        if (samples.isEmpty()) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted =
                samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Stats(
                sorted.length,
                percentile(sorted, 0.5),
                percentile(sorted, 0.99),
                Arrays.stream(sorted).average().orElse(Double.NaN));
    }

    private static double percentile(double[] sorted, double p) {
        double rank = p * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
