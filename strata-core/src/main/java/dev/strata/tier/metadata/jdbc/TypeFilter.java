package dev.strata.tier.metadata.jdbc;

import dev.strata.model.MessageQuery;
import java.util.List;
import org.jdbi.v3.core.statement.Query;

/**
 * The type filters of a {@link MessageQuery} as SQL over {@code tm_message m}. Names are resolved
 * by the query itself (the dictionary is never cached), so an unknown name matches no row.
 */
final class TypeFilter {
    private final List<String> include;
    private final List<String> exclude;

    TypeFilter(MessageQuery query) {
        this.include = List.copyOf(query.includeTypes());
        this.exclude = List.copyOf(query.excludeTypes());
    }

    /** Appends the conditions (each starting with {@code AND}) to a WHERE clause. */
    StringBuilder appendTo(StringBuilder sql) {
        if (!include.isEmpty()) {
            sql.append(" AND m.type_id IN (SELECT name_id FROM tm_name WHERE name IN (<include>))");
        }
        if (!exclude.isEmpty()) {
            sql.append(" AND m.type_id NOT IN (SELECT name_id FROM tm_name WHERE name IN (<exclude>))");
        }
        return sql;
    }

    /** Binds the names the conditions of {@link #appendTo} refer to. */
    Query bind(Query query) {
        if (!include.isEmpty()) {
            query.bindList("include", include);
        }
        if (!exclude.isEmpty()) {
            query.bindList("exclude", exclude);
        }
        return query;
    }
}
