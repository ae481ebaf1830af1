/*
 * serial_alloc.h — serial numbers handed out from named pools in the
 * traceability database and bound to a board's 96-bit UID before it is
 * programmed: reserved -> burned (after verify) or void (engineer action).
 * The same UID always gets the same serial of a pool (retry, rework, a
 * re-inserted board); UNIQUE(pool, value) and one live serial per
 * (pool, UID) make a duplicate impossible. Voided values are never reused.
 *
 * Every call runs in its own BEGIN IMMEDIATE transaction on the caller's
 * connection (one gang_db per thread, see db/db.h) and waits for other
 * writers at most GANG_DB_BUSY_BUDGET_MS. Values are limited to
 * 0..INT64_MAX-1 (SQLite integers are signed 64-bit).
 * The engineer's tools (`gang serial list/void`): serial_admin.c.
 */
#ifndef GANG_SERIAL_SERIAL_ALLOC_H
#define GANG_SERIAL_SERIAL_ALLOC_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

typedef struct gang_serial_pool_counts {
	uint64_t start, end; /* the pool's inclusive range */
	uint64_t next;       /* next value to hand out (end + 1 when exhausted) */
	uint64_t used;       /* values handed out: reserved + burned + voided */
	uint64_t reserved;
	uint64_t burned;
	uint64_t voided;
	uint64_t remaining;  /* values never handed out */
} gang_serial_pool_counts;

/*
 * Create pool name with range start..end (inclusive) and format (the
 * profile's format text, for reports; may be NULL), or check an existing
 * one: a different range or format is GANG_EPROFILE naming both.
 */
int gang_serial_pool_ensure(gang_db *db, const char *pool, uint64_t start, uint64_t end,
			    const char *format, gang_diag *d);
/*
 * Read-only half of gang_serial_pool_ensure, for `gang check`: GANG_OK when
 * pool does not exist yet or has exactly this range and format, else the
 * same GANG_EPROFILE sentence gang_serial_pool_ensure gives.
 */
int gang_serial_pool_check(gang_db *db, const char *pool, uint64_t start, uint64_t end, const char *format,
			   gang_diag *d);
/*
 * The serial of pool bound to uid: the live one it already has, else the
 * pool's next value, now reserved for uid. attempt (NULL: none) records the
 * serial on that attempt. GANG_ESERIAL_EXHAUSTED "serial pool 'demo'
 * exhausted (1000..1099 all used)"; GANG_EDB for an unknown pool.
 */
int gang_serial_reserve(uint64_t *value_out, gang_db *db, const char *pool, const char *uid,
			const gang_attempt_key *attempt, gang_diag *d);
/* Mark uid's serial of pool burned (after verify passed). Idempotent. */
int gang_serial_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d);
/*
 * Engineer action: void value of pool with a reason (required, kept with
 * the time for audit). The board it was bound to gets a new serial on its
 * next reserve; the value itself is never handed out again. GANG_EUSAGE for
 * a value never handed out, already void, or an empty reason.
 */
int gang_serial_void(gang_db *db, const char *pool, uint64_t value, const char *reason,
		     gang_diag *d);
/* Counts for pool; GANG_EDB if the pool does not exist. */
int gang_serial_pool_status(gang_serial_pool_counts *out, gang_db *db, const char *pool,
			    gang_diag *d);

/* One serial of a pool (strings borrowed for the callback; "" when unknown). */
typedef struct gang_serial_row {
	uint64_t value;
	const char *state;        /* "reserved" | "burned" | "void" */
	const char *uid;          /* the board it is bound to */
	const char *text;         /* as rendered on its latest attempt */
	const char *reserved_at, *burned_at, *voided_at;
	const char *reason;       /* why it was voided */
} gang_serial_row;

/* Called per row; a negative return stops the listing and is returned. */
typedef int (*gang_serial_row_fn)(void *user, const gang_serial_row *row, gang_diag *d);

/* GANG_OK if pool exists; GANG_EUSAGE naming it and the pools that do exist. */
int gang_serial_pool_known(gang_db *db, const char *pool, gang_diag *d);
/*
 * The value of pool whose rendered text (attempts.serial_text) is text.
 * GANG_EUSAGE when no serial of the pool was rendered so, or several were.
 */
int gang_serial_find_text(uint64_t *value_out, gang_db *db, const char *pool, const char *text,
			  gang_diag *d);
/* Every serial of pool in value order, only those in state when not NULL ("void", ...). */
int gang_serial_list(gang_db *db, const char *pool, const char *state, gang_serial_row_fn fn,
		     void *user, gang_diag *d);

#endif
