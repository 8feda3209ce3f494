package dev.strata.server.stats;

import static java.util.Objects.requireNonNull;

import dev.strata.server.stats.StorageReport.Usage;
import dev.strata.tier.metadata.ObjectKind;
import dev.strata.tier.metadata.jdbc.Database;
import java.util.List;

/**
 * Every SQL query of the storage statistics, in one place, since it reads the store's own tables
 * ({@code tm_task}, {@code tm_segment}) beside the server's ({@code task}): when the store's schema
 * changes (segment rows, say), this is the one class to adapt. Rows of {@code tm_segment} are the
 * live segments: compaction deletes the rows of the segments it replaces. Thread-safe.
 */
final class StorageQueries {
    private final Database database;

    StorageQueries(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    /** One live frame: enough to find it in its object and compare its stored size with its decoded one. */
    record SegmentSample(String taskId, ObjectKind kind, long objectId, long offset, int byteSize) {}

    Usage store() {
        return database.read("stats store usage", h -> {
            long[] tasks = h.createQuery("SELECT COUNT(*), COALESCE(SUM(message_count), 0) FROM tm_task")
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .one();
            // Objects, not frames: a shared object holds frames of many tasks, a consolidated one several of one task.
            long[] content = h.createQuery(
                            "SELECT COUNT(DISTINCT object_id)," + " COALESCE(SUM(byte_size), 0) FROM tm_segment")
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .one();
            return new Usage(tasks[0], tasks[1], content[0], content[1]);
        });
    }

    /** Only the workspace's tasks: the server's task rows joined to the store's by task id. */
    Usage workspace(String workspaceId) {
        return database.read("stats workspace usage", h -> {
            long tasks = h.createQuery("SELECT COUNT(*) FROM task WHERE workspace_id = :w")
                    .bind("w", workspaceId)
                    .mapTo(Long.class)
                    .one();
            long messages = h.createQuery("SELECT COALESCE(SUM(t.message_count), 0) FROM task a"
                            + " JOIN tm_task t ON t.task_id = a.id WHERE a.workspace_id = :w")
                    .bind("w", workspaceId)
                    .mapTo(Long.class)
                    .one();
            long[] content = h.createQuery(
                            "SELECT COUNT(DISTINCT s.object_id), COALESCE(SUM(s.byte_size), 0) FROM task a"
                                    + " JOIN tm_task t ON t.task_id = a.id JOIN tm_segment s ON s.task_key = t.task_key"
                                    + " WHERE a.workspace_id = :w")
                    .bind("w", workspaceId)
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .one();
            return new Usage(tasks, messages, content[0], content[1]);
        });
    }

    /**
     * Bytes the metadata database takes: SQLite's main file (pages times page size; the WAL is
     * left out, it is folded back at checkpoints), or on PostgreSQL the tables of the current
     * schema with their indexes and TOAST (a schema is what one Strata owns; the database may hold others).
     */
    long metadataBytes() {
        String sql = switch (database.dialect()) {
            case SQLITE -> "SELECT p.page_count * s.page_size FROM pragma_page_count() p, pragma_page_size() s";
            case POSTGRESQL ->
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')";
        };
        return database.read(
                "stats metadata bytes",
                h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    /** The newest live segments, to estimate the compression ratio from their headers. */
    List<SegmentSample> newestSegments(int limit) {
        return database.read(
                "stats newest segments",
                h -> h.createQuery(
                                "SELECT t.task_id, s.object_kind, s.object_id, s.frame_offset, s.byte_size FROM tm_segment s"
                                        + " JOIN tm_task t ON t.task_key = s.task_key ORDER BY s.created_at DESC LIMIT :limit")
                        .bind("limit", limit)
                        .map((rs, ctx) -> new SegmentSample(
                                rs.getString(1),
                                ObjectKind.ofColumn(rs.getInt(2)),
                                rs.getLong(3),
                                rs.getLong(4),
                                rs.getInt(5)))
                        .list());
    }
}
