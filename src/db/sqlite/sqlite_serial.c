/*
 * sqlite_serial.c — serial pools in the SQLite backend (tables serial_pools
 * and serials, db/migrations/sqlite/0002_serials.sql). Allocation is one
 * BEGIN IMMEDIATE transaction: find the UID's live serial, else take
 * pool.next, insert it reserved and advance next. The database constraints
 * (PRIMARY KEY (pool, value), unique live (pool, uid), no deletes, void is
 * final) are the guarantee; this code only chooses values. The rules and
 * argument checks are serial/serial_alloc.c's.
 * Reference: docs/architecture.md "Serial numbers and traceability".
 */
#include "db/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

static int serial_pool_load(gang_store_pool *out, int *found, db_sqlite *db, const char *pool, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	*found = 0;
	if ((err = db_prepare(&st, db, "SELECT start, \"end\", next, format FROM serial_pools WHERE name = ?1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		out->start = sqlite3_column_int64(st, 0);
		out->end = sqlite3_column_int64(st, 1);
		out->next = sqlite3_column_int64(st, 2);
		snprintf(out->format, sizeof(out->format), "%s", (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "reading a serial pool");
	return GANG_OK;
}

int db_sqlite_serial_pool_get(gang_store_pool *out, int *found, db_sqlite *db, const char *pool, gang_diag *d)
{
	return serial_pool_load(out, found, db, pool, d);
}

static int serial_pool_create_tx(gang_store_pool *have, int *found, db_sqlite *db, const char *pool,
				 uint64_t start, uint64_t end, const char *format, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if ((err = serial_pool_load(have, found, db, pool, d)) < 0 || *found)
		return err;
	if ((err = db_prepare(&st, db,
			      "INSERT INTO serial_pools (name, start, \"end\", next, format, created_at) "
			      "VALUES (?1, ?2, ?3, ?2, ?4, " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, (int64_t)start);
	sqlite3_bind_int64(st, 3, (int64_t)end);
	db_bind_text(st, 4, format);
	return db_run(db, st, d, "creating a serial pool");
}

int db_sqlite_serial_pool_create(gang_store_pool *have, int *found, db_sqlite *db, const char *pool,
				 uint64_t start, uint64_t end, const char *format, gang_diag *d)
{
	int err;

	*found = 0;
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = serial_pool_create_tx(have, found, db, pool, start, end, format, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

/* The UID's live serial of pool; *found = 0 when it has none. */
static int serial_find_live(int64_t *value, int *found, db_sqlite *db, const char *pool, const char *uid,
			    gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	*found = 0;
	if ((err = db_prepare(&st, db,
			      "SELECT value FROM serials WHERE pool = ?1 AND uid = ?2 AND state <> 'void'", d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, uid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		*value = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "looking up a board's serial");
	return GANG_OK;
}

static int serial_take_next(int64_t *value, db_sqlite *db, const char *pool, const char *uid,
			    int64_t attempt_id, gang_diag *d)
{
	gang_store_pool p;
	sqlite3_stmt *st;
	int found, err;

	if ((err = serial_pool_load(&p, &found, db, pool, d)) < 0)
		return err;
	if (!found)
		return gang_diag_set(d, GANG_EDB, "database %s: serial pool '%s' does not exist", db->path,
				     pool);
	if (p.next > p.end)
		return gang_diag_set(d, GANG_ESERIAL_EXHAUSTED, "serial pool '%s' exhausted (%lld..%lld all used)",
				     pool, (long long)p.start, (long long)p.end);
	if ((err = db_sqlite_board_seen(db, uid, NULL, d)) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "INSERT INTO serials (pool, value, uid, state, attempt_id, reserved_at) "
			      "VALUES (?1, ?2, ?3, 'reserved', ?4, " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, p.next);
	db_bind_text(st, 3, uid);
	if (attempt_id > 0)
		sqlite3_bind_int64(st, 4, attempt_id);
	if ((err = db_run(db, st, d, "reserving a serial")) < 0)
		return err;
	*value = p.next;
	if ((err = db_prepare(&st, db, "UPDATE serial_pools SET next = next + 1 WHERE name = ?1", d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	return db_run(db, st, d, "advancing a serial pool");
}

static int serial_note_attempt(db_sqlite *db, const char *pool, int64_t value, int64_t attempt_id,
			       const gang_attempt_key *k, gang_diag *d)
{
	char kt[GANG_DB_KEY_TEXT_MAX];
	sqlite3_stmt *st;
	int err;

	if ((err = db_prepare(&st, db,
			      "UPDATE attempts SET serial_pool = ?2, serial_value = ?3 WHERE id = ?1 "
			      "AND finished_at IS NULL",
			      d)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, attempt_id);
	db_bind_text(st, 2, pool);
	sqlite3_bind_int64(st, 3, value);
	if ((err = db_run(db, st, d, "recording the serial on its attempt")) < 0)
		return err;
	if (sqlite3_changes(db->conn) != 1)
		return gang_diag_set(d, GANG_ERR, "database %s: attempt %s does not exist or is closed", db->path,
				     gang_attempt_key_text(kt, sizeof(kt), k));
	return GANG_OK;
}

static int serial_reserve_tx(int64_t *value, db_sqlite *db, const char *pool, const char *uid,
			     const gang_attempt_key *k, gang_diag *d)
{
	int64_t attempt_id = 0;
	int found, err;

	/* Check the attempt first so a bad key is GANG_ERR, not a foreign-key failure. */
	if (k && (err = db_attempt_row(&attempt_id, db, k, "reserving a serial", d)) < 0)
		return err;
	if (attempt_id > 0 && (err = serial_note_attempt(db, pool, 0, attempt_id, k, d)) < 0)
		return err;
	if ((err = serial_find_live(value, &found, db, pool, uid, d)) < 0)
		return err;
	if (!found && (err = serial_take_next(value, db, pool, uid, attempt_id, d)) < 0)
		return err;
	if (attempt_id > 0)
		return serial_note_attempt(db, pool, *value, attempt_id, k, d);
	return GANG_OK;
}

int db_sqlite_serial_reserve(int64_t *value_out, db_sqlite *db, const char *pool, const char *uid,
			     const gang_attempt_key *attempt, gang_diag *d)
{
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = serial_reserve_tx(value_out, db, pool, uid, attempt, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

int db_sqlite_serial_burn(db_sqlite *db, const char *pool, const char *uid, gang_diag *d)
{
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = db_serial_burn_tx(db, pool, -1, uid, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

static int serial_void_check(db_sqlite *db, const char *pool, uint64_t value, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err = GANG_OK;

	if ((err = db_prepare(&st, db,
			      "SELECT state, voided_at, reason FROM serials WHERE pool = ?1 AND value = ?2",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, (int64_t)value);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		err = gang_diag_set(d, GANG_EUSAGE, "serial %llu of pool '%s' was never handed out; nothing to void",
				    (unsigned long long)value, pool);
	else if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "void") == 0)
		err = gang_diag_set(d, GANG_EUSAGE, "serial %llu of pool '%s' is already void since %s (%s)",
				    (unsigned long long)value, pool, (const char *)sqlite3_column_text(st, 1),
				    (const char *)sqlite3_column_text(st, 2));
	else if (rc != SQLITE_ROW)
		err = db_fail(db, rc, d, "reading a serial");
	sqlite3_finalize(st);
	return err;
}

static int serial_void_tx(db_sqlite *db, const char *pool, uint64_t value, const char *reason, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if ((err = serial_void_check(db, pool, value, d)) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "UPDATE serials SET state = 'void', voided_at = " DB_NOW_SQL ", reason = ?3 "
			      "WHERE pool = ?1 AND value = ?2",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, (int64_t)value);
	db_bind_text(st, 3, reason);
	return db_run(db, st, d, "voiding a serial");
}

int db_sqlite_serial_void(db_sqlite *db, const char *pool, uint64_t value, const char *reason, gang_diag *d)
{
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = serial_void_tx(db, pool, value, reason, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

static int serial_count_states(gang_serial_pool_counts *out, db_sqlite *db, const char *pool, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = db_prepare(&st, db,
			      "SELECT COALESCE(SUM(state = 'reserved'), 0), COALESCE(SUM(state = 'burned'), 0), "
			      "COALESCE(SUM(state = 'void'), 0) FROM serials WHERE pool = ?1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->reserved = (uint64_t)sqlite3_column_int64(st, 0);
		out->burned = (uint64_t)sqlite3_column_int64(st, 1);
		out->voided = (uint64_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc, d, "counting serials");
	return GANG_OK;
}

int db_sqlite_serial_status(gang_serial_pool_counts *out, db_sqlite *db, const char *pool, gang_diag *d)
{
	gang_store_pool p = { 0 };
	int found, err;

	/* One read transaction so the counts and next agree. */
	if ((err = db_exec(db, "BEGIN", d)) < 0)
		return err;
	if ((err = serial_pool_load(&p, &found, db, pool, d)) == GANG_OK && !found)
		err = gang_diag_set(d, GANG_EDB, "database %s: serial pool '%s' does not exist", db->path, pool);
	if (err == GANG_OK)
		err = serial_count_states(out, db, pool, d);
	db_rollback(db);
	if (err < 0)
		return err;
	out->start = (uint64_t)p.start;
	out->end = (uint64_t)p.end;
	out->next = (uint64_t)p.next;
	return GANG_OK;
}

int db_sqlite_serial_pool_names(char *out, size_t cap, db_sqlite *db, gang_diag *d)
{
	sqlite3_stmt *st;
	size_t o = 0;
	int rc, err;

	out[0] = '\0';
	if ((err = db_prepare(&st, db, "SELECT name FROM serial_pools ORDER BY name", d)) < 0)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && o < cap)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? ", " : "", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, rc, d, "listing the serial pools");
	if (!out[0])
		snprintf(out, cap, "none");
	return GANG_OK;
}

int db_sqlite_serial_find_text(uint64_t *first_out, int *n_out, db_sqlite *db, const char *pool,
			       const char *text, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	*first_out = 0;
	*n_out = 0;
	if ((err = db_prepare(&st, db,
			      "SELECT DISTINCT serial_value FROM attempts WHERE serial_pool = ?1 AND serial_text = ?2 "
			      "AND serial_value IS NOT NULL ORDER BY serial_value",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, text);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((*n_out)++ == 0)
			*first_out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, rc, d, "looking up a serial text");
	return GANG_OK;
}

static const char *serial_col(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? (const char *)s : "";
}

int db_sqlite_serial_list(db_sqlite *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
			  gang_diag *d)
{
	sqlite3_stmt *st;
	gang_serial_row r;
	int rc = SQLITE_DONE, err = GANG_OK;

	/* the text is the one rendered on the serial's latest attempt (a failed one may be all there is) */
	if ((err = db_prepare(&st, db,
			      "SELECT s.value, s.state, s.uid, COALESCE((SELECT a.serial_text FROM attempts a WHERE "
			      "a.serial_pool = s.pool AND a.serial_value = s.value AND a.serial_text IS NOT NULL "
			      "ORDER BY a.id DESC LIMIT 1), ''), s.reserved_at, s.burned_at, s.voided_at, s.reason "
			      "FROM serials s WHERE s.pool = ?1 AND (?2 IS NULL OR s.state = ?2) ORDER BY s.value",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, state);
	while (err == GANG_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = (gang_serial_row){ .value = (uint64_t)sqlite3_column_int64(st, 0), .state = serial_col(st, 1),
				       .uid = serial_col(st, 2), .text = serial_col(st, 3),
				       .reserved_at = serial_col(st, 4), .burned_at = serial_col(st, 5),
				       .voided_at = serial_col(st, 6), .reason = serial_col(st, 7) };
		err = fn(user, &r, d);
	}
	if (err == GANG_OK && rc != SQLITE_DONE)
		err = db_fail(db, rc, d, "listing serials");
	sqlite3_finalize(st);
	return err;
}
