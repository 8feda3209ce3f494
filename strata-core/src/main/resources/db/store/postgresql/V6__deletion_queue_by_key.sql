-- The deletion queue looked up by object key: a task's queued objects (its key prefix) when it is
-- deleted, and shared or orphaned objects before orphan collection claims them. Without an index
-- each lookup scanned the whole queue, which grows while the content tier is unreachable and
-- after a retention pass deletes many tasks at once.
CREATE INDEX tm_deletion_object_key ON tm_deletion (object_key);
