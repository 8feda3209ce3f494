-- Task keys come from an identity sequence, which never hands out a value twice (even after
-- deletes or rolled-back transactions), so unlike SQLite nothing needs rebuilding here.

-- Which names (types and tools) each task uses; see the SQLite migration.
CREATE TABLE tm_task_name (
    task_key BIGINT  NOT NULL,
    name_id  INTEGER NOT NULL,
    PRIMARY KEY (task_key, name_id)
);
CREATE INDEX tm_task_name_by_name ON tm_task_name (name_id);
INSERT INTO tm_task_name (task_key, name_id)
    SELECT m.task_key, m.type_id FROM tm_message m JOIN tm_task t ON t.task_key = m.task_key WHERE m.type_id <> 0
    UNION
    SELECT m.task_key, m.tool_id FROM tm_message m JOIN tm_task t ON t.task_key = m.task_key WHERE m.tool_id <> 0;
DELETE FROM tm_name WHERE NOT EXISTS (SELECT 1 FROM tm_task_name u WHERE u.name_id = tm_name.name_id);
