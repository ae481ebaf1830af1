-- schema.sql — the whole current gang traceability schema, for people.
-- It must equal the result of applying db/migrations/sqlite/*.sql in order
-- (tests/db/test_migrate.c checks it). Change the schema by adding a new
-- migration, then update this file to match.
--
-- Times are UTC ISO 8601 with milliseconds ("2026-11-24T16:31:34.123Z").

-- A serial text is unique within its pool: two products may both count from 1.
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

CREATE TABLE attempts (
	id INTEGER PRIMARY KEY,
	uid TEXT REFERENCES boards(uid), -- NULL until the board is identified
	slot TEXT NOT NULL,
	probe_serial TEXT,
	batch TEXT,
	profile_name TEXT NOT NULL,
	profile_sha256 TEXT,
	image_sha256 TEXT,
	operator TEXT,
	station TEXT,
	connect_mode TEXT,             -- normal | under-reset
	part TEXT,
	-- RDP level found before any change: 0, 1, 2, or 0.5 (L5/U5 with TrustZone at level 0.5), NULL
	-- unread. INTEGER affinity keeps 0.5 as a REAL (sqlite.org/datatype3.html §3), so it needs no
	-- migration; PostgreSQL's column is double precision since its migration 0010.
	rdp_before INTEGER,
	option_bytes TEXT,             -- option bytes as read, hex
	serial_pool TEXT,
	serial_value INTEGER,
	serial_text TEXT,
	started_at TEXT NOT NULL,
	finished_at TEXT,              -- NULL while the attempt is open
	result TEXT CHECK (result IN ('pass', 'fail', 'aborted')),
	error_class TEXT,
	error_message TEXT,
	run_id INTEGER,                -- the gang run owning it while open (lock byte in "<db>-runs")
	rework INTEGER NOT NULL DEFAULT 0 CHECK (rework IN (0, 1)), -- programmed again after a pass (--rework)
	seq INTEGER CHECK (seq > 0),   -- number at its station: (station, seq) is the attempt's key
	CHECK ((finished_at IS NULL) = (result IS NULL))
);

CREATE TABLE steps (
	id INTEGER PRIMARY KEY,
	attempt_id INTEGER NOT NULL REFERENCES attempts(id),
	step TEXT NOT NULL,
	result TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'skip')),
	duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
	detail TEXT,
	at TEXT NOT NULL
);

-- A serial row is never deleted and a void serial stays void, so every
-- value ever handed out stays auditable and is never reused.
CREATE TABLE serial_pools (
	name TEXT PRIMARY KEY,
	start INTEGER NOT NULL CHECK (start >= 0),
	"end" INTEGER NOT NULL CHECK ("end" >= start),
	next INTEGER NOT NULL,
	format TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	CHECK (next BETWEEN start AND "end" + 1)
);

CREATE TABLE serials (
	pool TEXT NOT NULL REFERENCES serial_pools(name),
	value INTEGER NOT NULL,
	uid TEXT NOT NULL REFERENCES boards(uid),
	state TEXT NOT NULL CHECK (state IN ('reserved', 'burned', 'void')),
	attempt_id INTEGER REFERENCES attempts(id),
	reserved_at TEXT NOT NULL,
	burned_at TEXT,
	voided_at TEXT,
	reason TEXT,
	PRIMARY KEY (pool, value)
);

-- One live (non-void) serial per UID and pool: same board, same serial.
CREATE UNIQUE INDEX serials_pool_uid_live ON serials(pool, uid) WHERE state <> 'void';

CREATE TRIGGER serials_no_delete BEFORE DELETE ON serials
BEGIN
	SELECT RAISE(ABORT, 'serials are never deleted (void them instead)');
END;

CREATE TRIGGER serials_void_is_final BEFORE UPDATE OF state ON serials
WHEN OLD.state = 'void' AND NEW.state <> 'void'
BEGIN
	SELECT RAISE(ABORT, 'a void serial stays void');
END;

CREATE TRIGGER serial_pools_range_fixed BEFORE UPDATE OF start, "end" ON serial_pools
WHEN OLD.start <> NEW.start OR OLD."end" <> NEW."end"
BEGIN
	SELECT RAISE(ABORT, 'a serial pool range never changes');
END;


-- A board that had passed with the same profile and image, seen again in a
-- slot and not programmed again (gang run without --rework).
CREATE TABLE sightings (
	id INTEGER PRIMARY KEY,
	uid TEXT NOT NULL REFERENCES boards(uid),
	pass_attempt_id INTEGER NOT NULL REFERENCES attempts(id),
	slot TEXT NOT NULL,
	probe_serial TEXT,
	batch TEXT,
	operator TEXT,
	station TEXT,
	seen_at TEXT NOT NULL
);

CREATE TABLE slot_map (
	label TEXT PRIMARY KEY,
	probe_serial TEXT NOT NULL,
	usb_path TEXT NOT NULL DEFAULT '', -- '' matches any port (slot file without a path)
	source TEXT NOT NULL CHECK (source IN ('auto', 'file')),
	created_at TEXT NOT NULL,
	UNIQUE (probe_serial, usb_path)
);

CREATE TABLE probes (
	serial TEXT NOT NULL,
	usb_path TEXT NOT NULL,
	model TEXT,
	firmware TEXT,
	slot TEXT NOT NULL,
	first_seen TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	PRIMARY KEY (serial, usb_path)
);

CREATE INDEX attempts_by_batch ON attempts(batch, started_at);
CREATE INDEX attempts_by_started ON attempts(started_at);
CREATE INDEX attempts_by_uid ON attempts(uid, started_at);
CREATE INDEX attempts_open ON attempts(id) WHERE finished_at IS NULL;
CREATE UNIQUE INDEX attempts_by_key ON attempts(ifnull(station, ''), seq);
CREATE INDEX steps_by_attempt ON steps(attempt_id);
CREATE INDEX serials_by_uid ON serials(uid);
CREATE INDEX serials_by_pool_state ON serials(pool, state);
CREATE INDEX sightings_by_uid ON sightings(uid, seen_at);

-- 0009: data pools (MAC ranges and lists of supplier values) and the values
-- bound to board UIDs, with the life of a serial: reserved -> burned, or
-- void (engineer action, final); never deleted, never reused.
-- data_values is the ONLY table that holds a list value itself (secret ones
-- too): attempts, steps, logs and reports carry a value's index and SHA-256.
CREATE TABLE data_pools (
	name TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('mac', 'list')),
	secret INTEGER NOT NULL DEFAULT 0 CHECK (secret IN (0, 1)),
	first INTEGER NOT NULL DEFAULT 0,        -- mac: the range's first address as a 48-bit number
	size INTEGER NOT NULL CHECK (size >= 0), -- how many values the pool holds
	next INTEGER NOT NULL DEFAULT 0,         -- index of the next value to hand out
	created_at TEXT NOT NULL,
	CHECK (next BETWEEN 0 AND size)
);

CREATE TABLE data_values (
	pool TEXT NOT NULL REFERENCES data_pools(name),
	idx INTEGER NOT NULL,
	value TEXT NOT NULL,   -- the bytes to program, hex
	sha256 TEXT NOT NULL,  -- of those bytes
	PRIMARY KEY (pool, idx),
	UNIQUE (pool, value)
);

CREATE TABLE data_allocs (
	pool TEXT NOT NULL REFERENCES data_pools(name),
	idx INTEGER NOT NULL,
	uid TEXT NOT NULL REFERENCES boards(uid),
	state TEXT NOT NULL CHECK (state IN ('reserved', 'burned', 'void')),
	attempt_id INTEGER REFERENCES attempts(id),
	reserved_at TEXT NOT NULL,
	burned_at TEXT,
	voided_at TEXT,
	reason TEXT,
	PRIMARY KEY (pool, idx)
);

-- One live (non-void) value per UID and pool: same board, same value.
CREATE UNIQUE INDEX data_allocs_pool_uid_live ON data_allocs(pool, uid) WHERE state <> 'void';
CREATE INDEX data_allocs_by_uid ON data_allocs(uid);

CREATE TRIGGER data_allocs_no_delete BEFORE DELETE ON data_allocs
BEGIN
	SELECT RAISE(ABORT, 'data values are never deleted (void them instead)');
END;

CREATE TRIGGER data_allocs_void_is_final BEFORE UPDATE OF state ON data_allocs
WHEN OLD.state = 'void' AND NEW.state <> 'void'
BEGIN
	SELECT RAISE(ABORT, 'a void data value stays void');
END;

CREATE TRIGGER data_values_no_delete BEFORE DELETE ON data_values
BEGIN
	SELECT RAISE(ABORT, 'imported data values are never deleted');
END;

-- 0010: scanned labels (profile scan = { ... }): the text of a board's
-- printed barcode or DataMatrix, bound to its UID. A text names one board
-- only (PRIMARY KEY); a label is never unbound, so trace finds it later.
CREATE TABLE scans (
	text TEXT PRIMARY KEY,
	uid TEXT NOT NULL REFERENCES boards(uid),
	attempt_id INTEGER REFERENCES attempts(id),
	scanned_at TEXT NOT NULL
);

CREATE INDEX scans_by_uid ON scans(uid);

CREATE TRIGGER scans_no_delete BEFORE DELETE ON scans
BEGIN
	SELECT RAISE(ABORT, 'scanned labels are never unbound');
END;

-- 0011: data values per pool and state for reports, as 0004 for serials. An
-- unfiltered report counts each data pool's values by state; without this
-- index SQLite walked the (pool, idx) key and read every value's row for its
-- state (0.47 s CPU for 934,413 values), with it each state's count is
-- index-only (0.09 s). Measured on tools/bench/report-bench.c's database
-- with a MAC on every board (docs/benchmarks.md).
CREATE INDEX data_allocs_by_pool_state ON data_allocs(pool, state);

PRAGMA user_version = 11;
