package dev.strata.server.workspace;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One page of a list.
 *
 * @param nextCursor the opaque cursor of the next page; empty on the last page
 */
public record ListPage<T>(List<T> items, Optional<String> nextCursor) {
    public ListPage {
        items = List.copyOf(requireNonNull(items, "items is null"));
        requireNonNull(nextCursor, "nextCursor is null");
    }
}
