-- 0005: data pools (MAC ranges and lists of supplier values) and the values
-- bound to board UIDs, equal to the SQLite migration 0009: the life of a
-- serial (reserved -> burned, or void, final; never deleted or reused).
-- data_values is the ONLY table that holds a list value itself (secret ones
-- too): attempts, steps, logs and reports carry a value's index and SHA-256.
CREATE TABLE data_pools (
	name text PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('mac', 'list')),
	secret bigint NOT NULL DEFAULT 0 CHECK (secret IN (0, 1)),
	first bigint NOT NULL DEFAULT 0,
	size bigint NOT NULL CHECK (size >= 0),
	next bigint NOT NULL DEFAULT 0,
	created_at text NOT NULL,
	CHECK (next BETWEEN 0 AND size)
);

CREATE TABLE data_values (
	pool text NOT NULL REFERENCES data_pools(name),
	idx bigint NOT NULL,
	value text NOT NULL,
	sha256 text NOT NULL,
	PRIMARY KEY (pool, idx),
	UNIQUE (pool, value)
);

CREATE TABLE data_allocs (
	pool text NOT NULL REFERENCES data_pools(name),
	idx bigint NOT NULL,
	uid text NOT NULL REFERENCES boards(uid),
	state text NOT NULL CHECK (state IN ('reserved', 'burned', 'void')),
	attempt_id bigint REFERENCES attempts(id),
	reserved_at text NOT NULL,
	burned_at text,
	voided_at text,
	reason text,
	PRIMARY KEY (pool, idx)
);

CREATE UNIQUE INDEX data_allocs_pool_uid_live ON data_allocs(pool, uid) WHERE state <> 'void';
CREATE INDEX data_allocs_by_uid ON data_allocs(uid);

CREATE TRIGGER data_allocs_no_delete BEFORE DELETE ON data_allocs
	FOR EACH ROW EXECUTE FUNCTION gang_refuse('data values are never deleted (void them instead)');
CREATE TRIGGER data_allocs_void_is_final BEFORE UPDATE OF state ON data_allocs
	FOR EACH ROW WHEN (OLD.state = 'void' AND NEW.state <> 'void')
	EXECUTE FUNCTION gang_refuse('a void data value stays void');
CREATE TRIGGER data_values_no_delete BEFORE DELETE ON data_values
	FOR EACH ROW EXECUTE FUNCTION gang_refuse('imported data values are never deleted');

-- Least privilege (0002_roles.sql): a station reads a list's values (to
-- program them), creates a mac pool on its first run, takes and burns
-- values; importing a list and voiding a value are the engineer's.
CREATE FUNCTION gang_data_guard() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
	IF NEW.state <> OLD.state AND NEW.state <> 'burned' AND NOT pg_has_role('gang_engineer', 'MEMBER') THEN
		RAISE EXCEPTION 'role % may only burn data values (voiding is the engineer''s)', current_user
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER data_allocs_history_guard BEFORE UPDATE ON data_allocs
	FOR EACH ROW EXECUTE FUNCTION gang_data_guard();

ALTER TABLE data_pools OWNER TO gang_engineer;
ALTER TABLE data_values OWNER TO gang_engineer;
ALTER TABLE data_allocs OWNER TO gang_engineer;
ALTER FUNCTION gang_data_guard() OWNER TO gang_engineer;
GRANT SELECT ON data_pools, data_values, data_allocs TO gang_station;
GRANT INSERT ON data_pools, data_allocs TO gang_station;
GRANT UPDATE (next) ON data_pools TO gang_station;
GRANT UPDATE (state, burned_at) ON data_allocs TO gang_station;
