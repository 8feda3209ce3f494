package dev.strata.model;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;
import java.util.Set;

/**
 * Which messages of a task to list, in seq order.
 *
 * @param afterSeq only messages with a larger seq (exclusive), or all when empty
 * @param beforeSeq only messages with a smaller seq (exclusive), or all when empty
 * @param limit at most this many messages, or {@link Integer#MAX_VALUE} for all
 * @param end which end of the matching messages the limit keeps: the oldest (a page read forwards)
 *     or the newest (a page read backwards, as a transcript opened at its end)
 * @param includeTypes only these types, or every type when empty
 * @param excludeTypes never these types
 */
public record MessageQuery(
        OptionalLong afterSeq,
        OptionalLong beforeSeq,
        int limit,
        End end,
        Set<String> includeTypes,
        Set<String> excludeTypes) {

    /** Which matching messages a limited query keeps; either way they are returned in seq order. */
    public enum End {
        /** The first {@code limit} matches: more, if any, follow the page. */
        OLDEST,
        /** The last {@code limit} matches: more, if any, precede the page. */
        NEWEST
    }

    public MessageQuery {
        requireNonNull(afterSeq, "afterSeq is null");
        requireNonNull(beforeSeq, "beforeSeq is null");
        requireNonNull(end, "end is null");
        if (limit < 1) {
            throw new InvalidInputException("limit must be positive, got " + limit);
        }
        includeTypes = Set.copyOf(requireNonNull(includeTypes, "includeTypes is null"));
        excludeTypes = Set.copyOf(requireNonNull(excludeTypes, "excludeTypes is null"));
    }

    /** A forward query: the first {@code limit} matches after {@code afterSeq}. */
    public MessageQuery(OptionalLong afterSeq, int limit, Set<String> includeTypes, Set<String> excludeTypes) {
        this(afterSeq, OptionalLong.empty(), limit, End.OLDEST, includeTypes, excludeTypes);
    }

    public static MessageQuery all() {
        return new MessageQuery(OptionalLong.empty(), Integer.MAX_VALUE, Set.of(), Set.of());
    }

    public MessageQuery after(long seq) {
        return new MessageQuery(OptionalLong.of(seq), beforeSeq, limit, end, includeTypes, excludeTypes);
    }

    public MessageQuery before(long seq) {
        return new MessageQuery(afterSeq, OptionalLong.of(seq), limit, end, includeTypes, excludeTypes);
    }

    public MessageQuery limitedTo(int max) {
        return new MessageQuery(afterSeq, beforeSeq, max, end, includeTypes, excludeTypes);
    }

    /** The same query keeping the newest {@code limit} matches instead of the oldest. */
    public MessageQuery keepingNewest() {
        return new MessageQuery(afterSeq, beforeSeq, limit, End.NEWEST, includeTypes, excludeTypes);
    }

    public MessageQuery including(Set<String> types) {
        return new MessageQuery(afterSeq, beforeSeq, limit, end, types, excludeTypes);
    }

    public MessageQuery excluding(Set<String> types) {
        return new MessageQuery(afterSeq, beforeSeq, limit, end, includeTypes, types);
    }
}
