/*
 * pg_serial.c — serial pools in the PostgreSQL backend (tables serial_pools
 * and serials, db/migrations/pg/0001_schema.sql). A reservation is one
 * statement (the server function of migration 0008) that locks the pool's
 * row (SELECT ... FOR UPDATE, PostgreSQL 15 manual 13.3.2 "Row-Level
 * Locks"), so reservations of one pool from every station and thread run
 * one after another: the second
 * for the same UID sees the first's serial and gets the same value, and
 * two boards never get the same one. The constraints (PRIMARY KEY (pool,
 * value), unique live (pool, uid), no deletes, void is final) are the
 * guarantee; this code only chooses values. The rules and argument checks
 * are serial/serial_alloc.c's.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <string.h>

static int pg_pool_load(gang_store_pool *out, int *found, db_pg *db, const char *pool, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	*found = 0;
	pg_p_text(&p, pool);
	if ((err = pg_q(&r, db, "SELECT start, \"end\", next, format FROM serial_pools WHERE name = $1", &p,
			"reading a serial pool", d)) < 0)
		return err;
	if (PQntuples(r) > 0) {
		*found = 1;
		out->start = pg_int(r, 0, 0);
		out->end = pg_int(r, 0, 1);
		out->next = pg_int(r, 0, 2);
		pg_copy(out->format, sizeof(out->format), r, 0, 3);
	}
	PQclear(r);
	return GANG_OK;
}

int db_pg_serial_pool_get(gang_store_pool *out, int *found, db_pg *db, const char *pool, gang_diag *d)
{
	return pg_pool_load(out, found, db, pool, d);
}

/* ON CONFLICT DO NOTHING: two stations creating the pool together both end up reading the one stored. */
static int pg_pool_create_tx(gang_store_pool *have, int *found, db_pg *db, const char *pool, uint64_t start,
			     uint64_t end, const char *format, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int64_t made;
	int err;

	pg_p_text(&p, pool);
	pg_p_int(&p, (int64_t)start);
	pg_p_int(&p, (int64_t)end);
	pg_p_text(&p, format ? format : "");
	if ((err = pg_q(&r, db,
			"INSERT INTO serial_pools (name, start, \"end\", next, format, created_at) "
			"VALUES ($1, $2, $3, $2, $4, " PG_NOW_SQL ") ON CONFLICT (name) DO NOTHING",
			&p, "creating a serial pool", d)) < 0)
		return err;
	made = pg_changed(r);
	PQclear(r);
	if (made == 1)
		return GANG_OK;
	return pg_pool_load(have, found, db, pool, d);
}

int db_pg_serial_pool_create(gang_store_pool *have, int *found, db_pg *db, const char *pool, uint64_t start,
			     uint64_t end, const char *format, gang_diag *d)
{
	int err;

	*found = 0;
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_pool_create_tx(have, found, db, pool, start, end, format, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

/*
 * One statement, gang_serial_reserve (db/migrations/pg/0011_record_locks.sql),
 * in its own transaction: the pool's row is locked on the server for three
 * statements and no round trip. Running it again after a lost connection
 * is safe: the same UID gets the same serial.
 */
int db_pg_serial_reserve(int64_t *value_out, db_pg *db, const char *pool, const char *uid,
			 const gang_attempt_key *attempt, gang_diag *d)
{
	char kt[GANG_DB_KEY_TEXT_MAX] = "";
	pg_params p = { 0 };
	int64_t attempt_id = 0;
	PGresult *r;
	int err;

	/* the attempt first so a bad key is GANG_ERR, not a foreign-key failure */
	if (attempt && (err = pg_attempt_row(&attempt_id, db, attempt, "reserving a serial", d)) < 0)
		return err;
	if (!uid || !*uid)
		return gang_diag_set(d, GANG_ERR, "database %s: board UID missing", db->shown);
	if (attempt)
		gang_attempt_key_text(kt, sizeof(kt), attempt);
	pg_p_text(&p, pool);
	pg_p_text(&p, uid);
	if (attempt_id > 0)
		pg_p_int(&p, attempt_id);
	else
		pg_p_text(&p, NULL);
	pg_p_text(&p, kt);
	if ((err = pg_q(&r, db, "SELECT gang_serial_reserve($1, $2, $3::bigint, $4)", &p, "reserving a serial", d)) < 0)
		return err;
	*value_out = pg_int(r, 0, 0);
	PQclear(r);
	return GANG_OK;
}

int db_pg_serial_burn(db_pg *db, const char *pool, const char *uid, gang_diag *d)
{
	int err;

	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_serial_burn_tx(db, pool, -1, uid, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

static int pg_void_tx(db_pg *db, const char *pool, uint64_t value, const char *reason, gang_diag *d)
{
	char state[16], at[40], why[256];
	pg_params p = { 0 };
	PGresult *r;
	int err, n;

	pg_p_text(&p, pool);
	pg_p_int(&p, (int64_t)value);
	if ((err = pg_q(&r, db, "SELECT state, voided_at, reason FROM serials WHERE pool = $1 AND value = $2 FOR UPDATE",
			&p, "reading a serial", d)) < 0)
		return err;
	n = PQntuples(r);
	pg_copy(state, sizeof(state), r, 0, 0);
	pg_copy(at, sizeof(at), r, 0, 1);
	pg_copy(why, sizeof(why), r, 0, 2);
	PQclear(r);
	if (n == 0)
		return gang_diag_set(d, GANG_EUSAGE, "serial %llu of pool '%s' was never handed out; nothing to void",
				     (unsigned long long)value, pool);
	if (strcmp(state, "void") == 0)
		return gang_diag_set(d, GANG_EUSAGE, "serial %llu of pool '%s' is already void since %s (%s)",
				     (unsigned long long)value, pool, at, why);
	pg_p_text(&p, reason);
	return pg_q(NULL, db,
		    "UPDATE serials SET state = 'void', voided_at = " PG_NOW_SQL ", reason = $3 "
		    "WHERE pool = $1 AND value = $2",
		    &p, "voiding a serial", d);
}

int db_pg_serial_void(db_pg *db, const char *pool, uint64_t value, const char *reason, gang_diag *d)
{
	int err;

	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_void_tx(db, pool, value, reason, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

/* One statement: the pool's range and next and its counts are of one snapshot. */
int db_pg_serial_status(gang_serial_pool_counts *out, db_pg *db, const char *pool, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, pool);
	if ((err = pg_q(&r, db,
			"SELECT start, \"end\", next, (SELECT count(*) FILTER (WHERE state = 'reserved') FROM serials "
			"WHERE pool = $1), (SELECT count(*) FILTER (WHERE state = 'burned') FROM serials WHERE pool = $1), "
			"(SELECT count(*) FILTER (WHERE state = 'void') FROM serials WHERE pool = $1) "
			"FROM serial_pools WHERE name = $1",
			&p, "counting serials", d)) < 0)
		return err;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return gang_diag_set(d, GANG_EDB, "database %s: serial pool '%s' does not exist", db->shown, pool);
	}
	out->start = (uint64_t)pg_int(r, 0, 0);
	out->end = (uint64_t)pg_int(r, 0, 1);
	out->next = (uint64_t)pg_int(r, 0, 2);
	out->reserved = (uint64_t)pg_int(r, 0, 3);
	out->burned = (uint64_t)pg_int(r, 0, 4);
	out->voided = (uint64_t)pg_int(r, 0, 5);
	PQclear(r);
	return GANG_OK;
}

int db_pg_serial_pool_names(char *out, size_t cap, db_pg *db, gang_diag *d)
{
	PGresult *r;
	size_t o = 0;
	int err;

	out[0] = '\0';
	if ((err = pg_q(&r, db, "SELECT name FROM serial_pools ORDER BY name COLLATE \"C\"", NULL,
			"listing the serial pools", d)) < 0)
		return err;
	for (int i = 0; i < PQntuples(r) && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? ", " : "", PQgetvalue(r, i, 0));
	PQclear(r);
	if (!out[0])
		snprintf(out, cap, "none");
	return GANG_OK;
}

int db_pg_serial_find_text(uint64_t *first_out, int *n_out, db_pg *db, const char *pool, const char *text,
			   gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	*first_out = 0;
	*n_out = 0;
	pg_p_text(&p, pool);
	pg_p_text(&p, text);
	if ((err = pg_q(&r, db,
			"SELECT DISTINCT serial_value FROM attempts WHERE serial_pool = $1 AND serial_text = $2 "
			"AND serial_value IS NOT NULL ORDER BY serial_value",
			&p, "looking up a serial text", d)) < 0)
		return err;
	*n_out = PQntuples(r);
	if (*n_out)
		*first_out = (uint64_t)pg_int(r, 0, 0);
	PQclear(r);
	return GANG_OK;
}

static const char *pg_col(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

int db_pg_serial_list(db_pg *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
		      gang_diag *d)
{
	pg_params p = { 0 };
	gang_serial_row row;
	PGresult *r;
	int err;

	pg_p_text(&p, pool);
	pg_p_text(&p, state);
	/* the text is the one rendered on the serial's latest attempt (a failed one may be all there is) */
	if ((err = pg_q(&r, db,
			"SELECT s.value, s.state, s.uid, COALESCE((SELECT a.serial_text FROM attempts a WHERE "
			"a.serial_pool = s.pool AND a.serial_value = s.value AND a.serial_text IS NOT NULL "
			"ORDER BY a.id DESC LIMIT 1), ''), s.reserved_at, s.burned_at, s.voided_at, s.reason "
			"FROM serials s WHERE s.pool = $1 AND ($2::text IS NULL OR s.state = $2) ORDER BY s.value",
			&p, "listing serials", d)) < 0)
		return err;
	for (int i = 0; err == GANG_OK && i < PQntuples(r); i++) {
		row = (gang_serial_row){ .value = (uint64_t)pg_int(r, i, 0), .state = pg_col(r, i, 1),
					 .uid = pg_col(r, i, 2), .text = pg_col(r, i, 3),
					 .reserved_at = pg_col(r, i, 4), .burned_at = pg_col(r, i, 5),
					 .voided_at = pg_col(r, i, 6), .reason = pg_col(r, i, 7) };
		err = fn(user, &row, d);
	}
	PQclear(r);
	return err;
}
