/*
 * sqlite_internal.h — what the SQLite backend's files (src/db/sqlite/)
 * share: the connection handle, the writer gate, run ownership and small
 * SQLite helpers. Only these files include <sqlite3.h>; everything else
 * reaches the database through db.h and the ops of store.h
 * (sqlite_store.c).
 */
#ifndef GANG_DB_SQLITE_SQLITE_INTERNAL_H
#define GANG_DB_SQLITE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "db/db_report.h"
#include "db/store.h"

/* Current UTC time as ISO 8601 with milliseconds, computed by SQLite. */
#define DB_NOW_SQL "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

/* Busy backoff: first sleep, and the cap a single sleep never exceeds. */
#define DB_BUSY_FIRST_US 50U
#define DB_BUSY_MAX_SLEEP_US 2000U
/* Past this much waiting the lock is held by a long transaction (a backup, an
 * engineer's shell): poll less often. */
#define DB_BUSY_LONG_US 100000U
#define DB_BUSY_LONG_SLEEP_US 25000U
/* A writer queued behind another looks at the clock (deadline, report) this often. */
#define DB_GATE_TICK_US 250000U

/* In-process FIFO of writers shared by a main connection and its workers (sqlite_gate.c). */
typedef struct db_gate db_gate;
/* A writer's place in the queue (one per connection). */
typedef struct db_gate_node {
	struct db_gate_node *next;
} db_gate_node;
typedef void (*db_gate_tick_fn)(void *arg, uint64_t now_us);

db_gate *db_gate_new(void);
db_gate *db_gate_ref(db_gate *g);
void db_gate_unref(db_gate *g);
/*
 * Queue n and wait for its turn until deadline_us (db_now_us clock),
 * calling tick (may be NULL) every DB_GATE_TICK_US meanwhile, without the
 * gate's lock. 0 inside the gate; -1 when the deadline passed (n left the
 * queue).
 */
int db_gate_enter(db_gate *g, db_gate_node *n, uint64_t deadline_us, db_gate_tick_fn tick, void *arg);
void db_gate_leave(db_gate *g);

typedef struct db_sqlite {
	gang_db base;           /* first: a gang_db * of this backend points here */
	sqlite3 *conn;
	db_gate *gate;          /* shared with sibling connections; owns a reference */
	int gate_held;          /* this connection is inside the gate (write transaction) */
	char *path;
	int flags;
	db_gate_node gate_node; /* this connection's place in the gate's queue */
	uint64_t busy_start_us; /* monotonic time of the current wait's first BUSY */
	unsigned busy_seed;     /* rand_r state for backoff jitter */
	uint64_t busy_sleeps;   /* statistics: sleeps taken waiting for writers */
	uint32_t wait_ms;       /* longest wait for other writers (db_sqlite_set_wait) */
	uint64_t wait_from_us;  /* start of the current write's wait (queue + lock); 0: none */
	uint32_t wait_told_ms;  /* wait last reported to wait_fn; 0: not reported */
	gang_db_wait_fn wait_fn; /* db_sqlite_on_wait; NULL: nobody listens */
	void *wait_user;
	int64_t run_id;         /* the run owning this process's attempts (0: none; workers copy it) */
	int run_fd;             /* "<path>-runs", holding the run's lock (main handle only; -1) */
} db_sqlite;

/* The backend's ops table (sqlite_store.c). */
extern const gang_store_ops db_sqlite_ops;

/* The backend's handle behind a gang_db it opened. */
static inline db_sqlite *db_sqlite_of(gang_db *g)
{
	return (db_sqlite *)g;
}

/* Migrations (sqlite_migrate.c). */
int db_migrate(db_sqlite *db, int from, int to, gang_diag *d);
int db_user_version(int *out, db_sqlite *db, gang_diag *d);
/* Number of the newest migration and its SQL text (NULL outside 1..count). */
int db_migration_count(void);
const char *db_migration_sql(int version);

/* Helpers (sqlite_util.c). */
int db_fail(db_sqlite *db, int rc, gang_diag *d, const char *what);
int db_exec(db_sqlite *db, const char *sql, gang_diag *d);
int db_prepare(sqlite3_stmt **out, db_sqlite *db, const char *sql, gang_diag *d);
int db_begin(db_sqlite *db, gang_diag *d);
int db_commit(db_sqlite *db, gang_diag *d);
void db_rollback(db_sqlite *db);
/* Let the next queued writer of this process go (after COMMIT/ROLLBACK). */
void db_gate_release(db_sqlite *db);
/* A write starts waiting: queue (when db has a gate) and set the wait's clock. */
int db_write_wait(db_sqlite *db, gang_diag *d, const char *what);
/* The write got the lock, or gave up: report the end of a reported wait. */
void db_wait_end(db_sqlite *db);
/* Run a prepared statement expecting SQLITE_DONE; finalizes it. */
int db_run(db_sqlite *db, sqlite3_stmt *st, gang_diag *d, const char *what);
/* Bind text, or NULL when s is NULL. */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);
void db_install_busy_handler(db_sqlite *db);
uint64_t db_now_us(void);
/* Refuse when the filesystem holding path has less than min_free bytes free. */
int db_check_space(const char *path, uint64_t min_free, gang_diag *d);

/*
 * The row id of the attempt k names (row ids never leave this backend);
 * GANG_ERR "<what>: attempt K does not exist" when there is none.
 */
int db_attempt_row(int64_t *id_out, db_sqlite *db, const gang_attempt_key *k, const char *what, gang_diag *d);

/*
 * Mark uid's live serial of pool burned (idempotent) inside the caller's
 * transaction; value < 0 accepts whichever value is bound. GANG_EDB when
 * no reserved/burned serial is bound to uid.
 */
int db_serial_burn_tx(db_sqlite *db, const char *pool, int64_t value, const char *uid, gang_diag *d);
/*
 * Inside the pass's transaction: burn every data value reserved to uid (a
 * value is bound to one UID for good; those the attempt programmed are
 * among them). GANG_ESERIAL_VOIDED when a value of the board was voided
 * while the attempt ran and left it none in that pool.
 */
int db_data_burn_tx(db_sqlite *db, int64_t attempt_id, const char *uid, gang_diag *d);

/*
 * The ops (sqlite_store.c wraps these for gang_store_ops): each keeps the
 * contract of the db.h / db_report.h / serial_alloc.h function it serves.
 */
int db_sqlite_open(db_sqlite **out, const char *path, int flags, gang_diag *d);
int db_sqlite_open_worker(db_sqlite **out, db_sqlite *main_db, gang_diag *d);
void db_sqlite_close(db_sqlite *db);
const char *db_sqlite_path(const db_sqlite *db);
void db_sqlite_set_wait(db_sqlite *db, uint32_t wait_ms);
void db_sqlite_on_wait(db_sqlite *db, gang_db_wait_fn fn, void *user);
int db_sqlite_recover(db_sqlite *db, int *closed_out, gang_diag *d);
int db_sqlite_probe_seen(char *label_out, size_t cap, db_sqlite *db, const char *serial, const char *usb_path,
			 const char *model, const char *firmware, gang_diag *d);
int db_slots_apply(db_sqlite *db, const gang_slot_mapping *v, size_t n, gang_diag *d);
int db_sqlite_board_seen(db_sqlite *db, const char *uid, const char *part, gang_diag *d);
int db_sqlite_attempt_begin(gang_attempt_key *key_out, db_sqlite *db, const gang_attempt_info *info, gang_diag *d);
int db_sqlite_attempt_identify(db_sqlite *db, const gang_attempt_key *k, const gang_attempt_target *t,
			       gang_diag *d);
int db_sqlite_attempt_serial_text(db_sqlite *db, const gang_attempt_key *k, const char *text, gang_diag *d);
int db_sqlite_step(db_sqlite *db, const gang_attempt_key *k, const char *step, gang_step_result result,
		   uint32_t duration_ms, const char *detail, gang_diag *d);
int db_sqlite_board_last_pass(gang_board_pass *out, db_sqlite *db, const char *uid, const char *profile_sha256,
			      const char *image_sha256, gang_diag *d);
int db_sqlite_sighting(db_sqlite *db, const gang_attempt_info *info, const char *uid,
		       const gang_attempt_key *pass_attempt, gang_diag *d);
int db_sqlite_attempt_finish(db_sqlite *db, const gang_attempt_key *k, gang_attempt_result result,
			     const char *error_class, const char *error_message, gang_diag *d);
int db_sqlite_report_scan(db_sqlite *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx,
			  gang_diag *d);
int db_sqlite_report_pools(gang_report_pool **out, size_t *n_out, db_sqlite *db, const gang_report_filter *f,
			   gang_diag *d);
int db_sqlite_report_data_pools(gang_report_data_pool **out, size_t *n_out, db_sqlite *db,
				const gang_report_filter *f, gang_diag *d);
int db_sqlite_trace_lookup(char ***uids_out, size_t *n_out, db_sqlite *db, gang_trace_by by, const char *key,
		          gang_diag *d);
int db_sqlite_trace_board(gang_trace_board **out, db_sqlite *db, const char *uid, gang_diag *d);

/* Serial pools (sqlite_serial.c). */
int db_sqlite_serial_pool_get(gang_store_pool *out, int *found, db_sqlite *db, const char *pool, gang_diag *d);
int db_sqlite_serial_pool_create(gang_store_pool *have, int *found, db_sqlite *db, const char *pool,
				 uint64_t start, uint64_t end, const char *format, gang_diag *d);
int db_sqlite_serial_reserve(int64_t *value_out, db_sqlite *db, const char *pool, const char *uid,
			     const gang_attempt_key *attempt, gang_diag *d);
int db_sqlite_serial_burn(db_sqlite *db, const char *pool, const char *uid, gang_diag *d);
int db_sqlite_serial_void(db_sqlite *db, const char *pool, uint64_t value, const char *reason, gang_diag *d);
int db_sqlite_serial_status(gang_serial_pool_counts *out, db_sqlite *db, const char *pool, gang_diag *d);
int db_sqlite_serial_pool_names(char *out, size_t cap, db_sqlite *db, gang_diag *d);
int db_sqlite_serial_find_text(uint64_t *first_out, int *n_out, db_sqlite *db, const char *pool,
			       const char *text, gang_diag *d);
int db_sqlite_serial_list(db_sqlite *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
			  gang_diag *d);

/* data pools and scans (sqlite_pool.c): the store ops themselves, taking the gang_db base */
int db_sqlite_data_pool_get(gang_data_pool *out, int *found, gang_db *db, const char *pool, gang_diag *d);
int db_sqlite_data_pool_create(gang_data_pool *have, int *found, gang_db *db, const gang_data_pool *want,
			       gang_diag *d);
int db_sqlite_data_import(size_t *dup_out, uint64_t *dup_index, gang_db *db, const char *pool, bool secret,
			  const gang_data_item *v, size_t n, gang_diag *d);
int db_sqlite_data_reserve(gang_data_taken *out, gang_db *db, const char *pool, const char *uid,
			   const gang_attempt_key *attempt, gang_diag *d);
int db_sqlite_data_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d);
int db_sqlite_data_void(gang_db *db, const char *pool, uint64_t index, const char *reason, gang_diag *d);
int db_sqlite_data_list(gang_db *db, const char *pool, const char *state, gang_data_row_fn fn, void *user,
			gang_diag *d);

/* scanned labels (sqlite_scan.c) */
int db_sqlite_scan_bind(char *other_uid, size_t uid_cap, char *other_serial, size_t serial_cap, gang_db *db,
			const char *text, const char *uid, const gang_attempt_key *attempt, gang_diag *d);
int db_sqlite_scan_lookup(char ***uids_out, size_t *n_out, gang_db *db, const char *text, gang_diag *d);

#endif
