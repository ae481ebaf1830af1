-- 0008: a serial reservation, a new attempt and an attempt's close as one
-- statement each on the server (issue 14: ≥ 2,000 reservations/s and
-- ≥ 1,000 attempt records/s from 32 slots). gang_serial_reserve runs what
-- src/db/pg/pg_serial.c did in about eight round trips: a board that has a
-- live serial in the pool gets it back (same UID, same serial); a new one
-- gets its row in boards, then the pool's row is locked (FOR UPDATE), the
-- live serial looked for again under the lock, and the pool's next value
-- bound to the UID. The lock is held for three statements on the server,
-- no round trip. The constraints of migration 1 (PRIMARY KEY (pool,
-- value), the unique live (pool, uid)) stay the guarantee.
-- SECURITY INVOKER: it runs with the caller's privileges, so a station
-- needs no more than migration 2 grants it (INSERT on boards and serials,
-- UPDATE of serial_pools.next and of an open attempt's serial columns).
-- Refusals carry SQLSTATEs of their own (pg_util.c pg_fail maps them):
--   GS001  the pool is exhausted     GS002  the pool does not exist
--   GS003  the attempt is closed or does not exist
--   GS004  a serial or data value was voided while the board was programmed
--   GS005  the serial's text is recorded for another board
-- and roll the whole statement back. Made as gang_engineer, which owns the
-- schema (migration 2).
SET LOCAL ROLE gang_engineer;

CREATE FUNCTION gang_serial_reserve(p_pool text, p_uid text, p_attempt bigint, p_key text)
RETURNS bigint LANGUAGE plpgsql AS
$$
DECLARE
	v bigint;
	pl record;
BEGIN
	IF p_attempt IS NOT NULL THEN
		UPDATE attempts SET serial_pool = p_pool, serial_value = 0 WHERE id = p_attempt AND finished_at IS NULL;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'attempt % does not exist or is closed', p_key USING ERRCODE = 'GS003';
		END IF;
	END IF;
	SELECT value INTO v FROM serials WHERE pool = p_pool AND uid = p_uid AND state <> 'void';
	IF NOT FOUND THEN
		-- before the pool's lock: a board new to the pool needs its row
		INSERT INTO boards (uid, first_seen, last_seen) VALUES (p_uid, gang_now(), gang_now())
			ON CONFLICT (uid) DO UPDATE SET last_seen = excluded.last_seen;
		SELECT start, "end", next INTO pl FROM serial_pools WHERE name = p_pool FOR UPDATE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'serial pool ''%'' does not exist', p_pool USING ERRCODE = 'GS002';
		END IF;
		SELECT value INTO v FROM serials WHERE pool = p_pool AND uid = p_uid AND state <> 'void';
		IF NOT FOUND THEN
			IF pl.next > pl."end" THEN
				RAISE EXCEPTION 'serial pool ''%'' exhausted (%..% all used)', p_pool, pl.start, pl."end"
					USING ERRCODE = 'GS001';
			END IF;
			INSERT INTO serials (pool, value, uid, state, attempt_id, reserved_at)
				VALUES (p_pool, pl.next, p_uid, 'reserved', p_attempt, gang_now());
			UPDATE serial_pools SET next = next + 1 WHERE name = p_pool;
			v := pl.next;
		END IF;
	END IF;
	IF p_attempt IS NOT NULL THEN
		UPDATE attempts SET serial_value = v WHERE id = p_attempt;
	END IF;
	RETURN v;
END
$$;

REVOKE ALL ON FUNCTION gang_serial_reserve(text, text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gang_serial_reserve(text, text, bigint, text) TO gang_station;

-- A new attempt in one statement (src/db/pg/pg_attempt.c): the station's
-- attempt numbers are handed out one at a time (a transaction-scoped
-- advisory lock, key p_lock and the station's name), and the INSERT, a
-- statement of its own in the function, sees every attempt committed
-- before the lock was granted (read committed: each statement of a
-- PL/pgSQL function takes a new snapshot).
CREATE FUNCTION gang_attempt_begin(p_lock integer, p_slot text, p_probe text, p_batch text, p_profile text,
				   p_profile_sha text, p_image_sha text, p_operator text, p_station text,
				   p_run bigint, p_rework bigint, OUT o_seq bigint, OUT o_id bigint)
LANGUAGE plpgsql AS
$$
BEGIN
	PERFORM pg_advisory_xact_lock(p_lock, hashtext(COALESCE(p_station, '')));
	INSERT INTO attempts (slot, probe_serial, batch, profile_name, profile_sha256, image_sha256, operator,
			      station, run_id, rework, seq, started_at)
		VALUES (p_slot, p_probe, p_batch, p_profile, p_profile_sha, p_image_sha, p_operator, p_station,
			p_run, p_rework, (SELECT COALESCE(max(a.seq), 0) + 1 FROM attempts a
					  WHERE COALESCE(a.station, '') = COALESCE(p_station, '')), gang_now())
		RETURNING seq, id INTO o_seq, o_id;
END
$$;

REVOKE ALL ON FUNCTION gang_attempt_begin(integer, text, text, text, text, text, text, text, text, bigint, bigint)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gang_attempt_begin(integer, text, text, text, text, text, text, text, text, bigint, bigint)
	TO gang_station;

-- Closing an attempt in one statement (src/db/pg/pg_finish.c), as the
-- SQLite backend closes it in one transaction: the attempt's row locked;
-- for a pass its serial burned (refused when voided meanwhile: GS004, or
-- never reserved: GS002) and its data values burned (refused when one was
-- voided meanwhile: GS004); the result; the board's last result and, for a
-- pass with a serial, the serial's text recorded on the board, checked
-- under the pool's row lock against every other board (taken: GS005).
CREATE FUNCTION gang_attempt_finish(p_id bigint, p_key text, p_result text, p_class text, p_msg text,
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
		PERFORM 1 FROM serial_pools WHERE name = a.serial_pool FOR UPDATE;
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

REVOKE ALL ON FUNCTION gang_attempt_finish(bigint, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gang_attempt_finish(bigint, text, text, text, text, text) TO gang_station;
