-- 0011: shorter waits on the serial pool's row (issue 14: 32 slots,
-- >= 1,000 attempt records/s). pg_stat_statements on 32 slots writing
-- attempt records showed most of a record's database time spent waiting
-- for locks every slot took, one slot at a time, against about 1 ms of
-- work: the pool's row lock in gang_attempt_finish (18 ms a record) and in
-- gang_serial_reserve (17 ms). The first goes, the second is held for
-- fewer statements. The constraints of migration 1 stay the guarantee.
-- Every function is CREATE OR REPLACE, so the migration can run again.
-- Made as gang_engineer, which owns the schema (migration 2).
SET LOCAL ROLE gang_engineer;

-- A serial's text is checked against every other board one writer at a
-- time, but only writers of the same text need to wait for each other:
-- the lock is the (pool, text) pair's advisory lock, not the pool's row,
-- which every finishing board of the pool took before. A hash collision
-- only makes two unrelated texts wait for each other. Both writers use
-- it: gang_attempt_finish and the serial text of an open attempt
-- (pg_attempt.c pg_serial_text_tx).
CREATE OR REPLACE FUNCTION gang_serial_text_lock(p_pool text, p_text text) RETURNS void LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(1734438516, hashtext(p_pool || E'\n' || p_text)) $$;
REVOKE ALL ON FUNCTION gang_serial_text_lock(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gang_serial_text_lock(text, text) TO gang_station;

-- As 0008's, with the pool's counter taken by the UPDATE that advances it
-- (one statement takes the row lock and the value; an exhausted pool
-- matches no row, as the CHECK next <= end + 1 of 0001 wants) and the attempt's
-- columns written once, at the end (a closed attempt rolls everything
-- back, the pool's value too): the lock is held for three statements and
-- the commit. A board already known to boards keeps its row unchanged (its
-- attempt's identification wrote last_seen a moment ago), so reserving no
-- longer writes a new version of it.
CREATE OR REPLACE FUNCTION gang_serial_reserve(p_pool text, p_uid text, p_attempt bigint, p_key text)
RETURNS bigint LANGUAGE plpgsql AS
$$
DECLARE
	v bigint;
	pl record;
BEGIN
	SELECT value INTO v FROM serials WHERE pool = p_pool AND uid = p_uid AND state <> 'void';
	IF NOT FOUND THEN
		-- before the pool's lock: a board new to the pool needs its row
		INSERT INTO boards (uid, first_seen, last_seen) VALUES (p_uid, gang_now(), gang_now())
			ON CONFLICT (uid) DO UPDATE SET last_seen = excluded.last_seen WHERE p_attempt IS NULL;
		UPDATE serial_pools SET next = next + 1 WHERE name = p_pool AND next <= "end"
			RETURNING next - 1 AS value INTO pl;
		IF NOT FOUND THEN
			-- no value left, or no such pool: said as 0008 said it, unless the board got one meanwhile
			SELECT value INTO v FROM serials WHERE pool = p_pool AND uid = p_uid AND state <> 'void';
			IF NOT FOUND THEN
				SELECT start, "end" INTO pl FROM serial_pools WHERE name = p_pool;
				IF NOT FOUND THEN
					RAISE EXCEPTION 'serial pool ''%'' does not exist', p_pool USING ERRCODE = 'GS002';
				END IF;
				RAISE EXCEPTION 'serial pool ''%'' exhausted (%..% all used)', p_pool, pl.start, pl."end"
					USING ERRCODE = 'GS001';
			END IF;
		ELSE
			SELECT value INTO v FROM serials WHERE pool = p_pool AND uid = p_uid AND state <> 'void';
			IF FOUND THEN
				-- another slot bound this board while we waited for the lock: its serial, ours back
				UPDATE serial_pools SET next = next - 1 WHERE name = p_pool;
			ELSE
				INSERT INTO serials (pool, value, uid, state, attempt_id, reserved_at)
					VALUES (p_pool, pl.value, p_uid, 'reserved', p_attempt, gang_now());
				v := pl.value;
			END IF;
		END IF;
	END IF;
	IF p_attempt IS NOT NULL THEN
		UPDATE attempts SET serial_pool = p_pool, serial_value = v WHERE id = p_attempt AND finished_at IS NULL;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'attempt % does not exist or is closed', p_key USING ERRCODE = 'GS003';
		END IF;
	END IF;
	RETURN v;
END
$$;

-- As 0008's, with the serial's text checked under the text's lock
-- (gang_serial_text_lock) instead of the pool's row lock.
CREATE OR REPLACE FUNCTION gang_attempt_finish(p_id bigint, p_key text, p_result text, p_class text, p_msg text,
				    p_at text) RETURNS void LANGUAGE plpgsql AS
$$
DECLARE
	a record;
	v_n bigint;
	v_pool text;
	v_serial text;
	v_other text;
	v_with_serial boolean;
BEGIN
	SELECT uid, serial_pool, serial_value, serial_text, result INTO a FROM attempts WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'attempt % does not exist', p_key USING ERRCODE = 'GS003';
	END IF;
	IF a.result IS NOT NULL THEN
		RAISE EXCEPTION 'attempt % is already finished (%)', p_key, a.result USING ERRCODE = 'GS003';
	END IF;
	IF p_result = 'pass' AND COALESCE(a.uid, '') = '' THEN
		RAISE EXCEPTION 'attempt % has no board UID; a pass needs one', p_key USING ERRCODE = 'GS003';
	END IF;
	v_with_serial := p_result = 'pass' AND a.serial_value IS NOT NULL;
	IF v_with_serial THEN
		UPDATE serials SET state = 'burned', burned_at = COALESCE(burned_at, gang_now())
			WHERE pool = a.serial_pool AND uid = a.uid AND state <> 'void' AND value = a.serial_value;
		GET DIAGNOSTICS v_n = ROW_COUNT;
		IF v_n <> 1 AND EXISTS (SELECT 1 FROM serials WHERE pool = a.serial_pool AND uid = a.uid
					AND state = 'void' AND value = a.serial_value) THEN
			RAISE EXCEPTION 'the serial of pool ''%'' reserved for board % was voided while it was programmed; '
				'the pass is not recorded', COALESCE(a.serial_pool, ''), a.uid USING ERRCODE = 'GS004';
		ELSIF v_n <> 1 THEN
			RAISE EXCEPTION 'no serial of pool ''%'' is reserved for board %; the pass is not recorded',
				COALESCE(a.serial_pool, ''), a.uid USING ERRCODE = 'GS002';
		END IF;
	END IF;
	IF p_result = 'pass' THEN
		-- as sqlite_pool.c: a value of the board voided while the attempt ran, leaving it none in that pool
		SELECT v.pool INTO v_pool FROM data_allocs v WHERE v.uid = a.uid AND v.state = 'void' AND
			v.voided_at >= (SELECT started_at FROM attempts WHERE id = p_id) AND NOT EXISTS (SELECT 1 FROM
			data_allocs l WHERE l.pool = v.pool AND l.uid = v.uid AND l.state <> 'void') ORDER BY v.pool LIMIT 1;
		IF v_pool IS NOT NULL THEN
			RAISE EXCEPTION 'the value of data pool ''%'' reserved for board % was voided while it was '
				'programmed; the pass is not recorded', v_pool, a.uid USING ERRCODE = 'GS004';
		END IF;
		UPDATE data_allocs SET state = 'burned', burned_at = gang_now() WHERE uid = a.uid AND state = 'reserved';
	END IF;
	UPDATE attempts SET finished_at = COALESCE(p_at, gang_now()), result = p_result, error_class = p_class,
		error_message = p_msg WHERE id = p_id;
	IF COALESCE(a.uid, '') = '' THEN
		RETURN;
	END IF;
	IF v_with_serial THEN
		v_serial := CASE WHEN COALESCE(a.serial_text, '') <> '' THEN a.serial_text
			    ELSE COALESCE(a.serial_pool, '') || ':' || a.serial_value END;
		PERFORM gang_serial_text_lock(a.serial_pool, v_serial);
		SELECT uid INTO v_other FROM boards WHERE serial = v_serial AND serial_pool = a.serial_pool
			AND uid <> a.uid LIMIT 1;
		IF v_other IS NOT NULL THEN
			RAISE EXCEPTION 'serial ''%'' of pool ''%'' is already recorded for board %; the pass of board % '
				'is not recorded', v_serial, a.serial_pool, v_other, a.uid USING ERRCODE = 'GS005';
		END IF;
	END IF;
	UPDATE boards SET last_result = p_result, last_seen = gang_now(),
		serial = CASE WHEN v_with_serial THEN v_serial ELSE serial END,
		serial_pool = CASE WHEN v_with_serial THEN a.serial_pool ELSE serial_pool END
		WHERE uid = a.uid;
END
$$;
