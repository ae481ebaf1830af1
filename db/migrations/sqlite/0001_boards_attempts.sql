-- 0001: boards, production attempts and their steps.
-- Times are UTC ISO 8601 with milliseconds ("2026-11-24T16:31:34.123Z").
CREATE TABLE boards (
	uid TEXT PRIMARY KEY,          -- the chip's 96-bit unique ID, 24 hex digits
	serial TEXT UNIQUE,            -- serial text burned on its last pass
	part TEXT,
	first_seen TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	last_result TEXT CHECK (last_result IN ('pass', 'fail', 'aborted'))
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
