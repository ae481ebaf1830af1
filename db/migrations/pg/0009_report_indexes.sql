-- 0009: indexes for `gang report` (src/db/pg/pg_report.c), from EXPLAIN
-- (ANALYZE, BUFFERS) of its statements on 1,000,000 attempts (build/pg-bench,
-- docs/benchmarks.md). The report compares times bytewise (COLLATE "C", as
-- the SQLite backend's BINARY), and an index of the database's default
-- collation cannot serve such a comparison (PostgreSQL 15 manual 11.11
-- "Indexes and Collations"): attempts_by_started never served a --since or
-- --until window, which read every attempt. attempts_by_started_c does;
-- attempts_by_started had no other reader (every ORDER BY of started_at is
-- COLLATE "C" too) and goes, one index less to write per attempt. Made as
-- gang_engineer, which owns the schema (migration 2).
SET LOCAL ROLE gang_engineer;

DROP INDEX attempts_by_started;
CREATE INDEX attempts_by_started_c ON attempts (started_at COLLATE "C");

-- The serials and data values a report counts: with --batch those of the
-- batch's attempts (no index on attempt_id: every serial was read), with a
-- window those reserved inside it (bytewise again).
CREATE INDEX serials_by_attempt ON serials (attempt_id);
CREATE INDEX serials_by_reserved_c ON serials (reserved_at COLLATE "C");
CREATE INDEX data_allocs_by_attempt ON data_allocs (attempt_id);
CREATE INDEX data_allocs_by_reserved_c ON data_allocs (reserved_at COLLATE "C");
-- A data pool's values by state, as serials_by_pool_state (SQLite migration 0011).
CREATE INDEX data_allocs_by_pool_state ON data_allocs (pool, state);

-- A failed attempt's failing step (the first step whose result is 'fail'):
-- through steps_by_attempt the server read the attempt's four steps, dropped
-- three and sorted the one left, 68,000 times for a whole history; this
-- index holds failed steps only, in order, so it is one probe of a small index.
CREATE INDEX steps_failed ON steps (attempt_id, id) WHERE result = 'fail';
