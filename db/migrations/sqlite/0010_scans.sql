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
