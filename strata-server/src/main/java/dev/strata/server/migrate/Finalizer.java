package dev.strata.server.migrate;

import dev.strata.tier.metadata.jdbc.SqlDialect;
import java.nio.file.Path;

/**
 * Shrinks a legacy database once its content lives in Strata: rebuilds {@code task_message}
 * without {@code content}, {@code input} and {@code output}, keeping every metadata column and
 * both indexes, then reclaims the space.
 */
public final class Finalizer {
    /** Sizes before and after, in bytes. */
    public record Result(long bytesBefore, long bytesAfter) {}

    private Finalizer() {}

    public static Result run(String from) {
        try (LegacyDatabase legacy = new LegacyDatabase(from)) {
            long before = size(legacy, from);
            if (legacy.dialect() == SqlDialect.SQLITE) {
                // SQLite cannot drop columns cheaply: new table, copy, drop, rename, recreate both indexes.
                legacy.execute("BEGIN");
                legacy.execute(
                        "CREATE TABLE task_message_new (id TEXT PRIMARY KEY, task_id TEXT NOT NULL REFERENCES agent_task_queue(id)"
                                + " ON DELETE CASCADE, seq INTEGER NOT NULL, type TEXT NOT NULL DEFAULT '', tool TEXT NOT NULL DEFAULT '',"
                                + " call_id TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL DEFAULT (datetime('now')))");
                legacy.execute("INSERT INTO task_message_new (id, task_id, seq, type, tool, call_id, created_at)"
                        + " SELECT id, task_id, seq, type, tool, call_id, created_at FROM task_message");
                legacy.execute("DROP TABLE task_message");
                legacy.execute("ALTER TABLE task_message_new RENAME TO task_message");
                legacy.execute("CREATE INDEX IF NOT EXISTS idx_task_message_task_seq ON task_message(task_id, seq)");
                legacy.execute(
                        "CREATE INDEX IF NOT EXISTS idx_task_message_task_created ON task_message(task_id, created_at)");
                legacy.execute("COMMIT");
                legacy.execute("VACUUM");
            } else {
                legacy.execute(
                        "ALTER TABLE task_message DROP COLUMN IF EXISTS content, DROP COLUMN IF EXISTS input, DROP COLUMN IF EXISTS output");
                try {
                    legacy.connection().setAutoCommit(true);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
                legacy.execute("VACUUM FULL task_message");
            }
            return new Result(before, size(legacy, from));
        }
    }

    private static long size(LegacyDatabase legacy, String from) {
        if (legacy.dialect() == SqlDialect.SQLITE) {
            return Path.of(LegacyDatabase.sqliteFile(from)).toFile().length();
        }
        return legacy.query("SELECT pg_total_relation_size('task_message')", java.util.List.of(), rs -> rs.getLong(1))
                .get(0);
    }
}
