/*
 * pg_lease.c — serial leases on the central database (table leases,
 * db/migrations/pg/0003_leases.sql). Taking a lease locks the pool's row
 * as a reservation does (pg_serial.c), moves the pool's next past the
 * block and records it, in one transaction: no other station or thread is
 * ever handed a leased value. Voiding marks live leases void with the
 * engineer's reason; the values of a void lease without a serials row are
 * never used (the pool's next is already past them).
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pool's row, locked until COMMIT: its next value and end. */
static int pg_lease_pool(int64_t *next, int64_t *end, db_pg *db, const char *pool, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, pool);
	if ((err = pg_q(&r, db, "SELECT next, \"end\" FROM serial_pools WHERE name = $1 FOR UPDATE", &p,
			"locking a serial pool", d)) < 0)
		return err;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return gang_diag_set(d, GANG_EUSAGE, "database %s: no serial pool '%s'", db->shown, pool);
	}
	*next = pg_int(r, 0, 0);
	*end = pg_int(r, 0, 1);
	PQclear(r);
	if (*next > *end)
		return gang_diag_set(d, GANG_ESERIAL_EXHAUSTED, "serial pool '%s' exhausted (no value left to lease)",
				     pool);
	return GANG_OK;
}

static int pg_lease_take_tx(gang_db_lease *out, db_pg *db, const char *station, const char *pool, uint32_t n,
			    gang_diag *d)
{
	pg_params p = { 0 };
	int64_t next = 0, end = 0;
	PGresult *r;
	int err;

	if ((err = pg_lease_pool(&next, &end, db, pool, d)) < 0)
		return err;
	out->first = next;
	out->last = end - next + 1 < (int64_t)n ? end : next + (int64_t)n - 1;
	pg_p_text(&p, pool);
	pg_p_int(&p, out->last + 1);
	if ((err = pg_q(NULL, db, "UPDATE serial_pools SET next = $2 WHERE name = $1", &p, "taking a lease", d)) < 0)
		return err;
	pg_p_int(&p, out->first);
	pg_p_text(&p, station);
	if ((err = pg_q(&r, db,
			"INSERT INTO leases (station, pool, first_value, last_value, taken_at) "
			"VALUES ($4, $1, $3, $2::bigint - 1, " PG_NOW_SQL ") RETURNING id",
			&p, "taking a lease", d)) < 0)
		return err;
	out->id = pg_int(r, 0, 0);
	PQclear(r);
	snprintf(out->station, sizeof(out->station), "%s", station);
	snprintf(out->pool, sizeof(out->pool), "%s", pool);
	return GANG_OK;
}

int db_pg_lease_take(gang_db_lease *out, db_pg *db, const char *station, const char *pool, uint32_t n,
		     gang_diag *d)
{
	int err;

	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_lease_take_tx(out, db, station, pool, n, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

/* The leases voided, each with how many of its values are bound to a board. */
static int pg_lease_voided(int *n_out, PGresult *r, gang_db_lease_fn fn, void *user, gang_diag *d)
{
	int err = GANG_OK;

	*n_out = PQntuples(r);
	for (int i = 0; i < *n_out && err == GANG_OK && fn; i++) {
		gang_db_lease l = { .id = pg_int(r, i, 0), .first = pg_int(r, i, 3), .last = pg_int(r, i, 4),
				    .used = pg_int(r, i, 5) };

		pg_copy(l.station, sizeof(l.station), r, i, 1);
		pg_copy(l.pool, sizeof(l.pool), r, i, 2);
		err = fn(user, &l, d);
	}
	return err;
}

int db_pg_lease_void(int *n_out, db_pg *db, const char *which, const char *reason, gang_db_lease_fn fn,
		     void *user, gang_diag *d)
{
	pg_params p = { 0 };
	size_t digits = strspn(which, "0123456789");
	PGresult *r;
	int err;

	pg_p_text(&p, which);
	pg_p_text(&p, reason);
	if (digits > 0 && digits <= 18 && !which[digits])   /* a lease id */
		pg_p_int(&p, strtoll(which, NULL, 10));
	else
		pg_p_text(&p, NULL);
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_q(&r, db,
			"UPDATE leases l SET voided_at = " PG_NOW_SQL ", void_reason = $2 WHERE voided_at IS NULL "
			"AND (l.id = $3::bigint OR ($3::bigint IS NULL AND l.station = $1)) "
			"RETURNING l.id, l.station, l.pool, l.first_value, l.last_value, (SELECT count(*) FROM serials s "
			"WHERE s.pool = l.pool AND s.value BETWEEN l.first_value AND l.last_value)",
			&p, "voiding a lease", d)) < 0) {
		pg_rollback(db);
		return err;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		pg_rollback(db);
		return gang_diag_set(d, GANG_EUSAGE, "database %s: '%s' names no live lease (a lease id or a station)",
				     db->shown, which);
	}
	err = pg_lease_voided(n_out, r, fn, user, d);
	PQclear(r);
	if (err < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}
