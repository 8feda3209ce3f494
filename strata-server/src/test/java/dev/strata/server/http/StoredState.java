package dev.strata.server.http;

import dev.strata.tier.content.ListableContent;
import dev.strata.tier.metadata.jdbc.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything a server has stored, read from outside the store (so reading it changes nothing,
 * not even the cache): every row of every table of the metadata database (the schema history
 * aside), every object key of the content tier, and the number of cache entries where the cache
 * can be counted from outside (Redis). Two captures differ exactly when something was stored,
 * changed or removed in between.
 */
record StoredState(Map<String, List<String>> tables, List<String> objects, OptionalLong cacheEntries) {

    static StoredState capture(Database database, ListableContent content, OptionalLong cacheEntries) {
        Map<String, List<String>> tables;
        try {
            tables = database.jdbi().withHandle(handle -> rows(handle.getConnection()));
        } catch (SQLException e) {
            throw new IllegalStateException("reading the metadata tables failed: " + e.getMessage(), e);
        }
        List<String> objects = new ArrayList<>();
        for (List<ListableContent.StoredObject> page = content.list("", "", 1000);
                !page.isEmpty();
                page = content.list("", objects.get(objects.size() - 1), 1000)) {
            page.forEach(object -> objects.add(object.key()));
        }
        return new StoredState(tables, objects, cacheEntries);
    }

    /** What changed from this capture to {@code later}, one line per row, object or count; empty when nothing did. */
    List<String> changesTo(StoredState later) {
        List<String> changes = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(tables.keySet());
        names.addAll(later.tables.keySet());
        for (String table : names) {
            changes.addAll(difference(
                    "table " + table,
                    tables.getOrDefault(table, List.of()),
                    later.tables.getOrDefault(table, List.of())));
        }
        changes.addAll(difference("object", objects, later.objects));
        if (!cacheEntries.equals(later.cacheEntries)) {
            changes.add("cache entries: " + cacheEntries + " -> " + later.cacheEntries);
        }
        return changes;
    }

    private static List<String> difference(String what, List<String> before, List<String> after) {
        List<String> changes = new ArrayList<>();
        List<String> removed = new ArrayList<>(before);
        after.forEach(removed::remove);
        List<String> added = new ArrayList<>(after);
        before.forEach(added::remove);
        removed.forEach(row -> changes.add(what + ": - " + row));
        added.forEach(row -> changes.add(what + ": + " + row));
        return changes;
    }

    /**
     * Columns left out: a token's last use is recorded by any authenticated request, refused ones
     * included (at most once a minute per token), and is bookkeeping, not stored data.
     */
    private static final java.util.Set<String> BOOKKEEPING = java.util.Set.of("access_token.last_used_at");

    private static Map<String, List<String>> rows(Connection connection) throws SQLException {
        Map<String, List<String>> tables = new TreeMap<>();
        for (String table : tableNames(connection)) {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT * FROM " + table)) {
                int width = rs.getMetaData().getColumnCount();
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= width; i++) {
                        if (BOOKKEEPING.contains(table + "." + rs.getMetaData().getColumnName(i))) {
                            continue;
                        }
                        row.append(i > 1 ? " | " : "")
                                .append(rs.getMetaData().getColumnName(i))
                                .append('=')
                                .append(rs.getString(i));
                    }
                    rows.add(row.toString());
                }
                rows.sort(null);
                tables.put(table, rows);
            }
        }
        return tables;
    }

    private static List<String> tableNames(Connection connection) throws SQLException {
        boolean sqlite = connection.getMetaData().getURL().startsWith("jdbc:sqlite:");
        String sql = sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                if (!rs.getString(1).contains("history") && !rs.getString(1).equals("job_lease")) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }
}
