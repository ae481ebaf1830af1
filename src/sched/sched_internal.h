/*
 * sched_internal.h — run and slot structures shared by sched.c (threads,
 * budget, signals, hot-plug) and job.c (one board through the profile).
 */
#ifndef GANG_SCHED_SCHED_INTERNAL_H
#define GANG_SCHED_SCHED_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "sched/sched.h"
#include "usb/usb.h"

#define SCHED_MAX_SLOTS 64

typedef enum sched_stop {
	SCHED_RUN = 0,
	SCHED_DRAIN = 1,   /* no new boards; finish the ones in progress */
	SCHED_ABORT = 2,   /* abort boards in progress at the next safe point */
} sched_stop;

typedef struct sched_run sched_run;

typedef struct sched_slot {
	sched_run *run;
	char label[32];
	gang_probe_id id;        /* probe identity at discovery */
	char selector[40];       /* what the slot opens: serial, or port path for clones */
	pthread_t thread;
	bool started;
	bool finished;           /* thread has left its loop (guarded by run->mu) */
	bool paused;             /* operator paused this slot: no new board (guarded by run->mu) */
	char uid_held[25];       /* UID of the board in the fixture, "" none (guarded by run->mu) */
	/* owned by the slot thread */
	gang_diag diag;
	gang_log log;
	char last_uid[32];       /* UID of the board last finished in this slot */
} sched_slot;

struct sched_run {
	const gang_run_cfg *cfg;
	gang_usb *usb;
	pthread_mutex_t mu;      /* guards everything below */
	pthread_cond_t cv;
	sched_stop stop;
	long claimed;            /* boards started (budget for --boards) */
	gang_run_totals totals;
	unsigned sync_waiting;   /* --sync: slots holding a board, waiting */
	unsigned sync_gen;
	sched_slot *slots[SCHED_MAX_SLOTS];
	size_t n_slots;
	double t_start;
	gang_diag stop_diag;     /* first failure that stopped a slot: database, probe (code 0: none) */
	bool pool_exhausted;     /* a pool ran dry, or the scans ended: no slot starts another board */
	int dry_err;             /* why: GANG_ESERIAL_EXHAUSTED, GANG_EPOOL_DRY, GANG_ECANCELLED (scans ended) */
	char dry_msg[160];       /* the sentence each slot stops with */
	bool limit_reported;     /* "N ST-Links attached; at most 64" said once (main thread only) */
};

/* Stop level now (locks run->mu). */
sched_stop sched_stop_level(sched_run *run);
/* No new boards from now on (as one q or Ctrl-C), e.g. the scan input ended; announced once. */
void sched_drain(sched_run *run);
/* Claim one board of the --boards budget; false when the run is ending. */
bool sched_claim_board(sched_run *run);
/* A board's outcome: the attempt results, and a board seen again after its pass. */
typedef enum sched_board_result {
	SCHED_BOARD_PASS = GANG_ATTEMPT_PASS,
	SCHED_BOARD_FAIL = GANG_ATTEMPT_FAIL,
	SCHED_BOARD_ABORTED = GANG_ATTEMPT_ABORTED,
	SCHED_BOARD_ALREADY,
} sched_board_result;

/*
 * Record a board's outcome. An aborted board was not finished (probe lost,
 * board pulled early, stop) and a board seen again was left as it was, so
 * neither counts against --boards.
 */
void sched_board_done(sched_run *run, sched_board_result result, int attempts);
/* --sync: wait until every live slot holds a board (or the run stops). */
bool sched_sync_wait(sched_run *run);
void sched_emit(sched_slot *s, gang_event *ev);
/*
 * The board with uid sits in slot s from now until it is taken out
 * (sched_uid_drop). False when another slot holds a board with the same
 * UID (its label in other_out): two chips with one ID are not genuine.
 */
bool sched_uid_hold(sched_slot *s, const char *uid, char *other_out, size_t cap);
void sched_uid_drop(sched_slot *s);
/*
 * A pool is dry (or the scan input ended, err GANG_ECANCELLED): slots stop
 * before their next board, each saying msg; the first reason stays.
 */
void sched_set_pool_exhausted(sched_run *run, int err, const char *msg);
/* Whether slots must stop; msg (may be NULL) and *err_out (may be NULL) get the reason. */
bool sched_pool_exhausted(sched_run *run, char *msg, size_t cap, int *err_out);

/* The slot thread body (job.c). */
void *sched_slot_main(void *arg);

#endif
