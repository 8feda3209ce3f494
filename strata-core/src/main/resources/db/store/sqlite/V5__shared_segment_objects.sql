-- Segment rows describe frames: a frame lives at frame_offset in its object, and object_kind says
-- which object: 0 a one-frame object of the task (key tasks/<task>/<object id>.seg, written
-- before this migration), 1 a shared write-ahead object one flush wrote for many tasks (key
-- shared/<object id>.seg), 2 an object of the task that consolidation wrote as several frames
-- with an index (key tasks/<task>/<object id>.seg). Rows written before describe whole one-frame
-- objects: offset 0, kind 0.
ALTER TABLE tm_segment ADD COLUMN frame_offset INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tm_segment ADD COLUMN object_kind INTEGER NOT NULL DEFAULT 0;
-- Frames still in shared objects, oldest first, for the consolidation sweep; as small as that backlog.
CREATE INDEX tm_segment_shared_by_age ON tm_segment (created_at) WHERE object_kind = 1;

-- Per task: live frames in shared objects, and live segments not yet consolidated (shared frames
-- and one-frame objects), so compaction candidates are found without scanning tm_segment and a
-- task whose frames are all consolidated is never picked again.
ALTER TABLE tm_task ADD COLUMN shared_frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tm_task ADD COLUMN loose_segments INTEGER NOT NULL DEFAULT 0;
UPDATE tm_task SET loose_segments = live_segments;
CREATE INDEX tm_task_loose_segments ON tm_task (loose_segments);

-- Objects that hold several frames (kinds 1 and 2): how many of their frames segment rows still
-- reference. Replacing or deleting rows decrements it in the same transaction, and the object is
-- queued for deletion when it reaches zero (and its row removed). An object of kind 0 has no row
-- here: its one frame going queues it directly, as before.
CREATE TABLE tm_object (
    object_id   INTEGER NOT NULL PRIMARY KEY,
    object_kind INTEGER NOT NULL,
    live_frames INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
-- The oldest shared object, for fsck's check of the deletion bound.
CREATE INDEX tm_object_kind_age ON tm_object (object_kind, created_at);
