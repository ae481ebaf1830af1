/*
 * store.h — the storage backend interface behind db.h, db_report.h and
 * serial/serial_alloc.h. Callers (the scheduler, the job, the serial
 * allocator, reports, the CLI) hold an opaque gang_db and call the domain
 * functions; src/db/store.c dispatches each one to the ops of the backend
 * that opened the handle. All SQL lives inside a backend (src/db/sqlite/
 * today), and so do its transactions, its waits for other writers and its
 * way of telling which attempts belong to a live run.
 *
 * A backend is a const gang_store_ops table and an open function. Its handle
 * embeds struct gang_db as its first member (the base), so a gang_db * it
 * returns can be cast back inside its ops. The table starts with version:
 * gang_db_open refuses a handle whose ops carry another
 * GANG_STORE_OPS_VERSION, or miss a required slot, before anybody uses it,
 * so a backend built against an older layout fails loudly, not by calling
 * the wrong slot. Slots marked "optional" may be NULL; the fallback
 * store.c takes instead is documented on each.
 *
 * Every op follows the contract of the public function it implements
 * (same arguments, errors and diag sentences); they are not repeated here.
 * Handles belong to one thread at a time, as the public API says.
 */
#ifndef GANG_DB_STORE_H
#define GANG_DB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "db/db_lease.h"
#include "db/db_report.h"
#include "serial/data_pool.h"
#include "serial/serial_alloc.h"

/* Bump on any change to gang_store_ops' layout or to an op's contract. */
#define GANG_STORE_OPS_VERSION 8U

typedef struct gang_store_ops gang_store_ops;

/* The base every backend handle starts with. */
struct gang_db {
	const gang_store_ops *ops;
};

/* One line of a --slots file, checked (db.h gang_db_slot_map_load). */
typedef struct gang_slot_mapping {
	int line;
	char label[GANG_DB_LABEL_MAX];
	char serial[128];
	char path[128]; /* "" when the line names no USB path */
} gang_slot_mapping;

/*
 * What a trace key is looked up as (store.c tries them in this order and
 * stops at the first that names a board).
 */
typedef enum gang_trace_by {
	GANG_TRACE_BY_UID = 0,      /* the 96-bit UID, either case */
	GANG_TRACE_BY_BOARD_SERIAL, /* the serial text burned on a board's pass */
	GANG_TRACE_BY_ATTEMPT_TEXT, /* the serial text of any attempt (a failed board has only this) */
	GANG_TRACE_BY_SERIAL_VALUE, /* a serial's number in its pool (decimal key) */
} gang_trace_by;

/* A serial pool as stored. */
typedef struct gang_store_pool {
	int64_t start, end, next;
	char format[256];
} gang_store_pool;

struct gang_store_ops {
	unsigned version;   /* GANG_STORE_OPS_VERSION, checked on open */
	const char *scheme; /* "sqlite" */

	/* handles */
	int (*open_worker)(gang_db **out, gang_db *main_db, gang_diag *d);
	void (*close)(gang_db *db);
	const char *(*path)(const gang_db *db);
	/* optional: NULL for a backend that never waits for other programs' locks (a no-op) */
	void (*set_wait)(gang_db *db, uint32_t wait_ms);
	/* optional: NULL when there is no wait to report (a no-op) */
	void (*on_wait)(gang_db *db, gang_db_wait_fn fn, void *user);
	/* Claim this process's run and close the attempts of runs that are gone. */
	int (*recover)(gang_db *db, int *closed_out, gang_diag *d);

	/* slots and probes */
	int (*probe_seen)(char *label_out, size_t cap, gang_db *db, const char *serial, const char *usb_path,
			  const char *model, const char *firmware, gang_diag *d);
	/* All of the checked lines in one transaction. */
	int (*slot_map_apply)(gang_db *db, const gang_slot_mapping *v, size_t n, gang_diag *d);

	/* the attempt pipeline */
	int (*board_seen)(gang_db *db, const char *uid, const char *part, gang_diag *d);
	int (*attempt_begin)(gang_attempt_key *key_out, gang_db *db, const gang_attempt_info *info, gang_diag *d);
	int (*attempt_identify)(gang_db *db, const gang_attempt_key *attempt, const gang_attempt_target *t,
				gang_diag *d);
	int (*attempt_serial_text)(gang_db *db, const gang_attempt_key *attempt, const char *text, gang_diag *d);
	int (*step)(gang_db *db, const gang_attempt_key *attempt, const char *step, gang_step_result result,
		    uint32_t duration_ms, const char *detail, gang_diag *d);
	int (*board_last_pass)(gang_board_pass *out, gang_db *db, const char *uid, const char *profile_sha256,
			       const char *image_sha256, gang_diag *d);
	int (*sighting)(gang_db *db, const gang_attempt_info *info, const char *uid,
			const gang_attempt_key *pass_attempt, gang_diag *d);
	int (*attempt_finish)(gang_db *db, const gang_attempt_key *attempt, gang_attempt_result result,
			      const char *error_class, const char *error_message, gang_diag *d);

	/* reports and trace (db_report.h) */
	int (*report_scan)(gang_db *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx,
			   gang_diag *d);
	int (*report_pools)(gang_report_pool **out, size_t *n_out, gang_db *db, const gang_report_filter *f,
			    gang_diag *d);
	/* optional: NULL when the backend counts only when asked by report_pools (a no-op) */
	void (*report_pools_ask)(gang_db *db, const gang_report_filter *f);
	int (*report_data_pools)(gang_report_data_pool **out, size_t *n_out, gang_db *db,
				 const gang_report_filter *f, gang_diag *d);
	/* The UIDs (sorted bytewise, distinct) of the boards key names when read as by. */
	int (*trace_lookup)(char ***uids_out, size_t *n_out, gang_db *db, gang_trace_by by, const char *key,
			    gang_diag *d);
	int (*trace_board)(gang_trace_board **out, gang_db *db, const char *uid, gang_diag *d);

	/*
	 * Serial pools (serial/serial_alloc.h). The allocator checks arguments
	 * and compares ranges; each op that writes is one transaction.
	 */
	/* *found = 0 when the pool does not exist (not an error). */
	int (*serial_pool_get)(gang_store_pool *out, int *found, gang_db *db, const char *pool, gang_diag *d);
	/* Create the pool unless it exists; *found = 1 and *have = the stored pool when it does. */
	int (*serial_pool_create)(gang_store_pool *have, int *found, gang_db *db, const char *pool,
				  uint64_t start, uint64_t end, const char *format, gang_diag *d);
	int (*serial_reserve)(int64_t *value_out, gang_db *db, const char *pool, const char *uid,
			      const gang_attempt_key *attempt, gang_diag *d);
	int (*serial_burn)(gang_db *db, const char *pool, const char *uid, gang_diag *d);
	int (*serial_void)(gang_db *db, const char *pool, uint64_t value, const char *reason, gang_diag *d);
	/* start, end, next and the state counts, read together (one snapshot). */
	int (*serial_status)(gang_serial_pool_counts *out, gang_db *db, const char *pool, gang_diag *d);
	/* optional: "a, b" of the pools, "none" when empty; NULL: messages say the list is unavailable */
	int (*serial_pool_names)(char *out, size_t cap, gang_db *db, gang_diag *d);
	/* The distinct values of pool rendered as text: how many, and the lowest. */
	int (*serial_find_text)(uint64_t *first_out, int *n_out, gang_db *db, const char *pool, const char *text,
				gang_diag *d);
	int (*serial_list)(gang_db *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
			   gang_diag *d);

	/* optional (a central database's): serial leases; NULL: refused, naming PostgreSQL */
	int (*lease_take)(gang_db_lease *out, gang_db *db, const char *station, const char *pool, uint32_t n,
			  gang_diag *d);
	int (*lease_void)(int *n_out, gang_db *db, const char *which, const char *reason, gang_db_lease_fn fn,
			  void *user, gang_diag *d);

	/* optional (a central database's): leases, the station half (db_lease.h); NULL: binding is
	 * refused naming PostgreSQL, and there are no conflicts */
	int (*lease_bind)(gang_lease_bound *out, gang_db *db, const gang_lease_binding *b, gang_diag *d);
	int (*serial_conflicts)(gang_serial_conflict **out, size_t *n_out, gang_db *db, gang_diag *d);
	int (*lease_unused)(int64_t *out, size_t cap, size_t *n_out, gang_db *db, const char *station,
			    const char *pool, gang_diag *d);

	/* optional (a central database's): the station's journal (db/journal.h); NULL: opening one is refused
	 * naming PostgreSQL, nothing is pending, and the database is never unreachable */
	int (*journal_open)(gang_db *db, const char *path, const char *station, gang_diag *d);
	int (*journal_counts)(int64_t *pending, int64_t *refused, gang_db *db, gang_diag *d);
	bool (*unreachable)(gang_db *db);

	/* optional: db_testing.h gang_db_test_exec and _query; NULL: they fail GANG_ERR naming the backend */
	int (*test_exec)(gang_db *db, const char *sql, gang_diag *d);
	int (*test_query)(char *out, size_t cap, gang_db *db, const char *sql, gang_diag *d);

	/*
	 * data pools and scans (serial/data_pool.h): mac ranges and imported
	 * lists, each write one transaction. A backend never returns a secret
	 * list's value except from data_reserve (to program it).
	 */
	/* *found = 0 when the pool does not exist (not an error). */
	int (*data_pool_get)(gang_data_pool *out, int *found, gang_db *db, const char *pool, gang_diag *d);
	/* Create want (a mac pool) unless the name exists; *found = 1 and *have = the stored pool when it does. */
	int (*data_pool_create)(gang_data_pool *have, int *found, gang_db *db, const gang_data_pool *want,
				gang_diag *d);
	/*
	 * Append v to list pool (created when missing) in one transaction. A
	 * pool of another kind or secrecy is GANG_EUSAGE; a value already in the
	 * pool is GANG_EUSAGE with *dup_out = its position in v and *dup_index =
	 * its index in the pool (*dup_out = n otherwise).
	 */
	int (*data_import)(size_t *dup_out, uint64_t *dup_index, gang_db *db, const char *pool, bool secret,
			   const gang_data_item *v, size_t n, gang_diag *d);
	int (*data_reserve)(gang_data_taken *out, gang_db *db, const char *pool, const char *uid,
			    const gang_attempt_key *attempt, gang_diag *d);
	int (*data_burn)(gang_db *db, const char *pool, const char *uid, gang_diag *d);
	int (*data_void)(gang_db *db, const char *pool, uint64_t index, const char *reason, gang_diag *d);
	int (*data_list)(gang_db *db, const char *pool, const char *state, gang_data_row_fn fn, void *user,
			 gang_diag *d);
	/*
	 * Bind a scanned label's text to uid (attempt records where; NULL:
	 * none). Already bound to uid: GANG_OK. Bound to another board:
	 * GANG_ESCAN_TAKEN with other_uid and other_serial (its burned serial,
	 * "" when none) filled; nothing changes.
	 */
	int (*scan_bind)(char *other_uid, size_t uid_cap, char *other_serial, size_t serial_cap, gang_db *db,
			 const char *text, const char *uid, const gang_attempt_key *attempt, gang_diag *d);
	/* The board a label's text is bound to, for gang trace: *n_out 0 or 1 (free as trace_lookup's). */
	int (*scan_lookup)(char ***uids_out, size_t *n_out, gang_db *db, const char *text, gang_diag *d);
};

/*
 * A failed attempt's details as a backend's report scan packs them in one
 * column (only failed rows build it): step, serial, data, label and
 * message joined by GANG_REPORT_SEP, an ASCII unit separator none but the
 * message (last) may hold. Splits packed in place into r's fields ("" = NULL).
 */
#define GANG_REPORT_SEP "\x1f"
void gang_report_row_unpack(gang_report_row *r, char *packed);

/*
 * GANG_OK when ops has this build's version and every required slot;
 * else GANG_EDB naming the backend and what is wrong.
 */
int gang_store_ops_check(const gang_store_ops *ops, gang_diag *d);

/*
 * uri ("postgresql://user:password@host/db") without its userinfo, for
 * messages: "postgresql://…@host/db" (RFC 3986 §3.2.1 and §7.5); a
 * keyword/value string ("host=db password=x") with "password=…".
 */
void gang_store_uri_shown(char *out, size_t cap, const char *uri);

/* The SQLite backend (src/db/sqlite/): path names the database file. */
int gang_store_sqlite_open(gang_db **out, const char *path, int flags, gang_diag *d);
#ifdef GANG_WITH_PG
/* The PostgreSQL backend (src/db/pg/, built with WITH_PG): uri is a libpq connection string (URI or key=value). */
int gang_store_pg_open(gang_db **out, const char *uri, int flags, gang_diag *d);
#endif

#endif
