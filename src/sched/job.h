/*
 * job.h — one board through the profile's plan, as one recorded attempt:
 * connect → identify → serial → (checksum) → (unprotect) → erase+program →
 * verify → option bytes → pass and release, with the profile's own steps
 * where their `after` puts them. Every step is timed, recorded in the database and
 * announced as events; the first failure ends the attempt with the
 * operator's sentence. The serial is reserved for the board's UID before
 * programming and burned only when the attempt passes (after verify).
 */
#ifndef GANG_SCHED_JOB_H
#define GANG_SCHED_JOB_H

#include <stdbool.h>

#include "db/db.h"
#include "sched/sched_internal.h"
#include "stlink/stlink.h"

typedef struct job_outcome {
	int err;                   /* GANG_OK on pass (and on a board seen again) */
	gang_attempt_result result;
	bool already;              /* passed before with this profile and image: left as it is */
	char uid[25];              /* "" if the board was never identified */
	char serial[96];           /* serial text, "" if none */
	bool retryable;            /* a further attempt on the same board may pass */
	bool probe_lost;           /* the probe failed: the slot must reopen it */
	char what[200];            /* what happened, without advice (for a retry note) */
	char sentence[256];        /* the operator's line: what happened and what to do */
	char detail[GANG_DIAG_LEN]; /* the engineer's detail */
} job_outcome;

/*
 * Run one attempt (attempt is 1-based) on the board in the slot's fixture
 * through the slot's probe *sl (a step that releases the probe closes it
 * and opens it again: *sl is then the new handle, NULL if it did not come
 * back, with the outcome's probe_lost set);
 * the attempt row is closed before returning, and a passed board is
 * released into its firmware only after its pass is committed. The caller
 * announces the board's result (after its last attempt). A board that
 * passed before with the same profile and image comes back with already
 * set and nothing but the sighting recorded (unless the run reworks).
 */
void job_attempt(job_outcome *out, sched_slot *s, gang_db *db, gang_stlink **sl, int attempt);

#endif
