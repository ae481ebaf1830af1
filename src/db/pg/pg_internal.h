/*
 * pg_internal.h — what the PostgreSQL backend's files (src/db/pg/) share:
 * the connection handle, run ownership, statement parameters and small
 * libpq helpers. Only these files include <libpq-fe.h>; everything else
 * reaches the database through db.h and the ops of store.h (pg_store.c).
 *
 * Every statement that carries a value sends it as a parameter
 * (PQexecParams, libpq docs 34.3.1 "Main Functions"): no value is ever
 * spliced into SQL text. The schema is db/migrations/pg/ (the same tables,
 * columns and constraints as the SQLite backend's; times are the same UTC
 * ISO 8601 text).
 */
#ifndef GANG_DB_PG_PG_INTERNAL_H
#define GANG_DB_PG_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "db/db_report.h"
#include "db/store.h"

/* Current UTC time as the SQLite backend writes it (a function of migration 1). */
#define PG_NOW_SQL "gang_now()"

/*
 * Advisory lock key spaces (first key of the two-int4 form, PostgreSQL 15
 * manual 9.27.10 "Advisory Lock Functions"): a run's session lock (second
 * key: the run id), the migration lock, a station's attempt numbering.
 * 0x67616E74 ("gant") is a serial text's lock, taken in SQL only
 * (migration 0011, gang_serial_text_lock).
 */
#define PG_LOCK_RUN 0x67616E67      /* "gang" */
#define PG_LOCK_MIGRATE 0x67616E6D
#define PG_LOCK_STATION 0x67616E73

#define PG_PARAMS_MAX 12

/* Every transaction of the backend (pg_util.c pg_begin, pg_pipe.c). */
#define PG_BEGIN_SQL "BEGIN ISOLATION LEVEL READ COMMITTED"

/* Statements a session keeps prepared (pg_util.c); more are run unprepared. */
#define PG_PREPARED_MAX 96

/* How often an op whose session was lost before it could commit runs again on a new one. */
#define PG_RETRIES 3

/* Step rows a handle sends ahead (libpq pipeline mode, pg_pipe.c) before it waits for their answers. */
#define PG_PIPE_MAX 16

/* A step row sent ahead and not answered yet: what it takes to send it again on a new session. */
typedef struct pg_pipe_row {
	int64_t attempt_id;
	char *step;
	const char *result; /* "pass", "fail" or "skip" (static) */
	uint32_t duration_ms;
	char *detail;       /* NULL: none */
} pg_pipe_row;

/*
 * The server sessions a gang process's worker handles share (pg_sessions.c):
 * 4, two per core of the two-core server the figures of docs/benchmarks.md
 * were measured on, and room for a station whose round trips are long
 * (each session then waits on the network, not on the server).
 */
#define PG_SHARED_SESSIONS 4
typedef struct pg_sessions pg_sessions;

/* The values of one statement, as text (NULL: SQL NULL); numbers are formatted into num. */
typedef struct pg_params {
	const char *v[PG_PARAMS_MAX];
	char num[PG_PARAMS_MAX][24];
	int n;
} pg_params;

typedef struct db_pg {
	gang_db base; /* first: a gang_db * of this backend points here */
	PGconn *conn;
	char *uri;    /* as given (may hold a password: never printed) */
	char *shown;  /* the URI without its userinfo: every message uses this */
	int flags;
	uint32_t wait_ms;
	int64_t run_id; /* the run owning this process's attempts (0: none; workers copy it) */
	int run_locked; /* this session holds the run's advisory lock (main handle only) */
	int in_tx;
	char *prepared[PG_PREPARED_MAX]; /* SQL text (a copy) of statement "g<i>" of this session */
	int n_prepared;
	int ended;      /* the server said it ends this session (57P01/57P02 while idle) */
	gang_attempt_key last_key; /* the attempt this handle began last, and its row id (0: none) */
	int64_t last_id;
	int idempotent; /* the statement running may run twice (its write checks for itself) */
	int writes;     /* the SELECT running writes (a server function): it may have committed */
	int lost;       /* the last statement failed because the connection was lost */
	int unsure;     /* ... and it may have committed (COMMIT, or a write outside a transaction) */
	struct pg_deliver *deliver; /* the station's journal and its delivery worker (NULL: none; pg_journal.c) */
	int deliver_owned;          /* this (main) handle owns deliver; workers borrow it */
	pg_pipe_row pipe[PG_PIPE_MAX]; /* step rows sent ahead, oldest first, until answered (pg_pipe.c) */
	int pipe_n;
	int pipe_sent;   /* how many of them are on this session's wire (the rest go with the next statement) */
	int begin_ahead; /* BEGIN goes out with the transaction's first statement (pg_begin_ahead) */
	int pipe_hold;   /* a new session is being set up: statements run one at a time */
	int pipe_err;    /* a row the server refused, not told yet (0: none): told by the next statement */
	gang_diag pipe_why;
	uint32_t sess_wait_ms; /* the lock wait the session in conn is set to */
	pg_sessions *shared; /* a worker's: the sessions it borrows conn from (NULL: conn is its own) */
	pg_sessions *for_workers; /* a main handle's: the sessions its workers share */
	int has_session;     /* ... and it has one now */
	int share_depth;     /* statements of this handle running now (nested: pg_pipe_q runs pg_q) */
	int share_again;     /* the session it borrows replaces a lost one (pg_util.c pg_retry) */
	int tx_starting;     /* its BEGIN is running: the session stays with it (pg_begin_as) */
	const gang_report_filter *asked; /* the pools of this selection are being counted (pg_report.c) */
} db_pg;

extern const gang_store_ops db_pg_ops;

static inline db_pg *db_pg_of(gang_db *g)
{
	return (db_pg *)g;
}

/* Parameters (pg_util.c). */
void pg_p_text(pg_params *p, const char *s);
void pg_p_int(pg_params *p, int64_t v);

/*
 * Run sql with p (may be NULL): GANG_OK with *out the result (PQclear it;
 * out may be NULL), or the failure mapped to a sentence naming what.
 */
int pg_q(PGresult **out, db_pg *db, const char *sql, const pg_params *p, const char *what, gang_diag *d);
/* Rows a command changed (PQcmdTuples). */
int64_t pg_changed(PGresult *r);
/* Column col of row 0 copied into out ("" for NULL or no row). */
void pg_copy(char *out, size_t cap, PGresult *r, int row, int col);
int64_t pg_int(PGresult *r, int row, int col);
int pg_is_null(PGresult *r, int row, int col);
/* libpq's multi-line text (a message, a hint) as one line: newlines and tabs become single spaces. */
void pg_oneline(char *s);
/* A refusal in the handle's terms: "database <uri>: <what> failed: <server's message>". */
int pg_fail(db_pg *db, const PGresult *r, const char *what, gang_diag *d);
int pg_begin(db_pg *db, gang_diag *d);
/* A transaction begun by sql (BEGIN and its options), which pg_commit or pg_rollback ends. */
int pg_begin_as(db_pg *db, const char *sql, const char *what, gang_diag *d);
/*
 * A transaction whose BEGIN is sent together with its first statement (one
 * round trip instead of two); a failed BEGIN is that statement's failure.
 */
void pg_begin_ahead(db_pg *db);
int pg_commit(db_pg *db, gang_diag *d);
void pg_rollback(db_pg *db);
/* The lock wait of the session (lock_timeout) from db->wait_ms. */
int pg_apply_wait(db_pg *db, gang_diag *d);
/*
 * A new session for a handle whose connection was lost (PQreset), set up as
 * the old one was: lock wait, read-only, the run's lock (pg_open.c).
 */
int pg_reconnect(db_pg *db, gang_diag *d);
/*
 * After an op failed with err: true when the connection was lost before
 * anything could have committed and a new session is up, so the op may
 * run once more (its transaction was rolled back by the server). When a
 * new session cannot be made, d says so instead of the first failure.
 */
int pg_retry(db_pg *db, int err, gang_diag *d);
/* Forget the prepared statements of a session that is gone or closing (pg_util.c). */
void pg_prepared_forget(db_pg *db);
/* The name of sql's prepared statement in this session (NULL: not prepared yet, nothing is sent). */
const char *pg_prepared_name(char *name, size_t cap, db_pg *db, const char *sql);
/* Prepare sql now (not in pipeline mode); NULL when it runs unprepared (pg_util.c). */
const char *pg_prepared(char *name, size_t cap, db_pg *db, const char *sql, int nparams);
/* Note that sql was prepared as name on this session (sent in a pipeline and answered). */
void pg_prepared_add(db_pg *db, const char *sql);
/* A session the server ended while idle is replaced before anything is sent (pg_util.c). */
int pg_ready(db_pg *db, gang_diag *d);
/* How a statement that failed on a lost connection failed: db->lost, db->unsure (sql NULL: step rows only). */
void pg_note_lost(db_pg *db, const PGresult *r, const char *sql);
/* A statement's answer r (taken over): GANG_OK with *out (may be NULL) or its failure. */
int pg_answer(PGresult **out, db_pg *db, PGresult *r, const char *sql, const char *what, gang_diag *d);

/*
 * Step rows sent ahead (pg_pipe.c, libpq pipeline mode: libpq docs 34.5
 * "Pipeline Mode"). pg_pipe_step sends an attempt's step row, each with a
 * Sync of its own (its own transaction, as before), and returns without
 * waiting; a later step reads the answers already there and tells a
 * refusal among them. The next statement of the handle collects them all: inside
 * a transaction it goes out behind the rows and is answered in the same
 * round trip (the transaction is rolled back by its caller when a row was
 * refused); a statement of its own waits for the rows first. Either way a
 * refusal comes back as that statement's failure, in the words the step
 * would have had ("recording a step failed: ..."), so a pass is never
 * committed over a refused row. A row whose session was lost before it
 * was answered is sent again on the new one: it inserts only what is not
 * there yet, so it is never doubled.
 */
int pg_pipe_step(db_pg *db, int64_t attempt_id, const char *step, const char *result, uint32_t duration_ms,
		 const char *detail, gang_diag *d);
/* sql (NULL: nothing but the rows ahead) with the rows ahead and a BEGIN ahead, in one round trip. */
int pg_pipe_q(PGresult **out, db_pg *db, const char *sql, const pg_params *p, const char *what, gang_diag *d);
/* Wait for the rows ahead: GANG_OK or the first refusal; a lost session is replaced and they go again. */
int pg_pipe_settle(db_pg *db, gang_diag *d);
/* Forget the rows ahead (a handle closing; the server has what reached it). */
void pg_pipe_drop(db_pg *db);

/* Migrations (pg_migrate.c). */
int pg_migrate_on_open(db_pg *db, gang_diag *d);
int pg_migration_count(void);

/* The row id of the attempt k names; GANG_ERR "<what>: attempt K does not exist" when none. */
int pg_attempt_row(int64_t *id_out, db_pg *db, const gang_attempt_key *k, const char *what, gang_diag *d);
int pg_board_upsert(db_pg *db, const char *uid, const char *part, gang_diag *d);
int pg_serial_burn_tx(db_pg *db, const char *pool, int64_t value, const char *uid, gang_diag *d);
/* The bodies of the attempt ops, inside a transaction the caller runs (a journal delivery's). */
int pg_identify_tx(db_pg *db, const gang_attempt_key *k, const gang_attempt_target *t, gang_diag *d);
int pg_serial_text_tx(db_pg *db, const gang_attempt_key *k, const char *text, gang_diag *d);
/* at: when it finished (UTC ISO 8601); NULL: now. */
int pg_finish_tx(db_pg *db, const gang_attempt_key *k, gang_attempt_result result, const char *cls,
		 const char *msg, const char *at, gang_diag *d);
int pg_bind_tx(gang_lease_bound *out, db_pg *db, const gang_lease_binding *b, gang_diag *d);
/* The open attempt b->attempt names takes value of b->pool as its serial (none: GANG_OK). */
int pg_bind_attempt(db_pg *db, const gang_lease_binding *b, int64_t value, gang_diag *d);

/*
 * The station's journal (pg_journal.c, db/journal.h). With one, the
 * attempt ops below write a record; a serial text and a pass (and a
 * failure, a sighting, a leased serial's binding) then wait for the
 * delivery worker while the server answers, and a refusal comes back as
 * the op's own error (for a serial text and a pass, a refusal of any
 * earlier record of its attempt too). Begin, identify and steps return
 * once the record is on disk. Without the server every op returns at once
 * and the record waits.
 */
int db_pg_journal_open(db_pg *db, const char *path, const char *station, gang_diag *d);
int pg_deliver_start(db_pg *db, gang_diag *d);
void pg_deliver_stop(db_pg *db);
int pg_journal_counts(int64_t *pending, int64_t *refused, db_pg *db, gang_diag *d);
/* Wait until every record written so far is settled or the worker is offline. */
void pg_journal_sync(db_pg *db);
/* Wait until the attempt's records are delivered (all of them without an attempt), while the server answers. */
void pg_journal_sync_attempt(db_pg *db, const gang_attempt_key *attempt);
/* Wait until every attempt result this run wrote is settled (a board's passes are central), as above. */
void pg_journal_sync_results(db_pg *db);
int pgj_attempt_begin(gang_attempt_key *key_out, db_pg *db, const gang_attempt_info *info, gang_diag *d);
int pgj_attempt_identify(db_pg *db, const gang_attempt_key *k, const gang_attempt_target *t, gang_diag *d);
int pgj_attempt_serial_text(db_pg *db, const gang_attempt_key *k, const char *text, gang_diag *d);
int pgj_step(db_pg *db, const gang_attempt_key *k, const char *step, gang_step_result result,
	     uint32_t duration_ms, const char *detail, gang_diag *d);
int pgj_sighting(db_pg *db, const gang_attempt_info *info, const char *uid, const gang_attempt_key *pass_attempt,
		 gang_diag *d);
int pgj_attempt_finish(db_pg *db, const gang_attempt_key *k, gang_attempt_result result,
		       const char *error_class, const char *error_message, gang_diag *d);
int pgj_lease_bind(gang_lease_bound *out, db_pg *db, const gang_lease_binding *b, gang_diag *d);
/* The server is out of reach: the last statement lost its connection and no new one could be made. */
int pg_unreachable(const db_pg *db);

/* The ops (pg_store.c wraps them). */
int db_pg_open(db_pg **out, const char *uri, int flags, gang_diag *d);
int db_pg_open_worker(db_pg **out, db_pg *main_db, gang_diag *d);
/* A worker with a session of its own, not a shared one (the journal's delivery). */
int db_pg_open_own_worker(db_pg **out, db_pg *main_db, gang_diag *d);
void db_pg_close(db_pg *db);
int db_pg_recover(db_pg *db, int *closed_out, gang_diag *d);
int db_pg_probe_seen(char *label_out, size_t cap, db_pg *db, const char *serial, const char *usb_path,
		     const char *model, const char *firmware, gang_diag *d);
int db_pg_slots_apply(db_pg *db, const gang_slot_mapping *v, size_t n, gang_diag *d);
int db_pg_attempt_begin(gang_attempt_key *key_out, db_pg *db, const gang_attempt_info *info, gang_diag *d);
int db_pg_attempt_identify(db_pg *db, const gang_attempt_key *k, const gang_attempt_target *t, gang_diag *d);
int db_pg_attempt_serial_text(db_pg *db, const gang_attempt_key *k, const char *text, gang_diag *d);
int db_pg_step(db_pg *db, const gang_attempt_key *k, const char *step, gang_step_result result,
	       uint32_t duration_ms, const char *detail, gang_diag *d);
int db_pg_board_last_pass(gang_board_pass *out, db_pg *db, const char *uid, const char *profile_sha256,
			  const char *image_sha256, gang_diag *d);
int db_pg_sighting(db_pg *db, const gang_attempt_info *info, const char *uid, const gang_attempt_key *pass_attempt,
		   gang_diag *d);
int db_pg_attempt_finish(db_pg *db, const gang_attempt_key *k, gang_attempt_result result,
			 const char *error_class, const char *error_message, gang_diag *d);
int db_pg_report_scan(db_pg *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx, gang_diag *d);
int db_pg_report_pools(gang_report_pool **out, size_t *n_out, db_pg *db, const gang_report_filter *f,
		       gang_diag *d);
void db_pg_report_pools_ask(db_pg *db, const gang_report_filter *f);
/* An answer asked ahead (db->asked) and not taken: read and dropped, so the session is free again. */
void pg_report_asked_drop(db_pg *db);
int db_pg_report_data_pools(gang_report_data_pool **out, size_t *n_out, db_pg *db, const gang_report_filter *f,
			    gang_diag *d);
int db_pg_trace_lookup(char ***uids_out, size_t *n_out, db_pg *db, gang_trace_by by, const char *key,
		      gang_diag *d);
int db_pg_trace_board(gang_trace_board **out, db_pg *db, const char *uid, gang_diag *d);
int db_pg_serial_pool_get(gang_store_pool *out, int *found, db_pg *db, const char *pool, gang_diag *d);
int db_pg_serial_pool_create(gang_store_pool *have, int *found, db_pg *db, const char *pool, uint64_t start,
			     uint64_t end, const char *format, gang_diag *d);
int db_pg_serial_reserve(int64_t *value_out, db_pg *db, const char *pool, const char *uid,
			 const gang_attempt_key *attempt, gang_diag *d);
int db_pg_serial_burn(db_pg *db, const char *pool, const char *uid, gang_diag *d);
int db_pg_serial_void(db_pg *db, const char *pool, uint64_t value, const char *reason, gang_diag *d);
int db_pg_serial_status(gang_serial_pool_counts *out, db_pg *db, const char *pool, gang_diag *d);
int db_pg_serial_pool_names(char *out, size_t cap, db_pg *db, gang_diag *d);
int db_pg_serial_find_text(uint64_t *first_out, int *n_out, db_pg *db, const char *pool, const char *text,
			   gang_diag *d);
int db_pg_serial_list(db_pg *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
		      gang_diag *d);
int db_pg_lease_take(gang_db_lease *out, db_pg *db, const char *station, const char *pool, uint32_t n,
		     gang_diag *d);
int db_pg_lease_void(int *n_out, db_pg *db, const char *which, const char *reason, gang_db_lease_fn fn,
		     void *user, gang_diag *d);
int db_pg_lease_bind(gang_lease_bound *out, db_pg *db, const gang_lease_binding *b, gang_diag *d);
int db_pg_lease_unused(int64_t *out, size_t cap, size_t *n_out, db_pg *db, const char *station, const char *pool,
		       gang_diag *d);
int db_pg_serial_conflicts(gang_serial_conflict **out, size_t *n_out, db_pg *db, gang_diag *d);

/* data pools and scans (pg_pool.c): the store ops themselves, taking the gang_db base */
int db_pg_data_pool_get(gang_data_pool *out, int *found, gang_db *db, const char *pool, gang_diag *d);
int db_pg_data_pool_create(gang_data_pool *have, int *found, gang_db *db, const gang_data_pool *want,
			   gang_diag *d);
int db_pg_data_import(size_t *dup_out, uint64_t *dup_index, gang_db *db, const char *pool, bool secret,
		      const gang_data_item *v, size_t n, gang_diag *d);
int db_pg_data_reserve(gang_data_taken *out, gang_db *db, const char *pool, const char *uid,
		       const gang_attempt_key *attempt, gang_diag *d);
int db_pg_data_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d);
int db_pg_data_void(gang_db *db, const char *pool, uint64_t index, const char *reason, gang_diag *d);
int db_pg_data_list(gang_db *db, const char *pool, const char *state, gang_data_row_fn fn, void *user,
		    gang_diag *d);

/* scanned labels (pg_scan.c) */
int db_pg_scan_bind(char *other_uid, size_t uid_cap, char *other_serial, size_t serial_cap, gang_db *db,
		       const char *text, const char *uid, const gang_attempt_key *attempt, gang_diag *d);
int db_pg_scan_lookup(char ***uids_out, size_t *n_out, gang_db *db, const char *text, gang_diag *d);

/* The shared sessions (pg_sessions.c): new (refs 1; NULL when out of memory), shared, given up. */
pg_sessions *pg_sessions_new(void);
pg_sessions *pg_sessions_ref(pg_sessions *s);
void pg_sessions_unref(pg_sessions *s);
/*
 * A statement of db starts: an answer asked ahead and not taken is dropped
 * (pg_report.c), and a worker without a session borrows one first (an
 * error: none could be opened).
 */
int pg_share_in(db_pg *db, gang_diag *d);
/* The statement ended: the session goes back once db has no transaction open and no row on its wire. */
void pg_share_out(db_pg *db);
/* db's transaction ended outside a statement (COMMIT's, ROLLBACK): its session goes back. */
void pg_share_idle(db_pg *db);
/*
 * A new session for db->uri set up as db asks (pg_open.c; again: it
 * replaces a lost one, and a failure says so); a borrowed one's notices
 * reach db.
 */
int pg_session_open(db_pg *db, int again, gang_diag *d);
void pg_session_adopt(db_pg *db);

#endif
