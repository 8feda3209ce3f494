package dev.strata.server.http;

import dev.strata.model.MessageQuery;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.Set;

/** Turns the read endpoints' query parameters into a {@link MessageQuery}. */
final class MessageQueries {
    static final int MAX_LIMIT = 1000;
    /** Without any type filter, tool results are left out, as in the original API. */
    private static final Set<String> DEFAULT_EXCLUDED = Set.of("tool-result");

    private MessageQueries() {}

    /**
     * The query of a page read ({@code GET .../messages}): {@link #from} with, for reading a
     * transcript backwards from its end, {@code before=N} (only seqs below N) and {@code tail=L}
     * (the last L, like {@code limit} from the end). Either keeps the newest matches, so the page's
     * "more" means older ones exist. Neither goes with {@code since}, and {@code tail} not with
     * {@code limit}: the combinations would be ambiguous.
     */
    static MessageQuery page(Context ctx) {
        MessageQuery query = from(ctx);
        String before = ctx.queryParam("before");
        String tail = ctx.queryParam("tail");
        if (before == null && tail == null) {
            return query;
        }
        if (ctx.queryParam("since") != null) {
            throw new ApiException.BadRequest("before and tail cannot be combined with since");
        }
        if (tail != null && ctx.queryParam("limit") != null) {
            throw new ApiException.BadRequest("tail and limit cannot be combined");
        }
        query = query.keepingNewest();
        if (before != null) {
            try {
                query = query.before(QueryNumbers.parseLong(before));
            } catch (NumberFormatException e) {
                throw new ApiException.BadRequest("invalid before parameter");
            }
        }
        if (tail != null) {
            query = query.limitedTo(boundedInt(tail, "tail"));
        }
        return query;
    }

    /** The query of a read: {@code since}, {@code limit}, {@code types}, {@code exclude_types}. */
    static MessageQuery from(Context ctx) {
        OptionalLong since = OptionalLong.empty();
        String sinceText = ctx.queryParam("since");
        if (sinceText != null) {
            try {
                since = OptionalLong.of(QueryNumbers.parseLong(sinceText));
            } catch (NumberFormatException e) {
                throw new ApiException.BadRequest("invalid since parameter");
            }
        }
        String limitText = ctx.queryParam("limit");
        int limit = limitText == null ? Integer.MAX_VALUE : boundedInt(limitText, "limit");
        String types = ctx.queryParam("types");
        String excludeTypes = ctx.queryParam("exclude_types");
        Set<String> exclude = types == null && excludeTypes == null ? DEFAULT_EXCLUDED : list(excludeTypes);
        return new MessageQuery(since, limit, list(types), exclude);
    }

    private static int boundedInt(String text, String parameter) {
        int value;
        try {
            value = QueryNumbers.parseInt(text);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1 || value > MAX_LIMIT) {
            throw new ApiException.BadRequest(
                    "invalid " + parameter + " parameter: must be an integer from 1 to " + MAX_LIMIT);
        }
        return value;
    }

    private static Set<String> list(String commaSeparated) {
        Set<String> values = new LinkedHashSet<>();
        if (commaSeparated != null) {
            Arrays.stream(commaSeparated.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .forEach(values::add);
            // No type holds NUL (appends refuse it), and PostgreSQL refuses it in any text parameter.
            if (commaSeparated.indexOf('\u0000') >= 0) {
                throw new ApiException.BadRequest("types and exclude_types must not contain NUL");
            }
        }
        return values;
    }
}
