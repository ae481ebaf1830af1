-- 0003: probes, the slot map (probe serial + USB path -> stable label) and
-- the indexes that reports need.
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
CREATE INDEX steps_by_attempt ON steps(attempt_id);
CREATE INDEX serials_by_uid ON serials(uid);
