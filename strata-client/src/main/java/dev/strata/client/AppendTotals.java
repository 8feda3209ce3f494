package dev.strata.client;

/**
 * What Strata answered to an appender's batches so far, summed: messages stored, messages it
 * already had (replays of a batch whose answer was lost count here), and messages of dropped types
 * ({@code log} and {@code status} by default).
 */
public record AppendTotals(long accepted, long duplicates, long dropped) {
    static final AppendTotals NONE = new AppendTotals(0, 0, 0);

    AppendTotals plus(AppendTotals other) {
        return new AppendTotals(accepted + other.accepted, duplicates + other.duplicates, dropped + other.dropped);
    }
}
