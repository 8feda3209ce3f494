-- Per-workspace retention: NULL follows STRATA_RETENTION, 'off' keeps everything, else a
-- duration such as '30d' after which inactive tasks are deleted.
ALTER TABLE workspace ADD COLUMN retention TEXT;
