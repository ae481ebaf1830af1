/*
 * report.h — production reports from the traceability database: the
 * numbers (gang_report, built in one pass over the selected attempts by
 * report_build.c) and their renderings as text, CSV (RFC 4180), JSON and a
 * self-contained HTML page with inline SVG charts; plus the rendering of
 * one board's history for `gang trace`. Definitions of every figure are in
 * docs/reports.md; SQL lives in the backend (SQLite: db/sqlite/sqlite_report.c).
 *
 * Threads: a gang_report is plain data owned by its creator.
 */
#ifndef GANG_REPORT_REPORT_H
#define GANG_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "db/db.h"
#include "db/db_lease.h"
#include "db/db_report.h"

/* Normalised UTC time text "YYYY-MM-DDTHH:MM:SS.mmmZ" plus NUL. */
#define GANG_REPORT_TIME_LEN 25U
/* Bins of the cycle-time histogram. */
#define GANG_REPORT_HIST_BINS 20U

/* Counts for one station, slot, probe, error class or failing step. */
typedef struct gang_report_group {
	char *key;
	uint64_t boards;   /* distinct identified boards (stations, slots and probes only) */
	uint64_t attempts; /* attempts in the selection, open ones included */
	uint64_t pass, fail, aborted;
	/* stations, slots and probes: boards whose first attempt was here, and those of them it passed */
	uint64_t first_boards, first_pass;
} gang_report_group;

/*
 * A board with a failed attempt in the selection. Its status comes from its
 * last finished attempt (latest started_at, then highest id; aborted and
 * open attempts do not count): failed, or passed after the failure
 * (later_passed). The other fields describe its latest failed attempt.
 */
typedef struct gang_report_failed {
	char *uid, *serial, *slot, *probe, *step, *error_class, *message; /* NULL = unknown; in failed_text */
	char *data, *label; /* the board's data values and scanned labels (db_report.h); NULL = none */
	char at[GANG_REPORT_TIME_LEN]; /* finished_at of that attempt */
	int64_t at_ms;
	int64_t attempt_id;            /* the backend's row id */
	char attempt[GANG_DB_KEY_TEXT_MAX]; /* its portable key: "station/number" (gang_attempt_key_text) */
	uint64_t failures;             /* failed attempts of the board in the selection */
	int later_passed;
} gang_report_failed;

/* What was programmed where and by whom: one distinct combination of these attempt fields. */
typedef struct gang_report_programmed {
	char *batch, *profile, *profile_sha256, *image_sha256, *station, *operator_name; /* NULL = not recorded */
	uint64_t attempts;
	char first_start[GANG_REPORT_TIME_LEN], last_start[GANG_REPORT_TIME_LEN];
} gang_report_programmed;

typedef struct gang_report_bin {
	int64_t lo_ms, hi_ms; /* lo_ms <= duration < hi_ms */
	uint64_t count;
} gang_report_bin;

/* Cycle time of passing attempts: finished_at - started_at, nearest-rank percentiles. */
typedef struct gang_report_cycle {
	uint64_t n;
	int64_t min_ms, median_ms, p95_ms, max_ms;
	double mean_ms;
} gang_report_cycle;

typedef struct gang_report {
	char *db_path;                     /* the database read (absolute when it can be resolved) */
	char generated_at[GANG_REPORT_TIME_LEN];
	const char *gang_version;          /* set by the caller; NULL = not known */
	char *batch;                       /* NULL = every batch */
	char since[GANG_REPORT_TIME_LEN];  /* "" = open */
	char until[GANG_REPORT_TIME_LEN];  /* "" = open */
	uint64_t attempts, pass, fail, aborted, open;
	uint64_t unidentified;             /* attempts that never read a UID */
	uint64_t boards, boards_passed, boards_first_pass;
	uint64_t boards_failed, boards_failed_later_passed;
	char first_start[GANG_REPORT_TIME_LEN]; /* "" when no attempt */
	char last_finish[GANG_REPORT_TIME_LEN];
	int64_t span_ms;                   /* last_finish - first_start */
	gang_report_cycle cycle;
	gang_report_bin *hist;
	size_t n_hist;
	int64_t hour0_ms;                  /* start of the first hour of the series */
	size_t n_hours;
	uint64_t *hour_pass, *hour_fail;   /* by finished_at hour */
	gang_report_group *stations, *slots, *probes, *classes, *steps; /* key "(unknown)": not recorded */
	size_t n_stations, n_slots, n_probes, n_classes, n_steps;
	gang_report_pool *pools;
	size_t n_pools;
	gang_report_data_pool *data_pools; /* by name; those with a value handed out in the selection */
	size_t n_data_pools;
	gang_serial_conflict *conflicts;   /* every one recorded, whatever the selection (db_lease.h) */
	size_t n_conflicts;
	gang_report_failed *failed;        /* still failed first, then failed-later-passed; by time */
	size_t n_failed;                   /* = boards_failed + boards_failed_later_passed */
	char *failed_text;                 /* one block holding the strings of failed[] */
	gang_report_programmed *programmed; /* by first_start */
	size_t n_programmed;
} gang_report;

/*
 * Build the report of the attempts selected by f (NULL members = all).
 * GANG_EDB / GANG_ENOMEM with d filled. Free with gang_report_free.
 */
int gang_report_build(gang_report **out, gang_db *db, const gang_report_filter *f, gang_diag *d);
/* NULL is a no-op. */
void gang_report_free(gang_report *r);

/*
 * Derived figures (0 when the denominator is 0). Yield is always per board;
 * the per-attempt figure is the attempt pass rate.
 */
double gang_report_first_pass_yield(const gang_report *r);            /* first-pass boards / boards */
double gang_report_attempt_pass_rate(const gang_report *r);           /* pass / (pass + fail) */
double gang_report_group_first_pass_yield(const gang_report_group *g); /* first_pass / first_boards */
double gang_report_group_pass_rate(const gang_report_group *g);       /* pass / (pass + fail) */
double gang_report_passes_per_hour(const gang_report *r);
/* "2 h 05 min 03 s", "1 min 40.8 s", "0.8 s": a duration a reader takes in at a glance. */
void gang_report_duration_text(char *out, size_t cap, int64_t ms);

/* Renderers: GANG_OK, or GANG_EFILE when writing to fp failed. */
int gang_report_write_text(FILE *fp, const gang_report *r);
int gang_report_write_json(FILE *fp, const gang_report *r);
int gang_report_write_csv(FILE *fp, const gang_report *r);
int gang_report_write_html(FILE *fp, const gang_report *r);

/*
 * Parse a --since/--until value: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]Z"
 * (a '+00:00' suffix is accepted for 'Z'). A date alone means the start of
 * that day, or with end_of_day the start of the next day (so --until DATE
 * includes DATE). out gets the normalised text. GANG_EUSAGE naming the
 * value and what is wrong.
 */
int gang_report_parse_time(char *out, size_t cap, const char *s, int end_of_day, gang_diag *d);
/* Milliseconds since 1970 of a normalised or stored time; GANG_EUSAGE if malformed. */
int gang_report_time_ms(int64_t *out, const char *iso);
/* Format ms since 1970 as normalised text (cap >= GANG_REPORT_TIME_LEN). */
void gang_report_time_text(char *out, size_t cap, int64_t ms);

/* Trace renderers for one board (several boards: call once per board). */
int gang_report_trace_text(FILE *fp, const gang_trace_board *b);
/* JSON object of the board; callers print the enclosing array. */
int gang_report_trace_json(FILE *fp, const gang_trace_board *b);

/* Helpers shared by the renderers. */
void gang_report_json_string(FILE *fp, const char *s);
void gang_report_csv_field(FILE *fp, const char *s);
void gang_report_html_text(FILE *fp, const char *s);

#endif
