-- Single-use tickets that let a browser's EventSource (which cannot send headers) open a live
-- tail. Only the SHA-256 of a ticket is stored; redeeming deletes the row, so a ticket works once
-- on any instance. owner_hash is the hash of the user token that asked for it (per-token limits).
CREATE TABLE stream_ticket (
    ticket_hash  TEXT   PRIMARY KEY,
    user_id      TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    owner_hash   TEXT   NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX stream_ticket_expires ON stream_ticket (expires_at);

-- The workspace activity stream looks for tasks changed recently in one workspace.
CREATE INDEX task_workspace_updated ON task (workspace_id, updated_at);
