-- 0006: scanned labels, equal to the SQLite migration 0010: the text of a
-- board's printed barcode bound to its UID; one board per text, never unbound.
CREATE TABLE scans (
	text text PRIMARY KEY,
	uid text NOT NULL REFERENCES boards(uid),
	attempt_id bigint REFERENCES attempts(id),
	scanned_at text NOT NULL
);

CREATE INDEX scans_by_uid ON scans(uid);

CREATE TRIGGER scans_no_delete BEFORE DELETE ON scans
	FOR EACH ROW EXECUTE FUNCTION gang_refuse('scanned labels are never unbound');

-- A station binds labels; nothing else (0002_roles.sql).
ALTER TABLE scans OWNER TO gang_engineer;
GRANT SELECT, INSERT ON scans TO gang_station;
