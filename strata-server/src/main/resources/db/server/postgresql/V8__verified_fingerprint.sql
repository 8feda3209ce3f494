-- The source as a passing verify found it when it started (its row count and high-water mark):
-- finalize refuses once the legacy database no longer matches.
ALTER TABLE migration_progress ADD COLUMN verified_rows BIGINT;
ALTER TABLE migration_progress ADD COLUMN verified_mark TEXT;
