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
 * client's time. The next block is asked for before the current one is
 * handed to the report, so the server produces it meanwhile.
 *
 * EXPLAIN (ANALYZE, BUFFERS) on 1,000,000 attempts (build/pg-bench,
 * docs/benchmarks.md) found: JIT compiling the scan for 3.2 s (now off for
 * the report's transaction), the failing step found by reading and sorting
 * all of an attempt's steps, --since/--until reading every attempt and
 * --batch every serial, since no index served a bytewise time or an
 * attempt id (migration 0009 adds them).
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
#define PG_REPORT_FETCH "FETCH FORWARD " PG_REPORT_STR(PG_REPORT_BLOCK) " FROM gang_report"
#define PG_REPORT_WHAT "reading attempts for a report"

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

/*
 * The report's statement, in the variant the selection and the history
 * call for. EXPLAIN ANALYZE on 1,000,000 attempts, 68,000 of them failed
 * (build/pg-bench, 2026-12-07): the three lookups a failed row made cost
 * 0.9 s of a 2.1 s scan, each a subplan run per failure (about 5 us each,
 * even on an empty table). So:
 *  - a whole history takes each failed attempt's failing step from one
 *    pass over steps_failed (DISTINCT ON, hash-joined: 0.1 s instead of
 *    0.4 s); a batch or a window, a small part of it, probes per failure;
 *  - the hash join's key is the attempt's id for a failed attempt and NULL
 *    for any other, so the other 93% of the rows go through without
 *    probing the table (a NULL key matches nothing): the whole history's
 *    scan took 0.17 s less on the server (EXPLAIN ANALYZE, 850 -> 685 ms);
 *  - a history without data values or without scanned labels (a line
 *    without data pools or a label scanner) skips that lookup, which could
 *    only answer ''.
 */
#define PG_REPORT_STEP_PROBE                                                                                  \
	"COALESCE((SELECT s.step FROM steps s WHERE s.attempt_id = a.id AND s.result = 'fail' ORDER BY s.id "  \
	"LIMIT 1), '')"
#define PG_REPORT_STEP_JOINED "COALESCE(fs.step, '')"
#define PG_REPORT_STEP_JOIN                                                                                   \
	" LEFT JOIN (SELECT DISTINCT ON (attempt_id) attempt_id, step FROM steps WHERE result = 'fail' ORDER BY " \
	"attempt_id, id) fs ON fs.attempt_id = CASE WHEN a.result = 'fail' THEN a.id END"

static int pg_report_sql(char *out, size_t cap, const gang_report_filter *f, int with_data, int with_labels)
{
	int whole = !f->batch && !f->since && !f->until;
	int n = snprintf(out, cap,
			 "DECLARE gang_report NO SCROLL CURSOR FOR SELECT a.id, a.uid, a.slot, a.probe_serial, a.result, "
			 "a.error_class, a.started_at, a.finished_at, CASE WHEN a.result = 'fail' THEN %s || '"
			 GANG_REPORT_SEP "' || COALESCE(a.serial_text, COALESCE(a.serial_pool || ' ' || a.serial_value, "
			 "'')) || '" GANG_REPORT_SEP "' || %s || '" GANG_REPORT_SEP "' || %s || '" GANG_REPORT_SEP
			 "' || COALESCE(a.error_message, '') END, a.batch, a.profile_name, a.profile_sha256, "
			 "a.image_sha256, a.station, a.operator, a.seq FROM attempts a%s "
			 "WHERE ($1::text IS NULL OR a.batch = $1) AND ($2::text IS NULL OR a.started_at COLLATE \"C\" >= "
			 "$2) AND ($3::text IS NULL OR a.started_at COLLATE \"C\" < $3)",
			 whole ? PG_REPORT_STEP_JOINED : PG_REPORT_STEP_PROBE, with_data ? PG_REPORT_DATA_SQL : "''",
			 with_labels ? PG_REPORT_LABEL_SQL : "''", whole ? PG_REPORT_STEP_JOIN : "");

	return n > 0 && (size_t)n < cap ? GANG_OK : GANG_ERR;
}

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

/* Every row of one block to fn; a nonzero answer stops there and is returned. */
static int pg_report_rows(PGresult *r, gang_report_row_fn fn, void *ctx)
{
	gang_report_row row;
	int err = GANG_OK;

	for (int i = 0; err == GANG_OK && i < PQntuples(r); i++) {
		pg_report_row_read(&row, r, i);
		err = fn(ctx, &row);
	}
	return err;
}

/*
 * Ask for the cursor's next block without waiting for it (libpq docs 34.4
 * "Asynchronous Command Processing"): the server reads and sends it while
 * fn handles the block before, so on two cores server and client overlap
 * instead of taking turns.
 */
static int pg_report_ask(db_pg *db, gang_diag *d)
{
	if (PQsendQuery(db->conn, PG_REPORT_FETCH))
		return GANG_OK;
	db->lost = PQstatus(db->conn) == CONNECTION_BAD;
	return pg_fail(db, NULL, PG_REPORT_WHAT, d);
}

/* The block asked for last, in *out (PQclear it). */
static int pg_report_take(PGresult **out, db_pg *db, gang_diag *d)
{
	PGresult *r = PQgetResult(db->conn), *extra;
	int err = GANG_OK;

	while ((extra = PQgetResult(db->conn)))   /* a FETCH has one result; wait for the end of it */
		PQclear(extra);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		db->lost = PQstatus(db->conn) == CONNECTION_BAD;
		err = pg_fail(db, r, PG_REPORT_WHAT, d);
		PQclear(r);
		r = NULL;
	}
	*out = r;
	return err;
}

/* The cursor over the selection, in the snapshot of the transaction open on db. */
static int pg_report_declare(db_pg *db, const gang_report_filter *f, const pg_params *p, gang_diag *d)
{
	char sql[4096];
	PGresult *r;
	int err, with_data, with_labels;

	if ((err = pg_q(&r, db, "SELECT EXISTS (SELECT 1 FROM data_allocs), EXISTS (SELECT 1 FROM scans)", NULL,
			PG_REPORT_WHAT, d)) < 0)
		return err;
	with_data = PQgetvalue(r, 0, 0)[0] == 't';
	with_labels = PQgetvalue(r, 0, 1)[0] == 't';
	PQclear(r);
	if (pg_report_sql(sql, sizeof(sql), f, with_data, with_labels) < 0)
		return gang_diag_set(d, GANG_ERR, "database %s: the report's statement does not fit its buffer",
				     db->shown);
	return pg_q(NULL, db, sql, p, PG_REPORT_WHAT, d);
}

int db_pg_report_scan(db_pg *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, c, more = 1;

	pg_p_text(&p, f->batch);
	pg_p_text(&p, f->since);
	pg_p_text(&p, f->until);
	if ((err = pg_begin_as(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PG_REPORT_WHAT, d)) < 0)
		return err;
	/*
	 * No JIT for this transaction (PostgreSQL 15 manual 32.2 "When to JIT?"):
	 * the per-failure subqueries make the planner's cost of the scan millions,
	 * far above jit_above_cost, and EXPLAIN ANALYZE on a million attempts
	 * showed 3.2 s of compiling (inlining, optimisation, emission) in a scan
	 * of 12.0 s; without JIT the scan took 3.9 s on the same loaded machine.
	 */
	if ((err = pg_q(NULL, db, "SELECT set_config('jit', 'off', true)", NULL, PG_REPORT_WHAT, d)) == GANG_OK &&
	    (err = pg_report_declare(db, f, &p, d)) == GANG_OK)
		err = pg_report_ask(db, d);
	while (err == GANG_OK && more && (err = pg_report_take(&r, db, d)) == GANG_OK) {
		more = PQntuples(r) == PG_REPORT_BLOCK;   /* fewer: the last block */
		if (!more || (err = pg_report_ask(db, d)) == GANG_OK)
			err = pg_report_rows(r, fn, ctx);
		PQclear(r);
	}
	if (err < 0) {
		pg_rollback(db);   /* PQexec drops a block still on its way first */
		return err;
	}
	/* read only: COMMIT ends the snapshot and closes the cursor; fn's positive answer is kept */
	c = pg_commit(db, d);
	return c < 0 ? c : err;
}

/*
 * The serial pools' and the data pools' counts are one statement each, of
 * one shape: the rows the filter hands out (with --batch, taken by an
 * attempt of the batch; reserved_at inside the window), counted per pool by
 * their current state on the server in one pass, then joined to the pool's
 * own row; pools with nothing handed out in the selection are left out.
 * Counting before the join keeps the join to one row per pool. A batch's
 * attempt ids go in as an array, so the rows come through serials_by_attempt
 * (migration 0009): as IN (SELECT ...) the planner chose a hash join over
 * every serial (EXPLAIN ANALYZE: ~1 s against ~0.15 s for a batch of
 * 10,000 in a million, on a loaded machine).
 */
#define PG_REPORT_HANDED_OUT(table, cols)                                                                    \
	"SELECT pool" cols ", count(*) FILTER (WHERE state = 'reserved') AS n_reserved, count(*) FILTER "  \
	"(WHERE state = 'burned') AS n_burned, count(*) FILTER (WHERE state = 'void') AS n_void FROM " table \
	" WHERE ($1::text IS NULL OR attempt_id = ANY (ARRAY(SELECT id FROM attempts WHERE batch = $1))) AND " \
	"($2::text IS NULL OR reserved_at COLLATE \"C\" >= $2) AND ($3::text IS NULL OR reserved_at COLLATE "    \
	"\"C\" < $3) GROUP BY pool"

/* One pool list: its statement, its element, how a row fills one and how the list is freed. */
typedef struct pg_report_list {
	const char *sql;
	const char *what;  /* "serial pools", "data pools" */
	size_t size;       /* of one element */
	void (*read)(void *elem, PGresult *r, int i, int *oom); /* *oom = 1: out of memory */
	void (*free_list)(void *v, size_t n);
} pg_report_list;

static void pg_report_pool_read(void *elem, PGresult *r, int i, int *oom)
{
	gang_report_pool *p = elem;

	p->name = pg_dup(r, i, 0, oom);
	p->range_start = pg_int(r, i, 1);
	p->range_end = pg_int(r, i, 2);
	p->min_value = pg_int(r, i, 3);
	p->max_value = pg_int(r, i, 4);
	p->reserved = pg_int(r, i, 5);
	p->burned = pg_int(r, i, 6);
	p->voided = pg_int(r, i, 7);
}

static void pg_report_data_pool_read(void *elem, PGresult *r, int i, int *oom)
{
	gang_report_data_pool *p = elem;

	p->name = pg_dup(r, i, 0, oom);
	snprintf(p->kind, sizeof(p->kind), "%s", PQgetvalue(r, i, 1));
	p->secret = (int)pg_int(r, i, 2);
	p->size = pg_int(r, i, 3);
	p->remaining = pg_int(r, i, 4);
	p->reserved = pg_int(r, i, 5);
	p->burned = pg_int(r, i, 6);
	p->voided = pg_int(r, i, 7);
}

static void pg_report_pools_free(void *v, size_t n)
{
	gang_db_report_pools_free(v, n);
}

static void pg_report_data_pools_free(void *v, size_t n)
{
	gang_db_report_data_pools_free(v, n);
}

static const pg_report_list pg_report_serial_pools = {
	.sql = "SELECT p.name, p.start, p.\"end\", c.lo, c.hi, c.n_reserved, c.n_burned, c.n_void FROM serial_pools "
	       "p JOIN (" PG_REPORT_HANDED_OUT("serials", ", min(value) AS lo, max(value) AS hi") ") c ON c.pool = "
	       "p.name ORDER BY p.name COLLATE \"C\"",
	.what = "serial pools",
	.size = sizeof(gang_report_pool),
	.read = pg_report_pool_read,
	.free_list = pg_report_pools_free,
};

static const pg_report_list pg_report_data_pools = {
	.sql = "SELECT p.name, p.kind, p.secret, p.size, p.size - p.next, c.n_reserved, c.n_burned, c.n_void FROM "
	       "data_pools p JOIN (" PG_REPORT_HANDED_OUT("data_allocs", "") ") c ON c.pool = p.name "
	       "ORDER BY p.name COLLATE \"C\"",
	.what = "data pools",
	.size = sizeof(gang_report_data_pool),
	.read = pg_report_data_pool_read,
	.free_list = pg_report_data_pools_free,
};

/*
 * The serial pools' statement sent ahead (gang_db_report_pools_ask): over a
 * million attempts the server counts the serials for about 0.15 s, as long
 * as the report takes to finish its own counting in the client after the
 * scan (docs/benchmarks.md), so the two overlap instead of following each
 * other (libpq docs 34.4 "Asynchronous Command Processing"). Only on a
 * session of the handle's own with nothing else on its wire, outside a
 * transaction; otherwise, or when the send fails, the pools are counted
 * when asked for, as before.
 */
void db_pg_report_pools_ask(db_pg *db, const gang_report_filter *f)
{
	pg_params p = { 0 };

	if (db->asked || db->shared || db->in_tx || db->pipe_n || !db->conn || PQstatus(db->conn) != CONNECTION_OK ||
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		return;
	pg_p_text(&p, f->batch);
	pg_p_text(&p, f->since);
	pg_p_text(&p, f->until);
	if (PQsendQueryParams(db->conn, pg_report_serial_pools.sql, p.n, NULL, p.v, NULL, NULL, 0))
		db->asked = f;
}

/* The answer asked ahead, when it came as rows (NULL otherwise: the caller asks again the usual way). */
static PGresult *pg_report_asked_take(db_pg *db)
{
	PGresult *r = PQgetResult(db->conn), *extra;

	db->asked = NULL;
	while ((extra = PQgetResult(db->conn)))   /* one statement, one result: wait for the end of it */
		PQclear(extra);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	PQclear(r);
	return NULL;
}

void pg_report_asked_drop(db_pg *db)
{
	PQclear(pg_report_asked_take(db));
}

/* *out (calloc'd, freed by l->free_list) and *n_out: the pools of list l the filter hands anything out of. */
static int pg_report_list_read(void **out, size_t *n_out, db_pg *db, const gang_report_filter *f,
			       const pg_report_list *l, gang_diag *d)
{
	pg_params p = { 0 };
	char what[64];
	PGresult *r = NULL;
	int err, n, oom = 0;

	*out = NULL;
	*n_out = 0;
	pg_p_text(&p, f->batch);
	pg_p_text(&p, f->since);
	pg_p_text(&p, f->until);
	snprintf(what, sizeof(what), "reading %s for a report", l->what);
	/* the answer asked ahead for this selection; a failed one (a lost session, a refusal) is asked again */
	if (db->asked == f && l == &pg_report_serial_pools)
		r = pg_report_asked_take(db);
	/* one statement: every pool's numbers are of one snapshot */
	if (!r && (err = pg_q(&r, db, l->sql, &p, what, d)) < 0)
		return err;
	n = PQntuples(r);
	if (n && !(*out = calloc((size_t)n, l->size)))
		oom = 1;
	for (int i = 0; !oom && i < n; i++, (*n_out)++)
		l->read((char *)*out + (size_t)i * l->size, r, i, &oom);
	PQclear(r);
	if (!oom)
		return GANG_OK;
	l->free_list(*out, (size_t)n);   /* calloc'd: entries not reached hold NULL */
	*out = NULL;
	*n_out = 0;
	return gang_diag_set(d, GANG_ENOMEM, "out of memory reading %s of %s", l->what, db->shown);
}

int db_pg_report_pools(gang_report_pool **out, size_t *n_out, db_pg *db, const gang_report_filter *f,
		       gang_diag *d)
{
	void *v;
	int err = pg_report_list_read(&v, n_out, db, f, &pg_report_serial_pools, d);

	*out = v;
	return err;
}

int db_pg_report_data_pools(gang_report_data_pool **out, size_t *n_out, db_pg *db, const gang_report_filter *f,
			    gang_diag *d)
{
	void *v;
	int err = pg_report_list_read(&v, n_out, db, f, &pg_report_data_pools, d);

	*out = v;
	return err;
}
