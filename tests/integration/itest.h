/*
 * itest.h — helpers for the production-run integration tests and the
 * torture driver: a private directory per test (bench state, database,
 * captured output), build/gang spawned with the virtual bench preloaded
 * (tools/sim/benches/README.md, "State directory"), database queries, and
 * the traceability invariants of docs/architecture.md "Serial numbers and
 * traceability" checked from outside gang (flash files, SQLite).
 */
#ifndef GANG_ITEST_H
#define GANG_ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ITEST_DIR_MAX 256   /* root and private directory */
#define ITEST_PATH_MAX 512  /* files below them */
#define ITEST_WHY_MAX 512
#define ITEST_MAX_ARGS 32

typedef struct itest_env {
	char root[ITEST_DIR_MAX];    /* repository root (from the binary's path) */
	char build[ITEST_DIR_MAX];   /* build directory of this binary (build, build/tsan..) */
	char gang[ITEST_PATH_MAX];   /* BUILD/gang, or $GANG_ITEST_GANG */
	char dir[ITEST_DIR_MAX];     /* private temporary directory */
	char state[ITEST_PATH_MAX];  /* bench state: DIR/state */
	char db[ITEST_PATH_MAX];     /* DIR/gang.sqlite */
	char out[ITEST_PATH_MAX];    /* stdout of the last spawn */
	char err[ITEST_PATH_MAX];    /* stderr of the last spawn */
	char in[ITEST_PATH_MAX];     /* a file as stdin of the spawns ("": inherited) */
	double realtime;             /* GANGSIM_REALTIME for spawns (0: unpaced) */
	const char *const *wrap;     /* NULL, or a command line gang runs under
					(e.g. unshare); gang's path and argv follow it */
} itest_env;

/* What a serial-carrying image looks like on a board (u32le at addr). */
typedef struct itest_layout {
	const char *image;           /* image file, absolute or relative to root */
	uint32_t serial_addr;
	uint32_t flash_size;         /* bytes of STATE/<UID>/flash.bin */
} itest_layout;

/* The demo image, its serial as u32le in the last page of an STM32F103RC (profile run-basic). */
extern const itest_layout itest_demo_layout;

/*
 * A Criterion suite of production-run tests: a fresh private environment
 * `env` before every test, removed after it.
 */
#define ITEST_SUITE(name, timeout_s)                                              \
	static itest_env env;                                                     \
	static void name##_setup(void) { cr_assert(itest_env_init(&env)); }     \
	static void name##_teardown(void) { itest_env_cleanup(&env); }           \
	TestSuite(name, .init = name##_setup, .fini = name##_teardown, .timeout = timeout_s)

/* Make a fresh private directory; false (and a message on stderr) on failure. */
bool itest_env_init(itest_env *e);
/* Remove the private directory and everything in it. */
void itest_env_cleanup(itest_env *e);
/* out = root/rel. */
void itest_path(char *out, size_t cap, const itest_env *e, const char *rel);

/*
 * Start build/gang with argv (NULL-terminated, argv[0] is the subcommand)
 * on the bench file bench (relative to root), stdout/stderr to e->out/e->err
 * (appended: several spawns accumulate). Returns the pid or -1.
 */
pid_t itest_spawn(itest_env *e, const char *bench, const char *const *argv);
/*
 * Wait for pid at most timeout_s: its exit status (0..255), 128 + signal
 * when killed, or -1 on timeout (the child is then killed with SIGKILL).
 */
int itest_wait(pid_t pid, double timeout_s);
/* Spawn and wait. */
int itest_run(itest_env *e, const char *bench, const char *const *argv, double timeout_s);
/*
 * `gang run PROFILE --boards BOARDS --db DB --plain --batch BATCH [EXTRA]`
 * on bench, profile relative to the root; extra (one flag) may be NULL.
 */
int itest_run_profile(itest_env *e, const char *bench, const char *profile, const char *boards, const char *batch,
		      const char *extra, double timeout_s);

/* Count of lines of path containing needle (-1 when unreadable). */
int itest_count(const char *path, const char *needle);
/* Wait until path has at least n lines containing needle; false on timeout. */
bool itest_wait_for(const char *path, const char *needle, int n, double timeout_s);
/* Whole file into a malloc'd NUL-terminated string (NULL on failure). */
char *itest_slurp(const char *path, size_t *len_out);
/* Write text to DIR/name; returns the path in out. */
bool itest_write(char *out, size_t cap, const itest_env *e, const char *name, const char *text);

/* First column of the first row of sql as an integer (-1 when no row / error). */
int64_t itest_db_int(const itest_env *e, const char *sql);
/* First column of the first row as text into out ("" when none); false on error. */
bool itest_db_text(char *out, size_t cap, const itest_env *e, const char *sql);

/*
 * Board uid's flash equals the image, with value as u32le at the layout's
 * serial address, and 0xFF everywhere else. False with the first
 * difference in why.
 */
bool itest_flash_ok(const itest_env *e, const itest_layout *l, const char *uid, uint32_t value, char *why,
		    size_t cap);

/*
 * The traceability invariants after a (possibly killed and restarted) run:
 * integrity_check ok; no serial bound to two UIDs, no UID with two values
 * (one the engineer voided excepted) and no UID with two live serials;
 * every pass on a board whose flash matches image + its serial; every
 * attempt closed; every burned serial backed by a pass. False with
 * the first violation in why.
 */
bool itest_invariants(const itest_env *e, const itest_layout *l, char *why, size_t cap);

/*
 * Every attempt that was interrupted (aborted) after its serial was
 * reserved is followed by a pass of the same UID with the same serial.
 */
bool itest_aborted_redone(const itest_env *e, char *why, size_t cap);

/*
 * Crash and restart: spawn gang with argv on bench, SIGKILL it after
 * kill_after_s (it may have ended by itself), then run the same command
 * again to its end. Returns the second run's exit status (-1: timeout or
 * spawn failure).
 */
int itest_kill_cycle(itest_env *e, const char *bench, const char *const *argv, double kill_after_s,
		     double timeout_s);

/*
 * line is exactly one valid JSON object (RFC 8259, nothing after it). With
 * key: also true only if the object has that top-level member; its value
 * goes to out (a string without its quotes, escapes as written; anything
 * else as written).
 */
bool itest_json_object(const char *line, const char *key, char *out, size_t cap);

#endif
