-- 0006: a board that already passed with the same profile and image is not
-- programmed again when it shows up in a slot: only the sighting is
-- recorded (which pass it refers to, where and when it was seen).
-- Programming it again is an explicit choice (gang run --rework), and such
-- an attempt is marked as a rework.
ALTER TABLE attempts ADD COLUMN rework INTEGER NOT NULL DEFAULT 0 CHECK (rework IN (0, 1));

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
CREATE INDEX sightings_by_uid ON sightings(uid, seen_at);
