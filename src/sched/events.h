/*
 * events.h — what the production run tells the outside world. Slot threads
 * emit events; a sink turns them into the operator's console, plain lines
 * (not a terminal) or JSON Lines (--json, schema in README "JSON events").
 * Ordering per slot: board → step… → result → removed; nothing follows a
 * result for that board except "removed".
 * Sinks are shared by all slot threads and serialise emit() internally.
 */
#ifndef GANG_SCHED_EVENTS_H
#define GANG_SCHED_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum gang_event_kind {
	GANG_EV_RUN_START = 0, /* profile, batch */
	GANG_EV_SLOT_UP,       /* a probe got a slot / came back */
	GANG_EV_SLOT_DOWN,     /* probe unplugged: slot waits for it; error_class "database": the
				  database cannot record boards, the slot stops */
	GANG_EV_WAITING,       /* slot waits for a board */
	GANG_EV_BOARD,         /* a board is in the fixture, attempt starts */
	GANG_EV_STEP,          /* a step starts */
	GANG_EV_PROGRESS,      /* bytes done of total within the step */
	GANG_EV_NOTE,          /* something the operator should know (recovered under reset) */
	GANG_EV_RESULT,        /* pass / fail / aborted for one board attempt */
	GANG_EV_REMOVED,       /* board taken out */
	GANG_EV_RUN_END,       /* summary */
	GANG_EV_STOPPING,      /* the run is stopping (q, Ctrl-C, SIGTERM): stop_level */
	GANG_EV_RUN_NOTE,      /* a sentence about the whole run (probes ignored): message */
} gang_event_kind;

/* What a board's attempt came to (RESULT). */
typedef enum gang_ev_result {
	GANG_RESULT_NONE = 0,
	GANG_RESULT_PASS,
	GANG_RESULT_FAIL,
	GANG_RESULT_ABORTED,
	GANG_RESULT_ALREADY,   /* it passed before with this profile and image; left as it is */
} gang_ev_result;

/* "pass", "fail", "aborted", "already" ("" for none): the JSON and database spelling. */
const char *gang_ev_result_name(gang_ev_result r);

typedef struct gang_event {
	gang_event_kind kind;
	double ts;             /* UNIX time, seconds */
	const char *slot;
	const char *probe;
	const char *uid;
	const char *serial;    /* formatted serial number, "" if none yet */
	const char *step;
	uint64_t done, total;  /* PROGRESS: bytes */
	double rate_kib_s;
	int attempt;           /* 1-based */
	bool retry;            /* RESULT: this attempt failed and another one follows (not a verdict) */
	gang_ev_result result; /* RESULT */
	const char *error_class;
	const char *message;   /* operator sentence (RESULT, NOTE, SLOT_DOWN, RUN_NOTE) */
	const char *detail;    /* engineer detail */
	double elapsed_s;      /* RESULT: cycle time of the board */
	/* RUN_START / RUN_END */
	const char *profile;
	const char *batch;
	long boards_max;       /* RUN_START: the --boards target, 0 for none */
	int stop_level;        /* STOPPING: 1 finish boards in progress, 2 abort them */
	unsigned boards, passed, failed, first_pass;
	double boards_per_hour;
} gang_event;

typedef struct gang_sink gang_sink;

typedef struct gang_sink_ops {
	void (*emit)(gang_sink *s, const gang_event *ev);
	/*
	 * Operator keys (console only; may be NULL): returns 'q' (stop after the
	 * boards in progress) or 'p' (pause/resume the slot whose label it
	 * writes to slot_out), or 0 when nothing is pending. Keys the console
	 * handles itself ('r' reprints the summary) are not returned.
	 */
	int (*poll_key)(gang_sink *s, char *slot_out, size_t cap);
	void (*free)(gang_sink *s);
	/*
	 * Scanned labels (console only; may be NULL): ask the operator for the
	 * label of slot's board and wait for it (gang_run_cfg.scan's contract).
	 */
	int (*scan)(gang_sink *s, char *out, size_t cap, const char *slot, bool (*stop)(void *), void *stop_arg);
} gang_sink_ops;

struct gang_sink {
	const gang_sink_ops *ops;
};

gang_sink *gang_sink_plain_new(FILE *fp);
gang_sink *gang_sink_json_new(FILE *fp);
void gang_sink_emit(gang_sink *s, const gang_event *ev);
int gang_sink_poll_key(gang_sink *s, char *slot_out, size_t cap);
/* Whether the sink reads scans itself (the console), and reading one: GANG_ECANCELLED without. */
bool gang_sink_can_scan(const gang_sink *s);
int gang_sink_scan(gang_sink *s, char *out, size_t cap, const char *slot, bool (*stop)(void *), void *stop_arg);
void gang_sink_free(gang_sink *s);

/* Kind name used in JSON ("result", "progress", ...). */
const char *gang_event_kind_name(gang_event_kind k);
/* Write s as a JSON string literal (quotes and escapes) to fp; NULL → null. */
void gang_json_string(FILE *fp, const char *s);
double gang_now_unix(void);

#endif
