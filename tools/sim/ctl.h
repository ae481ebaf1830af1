/*
 * ctl.h — the bench's control channel for a person at the bench
 * (`tools/gangsim ctl --state DIR FIXTURE insert|remove|swap|status`):
 * insert, remove or swap the board of one virtual fixture while any
 * process (gang, st-flash, OpenOCD) has the bench loaded. A command
 * rewrites the fixture file of the state directory under its lock
 * (fixture.h); every process sees the change at its next USB transfer
 * on that probe.
 *
 * Fixtures are named "S<n>" (n-th probe of the bench file, from 1), by the
 * probe's serial (24 hex digits) or, for clones sharing a serial, by the
 * key naming their state files ("<serial>-2").
 */
#ifndef GANGSIM_CTL_H
#define GANGSIM_CTL_H

#include <stddef.h>
#include <stdio.h>

#include "bench.h"

typedef enum sim_ctl_op {
	SIM_CTL_STATUS = 0,
	SIM_CTL_INSERT,
	SIM_CTL_REMOVE,
	SIM_CTL_SWAP,
} sim_ctl_op;

/* Exit statuses of a ctl command. */
#define SIM_CTL_OK       0
#define SIM_CTL_REFUSED  1   /* the bench is not in a state that allows it (board present, none left) */
#define SIM_CTL_USAGE    2   /* bad arguments, unknown fixture, unreadable bench or state */

/* Index of the fixture called name; -1 with a sentence in err. */
int sim_ctl_find(size_t *out, const sim_bench *b, const char *name, char *err, size_t errlen);

/*
 * Insert, remove or swap the board of fixture i; SIM_CTL_OK with what was
 * done in msg, otherwise the status with the reason in msg. Nothing is
 * written when the command is refused.
 */
int sim_ctl_apply(char *msg, size_t msglen, const sim_bench *b, const char *state_dir, size_t i,
		  sim_ctl_op op);

/* One line per fixture (all when only >= n_probes): name, serial, model, board or empty. */
void sim_ctl_status(FILE *out, const sim_bench *b, const char *state_dir, size_t only);

/*
 * A whole command: words "status", "FIXTURE status|insert|remove|swap".
 * Results go to out, errors (one line, "gangsim ctl: ...") to errf.
 */
int sim_ctl_main(const sim_bench *b, const char *state_dir, int argc, char *const argv[],
		 FILE *out, FILE *errf);

/*
 * The library's ctl mode (GANGSIM_CTL="words", GANGSIM_STATE, and
 * GANGSIM_BENCH or the bench recorded in the state directory): returns the
 * exit status.
 */
int sim_ctl_env_main(void);

/* Record bench_path in state_dir for later ctl commands (best effort). */
void sim_ctl_record_bench(const char *state_dir, const char *bench_path);

#endif
