-- Tokens get an id (what operators list, revoke and see in logs; never the secret), an optional
-- expiry and the time they were last used (written at most once a minute per token and instance).
-- Tokens issued before get the id a new token would get: 'tok_' and the first 16 hex digits of
-- the SHA-256 Strata already stores.
ALTER TABLE access_token ADD COLUMN id TEXT;
ALTER TABLE access_token ADD COLUMN expires_at INTEGER;
ALTER TABLE access_token ADD COLUMN last_used_at INTEGER;
UPDATE access_token SET id = 'tok_' || substr(token_hash, 1, 16);
CREATE UNIQUE INDEX access_token_id ON access_token (id);
CREATE INDEX access_token_user ON access_token (user_id);
