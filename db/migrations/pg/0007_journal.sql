-- 0007: delivery of stations' journals (issue 14; src/db/journal.h). A
-- station writes every attempt record to its local journal first, keyed
-- (station, seq), and delivers the records in order; each delivery is one
-- transaction that first inserts its key here (ON CONFLICT DO NOTHING), so
-- a record whose delivery was cut after COMMIT (kill -9, a lost
-- connection) and is delivered again changes nothing the second time. A
-- record the central database refused is kept here with the refusal.
-- History: never updated, never deleted. Made as gang_engineer, which
-- owns the schema (migration 2).
SET LOCAL ROLE gang_engineer;

CREATE TABLE journal_deliveries (
	station text NOT NULL,
	seq bigint NOT NULL CHECK (seq > 0),
	kind bigint NOT NULL,
	recorded_at text NOT NULL,
	delivered_at text NOT NULL,
	refusal text,
	PRIMARY KEY (station, seq)
);

CREATE TRIGGER journal_deliveries_no_delete BEFORE DELETE ON journal_deliveries
	FOR EACH ROW EXECUTE FUNCTION gang_refuse('journal deliveries are never deleted');
CREATE TRIGGER journal_deliveries_fixed BEFORE UPDATE ON journal_deliveries
	FOR EACH ROW EXECUTE FUNCTION gang_refuse('a journal delivery never changes');

-- a station delivers its records; nothing more
GRANT SELECT, INSERT ON journal_deliveries TO gang_station;
