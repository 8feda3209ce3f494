package dev.strata.server.migrate;

import dev.strata.tier.metadata.jdbc.Database;
import java.util.Optional;

/** Checkpoints of imports, one row per legacy source, in Strata's own database. Thread-safe. */
final class MigrationProgress {
    /** A source's saved progress. */
    record State(
            Optional<String> lastTaskId,
            boolean bulkDone,
            Optional<String> highWater,
            long rowsImported,
            boolean verified) {
        static final State NONE = new State(Optional.empty(), false, Optional.empty(), 0, false);
    }

    private final Database database;

    MigrationProgress(Database database) {
        this.database = database;
    }

    State load(String source) {
        return database.read(
                "migration progress load for " + source,
                h -> h.createQuery(
                                "SELECT last_task_id, bulk_done, high_water, rows_imported, verified_at FROM migration_progress WHERE source = :s")
                        .bind("s", source)
                        .map((rs, ctx) -> new State(
                                // Runs before 2026-11-29 saved "" for "no task done yet"; no task id is empty.
                                Optional.ofNullable(rs.getString(1)).filter(id -> !id.isEmpty()),
                                rs.getInt(2) != 0,
                                Optional.ofNullable(rs.getString(3)),
                                rs.getLong(4),
                                rs.getObject(5) != null))
                        .findOne()
                        .orElse(State.NONE));
    }

    void save(String source, State state) {
        database.write(
                "migration progress save for " + source,
                h -> h.createUpdate(
                                "INSERT INTO migration_progress (source, last_task_id, bulk_done, high_water, rows_imported, verified_at, updated_at)"
                                        + " VALUES (:s, :last, :done, :hw, :rows, NULL, :at) ON CONFLICT (source) DO UPDATE SET last_task_id = excluded.last_task_id,"
                                        + " bulk_done = excluded.bulk_done, high_water = excluded.high_water, rows_imported = excluded.rows_imported,"
                                        + " verified_at = NULL, updated_at = excluded.updated_at")
                        .bind("s", source)
                        .bind("last", state.lastTaskId().orElse(null))
                        .bind("done", state.bulkDone() ? 1 : 0)
                        .bind("hw", state.highWater().orElse(null))
                        .bind("rows", state.rowsImported())
                        .bind("at", System.currentTimeMillis())
                        .execute());
    }

    void markVerified(String source) {
        database.write(
                "migration progress markVerified for " + source,
                h -> h.createUpdate(
                                "INSERT INTO migration_progress (source, bulk_done, rows_imported, verified_at, updated_at) VALUES (:s, 0, 0, :at, :at)"
                                        + " ON CONFLICT (source) DO UPDATE SET verified_at = excluded.verified_at, updated_at = excluded.updated_at")
                        .bind("s", source)
                        .bind("at", System.currentTimeMillis())
                        .execute());
    }
}
