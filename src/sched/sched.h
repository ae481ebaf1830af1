/*
 * sched.h — the production run: one worker thread per ST-Link slot, each
 * looping wait-for-board → run profile → show result → wait-for-removal on
 * its own, so a slow, failing or unplugged slot never stalls the others.
 * Shared state (the run's counters, stop level and sync barrier) lives in
 * one struct behind one mutex; everything else is owned by its slot thread.
 */
#ifndef GANG_SCHED_SCHED_H
#define GANG_SCHED_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/err.h"
#include "core/log.h"
#include "sched/events.h"

struct gang_profile;
struct gang_image;
struct gang_db;
struct gang_serial_lease;

typedef struct gang_run_cfg {
	const struct gang_profile *profile;
	const struct gang_image *image;
	const char *profile_path;
	struct gang_db *db;          /* main connection (recovered); workers open their own from it */
	const char *const *probes;   /* selectors given with --probe; NULL/0: every probe */
	size_t n_probes;
	long boards_max;             /* 0: until stopped */
	const char *batch;
	const char *operator_name;
	const char *station;
	bool sync;                   /* panel mode */
	bool rework;                 /* program boards that already passed with this profile and image */
	gang_sink *sink;
	FILE *log_fp;                /* engineer log (stderr or a file); NULL: off */
	gang_log_level log_level;
	/*
	 * Scanned labels (profile scan): the next scan for the board in slot,
	 * into out: GANG_OK, or GANG_ECANCELLED when no more scans will come or
	 * stop(stop_arg) turned true while waiting (checked a few times a
	 * second). Called from slot threads; serialises itself. NULL: no source.
	 */
	int (*scan)(void *user, char *out, size_t cap, const char *slot, bool (*stop)(void *), void *stop_arg);
	void *scan_user;
	struct gang_serial_lease *lease; /* serial.lease: the station's lease (shared by the slots); NULL: none */
} gang_run_cfg;

typedef struct gang_run_totals {
	unsigned boards;             /* boards finished (pass or fail) */
	unsigned passed;
	unsigned failed;
	unsigned aborted;
	unsigned already;            /* boards seen again after their pass, left as they were */
	unsigned first_pass;         /* passed on the first attempt */
	double seconds;
} gang_run_totals;

/*
 * Run until boards_max boards are finished or SIGINT/SIGTERM (once: finish
 * boards in progress, start no new ones; twice: abort them safely). The
 * caller must have blocked SIGINT and SIGTERM in every thread (the
 * scheduler waits for them with sigtimedwait). Errors before any board is
 * touched (database, no probe) return negative; otherwise GANG_OK.
 */
int gang_sched_run(gang_run_totals *out, const gang_run_cfg *cfg, gang_diag *d);

#endif
