/*
 * pg_pipe.c — an attempt's step rows sent ahead in libpq's pipeline mode
 * (libpq docs 34.5 "Pipeline Mode", libpq 14 and later): a step returns
 * once its row is on the wire; the next step reads the answers that are
 * there by then (seconds later on a station), and the handle's next
 * statement collects the rest (pg_internal.h says what a statement does
 * with them).
 *
 * Each row is followed by a Sync of its own, so it commits on its own as
 * before (libpq docs 34.5.1.1: the statements before a Sync are one
 * implicit transaction, and an error skips the rest of them only). A BEGIN
 * sent ahead (pg_begin_ahead) goes out with the transaction's first
 * statement; the Sync after that statement ends no explicit transaction
 * (PostgreSQL 15 manual 55.2.3), so its COMMIT stays the caller's and comes
 * only after every answer has been read.
 *
 * A row counts as answered once its Sync is back (its commit). A session
 * lost before that leaves the row in db->pipe, and the next statement, or
 * the op's retry (pg_store.c), sends it again on the new session: the row
 * is inserted only when not there yet. A refusal read before a session was
 * lost is kept in db->pipe_err until a statement tells it.
 */
#include "db/pg/pg_internal.h"

#include <stdlib.h>
#include <string.h>

#define PG_STEP_SQL                                                                                        \
	"INSERT INTO steps (attempt_id, step, result, duration_ms, detail, at) SELECT $1, $2, $3, $4, $5, " \
	PG_NOW_SQL " WHERE NOT EXISTS (SELECT 1 FROM steps WHERE attempt_id = $1 AND step = $2 AND "        \
	"result = $3 AND duration_ms = $4 AND detail IS NOT DISTINCT FROM $5)"
#define PG_STEP_WHAT "recording a step"

static void pg_pipe_row_params(pg_params *p, const pg_pipe_row *w)
{
	pg_p_int(p, w->attempt_id);
	pg_p_text(p, w->step);
	pg_p_text(p, w->result);
	pg_p_int(p, w->duration_ms);
	pg_p_text(p, w->detail);
}

/* The oldest n rows are answered: they leave the list. */
static void pg_pipe_shift(db_pg *db, int n)
{
	for (int i = 0; i < n; i++) {
		free(db->pipe[i].step);
		free(db->pipe[i].detail);
	}
	memmove(db->pipe, db->pipe + n, (size_t)(db->pipe_n - n) * sizeof(db->pipe[0]));
	db->pipe_n -= n;
	db->pipe_sent = db->pipe_sent > n ? db->pipe_sent - n : 0;
}

void pg_pipe_drop(db_pg *db)
{
	pg_pipe_shift(db, db->pipe_n);
	db->pipe_err = 0;
}

static int pg_pipe_send(db_pg *db, const char *name, const char *sql, const pg_params *p)
{
	int n = p ? p->n : 0;
	const char *const *v = p ? p->v : NULL;

	if (name)
		return PQsendQueryPrepared(db->conn, name, n, v, NULL, NULL, 0);
	return PQsendQueryParams(db->conn, sql, n, NULL, v, NULL, NULL, 0);
}

/*
 * Pipeline mode on, and every row not on this session's wire yet sent,
 * each with its Sync: 0, or -1 when libpq could not (the session is gone).
 * The rows' statement is prepared first, once a session, while that still
 * may wait for its answer.
 */
static int pg_pipe_send_rows(db_pg *db)
{
	const char *prep;
	char name[16];

	if (PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF) {
		prep = db->pipe_n > db->pipe_sent ? pg_prepared(name, sizeof(name), db, PG_STEP_SQL, 5) : NULL;
		if (!PQenterPipelineMode(db->conn))
			return -1;
	} else {
		prep = pg_prepared_name(name, sizeof(name), db, PG_STEP_SQL);
	}
	for (; db->pipe_sent < db->pipe_n; db->pipe_sent++) {
		pg_params p = { 0 };

		pg_pipe_row_params(&p, &db->pipe[db->pipe_sent]);
		if (!pg_pipe_send(db, prep, PG_STEP_SQL, &p) || !PQpipelineSync(db->conn))
			return -1;
	}
	return 0;
}

/* The next statement's answer, with the NULL that ends it read too (NULL: the session is gone). */
static PGresult *pg_pipe_next(db_pg *db)
{
	PGresult *r = PQgetResult(db->conn);

	if (r && PQresultStatus(r) != PGRES_PIPELINE_SYNC)
		PQclear(PQgetResult(db->conn));
	return r;
}

/* The answer of a Sync: 1 when it came and the session is still up. */
static int pg_pipe_synced(db_pg *db)
{
	PGresult *s = PQgetResult(db->conn);
	int ok = s && PQresultStatus(s) == PGRES_PIPELINE_SYNC && PQstatus(db->conn) == CONNECTION_OK;

	PQclear(s);
	return ok;
}

/* A row refused: kept (the first one only) for the statement that tells it. */
static void pg_pipe_refused(db_pg *db, const PGresult *r)
{
	if (!db->pipe_err)
		db->pipe_err = pg_fail(db, r, PG_STEP_WHAT, &db->pipe_why);
}

/*
 * The answers of the rows on the wire, oldest first: 0 when all came, -1
 * when the session was lost first (*lost_r: the answer that said so, or
 * NULL). Answered rows leave the list; the others are sent again.
 */
static int pg_pipe_collect_rows(PGresult **lost_r, db_pg *db)
{
	int done = 0, n = db->pipe_sent, rc = 0;

	for (int i = 0; i < n; i++) {
		PGresult *r = pg_pipe_next(db);

		if (!r || !pg_pipe_synced(db)) {
			*lost_r = r;
			rc = -1;
			break;
		}
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			pg_pipe_refused(db, r);
		PQclear(r);
		done++;
	}
	pg_pipe_shift(db, done);
	return rc;
}

/* The session went while the rows (and maybe sql) were on their way: noted as pg_q notes it. */
static int pg_pipe_lost(db_pg *db, PGresult *r, const char *sql, const char *what, gang_diag *d)
{
	int err;

	db->pipe_sent = 0;   /* the rows not answered go again on the next session */
	db->begin_ahead = 0; /* the transaction is gone with the session: its caller rolls back */
	pg_note_lost(db, r, sql);
	err = pg_fail(db, r, what, d);
	PQclear(r);
	if (!db->lost) {
		/* libpq would not send on a session it still calls up: its wire is in no known state */
		PQreset(db->conn);
		db->lost = 1;
		db->unsure = sql && !db->in_tx && !db->idempotent;
	}
	return err;
}

/* Send the rows not on the wire yet, the BEGIN ahead (if any) and sql (if any), then a Sync. */
static int pg_pipe_send_all(int *prepare, db_pg *db, const char *sql, const pg_params *p)
{
	const char *prep = NULL, *bprep;
	char name[16], bname[16];

	*prepare = 0;
	if (sql && PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF) {
		prep = pg_prepared(name, sizeof(name), db, sql, p ? p->n : 0);
		bprep = db->begin_ahead ? pg_prepared(bname, sizeof(bname), db, PG_BEGIN_SQL, 0) : NULL;
	} else {
		prep = sql ? pg_prepared_name(name, sizeof(name), db, sql) : NULL;
		bprep = pg_prepared_name(bname, sizeof(bname), db, PG_BEGIN_SQL);
	}
	if (pg_pipe_send_rows(db) < 0)
		return -1;
	if (!sql)
		return 0;
	if (db->begin_ahead && !pg_pipe_send(db, bprep, PG_BEGIN_SQL, NULL))
		return -1;
	if (!prep && db->n_prepared < PG_PREPARED_MAX) {
		/* prepared in the pipeline itself: the next board's statement is parsed once */
		snprintf(name, sizeof(name), "g%d", db->n_prepared);
		if (!PQsendPrepare(db->conn, name, sql, p ? p->n : 0, NULL))
			return -1;
		*prepare = 1;
		prep = name;
	}
	return pg_pipe_send(db, prep, sql, p) && PQpipelineSync(db->conn) ? 0 : -1;
}

/* A refusal some row had, as the failure of the statement that tells it. */
static int pg_pipe_tell(db_pg *db, gang_diag *d)
{
	int err = db->pipe_err;

	db->pipe_err = 0;
	return gang_diag_set(d, err, "%s", db->pipe_why.msg);
}

static int pg_pipe_ok(const PGresult *r)
{
	return r && (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
}

/* The answers of the BEGIN ahead, the statement's preparing and the statement, once the rows' are read. */
static int pg_pipe_answer(PGresult **out, db_pg *db, int begin, int prepare, const char *sql, const char *what,
			  gang_diag *d)
{
	PGresult *rb = begin ? pg_pipe_next(db) : NULL;
	PGresult *rp = prepare ? pg_pipe_next(db) : NULL;
	PGresult *rs = pg_pipe_next(db);

	if (!pg_pipe_synced(db)) {
		PQclear(rb);
		PQclear(rp);
		return pg_pipe_lost(db, rs, sql, what, d);
	}
	PQexitPipelineMode(db->conn);
	db->begin_ahead = 0;
	if (prepare && pg_pipe_ok(rp))
		pg_prepared_add(db, sql);
	if (db->pipe_err || (begin && !pg_pipe_ok(rb)) || (prepare && !pg_pipe_ok(rp))) {
		PQclear(rs);
		rs = NULL;
	}
	if (db->pipe_err) {
		PQclear(rb);
		PQclear(rp);
		return pg_pipe_tell(db, d);
	}
	if (begin && !pg_pipe_ok(rb)) {
		PQclear(rp);
		return pg_answer(NULL, db, rb, PG_BEGIN_SQL, "starting a transaction", d);
	}
	PQclear(rb);
	if (prepare && !pg_pipe_ok(rp))
		return pg_answer(NULL, db, rp, sql, what, d);
	PQclear(rp);
	return pg_answer(out, db, rs, sql, what, d);
}

static int pg_pipe_q_run(PGresult **out, db_pg *db, const char *sql, const pg_params *p, const char *what,
			 gang_diag *d)
{
	PGresult *lost = NULL;
	int begin, prepare, err;

	if (out)
		*out = NULL;
	/* a statement of its own commits whatever the rows' answers: it waits for them first */
	if (sql && !db->in_tx) {
		if ((err = pg_pipe_settle(db, d)) < 0)
			return err;
		return pg_q(out, db, sql, p, what, d);
	}
	begin = sql && db->begin_ahead;
	if (db->pipe_sent == 0 && (err = pg_ready(db, d)) < 0)
		return err;
	if (pg_pipe_send_all(&prepare, db, sql, p) < 0)
		return pg_pipe_lost(db, NULL, sql, what, d);
	if (pg_pipe_collect_rows(&lost, db) < 0)
		return pg_pipe_lost(db, lost, sql, what, d);
	if (sql)
		return pg_pipe_answer(out, db, begin, prepare, sql, what, d);
	PQexitPipelineMode(db->conn);
	db->lost = db->unsure = 0;
	return db->pipe_err ? pg_pipe_tell(db, d) : GANG_OK;
}

int pg_pipe_q(PGresult **out, db_pg *db, const char *sql, const pg_params *p, const char *what, gang_diag *d)
{
	int err;

	if (out)
		*out = NULL;
	if ((err = pg_share_in(db, d)) < 0)
		return err;
	err = pg_pipe_q_run(out, db, sql, p, what, d);
	pg_share_out(db);
	return err;
}

int pg_pipe_settle(db_pg *db, gang_diag *d)
{
	int err;

	if (db->pipe_n == 0 && !db->pipe_err)
		return GANG_OK;
	err = pg_pipe_q(NULL, db, NULL, NULL, PG_STEP_WHAT, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(db, err, d); i++)
		err = pg_pipe_q(NULL, db, NULL, NULL, PG_STEP_WHAT, d);
	return err;
}

static int pg_pipe_add(db_pg *db, int64_t attempt_id, const char *step, const char *result, uint32_t duration_ms,
		       const char *detail, gang_diag *d)
{
	pg_pipe_row *w = &db->pipe[db->pipe_n];

	*w = (pg_pipe_row){ .attempt_id = attempt_id, .result = result, .duration_ms = duration_ms };
	w->step = strdup(step);
	w->detail = detail ? strdup(detail) : NULL;
	if (!w->step || (detail && !w->detail)) {
		free(w->step);
		free(w->detail);
		return gang_diag_set(d, GANG_ENOMEM, "database %s: out of memory recording a step", db->shown);
	}
	db->pipe_n++;
	return GANG_OK;
}

/*
 * The answers already here, read without waiting for the server (a row's
 * answer and its Sync's come together: the server flushes at the Sync): a
 * refusal is told by this step, which then sends nothing; a lost session
 * fails it as a lost statement would, so it runs again on a new session
 * (pg_store.c), with the rows not answered.
 */
static int pg_pipe_collect_ready(db_pg *db, gang_diag *d)
{
	PGresult *r = NULL;
	int done = 0, lost = !PQconsumeInput(db->conn);

	while (!lost && done < db->pipe_sent && !PQisBusy(db->conn)) {
		r = pg_pipe_next(db);
		if (!r || !pg_pipe_synced(db)) {
			lost = 1;
			break;
		}
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			pg_pipe_refused(db, r);
		PQclear(r);
		r = NULL;
		done++;
	}
	pg_pipe_shift(db, done);
	if (lost)
		return pg_pipe_lost(db, r, NULL, PG_STEP_WHAT, d);
	if (db->pipe_sent == 0)
		PQexitPipelineMode(db->conn);
	return db->pipe_err ? pg_pipe_tell(db, d) : GANG_OK;
}

static int pg_pipe_step_run(db_pg *db, int64_t attempt_id, const char *step, const char *result,
			    uint32_t duration_ms, const char *detail, gang_diag *d)
{
	pg_params p = { 0 };
	int err;

	if (db->in_tx) {   /* inside a transaction of the caller's: the row is its statement */
		pg_p_int(&p, attempt_id);
		pg_p_text(&p, step);
		pg_p_text(&p, result);
		pg_p_int(&p, duration_ms);
		pg_p_text(&p, detail);
		return pg_q(NULL, db, PG_STEP_SQL, &p, PG_STEP_WHAT, d);
	}
	if (db->pipe_sent > 0 && (err = pg_pipe_collect_ready(db, d)) < 0)
		return err;
	if (db->pipe_n == PG_PIPE_MAX && (err = pg_pipe_settle(db, d)) < 0)
		return err;
	/* nothing on the wire: a session the server ended is replaced first, as for any statement */
	if (db->pipe_sent == 0 && (err = pg_ready(db, d)) < 0)
		return err;
	if ((err = pg_pipe_add(db, attempt_id, step, result, duration_ms, detail, d)) < 0)
		return err;
	/* a session lost while sending shows at the next statement, which sends the row again */
	(void)pg_pipe_send_rows(db);
	return GANG_OK;
}

/*
 * A worker on a shared session waits for its row's answer before the
 * session goes back (pg_sessions.c): the next borrower must not read it.
 * A refusal is then told by this step, not the next one.
 */
int pg_pipe_step(db_pg *db, int64_t attempt_id, const char *step, const char *result, uint32_t duration_ms,
		 const char *detail, gang_diag *d)
{
	int err;

	if ((err = pg_share_in(db, d)) < 0)
		return err;
	err = pg_pipe_step_run(db, attempt_id, step, result, duration_ms, detail, d);
	if (err == GANG_OK && db->shared)
		err = pg_pipe_settle(db, d);
	pg_share_out(db);
	return err;
}
