/*
 * db_lease.h — serial leases, the station half (issue 14; docs/stations.md):
 * a station binds values of its lease (db.h gang_db_lease_take) to boards'
 * UIDs and the central PostgreSQL database records each binding once, and
 * the conflicts between bindings of one board at two stations. The SQLite
 * backend has no leases: binding is refused there (GANG_EDB naming
 * PostgreSQL) and it lists no conflicts.
 *
 * Handles belong to one thread at a time, as db.h says.
 */
#ifndef GANG_DB_DB_LEASE_H
#define GANG_DB_DB_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* One binding of a leased value to a board; strings borrowed for the call. */
typedef struct gang_lease_binding {
	const char *station;              /* the station holding the lease (required) */
	const char *pool;                 /* required */
	const char *uid;                  /* the board (required) */
	const char *part;                 /* NULL: unknown */
	int64_t value;                    /* a value of a lease of station in pool */
	const gang_attempt_key *attempt;  /* the open attempt it is for; NULL: none (a delivered binding) */
	bool online;                      /* the station asks first: a UID already bound is not a conflict */
} gang_lease_binding;

typedef enum gang_lease_outcome {
	GANG_LEASE_BOUND = 0,  /* value is now the board's serial (or was, by this same binding) */
	GANG_LEASE_EXISTING,   /* online: the board already had a serial; value was not used */
	GANG_LEASE_CONFLICT,   /* the board already had another serial: it is kept, the conflict recorded */
} gang_lease_outcome;

typedef struct gang_lease_bound {
	gang_lease_outcome outcome;
	int64_t value;                          /* the board's serial in the pool now */
	char kept_station[GANG_DB_STATION_MAX]; /* CONFLICT: who bound it first ("" unknown) */
} gang_lease_bound;

/*
 * Bind b->value to b->uid in one transaction, idempotently: a binding of
 * the same value delivered again gives the same answer and changes
 * nothing. The board's serial and, with b->attempt, the open attempt's
 * serial are set as gang_serial_reserve sets them. GANG_EUSAGE when
 * b->value lies in no lease of b->station in b->pool; GANG_EDB on a
 * database without leases (naming PostgreSQL) or a database error.
 */
int gang_db_lease_bind(gang_lease_bound *out, gang_db *db, const gang_lease_binding *b, gang_diag *d);

/*
 * The values of station's live (not void) leases of pool that no binding
 * used yet, lowest first, at most cap of them, into out; *n_out how many
 * (0: none left). GANG_EDB on a database without leases, naming PostgreSQL.
 */
int gang_db_lease_unused(int64_t *out, size_t cap, size_t *n_out, gang_db *db, const char *station,
			 const char *pool, gang_diag *d);

/* A recorded conflict: kept is the central binding, other the one delivered later. */
typedef struct gang_serial_conflict {
	char pool[GANG_DB_POOL_NAME_MAX];
	char uid[64];
	int64_t kept_value, other_value;
	char kept_station[GANG_DB_STATION_MAX]; /* "" when unknown */
	char other_station[GANG_DB_STATION_MAX];
	char recorded_at[40];
} gang_serial_conflict;

/*
 * The station's journal (db/journal.h, docs/stations.md): open the
 * journal at path for station's attempt records on db (the main handle of
 * a run, before gang_db_recover). Records an earlier run left undelivered
 * are delivered first (its attempts left open are closed as aborted);
 * gang_db_recover then starts the delivery worker, and worker handles
 * opened from db afterwards write their attempt records to the journal.
 * Closing db stops the worker after it delivered what it could: close
 * the worker handles opened from db first (they share its journal).
 * GANG_EDB on a database without journals (SQLite), naming PostgreSQL.
 */
int gang_db_journal_open(gang_db *db, const char *path, const char *station, gang_diag *d);
/* Records of db's journal waiting for delivery, and refused by the central database (0, 0: no journal). */
int gang_db_journal_counts(int64_t *pending, int64_t *refused, gang_db *db, gang_diag *d);
/* After a failed call: was it because the central database is out of reach? (false on SQLite) */
bool gang_db_unreachable(gang_db *db);

/* Every recorded conflict, oldest first; *out (free()) NULL when none. None on SQLite. */
int gang_db_serial_conflicts(gang_serial_conflict **out, size_t *n_out, gang_db *db, gang_diag *d);

#endif
