/*
 * db_internal.h — what the database files (src/db/) and the serial
 * allocator (src/serial/serial_alloc.c) share: the connection handle and
 * small SQLite helpers. Only these files include <sqlite3.h>.
 */
#ifndef GANG_DB_DB_INTERNAL_H
#define GANG_DB_DB_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

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

/* In-process FIFO of writers shared by a main connection and its workers (db_gate.c). */
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

struct gang_db {
	sqlite3 *conn;
	db_gate *gate;          /* shared with sibling connections; owns a reference */
	int gate_held;          /* this connection is inside the gate (write transaction) */
	char *path;
	int flags;
	db_gate_node gate_node; /* this connection's place in the gate's queue */
	uint64_t busy_start_us; /* monotonic time of the current wait's first BUSY */
	unsigned busy_seed;     /* rand_r state for backoff jitter */
	uint64_t busy_sleeps;   /* statistics: sleeps taken waiting for writers */
	uint32_t wait_ms;       /* longest wait for other writers (gang_db_set_wait) */
	uint64_t wait_from_us;  /* start of the current write's wait (queue + lock); 0: none */
	uint32_t wait_told_ms;  /* wait last reported to wait_fn; 0: not reported */
	gang_db_wait_fn wait_fn; /* gang_db_on_wait; NULL: nobody listens */
	void *wait_user;
	int64_t run_id;         /* the run owning this process's attempts (0: none; workers copy it) */
	int run_fd;             /* "<path>-runs", holding the run's lock (main handle only; -1) */
};

/* Migrations (db_migrate.c). */
int db_migrate(gang_db *db, int from, int to, gang_diag *d);
int db_user_version(int *out, gang_db *db, gang_diag *d);
/* Number of the newest migration and its SQL text (NULL outside 1..count). */
int db_migration_count(void);
const char *db_migration_sql(int version);

/* Helpers (db_util.c). */
int db_fail(gang_db *db, int rc, gang_diag *d, const char *what);
int db_exec(gang_db *db, const char *sql, gang_diag *d);
int db_prepare(sqlite3_stmt **out, gang_db *db, const char *sql, gang_diag *d);
int db_begin(gang_db *db, gang_diag *d);
int db_commit(gang_db *db, gang_diag *d);
void db_rollback(gang_db *db);
/* Let the next queued writer of this process go (after COMMIT/ROLLBACK). */
void db_gate_release(gang_db *db);
/* A write starts waiting: queue (when db has a gate) and set the wait's clock. */
int db_write_wait(gang_db *db, gang_diag *d, const char *what);
/* The write got the lock, or gave up: report the end of a reported wait. */
void db_wait_end(gang_db *db);
/* Run a prepared statement expecting SQLITE_DONE; finalizes it. */
int db_run(gang_db *db, sqlite3_stmt *st, gang_diag *d, const char *what);
/* Bind text, or NULL when s is NULL. */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);
void db_install_busy_handler(gang_db *db);
uint64_t db_now_us(void);
/* Refuse when the filesystem holding path has less than min_free bytes free. */
int db_check_space(const char *path, uint64_t min_free, gang_diag *d);

/*
 * Mark uid's live serial of pool burned (idempotent) inside the caller's
 * transaction; value < 0 accepts whichever value is bound. GANG_EDB when
 * no reserved/burned serial is bound to uid.
 */
int db_serial_burn_tx(gang_db *db, const char *pool, int64_t value, const char *uid, gang_diag *d);

#endif
