package dev.strata.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Compares what the clients of a sweep point were told was stored (the seqs of every acknowledged
 * append, per task) with what each task really holds afterwards, read back through the store.
 *
 * @param acknowledged messages acknowledged
 * @param stored messages the tasks hold (acknowledged or not: a failed request may still have been stored)
 * @param lost acknowledged messages a task does not hold
 * @param examples a few tasks that lost messages, with how many
 */
record AcknowledgedCheck(long acknowledged, long stored, long lost, List<String> examples) {
    /** Reads each task's stored seqs with {@code storedSeqs} and counts the acknowledged ones missing. */
    static AcknowledgedCheck compare(Map<String, BitSet> acknowledged, Function<String, BitSet> storedSeqs) {
        long acked = 0;
        long stored = 0;
        long lost = 0;
        List<String> examples = new ArrayList<>();
        for (var task : new TreeMap<>(acknowledged).entrySet()) {
            BitSet holds = storedSeqs.apply(task.getKey());
            BitSet missing = (BitSet) task.getValue().clone();
            missing.andNot(holds);
            acked += task.getValue().cardinality();
            stored += holds.cardinality();
            lost += missing.cardinality();
            if (!missing.isEmpty() && examples.size() < 5) {
                examples.add(task.getKey() + ": " + missing.cardinality() + " of "
                        + task.getValue().cardinality() + " acknowledged missing, first seq "
                        + missing.nextSetBit(0));
            }
        }
        return new AcknowledgedCheck(acked, stored, lost, List.copyOf(examples));
    }

    /**
     * @throws IllegalStateException naming the system, the point and some tasks, when an
     *     acknowledged message is missing
     */
    AcknowledgedCheck requireNothingLost(String where) {
        if (lost > 0) {
            throw new IllegalStateException("acknowledged != stored for " + where + ": " + lost + " of " + acknowledged
                    + " acknowledged messages are not stored; " + String.join("; ", examples));
        }
        return this;
    }
}
