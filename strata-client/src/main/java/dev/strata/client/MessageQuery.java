package dev.strata.client;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.StringJoiner;

/**
 * Which messages a read returns, as the API's query parameters: {@code since} (exclusive seq),
 * {@code limit} (1 to 1000 per page), and {@code types} or {@code excludeTypes}. Like the API,
 * a query without type filters leaves out {@code tool-result}; {@link #allTypes()} excludes nothing.
 */
public record MessageQuery(
        OptionalLong since, OptionalInt limit, Optional<List<String>> types, Optional<List<String>> excludeTypes) {
    public MessageQuery {
        requireNonNull(since, "since is null");
        requireNonNull(limit, "limit is null");
        types = requireNonNull(types, "types is null").map(List::copyOf);
        excludeTypes = requireNonNull(excludeTypes, "excludeTypes is null").map(List::copyOf);
        if (limit.isPresent() && (limit.getAsInt() < 1 || limit.getAsInt() > 1000)) {
            throw new IllegalArgumentException("limit must be from 1 to 1000: " + limit.getAsInt());
        }
    }

    /** The API's defaults: every message but tool results, from the first. */
    public static MessageQuery defaults() {
        return new MessageQuery(OptionalLong.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty());
    }

    /** Every message of every type, from the first. */
    public static MessageQuery allTypes() {
        return defaults().withExcludedTypes();
    }

    /** Only messages with a seq above {@code seq}. */
    public MessageQuery withSince(long seq) {
        return new MessageQuery(OptionalLong.of(seq), limit, types, excludeTypes);
    }

    /** At most {@code messages} per page. */
    public MessageQuery withLimit(int messages) {
        return new MessageQuery(since, OptionalInt.of(messages), types, excludeTypes);
    }

    /** Only these types. */
    public MessageQuery withTypes(String... names) {
        return new MessageQuery(since, limit, Optional.of(List.of(names)), excludeTypes);
    }

    /** All types but these (none: all types). */
    public MessageQuery withExcludedTypes(String... names) {
        return new MessageQuery(since, limit, types, Optional.of(List.of(names)));
    }

    /** The query string, starting with {@code ?}, or empty. */
    String queryString(boolean withLimit) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        since.ifPresent(seq -> query.add("since=" + seq));
        if (withLimit) {
            limit.ifPresent(messages -> query.add("limit=" + messages));
        }
        types.ifPresent(names -> query.add("types=" + UriEncoding.component(String.join(",", names))));
        excludeTypes.ifPresent(names -> query.add("exclude_types=" + UriEncoding.component(String.join(",", names))));
        return query.toString();
    }
}
