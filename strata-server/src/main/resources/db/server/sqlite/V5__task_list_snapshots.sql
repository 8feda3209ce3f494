-- The ordered task ids of a task list longer than one page (GET /api/tasks), taken when its first
-- page is read, so a client paging on sees every task once even while appends reorder the live
-- list; later pages read their slice of it. One row per listing, with the workspace and filter it
-- was made for; rows live an hour and expired ones are deleted whenever a new one is made.
CREATE TABLE task_list_snapshot (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    filter       TEXT    NOT NULL,
    task_ids     TEXT    NOT NULL,
    task_count   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX task_list_snapshot_expires ON task_list_snapshot (expires_at);

-- Conversations are listed newest first per workspace (GET /api/conversations), keyset paged.
CREATE INDEX conversation_workspace_created ON conversation (workspace_id, created_at, id);
