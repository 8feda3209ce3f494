package dev.strata.tier.metadata;

import static java.util.Objects.requireNonNull;

/** The metadata kept for one message: what queries filter on, nothing heavy. */
public record MessageRow(long seq, String type, String tool, String callId, long createdAtMillis) {
    public MessageRow {
        requireNonNull(type, "type is null");
        requireNonNull(tool, "tool is null");
        requireNonNull(callId, "callId is null");
    }

    /** The metadata of each of the messages, in the same order. */
    public static java.util.List<MessageRow> of(java.util.List<dev.strata.model.TaskMessage> messages) {
        return messages.stream()
                .map(m -> new MessageRow(
                        m.seq(), m.type(), m.tool(), m.callId(), m.createdAt().toEpochMilli()))
                .toList();
    }
}
