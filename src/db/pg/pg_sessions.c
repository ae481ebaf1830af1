/*
 * pg_sessions.c — the few server sessions a station's slots share. The
 * main handle keeps a session of its own (it holds the run's lock); every
 * worker handle (a slot, the journal's delivery) borrows one of at most
 * PG_SHARED_SESSIONS sessions when its first statement outside a
 * transaction starts and gives it back once no transaction of its own is
 * open and no row of its is on the session's wire. So a transaction never
 * waits for a session halfway, and a slot waiting for one holds no lock the
 * slots with one could wait for. The slots over the limit wait in the
 * station, not as backends on the server. A session is opened when one is
 * needed and none is free, and closed with the last handle.
 *
 * Why: with a session per slot, 32 slots writing records at once made the
 * server's two cores spend twice the CPU per record of 4 sessions (each
 * record touched by backends in rotation, and their row locks waited on
 * one another): 470-510 records/s and 1,500-2,400 reservations/s, where 32
 * slots sharing 4 sessions did 855/s and 4,600/s (build/pg-bench, loopback,
 * docs/benchmarks.md). PostgreSQL's own advice is a few active sessions per
 * core (PostgreSQL wiki, "Number Of Database Connections").
 *
 * A borrowed session moves into the handle (db->conn, its prepared
 * statements, its ended mark) and back out when given back, so the rest of
 * the backend works on db->conn as on a session of its own.
 */
#include "db/pg/pg_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_parked {
	PGconn *conn;
	char *prepared[PG_PREPARED_MAX];
	int n_prepared;
	int ended;
	uint32_t wait_ms;
} pg_parked;

struct pg_sessions {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pg_parked free[PG_SHARED_SESSIONS];
	int n_free;
	int opened; /* sessions that exist: free or borrowed (or being opened) */
	int refs;
};

pg_sessions *pg_sessions_new(void)
{
	pg_sessions *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s);
		return NULL;
	}
	if (pthread_cond_init(&s->cv, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	s->refs = 1;
	return s;
}

pg_sessions *pg_sessions_ref(pg_sessions *s)
{
	if (s) {
		pthread_mutex_lock(&s->mu);
		s->refs++;
		pthread_mutex_unlock(&s->mu);
	}
	return s;
}

void pg_sessions_unref(pg_sessions *s)
{
	int last;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	last = --s->refs == 0;
	pthread_mutex_unlock(&s->mu);
	if (!last)
		return;
	for (int i = 0; i < s->n_free; i++) {
		PQfinish(s->free[i].conn);
		while (s->free[i].n_prepared > 0)
			free(s->free[i].prepared[--s->free[i].n_prepared]);
	}
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* A free session into db (the caller holds the lock). */
static void pg_sessions_pop(db_pg *db, pg_sessions *s)
{
	pg_parked *p = &s->free[--s->n_free];

	db->conn = p->conn;
	memcpy(db->prepared, p->prepared, sizeof(db->prepared));
	db->n_prepared = p->n_prepared;
	db->ended = p->ended;
	db->sess_wait_ms = p->wait_ms;
	memset(p, 0, sizeof(*p));
}

/* A session for db: a free one, a new one, or the next one given back. */
static int pg_sessions_take(db_pg *db, gang_diag *d)
{
	pg_sessions *s = db->shared;
	int err, fresh = 0;

	pthread_mutex_lock(&s->mu);
	while (s->n_free == 0 && s->opened >= PG_SHARED_SESSIONS)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->n_free > 0)
		pg_sessions_pop(db, s);
	else
		fresh = ++s->opened;
	pthread_mutex_unlock(&s->mu);
	db->has_session = 1;
	if (!fresh) {
		pg_session_adopt(db);
		/* the lock wait this handle asks for, should another handle's differ */
		return db->sess_wait_ms == db->wait_ms ? GANG_OK : pg_apply_wait(db, d);
	}
	db->ended = 0;
	if ((err = pg_session_open(db, db->share_again, d)) == GANG_OK) {
		db->lost = db->unsure = 0;
		return GANG_OK;
	}
	/* no session after all: the server is out of reach (pg_unreachable), and the place goes back */
	db->lost = 1;
	db->unsure = 0;
	PQfinish(db->conn);
	db->conn = NULL;
	pg_prepared_forget(db);   /* a session set up halfway may have prepared one */
	db->has_session = 0;
	pthread_mutex_lock(&s->mu);
	s->opened--;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return err;
}

/* db's session back to the free ones; one lost for good is closed instead. */
static void pg_sessions_give(db_pg *db)
{
	pg_sessions *s = db->shared;
	int keep = db->conn && PQstatus(db->conn) == CONNECTION_OK && !db->ended;

	pthread_mutex_lock(&s->mu);
	if (keep) {
		pg_parked *p = &s->free[s->n_free++];

		p->conn = db->conn;
		memcpy(p->prepared, db->prepared, sizeof(p->prepared));
		p->n_prepared = db->n_prepared;
		p->ended = db->ended;
		p->wait_ms = db->sess_wait_ms;
	} else {
		s->opened--;
	}
	pthread_cond_signal(&s->cv);   /* one session, one waiter: waking all would wake 30 slots for nothing */
	pthread_mutex_unlock(&s->mu);
	if (!keep) {
		PQfinish(db->conn);
		pg_prepared_forget(db);
		db->ended = 0;
	}
	db->conn = NULL;
	memset(db->prepared, 0, sizeof(db->prepared));
	db->n_prepared = 0;
	db->has_session = 0;
}

int pg_share_in(db_pg *db, gang_diag *d)
{
	int err;

	if (db->asked)   /* every statement starts here: the session must be free of an answer nobody takes */
		pg_report_asked_drop(db);
	db->share_depth++;
	if (!db->shared || db->has_session)
		return GANG_OK;
	if ((err = pg_sessions_take(db, d)) < 0) {
		db->share_depth--;
		pg_share_idle(db);   /* a free session whose lock wait could not be set goes back */
	}
	return err;
}

void pg_share_idle(db_pg *db)
{
	if (!db->shared || !db->has_session || db->share_depth > 0 || db->in_tx || db->tx_starting ||
	    db->pipe_sent > 0)
		return;
	pg_sessions_give(db);
}

void pg_share_out(db_pg *db)
{
	if (db->share_depth > 0)
		db->share_depth--;
	pg_share_idle(db);
}
