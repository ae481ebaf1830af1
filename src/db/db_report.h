/*
 * db_report.h — the read side of the traceability database: every query
 * that `gang report` and `gang trace` run lives behind this header, in the
 * backend (SQLite: src/db/sqlite/sqlite_report.c). Formatting lives in
 * src/report/.
 *
 * Reports stream the attempts of a selection (batch and/or started_at
 * window) through a callback in one pass, so a million attempts cost one
 * scan of the attempts table (or of attempts_by_batch / attempts_by_started)
 * and the aggregation happens in C. Trace reads one board's attempts through
 * attempts_by_uid and their steps through steps_by_attempt.
 *
 * Every function returns GANG_OK or GANG_EDB / GANG_ENOMEM with d filled
 * (d may be NULL). Handles come from gang_db_open (GANG_DB_READONLY is
 * enough); one thread at a time, as for every gang_db.
 */
#ifndef GANG_DB_DB_REPORT_H
#define GANG_DB_DB_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/*
 * Which attempts a report covers. Times are normalised UTC text
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" (see report/report_time.h) compared with
 * attempts.started_at: since inclusive, until exclusive. NULL = open.
 */
typedef struct gang_report_filter {
	const char *batch;
	const char *since;
	const char *until;
} gang_report_filter;

/* One attempt of the selection; strings borrowed for the callback only, NULL = unknown. */
typedef struct gang_report_row {
	int64_t id;
	int64_t seq;              /* the attempt's number at its station (the portable key with station) */
	const char *uid;          /* NULL: the board was never identified */
	const char *slot;
	const char *probe_serial;
	const char *result;       /* "pass" | "fail" | "aborted" | NULL (still open) */
	const char *error_class;
	const char *started_at;
	const char *finished_at;  /* NULL while open */
	const char *failed_step;  /* first step with result 'fail' of a failed attempt */
	/* failed attempts only (NULL otherwise): for the list of failed boards */
	const char *error_message;
	const char *serial;       /* serial text rendered on the attempt, else "<pool> <value>" reserved */
	/*
	 * the board's live data values, "mac 00:80:E1:00:00:05; keys #3 sha256
	 * 1f2e..." by pool (a secret list's by index and SHA-256 only, a
	 * plain list's as 0x + up to 64 hex digits), and its scanned labels
	 * ("PCB-00000042", several joined by ", ")
	 */
	const char *data, *label;
	/* what was programmed, where and by whom */
	const char *batch, *profile_name, *profile_sha256, *image_sha256, *station, *operator_name;
} gang_report_row;

/* Called once per attempt; a negative return stops the scan and is returned. */
typedef int (*gang_report_row_fn)(void *ctx, const gang_report_row *row);

/* Stream every attempt of the selection (no particular order) to fn. */
int gang_db_report_scan(gang_db *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx,
			gang_diag *d);

/*
 * Serials handed out (reserved_at) inside the window — with --batch, those
 * reserved by an attempt of the batch — per pool, counted by their current
 * state, with the pool's range.
 */
typedef struct gang_report_pool {
	char *name;
	int64_t range_start, range_end; /* the pool's inclusive range (-1 if the pool row is gone) */
	int64_t min_value, max_value;   /* lowest/highest value handed out in the window */
	int64_t reserved, burned, voided;
} gang_report_pool;

/* *out (free with gang_db_report_pools_free) holds *n_out pools sorted by name. */
int gang_db_report_pools(gang_report_pool **out, size_t *n_out, gang_db *db, const gang_report_filter *f,
			 gang_diag *d);
/*
 * Start counting the pools of selection f where the backend can count them
 * while the caller goes on (PostgreSQL: the statement is sent and the
 * server works on it); gang_db_report_pools with the same f takes the
 * answer, and any other call on db drops it first. Where it
 * cannot (SQLite, a handle inside a transaction), nothing happens and
 * gang_db_report_pools counts as before. Never fails: a failure to send is
 * met again, and told, by gang_db_report_pools.
 */
void gang_db_report_pools_ask(gang_db *db, const gang_report_filter *f);
void gang_db_report_pools_free(gang_report_pool *p, size_t n);

/*
 * Data pools (serial/data_pool.h) as serial pools are counted: values
 * handed out (reserved_at) inside the window — with --batch, those taken
 * by an attempt of the batch — by their current state; plus what the pool
 * holds and has never handed out, whatever the selection.
 */
typedef struct gang_report_data_pool {
	char *name;
	char kind[8];                     /* "mac" | "list" */
	int secret;                       /* a list whose values are never shown */
	int64_t size, remaining;          /* values the pool holds; never handed out (now) */
	int64_t reserved, burned, voided; /* handed out in the window, by current state */
} gang_report_data_pool;

/* *out (free with gang_db_report_data_pools_free) holds *n_out pools sorted by name; none handed out: left out. */
int gang_db_report_data_pools(gang_report_data_pool **out, size_t *n_out, gang_db *db,
			      const gang_report_filter *f, gang_diag *d);
void gang_db_report_data_pools_free(gang_report_data_pool *p, size_t n);

/*
 * Trace: the columns of one attempt, in output order. Values are text
 * (NULL = unknown); the ones flagged by gang_trace_field_is_number hold
 * decimal integers.
 */
typedef enum gang_trace_field {
	GANG_TF_ID = 0,
	GANG_TF_STARTED_AT,
	GANG_TF_FINISHED_AT,
	GANG_TF_DURATION_MS,
	GANG_TF_RESULT,
	GANG_TF_ERROR_CLASS,
	GANG_TF_ERROR_MESSAGE,
	GANG_TF_SLOT,
	GANG_TF_PROBE,
	GANG_TF_OPERATOR,
	GANG_TF_STATION,
	GANG_TF_BATCH,
	GANG_TF_PROFILE,
	GANG_TF_PROFILE_SHA256,
	GANG_TF_IMAGE_SHA256,
	GANG_TF_PART,
	GANG_TF_CONNECT_MODE,
	GANG_TF_RDP_BEFORE,
	GANG_TF_OPTION_BYTES,
	GANG_TF_SERIAL_POOL,
	GANG_TF_SERIAL_VALUE,
	GANG_TF_SERIAL_TEXT,
	GANG_TF_KEY,          /* the portable key "station/number" (gang_attempt_key_text) */
	GANG_TF_COUNT
} gang_trace_field;

/* Field name used as JSON key and text label ("started_at"). */
const char *gang_trace_field_name(gang_trace_field f);
/* True when the field's text is a decimal integer (JSON number). */
int gang_trace_field_is_number(gang_trace_field f);

typedef struct gang_trace_step {
	char *step, *result, *detail, *at;
	int64_t duration_ms;
} gang_trace_step;

typedef struct gang_trace_attempt {
	char *f[GANG_TF_COUNT];
	gang_trace_step *steps;
	size_t n_steps;
} gang_trace_attempt;

/* A serial ever bound to the board (void ones included, for audit). */
typedef struct gang_trace_serial {
	char *pool, *state, *reserved_at, *burned_at, *voided_at, *reason;
	int64_t value;
} gang_trace_serial;

typedef struct gang_trace_board {
	char *uid, *serial, *part, *first_seen, *last_seen, *last_result;
	gang_trace_attempt *attempts; /* oldest first */
	size_t n_attempts;
	gang_trace_serial *serials;
	size_t n_serials;
} gang_trace_board;

/*
 * UIDs of the boards that key names, trying in order: a UID (24 hex
 * digits, any case), a serial text (boards.serial, then attempts.serial_text),
 * a serial value (decimal, any pool). The first kind that matches wins.
 * *n_out = 0 when nothing matches (not an error). Free with
 * gang_db_trace_uids_free.
 */
int gang_db_trace_find(char ***uids_out, size_t *n_out, gang_db *db, const char *key, gang_diag *d);
void gang_db_trace_uids_free(char **uids, size_t n);

/* Everything recorded about the board with this UID (exact, as stored). */
int gang_db_trace_board(gang_trace_board **out, gang_db *db, const char *uid, gang_diag *d);
/* NULL is a no-op. */
void gang_db_trace_board_free(gang_trace_board *b);

#endif
