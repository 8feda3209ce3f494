-- Metadata of the task-message store. Content lives in segment objects; these tables say which
-- messages exist and which segment holds each one. Kept small on purpose: integer keys, names
-- by dictionary id, clustered primary keys instead of extra indexes.
CREATE TABLE tm_task (
    task_key        INTEGER PRIMARY KEY,
    task_id         TEXT    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    sealed          INTEGER NOT NULL DEFAULT 0,
    message_count   INTEGER NOT NULL DEFAULT 0,
    last_message_at INTEGER,
    segment_count   INTEGER NOT NULL DEFAULT 0
);

-- Types and tool names, each stored once; id 0 is the empty string.
CREATE TABLE tm_name (
    name_id INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE
);

CREATE TABLE tm_segment (
    task_key      INTEGER NOT NULL,
    segment_no    INTEGER NOT NULL,
    object_id     INTEGER NOT NULL,
    byte_size     INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    checksum      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (task_key, segment_no)
) WITHOUT ROWID;

CREATE TABLE tm_message (
    task_key   INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    type_id    INTEGER NOT NULL,
    tool_id    INTEGER NOT NULL,
    call_id    TEXT,
    created_at INTEGER NOT NULL,
    segment_no INTEGER NOT NULL,
    PRIMARY KEY (task_key, seq)
) WITHOUT ROWID;

CREATE TABLE tm_type_count (
    task_key      INTEGER NOT NULL,
    type_id       INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    PRIMARY KEY (task_key, type_id)
) WITHOUT ROWID;

CREATE TABLE tm_deletion (
    deletion_id INTEGER PRIMARY KEY,
    object_key  TEXT    NOT NULL,
    enqueued_at INTEGER NOT NULL
);
