/*
 * pg_finish.c — closing an attempt in the PostgreSQL backend (the result,
 * the board's last result and, for a pass, the serial burned and recorded
 * on the board and the attempt's data values burned, in one transaction, as src/db/sqlite/sqlite_attempt.c
 * does), and a board seen again: its last pass and the sighting recorded
 * instead of a new attempt.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const pg_results[] = { "pass", "fail", "aborted" };

/* The open attempt's board and serial, read (and locked) inside the finishing transaction. */
typedef struct pg_open_attempt {
	char uid[64];
	char pool[128];
	int64_t value; /* -1: no serial reserved */
	char text[192];
} pg_open_attempt;

static int pg_attempt_load(pg_open_attempt *out, db_pg *db, int64_t id, const char *kt, gang_diag *d)
{
	pg_params p = { 0 };
	char result[16];
	PGresult *r;
	int err = GANG_OK;

	pg_p_int(&p, id);
	if ((err = pg_q(&r, db,
			"SELECT uid, serial_pool, serial_value, serial_text, result FROM attempts WHERE id = $1 "
			"FOR UPDATE",
			&p, "reading an attempt", d)) < 0)
		return err;
	if (PQntuples(r) == 0) {
		err = gang_diag_set(d, GANG_ERR, "database %s: attempt %s does not exist", db->shown, kt);
	} else if (!pg_is_null(r, 0, 4)) {
		pg_copy(result, sizeof(result), r, 0, 4);
		err = gang_diag_set(d, GANG_ERR, "database %s: attempt %s is already finished (%s)", db->shown, kt,
				    result);
	} else {
		pg_copy(out->uid, sizeof(out->uid), r, 0, 0);
		pg_copy(out->pool, sizeof(out->pool), r, 0, 1);
		out->value = pg_is_null(r, 0, 2) ? -1 : pg_int(r, 0, 2);
		pg_copy(out->text, sizeof(out->text), r, 0, 3);
	}
	PQclear(r);
	return err;
}

/* UNIQUE (serial, serial_pool): name the other board instead of a bare constraint error. */
static int pg_serial_text_free(db_pg *db, const char *pool, const char *serial, const char *uid, gang_diag *d)
{
	pg_params p = { 0 };
	char other[128];
	PGresult *r;
	int err;

	pg_p_text(&p, pool);
	if ((err = pg_q(NULL, db, "SELECT 1 FROM serial_pools WHERE name = $1 FOR UPDATE", &p,
			"waiting for the serial pool", d)) < 0)
		return err;
	pg_p_text(&p, serial);
	pg_p_text(&p, uid);
	if ((err = pg_q(&r, db, "SELECT uid FROM boards WHERE serial = $2 AND serial_pool = $1 AND uid <> $3 LIMIT 1",
			&p, "checking a serial text", d)) < 0)
		return err;
	pg_copy(other, sizeof(other), r, 0, 0);
	PQclear(r);
	if (other[0])
		return gang_diag_set(d, GANG_ESERIAL_TAKEN,
				     "database %s: serial '%s' of pool '%s' is already recorded for board %s; the "
				     "pass of board %s is not recorded",
				     db->shown, serial, pool, other, uid);
	return GANG_OK;
}

static int pg_finish_board(db_pg *db, const pg_open_attempt *a, gang_attempt_result result, gang_diag *d)
{
	int with_serial = result == GANG_ATTEMPT_PASS && a->value >= 0;
	pg_params p = { 0 };
	char serial[352];
	int err;

	if (a->text[0])
		snprintf(serial, sizeof(serial), "%s", a->text);
	else
		snprintf(serial, sizeof(serial), "%s:%lld", a->pool, (long long)a->value);
	if (with_serial && (err = pg_serial_text_free(db, a->pool, serial, a->uid, d)) < 0)
		return err;
	pg_p_text(&p, a->uid);
	pg_p_text(&p, pg_results[result]);
	pg_p_text(&p, with_serial ? serial : NULL);
	pg_p_text(&p, with_serial ? a->pool : NULL);
	return pg_q(NULL, db,
		    "UPDATE boards SET last_result = $2, last_seen = " PG_NOW_SQL
		    ", serial = CASE WHEN $3::text IS NULL THEN serial ELSE $3 END"
		    ", serial_pool = CASE WHEN $3::text IS NULL THEN serial_pool ELSE $4 END WHERE uid = $1",
		    &p, "updating the board's last result", d);
}

int pg_finish_tx(db_pg *db, const gang_attempt_key *k, gang_attempt_result result, const char *cls,
		 const char *msg, const char *at, gang_diag *d)
{
	pg_open_attempt a = { .value = -1 };
	char kt[GANG_DB_KEY_TEXT_MAX];
	pg_params p = { 0 };
	int64_t id;
	int err;

	gang_attempt_key_text(kt, sizeof(kt), k);
	if ((err = pg_attempt_row(&id, db, k, "closing an attempt", d)) < 0 ||
	    (err = pg_attempt_load(&a, db, id, kt, d)) < 0)
		return err;
	if (result == GANG_ATTEMPT_PASS && !a.uid[0])
		return gang_diag_set(d, GANG_ERR, "database %s: attempt %s has no board UID; a pass needs one",
				     db->shown, kt);
	if (result == GANG_ATTEMPT_PASS && a.value >= 0 && (err = pg_serial_burn_tx(db, a.pool, a.value, a.uid, d)) < 0)
		return err;
	if (result == GANG_ATTEMPT_PASS && (err = pg_data_burn_tx(db, id, a.uid, d)) < 0)
		return err;
	pg_p_int(&p, id);
	pg_p_text(&p, pg_results[result]);
	pg_p_text(&p, cls);
	pg_p_text(&p, msg);
	pg_p_text(&p, at);
	if ((err = pg_q(NULL, db,
			"UPDATE attempts SET finished_at = COALESCE($5::text, " PG_NOW_SQL "), result = $2, "
			"error_class = $3, error_message = $4 WHERE id = $1",
			&p, "closing an attempt", d)) < 0)
		return err;
	return a.uid[0] ? pg_finish_board(db, &a, result, d) : GANG_OK;
}

int db_pg_attempt_finish(db_pg *db, const gang_attempt_key *k, gang_attempt_result result,
			 const char *error_class, const char *error_message, gang_diag *d)
{
	int err;

	if ((unsigned)result > GANG_ATTEMPT_ABORTED)
		return gang_diag_set(d, GANG_ERR, "database %s: invalid attempt result %d", db->shown, (int)result);
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_finish_tx(db, k, result, error_class, error_message, NULL, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

int db_pg_board_last_pass(gang_board_pass *out, db_pg *db, const char *uid, const char *profile_sha256,
			  const char *image_sha256, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	pg_p_text(&p, uid);
	pg_p_text(&p, profile_sha256);
	pg_p_text(&p, image_sha256);
	if ((err = pg_q(&r, db,
			"SELECT COALESCE(station, ''), seq, finished_at, serial_text FROM attempts WHERE uid = $1 "
			"AND result = 'pass' AND profile_sha256 IS NOT DISTINCT FROM $2::text "
			"AND image_sha256 IS NOT DISTINCT FROM $3::text "
			"ORDER BY started_at COLLATE \"C\" DESC, id DESC LIMIT 1",
			&p, "looking up the board's last pass", d)) < 0)
		return err;
	if (PQntuples(r) > 0) {
		out->found = true;
		pg_copy(out->attempt.station, sizeof(out->attempt.station), r, 0, 0);
		out->attempt.seq = pg_int(r, 0, 1);
		pg_copy(out->finished_at, sizeof(out->finished_at), r, 0, 2);
		pg_copy(out->serial_text, sizeof(out->serial_text), r, 0, 3);
	}
	PQclear(r);
	return GANG_OK;
}

int db_pg_sighting(db_pg *db, const gang_attempt_info *info, const char *uid, const gang_attempt_key *pass_attempt,
		   gang_diag *d)
{
	pg_params p = { 0 };
	int64_t id;
	int err;

	if ((err = pg_attempt_row(&id, db, pass_attempt, "recording a board seen again", d)) < 0)
		return err;
	pg_p_text(&p, uid);
	pg_p_int(&p, id);
	pg_p_text(&p, info->slot);
	pg_p_text(&p, info->probe_serial);
	pg_p_text(&p, info->batch);
	pg_p_text(&p, info->operator_name);
	pg_p_text(&p, info->station);
	return pg_q(NULL, db,
		    "INSERT INTO sightings (uid, pass_attempt_id, slot, probe_serial, batch, operator, station, "
		    "seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, " PG_NOW_SQL ")",
		    &p, "recording a board seen again", d);
}
