-- 0010: attempts.rdp_before holds RDP level 0.5 as the number 0.5. An
-- STM32L5/U5 with TrustZone on may sit at level 0.5 (RDP byte 0x55 with
-- TZEN = 1, RM0438 §6.6.2, RM0456 §7.6.2); as bigint the column could only
-- say 0 for it, which is not the level the board was at.
--
-- Why double precision and not numeric(2,1): the column must read as the
-- level, the same on both backends. The SQLite column (INTEGER affinity)
-- already keeps 0.5 as a REAL, an IEEE double, and keeps 0, 1 and 2 as
-- integers, so its text is "0", "0.5", "1", "2" and it needs no migration.
-- double precision holds and prints exactly those ("0", "0.5": 0, 0.5, 1
-- and 2 are exact binary fractions, so WHERE rdp_before = 0.5 is an exact
-- comparison), where numeric(2,1) would print "0.0" and "1.0" to SQL users,
-- `gang trace` and its JSON, unlike SQLite. The CHECK keeps out any other
-- fraction bigint could not hold. The column keeps its privileges
-- (ALTER COLUMN TYPE changes the column in place: the station's UPDATE on
-- it, 0002_roles.sql, stays); no view, index or function of 0008 names it.
-- Rewrites attempts once (PostgreSQL 15 manual, ALTER TABLE): on a large
-- history run `gang db upgrade` when no station is writing. Made as
-- gang_engineer, which owns the schema (migration 2).
SET LOCAL ROLE gang_engineer;

ALTER TABLE attempts ALTER COLUMN rdp_before TYPE double precision USING rdp_before::double precision;
ALTER TABLE attempts ADD CONSTRAINT attempts_rdp_before_level CHECK (rdp_before IN (0, 0.5, 1, 2));
