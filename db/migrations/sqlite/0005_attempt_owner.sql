-- 0005: which gang run owns an open attempt. A run holds a write lock on
-- byte run_id of the file "<database>-runs" while it lives (fcntl record
-- lock: the kernel drops it when the process dies, even on kill -9), so a
-- starting run closes as aborted only the open attempts of runs that are
-- gone, never those of another gang running on the same database.
-- NULL for attempts recorded before this migration.
ALTER TABLE attempts ADD COLUMN run_id INTEGER;
