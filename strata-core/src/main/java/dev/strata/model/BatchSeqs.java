package dev.strata.model;

import java.util.HashSet;
import java.util.Set;

/**
 * Checks the seqs of one batch as they come: each must be in range and occur once. The one rule
 * for appends (HTTP parsing and the store) and imports alike; each caller decides what a bad seq
 * costs (a 400, a skipped row). Not thread-safe: one instance per batch.
 */
public final class BatchSeqs {
    private final Set<Long> seen = new HashSet<>();

    /** What {@link #accept} found. */
    public enum Verdict {
        /** In range and new to the batch. */
        FIRST,
        /** Occurred earlier in the batch. */
        REPEATED,
        /** Below 0 or above {@link NewMessage#MAX_SEQ}. */
        OUT_OF_RANGE
    }

    /** Records a seq of the batch and says whether it may be stored. */
    public Verdict accept(long seq) {
        if (seq < 0 || seq > NewMessage.MAX_SEQ) {
            return Verdict.OUT_OF_RANGE;
        }
        return seen.add(seq) ? Verdict.FIRST : Verdict.REPEATED;
    }

    /** The problem a repeated seq is reported as, the same wherever a batch is checked. */
    public static String repeated(long seq) {
        return seq + " occurs more than once in the batch";
    }
}
