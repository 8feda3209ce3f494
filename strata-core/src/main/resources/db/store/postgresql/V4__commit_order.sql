-- Same as the SQLite migration; see there for the reasoning.
ALTER TABLE tm_message ADD COLUMN commit_no INTEGER NOT NULL DEFAULT 0;
