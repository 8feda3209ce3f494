package dev.strata.client;

import java.util.List;
import java.util.OptionalLong;

/**
 * One page of a read, in seq order. {@code hasMore} is the API's {@code X-Has-More}: the page was
 * cut by its limit or the server's byte budget, and reading on from {@link #lastSeq()} continues.
 */
public record MessagePage(List<TaskMessage> messages, boolean hasMore) {
    public MessagePage {
        messages = List.copyOf(messages);
    }

    /** The seq of the page's last message; empty for an empty page. */
    public OptionalLong lastSeq() {
        return messages.isEmpty()
                ? OptionalLong.empty()
                : OptionalLong.of(messages.getLast().seq());
    }
}
