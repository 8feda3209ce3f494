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
            Optional<Verifier.Fingerprint> verified) {
        static final State NONE = new State(Optional.empty(), false, Optional.empty(), 0, Optional.empty());
    }

    private final Database database;

    MigrationProgress(Database database) {
        this.database = database;
    }

    State load(String source) {
        return database.read(
                "migration progress load for " + source,
                h -> h.createQuery(
                                "SELECT last_task_id, bulk_done, high_water, rows_imported, verified_at, verified_rows,"
                                        + " verified_mark FROM migration_progress WHERE source = :s")
                        .bind("s", source)
                        .map((rs, ctx) -> new State(
                                // Runs before 2026-11-29 saved "" for "no task done yet"; no task id is empty.
                                Optional.ofNullable(rs.getString(1)).filter(id -> !id.isEmpty()),
                                rs.getInt(2) != 0,
                                Optional.ofNullable(rs.getString(3)),
                                rs.getLong(4),
                                // A verify recorded before V8 has no fingerprint: it no longer counts.
                                rs.getObject(5) == null || rs.getObject(6) == null || rs.getString(7) == null
                                        ? Optional.empty()
                                        : Optional.of(new Verifier.Fingerprint(rs.getLong(6), rs.getString(7)))))
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

    /** Records a passing verify of the source as it was when the verify started. */
    void markVerified(String source, Verifier.Fingerprint fingerprint) {
        database.write(
                "migration progress markVerified for " + source,
                h -> h.createUpdate(
                                "INSERT INTO migration_progress (source, bulk_done, rows_imported, verified_at, verified_rows,"
                                        + " verified_mark, updated_at) VALUES (:s, 0, 0, :at, :rows, :mark, :at)"
                                        + " ON CONFLICT (source) DO UPDATE SET verified_at = excluded.verified_at,"
                                        + " verified_rows = excluded.verified_rows, verified_mark = excluded.verified_mark,"
                                        + " updated_at = excluded.updated_at")
                        .bind("s", source)
                        .bind("at", System.currentTimeMillis())
                        .bind("rows", fingerprint.rows())
                        .bind("mark", fingerprint.highWater())
                        .execute());
    }
}
