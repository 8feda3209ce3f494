package dev.strata.server.migrate;

import dev.strata.model.BackendUnavailableException;
import dev.strata.model.InvalidInputException;
import dev.strata.tier.metadata.jdbc.JdbcUrl;
import dev.strata.tier.metadata.jdbc.SqlDialect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A legacy single-table database: SQLite (for example an export of the original D1 database) or
 * PostgreSQL. Reads page through task ids by key (never OFFSET) and stream each task's rows in
 * insertion order, so memory does not grow with the database. Not thread-safe: one per worker.
 */
final class LegacyDatabase implements AutoCloseable {
    private final SqlDialect dialect;
    private final Connection connection;

    /** @throws InvalidInputException if {@code url} is neither a SQLite nor a PostgreSQL JDBC URL */
    LegacyDatabase(String url) {
        dialect = parse(url).dialect();
        if (dialect == SqlDialect.SQLITE) {
            requireSqliteFile(url);
        }
        try {
            connection = DriverManager.getConnection(url);
            if (dialect == SqlDialect.POSTGRESQL) {
                // Cursors (streaming fetches) need a transaction on PostgreSQL.
                connection.setAutoCommit(false);
            }
        } catch (SQLException e) {
            throw new BackendUnavailableException("cannot open the legacy database " + url + ": " + e.getMessage(), e);
        }
    }

    /** SQLite would create a missing file, so a mistyped path would "migrate" an empty database. */
    private static void requireSqliteFile(String url) {
        String file = sqliteFile(url);
        if (!file.isEmpty() && !file.equals(":memory:") && !Files.isRegularFile(Path.of(file))) {
            throw new InvalidInputException("--from names no SQLite file: " + file + " does not exist");
        }
    }

    /** The file a {@code jdbc:sqlite:} URL names, without its query parameters or {@code file:} prefix. */
    static String sqliteFile(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        file = query < 0 ? file : file.substring(0, query);
        return file.startsWith("file:") ? file.substring("file:".length()) : file;
    }

    /** The same parsing as Strata's own {@code STRATA_DB_URL}, with the error naming {@code --from}. */
    private static JdbcUrl parse(String url) {
        try {
            return JdbcUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--from must be a jdbc:sqlite: or jdbc:postgresql: URL, got " + url);
        }
    }

    SqlDialect dialect() {
        return dialect;
    }

    Connection connection() {
        return connection;
    }

    boolean hasTaskQueue() {
        return query(
                                dialect == SqlDialect.SQLITE
                                        ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'agent_task_queue'"
                                        : "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'agent_task_queue' AND table_schema = current_schema()",
                                List.of(),
                                rs -> rs.getLong(1))
                        .get(0)
                > 0;
    }

    long countRows() {
        return query("SELECT COUNT(*) FROM task_message", List.of(), rs -> rs.getLong(1))
                .get(0);
    }

    /** Rows with no task id (NULL or empty): no task can hold them, and task-id paging never reaches them. */
    long countRowsWithoutTask() {
        return query(
                        "SELECT COUNT(*) FROM task_message WHERE task_id IS NULL OR task_id = ''",
                        List.of(),
                        rs -> rs.getLong(1))
                .get(0);
    }

    /** What the source holds now: its row count and high-water mark. */
    Verifier.Fingerprint fingerprint() {
        return new Verifier.Fingerprint(countRows(), highWater());
    }

    /** Task ids in order, after {@code after}, at most {@code limit}: keyset paging on the (task_id, seq) index. */
    List<String> taskIdsAfter(String after, int limit) {
        return query(
                "SELECT DISTINCT task_id FROM task_message WHERE task_id > ? ORDER BY task_id LIMIT ?",
                List.of(after, limit),
                rs -> rs.getString(1));
    }

    /** Ids of tasks that have rows newer than the high-water mark. */
    List<String> taskIdsChangedSince(String highWater) {
        return query(
                "SELECT DISTINCT task_id FROM task_message WHERE " + newerThan() + " ORDER BY task_id",
                List.of(highWaterValue(highWater)),
                rs -> rs.getString(1));
    }

    /** The mark below which every row existing now lies: SQLite max rowid, PostgreSQL max created_at. */
    String highWater() {
        String sql = dialect == SqlDialect.SQLITE
                ? "SELECT COALESCE(MAX(rowid), 0) FROM task_message"
                : "SELECT COALESCE(MAX(created_at)::text, '') FROM task_message";
        return query(sql, List.of(), rs -> rs.getString(1)).get(0);
    }

    Optional<LegacyTask> task(String taskId) {
        return query(
                        "SELECT id, workspace_id, conversation_id, status, created_at FROM agent_task_queue WHERE id = ?",
                        List.of(taskId),
                        rs -> new LegacyTask(
                                rs.getString(1),
                                rs.getString(2),
                                Optional.ofNullable(rs.getString(3)),
                                rs.getString(4),
                                rs.getString(5)))
                .stream()
                .findFirst();
    }

    /**
     * Streams a task's rows ordered by seq, then by insertion (SQLite rowid; PostgreSQL created_at,
     * then id), so the first row of each seq is the one inserted first.
     *
     * @param newerThan only rows above this high-water mark, or every row when empty
     */
    void forEachRow(String taskId, Optional<String> newerThan, Consumer<LegacyRow> consumer) {
        String position = dialect == SqlDialect.SQLITE ? "rowid" : "0";
        String order = dialect == SqlDialect.SQLITE ? "seq, rowid" : "seq, created_at, id";
        String sql = "SELECT " + position
                + ", id, task_id, seq, type, tool, call_id, content, input, output, created_at FROM task_message"
                + " WHERE task_id = ?" + (newerThan.isPresent() ? " AND " + newerThan() : "") + " ORDER BY " + order;
        List<Object> parameters = new ArrayList<>(List.of(taskId));
        newerThan.ifPresent(mark -> parameters.add(highWaterValue(mark)));
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setFetchSize(1000);
            bind(statement, parameters);
            try (ResultSet rs = statement.executeQuery()) {
                long rank = 0;
                while (rs.next()) {
                    consumer.accept(new LegacyRow(
                            dialect == SqlDialect.SQLITE ? rs.getLong(1) : rank++,
                            rs.getString(2),
                            rs.getString(3),
                            rs.getLong(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getString(9),
                            rs.getString(10),
                            rs.getString(11)));
                }
            }
        } catch (SQLException e) {
            throw new BackendUnavailableException(
                    "reading legacy rows of task " + taskId + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * SQLite: rows inserted after the mark. PostgreSQL: rows created at or after it, since rows of
     * the same timestamp may be added after the mark was read; those read again count as present.
     */
    private String newerThan() {
        return dialect == SqlDialect.SQLITE ? "rowid > ?" : "created_at::text >= ?";
    }

    private Object highWaterValue(String highWater) {
        return dialect == SqlDialect.SQLITE
                ? (Object) Long.parseLong(highWater.isEmpty() ? "0" : highWater)
                : highWater;
    }

    /** Runs a statement that changes the legacy database (finalize). */
    void execute(String sql) {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        } catch (SQLException e) {
            throw new BackendUnavailableException("legacy statement failed (" + sql + "): " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    <T> List<T> query(String sql, List<Object> parameters, RowMapper<T> mapper) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            try (ResultSet rs = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(mapper.map(rs));
                }
                return result;
            }
        } catch (SQLException e) {
            throw new BackendUnavailableException("legacy query failed (" + sql + "): " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement statement, List<Object> parameters) throws SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            statement.setObject(i + 1, parameters.get(i));
        }
    }

    @Override
    public void close() {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
            connection.close();
        } catch (SQLException e) {
            throw new BackendUnavailableException("closing the legacy database failed: " + e.getMessage(), e);
        }
    }
}
