/*
 * data_pool.h — data pools: values beyond a serial, handed out per board
 * with the life of a serial (reserved -> burned after verify, or void by
 * the engineer; never reused) and its guarantees (UNIQUE (pool, index),
 * one live value per (pool, UID): the same board always gets the same
 * value).
 *
 * Two kinds of pool:
 * - mac: a 48-bit range under an OUI ("00:80:E1:00:00:00".."00:80:E1:00:FF:FF");
 *   index i is the address first + i. Created from the profile at run start.
 * - list: values from a supplier's file, imported once (gang pool import);
 *   index i is the file's i-th value (in import order across imports).
 *   A secret list's values live only in the list's value table
 *   (data_values); everything else (attempts, steps, log, reports, the
 *   listing) names a value by its index and SHA-256.
 *
 * Storing belongs to the backend (db/store.h "data pools and scans");
 * this module holds the rules and the sentences. Handles as in db/db.h.
 */
#ifndef GANG_SERIAL_DATA_POOL_H
#define GANG_SERIAL_DATA_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define GANG_DATA_VALUE_MAX 512U                        /* bytes of one list value */
#define GANG_DATA_HEX_MAX (2U * GANG_DATA_VALUE_MAX + 1U) /* its hex text plus NUL */
#define GANG_DATA_NAME_MAX 64U
#define GANG_MAC_LEN 6U
#define GANG_MAC_MAX 0xFFFFFFFFFFFFULL

typedef enum gang_data_kind {
	GANG_DATA_MAC = 0,
	GANG_DATA_LIST,
} gang_data_kind;

/* A data pool as stored. */
typedef struct gang_data_pool {
	char name[GANG_DATA_NAME_MAX];
	gang_data_kind kind;
	bool secret;       /* list only: values never leave the value table in clear */
	uint64_t first;    /* mac: the range's first address (48-bit) */
	uint64_t size;     /* how many values the pool holds */
	uint64_t next;     /* index of the next value to hand out (size when dry) */
} gang_data_pool;

/* One value of an import (strings borrowed). */
typedef struct gang_data_item {
	const char *hex;    /* the bytes, lower-case hex */
	const char *sha256; /* of the bytes, lower-case hex */
	int line;           /* in the imported file */
} gang_data_item;

/* A value handed to a board. */
typedef struct gang_data_taken {
	uint64_t index;
	char hex[GANG_DATA_HEX_MAX]; /* list: the value's bytes in hex; "" for a mac pool */
	char sha256[65];             /* list: of the value's bytes; "" for a mac pool */
} gang_data_taken;

/* One handed-out value of a pool (strings borrowed; "" when unknown). */
typedef struct gang_data_row {
	uint64_t index;
	const char *state; /* "reserved" | "burned" | "void" */
	const char *uid;
	const char *hex;   /* list, not secret: the value; "" otherwise (never a secret's) */
	const char *sha256;
	const char *reserved_at, *burned_at, *voided_at, *reason;
} gang_data_row;

/* Called per row; a negative return stops the listing and is returned. */
typedef int (*gang_data_row_fn)(void *user, const gang_data_row *row, gang_diag *d);

/* "mac" or "list". */
const char *gang_data_kind_name(gang_data_kind k);

/*
 * "00:80:E1:00:00:05" -> 0x0080E1000005. GANG_EUSAGE (d says why) for
 * anything but six two-digit hex groups separated by ':' (or '-').
 */
int gang_mac_parse(uint64_t *out, const char *text, gang_diag *d);
/* 0x0080E1000005 -> "00:80:E1:00:00:05" (cap >= 18). */
void gang_mac_text(char *out, size_t cap, uint64_t mac);
/* The 6 bytes of mac, most significant first (msb_first) or least significant first. */
void gang_mac_bytes(uint8_t out[GANG_MAC_LEN], uint64_t mac, bool msb_first);

/*
 * Create the mac pool first..last (inclusive) unless it exists; an existing
 * pool of another kind or range is GANG_EPROFILE naming both (a pool never
 * changes). Read-only twin for `gang check`: gang_data_mac_check.
 */
int gang_data_mac_ensure(gang_db *db, const char *pool, uint64_t first, uint64_t last, gang_diag *d);
int gang_data_mac_check(gang_db *db, const char *pool, uint64_t first, uint64_t last, gang_diag *d);
/*
 * A list pool a profile uses must have been imported, with this secrecy:
 * GANG_EPROFILE naming `gang pool import` otherwise (db NULL: no database
 * yet, so nothing was imported).
 */
int gang_data_list_check(gang_db *db, const char *pool, bool secret, gang_diag *d);

/*
 * The value of pool bound to uid: its live one, else the next, now
 * reserved (attempt records who took it; NULL: none). GANG_EPOOL_DRY
 * "data pool 'keys' ran dry (all 3 values used)" when none is left.
 */
int gang_data_reserve(gang_data_taken *out, gang_db *db, const char *pool, const char *uid,
		      const gang_attempt_key *attempt, gang_diag *d);
/*
 * Mark uid's value of pool burned. Idempotent. A run never calls it: the
 * pass burns the board's values in its own transaction
 * (gang_db_attempt_finish), so a pass is never recorded without them.
 */
int gang_data_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d);
/* Engineer action, as gang_serial_void: a reason is required; the index is never handed out again. */
int gang_data_void(gang_db *db, const char *pool, uint64_t index, const char *reason, gang_diag *d);
/* The pool as stored; *found = 0 when it does not exist. */
int gang_data_pool_get(gang_data_pool *out, int *found, gang_db *db, const char *pool, gang_diag *d);
/* Every handed-out value of pool in index order, only those in state when not NULL. */
int gang_data_list(gang_db *db, const char *pool, const char *state, gang_data_row_fn fn, void *user,
		   gang_diag *d);

/*
 * Import the values of file into list pool (created on first import; a
 * later import appends). The file: one value per line; a line "0x..." is
 * hex bytes (an even number of digits), any other line is text (its bytes
 * as written, without the line end); blank lines and lines starting with
 * '#' are skipped. Refused, nothing stored: a duplicate inside the file
 * ("file:7: same value as line 3"), a value already in the pool
 * ("file:7: already in pool 'keys' as index 12"), a pool of another kind or
 * secrecy, an empty file, a value over GANG_DATA_VALUE_MAX bytes.
 * *n_out: values added. Errors GANG_EUSAGE / GANG_EFILE / GANG_EDB.
 */
int gang_data_import(size_t *n_out, gang_db *db, const char *pool, const char *file, bool secret,
		     gang_diag *d);

/*
 * Scanned labels: bind a board's label text to uid (attempt: where it was
 * scanned; NULL: none). The same text again for the same board is GANG_OK;
 * a text bound to another board is GANG_ESCAN_TAKEN, d naming that board's
 * UID and serial ("label 'PCB-00000001' is already bound to board
 * 0123..., serial 1002"). gang_db_trace_find finds a board by its label.
 */
int gang_scan_bind(gang_db *db, const char *text, const char *uid, const gang_attempt_key *attempt,
		   gang_diag *d);

#endif
