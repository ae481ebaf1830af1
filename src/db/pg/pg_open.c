/*
 * pg_open.c — opening the central PostgreSQL database: the connection
 * (PQconnectdb with the connection string as given, URI or keyword/value
 * pairs: libpq docs 34.1.1 "Connection Strings"; a password comes from the service file, ~/.pgpass or the
 * environment, 34.17/34.16/34.15, and is never printed), the migrations,
 * and run ownership.
 *
 * A run is a session advisory lock (PostgreSQL 15 manual 9.27.10 and 13.3.5
 * "Advisory Locks"): the main handle takes (PG_LOCK_RUN, run id) and keeps
 * it until it closes; the server drops it when the session ends, also when
 * the station is killed or loses the network. A starting run closes as
 * aborted only the open attempts whose run's lock nobody holds
 * (pg_locks), never those of another station running now.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define PG_RUN_ID_TRIES 8

/*
 * The server's NOTICEs (IF NOT EXISTS and the like) must not reach the
 * operator's terminal. A FATAL that arrives while the session is idle
 * (libpq hands it over as a notice) is the server ending the session by
 * order (57P01: pg_terminate_backend, a fast shutdown): noted, so the
 * next statement goes to a new session (pg_util.c pg_ready).
 */
static void pg_quiet(void *arg, const PGresult *r)
{
	db_pg *db = arg;
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (state && (strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0))
		db->ended = 1;
}

/*
 * libpq's own words for a failed connection, with the password removed
 * should libpq quote it (a malformed percent-encoding is quoted back, RFC
 * 3986 §2.1): only the host, port, socket and server may show. The
 * password is found as libpq finds it (PQconninfoParse, libpq docs 34.1:
 * a URI's userinfo or password parameter, a password=… pair).
 */
/* Overwrite every occurrence of secret (n bytes) in msg. */
static void pg_scrub_secret(char *msg, const char *secret, size_t n)
{
	char *hit;

	while (n && (hit = strstr(msg, secret)))
		memset(hit, '*', n);
}

/* A URI's userinfo password taken by hand: libpq cannot parse a malformed URI, yet quotes it back. */
static void pg_scrub_userinfo(char *msg, const char *uri)
{
	const char *auth = strstr(uri, "://");
	const char *colon, *at;
	char secret[256];
	size_t n;

	if (!auth)
		return;
	auth += 3;
	at = strchr(auth, '@');
	if (!at || (size_t)(at - auth) > strcspn(auth, "/?#"))
		return;
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (!colon || (n = (size_t)(at - colon - 1)) == 0 || n >= sizeof(secret))
		return;
	memcpy(secret, colon + 1, n);
	secret[n] = '\0';
	pg_scrub_secret(msg, secret, n);
}

static void pg_scrub(char *msg, const char *uri)
{
	PQconninfoOption *opts = PQconninfoParse(uri, NULL);

	pg_scrub_userinfo(msg, uri);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			pg_scrub_secret(msg, o->val, strlen(o->val));
	PQconninfoFree(opts);
}

/* again: a session replacing a lost one, told in pg_reconnect's words. */
static int pg_connect(db_pg *db, int again, gang_diag *d)
{
	char msg[512];

	db->conn = PQconnectdb(db->uri);
	if (!db->conn)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory connecting to database %s", db->shown);
	if (PQstatus(db->conn) == CONNECTION_OK) {
		PQsetNoticeReceiver(db->conn, pg_quiet, db);
		return GANG_OK;
	}
	snprintf(msg, sizeof(msg), "%s", PQerrorMessage(db->conn));
	pg_oneline(msg);
	pg_scrub(msg, db->uri);
	if (again)
		return gang_diag_set(d, GANG_EDB, "database %s: the connection to the server was lost and reconnecting "
				     "failed: %s", db->shown, msg);
	return gang_diag_set(d, GANG_EDB, "cannot connect to database %s: %s", db->shown, msg);
}

/* What a session of this handle is set to: the lock wait, read-only. */
static int pg_session(db_pg *db, gang_diag *d)
{
	pg_params p = { 0 };
	int err;

	if ((err = pg_apply_wait(db, d)) < 0 || !(db->flags & GANG_DB_READONLY))
		return err;
	pg_p_text(&p, "on");
	return pg_q(NULL, db, "SELECT set_config('default_transaction_read_only', $1, false)", &p, "opening read-only",
		    d);
}

/* The run's lock again, on a new session (the old one's went with it). */
static int pg_relock(db_pg *db, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err, ok;

	if (!db->run_locked)
		return GANG_OK;
	pg_p_int(&p, PG_LOCK_RUN);
	pg_p_int(&p, db->run_id);
	if ((err = pg_q(&r, db, "SELECT pg_try_advisory_lock($1::int, $2::int)", &p, "taking the run back", d)) < 0)
		return err;
	ok = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!ok)
		return gang_diag_set(d, GANG_EDB, "database %s: after reconnecting, run %lld is held by another session",
				     db->shown, (long long)db->run_id);
	return GANG_OK;
}

/* The new session, set up one statement at a time: rows sent ahead go again with the next statement. */
static int pg_reconnect_session(db_pg *db, gang_diag *d)
{
	int err;

	db->pipe_hold = 1;
	err = pg_session(db, d) < 0 ? GANG_EDB : pg_relock(db, d);
	db->pipe_hold = 0;
	return err;
}

int pg_reconnect(db_pg *db, gang_diag *d)
{
	char msg[512];

	db->in_tx = db->begin_ahead;   /* a BEGIN not sent yet still opens the transaction, on the new session */
	db->ended = 0;
	db->pipe_sent = 0;
	pg_prepared_forget(db);
	PQreset(db->conn);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(db->conn));
		pg_oneline(msg);
		pg_scrub(msg, db->uri);
		return gang_diag_set(d, GANG_EDB, "database %s: the connection to the server was lost and reconnecting "
				     "failed: %s", db->shown, msg);
	}
	PQsetNoticeReceiver(db->conn, pg_quiet, db);
	db->lost = db->unsure = 0;
	return pg_reconnect_session(db, d);
}

int pg_session_open(db_pg *db, int again, gang_diag *d)
{
	int err = pg_connect(db, again, d);

	return err < 0 ? err : pg_session(db, d);
}

void pg_session_adopt(db_pg *db)
{
	PQsetNoticeReceiver(db->conn, pg_quiet, db);
}

static int pg_setup(db_pg *db, gang_diag *d)
{
	int err;

	if ((err = pg_connect(db, 0, d)) < 0 || (err = pg_session(db, d)) < 0)
		return err;
	if ((err = pg_migrate_on_open(db, d)) < 0)
		return err;
	if (db->flags & GANG_DB_RECOVER)
		return db_pg_recover(db, NULL, d);
	return GANG_OK;
}

/* A handle, not connected yet. */
static int pg_handle_new(db_pg **out, const char *uri, int flags, uint32_t wait_ms, gang_diag *d)
{
	char shown[512];
	db_pg *db;

	*out = NULL;
	gang_store_uri_shown(shown, sizeof(shown), uri);
	db = calloc(1, sizeof(*db));
	if (!db || !(db->uri = strdup(uri)) || !(db->shown = strdup(shown))) {
		if (db)
			free(db->uri);
		free(db);
		return gang_diag_set(d, GANG_ENOMEM, "out of memory opening database %s", shown);
	}
	db->base.ops = &db_pg_ops;
	db->flags = flags;
	db->wait_ms = wait_ms;
	*out = db;
	return GANG_OK;
}

static int pg_open_waiting(db_pg **out, const char *uri, int flags, uint32_t wait_ms, gang_diag *d)
{
	db_pg *db;
	int err;

	if ((err = pg_handle_new(&db, uri, flags, wait_ms, d)) < 0)
		return err;
	if ((err = pg_setup(db, d)) < 0) {
		db_pg_close(db);
		return err;
	}
	*out = db;
	return GANG_OK;
}

int db_pg_open(db_pg **out, const char *uri, int flags, gang_diag *d)
{
	int err = pg_open_waiting(out, uri, flags, GANG_DB_BUSY_BUDGET_MS, d);

	/* the sessions its workers will share (a read-only handle has none: it has no workers) */
	if (err < 0 || (flags & GANG_DB_READONLY))
		return err;
	if (!((*out)->for_workers = pg_sessions_new())) {
		err = gang_diag_set(d, GANG_ENOMEM, "out of memory opening database %s", (*out)->shown);
		db_pg_close(*out);
		*out = NULL;
	}
	return err;
}

/*
 * A worker of main_db: one that borrows main_db's shared sessions
 * (pg_sessions.c; a slot), or, with own, one with a session of its own
 * (the journal's delivery, whose batches would hold a shared one long).
 */
static int pg_open_worker(db_pg **out, db_pg *main_db, int own, gang_diag *d)
{
	int flags = main_db->flags & ~(GANG_DB_CREATE | GANG_DB_RECOVER);
	int err;

	*out = NULL;
	if (main_db->flags & GANG_DB_READONLY)
		return gang_diag_set(d, GANG_ERR, "database %s: worker connections need a read-write main one",
				     main_db->shown);
	err = own ? pg_open_waiting(out, main_db->uri, flags, main_db->wait_ms, d)
		  : pg_handle_new(out, main_db->uri, flags, main_db->wait_ms, d);
	if (err < 0)
		return err;
	(*out)->run_id = main_db->run_id;
	(*out)->deliver = main_db->deliver;
	if (!own)
		(*out)->shared = pg_sessions_ref(main_db->for_workers);
	return GANG_OK;
}

int db_pg_open_worker(db_pg **out, db_pg *main_db, gang_diag *d)
{
	return pg_open_worker(out, main_db, 0, d);
}

int db_pg_open_own_worker(db_pg **out, db_pg *main_db, gang_diag *d)
{
	return pg_open_worker(out, main_db, 1, d);
}

void db_pg_close(db_pg *db)
{
	if (!db)
		return;
	if (db->deliver_owned)
		pg_deliver_stop(db);
	/*
	 * Step rows sent ahead and not answered: delivered before the session
	 * ends, on a new one when it was lost (each inserts only what is not
	 * there yet). A refusal then has no one left to tell; a server still
	 * away loses them, as it would have lost the step itself.
	 */
	if ((db->conn || db->shared) && db->pipe_n > 0) {
		gang_diag quiet = { 0 };

		if (db->shared || PQstatus(db->conn) == CONNECTION_OK)
			(void)pg_pipe_q(NULL, db, NULL, NULL, "recording a step", &quiet);
		/* a session found gone only now (its backend killed): one new session for what is left */
		if (db->pipe_n > 0 && (db->shared || pg_reconnect(db, &quiet) == GANG_OK))
			(void)pg_pipe_q(NULL, db, NULL, NULL, "recording a step", &quiet);
	}
	pg_pipe_drop(db);
	if (db->shared && db->has_session) {
		/* a borrowed session goes back clean (or closed, when it is lost) */
		db->pipe_sent = db->share_depth = 0;
		pg_rollback(db);
		pg_share_idle(db);
	}
	if (db->conn) {
		pg_rollback(db);
		PQfinish(db->conn);   /* ends the session: its run lock goes with it */
	}
	pg_prepared_forget(db);
	pg_sessions_unref(db->shared);
	pg_sessions_unref(db->for_workers);
	free(db->uri);
	free(db->shown);
	free(db);
}

/* Become a run: a random 31-bit id whose session lock nobody holds yet. */
static int pg_run_claim(db_pg *db, gang_diag *d)
{
	PGresult *r;
	uint32_t rnd = 0;
	int err;

	if (db->run_locked)
		return GANG_OK;
	for (int i = 0; i < PG_RUN_ID_TRIES; i++) {
		pg_params p = { 0 };

		if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			rnd = (uint32_t)getpid() * 2654435761U ^ (uint32_t)time(NULL) ^ (uint32_t)i;
		db->run_id = (int64_t)(rnd & 0x7FFFFFFEU) + 1;
		pg_p_int(&p, PG_LOCK_RUN);
		pg_p_int(&p, db->run_id);
		if ((err = pg_q(&r, db, "SELECT pg_try_advisory_lock($1::int, $2::int)", &p, "starting a run", d)) < 0)
			return err;
		db->run_locked = PQgetvalue(r, 0, 0)[0] == 't';
		PQclear(r);
		if (db->run_locked)
			return GANG_OK;
	}
	db->run_id = 0;
	return gang_diag_set(d, GANG_EDB, "database %s: no free run id after %d tries", db->shown, PG_RUN_ID_TRIES);
}

/* Does a session hold run_id's lock? Unowned (0) and our own id are not alive. */
static int pg_run_alive(int *alive, db_pg *db, int64_t run_id, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	*alive = 0;
	if (run_id <= 0 || run_id == db->run_id)
		return GANG_OK;
	pg_p_int(&p, PG_LOCK_RUN);
	pg_p_int(&p, run_id);
	/* two-int4 advisory keys show as classid, objid and objsubid 2 (PostgreSQL 15 manual 54.12 "pg_locks") */
	if ((err = pg_q(&r, db,
			"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = "
			"(SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = $1::oid "
			"AND objid = $2::oid AND objsubid = 2 AND granted)",
			&p, "looking for live runs", d)) < 0)
		return err;
	*alive = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return GANG_OK;
}

static int pg_recover_owner(db_pg *db, int64_t owner, int *closed, gang_diag *d)
{
	static const char *const sql[] = {
		"UPDATE boards SET last_result = 'aborted', last_seen = " PG_NOW_SQL " WHERE uid IN "
		"(SELECT uid FROM attempts WHERE finished_at IS NULL AND run_id IS NOT DISTINCT FROM $1::bigint)",
		"UPDATE attempts SET finished_at = " PG_NOW_SQL ", result = 'aborted', error_class = 'aborted', "
		"error_message = 'gang stopped during this attempt' WHERE finished_at IS NULL "
		"AND run_id IS NOT DISTINCT FROM $1::bigint",
	};
	PGresult *r;
	int err;

	for (int i = 0; i < 2; i++) {
		pg_params p = { 0 };

		if (owner)
			pg_p_int(&p, owner);
		else
			pg_p_text(&p, NULL);
		if ((err = pg_q(&r, db, sql[i], &p, "closing attempts left open", d)) < 0)
			return err;
		if (i == 1)
			*closed += (int)pg_changed(r);
		PQclear(r);
	}
	return GANG_OK;
}

static int pg_recover_dead(db_pg *db, int *closed, gang_diag *d)
{
	PGresult *owners;
	int alive, err;

	if ((err = pg_q(&owners, db, "SELECT DISTINCT COALESCE(run_id, 0) FROM attempts WHERE finished_at IS NULL",
			NULL, "listing attempts left open", d)) < 0)
		return err;
	for (int i = 0; err == GANG_OK && i < PQntuples(owners); i++) {
		int64_t owner = pg_int(owners, i, 0);

		if ((err = pg_run_alive(&alive, db, owner, d)) == GANG_OK && !alive)
			err = pg_recover_owner(db, owner, closed, d);
	}
	PQclear(owners);
	return err;
}

int db_pg_recover(db_pg *db, int *closed_out, gang_diag *d)
{
	int closed = 0, err;

	if (closed_out)
		*closed_out = 0;
	if ((err = pg_run_claim(db, d)) < 0 || (err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_recover_dead(db, &closed, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	if (closed_out)
		*closed_out = closed;
	if ((err = pg_commit(db, d)) < 0)
		return err;
	/* the journal's worker delivers as this run: its attempts carry the run's id */
	return db->deliver && db->deliver_owned ? pg_deliver_start(db, d) : GANG_OK;
}
