/*
 * cli_util.h — what the tests of tests/cli share: build/gang run as a real
 * process (optionally on a virtual bench through tools/gangsim) with its
 * exit status, stdout and stderr captured, and the man page's sections.
 * Run from the repository root (as `make test` does).
 */
#ifndef GANG_TESTS_CLI_UTIL_H
#define GANG_TESTS_CLI_UTIL_H

#include <stdbool.h>

#ifndef GANG /* overridable only to try the tests on a private build */
#define GANG "build/gang"
#endif
#define MAN "docs/gang.1"

typedef struct cli_out {
	int status; /* exit status, or 128 + signal */
	char *out;
	char *err;
} cli_out;

/* The test's scratch directory (made by cli_setup, removed by cli_teardown). */
extern char cli_tmp[64];

void cli_setup(void);
void cli_teardown(void);

/* The whole file (caller frees); the test fails if it cannot be read. */
char *cli_slurp(const char *path);
/* Run argv (NULL-terminated) with stdout and stderr captured; extra_env adds variables. */
cli_out cli_spawn(const char *const *argv, const char *const *extra_env);
/* build/gang with up to three arguments (NULL ends them). */
cli_out cli_gang(const char *a1, const char *a2, const char *a3);
/* build/gang on the bench file `bench` (state in cli_tmp/state), up to six arguments. */
cli_out cli_on_bench(const char *bench, const char *a1, const char *a2, const char *a3, const char *a4,
		     const char *a5, const char *a6);
void cli_free(cli_out *r);
/* Number of newlines in s. */
int cli_lines(const char *s);
/* A usage error: status 2, nothing on stdout, one line naming `what`. */
void cli_expect_usage_error(cli_out *r, const char *what, const char *ctx);

/* The source text between `.SH <name>` and the next `.SH` (caller frees). */
char *cli_man_section(const char *man, const char *name);
/* The `.SS name` subsection of the COMMANDS section, or NULL (caller frees). */
char *cli_man_command(const char *cmds, const char *name);

#endif
