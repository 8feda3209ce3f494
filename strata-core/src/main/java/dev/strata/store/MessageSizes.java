package dev.strata.store;

import dev.strata.model.TaskMessage;

/** How much a decoded message weighs, for the page budget and the decoded-segment cache. */
final class MessageSizes {
    /** Fixed fields of a message in a response: names, seq, id, time, punctuation. */
    private static final long RESPONSE_OVERHEAD = 200;
    /**
     * Objects around a decoded message's strings: the record, nine String headers and their
     * arrays, the Optional, the Instant, the map entry and its Long key.
     */
    private static final long HEAP_OVERHEAD = 512;

    private MessageSizes() {}

    /** The decoded text of a message: every string field, in characters, plus a fixed overhead. */
    static long textBytes(TaskMessage m) {
        return RESPONSE_OVERHEAD + m.textLength();
    }

    /**
     * What a decoded message holds on the heap, at most: two bytes per character of every field
     * (strings of non-Latin-1 text take two), plus the objects around them.
     */
    static long heapBytes(TaskMessage m) {
        return HEAP_OVERHEAD + 2 * m.textLength();
    }
}
