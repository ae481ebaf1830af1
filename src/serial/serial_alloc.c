/*
 * serial_alloc.c — serial pools in the traceability database (tables
 * serial_pools and serials, db/migrations/0002_serials.sql). Allocation is
 * one BEGIN IMMEDIATE transaction: find the UID's live serial, else take
 * pool.next, insert it reserved and advance next. The database constraints
 * (PRIMARY KEY (pool, value), unique live (pool, uid), no deletes, void is
 * final) are the guarantee; this code only chooses values.
 * Reference: docs/architecture.md "Serial numbers and traceability".
 */
#include "serial/serial_alloc.h"

#include <stdio.h>
#include <string.h>

#include "db/db_internal.h"

typedef struct serial_pool_row {
	int64_t start, end, next;
	char format[256];
} serial_pool_row;

static int serial_pool_load(serial_pool_row *out, int *found, gang_db *db, const char *pool,
			    gang_diag *d)
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

static int serial_pool_compare(const serial_pool_row *have, const char *pool, uint64_t start,
			       uint64_t end, const char *format, gang_diag *d)
{
	if ((uint64_t)have->start != start || (uint64_t)have->end != end)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial pool '%s' already exists with range %lld..%lld; the profile asks "
				     "for %llu..%llu (a pool's range never changes: use a new pool name)",
				     pool, (long long)have->start, (long long)have->end,
				     (unsigned long long)start, (unsigned long long)end);
	if (strcmp(have->format, format) != 0)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial pool '%s' already exists with format '%s'; the profile asks for "
				     "'%s' (use a new pool name)",
				     pool, have->format, format);
	return GANG_OK;
}

static int serial_pool_ensure_tx(gang_db *db, const char *pool, uint64_t start, uint64_t end,
				 const char *format, gang_diag *d)
{
	serial_pool_row have;
	sqlite3_stmt *st;
	int found, err;

	if ((err = serial_pool_load(&have, &found, db, pool, d)) < 0)
		return err;
	if (found)
		return serial_pool_compare(&have, pool, start, end, format, d);
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

int gang_serial_pool_check(gang_db *db, const char *pool, uint64_t start, uint64_t end, const char *format,
			   gang_diag *d)
{
	serial_pool_row have;
	int found, err;

	if ((err = serial_pool_load(&have, &found, db, pool, d)) < 0 || !found)
		return err;
	return serial_pool_compare(&have, pool, start, end, format ? format : "", d);
}

int gang_serial_pool_ensure(gang_db *db, const char *pool, uint64_t start, uint64_t end,
			    const char *format, gang_diag *d)
{
	int err;

	if (!pool || !*pool)
		return gang_diag_set(d, GANG_EPROFILE, "serial pool name missing");
	if (start > end || end >= (uint64_t)INT64_MAX)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial pool '%s': range %llu..%llu is invalid (start <= end < 2^63-1)",
				     pool, (unsigned long long)start, (unsigned long long)end);
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = serial_pool_ensure_tx(db, pool, start, end, format ? format : "", d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

/* The UID's live serial of pool; *found = 0 when it has none. */
static int serial_find_live(int64_t *value, int *found, gang_db *db, const char *pool, const char *uid,
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

static int serial_take_next(int64_t *value, gang_db *db, const char *pool, const char *uid,
			    int64_t attempt_id, gang_diag *d)
{
	serial_pool_row p;
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
	if ((err = gang_db_board_seen(db, uid, NULL, d)) < 0)
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

static int serial_note_attempt(gang_db *db, const char *pool, int64_t value, int64_t attempt_id,
			       gang_diag *d)
{
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
		return gang_diag_set(d, GANG_ERR, "database %s: attempt %lld does not exist or is closed",
				     db->path, (long long)attempt_id);
	return GANG_OK;
}

static int serial_reserve_tx(int64_t *value, gang_db *db, const char *pool, const char *uid,
			     int64_t attempt_id, gang_diag *d)
{
	int found, err;

	/* Check the attempt first so a bad id is GANG_ERR, not a foreign-key failure. */
	if (attempt_id > 0 && (err = serial_note_attempt(db, pool, 0, attempt_id, d)) < 0)
		return err;
	if ((err = serial_find_live(value, &found, db, pool, uid, d)) < 0)
		return err;
	if (!found && (err = serial_take_next(value, db, pool, uid, attempt_id, d)) < 0)
		return err;
	if (attempt_id > 0)
		return serial_note_attempt(db, pool, *value, attempt_id, d);
	return GANG_OK;
}

int gang_serial_reserve(uint64_t *value_out, gang_db *db, const char *pool, const char *uid,
			int64_t attempt_id, gang_diag *d)
{
	int64_t value = 0;
	int err;

	*value_out = 0;
	if (!pool || !*pool || !uid || !*uid)
		return gang_diag_set(d, GANG_ERR, "serial reserve: pool name or board UID missing");
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = serial_reserve_tx(&value, db, pool, uid, attempt_id, d)) < 0) {
		db_rollback(db);
		return err;
	}
	if ((err = db_commit(db, d)) < 0)
		return err;
	*value_out = (uint64_t)value;
	return GANG_OK;
}

int gang_serial_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d)
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

static int serial_void_check(gang_db *db, const char *pool, uint64_t value, gang_diag *d)
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

static int serial_void_tx(gang_db *db, const char *pool, uint64_t value, const char *reason,
			  gang_diag *d)
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

int gang_serial_void(gang_db *db, const char *pool, uint64_t value, const char *reason, gang_diag *d)
{
	int err;

	if (!reason || !*reason)
		return gang_diag_set(d, GANG_EUSAGE, "voiding serial %llu of pool '%s' needs a reason",
				     (unsigned long long)value, pool ? pool : "");
	if (value >= (uint64_t)INT64_MAX)
		return gang_diag_set(d, GANG_EUSAGE, "serial %llu of pool '%s' was never handed out; nothing to void",
				     (unsigned long long)value, pool ? pool : "");
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = serial_void_tx(db, pool, value, reason, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

static int serial_count_states(gang_serial_pool_counts *out, gang_db *db, const char *pool,
			       gang_diag *d)
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

int gang_serial_pool_status(gang_serial_pool_counts *out, gang_db *db, const char *pool, gang_diag *d)
{
	serial_pool_row p = { 0 };
	int found, err;

	memset(out, 0, sizeof(*out));
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
	out->used = out->next - out->start;
	out->remaining = out->end + 1U - out->next;
	return GANG_OK;
}
