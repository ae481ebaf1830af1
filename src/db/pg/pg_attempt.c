/*
 * pg_attempt.c — boards, attempts and steps in the PostgreSQL backend: the
 * same record as the SQLite backend's (src/db/sqlite/sqlite_attempt.c):
 * an attempt is opened when the board is inserted and closed exactly
 * once; a pass is written only after verify, together with burning the
 * board's serial, in one transaction.
 *
 * An attempt's number at its station is the station's highest + 1, taken
 * under a transaction-level advisory lock on the station's name, so the
 * workers of one station (and two gangs sharing a station name) never
 * take the same number; the UNIQUE index attempts_by_key is the guarantee.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const pg_step_results[] = { "pass", "fail", "skip" };

int pg_board_upsert(db_pg *db, const char *uid, const char *part, gang_diag *d)
{
	pg_params p = { 0 };
	int err;

	if (!uid || !*uid)
		return gang_diag_set(d, GANG_ERR, "database %s: board UID missing", db->shown);
	pg_p_text(&p, uid);
	pg_p_text(&p, part);
	db->idempotent = 1;   /* an upsert: running it twice is running it once */
	err = pg_q(NULL, db,
		   "INSERT INTO boards (uid, part, first_seen, last_seen) VALUES ($1, $2, " PG_NOW_SQL ", " PG_NOW_SQL
		   ") ON CONFLICT (uid) DO UPDATE SET last_seen = excluded.last_seen, "
		   "part = COALESCE(excluded.part, boards.part)",
		   &p, "recording a board", d);
	db->idempotent = 0;
	return err;
}

int pg_attempt_row(int64_t *id_out, db_pg *db, const gang_attempt_key *k, const char *what, gang_diag *d)
{
	char kt[GANG_DB_KEY_TEXT_MAX];
	pg_params p = { 0 };
	PGresult *r;
	int err, found;

	*id_out = 0;
	/* the attempt this handle began: its row id cannot change (attempts are never deleted) */
	if (db->last_id > 0 && k->seq == db->last_key.seq && strcmp(k->station, db->last_key.station) == 0) {
		*id_out = db->last_id;
		return GANG_OK;
	}
	pg_p_text(&p, k->station);
	pg_p_int(&p, k->seq);
	if ((err = pg_q(&r, db, "SELECT id FROM attempts WHERE COALESCE(station, '') = $1 AND seq = $2", &p,
			"looking up an attempt", d)) < 0)
		return err;
	found = PQntuples(r) > 0;
	*id_out = pg_int(r, 0, 0);
	PQclear(r);
	if (!found)
		return gang_diag_set(d, GANG_ERR, "database %s: %s: attempt %s does not exist", db->shown, what,
				     gang_attempt_key_text(kt, sizeof(kt), k));
	return GANG_OK;
}

/*
 * One statement, gang_attempt_begin (db/migrations/pg/0008_server_functions.sql):
 * the station's lock, the next attempt number and the row, committed
 * together.
 */
static int pg_attempt_insert(int64_t *seq, int64_t *id, db_pg *db, const gang_attempt_info *info, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_int(&p, PG_LOCK_STATION);
	pg_p_text(&p, info->slot);
	pg_p_text(&p, info->probe_serial);
	pg_p_text(&p, info->batch);
	pg_p_text(&p, info->profile_name);
	pg_p_text(&p, info->profile_sha256);
	pg_p_text(&p, info->image_sha256);
	pg_p_text(&p, info->operator_name);
	pg_p_text(&p, info->station);
	if (db->run_id)
		pg_p_int(&p, db->run_id);
	else
		pg_p_text(&p, NULL);
	pg_p_int(&p, info->rework ? 1 : 0);
	db->writes = 1; /* run again after a lost COMMIT, it would add a second attempt */
	err = pg_q(&r, db,
		   "SELECT o_seq, o_id FROM gang_attempt_begin($1::integer, $2, $3, $4, $5, $6, $7, $8, $9, "
		   "$10::bigint, $11::bigint)",
		   &p, "recording a new attempt", d);
	db->writes = 0;
	if (err < 0)
		return err;
	*seq = pg_int(r, 0, 0);
	*id = pg_int(r, 0, 1);
	PQclear(r);
	return GANG_OK;
}

int db_pg_attempt_begin(gang_attempt_key *key_out, db_pg *db, const gang_attempt_info *info, gang_diag *d)
{
	int64_t id = 0;
	int err;

	if (!info->slot || !*info->slot || !info->profile_name || !*info->profile_name)
		return gang_diag_set(d, GANG_ERR, "database %s: an attempt needs a slot and a profile name",
				     db->shown);
	/*
	 * In a transaction of its own: a session cut before COMMIT rolled the
	 * attempt back, so the caller may run it again (pg_retry); only a cut
	 * COMMIT leaves it unsure. Its BEGIN goes with the statement (one round
	 * trip), and COMMIT is sent only once the statement's answer is here.
	 */
	pg_begin_ahead(db);
	if ((err = pg_attempt_insert(&key_out->seq, &id, db, info, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	if ((err = pg_commit(db, d)) < 0)
		return err;
	snprintf(key_out->station, sizeof(key_out->station), "%s", info->station ? info->station : "");
	db->last_key = *key_out;
	db->last_id = id;
	return GANG_OK;
}

/* Run an UPDATE of one open attempt; GANG_ERR when it matched none. */
static int pg_attempt_update_one(db_pg *db, const char *sql, const pg_params *p, const gang_attempt_key *k,
				 const char *what, gang_diag *d)
{
	char kt[GANG_DB_KEY_TEXT_MAX];
	PGresult *r;
	int err;

	if ((err = pg_q(&r, db, sql, p, what, d)) < 0)
		return err;
	if (pg_changed(r) != 1)
		err = gang_diag_set(d, GANG_ERR, "database %s: %s: attempt %s does not exist or is closed", db->shown,
				    what, gang_attempt_key_text(kt, sizeof(kt), k));
	PQclear(r);
	return err;
}

/*
 * One statement: the board's row (added, or its last_seen and part
 * brought up to date) and the open attempt's identity. The attempt's
 * foreign key to boards is checked at the statement's end, after the
 * board's row is written (PostgreSQL 15 manual 7.8.4 "Data-Modifying
 * Statements in WITH"); a closed attempt's board is left alone. Running it
 * twice is running it once.
 */
int pg_identify_tx(db_pg *db, const gang_attempt_key *k, const gang_attempt_target *t, gang_diag *d)
{
	pg_params p = { 0 };
	int64_t id;
	int err;

	if ((err = pg_attempt_row(&id, db, k, "identifying the board", d)) < 0)
		return err;
	if (!t->uid || !*t->uid)
		return gang_diag_set(d, GANG_ERR, "database %s: board UID missing", db->shown);
	pg_p_int(&p, id);
	pg_p_text(&p, t->uid);
	pg_p_text(&p, t->part);
	pg_p_text(&p, t->connect_mode);
	pg_p_text(&p, t->option_bytes);
	if (t->rdp_before == GANG_DB_RDP_LEVEL05)
		pg_p_text(&p, "0.5"); /* the column is double precision since migration 0010 */
	else if (t->rdp_before >= 0)
		pg_p_int(&p, t->rdp_before);
	else
		pg_p_text(&p, NULL);
	db->idempotent = 1;
	err = pg_attempt_update_one(db,
				    "WITH b AS (INSERT INTO boards (uid, part, first_seen, last_seen) SELECT $2::text, "
				    "$3::text, " PG_NOW_SQL ", " PG_NOW_SQL " WHERE EXISTS (SELECT 1 FROM attempts WHERE "
				    "id = $1 AND finished_at IS NULL) ON CONFLICT (uid) DO UPDATE SET last_seen = "
				    "excluded.last_seen, part = COALESCE(excluded.part, boards.part)) "
				    "UPDATE attempts SET uid = $2, part = $3, connect_mode = $4, option_bytes = $5, "
				    "rdp_before = $6::double precision WHERE id = $1 AND finished_at IS NULL",
				    &p, k, "identifying the board", d);
	db->idempotent = 0;
	return err;
}

/* Outside a transaction: the one statement is its own. */
int db_pg_attempt_identify(db_pg *db, const gang_attempt_key *k, const gang_attempt_target *t, gang_diag *d)
{
	return pg_identify_tx(db, k, t, d);
}

/*
 * Another board holding text in pool: burned on its last pass, or, when
 * open_too, rendered into an attempt still open. *other is "" when none.
 */
static int pg_serial_text_owner(char *other, size_t cap, db_pg *db, const char *pool, const char *text,
				const char *uid, int open_too, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	other[0] = '\0';
	pg_p_text(&p, pool);
	pg_p_text(&p, text);
	pg_p_text(&p, uid);
	pg_p_text(&p, open_too ? "true" : "false");
	if ((err = pg_q(&r, db,
			"SELECT uid FROM boards WHERE serial = $2 AND serial_pool = $1 AND uid <> $3 "
			"UNION ALL SELECT uid FROM attempts WHERE $4::boolean AND finished_at IS NULL AND "
			"serial_pool = $1 AND serial_text = $2 AND uid <> $3 LIMIT 1",
			&p, "checking a serial text", d)) < 0)
		return err;
	pg_copy(other, cap, r, 0, 0);
	PQclear(r);
	return GANG_OK;
}

/* The open attempt's board and serial pool ("" when none), for the serial text. */
static int pg_attempt_pool(char *uid, char *pool, size_t cap, db_pg *db, int64_t id, const gang_attempt_key *k,
			   gang_diag *d)
{
	char kt[GANG_DB_KEY_TEXT_MAX];
	pg_params p = { 0 };
	PGresult *r;
	int err, found;

	pg_p_int(&p, id);
	if ((err = pg_q(&r, db,
			"SELECT COALESCE(uid, ''), COALESCE(serial_pool, '') FROM attempts "
			"WHERE id = $1 AND finished_at IS NULL FOR UPDATE",
			&p, "reading an attempt", d)) < 0)
		return err;
	found = PQntuples(r) > 0;
	pg_copy(uid, cap, r, 0, 0);
	pg_copy(pool, cap, r, 0, 1);
	PQclear(r);
	if (!found)
		return gang_diag_set(d, GANG_ERR, "database %s: recording the serial text: attempt %s does not "
				     "exist or is closed", db->shown, gang_attempt_key_text(kt, sizeof(kt), k));
	return GANG_OK;
}

/*
 * A serial text of a pool is checked one writer at a time: the (pool,
 * text) lock gang_attempt_finish takes too (migration 0011).
 */
static int pg_text_lock(db_pg *db, const char *pool, const char *text, gang_diag *d)
{
	pg_params p = { 0 };

	pg_p_text(&p, pool);
	pg_p_text(&p, text);
	return pg_q(NULL, db, "SELECT gang_serial_text_lock($1, $2)", &p, "waiting for the serial text", d);
}

int pg_serial_text_tx(db_pg *db, const gang_attempt_key *k, const char *text, gang_diag *d)
{
	char uid[128], pool[128], other[128];
	pg_params p = { 0 };
	int64_t id;
	int err;

	if ((err = pg_attempt_row(&id, db, k, "recording the serial text", d)) < 0 ||
	    (err = pg_attempt_pool(uid, pool, sizeof(uid), db, id, k, d)) < 0)
		return err;
	if (text && pool[0] && ((err = pg_text_lock(db, pool, text, d)) < 0 ||
				(err = pg_serial_text_owner(other, sizeof(other), db, pool, text, uid, 1, d)) < 0))
		return err;
	if (text && pool[0] && other[0])
		return gang_diag_set(d, GANG_ESERIAL_TAKEN,
				     "database %s: serial '%s' of pool '%s' is already board %s's; board %s is "
				     "not programmed with it (does the pool's format render two values alike?)",
				     db->shown, text, pool, other, uid[0] ? uid : "?");
	pg_p_int(&p, id);
	pg_p_text(&p, text);
	return pg_attempt_update_one(db, "UPDATE attempts SET serial_text = $2 WHERE id = $1", &p, k,
				     "recording the serial text", d);
}

int db_pg_attempt_serial_text(db_pg *db, const gang_attempt_key *k, const char *text, gang_diag *d)
{
	int err;

	/* BEGIN goes with the first statement, behind any step rows sent ahead (pg_pipe.c) */
	pg_begin_ahead(db);
	/* setting the attempt's text to the same value twice is setting it once: a cut COMMIT may be retried */
	db->idempotent = 1;
	if ((err = pg_serial_text_tx(db, k, text, d)) < 0) {
		db->idempotent = 0;
		pg_rollback(db);
		return err;
	}
	err = pg_commit(db, d);
	db->idempotent = 0;
	return err;
}

int db_pg_step(db_pg *db, const gang_attempt_key *k, const char *step, gang_step_result result,
	       uint32_t duration_ms, const char *detail, gang_diag *d)
{
	int64_t id;
	int err;

	if (!step || !*step || (unsigned)result > GANG_STEP_SKIP)
		return gang_diag_set(d, GANG_ERR, "database %s: step name or result missing", db->shown);
	if ((err = pg_attempt_row(&id, db, k, "recording a step", d)) < 0)
		return err;
	/*
	 * Sent ahead (pg_pipe.c): the row's answer, and a refusal, come with the
	 * handle's next statement, at the latest the attempt's close. The same
	 * step row twice is the same record: a retry after a lost reply adds
	 * nothing (pg_store.c).
	 */
	db->idempotent = 1;
	err = pg_pipe_step(db, id, step, pg_step_results[result], duration_ms, detail, d);
	db->idempotent = 0;
	return err;
}

int pg_serial_burn_tx(db_pg *db, const char *pool, int64_t value, const char *uid, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int64_t n;
	int err;

	pg_p_text(&p, pool);
	pg_p_text(&p, uid);
	pg_p_int(&p, value);
	if ((err = pg_q(&r, db,
			"UPDATE serials SET state = 'burned', burned_at = COALESCE(burned_at, " PG_NOW_SQL
			") WHERE pool = $1 AND uid = $2 AND state <> 'void' AND ($3::bigint < 0 OR value = $3)",
			&p, "burning a serial", d)) < 0)
		return err;
	n = pg_changed(r);
	PQclear(r);
	if (n == 1)
		return GANG_OK;
	if ((err = pg_q(&r, db,
			"SELECT count(*) FROM serials WHERE pool = $1 AND uid = $2 AND state = 'void' "
			"AND ($3::bigint < 0 OR value = $3)",
			&p, "looking up a voided serial", d)) < 0)
		return err;
	n = pg_int(r, 0, 0);
	PQclear(r);
	if (n > 0)
		return gang_diag_set(d, GANG_ESERIAL_VOIDED,
				     "database %s: the serial of pool '%s' reserved for board %s was voided while "
				     "it was programmed; the pass is not recorded",
				     db->shown, pool, uid);
	return gang_diag_set(d, GANG_EDB, "database %s: no serial of pool '%s' is reserved for board %s; the "
			     "pass is not recorded", db->shown, pool, uid);
}
