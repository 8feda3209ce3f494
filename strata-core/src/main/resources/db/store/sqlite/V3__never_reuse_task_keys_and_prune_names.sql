-- Task keys are never handed out twice. Without AUTOINCREMENT, SQLite gives a new row the
-- highest deleted key again, so an append still in flight for a deleted task could commit into
-- the next task created. SQLite cannot add AUTOINCREMENT to a table: rebuild it, keeping every row.
CREATE TABLE tm_task_v3 (
    task_key        INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id         TEXT    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    sealed          INTEGER NOT NULL DEFAULT 0,
    message_count   INTEGER NOT NULL DEFAULT 0,
    last_message_at INTEGER,
    segment_count   INTEGER NOT NULL DEFAULT 0,
    live_segments   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tm_task_v3 (task_key, task_id, created_at, sealed, message_count, last_message_at, segment_count, live_segments)
    SELECT task_key, task_id, created_at, sealed, message_count, last_message_at, segment_count, live_segments FROM tm_task;
DROP TABLE tm_task;
ALTER TABLE tm_task_v3 RENAME TO tm_task;
CREATE INDEX tm_task_live_segments ON tm_task (live_segments);

-- Nor any key that rows of other tables still carry (a delete that raced a commit could leave some).
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'tm_task', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tm_task');
UPDATE sqlite_sequence SET seq = MAX(seq,
        (SELECT COALESCE(MAX(task_key), 0) FROM tm_task),
        (SELECT COALESCE(MAX(task_key), 0) FROM tm_message),
        (SELECT COALESCE(MAX(task_key), 0) FROM tm_segment),
        (SELECT COALESCE(MAX(task_key), 0) FROM tm_type_count))
    WHERE name = 'tm_task';

-- Which names (types and tools) each task uses, so a name no task uses any more is pruned and
-- the dictionary stays proportional to live data. Indexed by name for that check.
CREATE TABLE tm_task_name (
    task_key INTEGER NOT NULL,
    name_id  INTEGER NOT NULL,
    PRIMARY KEY (task_key, name_id)
) WITHOUT ROWID;
CREATE INDEX tm_task_name_by_name ON tm_task_name (name_id);
INSERT INTO tm_task_name (task_key, name_id)
    SELECT m.task_key, m.type_id FROM tm_message m JOIN tm_task t ON t.task_key = m.task_key WHERE m.type_id <> 0
    UNION
    SELECT m.task_key, m.tool_id FROM tm_message m JOIN tm_task t ON t.task_key = m.task_key WHERE m.tool_id <> 0;
DELETE FROM tm_name WHERE NOT EXISTS (SELECT 1 FROM tm_task_name u WHERE u.name_id = tm_name.name_id);
