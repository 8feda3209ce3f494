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

    static MessageQuery from(Context ctx) {
        OptionalLong since = OptionalLong.empty();
        String sinceText = ctx.queryParam("since");
        if (sinceText != null) {
            try {
                since = OptionalLong.of(Long.parseLong(sinceText.trim()));
            } catch (NumberFormatException e) {
                throw new ApiException.BadRequest("invalid since parameter");
            }
        }
        int limit = Integer.MAX_VALUE;
        String limitText = ctx.queryParam("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new ApiException.BadRequest("invalid limit parameter: must be an integer from 1 to " + MAX_LIMIT);
            }
        }
        String types = ctx.queryParam("types");
        String excludeTypes = ctx.queryParam("exclude_types");
        Set<String> exclude = types == null && excludeTypes == null ? DEFAULT_EXCLUDED : list(excludeTypes);
        return new MessageQuery(since, limit, list(types), exclude);
    }

    private static Set<String> list(String commaSeparated) {
        Set<String> values = new LinkedHashSet<>();
        if (commaSeparated != null) {
            Arrays.stream(commaSeparated.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .forEach(values::add);
        }
        return values;
    }
}
