-- Same as the SQLite migration; see there for the reasoning.
ALTER TABLE tm_segment ADD COLUMN frame_offset BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tm_segment ADD COLUMN object_kind INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tm_segment_shared_by_age ON tm_segment (created_at) WHERE object_kind = 1;

ALTER TABLE tm_task ADD COLUMN shared_frames BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tm_task ADD COLUMN loose_segments BIGINT NOT NULL DEFAULT 0;
UPDATE tm_task SET loose_segments = live_segments;
CREATE INDEX tm_task_loose_segments ON tm_task (loose_segments);

CREATE TABLE tm_object (
    object_id   BIGINT  NOT NULL PRIMARY KEY,
    object_kind INTEGER NOT NULL,
    live_frames INTEGER NOT NULL,
    created_at  BIGINT  NOT NULL
);
-- The oldest shared object, for fsck's check of the deletion bound.
CREATE INDEX tm_object_kind_age ON tm_object (object_kind, created_at);
