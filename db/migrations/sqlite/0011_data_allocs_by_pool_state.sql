-- 0011: data values per pool and state for reports, as 0004 for serials. An
-- unfiltered report counts each data pool's values by state; without this
-- index SQLite walked the (pool, idx) key and read every value's row for its
-- state (0.47 s CPU for 934,413 values), with it each state's count is
-- index-only (0.09 s). Measured on tools/bench/report-bench.c's database
-- with a MAC on every board (docs/benchmarks.md).
CREATE INDEX data_allocs_by_pool_state ON data_allocs(pool, state);
