-- 0007: a board's serial text is unique within its pool, not across all
-- pools, so two products sharing one database may both count from 1
-- (README, "Database"). boards gains serial_pool and its
-- UNIQUE (serial) becomes UNIQUE (serial, serial_pool); serial leads so
-- `gang trace TEXT` keeps its index.
--
-- SQLite cannot change a UNIQUE constraint in place: the table is rebuilt
-- (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
-- Schema Changes"). It runs inside the migration's transaction with
-- foreign keys on, which cannot be switched off there, so they are deferred
-- instead (https://sqlite.org/foreignkeys.html, section 4.2 and section 5):
-- dropping boards counts the attempts and serials rows that reference it as
-- violations, and re-inserting every board into the new boards table
-- resolves each of them before COMMIT checks the count. boards has no index
-- of its own, no trigger and no view: the autoindexes come from the
-- constraints of the new definition.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE boards_0007 AS SELECT * FROM main.boards;

DROP TABLE main.boards;

CREATE TABLE boards (
	uid TEXT PRIMARY KEY,          -- the chip's 96-bit unique ID, 24 hex digits
	serial TEXT,                   -- serial text burned on its last pass
	serial_pool TEXT,              -- the pool that serial came from
	part TEXT,
	first_seen TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	last_result TEXT CHECK (last_result IN ('pass', 'fail', 'aborted')),
	UNIQUE (serial, serial_pool)
);

-- The pool of a serial burned before this migration: the one of the
-- board's last passing attempt that had a serial.
INSERT INTO main.boards (uid, serial, serial_pool, part, first_seen, last_seen, last_result)
SELECT b.uid, b.serial,
       CASE WHEN b.serial IS NULL THEN NULL ELSE
	       (SELECT a.serial_pool FROM main.attempts a WHERE a.uid = b.uid AND a.result = 'pass'
		AND a.serial_pool IS NOT NULL ORDER BY a.id DESC LIMIT 1) END,
       b.part, b.first_seen, b.last_seen, b.last_result
FROM boards_0007 b;

DROP TABLE boards_0007;
