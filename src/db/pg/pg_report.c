/*
 * pg_report.c — every statement behind `gang report` and `gang trace` on
 * PostgreSQL (db/db_report.h), the same questions as
 * src/db/sqlite/sqlite_report.c asks, with the same answers: text is
 * compared and sorted bytewise (COLLATE "C", as SQLite's BINARY), so the
 * server's locale changes nothing. Read-only: nothing here writes.
 *
 * The report reads its rows through a cursor, PG_REPORT_BLOCK at a time
 * (PostgreSQL 15 manual, DECLARE and FETCH), in one REPEATABLE READ READ
 * ONLY transaction, so the rows are of one snapshot as the single
 * statement's were and a million attempts are never held in memory at
 * once. Single-row mode (libpq docs 34.6) did the same with a PGresult per
 * row: over a million attempts that allocation and copying was most of the
 * client's time.
 */
#include "db/db_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg/pg_internal.h"

/* Rows per FETCH: a block of attempts is a few MB in the client, and a million attempts are 100 round trips. */
#define PG_REPORT_BLOCK 10000
#define PG_REPORT_STR_(x) #x
#define PG_REPORT_STR(x) PG_REPORT_STR_(x)

/*
 * A failed attempt's board: its live data values and its scanned labels,
 * worded and ordered as the SQLite backend's (bytewise), packed with the
 * step, serial and message in one column (store.h gang_report_row_unpack).
 */
#define PG_REPORT_DATA_SQL                                                                                    \
	"COALESCE((SELECT string_agg(CASE WHEN p.kind = 'mac' THEN x.pool || ' ' || "                          \
	"regexp_replace(upper(lpad(to_hex(p.first + x.idx), 12, '0')), '(..)(?=.)', '\\1:', 'g') "          \
	"WHEN p.secret = 1 THEN x.pool || ' #' || x.idx || ' sha256 ' || v.sha256 ELSE x.pool || ' #' || "     \
	"x.idx || ' 0x' || substr(v.value, 1, 64) || CASE WHEN length(v.value) > 64 THEN '...' ELSE '' END "  \
	"END, '; ' ORDER BY x.pool COLLATE \"C\") FROM data_allocs x JOIN data_pools p ON p.name = x.pool "    \
	"LEFT JOIN data_values v ON v.pool = x.pool AND v.idx = x.idx WHERE x.uid = a.uid AND "              \
	"x.state <> 'void'), '')"
#define PG_REPORT_LABEL_SQL                                                                                   \
	"COALESCE((SELECT string_agg(replace(text, chr(31), ' '), ', ' ORDER BY scanned_at COLLATE \"C\", "    \
	"text COLLATE \"C\") FROM scans WHERE uid = a.uid), '')"

static const char *const pg_report_sql =
	"DECLARE gang_report NO SCROLL CURSOR FOR SELECT a.id, a.uid, a.slot, a.probe_serial, a.result, a.error_class, a.started_at, a.finished_at, "
	"CASE WHEN a.result = 'fail' THEN COALESCE((SELECT s.step FROM steps s WHERE s.attempt_id = a.id AND "
	"s.result = 'fail' ORDER BY s.id LIMIT 1), '') || '" GANG_REPORT_SEP "' || COALESCE(a.serial_text, "
	"COALESCE(a.serial_pool || ' ' || a.serial_value, '')) || '" GANG_REPORT_SEP "' || " PG_REPORT_DATA_SQL
	" || '" GANG_REPORT_SEP "' || " PG_REPORT_LABEL_SQL " || '" GANG_REPORT_SEP "' || "
	"COALESCE(a.error_message, '') END, "
	"a.batch, a.profile_name, a.profile_sha256, a.image_sha256, a.station, a.operator, a.seq FROM attempts a "
	"WHERE ($1::text IS NULL OR a.batch = $1) AND ($2::text IS NULL OR a.started_at COLLATE \"C\" >= $2) "
	"AND ($3::text IS NULL OR a.started_at COLLATE \"C\" < $3)";

static const char *pg_val(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static char *pg_dup(PGresult *r, int row, int col, int *oom)
{
	char *s;

	if (PQgetisnull(r, row, col))
		return NULL;
	if (!(s = strdup(PQgetvalue(r, row, col))))
		*oom = 1;
	return s;
}

static void pg_report_row_read(gang_report_row *row, PGresult *r, int i)
{
	memset(row, 0, sizeof(*row));
	row->id = pg_int(r, i, 0);
	row->uid = pg_val(r, i, 1);
	row->slot = pg_val(r, i, 2);
	row->probe_serial = pg_val(r, i, 3);
	row->result = pg_val(r, i, 4);
	row->error_class = pg_val(r, i, 5);
	row->started_at = pg_val(r, i, 6);
	row->finished_at = pg_val(r, i, 7);
	row->batch = pg_val(r, i, 9);
	row->profile_name = pg_val(r, i, 10);
	row->profile_sha256 = pg_val(r, i, 11);
	row->image_sha256 = pg_val(r, i, 12);
	row->station = pg_val(r, i, 13);
	row->operator_name = pg_val(r, i, 14);
	row->seq = pg_int(r, i, 15);
	if (!PQgetisnull(r, i, 8))
		gang_report_row_unpack(row, PQgetvalue(r, i, 8));
}

/* The cursor's next block to fn, row by row; *n_out the block's rows (fewer than a block: the last one). */
static int pg_report_block(int *n_out, db_pg *db, gang_report_row_fn fn, void *ctx, gang_diag *d)
{
	gang_report_row row;
	PGresult *r;
	int err;

	*n_out = 0;
	if ((err = pg_q(&r, db, "FETCH FORWARD " PG_REPORT_STR(PG_REPORT_BLOCK) " FROM gang_report", NULL,
			"reading attempts for a report", d)) < 0)
		return err;
	*n_out = PQntuples(r);
	for (int i = 0; err == GANG_OK && i < *n_out; i++) {
		pg_report_row_read(&row, r, i);
		err = fn(ctx, &row);
	}
	PQclear(r);
	return err;
}

int db_pg_report_scan(db_pg *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx, gang_diag *d)
{
	pg_params p = { 0 };
	int err, c, n = PG_REPORT_BLOCK;

	pg_p_text(&p, f->batch);
	pg_p_text(&p, f->since);
	pg_p_text(&p, f->until);
	if ((err = pg_q(NULL, db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL,
			"reading attempts for a report", d)) < 0)
		return err;
	db->in_tx = 1;
	err = pg_q(NULL, db, pg_report_sql, &p, "reading attempts for a report", d);
	while (err == GANG_OK && n == PG_REPORT_BLOCK)
		err = pg_report_block(&n, db, fn, ctx, d);
	if (err < 0) {
		pg_rollback(db);
		return err;
	}
	/* read only: COMMIT ends the snapshot and closes the cursor; fn's positive answer is kept */
	c = pg_commit(db, d);
	return c < 0 ? c : err;
}

static int pg_report_pool_add(gang_report_pool *p, PGresult *r, int i)
{
	int oom = 0;

	p->name = pg_dup(r, i, 0, &oom);
	p->range_start = pg_int(r, i, 1);
	p->range_end = pg_int(r, i, 2);
	p->min_value = pg_int(r, i, 3);
	p->max_value = pg_int(r, i, 4);
	p->reserved = pg_int(r, i, 5);
	p->burned = pg_int(r, i, 6);
	p->voided = pg_int(r, i, 7);
	return oom || !p->name ? GANG_ENOMEM : GANG_OK;
}

int db_pg_report_pools(gang_report_pool **out, size_t *n_out, db_pg *db, const gang_report_filter *f,
		       gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, n;

	*out = NULL;
	*n_out = 0;
	pg_p_text(&p, f->batch);
	pg_p_text(&p, f->since);
	pg_p_text(&p, f->until);
	/* one statement: every pool's numbers are of one snapshot; pools with no serial in the window are left out */
	if ((err = pg_q(&r, db,
			"SELECT p.name, p.start, p.\"end\", min(s.value), max(s.value), count(*) FILTER (WHERE "
			"s.state = 'reserved'), count(*) FILTER (WHERE s.state = 'burned'), count(*) FILTER (WHERE "
			"s.state = 'void') FROM serial_pools p JOIN serials s ON s.pool = p.name WHERE ($1::text IS "
			"NULL OR s.attempt_id IN (SELECT id FROM attempts WHERE batch = $1)) AND ($2::text IS NULL OR "
			"s.reserved_at COLLATE \"C\" >= $2) AND ($3::text IS NULL OR s.reserved_at COLLATE \"C\" < $3) "
			"GROUP BY p.name, p.start, p.\"end\" ORDER BY p.name COLLATE \"C\"",
			&p, "reading serial pools for a report", d)) < 0)
		return err;
	n = PQntuples(r);
	if (n && !(*out = calloc((size_t)n, sizeof(**out))))
		err = GANG_ENOMEM;
	for (int i = 0; err == GANG_OK && i < n; i++, (*n_out)++)
		err = pg_report_pool_add(&(*out)[i], r, i);
	PQclear(r);
	if (err < 0) {
		gang_db_report_pools_free(*out, (size_t)n);   /* calloc'd: entries not reached hold NULL */
		*out = NULL;
		*n_out = 0;
		return gang_diag_set(d, GANG_ENOMEM, "out of memory reading serial pools of %s", db->shown);
	}
	return GANG_OK;
}

static int pg_report_data_pool_add(gang_report_data_pool *p, PGresult *r, int i)
{
	int oom = 0;

	p->name = pg_dup(r, i, 0, &oom);
	snprintf(p->kind, sizeof(p->kind), "%s", PQgetvalue(r, i, 1));
	p->secret = (int)pg_int(r, i, 2);
	p->size = pg_int(r, i, 3);
	p->remaining = pg_int(r, i, 4);
	p->reserved = pg_int(r, i, 5);
	p->burned = pg_int(r, i, 6);
	p->voided = pg_int(r, i, 7);
	return oom || !p->name ? GANG_ENOMEM : GANG_OK;
}

int db_pg_report_data_pools(gang_report_data_pool **out, size_t *n_out, db_pg *db, const gang_report_filter *f,
			    gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, n;

	*out = NULL;
	*n_out = 0;
	pg_p_text(&p, f->batch);
	pg_p_text(&p, f->since);
	pg_p_text(&p, f->until);
	/* as the serial pools: one statement, one snapshot; pools with nothing handed out in the window left out */
	if ((err = pg_q(&r, db,
			"SELECT p.name, p.kind, p.secret, p.size, p.size - p.next, count(*) FILTER (WHERE x.state = "
			"'reserved'), count(*) FILTER (WHERE x.state = 'burned'), count(*) FILTER (WHERE x.state = "
			"'void') FROM data_pools p JOIN data_allocs x ON x.pool = p.name WHERE ($1::text IS NULL OR "
			"x.attempt_id IN (SELECT id FROM attempts WHERE batch = $1)) AND ($2::text IS NULL OR "
			"x.reserved_at COLLATE \"C\" >= $2) AND ($3::text IS NULL OR x.reserved_at COLLATE \"C\" < $3) "
			"GROUP BY p.name, p.kind, p.secret, p.size, p.next ORDER BY p.name COLLATE \"C\"",
			&p, "reading data pools for a report", d)) < 0)
		return err;
	n = PQntuples(r);
	if (n && !(*out = calloc((size_t)n, sizeof(**out))))
		err = GANG_ENOMEM;
	for (int i = 0; err == GANG_OK && i < n; i++, (*n_out)++)
		err = pg_report_data_pool_add(&(*out)[i], r, i);
	PQclear(r);
	if (err < 0) {
		gang_db_report_data_pools_free(*out, (size_t)n);   /* calloc'd: entries not reached hold NULL */
		*out = NULL;
		*n_out = 0;
		return gang_diag_set(d, GANG_ENOMEM, "out of memory reading data pools of %s", db->shown);
	}
	return GANG_OK;
}
