/*
 * db.h — the traceability database: which board (by the chip's 96-bit UID)
 * got which firmware, serial, result and steps, on which slot, when, by whom.
 * A gang_db is an opaque handle on a storage backend (db/store.h); callers
 * never know which one. The SQLite backend (src/db/sqlite/) keeps a file
 * with numbered migrations (PRAGMA user_version), WAL journal, foreign keys
 * on. Its schema: db/schema.sql (equal to the migrations in db/migrations/sqlite/).
 *
 * Threads: a gang_db handle belongs to ONE thread at a time: the main
 * thread opens the database (with GANG_DB_RECOVER) and every worker thread
 * gets its own handle from gang_db_open_worker. A write waits for other
 * writers at most its wait budget (GANG_DB_BUSY_BUDGET_MS while opening,
 * then gang_db_set_wait) and fails GANG_EDB after it. SQLite: a handle is
 * one connection in multi-thread mode (SQLITE_OPEN_NOMUTEX); writers queue
 * in FIFO order inside the process, then meet other processes at SQLite's
 * file lock (BEGIN IMMEDIATE), retrying with a short bounded backoff.
 *
 * One board, as the job pipeline records it:
 *   gang_db_attempt_begin        board inserted (slot, probe, batch, profile, operator)
 *   gang_db_attempt_identify     after connect: UID, part, connect mode, option bytes
 *   gang_serial_reserve          (serial/serial_alloc.h) serial bound to the UID
 *   gang_db_attempt_serial_text  the rendered serial written into the image
 *   gang_db_step ...             one row per step with its duration
 *   gang_db_attempt_finish       pass only after verify: burns the serial and data values too
 *
 * Errors: every function returns GANG_OK or a negative gang_err and, on
 * failure, fills d (may be NULL) with a sentence naming the database file.
 * Times stored are UTC ISO 8601 with milliseconds ("2026-11-24T16:31:34.123Z").
 */
#ifndef GANG_DB_DB_H
#define GANG_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Database file used when the command line names none (relative to the cwd). */
#define GANG_DB_DEFAULT_PATH "db/gang.sqlite"

/* Longest wait for another writer while opening (then a refusal, before any board). */
#define GANG_DB_BUSY_BUDGET_MS 2000U
/* Default longest wait of a write once open (gang run --db-wait): a backup or
 * a report holding the database for a while must not fail boards. */
#define GANG_DB_WAIT_DEFAULT_MS 60000U
/* A wait is reported after this long, then this often (gang_db_on_wait). */
#define GANG_DB_WAIT_REPORT_FIRST_MS 1000U
#define GANG_DB_WAIT_REPORT_EVERY_MS 5000U
/* Free space below which a read-write open is refused as "disk full". */
#define GANG_DB_MIN_FREE_BYTES (1024U * 1024U)
/* Slot labels: up to this many bytes incl. NUL, [A-Za-z0-9_.-] only. */
#define GANG_DB_LABEL_MAX 32U

/* gang_db_open flags. */
#define GANG_DB_CREATE 0x1   /* create the file (and its schema) if missing */
#define GANG_DB_READONLY 0x2 /* reports: never write, never migrate */
#define GANG_DB_RECOVER 0x4  /* close attempts left open by a crash (main thread, once) */

typedef struct gang_db gang_db;

/*
 * Told about a write waiting for another program's lock: waited_ms so far,
 * done = 0 while it waits (first after GANG_DB_WAIT_REPORT_FIRST_MS, then
 * every GANG_DB_WAIT_REPORT_EVERY_MS), then once done = 1 when the write
 * got the lock or gave up. Called on the thread using the handle, inside
 * the gang_db call that waits; it must not use the handle.
 */
typedef void (*gang_db_wait_fn)(void *user, uint32_t waited_ms, int done);

typedef enum gang_attempt_result {
	GANG_ATTEMPT_PASS = 0,
	GANG_ATTEMPT_FAIL,
	GANG_ATTEMPT_ABORTED,
} gang_attempt_result;

typedef enum gang_step_result {
	GANG_STEP_PASS = 0,
	GANG_STEP_FAIL,
	GANG_STEP_SKIP,
} gang_step_result;

/* Room for a station name in an attempt key, NUL included (gang names are at most 64 bytes, core/text.h). */
#define GANG_DB_STATION_MAX 96U
/* Room for gang_attempt_key_text's "<station>/<seq>". */
#define GANG_DB_KEY_TEXT_MAX (GANG_DB_STATION_MAX + 24U)

/*
 * An attempt's key, the same on every backend: the station that recorded
 * it ("" when it had no station name) and its number there, 1, 2, 3 ... in
 * the order the station began them. Unique within a database and, unlike a
 * backend's row id, still unique when the records of several stations are
 * brought together.
 */
typedef struct gang_attempt_key {
	char station[GANG_DB_STATION_MAX];
	int64_t seq; /* > 0 */
} gang_attempt_key;

/* "line-2/17" ("17" without a station) into out (cap >= GANG_DB_KEY_TEXT_MAX); returns out. */
const char *gang_attempt_key_text(char *out, size_t cap, const gang_attempt_key *k);

/* What is known when a board is inserted; strings borrowed for the call, NULL = unknown. */
typedef struct gang_attempt_info {
	const char *slot;           /* slot label (required) */
	const char *probe_serial;
	const char *batch;
	const char *profile_name;   /* required */
	const char *profile_sha256; /* hex */
	const char *image_sha256;   /* hex */
	const char *operator_name;
	const char *station;
	bool rework;                /* programmed again although it passed before (--rework) */
} gang_attempt_info;

/*
 * gang_attempt_target.rdp_before of a board at RDP level 0.5 (L5/U5 with
 * TrustZone on: RDP byte 0x55 and TZEN = 1, RM0438 §6.6.2, RM0456 §7.6.2):
 * the code GANG_OB_RDP_LEVEL05 (flash/ob.h) gives the level, not a number
 * between 0 and 1 (src/sched/job.c asserts the two are equal). The column
 * attempts.rdp_before holds the level itself, 0.5, so SQL (WHERE
 * rdp_before = 0.5), `gang trace` and the journal's delivery see it.
 */
#define GANG_DB_RDP_LEVEL05 5

/* What connecting to the board revealed; strings borrowed, NULL = unknown. */
typedef struct gang_attempt_target {
	const char *uid;          /* 96-bit unique ID as 24 hex digits (required) */
	const char *part;         /* "STM32F103RC" */
	const char *connect_mode; /* "normal" | "under-reset" */
	const char *option_bytes; /* option bytes as read, hex */
	int rdp_before;           /* RDP level read before any change: 0, 1, 2, GANG_DB_RDP_LEVEL05; -1 unknown */
} gang_attempt_target;

/*
 * Open (and with GANG_DB_CREATE create) the database at path (NULL:
 * GANG_DB_DEFAULT_PATH). Read-write opens apply pending migrations in one
 * transaction, switch to WAL, and refuse with GANG_EDB before any board is
 * touched when: the directory or file is read-only, the disk is (nearly)
 * full, another writer holds the database locked, the schema is newer than
 * this gang, or the file is not an SQLite database. GANG_DB_READONLY opens
 * refuse a schema older or newer than this gang. GANG_DB_RECOVER runs
 * gang_db_recover after opening: only the process's first connection may do
 * that, before any worker begins an attempt. *out is NULL on failure.
 */
int gang_db_open(gang_db **out, const char *path, int flags, gang_diag *d);
/*
 * Open another connection to main_db's file for a worker thread. Workers
 * opened from the same main connection queue for writing in FIFO order
 * inside the process instead of polling SQLite's file lock, which keeps the
 * tail latency of a serial reservation low. Only main_db's path, flags and
 * queue are used, so workers may call this from their own threads while
 * main_db stays open; handles may be closed in any order. GANG_ERR if
 * main_db is read-only.
 */
int gang_db_open_worker(gang_db **out, gang_db *main_db, gang_diag *d);
/*
 * How long a write (a reservation, a step, closing an attempt) waits for
 * another program holding the database before failing GANG_EDB "locked by
 * another writer". Opening waits GANG_DB_BUSY_BUDGET_MS; after that a handle
 * waits GANG_DB_BUSY_BUDGET_MS until this is called. Workers opened from db
 * afterwards inherit it (their open waits as long). The waits of a main
 * connection's workers overlap: each counts from its own start, queue
 * included, so a lock held for 10 s delays every slot by about 10 s.
 */
void gang_db_set_wait(gang_db *db, uint32_t wait_ms);
/* Report this handle's waits to fn(user, ...) (NULL: stop reporting). */
void gang_db_on_wait(gang_db *db, gang_db_wait_fn fn, void *user);
/* Close the connection (rolling back an unfinished transaction); NULL is a no-op. */
void gang_db_close(gang_db *db);
/*
 * Does path name a database file (SQLite), one that may simply not exist
 * yet? False for a server's connection string (postgresql://, postgres://,
 * or libpq keyword/value pairs such as "host=db dbname=gang").
 */
bool gang_db_is_file(const char *path);
/* Path the handle was opened with (borrowed; valid until gang_db_close). */
const char *gang_db_path(const gang_db *db);
/* Newest schema version of the SQLite backend this gang knows (number of its migrations). */
int gang_db_schema_version(void);

/*
 * Start a run on db: this process becomes a run (a random id whose byte in
 * "<path>-runs" it write-locks until db is closed; attempts begun through
 * db and its workers carry the id), then every attempt still open whose run
 * is gone (its lock free: crashed, killed, or recorded before runs existed)
 * is closed as 'aborted', error class 'aborted', message "gang stopped
 * during this attempt"; their boards' last_result becomes 'aborted'.
 * Attempts of another gang running on the same database are left alone.
 * Serials stay reserved to their UID. *closed_out (may be NULL) = attempts
 * closed. Only one handle per process should call it (fcntl locks belong
 * to the process: closing any handle of the file releases them).
 */
int gang_db_recover(gang_db *db, int *closed_out, gang_diag *d);

/*
 * A probe was enumerated: record it and return its stable slot label in
 * label_out (cap >= GANG_DB_LABEL_MAX). Lookup order: mapping for this probe
 * serial at this USB path; mapping for this serial on any path (slot file
 * without a path); else a new label "S<n>" (n = highest existing + 1).
 * Clones with garbage or duplicate serials are told apart by usb_path.
 */
int gang_db_probe_seen(char *label_out, size_t cap, gang_db *db, const char *serial,
		       const char *usb_path, const char *model, const char *firmware, gang_diag *d);
/*
 * Load a --slots file: lines "LABEL SERIAL [USB_PATH]", '#' comments and
 * blank lines ignored. All or nothing (one transaction); a line's mapping
 * replaces any mapping with the same label or the same serial and path.
 * GANG_EFILE if unreadable, GANG_EUSAGE with "FILE:LINE: ..." on bad lines.
 */
int gang_db_slot_map_load(gang_db *db, const char *file, gang_diag *d);
/*
 * The checks of gang_db_slot_map_load without a database, with the same
 * errors: `gang run` refuses a bad slot file before it creates one.
 */
int gang_db_slot_map_check(const char *file, gang_diag *d);

/* Record that a board was seen (insert or touch boards.last_seen; part may be NULL). */
int gang_db_board_seen(gang_db *db, const char *uid, const char *part, gang_diag *d);

/*
 * Open a new attempt (finished_at NULL) and return its key: info->station
 * and the station's next number. A station name longer than the key holds
 * is GANG_ERR. Every call below names the attempt by this key; an unknown
 * key is GANG_ERR "attempt ... does not exist".
 */
int gang_db_attempt_begin(gang_attempt_key *key_out, gang_db *db, const gang_attempt_info *info,
			  gang_diag *d);
/*
 * Attach the board identity found on connect (also gang_db_board_seen). An
 * rdp_before other than -1, 0, 1, 2 or GANG_DB_RDP_LEVEL05 is GANG_ERR,
 * before the backend is asked.
 */
int gang_db_attempt_identify(gang_db *db, const gang_attempt_key *attempt, const gang_attempt_target *t,
			     gang_diag *d);
/*
 * Serial text as rendered into the image ("GNG-202648-001000"), for reports,
 * recorded after gang_serial_reserve and before anything is written to the
 * board. A serial text is unique within its pool (boards UNIQUE (serial,
 * serial_pool)); two pools may render the same text. GANG_ESERIAL_TAKEN,
 * nothing written, when another board already holds text in the attempt's
 * pool (burned on a pass, or rendered into an attempt still open).
 */
int gang_db_attempt_serial_text(gang_db *db, const gang_attempt_key *attempt, const char *text, gang_diag *d);
/* Append a step row (step name like "erase"; detail may be NULL). */
int gang_db_step(gang_db *db, const gang_attempt_key *attempt, const char *step, gang_step_result result,
		 uint32_t duration_ms, const char *detail, gang_diag *d);
/* The last pass of a board with one profile and image (found false: none). */
typedef struct gang_board_pass {
	bool found;
	gang_attempt_key attempt;
	char finished_at[32];   /* UTC ISO 8601 */
	char serial_text[96];   /* "" when the profile has no serial */
} gang_board_pass;

/* Look up uid's last pass with this profile and image (SHA-256 hex; NULL matches NULL). */
int gang_db_board_last_pass(gang_board_pass *out, gang_db *db, const char *uid, const char *profile_sha256,
			    const char *image_sha256, gang_diag *d);
/*
 * A board that passed (pass_attempt) was seen again in a slot and left
 * as it is: recorded instead of an attempt (the board row must exist).
 */
int gang_db_sighting(gang_db *db, const gang_attempt_info *info, const char *uid,
		     const gang_attempt_key *pass_attempt, gang_diag *d);

/*
 * Close an open attempt. In one transaction: the attempt's result, the
 * board's last_result and, for a pass (call it only after verify), its
 * reserved serial becomes 'burned' and boards.serial/serial_pool its text
 * and pool, and every data value reserved to the board becomes 'burned'
 * (serial/data_pool.h: a value is the board's for good). A pass needs an identified board (GANG_ERR otherwise); an
 * attempt already closed or unknown is GANG_ERR. error_class/error_message
 * may be NULL (a pass has none).
 *
 * A pass the board's record refuses says why with its own code, d naming
 * pool, board and the other board: GANG_ESERIAL_VOIDED (its serial, or
 * its value of a data pool, was voided while it was programmed: gang
 * serial void, gang pool void) or GANG_ESERIAL_TAKEN
 * (another board of the pool got the same text meanwhile). Nothing of the
 * pass is written and the attempt stays open, so the caller closes it as
 * the failure it is: gang_db_attempt_finish(GANG_ATTEMPT_FAIL, class,
 * sentence), which neither burns nor checks the serial. GANG_EDB (busy past
 * the wait, disk full, read-only) also leaves it open; closing may then
 * fail too, and gang_db_recover closes it at the next start.
 */
int gang_db_attempt_finish(gang_db *db, const gang_attempt_key *attempt, gang_attempt_result result,
			   const char *error_class, const char *error_message, gang_diag *d);

/*
 * Serial leases (the central PostgreSQL database only; docs/stations.md): a
 * block of a pool's serials held by one station.
 */
#define GANG_DB_POOL_NAME_MAX 128U

typedef struct gang_db_lease {
	int64_t id;
	char station[GANG_DB_STATION_MAX];
	char pool[GANG_DB_POOL_NAME_MAX];
	int64_t first, last; /* the values, inclusive */
	int64_t used;        /* values of the range bound to a board (a serials row) */
} gang_db_lease;

/*
 * Take a lease of up to n (1..1000000) values of pool for station in one
 * transaction: the next n values of the pool, or those left when fewer
 * remain; GANG_ESERIAL_EXHAUSTED when none do. The SQLite backend has no
 * leases (GANG_EDB saying they need a PostgreSQL database).
 */
int gang_db_lease_take(gang_db_lease *out, gang_db *db, const char *station, const char *pool, uint32_t n,
		       gang_diag *d);

typedef int (*gang_db_lease_fn)(void *user, const gang_db_lease *lease, gang_diag *d);

/*
 * Void the live leases which names: a lease id (a decimal number) or a
 * station (all of its live leases), with reason (required), in one
 * transaction; fn sees each voided lease (used: its bound values, the rest
 * are void for good). *n_out = how many; GANG_EUSAGE naming which when it
 * names no live lease.
 */
int gang_db_lease_void(int *n_out, gang_db *db, const char *which, const char *reason, gang_db_lease_fn fn,
		       void *user, gang_diag *d);

#endif
