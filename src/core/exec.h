/*
 * exec.h — run a line's own command for one board: `/bin/sh -c CMD` in a
 * process group of its own, with no signal blocked and every disposition
 * at its default (gang's threads block SIGINT/SIGTERM and a child would
 * inherit that), stdin from /dev/null, stdout and stderr captured
 * together into a bounded buffer (the last GANG_EXEC_OUT_MAX bytes), and
 * nothing else of gang's open files. A time-out or a stop ends the whole
 * group: SIGTERM, then SIGKILL after the grace period, so neither a
 * grandchild nor a process that ignores SIGTERM outlives the step.
 *
 * Threading: reentrant; the caller's thread waits for the command.
 */
#ifndef GANG_CORE_EXEC_H
#define GANG_CORE_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define GANG_EXEC_OUT_MAX 4096U      /* bytes of output kept: the last ones */
#define GANG_EXEC_GRACE_MS 2000U     /* SIGTERM to SIGKILL */

/* True when the command must be stopped (the operator stopped the run). */
typedef bool (*gang_exec_stop_fn)(void *user);

typedef struct gang_exec_opts {
	const char *cmd;             /* the shell command line */
	const char *dir;             /* working directory; NULL: gang's */
	const char *const *env;      /* "NAME=value" entries set on top of gang's environment, NULL-terminated */
	uint32_t timeout_ms;         /* 0: none */
	uint32_t grace_ms;           /* 0: GANG_EXEC_GRACE_MS */
	gang_exec_stop_fn should_stop; /* polled while the command runs; may be NULL */
	void *user;
} gang_exec_opts;

typedef enum gang_exec_end {
	GANG_EXEC_EXITED = 0,        /* status is the exit status */
	GANG_EXEC_SIGNALED,          /* status is the signal that ended it */
	GANG_EXEC_TIMEOUT,           /* the time-out ended the group */
	GANG_EXEC_STOPPED,           /* should_stop ended the group */
} gang_exec_end;

typedef struct gang_exec_result {
	gang_exec_end end;
	int status;
	double seconds;              /* how long it ran */
	bool truncated;              /* more output than kept */
	size_t out_len;
	char out[GANG_EXEC_OUT_MAX + 1]; /* the output's last bytes, control characters but \n and \t as '?' */
} gang_exec_result;

/*
 * Run o->cmd to its end (or its time-out or stop) into *out. GANG_OK when
 * it ran, whatever its exit status; GANG_ERR (d names the call) when it
 * could not be started (no pipe, no process).
 */
int gang_exec_run(gang_exec_result *out, const gang_exec_opts *o, gang_diag *d);

#endif
