package dev.strata.model;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;
import java.util.Set;

/**
 * Which messages of a task to list, in seq order.
 *
 * @param afterSeq only messages with a larger seq (exclusive), or all when empty
 * @param limit at most this many messages, or {@link Integer#MAX_VALUE} for all
 * @param includeTypes only these types, or every type when empty
 * @param excludeTypes never these types
 */
public record MessageQuery(OptionalLong afterSeq, int limit, Set<String> includeTypes, Set<String> excludeTypes) {
    public MessageQuery {
        requireNonNull(afterSeq, "afterSeq is null");
        if (limit < 1) {
            throw new InvalidInputException("limit must be positive, got " + limit);
        }
        includeTypes = Set.copyOf(requireNonNull(includeTypes, "includeTypes is null"));
        excludeTypes = Set.copyOf(requireNonNull(excludeTypes, "excludeTypes is null"));
    }

    public static MessageQuery all() {
        return new MessageQuery(OptionalLong.empty(), Integer.MAX_VALUE, Set.of(), Set.of());
    }

    public MessageQuery after(long seq) {
        return new MessageQuery(OptionalLong.of(seq), limit, includeTypes, excludeTypes);
    }

    public MessageQuery limitedTo(int max) {
        return new MessageQuery(afterSeq, max, includeTypes, excludeTypes);
    }

    public MessageQuery including(Set<String> types) {
        return new MessageQuery(afterSeq, limit, types, excludeTypes);
    }

    public MessageQuery excluding(Set<String> types) {
        return new MessageQuery(afterSeq, limit, includeTypes, types);
    }
}
