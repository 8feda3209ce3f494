-- The server's own tables: who may act where, and the tasks and conversations messages belong to.
CREATE TABLE workspace (
    id         TEXT PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE app_user (
    id         TEXT PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE membership (
    workspace_id TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    role         TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

-- Tokens are stored as SHA-256 hashes only; the token itself is shown once at creation.
CREATE TABLE access_token (
    token_hash   TEXT PRIMARY KEY,
    kind         TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    workspace_id TEXT,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);

CREATE TABLE conversation (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX conversation_workspace ON conversation (workspace_id);

CREATE TABLE task (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT    NOT NULL,
    conversation_id TEXT,
    status          TEXT    NOT NULL,
    prompt          TEXT    NOT NULL,
    result          TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX task_conversation ON task (conversation_id);
