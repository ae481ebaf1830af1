/*
 * job_internal.h — one attempt's state, shared by job.c (the plan's
 * runner and the built-in steps) and job_own.c (the profile's own steps:
 * commands and memory checks, the checksum, the skip of a board that
 * already holds the image).
 */
#ifndef GANG_SCHED_JOB_INTERNAL_H
#define GANG_SCHED_JOB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/exec.h"
#include "db/db.h"
#include "flash/ob.h"
#include "image/image.h"
#include "profile/profile.h"
#include "sched/events.h"
#include "sched/sched_internal.h"
#include "stlink/stlink.h"
#include "target/target.h"

#define JOB_SKIPPED 1            /* a step that had nothing to do, or found it done */
#define JOB_DETAIL_MAX (GANG_DIAG_LEN + GANG_EXEC_OUT_MAX + 128U)

typedef struct job {
	sched_slot *s;
	const gang_run_cfg *cfg;
	const gang_profile *p;
	gang_db *db;
	gang_stlink *sl;          /* the slot's probe (*slp), NULL while a step has released it */
	gang_stlink **slp;        /* the slot's handle, updated when the probe is reopened */
	gang_target *t;           /* NULL while the board runs its firmware for a step, and once released */
	gang_diag *d;
	gang_attempt_key key;     /* the attempt's key in the database */
	int attempt;
	char uid[25];
	char serial_text[96];
	char ob_hex[2 * GANG_OB_RAW_LEN + 1]; /* option bytes as read on connect, "" unreadable */
	gang_board_pass seen;     /* the board's earlier pass with this profile and image */
	gang_image *img;          /* per-board copy with the serial (and checksum) patched in */
	bool unprotected;         /* the unprotect step mass-erased the chip */
	const gang_plan_step *step; /* the step running */
	double step_t0;           /* when it started (gang_now_unix) */
	char what[200];           /* a failed own step: the operator's "what happened" */
	bool detail_on_fail;      /* a failed step's row takes detail, not the diag's message */
	char detail[JOB_DETAIL_MAX]; /* what a step did, for the steps table */
	/* progress throttle */
	const char *pstep;
	double p_t0, p_last;
} job;

void job_event(job *j, gang_event_kind kind, gang_event *ev);
void job_note(job *j, const char *message, const char *detail);
/* The image this board gets: the per-board copy once there is one. */
const gang_image *job_image(const job *j);
/* The operator stopped the run (abort level): steps end at their next check. */
bool job_should_stop(void *j);
/*
 * What the target's long flash operations poll (gang_connect_opts): the
 * operator's stop, or a built-in step past its own deadline.
 */
bool job_target_should_stop(void *j);

/* The profile's own steps and the helpers of the built-in ones (job_own.c). */
int job_exec(job *j);
int job_memcheck(job *j);
int job_checksum(job *j);
/* Let the firmware run from reset for a "running" step (the probe stays open). */
int job_let_run(job *j);
/* Attach again after a "running" step; GANG_ESTEP when another board sits there now. */
int job_reattach(job *j);
/* Close the probe for a "released" step (the firmware runs); GANG_OK or a probe error. */
int job_probe_release(job *j);
/* Open the probe again after a "released" step and, before the pass, re-attach (same UID). */
int job_probe_take(job *j, bool reattach);
/* The board's scanned label, checked and bound to its UID (job_scan.c). */
int job_scan(job *j);
/* The data items into the per-board image (job_data.c); JOB_SKIPPED without any. */
int job_data(job *j);
/*
 * err from a data pool or a label scan: with a serial lease and the
 * central database out of reach, GANG_EOFFLINE_DATA naming what (the
 * lease keeps serials going, nothing else); otherwise err as it is.
 */
int job_data_offline(job *j, int err, const char *what);
/* A failure at an address inside a secret data item: its message keeps no byte of the value. */
void job_data_redact(job *j);
/* The board holds the image already (program.skip_if_same): JOB_SKIPPED, else GANG_OK. */
int job_same(job *j);

#endif
