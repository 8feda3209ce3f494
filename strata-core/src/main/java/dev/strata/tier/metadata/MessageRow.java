package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/** The metadata kept for one message: what queries filter on, nothing heavy. */
public record MessageRow(long seq, String type, String tool, String callId, long createdAtMillis) {
    public MessageRow {
        requireNonNull(type, "type is null");
        requireNonNull(tool, "tool is null");
        requireNonNull(callId, "callId is null");
    }
}
