/*
 * sqlite_attempt.c — boards, attempts and steps: the traceability record of
 * every board inserted into a slot. An attempt is opened when the board is
 * inserted and closed exactly once; a pass is written only by
 * db_sqlite_attempt_finish after verify, together with burning the board's
 * serial and the data values the attempt took, in one transaction (docs/architecture.md "Serial numbers and
 * traceability").
 */
#include "db/sqlite/sqlite_internal.h"

#include <stdio.h>

static const char *const db_attempt_results[] = { "pass", "fail", "aborted" };
static const char *const db_step_results[] = { "pass", "fail", "skip" };

static int db_board_upsert(db_sqlite *db, const char *uid, const char *part, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if (!uid || !*uid)
		return gang_diag_set(d, GANG_ERR, "database %s: board UID missing", db->path);
	if ((err = db_prepare(&st, db,
			      "INSERT INTO boards (uid, part, first_seen, last_seen) VALUES (?1, ?2, " DB_NOW_SQL
			      ", " DB_NOW_SQL ") ON CONFLICT (uid) DO UPDATE SET last_seen = excluded.last_seen, "
			      "part = COALESCE(excluded.part, part)",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, uid);
	db_bind_text(st, 2, part);
	return db_run(db, st, d, "recording a board");
}

int db_sqlite_board_seen(db_sqlite *db, const char *uid, const char *part, gang_diag *d)
{
	return db_board_upsert(db, uid, part, d);
}

int db_attempt_row(int64_t *id_out, db_sqlite *db, const gang_attempt_key *k, const char *what, gang_diag *d)
{
	char kt[GANG_DB_KEY_TEXT_MAX];
	sqlite3_stmt *st;
	int rc, err;

	*id_out = 0;
	/* the expression of index attempts_by_key (migration 8) */
	if ((err = db_prepare(&st, db, "SELECT id FROM attempts WHERE ifnull(station, '') = ?1 AND seq = ?2", d)) < 0)
		return err;
	db_bind_text(st, 1, k->station);
	sqlite3_bind_int64(st, 2, k->seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id_out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return gang_diag_set(d, GANG_ERR, "database %s: %s: attempt %s does not exist", db->path, what,
				     gang_attempt_key_text(kt, sizeof(kt), k));
	return rc == SQLITE_ROW ? GANG_OK : db_fail(db, rc, d, "looking up an attempt");
}

/* The number the attempt just inserted (row id) got from its station. */
static int db_attempt_seq(int64_t *seq_out, db_sqlite *db, int64_t id, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = db_prepare(&st, db, "SELECT seq FROM attempts WHERE id = ?1", d)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq_out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? GANG_OK : db_fail(db, rc, d, "reading a new attempt's number");
}

int db_sqlite_attempt_begin(gang_attempt_key *key_out, db_sqlite *db, const gang_attempt_info *info, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if (!info->slot || !*info->slot || !info->profile_name || !*info->profile_name)
		return gang_diag_set(d, GANG_ERR, "database %s: an attempt needs a slot and a profile name",
				     db->path);
	if ((err = db_prepare(&st, db,
			      "INSERT INTO attempts (slot, probe_serial, batch, profile_name, profile_sha256, "
			      "image_sha256, operator, station, run_id, rework, seq, started_at) VALUES (?1, ?2, ?3, "
			      "?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT ifnull(max(seq), 0) + 1 FROM attempts WHERE "
			      "ifnull(station, '') = ifnull(?8, '')), " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, info->slot);
	db_bind_text(st, 2, info->probe_serial);
	db_bind_text(st, 3, info->batch);
	db_bind_text(st, 4, info->profile_name);
	db_bind_text(st, 5, info->profile_sha256);
	db_bind_text(st, 6, info->image_sha256);
	db_bind_text(st, 7, info->operator_name);
	db_bind_text(st, 8, info->station);
	if (db->run_id)
		sqlite3_bind_int64(st, 9, db->run_id);
	sqlite3_bind_int(st, 10, info->rework ? 1 : 0);
	/* One statement, so the station's next number is read under the write lock that inserts it. */
	if ((err = db_run(db, st, d, "recording a new attempt")) < 0)
		return err;
	snprintf(key_out->station, sizeof(key_out->station), "%s", info->station ? info->station : "");
	return db_attempt_seq(&key_out->seq, db, sqlite3_last_insert_rowid(db->conn), d);
}

static int db_attempt_update_one(db_sqlite *db, sqlite3_stmt *st, const gang_attempt_key *k, gang_diag *d,
				 const char *what)
{
	char kt[GANG_DB_KEY_TEXT_MAX];
	int err = db_run(db, st, d, what);

	if (err == GANG_OK && sqlite3_changes(db->conn) != 1)
		err = gang_diag_set(d, GANG_ERR, "database %s: %s: attempt %s does not exist or is closed",
				    db->path, what, gang_attempt_key_text(kt, sizeof(kt), k));
	return err;
}

int db_sqlite_attempt_identify(db_sqlite *db, const gang_attempt_key *k, const gang_attempt_target *t,
			       gang_diag *d)
{
	sqlite3_stmt *st;
	int64_t attempt_id;
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = db_attempt_row(&attempt_id, db, k, "identifying the board", d)) < 0)
		goto fail;
	if ((err = db_board_upsert(db, t->uid, t->part, d)) < 0)
		goto fail;
	if ((err = db_prepare(&st, db,
			      "UPDATE attempts SET uid = ?2, part = ?3, connect_mode = ?4, option_bytes = ?5, "
			      "rdp_before = ?6 WHERE id = ?1 AND finished_at IS NULL",
			      d)) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, attempt_id);
	db_bind_text(st, 2, t->uid);
	db_bind_text(st, 3, t->part);
	db_bind_text(st, 4, t->connect_mode);
	db_bind_text(st, 5, t->option_bytes);
	/* level 0.5 is stored as the REAL 0.5: the column's INTEGER affinity keeps a value it cannot
	 * convert to an integer without loss as it is (sqlite.org/datatype3.html §3), no migration needed */
	if (t->rdp_before == GANG_DB_RDP_LEVEL05)
		sqlite3_bind_double(st, 6, 0.5);
	else if (t->rdp_before >= 0)
		sqlite3_bind_int(st, 6, t->rdp_before);
	if ((err = db_attempt_update_one(db, st, k, d, "identifying the board")) < 0)
		goto fail;
	return db_commit(db, d);
fail:
	db_rollback(db);
	return err;
}

/*
 * Another board holding text in pool: burned on its last pass (boards), or,
 * when open_too, rendered into an attempt still open (two boards in flight;
 * the first to pass keeps it). *other is "" when there is none.
 */
static int db_serial_text_owner(char *other, size_t cap, db_sqlite *db, const char *pool,
				const char *text, const char *uid, int open_too, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	other[0] = '\0';
	if ((err = db_prepare(&st, db,
			      "SELECT uid FROM boards WHERE serial = ?2 AND serial_pool = ?1 AND uid <> ?3 "
			      "UNION ALL SELECT uid FROM attempts WHERE ?4 AND finished_at IS NULL AND "
			      "serial_pool = ?1 AND serial_text = ?2 AND uid <> ?3 LIMIT 1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, text);
	db_bind_text(st, 3, uid);
	sqlite3_bind_int(st, 4, open_too);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(other, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "checking a serial text");
	return GANG_OK;
}

/* The open attempt's board and serial pool ("" when none), for the serial text. */
static int db_attempt_pool(char *uid, char *pool, size_t cap, db_sqlite *db, int64_t id,
			   const gang_attempt_key *k, gang_diag *d)
{
	char kt[GANG_DB_KEY_TEXT_MAX];
	sqlite3_stmt *st;
	int rc, err;

	uid[0] = pool[0] = '\0';
	if ((err = db_prepare(&st, db,
			      "SELECT COALESCE(uid, ''), COALESCE(serial_pool, '') FROM attempts "
			      "WHERE id = ?1 AND finished_at IS NULL",
			      d)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(uid, cap, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(pool, cap, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return gang_diag_set(d, GANG_ERR, "database %s: recording the serial text: attempt %s does not "
				     "exist or is closed", db->path, gang_attempt_key_text(kt, sizeof(kt), k));
	return rc == SQLITE_ROW ? GANG_OK : db_fail(db, rc, d, "reading an attempt");
}

static int db_serial_text_tx(db_sqlite *db, const gang_attempt_key *k, const char *text, gang_diag *d)
{
	char uid[128], pool[128], other[128];
	sqlite3_stmt *st;
	int64_t id;
	int err;

	if ((err = db_attempt_row(&id, db, k, "recording the serial text", d)) < 0)
		return err;
	if ((err = db_attempt_pool(uid, pool, sizeof(uid), db, id, k, d)) < 0)
		return err;
	if (text && pool[0] && (err = db_serial_text_owner(other, sizeof(other), db, pool, text, uid, 1, d)) < 0)
		return err;
	if (text && pool[0] && other[0])
		return gang_diag_set(d, GANG_ESERIAL_TAKEN,
				     "database %s: serial '%s' of pool '%s' is already board %s's; board %s is "
				     "not programmed with it (does the pool's format render two values alike?)",
				     db->path, text, pool, other, uid[0] ? uid : "?");
	if ((err = db_prepare(&st, db, "UPDATE attempts SET serial_text = ?2 WHERE id = ?1", d)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, text);
	return db_attempt_update_one(db, st, k, d, "recording the serial text");
}

int db_sqlite_attempt_serial_text(db_sqlite *db, const gang_attempt_key *k, const char *text, gang_diag *d)
{
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = db_serial_text_tx(db, k, text, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

int db_sqlite_step(db_sqlite *db, const gang_attempt_key *k, const char *step, gang_step_result result,
		   uint32_t duration_ms, const char *detail, gang_diag *d)
{
	sqlite3_stmt *st;
	int64_t attempt_id;
	int err;

	if (!step || !*step || (unsigned)result > GANG_STEP_SKIP)
		return gang_diag_set(d, GANG_ERR, "database %s: step name or result missing", db->path);
	if ((err = db_attempt_row(&attempt_id, db, k, "recording a step", d)) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "INSERT INTO steps (attempt_id, step, result, duration_ms, detail, at) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, attempt_id);
	db_bind_text(st, 2, step);
	db_bind_text(st, 3, db_step_results[result]);
	sqlite3_bind_int64(st, 4, duration_ms);
	db_bind_text(st, 5, detail);
	return db_run(db, st, d, "recording a step");
}

/* Was uid's serial of pool (value < 0: any) voided? A voided serial explains a failed burn. */
static int db_serial_was_voided(int *voided, db_sqlite *db, const char *pool, int64_t value, const char *uid,
				gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	*voided = 0;
	if ((err = db_prepare(&st, db,
			      "SELECT count(*) FROM serials WHERE pool = ?1 AND uid = ?2 AND state = 'void' "
			      "AND (?3 < 0 OR value = ?3)",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, uid);
	sqlite3_bind_int64(st, 3, value);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*voided = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? GANG_OK : db_fail(db, rc, d, "looking up a voided serial");
}

int db_serial_burn_tx(db_sqlite *db, const char *pool, int64_t value, const char *uid, gang_diag *d)
{
	sqlite3_stmt *st;
	int voided, err;

	if ((err = db_prepare(&st, db,
			      "UPDATE serials SET state = 'burned', burned_at = COALESCE(burned_at, " DB_NOW_SQL
			      ") WHERE pool = ?1 AND uid = ?2 AND state <> 'void' AND (?3 < 0 OR value = ?3)",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, uid);
	sqlite3_bind_int64(st, 3, value);
	if ((err = db_run(db, st, d, "burning a serial")) < 0)
		return err;
	if (sqlite3_changes(db->conn) == 1)
		return GANG_OK;
	if ((err = db_serial_was_voided(&voided, db, pool, value, uid, d)) < 0)
		return err;
	if (voided)
		return gang_diag_set(d, GANG_ESERIAL_VOIDED,
				     "database %s: the serial of pool '%s' reserved for board %s was voided while "
				     "it was programmed; the pass is not recorded",
				     db->path, pool, uid);
	return gang_diag_set(d, GANG_EDB, "database %s: no serial of pool '%s' is reserved for board %s; the "
			     "pass is not recorded", db->path, pool, uid);
}

/* The open attempt's board and serial, read inside the finishing transaction. */
typedef struct db_open_attempt {
	char uid[64];
	char pool[128];
	int64_t value; /* -1: no serial reserved */
	char text[192];
} db_open_attempt;

static void db_copy_col(char *out, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(out, cap, "%s", s ? (const char *)s : "");
}

static int db_attempt_load(db_open_attempt *out, db_sqlite *db, int64_t id, const char *kt, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = db_prepare(&st, db,
			      "SELECT uid, serial_pool, serial_value, serial_text, result FROM attempts "
			      "WHERE id = ?1",
			      d)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 4) != SQLITE_NULL)
		err = gang_diag_set(d, GANG_ERR, "database %s: attempt %s is already finished (%s)", db->path, kt,
				    (const char *)sqlite3_column_text(st, 4));
	else if (rc == SQLITE_ROW) {
		db_copy_col(out->uid, sizeof(out->uid), st, 0);
		db_copy_col(out->pool, sizeof(out->pool), st, 1);
		out->value = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
		db_copy_col(out->text, sizeof(out->text), st, 3);
	} else if (rc == SQLITE_DONE)
		err = gang_diag_set(d, GANG_ERR, "database %s: attempt %s does not exist", db->path, kt);
	else
		err = db_fail(db, rc, d, "reading an attempt");
	sqlite3_finalize(st);
	return err;
}

/* UNIQUE (serial, serial_pool): name the other board instead of a bare constraint error. */
static int db_serial_text_free(db_sqlite *db, const char *pool, const char *serial, const char *uid,
			       gang_diag *d)
{
	char other[128];
	int err = db_serial_text_owner(other, sizeof(other), db, pool, serial, uid, 0, d);

	if (err == GANG_OK && other[0])
		err = gang_diag_set(d, GANG_ESERIAL_TAKEN,
				    "database %s: serial '%s' of pool '%s' is already recorded for board %s; the "
				    "pass of board %s is not recorded",
				    db->path, serial, pool, other, uid);
	return err;
}

static int db_finish_board(db_sqlite *db, const db_open_attempt *a, gang_attempt_result result,
			   gang_diag *d)
{
	sqlite3_stmt *st;
	char serial[352];
	int err;

	if (a->text[0])
		snprintf(serial, sizeof(serial), "%s", a->text);
	else
		snprintf(serial, sizeof(serial), "%s:%lld", a->pool, (long long)a->value);
	if (result == GANG_ATTEMPT_PASS && a->value >= 0 &&
	    (err = db_serial_text_free(db, a->pool, serial, a->uid, d)) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "UPDATE boards SET last_result = ?2, last_seen = " DB_NOW_SQL
			      ", serial = CASE WHEN ?3 IS NULL THEN serial ELSE ?3 END"
			      ", serial_pool = CASE WHEN ?3 IS NULL THEN serial_pool ELSE ?4 END WHERE uid = ?1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, a->uid);
	db_bind_text(st, 2, db_attempt_results[result]);
	if (result == GANG_ATTEMPT_PASS && a->value >= 0) {
		db_bind_text(st, 3, serial);
		db_bind_text(st, 4, a->pool);
	}
	return db_run(db, st, d, "updating the board's last result");
}

static int db_finish_tx(db_sqlite *db, const gang_attempt_key *k, gang_attempt_result result, const char *cls,
			const char *msg, gang_diag *d)
{
	db_open_attempt a = { .value = -1 };
	char kt[GANG_DB_KEY_TEXT_MAX];
	sqlite3_stmt *st;
	int64_t id;
	int err;

	gang_attempt_key_text(kt, sizeof(kt), k);
	if ((err = db_attempt_row(&id, db, k, "closing an attempt", d)) < 0)
		return err;
	if ((err = db_attempt_load(&a, db, id, kt, d)) < 0)
		return err;
	if (result == GANG_ATTEMPT_PASS && !a.uid[0])
		return gang_diag_set(d, GANG_ERR, "database %s: attempt %s has no board UID; a pass needs one",
				     db->path, kt);
	if (result == GANG_ATTEMPT_PASS && a.value >= 0 &&
	    (err = db_serial_burn_tx(db, a.pool, a.value, a.uid, d)) < 0)
		return err;
	if (result == GANG_ATTEMPT_PASS && (err = db_data_burn_tx(db, id, a.uid, d)) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "UPDATE attempts SET finished_at = " DB_NOW_SQL ", result = ?2, error_class = ?3, "
			      "error_message = ?4 WHERE id = ?1",
			      d)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, db_attempt_results[result]);
	db_bind_text(st, 3, cls);
	db_bind_text(st, 4, msg);
	if ((err = db_run(db, st, d, "closing an attempt")) < 0)
		return err;
	return a.uid[0] ? db_finish_board(db, &a, result, d) : GANG_OK;
}

int db_sqlite_attempt_finish(db_sqlite *db, const gang_attempt_key *k, gang_attempt_result result,
			   const char *error_class, const char *error_message, gang_diag *d)
{
	int err;

	if ((unsigned)result > GANG_ATTEMPT_ABORTED)
		return gang_diag_set(d, GANG_ERR, "database %s: invalid attempt result %d", db->path,
				     (int)result);
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = db_finish_tx(db, k, result, error_class, error_message, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}
