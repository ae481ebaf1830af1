/*
 * pg_trace.c — `gang trace` on PostgreSQL: which boards a key names and
 * everything recorded about one board, as src/db/sqlite/sqlite_report.c
 * answers it (the lookups store.c tries in its order, text sorted bytewise).
 * A board's record is read in one REPEATABLE READ READ ONLY transaction,
 * so its attempts and serials are one snapshot (PostgreSQL 15 manual
 * 13.2.2).
 */
#include "db/db_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg/pg_internal.h"


/* Columns in gang_trace_field order; the duration as SQLite's julianday arithmetic gives it, in ms. */
#define PG_TRACE_ATTEMPT_COLS                                                                              \
	"id, started_at, finished_at, round(extract(epoch FROM (finished_at::timestamptz - "                \
	"started_at::timestamptz)) * 1000)::bigint, result, error_class, error_message, slot, probe_serial, " \
	"operator, station, batch, profile_name, profile_sha256, image_sha256, part, connect_mode, "          \
	"rdp_before, option_bytes, serial_pool, serial_value, serial_text, "                                 \
	"CASE WHEN COALESCE(station, '') = '' THEN seq::text ELSE station || '/' || seq END"

static char *pg_dup(PGresult *r, int row, int col, int *oom)
{
	char *s;

	if (PQgetisnull(r, row, col))
		return NULL;
	if (!(s = strdup(PQgetvalue(r, row, col))))
		*oom = 1;
	return s;
}

static int pg_trace_collect(char ***v, size_t *n, db_pg *db, const char *sql, const char *key, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, oom = 0;

	pg_p_text(&p, key);
	if ((err = pg_q(&r, db, sql, &p, "looking up a board", d)) < 0)
		return err;
	if (PQntuples(r) && !(*v = calloc((size_t)PQntuples(r), sizeof(**v))))
		oom = 1;
	for (int i = 0; !oom && i < PQntuples(r); i++)
		(*v)[(*n)++] = pg_dup(r, i, 0, &oom);
	PQclear(r);
	return oom ? gang_diag_set(d, GANG_ENOMEM, "out of memory tracing '%s'", key) : GANG_OK;
}

int db_pg_trace_lookup(char ***uids_out, size_t *n_out, db_pg *db, gang_trace_by by, const char *key,
			   gang_diag *d)
{
	static const char *const sql[] = {
		[GANG_TRACE_BY_UID] =
			"SELECT uid FROM boards WHERE uid IN (upper($1), lower($1)) ORDER BY uid COLLATE \"C\"",
		[GANG_TRACE_BY_BOARD_SERIAL] = "SELECT uid FROM boards WHERE serial = $1 ORDER BY uid COLLATE \"C\"",
		/* a failed board has its serial text only on the attempt (boards.serial is set on a pass) */
		[GANG_TRACE_BY_ATTEMPT_TEXT] = "SELECT DISTINCT uid COLLATE \"C\" FROM attempts WHERE serial_text = $1 "
					       "AND uid IS NOT NULL ORDER BY 1",
		[GANG_TRACE_BY_SERIAL_VALUE] =
			"SELECT DISTINCT uid COLLATE \"C\" FROM serials WHERE value = $1::bigint ORDER BY 1",
	};

	if ((unsigned)by >= sizeof(sql) / sizeof(sql[0]))
		return gang_diag_set(d, GANG_ERR, "trace: unknown lookup %d", (int)by);
	return pg_trace_collect(uids_out, n_out, db, sql[by], key, d);
}

static int pg_trace_steps(gang_trace_attempt *a, db_pg *db, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, oom = 0, n;

	pg_p_text(&p, a->f[GANG_TF_ID]);
	if ((err = pg_q(&r, db, "SELECT step, result, duration_ms, detail, at FROM steps WHERE attempt_id = $1 "
			"ORDER BY id", &p, "reading an attempt's steps", d)) < 0)
		return err;
	n = PQntuples(r);
	if (n && !(a->steps = calloc((size_t)n, sizeof(*a->steps))))
		oom = 1;
	for (int i = 0; !oom && i < n; i++, a->n_steps++) {
		gang_trace_step *s = &a->steps[i];

		s->step = pg_dup(r, i, 0, &oom);
		s->result = pg_dup(r, i, 1, &oom);
		s->duration_ms = pg_int(r, i, 2);
		s->detail = pg_dup(r, i, 3, &oom);
		s->at = pg_dup(r, i, 4, &oom);
	}
	PQclear(r);
	return oom ? gang_diag_set(d, GANG_ENOMEM, "out of memory reading steps") : GANG_OK;
}

static int pg_trace_attempts(gang_trace_board *b, db_pg *db, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, oom = 0, n;

	pg_p_text(&p, b->uid);
	if ((err = pg_q(&r, db, "SELECT " PG_TRACE_ATTEMPT_COLS " FROM attempts WHERE uid = $1 ORDER BY "
			"started_at COLLATE \"C\", id", &p, "reading a board's attempts", d)) < 0)
		return err;
	n = PQntuples(r);
	if (n && !(b->attempts = calloc((size_t)n, sizeof(*b->attempts))))
		oom = 1;
	for (int i = 0; !oom && i < n; i++, b->n_attempts++)
		for (int f = 0; f < GANG_TF_COUNT; f++)
			b->attempts[i].f[f] = pg_dup(r, i, f, &oom);
	PQclear(r);
	if (oom)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory reading attempts of %s", b->uid);
	for (size_t i = 0; err == GANG_OK && i < b->n_attempts; i++)
		err = pg_trace_steps(&b->attempts[i], db, d);
	return err;
}

static int pg_trace_serials(gang_trace_board *b, db_pg *db, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, oom = 0, n;

	pg_p_text(&p, b->uid);
	if ((err = pg_q(&r, db, "SELECT pool, value, state, reserved_at, burned_at, voided_at, reason FROM serials "
			"WHERE uid = $1 ORDER BY reserved_at COLLATE \"C\", pool COLLATE \"C\", value",
			&p, "reading a board's serials", d)) < 0)
		return err;
	n = PQntuples(r);
	if (n && !(b->serials = calloc((size_t)n, sizeof(*b->serials))))
		oom = 1;
	for (int i = 0; !oom && i < n; i++, b->n_serials++) {
		gang_trace_serial *s = &b->serials[i];

		s->pool = pg_dup(r, i, 0, &oom);
		s->value = pg_int(r, i, 1);
		s->state = pg_dup(r, i, 2, &oom);
		s->reserved_at = pg_dup(r, i, 3, &oom);
		s->burned_at = pg_dup(r, i, 4, &oom);
		s->voided_at = pg_dup(r, i, 5, &oom);
		s->reason = pg_dup(r, i, 6, &oom);
	}
	PQclear(r);
	return oom ? gang_diag_set(d, GANG_ENOMEM, "out of memory reading serials of %s", b->uid) : GANG_OK;
}

static int pg_trace_board_row(gang_trace_board *b, db_pg *db, const char *uid, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, oom = 0;

	pg_p_text(&p, uid);
	if ((err = pg_q(&r, db, "SELECT uid, serial, part, first_seen, last_seen, last_result FROM boards "
			"WHERE uid = $1", &p, "reading a board", d)) < 0)
		return err;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return gang_diag_set(d, GANG_EDB, "database %s: no board with UID %s", db->shown, uid);
	}
	b->uid = pg_dup(r, 0, 0, &oom);
	b->serial = pg_dup(r, 0, 1, &oom);
	b->part = pg_dup(r, 0, 2, &oom);
	b->first_seen = pg_dup(r, 0, 3, &oom);
	b->last_seen = pg_dup(r, 0, 4, &oom);
	b->last_result = pg_dup(r, 0, 5, &oom);
	PQclear(r);
	return oom || !b->uid ? gang_diag_set(d, GANG_ENOMEM, "out of memory reading board %s", uid) : GANG_OK;
}

int db_pg_trace_board(gang_trace_board **out, db_pg *db, const char *uid, gang_diag *d)
{
	gang_trace_board *b = calloc(1, sizeof(*b));
	int err;

	*out = NULL;
	if (!b)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory tracing %s", uid);
	if ((err = pg_begin_as(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "reading a board", d)) < 0)
		goto fail;
	if ((err = pg_trace_board_row(b, db, uid, d)) == GANG_OK && (err = pg_trace_attempts(b, db, d)) == GANG_OK)
		err = pg_trace_serials(b, db, d);
	pg_rollback(db);
	if (err < 0)
		goto fail;
	*out = b;
	return GANG_OK;
fail:
	gang_db_trace_board_free(b);
	return err;
}
