/*
 * pg_finish.c — closing an attempt in the PostgreSQL backend (the result,
 * the board's last result and, for a pass, the serial burned and recorded
 * on the board and the attempt's data values burned, in one statement on
 * the server, as src/db/sqlite/sqlite_attempt.c does in one transaction),
 * and a board seen again: its last pass and the sighting recorded
 * instead of a new attempt.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const pg_results[] = { "pass", "fail", "aborted" };

/*
 * One statement, gang_attempt_finish (db/migrations/pg/0011_record_locks.sql):
 * the checks, the burns, the result and the board's row on the server,
 * the refusals mapped by SQLSTATE (pg_util.c pg_fail).
 */
int pg_finish_tx(db_pg *db, const gang_attempt_key *k, gang_attempt_result result, const char *cls,
		 const char *msg, const char *at, gang_diag *d)
{
	char kt[GANG_DB_KEY_TEXT_MAX];
	pg_params p = { 0 };
	int64_t id;
	int err;

	gang_attempt_key_text(kt, sizeof(kt), k);
	if ((err = pg_attempt_row(&id, db, k, "closing an attempt", d)) < 0)
		return err;
	pg_p_int(&p, id);
	pg_p_text(&p, kt);
	pg_p_text(&p, pg_results[result]);
	pg_p_text(&p, cls);
	pg_p_text(&p, msg);
	pg_p_text(&p, at);
	db->writes = 1; /* run again after a lost COMMIT, it would find the attempt finished */
	err = pg_q(NULL, db, "SELECT gang_attempt_finish($1, $2, $3, $4, $5, $6)", &p, "closing an attempt", d);
	db->writes = 0;
	return err;
}

/*
 * In a transaction of its own: a session cut before COMMIT rolled the
 * finish back, so the caller may run it again (pg_retry); only a cut
 * COMMIT leaves it unsure. Its BEGIN and the statement go out behind the
 * step rows sent ahead (pg_pipe.c), in one round trip; a row the server
 * refused fails the close before COMMIT is sent, with the step's own
 * sentence, and the transaction (a pass with its burns) is rolled back.
 */
int db_pg_attempt_finish(db_pg *db, const gang_attempt_key *k, gang_attempt_result result,
			 const char *error_class, const char *error_message, gang_diag *d)
{
	int err;

	if ((unsigned)result > GANG_ATTEMPT_ABORTED)
		return gang_diag_set(d, GANG_ERR, "database %s: invalid attempt result %d", db->shown, (int)result);
	pg_begin_ahead(db);
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
