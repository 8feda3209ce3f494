-- One row per periodic job (compaction, deletion, orphan-collection, retention): the instance
-- that runs its passes until expires_at (epoch milliseconds). Taken and renewed with conditional
-- writes, so at most one instance holds a job's lease at a time; see DatabaseJobLease.
CREATE TABLE job_lease (
    job        TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
