/*
 * serial_admin.c — the engineer's side of the serial pools (`gang serial`):
 * find a pool's serial by the text it was rendered as, list a pool's
 * serials with the boards they are bound to, and name an unknown pool with
 * the pools that do exist. Voiding itself is gang_serial_void
 * (serial_alloc.c). Tables: db/schema.sql (serials, serial_pools, attempts).
 */
#include "serial/serial_alloc.h"

#include <stdio.h>
#include <string.h>

#include "db/db_internal.h"

/* "a, b, c" of the pools in db (at most cap bytes; "none" when empty). */
static int serial_pool_names(char *out, size_t cap, gang_db *db, gang_diag *d)
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

int gang_serial_pool_known(gang_db *db, const char *pool, gang_diag *d)
{
	sqlite3_stmt *st;
	char names[256];
	int rc, err, found;

	if ((err = db_prepare(&st, db, "SELECT count(*) FROM serial_pools WHERE name = ?1", d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc, d, "looking up a serial pool");
	if (found)
		return GANG_OK;
	if ((err = serial_pool_names(names, sizeof(names), db, d)) < 0)
		return err;
	return gang_diag_set(d, GANG_EUSAGE, "serial pool '%s' does not exist in database %s (its pools: %s)", pool,
			     db->path, names);
}

int gang_serial_find_text(uint64_t *value_out, gang_db *db, const char *pool, const char *text, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err, n = 0;

	*value_out = 0;
	if ((err = db_prepare(&st, db,
			      "SELECT DISTINCT serial_value FROM attempts WHERE serial_pool = ?1 AND serial_text = ?2 "
			      "AND serial_value IS NOT NULL ORDER BY serial_value",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, text);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n++ == 0)
			*value_out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, rc, d, "looking up a serial text");
	if (n == 0)
		return gang_diag_set(d, GANG_EUSAGE, "no serial of pool '%s' was rendered as '%s' (give its number: "
				     "gang serial list %s)", pool, text, pool);
	if (n > 1)
		return gang_diag_set(d, GANG_EUSAGE, "serial text '%s' of pool '%s' was rendered from %d values; give "
				     "the number instead (gang serial list %s)", text, pool, n, pool);
	return GANG_OK;
}

static const char *serial_col(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? (const char *)s : "";
}

int gang_serial_list(gang_db *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
		     gang_diag *d)
{
	sqlite3_stmt *st;
	gang_serial_row r;
	int rc, err = GANG_OK;

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
