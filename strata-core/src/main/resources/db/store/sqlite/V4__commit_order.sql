-- The commit each message arrived in: the task's segment number allocated by that commit. Unlike
-- segment_no it never changes (compaction re-points segment_no at the merged segment), so live
-- tails can resume "after commit N" in the task's commit order. Rows stored before this migration
-- are all in commit 0, in seq order. No index: a tail scans its task's rows by the primary key
-- (task_key, seq) prefix, which keeps metadata at its size (one small integer more per message).
ALTER TABLE tm_message ADD COLUMN commit_no INTEGER NOT NULL DEFAULT 0;
