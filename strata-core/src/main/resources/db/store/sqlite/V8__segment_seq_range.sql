-- The lowest and highest seq of the messages each segment holds, written with the segment. The
-- consolidation of an open task builds its new object's index from them, instead of reading the
-- location of every message of the task at each consolidation (quadratic over a long task's life).
-- NULL on rows written before this version: consolidation reads their messages' seqs, once.
ALTER TABLE tm_segment ADD COLUMN first_seq INTEGER;
ALTER TABLE tm_segment ADD COLUMN last_seq INTEGER;
