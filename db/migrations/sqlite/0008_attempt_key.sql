-- 0008: attempts get a key that does not depend on SQLite: the station that
-- recorded them and their number at that station (seq), the
-- gang_attempt_key of src/db/db.h. Row ids stay inside the SQLite backend.
-- A station with no name is ''. New attempts take their station's highest
-- seq + 1. Attempts recorded before this migration keep their row id as
-- their number: it is unique within every station, and the numbers already
-- printed in logs and reports still name the same attempts.
ALTER TABLE attempts ADD COLUMN seq INTEGER CHECK (seq > 0);
UPDATE attempts SET seq = id;
CREATE UNIQUE INDEX attempts_by_key ON attempts(ifnull(station, ''), seq);
