/*
 * pg_journal.c — a station's journal (db/journal.h) and its delivery to
 * the central database (migration 0007, table journal_deliveries).
 *
 * Writing: each attempt op of a run writes its record to the journal.
 * An attempt's begin, identify and steps return once the record is on
 * the station's disk. Its serial text and its pass wait (while the server
 * answers) until the worker has delivered them and everything before
 * them, and a refusal of any of the attempt's records comes back then: a
 * serial text another board holds stops the board before it is
 * programmed, and no pass is reported that the central database does not
 * hold (a serial voided while the board was programmed). A failure, a
 * sighting and a leased serial's binding wait for their own delivery.
 * A serial, data value or label reserved centrally waits first for its
 * own attempt's records only (pg_journal_sync_attempt). While the server
 * is out of reach every op returns once its record is on disk.
 *
 * Delivering: one worker thread with its own session takes the oldest
 * pending records (up to PG_DELIVER_BATCH, in order) and delivers them in
 * one transaction; each record first inserts (station, seq) into
 * journal_deliveries ON CONFLICT DO NOTHING: a record already there (its
 * earlier delivery committed, then kill -9 or a lost connection kept the
 * station from knowing) is not applied again. The journal marks records
 * delivered only after that COMMIT. A lost server makes the worker retry
 * every PG_DELIVER_RETRY_MS; any other failure rolls the whole batch back
 * and its records are delivered again one transaction each, so a refusal
 * stays with its own record (kept with it and centrally) and delivery goes
 * on.
 */
#include "db/pg/pg_internal.h"
#include "db/journal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_DELIVER_RETRY_MS 300   /* an unreachable server is tried again this often */
#define PG_DELIVER_DRAIN_S 20     /* at the end of a run: delivering goes on this long while the server answers */
#define PG_DELIVERY_NAME "gang-delivery"
#define PG_DELIVER_BATCH 32       /* records delivered in one transaction at most */
#define PG_DELIVER_STOP_TRIES 5   /* at the end of a run: a server that fails this many deliveries in a row is away */

typedef struct pg_deliver pg_deliver;

struct pg_deliver {
	gang_journal *j;
	pthread_mutex_t mu;   /* guards the fields below */
	pthread_cond_t cv;    /* settled, offline, appended or stop changed */
	int64_t appended;     /* the highest record written by this run */
	int64_t finished;     /* the highest attempt result written by this run */
	int64_t settled;      /* the last record delivered or refused, in order */
	int64_t next_attempt; /* the station's next attempt number */
	int offline;          /* the last delivery found no server */
	int fails;            /* deliveries in a row that found no server */
	int stop, running;
	time_t stop_by;       /* stop: give up delivering after this */
	pthread_t thread;
	db_pg *conn;          /* the worker's own session */
};

int pg_unreachable(const db_pg *db)
{
	if (db->shared && !db->has_session)   /* a worker between transactions: as its last one ended */
		return db->lost;
	return db->lost || !db->conn || PQstatus(db->conn) != CONNECTION_OK;
}

static int pgj_insert_attempt(db_pg *db, const char *station, const gang_journal_rec *r, gang_diag *d)
{
	pg_params p = { 0 };

	for (int i = 0; i < 7; i++)
		pg_p_text(&p, r->s[i]);
	pg_p_text(&p, station[0] ? station : NULL);
	if (db->run_id)
		pg_p_int(&p, db->run_id);
	else
		pg_p_text(&p, NULL);
	pg_p_int(&p, r->n[0] ? 1 : 0);
	pg_p_int(&p, r->attempt_seq);
	pg_p_text(&p, r->at);
	return pg_q(NULL, db,
		    "INSERT INTO attempts (slot, probe_serial, batch, profile_name, profile_sha256, image_sha256, "
		    "operator, station, run_id, rework, seq, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
		    "$9::bigint, $10, $11, $12)",
		    &p, "delivering an attempt", d);
}

static int pgj_insert_step(db_pg *db, const gang_attempt_key *k, const gang_journal_rec *r, gang_diag *d)
{
	static const char *const results[] = { "pass", "fail", "skip" };
	pg_params p = { 0 };
	int64_t id;
	int err;

	if (r->n[0] < 0 || r->n[0] > GANG_STEP_SKIP)
		return gang_diag_set(d, GANG_ERR, "journal record %lld: invalid step result", (long long)r->seq);
	if ((err = pg_attempt_row(&id, db, k, "delivering a step", d)) < 0)
		return err;
	pg_p_int(&p, id);
	pg_p_text(&p, r->s[0]);
	pg_p_text(&p, results[r->n[0]]);
	pg_p_int(&p, r->n[1]);
	pg_p_text(&p, r->s[1]);
	pg_p_text(&p, r->at);
	return pg_q(NULL, db, "INSERT INTO steps (attempt_id, step, result, duration_ms, detail, at) VALUES ($1, $2, "
		    "$3, $4, $5, $6)", &p, "delivering a step", d);
}

static int pgj_apply_sighting(db_pg *db, const char *station, const gang_journal_rec *r, gang_diag *d)
{
	gang_attempt_info info = { .slot = r->s[1], .probe_serial = r->s[2], .batch = r->s[3],
				   .operator_name = r->s[4], .station = station[0] ? station : NULL };
	gang_attempt_key pass = { .seq = r->n[0] };

	snprintf(pass.station, sizeof(pass.station), "%s", r->s[5] ? r->s[5] : "");
	return db_pg_sighting(db, &info, r->s[0], &pass, d);
}

/* What record r says, applied inside the delivery's transaction. */
static int pgj_apply(db_pg *db, const char *station, const gang_journal_rec *r, gang_diag *d)
{
	gang_attempt_key k = { .seq = r->attempt_seq };
	gang_attempt_target t = { .uid = r->s[0], .part = r->s[1], .connect_mode = r->s[2],
				  .option_bytes = r->s[3], .rdp_before = (int)r->n[0] };
	gang_lease_binding b = { .station = station, .pool = r->s[0], .uid = r->s[1], .part = r->s[2],
				 .value = r->n[0], .attempt = r->attempt_seq > 0 ? &k : NULL };
	gang_lease_bound out;

	snprintf(k.station, sizeof(k.station), "%s", station);
	switch (r->kind) {
	case GANG_JREC_BEGIN: return pgj_insert_attempt(db, station, r, d);
	case GANG_JREC_IDENTIFY: return pg_identify_tx(db, &k, &t, d);
	case GANG_JREC_SERIAL_TEXT: return pg_serial_text_tx(db, &k, r->s[0], d);
	case GANG_JREC_STEP: return pgj_insert_step(db, &k, r, d);
	case GANG_JREC_FINISH:
		if (r->n[0] < 0 || r->n[0] > GANG_ATTEMPT_ABORTED)
			break;
		return pg_finish_tx(db, &k, (gang_attempt_result)r->n[0], r->s[0], r->s[1], r->at, d);
	case GANG_JREC_SIGHTING: return pgj_apply_sighting(db, station, r, d);
	case GANG_JREC_BIND: return pg_bind_tx(&out, db, &b, d);   /* offline: a conflict is recorded, not refused */
	case GANG_JREC_SERIAL: b.part = NULL; return pg_bind_attempt(db, &b, r->n[0], d);
	}
	return gang_diag_set(d, GANG_ERR, "journal record %lld has an unknown kind %d", (long long)r->seq, (int)r->kind);
}

/* The record's key: *dup when an earlier delivery of it committed already. */
static int pgj_claim(int *dup, db_pg *db, const char *station, const gang_journal_rec *r, const char *refusal,
		     gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *res;
	int err;

	pg_p_text(&p, station);
	pg_p_int(&p, r->seq);
	pg_p_int(&p, (int64_t)r->kind);
	pg_p_text(&p, r->at);
	pg_p_text(&p, refusal);
	if ((err = pg_q(&res, db,
			"INSERT INTO journal_deliveries (station, seq, kind, recorded_at, delivered_at, refusal) VALUES "
			"($1, $2, $3, $4, " PG_NOW_SQL ", $5) ON CONFLICT DO NOTHING",
			&p, "delivering a journal record", d)) < 0)
		return err;
	*dup = pg_changed(res) == 0;
	PQclear(res);
	return GANG_OK;
}

/* Deliver r in one transaction; *dup: it had been delivered already (nothing applied). */
static int pgj_deliver(int *dup, db_pg *db, const char *station, const gang_journal_rec *r, gang_diag *d)
{
	int err;

	*dup = 0;
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pgj_claim(dup, db, station, r, NULL, d)) < 0 || (!*dup && (err = pgj_apply(db, station, r, d)) < 0)) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

/*
 * Deliver r and settle it in the journal: GANG_OK when delivered or
 * refused for good (the refusal kept with the record and, as far as the
 * server takes it, centrally); the error when the server is out of reach.
 */
static int pgj_deliver_settle(db_pg *db, gang_journal *j, const gang_journal_rec *r, gang_diag *d)
{
	const char *station = gang_journal_station(j);
	gang_diag why = { 0 };
	int dup, err, ignored;

	err = pgj_deliver(&dup, db, station, r, &why);
	if (err < 0 && pg_unreachable(db)) {
		if (d)
			*d = why;
		return err;
	}
	if (err < 0)
		(void)pgj_claim(&ignored, db, station, r, why.msg, NULL);
	return gang_journal_settle(j, r->seq, err < 0 ? err : GANG_OK, err < 0 ? why.msg : NULL, d);
}


/* r[0 .. n - 1] in one transaction, in order: all of them committed, or (an error) none. */
static int pgj_deliver_batch(db_pg *db, const char *station, const gang_journal_rec *r, size_t n, gang_diag *d)
{
	int dup, err;

	if ((err = pg_begin(db, d)) < 0)
		return err;
	for (size_t i = 0; i < n; i++) {
		if ((err = pgj_claim(&dup, db, station, &r[i], NULL, d)) < 0 ||
		    (!dup && (err = pgj_apply(db, station, &r[i], d)) < 0)) {
			pg_rollback(db);
			return err;
		}
	}
	return pg_commit(db, d);
}

/*
 * Deliver r[0 .. n - 1] and settle them in the journal: in one transaction
 * when the server takes them all, else one at a time (pgj_deliver_settle),
 * so a refused record is refused alone. *settled_out: the last record
 * settled (0: none). GANG_OK, or the error when the server is out of reach.
 */
static int pgj_deliver_settle_n(int64_t *settled_out, db_pg *db, gang_journal *j, const gang_journal_rec *r,
				size_t n, gang_diag *d)
{
	gang_diag why = { 0 };
	int err = GANG_EDB, batched;

	*settled_out = 0;
	if (n > 1 && (err = pgj_deliver_batch(db, gang_journal_station(j), r, n, &why)) < 0 && pg_unreachable(db)) {
		if (d)
			*d = why;
		return err;
	}
	batched = n > 1 && err == GANG_OK;
	if (batched) {   /* committed: the journal learns it in one local transaction */
		if ((err = gang_journal_settle_delivered(j, r, n, d)) < 0)
			return err;
		*settled_out = r[n - 1].seq;
		return GANG_OK;
	}
	for (size_t i = 0; i < n; i++) {
		if ((err = pgj_deliver_settle(db, j, &r[i], d)) < 0)
			return err;
		*settled_out = r[i].seq;
	}
	return GANG_OK;
}

static void pgj_notify(pg_deliver *v, int64_t settled, int offline)
{
	pthread_mutex_lock(&v->mu);
	if (settled > v->settled)
		v->settled = settled;
	v->offline = offline;
	v->fails = offline ? v->fails + 1 : 0;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
}

/* 1 while there is a record to deliver and the run still wants it delivered. */
static int pgj_wait_work(pg_deliver *v)
{
	int work;

	pthread_mutex_lock(&v->mu);
	while (!v->stop && v->settled >= v->appended)
		pthread_cond_wait(&v->cv, &v->mu);
	work = v->settled < v->appended &&
	       !(v->stop && (v->fails >= PG_DELIVER_STOP_TRIES || time(NULL) > v->stop_by));
	pthread_mutex_unlock(&v->mu);
	return work;
}

/* Sleep before trying an unreachable server again (a stop cuts it short). */
static void pgj_nap(pg_deliver *v)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += PG_DELIVER_RETRY_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&v->mu);
	if (!v->stop)
		pthread_cond_timedwait(&v->cv, &v->mu, &ts);
	pthread_mutex_unlock(&v->mu);
}

/*
 * The delivery session names itself (application_name, PostgreSQL 15
 * manual 20.11.4) so a DBA sees it in pg_stat_activity; a new session
 * after a lost one is named again.
 */
static void pgj_name_session(db_pg *db, int *named)
{
	if (!*named)
		*named = pg_q(NULL, db, "SELECT set_config('application_name', '" PG_DELIVERY_NAME "', false)", NULL,
			      "naming the delivery session", NULL) == GANG_OK;
}

static void *pgj_worker(void *arg)
{
	pg_deliver *v = arg;
	size_t cap = PG_DELIVER_BATCH;
	int named = 0;

	while (pgj_wait_work(v)) {
		gang_journal_rec r[PG_DELIVER_BATCH];
		int64_t settled;
		size_t n = 0;

		pgj_name_session(v->conn, &named);
		if (gang_journal_next_n(r, cap, &n, v->j, NULL) < 0) {
			pgj_notify(v, 0, 1);
			pgj_nap(v);
			continue;
		}
		if (n == 0) {   /* everything written is settled (records of an earlier run included) */
			pthread_mutex_lock(&v->mu);
			v->settled = v->appended;
			pthread_cond_broadcast(&v->cv);
			pthread_mutex_unlock(&v->mu);
			continue;
		}
		if (pgj_deliver_settle_n(&settled, v->conn, v->j, r, n, NULL) < 0) {
			named = 0;
			cap = 1;   /* a session cut again and again still gets one record through */
			pgj_notify(v, settled, 1);
			pgj_nap(v);
		} else {
			cap = cap * 2 < PG_DELIVER_BATCH ? cap * 2 : PG_DELIVER_BATCH;
			pgj_notify(v, settled, 0);
		}
		while (n > 0)
			gang_journal_rec_clear(&r[--n]);
	}
	return NULL;
}

int pg_deliver_start(db_pg *db, gang_diag *d)
{
	pg_deliver *v = db->deliver;
	int err;

	if (v->running)
		return GANG_OK;
	if ((err = db_pg_open_own_worker(&v->conn, db, d)) < 0)
		return err;
	v->conn->deliver = NULL;   /* its ops apply records; they never write new ones */
	if (pthread_create(&v->thread, NULL, pgj_worker, v) != 0) {
		db_pg_close(v->conn);
		v->conn = NULL;
		return gang_diag_set(d, GANG_ERR, "journal %s: cannot start its delivery thread", gang_journal_path(v->j));
	}
	v->running = 1;
	return GANG_OK;
}

void pg_deliver_stop(db_pg *db)
{
	pg_deliver *v = db->deliver;

	db->deliver = NULL;
	db->deliver_owned = 0;
	if (v->running) {
		pthread_mutex_lock(&v->mu);
		v->stop = 1;
		v->fails = 0;   /* a server back since the last try gets its tries */
		v->stop_by = time(NULL) + PG_DELIVER_DRAIN_S;
		pthread_cond_broadcast(&v->cv);
		pthread_mutex_unlock(&v->mu);
		pthread_join(v->thread, NULL);
	}
	db_pg_close(v->conn);
	gang_journal_close(v->j);
	pthread_cond_destroy(&v->cv);
	pthread_mutex_destroy(&v->mu);
	free(v);
}

/*
 * Attempts an earlier run began in the journal and never finished (it was
 * killed): closed as the central recovery closes them, by a record of
 * their own, so they are delivered in order like everything else.
 */
static int pgj_close_left_open(gang_journal *j, gang_diag *d)
{
	int64_t *v = NULL;
	size_t n = 0;
	int err;

	if ((err = gang_journal_open_attempts(&v, &n, j, d)) < 0)
		return err;
	for (size_t i = 0; i < n && err == GANG_OK; i++) {
		gang_journal_rec r = { .kind = GANG_JREC_FINISH, .attempt_seq = v[i],
				       .s = { "aborted", "gang stopped during this attempt" },
				       .n = { GANG_ATTEMPT_ABORTED } };

		err = gang_journal_append(j, &r, d);
	}
	free(v);
	return err;
}

/* Deliver everything pending (the main session, before the run starts), in batches; the server must answer. */
static int pgj_drain(db_pg *db, gang_journal *j, gang_diag *d)
{
	gang_journal_rec r[PG_DELIVER_BATCH];
	int64_t settled;
	size_t n;
	int err;

	do {
		if ((err = gang_journal_next_n(r, PG_DELIVER_BATCH, &n, j, d)) < 0)
			break;
		err = pgj_deliver_settle_n(&settled, db, j, r, n, d);
		for (size_t i = 0; i < n; i++)
			gang_journal_rec_clear(&r[i]);
	} while (err == GANG_OK && n > 0);
	return err;
}

/*
 * The station's next attempt number, past both the journal's and the
 * central database's, and its next record number past every delivery the
 * central database holds for the station (a new journal must not reuse a
 * delivered key: it would be taken for that record and dropped).
 */
static int pgj_seed(pg_deliver *v, db_pg *db, gang_diag *d)
{
	pg_params p = { 0 };
	int64_t local, central, delivered;
	PGresult *r;
	int err;

	if ((err = gang_journal_max_attempt(&local, v->j, d)) < 0)
		return err;
	pg_p_text(&p, gang_journal_station(v->j));
	if ((err = pg_q(&r, db,
			"SELECT (SELECT COALESCE(max(seq), 0) FROM attempts WHERE COALESCE(station, '') = $1), "
			"(SELECT COALESCE(max(seq), 0) FROM journal_deliveries WHERE station = $1)",
			&p, "reading the station's last attempt", d)) < 0)
		return err;
	central = pg_int(r, 0, 0);
	delivered = pg_int(r, 0, 1);
	PQclear(r);
	v->next_attempt = (local > central ? local : central) + 1;
	return gang_journal_seq_floor(v->j, delivered, d);
}

int db_pg_journal_open(db_pg *db, const char *path, const char *station, gang_diag *d)
{
	pg_deliver *v;
	int err;

	if (db->deliver)
		return gang_diag_set(d, GANG_ERR, "database %s: a journal is open already", db->shown);
	if (!(v = calloc(1, sizeof(*v))))
		return gang_diag_set(d, GANG_ENOMEM, "out of memory opening journal %s", path);
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	db->deliver = v;
	db->deliver_owned = 1;
	if ((err = gang_journal_open(&v->j, path, station, db->shown, d)) < 0 ||
	    (err = pgj_close_left_open(v->j, d)) < 0 || (err = pgj_drain(db, v->j, d)) < 0)
		goto fail;
	/* a read: a session the server ends under it is replaced and the read asked again */
	err = pgj_seed(v, db, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(db, err, d); i++)
		err = pgj_seed(v, db, d);
	if (err < 0)
		goto fail;
	return GANG_OK;
fail:
	pg_deliver_stop(db);
	return err;
}

int pg_journal_counts(int64_t *pending, int64_t *refused, db_pg *db, gang_diag *d)
{
	*pending = *refused = 0;
	return db->deliver ? gang_journal_counts(pending, refused, db->deliver->j, d) : GANG_OK;
}

/* Wait until record seq is settled; 0 when the worker is offline (or not running) instead. */
static int pgj_wait(pg_deliver *v, int64_t seq)
{
	int settled;

	pthread_mutex_lock(&v->mu);
	while (v->running && !v->offline && v->settled < seq)
		pthread_cond_wait(&v->cv, &v->mu);
	settled = v->settled >= seq;
	pthread_mutex_unlock(&v->mu);
	return settled;
}

void pg_journal_sync(db_pg *db)
{
	pg_deliver *v = db->deliver;
	int64_t upto;

	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	upto = v->appended;
	pthread_mutex_unlock(&v->mu);
	pgj_wait(v, upto);
}

/* How long an op of a run waits for the central database after its record is on the station's disk. */
typedef enum pgj_wait_for {
	PGJ_NO_WAIT,       /* history only, or a refusal can wait for the attempt's pass */
	PGJ_WAIT_RECORD,   /* its own delivery; its own refusal comes back */
	PGJ_WAIT_ATTEMPT,  /* its delivery; a refusal of it or of any earlier record of its attempt comes back */
} pgj_wait_for;

/* A refusal of record r (or, with PGJ_WAIT_ATTEMPT, of its attempt's records before it) as the op's error. */
static int pgj_refusal(pg_deliver *v, const gang_journal_rec *r, pgj_wait_for w, gang_diag *d)
{
	gang_journal_state state;
	char msg[GANG_DIAG_LEN];
	int code, found = 0, err;

	if (w == PGJ_WAIT_ATTEMPT && r->attempt_seq) {
		if ((err = gang_journal_attempt_refusal(&found, &code, msg, sizeof(msg), v->j, r->attempt_seq, d)) < 0)
			return err;
		if (found)
			return gang_diag_set(d, code < 0 ? code : GANG_EDB, "%s", msg);
	}
	if ((err = gang_journal_outcome(&state, &code, msg, sizeof(msg), v->j, r->seq, d)) < 0)
		return err;
	return state == GANG_JOURNAL_REFUSED ? gang_diag_set(d, code < 0 ? code : GANG_EDB, "%s", msg) : GANG_OK;
}

/*
 * Write r; unless PGJ_NO_WAIT, and while the server answers, wait for its
 * delivery and return the refusal w asks about. Records are settled in
 * order, so waiting for r also waits for every record before it.
 */
static int pgj_record(db_pg *db, gang_journal_rec *r, pgj_wait_for w, gang_diag *d)
{
	pg_deliver *v = db->deliver;
	int err;

	if ((err = gang_journal_append(v->j, r, d)) < 0)
		return err;
	pthread_mutex_lock(&v->mu);
	if (r->seq > v->appended)
		v->appended = r->seq;
	if (r->kind == GANG_JREC_FINISH && r->seq > v->finished)
		v->finished = r->seq;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
	if (w == PGJ_NO_WAIT || !pgj_wait(v, r->seq))
		return GANG_OK;
	return pgj_refusal(v, r, w, d);
}

void pg_journal_sync_results(db_pg *db)
{
	pg_deliver *v = db->deliver;
	int64_t upto;

	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	upto = v->finished;
	pthread_mutex_unlock(&v->mu);
	pgj_wait(v, upto);
}

/*
 * Wait (while the server answers) until the attempt's records are central:
 * a serial, a data value or a label binds to the attempt's row. Only this
 * attempt's records, not every slot's: a reservation does not queue
 * behind the other slots' steps.
 */
void pg_journal_sync_attempt(db_pg *db, const gang_attempt_key *attempt)
{
	pg_deliver *v = db->deliver;
	int64_t upto = 0;
	gang_diag ignored = { 0 };

	if (!v)
		return;
	if (!attempt || gang_journal_attempt_last(&upto, v->j, attempt->seq, &ignored) < 0) {
		pg_journal_sync(db);   /* no attempt, or the journal would not say: everything, as before */
		return;
	}
	pgj_wait(v, upto);
}

int pgj_attempt_begin(gang_attempt_key *key_out, db_pg *db, const gang_attempt_info *info, gang_diag *d)
{
	pg_deliver *v = db->deliver;
	gang_journal_rec r = { .kind = GANG_JREC_BEGIN,
			       .s = { info->slot, info->probe_serial, info->batch, info->profile_name,
				      info->profile_sha256, info->image_sha256, info->operator_name },
			       .n = { info->rework ? 1 : 0 } };

	if (!info->slot || !*info->slot || !info->profile_name || !*info->profile_name)
		return gang_diag_set(d, GANG_ERR, "database %s: an attempt needs a slot and a profile name", db->shown);
	pthread_mutex_lock(&v->mu);
	r.attempt_seq = v->next_attempt++;
	pthread_mutex_unlock(&v->mu);
	snprintf(key_out->station, sizeof(key_out->station), "%s", gang_journal_station(v->j));
	key_out->seq = r.attempt_seq;
	return pgj_record(db, &r, PGJ_NO_WAIT, d);
}

int pgj_attempt_identify(db_pg *db, const gang_attempt_key *k, const gang_attempt_target *t, gang_diag *d)
{
	gang_journal_rec r = { .kind = GANG_JREC_IDENTIFY, .attempt_seq = k->seq,
			       .s = { t->uid, t->part, t->connect_mode, t->option_bytes },
			       .n = { t->rdp_before } };

	if (!t->uid || !*t->uid)
		return gang_diag_set(d, GANG_ERR, "database %s: board UID missing", db->shown);
	return pgj_record(db, &r, PGJ_NO_WAIT, d);
}

int pgj_attempt_serial_text(db_pg *db, const gang_attempt_key *k, const char *text, gang_diag *d)
{
	gang_journal_rec r = { .kind = GANG_JREC_SERIAL_TEXT, .attempt_seq = k->seq, .s = { text } };

	/* a text another board holds must stop the board before it is programmed with it */
	return pgj_record(db, &r, PGJ_WAIT_ATTEMPT, d);
}

/* A step is history only: nothing comes back from it, so the job does not wait for its delivery. */
int pgj_step(db_pg *db, const gang_attempt_key *k, const char *step, gang_step_result result,
	     uint32_t duration_ms, const char *detail, gang_diag *d)
{
	gang_journal_rec r = { .kind = GANG_JREC_STEP, .attempt_seq = k->seq, .s = { step, detail },
			       .n = { (int64_t)result, duration_ms } };

	if (!step || !*step || (unsigned)result > GANG_STEP_SKIP)
		return gang_diag_set(d, GANG_ERR, "database %s: step name or result missing", db->shown);
	return pgj_record(db, &r, PGJ_NO_WAIT, d);
}

int pgj_sighting(db_pg *db, const gang_attempt_info *info, const char *uid, const gang_attempt_key *pass_attempt,
		 gang_diag *d)
{
	gang_journal_rec r = { .kind = GANG_JREC_SIGHTING,
			       .s = { uid, info->slot, info->probe_serial, info->batch, info->operator_name,
				      pass_attempt->station },
			       .n = { pass_attempt->seq } };

	return pgj_record(db, &r, PGJ_WAIT_RECORD, d);
}

int pgj_attempt_finish(db_pg *db, const gang_attempt_key *k, gang_attempt_result result,
		       const char *error_class, const char *error_message, gang_diag *d)
{
	gang_journal_rec r = { .kind = GANG_JREC_FINISH, .attempt_seq = k->seq, .s = { error_class, error_message },
			       .n = { (int64_t)result } };

	if ((unsigned)result > GANG_ATTEMPT_ABORTED)
		return gang_diag_set(d, GANG_ERR, "database %s: invalid attempt result %d", db->shown, (int)result);
	/* a pass needs every record of its attempt taken; a failure is recorded whatever came before */
	return pgj_record(db, &r, result == GANG_ATTEMPT_PASS ? PGJ_WAIT_ATTEMPT : PGJ_WAIT_RECORD, d);
}

/*
 * A leased serial for a board. While the server answers, it is asked
 * first (the board may have a serial already) and binds the value itself;
 * the attempt learns its serial through the journal, after its earlier
 * records. Out of reach, the binding is the station's own, written to the
 * journal and delivered later as an offline binding (a board bound
 * meanwhile elsewhere keeps its central serial and the conflict is
 * recorded).
 */
int pgj_lease_bind(gang_lease_bound *out, db_pg *db, const gang_lease_binding *b, gang_diag *d)
{
	gang_lease_binding central = *b;
	gang_journal_rec r = { .attempt_seq = b->attempt ? b->attempt->seq : 0, .s = { b->pool, b->uid, b->part } };
	int err;

	central.attempt = NULL;
	pg_journal_sync(db);
	err = db_pg_lease_bind(out, db, &central, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(db, err, d); i++)
		err = db_pg_lease_bind(out, db, &central, d);
	if (err < 0 && !pg_unreachable(db))
		return err;
	if (err < 0) {
		memset(out, 0, sizeof(*out));
		out->outcome = GANG_LEASE_BOUND;
		out->value = b->value;
		r.kind = GANG_JREC_BIND;
	} else {
		r.kind = GANG_JREC_SERIAL;
		r.s[2] = NULL;
	}
	r.n[0] = out->value;
	if (r.kind == GANG_JREC_SERIAL && !b->attempt)
		return GANG_OK;
	return pgj_record(db, &r, PGJ_WAIT_RECORD, d);
}
