-- 0002: serial-number pools and the serials bound to board UIDs.
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
