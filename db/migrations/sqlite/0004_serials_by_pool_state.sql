-- 0004: serial counts per pool and state for reports. An unfiltered report
-- counts reserved/burned/void serials of each pool through this index
-- (index-only, about 70 ms for 1,000,000 serials) instead of scanning the
-- serials table (about 500 ms); measured by tools/bench/report-bench.c.
CREATE INDEX serials_by_pool_state ON serials(pool, state);
