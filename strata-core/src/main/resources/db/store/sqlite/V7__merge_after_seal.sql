-- A task whose frames compaction moved while it was open (copied as appended, a small frame per
-- append, into an object of its own) is merged into large frames once sealed. The flag keeps such
-- a task a compaction candidate until that merge is done, so a restart or a failed compaction
-- between the seal and the merge never leaves it unmerged.
ALTER TABLE tm_task ADD COLUMN merge_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tm_task_merge_pending ON tm_task (task_id) WHERE merge_pending = 1 AND sealed = 1;
