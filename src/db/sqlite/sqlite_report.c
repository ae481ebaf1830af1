/*
 * sqlite_report.c — every SQL statement behind `gang report` and `gang trace`
 * (db/db_report.h). Read-only: nothing here writes.
 *
 * Performance (the issue asks for 1,000,000 attempts in under 2 s): the
 * report is one pass over the selected attempts — a full table scan for
 * the whole history, attempts_by_batch for --batch, attempts_by_started for
 * a window — and the failing step is looked up through steps_by_attempt
 * only for failed attempts (CASE guards the correlated subquery, which also
 * packs the failure's serial and message into that one column, so passing
 * rows pay nothing for them). Every row carries batch, profile, hashes,
 * station and operator for the "what was programmed" table: six more text
 * columns, about 0.25 s per million rows, since only reading them shows
 * where a combination changes. A failed row also carries its board's data
 * values and labels (data_allocs_by_uid, scans_by_uid): about 0.45 s per
 * 85,000 failed attempts when every board has a value and a label
 * (docs/benchmarks.md). Trace
 * uses attempts_by_uid, steps_by_attempt, serials_by_uid and the UNIQUE
 * index on boards (serial, serial_pool). Reference: db/schema.sql, sqlite.org/optoverview.html.
 */
#include "db/db_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sqlite/sqlite_internal.h"

#define DB_REPORT_SQL_MAX 3072U
/*
 * A failed attempt's board: its live data values by pool (data_allocs_by_uid),
 * each as the data step's detail names it (serial/data_pool.h: a secret
 * list's value by index and SHA-256 only), and its scanned labels
 * (scans_by_uid). Built for failed rows only, inside the CASE.
 */
#define DB_REPORT_DATA_SQL                                                                                    \
	"ifnull((SELECT group_concat(t, '; ') FROM (SELECT CASE WHEN p.kind = 'mac' THEN x.pool || ' ' || "     \
	"printf('%02X:%02X:%02X:%02X:%02X:%02X', ((p.first + x.idx) >> 40) & 255, ((p.first + x.idx) >> 32) & " \
	"255, ((p.first + x.idx) >> 24) & 255, ((p.first + x.idx) >> 16) & 255, ((p.first + x.idx) >> 8) & 255, " \
	"(p.first + x.idx) & 255) WHEN p.secret THEN x.pool || ' #' || x.idx || ' sha256 ' || v.sha256 ELSE "    \
	"x.pool || ' #' || x.idx || ' 0x' || substr(v.value, 1, 64) || CASE WHEN length(v.value) > 64 THEN "   \
	"'...' ELSE '' END END AS t FROM data_allocs x JOIN data_pools p ON p.name = x.pool LEFT JOIN "        \
	"data_values v ON v.pool = x.pool AND v.idx = x.idx WHERE x.uid = a.uid AND x.state <> 'void' "        \
	"ORDER BY x.pool)), '')"
#define DB_REPORT_LABEL_SQL                                                                                   \
	"ifnull((SELECT group_concat(replace(t, char(31), ' '), ', ') FROM (SELECT text AS t FROM scans WHERE " \
	"uid = a.uid ORDER BY scanned_at, text)), '')"
#define DB_REPORT_MMAP_BYTES "1073741824" /* address space only; pages stay in the page cache */

/*
 * Append the selection's conditions to sql (which has a WHERE already when
 * has_where). Placeholders: ?1 batch, ?2 since, ?3 until (only those present).
 */
static void db_report_where(char *sql, size_t cap, const gang_report_filter *f, const char *time_col,
			    const char *batch_clause, int has_where)
{
	size_t n = strlen(sql);
	const char *join = has_where ? " AND " : " WHERE ";

	if (f->batch) {
		n += (size_t)snprintf(sql + n, cap - n, "%s%s", join, batch_clause);
		join = " AND ";
	}
	if (f->since) {
		n += (size_t)snprintf(sql + n, cap - n, "%s%s >= ?2", join, time_col);
		join = " AND ";
	}
	if (f->until)
		snprintf(sql + n, cap - n, "%s%s < ?3", join, time_col);
}

static void db_report_bind(sqlite3_stmt *st, const gang_report_filter *f)
{
	if (f->batch)
		db_bind_text(st, 1, f->batch);
	if (f->since)
		db_bind_text(st, 2, f->since);
	if (f->until)
		db_bind_text(st, 3, f->until);
}

static const char *db_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static char *db_col_dup(sqlite3_stmt *st, int i)
{
	const char *s = db_col(st, i);

	return s ? strdup(s) : NULL;
}

/* Copy the packed failure column into buf (grown as needed) and split it there (store.h). */
static int db_report_failure_read(gang_report_row *r, char **buf, size_t *cap, const char *packed)
{
	size_t n = strlen(packed) + 1;
	char *p;

	if (n > *cap) {
		if (!(p = realloc(*buf, n)))
			return GANG_ENOMEM;
		*buf = p;
		*cap = n;
	}
	memcpy(*buf, packed, n);
	gang_report_row_unpack(r, *buf);
	return GANG_OK;
}

static int db_report_row_read(gang_report_row *r, sqlite3_stmt *st, char **buf, size_t *cap)
{
	const char *packed;

	r->id = sqlite3_column_int64(st, 0);
	r->uid = db_col(st, 1);
	r->slot = db_col(st, 2);
	r->probe_serial = db_col(st, 3);
	r->result = db_col(st, 4);
	r->error_class = db_col(st, 5);
	r->started_at = db_col(st, 6);
	r->finished_at = db_col(st, 7);
	r->batch = db_col(st, 9);
	r->profile_name = db_col(st, 10);
	r->profile_sha256 = db_col(st, 11);
	r->image_sha256 = db_col(st, 12);
	r->station = db_col(st, 13);
	r->operator_name = db_col(st, 14);
	r->seq = sqlite3_column_int64(st, 15);
	r->failed_step = r->serial = r->error_message = r->data = r->label = NULL;
	packed = db_col(st, 8);
	return packed ? db_report_failure_read(r, buf, cap, packed) : GANG_OK;
}

int db_sqlite_report_scan(db_sqlite *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx,
			gang_diag *d)
{
	char sql[DB_REPORT_SQL_MAX] =
		"SELECT a.id, a.uid, a.slot, a.probe_serial, a.result, a.error_class, a.started_at, "
		"a.finished_at, CASE WHEN a.result = 'fail' THEN ifnull((SELECT s.step FROM steps s WHERE "
		"s.attempt_id = a.id AND s.result = 'fail' ORDER BY s.id LIMIT 1), '') || '" GANG_REPORT_SEP "' || "
		"ifnull(a.serial_text, ifnull(a.serial_pool || ' ' || a.serial_value, '')) || '" GANG_REPORT_SEP "' || "
		DB_REPORT_DATA_SQL " || '" GANG_REPORT_SEP "' || " DB_REPORT_LABEL_SQL " || '" GANG_REPORT_SEP "' || "
		"ifnull(a.error_message, '') END, "
		"a.batch, a.profile_name, a.profile_sha256, a.image_sha256, a.station, a.operator, a.seq FROM attempts a";
	gang_report_row row;
	sqlite3_stmt *st;
	char *buf = NULL;
	size_t cap = 0;
	int rc, err = GANG_OK;

	db_report_where(sql, sizeof(sql), f, "a.started_at", "a.batch = ?1", 0);
	/* Map the file instead of read() per page: the scan touches most of it (sqlite.org/mmap.html). */
	sqlite3_exec(db->conn, "PRAGMA mmap_size = " DB_REPORT_MMAP_BYTES, NULL, NULL, NULL);
	if ((err = db_prepare(&st, db, sql, d)) < 0)
		return err;
	db_report_bind(st, f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (db_report_row_read(&row, st, &buf, &cap) < 0) {
			err = gang_diag_set(d, GANG_ENOMEM, "out of memory reading attempts for a report");
			break;
		}
		if ((err = fn(ctx, &row)) < 0)
			break;
	}
	if (err == GANG_OK && rc != SQLITE_DONE)
		err = db_fail(db, rc, d, "reading attempts for a report");
	sqlite3_finalize(st);
	free(buf);
	return err;
}

static int db_report_pool_add(gang_report_pool **v, size_t *n, sqlite3_stmt *st)
{
	gang_report_pool *p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		return GANG_ENOMEM;
	*v = p;
	p += *n;
	if (!(p->name = db_col_dup(st, 0)))
		return GANG_ENOMEM;
	p->range_start = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
	p->range_end = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
	p->min_value = sqlite3_column_int64(st, 3);
	p->max_value = sqlite3_column_int64(st, 4);
	p->reserved = sqlite3_column_int64(st, 5);
	p->burned = sqlite3_column_int64(st, 6);
	p->voided = sqlite3_column_int64(st, 7);
	(*n)++;
	return GANG_OK;
}

/*
 * One pool at a time. Unfiltered (the common "whole history" report):
 * min and max come from the (pool, value) key and each state's count from
 * serials_by_pool_state, index-only, in one statement so all numbers are of
 * one snapshot. Filtered by batch or time: a plain scan of the pool's rows
 * without an index, because through an index SQLite would fetch every row
 * by rowid (twice the cost). Measured by tools/bench/report-bench.c.
 */
static const char *const db_report_pool_sql_all =
	"SELECT ?4, ?5, ?6, (SELECT min(value) FROM serials WHERE pool = ?4), "
	"(SELECT max(value) FROM serials WHERE pool = ?4), "
	"(SELECT count(*) FROM serials INDEXED BY serials_by_pool_state WHERE pool = ?4 AND state = 'reserved'), "
	"(SELECT count(*) FROM serials INDEXED BY serials_by_pool_state WHERE pool = ?4 AND state = 'burned'), "
	"(SELECT count(*) FROM serials INDEXED BY serials_by_pool_state WHERE pool = ?4 AND state = 'void')";

static int db_report_pool_one(gang_report_pool **v, size_t *n, db_sqlite *db, const gang_report_filter *f,
			      sqlite3_stmt *pools, gang_diag *d)
{
	char sql[DB_REPORT_SQL_MAX] =
		"SELECT ?4, ?5, ?6, min(s.value), max(s.value), sum(s.state = 'reserved'), "
		"sum(s.state = 'burned'), sum(s.state = 'void') FROM serials s NOT INDEXED WHERE s.pool = ?4";
	sqlite3_stmt *st;
	int rc, err = GANG_OK;

	if (f->batch || f->since || f->until)
		db_report_where(sql, sizeof(sql), f, "s.reserved_at",
				"s.attempt_id IN (SELECT id FROM attempts WHERE batch = ?1)", 1);
	else
		snprintf(sql, sizeof(sql), "%s", db_report_pool_sql_all);
	if ((err = db_prepare(&st, db, sql, d)) < 0)
		return err;
	db_report_bind(st, f);
	sqlite3_bind_value(st, 4, sqlite3_column_value(pools, 0));
	sqlite3_bind_value(st, 5, sqlite3_column_value(pools, 1));
	sqlite3_bind_value(st, 6, sqlite3_column_value(pools, 2));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 3) != SQLITE_NULL)
		err = db_report_pool_add(v, n, st);
	if (err == GANG_ENOMEM)
		gang_diag_set(d, err, "out of memory reading serial pools of %s", db->path);
	else if (rc != SQLITE_ROW)
		err = db_fail(db, rc, d, "reading serial pools for a report");
	sqlite3_finalize(st);
	return err;
}

int db_sqlite_report_pools(gang_report_pool **out, size_t *n_out, db_sqlite *db, const gang_report_filter *f,
			 gang_diag *d)
{
	sqlite3_stmt *pools;
	int rc, err;

	*out = NULL;
	*n_out = 0;
	if ((err = db_prepare(&pools, db, "SELECT name, start, \"end\" FROM serial_pools ORDER BY name", d)) < 0)
		return err;
	while ((rc = sqlite3_step(pools)) == SQLITE_ROW)
		if ((err = db_report_pool_one(out, n_out, db, f, pools, d)) < 0)
			break;
	if (err == GANG_OK && rc != SQLITE_DONE)
		err = db_fail(db, rc, d, "listing serial pools for a report");
	sqlite3_finalize(pools);
	if (err < 0) {
		gang_db_report_pools_free(*out, *n_out);
		*out = NULL;
		*n_out = 0;
	}
	return err;
}

static int db_report_data_pool_add(gang_report_data_pool **v, size_t *n, sqlite3_stmt *st)
{
	gang_report_data_pool *p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		return GANG_ENOMEM;
	*v = p;
	p += *n;
	if (!(p->name = db_col_dup(st, 0)))
		return GANG_ENOMEM;
	snprintf(p->kind, sizeof(p->kind), "%s", db_col(st, 1) ? db_col(st, 1) : "");
	p->secret = sqlite3_column_int(st, 2);
	p->size = sqlite3_column_int64(st, 3);
	p->remaining = sqlite3_column_int64(st, 4);
	p->reserved = sqlite3_column_int64(st, 5);
	p->burned = sqlite3_column_int64(st, 6);
	p->voided = sqlite3_column_int64(st, 7);
	(*n)++;
	return GANG_OK;
}

/*
 * One statement over data_allocs (a row per board and pool, far fewer
 * than attempts), grouped by pool: all pools of one snapshot. Unfiltered,
 * each state's count comes from data_allocs_by_pool_state (migration 0011)
 * index-only, as the serial pools' do: 0.09 s instead of 0.47 s CPU for
 * 934,413 values (sqlite3 .timer on report-bench's database with a MAC on
 * every board; the grouped statement through that index still read every
 * entry and summed three expressions over it).
 */
static const char *const db_report_data_pool_sql_all =
	"SELECT p.name, p.kind, p.secret, p.size, p.size - p.next, (SELECT count(*) FROM data_allocs WHERE pool = "
	"p.name AND state = 'reserved'), (SELECT count(*) FROM data_allocs WHERE pool = p.name AND state = "
	"'burned'), (SELECT count(*) FROM data_allocs WHERE pool = p.name AND state = 'void') FROM data_pools p "
	"WHERE EXISTS (SELECT 1 FROM data_allocs WHERE pool = p.name) ORDER BY p.name";

int db_sqlite_report_data_pools(gang_report_data_pool **out, size_t *n_out, db_sqlite *db,
				const gang_report_filter *f, gang_diag *d)
{
	char sql[DB_REPORT_SQL_MAX] =
		"SELECT p.name, p.kind, p.secret, p.size, p.size - p.next, sum(x.state = 'reserved'), "
		"sum(x.state = 'burned'), sum(x.state = 'void') FROM data_pools p JOIN data_allocs x ON x.pool = p.name";
	sqlite3_stmt *st;
	int rc, err = GANG_OK;

	*out = NULL;
	*n_out = 0;
	db_report_where(sql, sizeof(sql), f, "x.reserved_at", "x.attempt_id IN (SELECT id FROM attempts WHERE batch = ?1)",
			0);
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), " GROUP BY p.name ORDER BY p.name");
	if (!f->batch && !f->since && !f->until)
		snprintf(sql, sizeof(sql), "%s", db_report_data_pool_sql_all);
	if ((err = db_prepare(&st, db, sql, d)) < 0)
		return err;
	db_report_bind(st, f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && (err = db_report_data_pool_add(out, n_out, st)) == GANG_OK)
		;
	if (err == GANG_ENOMEM)
		gang_diag_set(d, err, "out of memory reading data pools of %s", db->path);
	else if (rc != SQLITE_DONE)
		err = db_fail(db, rc, d, "reading data pools for a report");
	sqlite3_finalize(st);
	if (err < 0) {
		gang_db_report_data_pools_free(*out, *n_out);
		*out = NULL;
		*n_out = 0;
	}
	return err;
}

/* ---- trace ---------------------------------------------------------------- */

/* Columns in gang_trace_field order. */
#define DB_TRACE_ATTEMPT_COLS                                                                          \
	"id, started_at, finished_at, CAST(round((julianday(finished_at) - julianday(started_at)) * "    \
	"86400000.0) AS INTEGER), result, error_class, error_message, slot, probe_serial, operator, "     \
	"station, batch, profile_name, profile_sha256, image_sha256, part, connect_mode, rdp_before, " \
	"option_bytes, serial_pool, serial_value, serial_text, "                                         \
	"CASE WHEN ifnull(station, '') = '' THEN CAST(seq AS TEXT) ELSE station || '/' || seq END"

/* Collect the distinct first column of sql (bound with key) into a uid list. */
static int db_trace_collect(char ***v, size_t *n, db_sqlite *db, const char *sql, const char *key,
			    gang_diag *d)
{
	sqlite3_stmt *st;
	char **grown;
	int rc, err;

	if ((err = db_prepare(&st, db, sql, d)) < 0)
		return err;
	db_bind_text(st, 1, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(grown = realloc(*v, (*n + 1) * sizeof(**v))) || !(grown[*n] = db_col_dup(st, 0))) {
			if (grown)
				*v = grown;
			sqlite3_finalize(st);
			return gang_diag_set(d, GANG_ENOMEM, "out of memory tracing '%s'", key);
		}
		*v = grown;
		(*n)++;
	}
	err = rc == SQLITE_DONE ? GANG_OK : db_fail(db, rc, d, "looking up a board");
	sqlite3_finalize(st);
	return err;
}

int db_sqlite_trace_lookup(char ***uids_out, size_t *n_out, db_sqlite *db, gang_trace_by by, const char *key,
			       gang_diag *d)
{
	static const char *const sql[] = {
		[GANG_TRACE_BY_UID] = "SELECT uid FROM boards WHERE uid IN (upper(?1), lower(?1)) ORDER BY uid",
		[GANG_TRACE_BY_BOARD_SERIAL] = "SELECT uid FROM boards WHERE serial = ?1 ORDER BY uid",
		/* a failed board has its serial text only on the attempt (boards.serial is set on a pass) */
		[GANG_TRACE_BY_ATTEMPT_TEXT] =
			"SELECT DISTINCT uid FROM attempts WHERE serial_text = ?1 AND uid IS NOT NULL ORDER BY uid",
		[GANG_TRACE_BY_SERIAL_VALUE] =
			"SELECT DISTINCT uid FROM serials WHERE value = CAST(?1 AS INTEGER) ORDER BY uid",
	};

	if ((unsigned)by >= sizeof(sql) / sizeof(sql[0]))
		return gang_diag_set(d, GANG_ERR, "trace: unknown lookup %d", (int)by);
	return db_trace_collect(uids_out, n_out, db, sql[by], key, d);
}

/* True when a non-NULL column failed to copy (out of memory). */
static int db_dup_failed(sqlite3_stmt *st, int i, const char *copy)
{
	return !copy && sqlite3_column_type(st, i) != SQLITE_NULL;
}

static int db_trace_step_read(gang_trace_step *s, sqlite3_stmt *st)
{
	s->step = db_col_dup(st, 0);
	s->result = db_col_dup(st, 1);
	s->duration_ms = sqlite3_column_int64(st, 2);
	s->detail = db_col_dup(st, 3);
	s->at = db_col_dup(st, 4);
	if (db_dup_failed(st, 0, s->step) || db_dup_failed(st, 1, s->result) ||
	    db_dup_failed(st, 3, s->detail) || db_dup_failed(st, 4, s->at))
		return GANG_ENOMEM;
	return GANG_OK;
}

static int db_trace_steps(gang_trace_attempt *a, db_sqlite *db, sqlite3_stmt *st, gang_diag *d)
{
	gang_trace_step *grown;
	int rc, err = GANG_OK;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, strtoll(a->f[GANG_TF_ID], NULL, 10));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(grown = realloc(a->steps, (a->n_steps + 1) * sizeof(*grown))))
			return gang_diag_set(d, GANG_ENOMEM, "out of memory reading steps");
		a->steps = grown;
		memset(&grown[a->n_steps], 0, sizeof(*grown));
		err = db_trace_step_read(&grown[a->n_steps++], st);
		if (err < 0)
			return gang_diag_set(d, err, "out of memory reading steps");
	}
	return rc == SQLITE_DONE ? GANG_OK : db_fail(db, rc, d, "reading an attempt's steps");
}

static int db_trace_attempt_read(gang_trace_board *b, sqlite3_stmt *st)
{
	gang_trace_attempt *grown = realloc(b->attempts, (b->n_attempts + 1) * sizeof(*grown));

	if (!grown)
		return GANG_ENOMEM;
	b->attempts = grown;
	grown += b->n_attempts++;
	memset(grown, 0, sizeof(*grown));
	for (int i = 0; i < GANG_TF_COUNT; i++) {
		grown->f[i] = db_col_dup(st, i);
		if (db_dup_failed(st, i, grown->f[i]))
			return GANG_ENOMEM;
	}
	return GANG_OK;
}

static int db_trace_attempts(gang_trace_board *b, db_sqlite *db, gang_diag *d)
{
	sqlite3_stmt *st = NULL, *steps = NULL;
	int rc, err;

	if ((err = db_prepare(&st, db,
			      "SELECT " DB_TRACE_ATTEMPT_COLS " FROM attempts WHERE uid = ?1 ORDER BY started_at, id",
			      d)) < 0 ||
	    (err = db_prepare(&steps, db,
			      "SELECT step, result, duration_ms, detail, at FROM steps WHERE attempt_id = ?1 "
			      "ORDER BY id",
			      d)) < 0)
		goto out;
	db_bind_text(st, 1, b->uid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((err = db_trace_attempt_read(b, st)) < 0) {
			gang_diag_set(d, err, "out of memory reading attempts of %s", b->uid);
			goto out;
		}
		if ((err = db_trace_steps(&b->attempts[b->n_attempts - 1], db, steps, d)) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		err = db_fail(db, rc, d, "reading a board's attempts");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(steps);
	return err;
}

static int db_trace_serial_read(gang_trace_board *b, sqlite3_stmt *st)
{
	gang_trace_serial *s = realloc(b->serials, (b->n_serials + 1) * sizeof(*s));

	if (!s)
		return GANG_ENOMEM;
	b->serials = s;
	s += b->n_serials++;
	s->pool = db_col_dup(st, 0);
	s->value = sqlite3_column_int64(st, 1);
	s->state = db_col_dup(st, 2);
	s->reserved_at = db_col_dup(st, 3);
	s->burned_at = db_col_dup(st, 4);
	s->voided_at = db_col_dup(st, 5);
	s->reason = db_col_dup(st, 6);
	if (db_dup_failed(st, 0, s->pool) || db_dup_failed(st, 2, s->state) ||
	    db_dup_failed(st, 3, s->reserved_at) || db_dup_failed(st, 4, s->burned_at) ||
	    db_dup_failed(st, 5, s->voided_at) || db_dup_failed(st, 6, s->reason))
		return GANG_ENOMEM;
	return GANG_OK;
}

static int db_trace_serials(gang_trace_board *b, db_sqlite *db, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = db_prepare(&st, db,
			      "SELECT pool, value, state, reserved_at, burned_at, voided_at, reason FROM serials "
			      "WHERE uid = ?1 ORDER BY reserved_at, pool, value",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, b->uid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((err = db_trace_serial_read(b, st)) < 0)
			break;
	if (err < 0)
		gang_diag_set(d, err, "out of memory reading serials of %s", b->uid);
	else if (rc != SQLITE_DONE)
		err = db_fail(db, rc, d, "reading a board's serials");
	sqlite3_finalize(st);
	return err;
}

static int db_trace_board_row(gang_trace_board *b, db_sqlite *db, const char *uid, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = db_prepare(&st, db,
			      "SELECT uid, serial, part, first_seen, last_seen, last_result FROM boards "
			      "WHERE uid = ?1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, uid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		b->uid = db_col_dup(st, 0);
		b->serial = db_col_dup(st, 1);
		b->part = db_col_dup(st, 2);
		b->first_seen = db_col_dup(st, 3);
		b->last_seen = db_col_dup(st, 4);
		b->last_result = db_col_dup(st, 5);
		err = b->uid ? GANG_OK : gang_diag_set(d, GANG_ENOMEM, "out of memory reading board %s", uid);
	} else if (rc == SQLITE_DONE) {
		err = gang_diag_set(d, GANG_EDB, "database %s: no board with UID %s", db->path, uid);
	} else {
		err = db_fail(db, rc, d, "reading a board");
	}
	sqlite3_finalize(st);
	return err;
}

int db_sqlite_trace_board(gang_trace_board **out, db_sqlite *db, const char *uid, gang_diag *d)
{
	gang_trace_board *b = calloc(1, sizeof(*b));
	int err;

	*out = NULL;
	if (!b)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory tracing %s", uid);
	/* One read transaction so the board, its attempts and serials are one snapshot. */
	if ((err = db_exec(db, "BEGIN", d)) < 0)
		goto fail;
	if ((err = db_trace_board_row(b, db, uid, d)) == GANG_OK &&
	    (err = db_trace_attempts(b, db, d)) == GANG_OK)
		err = db_trace_serials(b, db, d);
	sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL);
	if (err < 0)
		goto fail;
	*out = b;
	return GANG_OK;
fail:
	gang_db_trace_board_free(b);
	return err;
}
