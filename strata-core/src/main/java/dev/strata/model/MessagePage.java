package dev.strata.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param hasMore true when the limit or the page byte budget cut the list and more matching messages follow
 */
public record MessagePage(List<TaskMessage> messages, boolean hasMore) {
    public MessagePage {
        messages = List.copyOf(requireNonNull(messages, "messages is null"));
    }
}
