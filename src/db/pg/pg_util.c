/*
 * pg_util.c — small libpq helpers of the PostgreSQL backend: statement
 * parameters, running a statement, operator sentences for a server's
 * refusal (by SQLSTATE, PostgreSQL 15 manual Appendix A "PostgreSQL Error
 * Codes"), and transactions.
 */
#include "db/pg/pg_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_p_text(pg_params *p, const char *s)
{
	if (p->n < PG_PARAMS_MAX)
		p->v[p->n++] = s;
}

void pg_p_int(pg_params *p, int64_t v)
{
	if (p->n < PG_PARAMS_MAX) {
		snprintf(p->num[p->n], sizeof(p->num[p->n]), "%" PRId64, v);
		p->v[p->n] = p->num[p->n];
		p->n++;
	}
}

void pg_oneline(char *s)
{
	char *w = s;

	for (const char *c = s; *c; c++) {
		char ch = *c == '\n' || *c == '\t' ? ' ' : *c;

		if (ch != ' ' || (w > s && w[-1] != ' '))
			*w++ = ch;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* The server's primary message (libpq's own text when there is no result), on one line. */
static void pg_message(char *out, size_t cap, db_pg *db, const PGresult *r)
{
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(out, cap, "%s", m ? m : db->conn ? PQerrorMessage(db->conn) : "no connection");
	pg_oneline(out);
}

int pg_fail(db_pg *db, const PGresult *r, const char *what, gang_diag *d)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	char msg[512];

	pg_message(msg, sizeof(msg), db, r);
	if (db->conn && PQstatus(db->conn) == CONNECTION_BAD)
		return gang_diag_set(d, GANG_EDB, "database %s: the connection to the server was lost while %s (%s)",
				     db->shown, what, msg);
	if (state && strcmp(state, "55P03") == 0)   /* lock_not_available: lock_timeout passed */
		return gang_diag_set(d, GANG_EDB,
				     "database %s is locked by another writer (another gang station, a backup or "
				     "an engineer's session?); gave up %s within %u ms",
				     db->shown, what, db->wait_ms);
	if (state && strcmp(state, "25006") == 0)   /* read_only_sql_transaction */
		return gang_diag_set(d, GANG_EDB, "database %s is read-only for this gang (%s while %s)",
				     db->shown, msg, what);
	if (state && strncmp(state, "53", 2) == 0)  /* insufficient resources: disk full, out of memory */
		return gang_diag_set(d, GANG_EDB, "database %s: the server is out of resources while %s (%s)",
				     db->shown, what, msg);
	/* the refusals of migration 0008's functions (db/migrations/pg/0008_server_functions.sql) */
	if (state && strcmp(state, "GS001") == 0)   /* the pool is exhausted */
		return gang_diag_set(d, GANG_ESERIAL_EXHAUSTED, "%s", msg);
	if (state && strcmp(state, "GS002") == 0)   /* no such pool */
		return gang_diag_set(d, GANG_EDB, "database %s: %s", db->shown, msg);
	if (state && strcmp(state, "GS003") == 0)   /* the attempt is closed */
		return gang_diag_set(d, GANG_ERR, "database %s: %s", db->shown, msg);
	if (state && strcmp(state, "GS004") == 0)   /* voided while the board was programmed */
		return gang_diag_set(d, GANG_ESERIAL_VOIDED, "database %s: %s", db->shown, msg);
	if (state && strcmp(state, "GS005") == 0)   /* the serial's text is another board's */
		return gang_diag_set(d, GANG_ESERIAL_TAKEN, "database %s: %s", db->shown, msg);
	if (state && strcmp(state, "42501") == 0)   /* insufficient_privilege */
		return gang_diag_set(d, GANG_EDB,
				     "database %s: this role may not do that (%s while %s) — check the role gang "
				     "connects as",
				     db->shown, msg, what);
	return gang_diag_set(d, GANG_EDB, "database %s: %s failed: %s", db->shown, what, msg);
}

/*
 * Between transactions, a session the server ended meanwhile (restart,
 * pg_terminate_backend: its FATAL message and EOF are waiting on the
 * socket) is replaced before the statement is sent; PQconsumeInput does
 * not block (libpq docs 34.4 "Asynchronous Command Processing").
 */
int pg_ready(db_pg *db, gang_diag *d)
{
	if (db->in_tx && !db->begin_ahead)   /* a BEGIN still to be sent: nothing of the transaction is on the wire */
		return GANG_OK;
	if (PQconsumeInput(db->conn) && PQstatus(db->conn) == CONNECTION_OK && !db->ended)
		return GANG_OK;
	return pg_reconnect(db, d);
}

/*
 * Remember how a statement that failed on a lost connection failed
 * (pg_retry). It may have committed when it was COMMIT, or a write outside a
 * transaction, unless the server said it ended the session by order
 * (57P01 admin_shutdown: pg_terminate_backend or a fast shutdown; 57P02
 * crash_shutdown): an autocommit statement commits at the protocol's Sync
 * (PostgreSQL 15 manual 55.2.3), after which that order reaches the
 * station only at its next statement. A statement or transaction marked
 * idempotent (a step's row, inserted only when not there yet; an attempt's
 * serial text, set to the same value) may always run again; a
 * SELECT of a server function that writes (db->writes) is a write.
 */
void pg_note_lost(db_pg *db, const PGresult *r, const char *sql)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int ordered = db->ended || (state && (strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0));

	db->lost = PQstatus(db->conn) == CONNECTION_BAD;
	if (!sql) {   /* step rows only: each inserts only what is not there yet */
		db->unsure = 0;
		return;
	}
	/* an idempotent statement or transaction (db->idempotent) may run again even after a cut COMMIT */
	db->unsure = db->lost && !db->idempotent &&
		     (strncmp(sql, "COMMIT", 6) == 0 ||
		      (!db->in_tx && !ordered &&
		       (db->writes || (strncmp(sql, "SELECT", 6) != 0 && strncmp(sql, "BEGIN", 5) != 0))));
}

/*
 * The session's prepared statement for sql, prepared on first use (libpq
 * docs 34.3.1 PQprepare, PQexecPrepared): the server parses and plans a
 * statement once per session instead of at every call. The statements are
 * gang's own constant texts (every value is a parameter), so there are few.
 * NULL when none is to be had (the table is full, or preparing failed: the
 * statement then runs unprepared and fails or succeeds as such).
 */
const char *pg_prepared_name(char *name, size_t cap, db_pg *db, const char *sql)
{
	int i;

	for (i = 0; i < db->n_prepared && strcmp(db->prepared[i], sql) != 0; i++)
		;
	snprintf(name, cap, "g%d", i);
	return i < db->n_prepared ? name : NULL;
}

void pg_prepared_add(db_pg *db, const char *sql)
{
	char *copy;

	if (db->n_prepared < PG_PREPARED_MAX && (copy = strdup(sql)))
		db->prepared[db->n_prepared++] = copy;
}

const char *pg_prepared(char *name, size_t cap, db_pg *db, const char *sql, int nparams)
{
	PGresult *r;
	char *copy;
	int i = db->n_prepared;

	if (pg_prepared_name(name, cap, db, sql))
		return name;
	/* PQprepare waits for its answer: never in pipeline mode (pg_pipe.c sends its own) */
	if (i >= PG_PREPARED_MAX || PQtransactionStatus(db->conn) == PQTRANS_INERROR ||
	    PQpipelineStatus(db->conn) != PQ_PIPELINE_OFF || !(copy = strdup(sql)))
		return NULL;
	r = PQprepare(db->conn, name, sql, nparams, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		free(copy);
		return NULL;
	}
	PQclear(r);
	db->prepared[db->n_prepared++] = copy;
	return name;
}

/* A new session has none of the old one's prepared statements. */
void pg_prepared_forget(db_pg *db)
{
	while (db->n_prepared > 0)
		free(db->prepared[--db->n_prepared]);
}

int pg_answer(PGresult **out, db_pg *db, PGresult *r, const char *sql, const char *what, gang_diag *d)
{
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	int err;

	if (out)
		*out = NULL;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pg_note_lost(db, r, sql);
		err = pg_fail(db, r, what, d);
		PQclear(r);
		return err;
	}
	db->lost = db->unsure = 0;
	if (out)
		*out = r;
	else
		PQclear(r);
	return GANG_OK;
}

static int pg_q_run(PGresult **out, db_pg *db, const char *sql, const pg_params *p, const char *what, gang_diag *d)
{
	PGresult *r;
	char name[16];
	int err;

	if (out)
		*out = NULL;
	/* step rows or a BEGIN sent ahead go with this statement, or are answered first (pg_pipe.c) */
	if (!db->pipe_hold && (db->pipe_n > 0 || db->pipe_err || db->begin_ahead))
		return pg_pipe_q(out, db, sql, p, what, d);
	if ((err = pg_ready(db, d)) < 0)
		return err;
	if (pg_prepared(name, sizeof(name), db, sql, p ? p->n : 0))
		r = PQexecPrepared(db->conn, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
	else
		r = PQexecParams(db->conn, sql, p ? p->n : 0, NULL, p ? p->v : NULL, NULL, NULL, 0);
	return pg_answer(out, db, r, sql, what, d);
}

/* A worker's statement runs on a shared session (pg_sessions.c). */
int pg_q(PGresult **out, db_pg *db, const char *sql, const pg_params *p, const char *what, gang_diag *d)
{
	int err;

	if (out)
		*out = NULL;
	if ((err = pg_share_in(db, d)) < 0)
		return err;
	err = pg_q_run(out, db, sql, p, what, d);
	pg_share_out(db);
	return err;
}

int64_t pg_changed(PGresult *r)
{
	return strtoll(PQcmdTuples(r), NULL, 10);
}

void pg_copy(char *out, size_t cap, PGresult *r, int row, int col)
{
	if (row < PQntuples(r) && !PQgetisnull(r, row, col))
		snprintf(out, cap, "%s", PQgetvalue(r, row, col));
	else if (cap)
		out[0] = '\0';
}

int64_t pg_int(PGresult *r, int row, int col)
{
	return row < PQntuples(r) ? strtoll(PQgetvalue(r, row, col), NULL, 10) : 0;
}

int pg_is_null(PGresult *r, int row, int col)
{
	return row >= PQntuples(r) || PQgetisnull(r, row, col);
}

/*
 * Read committed (PostgreSQL 15 manual 13.2.1): every statement sees what
 * committed before it started, and the writes that must not race take row
 * locks (SELECT ... FOR UPDATE) or advisory locks, which wait at most
 * lock_timeout.
 */
int pg_begin_as(db_pg *db, const char *sql, const char *what, gang_diag *d)
{
	int err;

	db->tx_starting = 1;   /* a worker keeps the session it sends BEGIN on (pg_sessions.c) */
	err = pg_q(NULL, db, sql, NULL, what, d);
	db->tx_starting = 0;
	db->in_tx = err == GANG_OK;
	if (err < 0)
		pg_share_idle(db);
	return err;
}

int pg_begin(db_pg *db, gang_diag *d)
{
	return pg_begin_as(db, PG_BEGIN_SQL, "starting a transaction", d);
}

void pg_begin_ahead(db_pg *db)
{
	db->begin_ahead = 1;
	db->in_tx = 1;
}

int pg_commit(db_pg *db, gang_diag *d)
{
	int err = pg_q(NULL, db, "COMMIT", NULL, "committing", d);

	if (err < 0)
		pg_rollback(db);
	db->in_tx = 0;
	pg_share_idle(db);
	return err;
}

/*
 * A worker's op runs again on a session made new for it: a free shared
 * session may be as dead as the lost one (a server restarted, or a
 * backend killed while parked, shows only at the next statement), and the
 * op has few tries. The session stays with the handle for the op.
 */
static int pg_retry_shared(db_pg *db, gang_diag *d)
{
	int rc;

	db->share_again = 1;
	rc = pg_share_in(db, d);
	db->share_again = 0;
	if (rc < 0)
		return 0;
	rc = pg_reconnect(db, d);
	db->share_depth--;
	if (rc < 0)
		pg_share_idle(db);   /* lost for good: closed, its place free */
	return rc == GANG_OK;
}

int pg_retry(db_pg *db, int err, gang_diag *d)
{
	int rc = GANG_EDB;

	if (err >= 0 || !db->lost || db->unsure || db->in_tx)
		return 0;
	if (db->shared && !db->has_session)   /* its lost session was closed */
		return pg_retry_shared(db, d);
	/* the new session may be ended too before it is set up: a few tries */
	for (int i = 0; i < PG_RETRIES && rc < 0 && (i == 0 || db->lost || db->ended); i++)
		rc = pg_reconnect(db, d);
	return rc == GANG_OK;
}

void pg_rollback(db_pg *db)
{
	if (db->conn && PQtransactionStatus(db->conn) != PQTRANS_IDLE &&
	    PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF)
		PQclear(PQexec(db->conn, "ROLLBACK"));
	db->in_tx = 0;
	db->begin_ahead = 0;
	pg_share_idle(db);
}

/* lock_timeout (PostgreSQL 15 manual 20.11.1): how long a statement waits for another session's lock. */
int pg_apply_wait(db_pg *db, gang_diag *d)
{
	pg_params p = { 0 };
	char ms[24];

	int err;

	snprintf(ms, sizeof(ms), "%u", db->wait_ms);
	pg_p_text(&p, ms);
	err = pg_q(NULL, db, "SELECT set_config('lock_timeout', $1, false)", &p, "setting the lock wait", d);
	if (err == GANG_OK)
		db->sess_wait_ms = db->wait_ms;
	return err;
}
