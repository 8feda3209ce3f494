-- Progress of imports from legacy single-table databases, one row per source: where the bulk
-- import stopped (task id order), the high-water mark for delta syncs, and the last passing verify.
CREATE TABLE migration_progress (
    source        TEXT PRIMARY KEY,
    last_task_id  TEXT,
    bulk_done     INTEGER NOT NULL DEFAULT 0,
    high_water    TEXT,
    rows_imported BIGINT  NOT NULL DEFAULT 0,
    verified_at   BIGINT,
    updated_at    BIGINT  NOT NULL
);
