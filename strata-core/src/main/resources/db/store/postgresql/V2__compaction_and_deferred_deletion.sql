-- Segments each task currently references, so compaction candidates are found without scanning
-- tm_segment; and a time before which a queued deletion must not run (readers that located an
-- object just before compaction replaced it can still fetch it).
ALTER TABLE tm_task ADD COLUMN live_segments BIGINT NOT NULL DEFAULT 0;
UPDATE tm_task SET live_segments = (SELECT COUNT(*) FROM tm_segment s WHERE s.task_key = tm_task.task_key);
CREATE INDEX tm_task_live_segments ON tm_task (live_segments);
ALTER TABLE tm_deletion ADD COLUMN not_before BIGINT NOT NULL DEFAULT 0;

