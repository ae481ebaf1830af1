/*
 * pg_lease_bind.c — a station's binding of a leased serial to a board, on
 * the central database (tables lease_bindings and serial_conflicts,
 * db/migrations/pg/0004_lease_bindings.sql). One transaction: a binding
 * already recorded for the value is answered from its row (so delivering
 * it again changes nothing); else the pool's row is locked as a
 * reservation locks it (pg_serial.c), so the board's serial cannot change
 * under the check, and the value is bound, or the board's serial kept
 * and, for a delivered binding, the conflict recorded with both stations.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The binding recorded for b's value earlier: *found, and its answer in out. */
static int pg_bind_recorded(gang_lease_bound *out, int *found, db_pg *db, const gang_lease_binding *b,
			    gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, b->pool);
	pg_p_int(&p, b->value);
	if ((err = pg_q(&r, db,
			"SELECT lb.station, lb.uid, lb.outcome, COALESCE((SELECT s.value FROM serials s WHERE "
			"s.pool = lb.pool AND s.uid = lb.uid AND s.state <> 'void'), lb.value), "
			"COALESCE(c.kept_station, '') FROM lease_bindings lb LEFT JOIN serial_conflicts c "
			"ON c.pool = lb.pool AND c.other_value = lb.value WHERE lb.pool = $1 AND lb.value = $2",
			&p, "looking up a lease binding", d)) < 0)
		return err;
	*found = PQntuples(r) > 0;
	if (*found && (strcmp(PQgetvalue(r, 0, 0), b->station) != 0 || strcmp(PQgetvalue(r, 0, 1), b->uid) != 0))
		err = gang_diag_set(d, GANG_EUSAGE, "serial %lld of pool '%s' is bound already, to board %s by station '%s'",
				    (long long)b->value, b->pool, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0));
	else if (*found) {
		out->outcome = strcmp(PQgetvalue(r, 0, 2), "conflict") == 0 ? GANG_LEASE_CONFLICT : GANG_LEASE_BOUND;
		out->value = pg_int(r, 0, 3);
		pg_copy(out->kept_station, sizeof(out->kept_station), r, 0, 4);
	}
	PQclear(r);
	return err;
}

/* Lock the pool's row and check that b's value lies in a lease of b's station there. */
static int pg_bind_in_lease(db_pg *db, const gang_lease_binding *b, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, n;

	pg_p_text(&p, b->pool);
	if ((err = pg_q(NULL, db, "SELECT next FROM serial_pools WHERE name = $1 FOR UPDATE", &p,
			"locking a serial pool", d)) < 0)
		return err;
	pg_p_text(&p, b->station);
	pg_p_int(&p, b->value);
	if ((err = pg_q(&r, db,
			"SELECT 1 FROM leases WHERE pool = $1 AND station = $2 AND $3 BETWEEN first_value AND last_value",
			&p, "looking up a lease", d)) < 0)
		return err;
	n = PQntuples(r);
	PQclear(r);
	if (n == 0)
		return gang_diag_set(d, GANG_EUSAGE, "serial %lld of pool '%s' is in no lease of station '%s'",
				     (long long)b->value, b->pool, b->station);
	return GANG_OK;
}

/* The board's live serial in the pool (*found) and the station that bound it ("" unknown). */
static int pg_bind_current(int64_t *value, int *found, char *station, size_t cap, db_pg *db,
			   const gang_lease_binding *b, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, b->pool);
	pg_p_text(&p, b->uid);
	if ((err = pg_q(&r, db,
			"SELECT s.value, COALESCE(lb.station, a.station, '') FROM serials s "
			"LEFT JOIN lease_bindings lb ON lb.pool = s.pool AND lb.value = s.value "
			"LEFT JOIN attempts a ON a.id = s.attempt_id "
			"WHERE s.pool = $1 AND s.uid = $2 AND s.state <> 'void'",
			&p, "looking up a board's serial", d)) < 0)
		return err;
	*found = PQntuples(r) > 0;
	if (*found) {
		*value = pg_int(r, 0, 0);
		pg_copy(station, cap, r, 0, 1);
	}
	PQclear(r);
	return GANG_OK;
}

/* Record b as delivered with outcome; a conflict also in serial_conflicts. */
static int pg_bind_record(db_pg *db, const gang_lease_binding *b, const gang_lease_bound *out, gang_diag *d)
{
	pg_params p = { 0 };
	int err;

	pg_p_text(&p, b->pool);
	pg_p_int(&p, b->value);
	pg_p_text(&p, b->station);
	pg_p_text(&p, b->uid);
	pg_p_text(&p, out->outcome == GANG_LEASE_CONFLICT ? "conflict" : "bound");
	if ((err = pg_q(NULL, db,
			"INSERT INTO lease_bindings (pool, value, station, uid, outcome, delivered_at) "
			"VALUES ($1, $2, $3, $4, $5, " PG_NOW_SQL ")",
			&p, "recording a lease binding", d)) < 0 ||
	    out->outcome != GANG_LEASE_CONFLICT)
		return err;
	p = (pg_params){ 0 };   /* every parameter of a statement is used: the server infers each one's type */
	pg_p_text(&p, b->pool);
	pg_p_text(&p, b->uid);
	pg_p_int(&p, out->value);
	pg_p_text(&p, out->kept_station[0] ? out->kept_station : NULL);
	pg_p_int(&p, b->value);
	pg_p_text(&p, b->station);
	return pg_q(NULL, db,
		    "INSERT INTO serial_conflicts (pool, uid, kept_value, kept_station, other_value, other_station, "
		    "recorded_at) VALUES ($1, $2, $3, $4, $5, $6, " PG_NOW_SQL ")",
		    &p, "recording a serial conflict", d);
}

/* The value bound to the board: a serials row as a reservation makes it. */
static int pg_bind_new(db_pg *db, const gang_lease_binding *b, gang_diag *d)
{
	pg_params p = { 0 };
	int err;

	if ((err = pg_board_upsert(db, b->uid, b->part, d)) < 0)
		return err;
	pg_p_text(&p, b->pool);
	pg_p_int(&p, b->value);
	pg_p_text(&p, b->uid);
	return pg_q(NULL, db,
		    "INSERT INTO serials (pool, value, uid, state, reserved_at) VALUES ($1, $2, $3, 'reserved', "
		    PG_NOW_SQL ")",
		    &p, "binding a leased serial", d);
}

/* The open attempt b is for takes the board's serial, as a reservation sets it. */
int pg_bind_attempt(db_pg *db, const gang_lease_binding *b, int64_t value, gang_diag *d)
{
	pg_params p = { 0 };
	int64_t id;
	int err;

	if (!b->attempt)
		return GANG_OK;
	if ((err = pg_attempt_row(&id, db, b->attempt, "binding a leased serial", d)) < 0)
		return err;
	pg_p_text(&p, b->pool);
	pg_p_int(&p, value);
	pg_p_int(&p, id);
	if ((err = pg_q(NULL, db,
			"UPDATE attempts SET serial_pool = $1, serial_value = $2 WHERE id = $3 AND finished_at IS NULL",
			&p, "binding a leased serial", d)) < 0)
		return err;
	pg_p_text(&p, b->uid);
	return pg_q(NULL, db,
		    "UPDATE serials SET attempt_id = $3 WHERE pool = $1 AND value = $2 AND uid = $4 AND attempt_id IS NULL",
		    &p, "binding a leased serial", d);
}

int pg_bind_tx(gang_lease_bound *out, db_pg *db, const gang_lease_binding *b, gang_diag *d)
{
	int found = 0, err;

	if ((err = pg_bind_recorded(out, &found, db, b, d)) < 0)
		return err;
	if (!found) {
		if ((err = pg_bind_in_lease(db, b, d)) < 0 ||
		    (err = pg_bind_current(&out->value, &found, out->kept_station, sizeof(out->kept_station), db, b,
					   d)) < 0)
			return err;
		if (found && out->value != b->value && b->online) {
			out->outcome = GANG_LEASE_EXISTING;
			return pg_bind_attempt(db, b, out->value, d);
		}
		out->outcome = found && out->value != b->value ? GANG_LEASE_CONFLICT : GANG_LEASE_BOUND;
		if (!found) {
			out->value = b->value;
			out->kept_station[0] = '\0';
			err = pg_bind_new(db, b, d);
		}
		if (err < 0 || (err = pg_bind_record(db, b, out, d)) < 0)
			return err;
	}
	return pg_bind_attempt(db, b, out->value, d);
}

int db_pg_lease_bind(gang_lease_bound *out, db_pg *db, const gang_lease_binding *b, gang_diag *d)
{
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_bind_tx(out, db, b, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

int db_pg_serial_conflicts(gang_serial_conflict **out, size_t *n_out, db_pg *db, gang_diag *d)
{
	PGresult *r;
	int err, n;

	*out = NULL;
	*n_out = 0;
	if ((err = pg_q(&r, db,
			"SELECT pool, uid, kept_value, COALESCE(kept_station, ''), other_value, other_station, recorded_at "
			"FROM serial_conflicts ORDER BY id",
			NULL, "listing serial conflicts", d)) < 0)
		return err;
	n = PQntuples(r);
	if (n > 0 && !(*out = calloc((size_t)n, sizeof(**out)))) {
		PQclear(r);
		return gang_diag_set(d, GANG_ENOMEM, "out of memory listing serial conflicts");
	}
	for (int i = 0; i < n; i++) {
		gang_serial_conflict *c = &(*out)[i];

		pg_copy(c->pool, sizeof(c->pool), r, i, 0);
		pg_copy(c->uid, sizeof(c->uid), r, i, 1);
		c->kept_value = pg_int(r, i, 2);
		pg_copy(c->kept_station, sizeof(c->kept_station), r, i, 3);
		c->other_value = pg_int(r, i, 4);
		pg_copy(c->other_station, sizeof(c->other_station), r, i, 5);
		pg_copy(c->recorded_at, sizeof(c->recorded_at), r, i, 6);
	}
	*n_out = (size_t)n;
	PQclear(r);
	return GANG_OK;
}

int db_pg_lease_unused(int64_t *out, size_t cap, size_t *n_out, db_pg *db, const char *station, const char *pool,
		       gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, station);
	pg_p_text(&p, pool);
	pg_p_int(&p, (int64_t)cap);
	if ((err = pg_q(&r, db,
			"SELECT v FROM leases l CROSS JOIN LATERAL generate_series(l.first_value, l.last_value) v "
			"WHERE l.station = $1 AND l.pool = $2 AND l.voided_at IS NULL "
			"AND NOT EXISTS (SELECT 1 FROM lease_bindings b WHERE b.pool = l.pool AND b.value = v) "
			"AND NOT EXISTS (SELECT 1 FROM serials s WHERE s.pool = l.pool AND s.value = v) "
			"ORDER BY v LIMIT $3",
			&p, "reading a station's leases", d)) < 0)
		return err;
	*n_out = (size_t)PQntuples(r);
	for (size_t i = 0; i < *n_out; i++)
		out[i] = pg_int(r, (int)i, 0);
	PQclear(r);
	return GANG_OK;
}
