-- 0002: least privilege (issue 14). Two group roles, cluster-wide:
--   gang_engineer  owns the schema: every table and function below is
--                  handed to it; the role that applies the migrations
--                  (`gang db upgrade`) becomes a member of it.
--   gang_station   what a programming station needs and no more: read
--                  everything; add boards, attempts, steps, serials,
--                  sightings, probes and slot labels; change only the
--                  columns an open attempt, a board's last result, a
--                  pool's next value, a serial's burn and a probe's last
--                  sighting need (column privileges, PostgreSQL 15 manual
--                  5.7 "Privileges"); never DELETE history, never UPDATE a
--                  finished attempt, never void a serial (the triggers
--                  below; engineers and superusers are exempt).
-- A station logs in as its own role, a member of gang_station
-- (docs/stations.md). Roles may exist already (made by the DBA, or by
-- another gang database on the same server): they are then reused.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gang_engineer') THEN
		CREATE ROLE gang_engineer NOLOGIN;
	END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- made meanwhile by another database's migration
END $$;

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gang_station') THEN
		CREATE ROLE gang_station NOLOGIN;
	END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
	IF NOT pg_has_role(current_user, 'gang_engineer', 'MEMBER') THEN
		EXECUTE format('GRANT gang_engineer TO %I', current_user);
	END IF;
END $$;

GRANT USAGE, CREATE ON SCHEMA public TO gang_engineer;

-- A station's role may change an open attempt only, and a serial only to
-- burned (engineers and superusers are exempt).
CREATE FUNCTION gang_attempt_guard() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
	IF OLD.finished_at IS NOT NULL AND NOT pg_has_role('gang_engineer', 'MEMBER') THEN
		RAISE EXCEPTION 'a finished attempt is history: role % may not change it', current_user
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;

CREATE FUNCTION gang_serial_guard() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
	IF NEW.state <> OLD.state AND NEW.state <> 'burned' AND NOT pg_has_role('gang_engineer', 'MEMBER') THEN
		RAISE EXCEPTION 'role % may only burn serials (voiding is the engineer''s)', current_user
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER attempts_history_guard BEFORE UPDATE ON attempts
	FOR EACH ROW EXECUTE FUNCTION gang_attempt_guard();
CREATE TRIGGER serials_history_guard BEFORE UPDATE ON serials
	FOR EACH ROW EXECUTE FUNCTION gang_serial_guard();

ALTER TABLE schema_version OWNER TO gang_engineer;
ALTER TABLE boards OWNER TO gang_engineer;
ALTER TABLE attempts OWNER TO gang_engineer;
ALTER TABLE steps OWNER TO gang_engineer;
ALTER TABLE serial_pools OWNER TO gang_engineer;
ALTER TABLE serials OWNER TO gang_engineer;
ALTER TABLE sightings OWNER TO gang_engineer;
ALTER TABLE slot_map OWNER TO gang_engineer;
ALTER TABLE probes OWNER TO gang_engineer;
ALTER FUNCTION gang_now() OWNER TO gang_engineer;
ALTER FUNCTION gang_refuse() OWNER TO gang_engineer;
ALTER FUNCTION gang_attempt_guard() OWNER TO gang_engineer;
ALTER FUNCTION gang_serial_guard() OWNER TO gang_engineer;

GRANT USAGE ON SCHEMA public TO gang_station;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO gang_station;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO gang_station;
GRANT INSERT ON boards, attempts, steps, serial_pools, serials, sightings, probes, slot_map TO gang_station;
GRANT UPDATE (part, last_seen, last_result, serial, serial_pool) ON boards TO gang_station;
GRANT UPDATE (uid, part, connect_mode, option_bytes, rdp_before, serial_text, serial_pool, serial_value,
	finished_at, result, error_class, error_message) ON attempts TO gang_station;
GRANT UPDATE (next) ON serial_pools TO gang_station;
GRANT UPDATE (state, burned_at) ON serials TO gang_station;
GRANT UPDATE (model, firmware, slot, last_seen) ON probes TO gang_station;
-- slot labels are the station's configuration (a --slots file replaces them), not history
GRANT DELETE ON slot_map TO gang_station;
