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
