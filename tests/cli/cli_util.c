/*
 * cli_util.c — running build/gang as a real process for the tests of
 * tests/cli, and reading docs/gang.1 by section.
 */
#include "cli_util.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

extern char **environ;

char cli_tmp[64];

char *cli_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Environment of the child: ours without the bench's variables, plus extra. */
static char **cli_env(const char *const *extra)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 8, sizeof(*env));
	cr_assert_not_null(env);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "GANGSIM_", 8) != 0 && strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			env[k++] = environ[i];
	for (size_t i = 0; extra && extra[i] && i < 7; i++)
		env[k++] = (char *)extra[i];
	return env;
}

/* Run argv (NULL-terminated) with stdout and stderr captured in files. */
cli_out cli_spawn(const char *const *argv, const char *const *extra_env)
{
	char op[96], ep[96];
	posix_spawn_file_actions_t fa;
	char **env = cli_env(extra_env);
	cli_out r = { 0 };
	pid_t pid;
	int ws;

	snprintf(op, sizeof(op), "%s/stdout", cli_tmp);
	snprintf(ep, sizeof(ep), "%s/stderr", cli_tmp);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, op, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, ep, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, (char **)argv, env), 0, "cannot start %s", argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	r.out = cli_slurp(op);
	r.err = cli_slurp(ep);
	return r;
}

cli_out cli_gang(const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { GANG, a1, a2, a3, NULL };
	return cli_spawn(argv, NULL);
}

void cli_free(cli_out *r)
{
	free(r->out);
	free(r->err);
}

int cli_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A usage error: status 2, nothing on stdout, one line naming `what`. */
void cli_expect_usage_error(cli_out *r, const char *what, const char *ctx)
{
	cr_expect_eq(r->status, GANG_EXIT_USAGE, "%s: exit %d, want 2", ctx, r->status);
	cr_expect_str_empty(r->out, "%s: stdout must stay empty, got: %s", ctx, r->out);
	cr_expect_eq(cli_lines(r->err), 1, "%s: want exactly one line on stderr, got:\n%s", ctx, r->err);
	cr_expect_not_null(strstr(r->err, what), "%s: stderr does not name '%s':\n%s", ctx, what, r->err);
}

cli_out cli_on_bench(const char *bench, const char *a1, const char *a2, const char *a3, const char *a4,
		     const char *a5, const char *a6)
{
	char state[96];
	const char *argv[] = { "tools/gangsim", "--bench", bench, "--state", state, "--", GANG, a1, a2, a3, a4,
			       a5, a6, NULL };

	snprintf(state, sizeof(state), "%s/state", cli_tmp);
	return cli_spawn(argv, NULL);
}

/* The source text between `.SH <name>` and the next `.SH` (caller frees). */
char *cli_man_section(const char *man, const char *name)
{
	char head[64];
	const char *s, *e;

	snprintf(head, sizeof(head), "\n.SH %s\n", name);
	s = strstr(man, head);
	cr_assert_not_null(s, "docs/gang.1 has no section %s", name);
	s += strlen(head);
	e = strstr(s, "\n.SH ");
	return strndup(s, e ? (size_t)(e - s + 1) : strlen(s));
}

/* The `.SS name` subsection of the COMMANDS section, or NULL. */
char *cli_man_command(const char *cmds, const char *name)
{
	char head[64];
	const char *s, *e;

	snprintf(head, sizeof(head), ".SS %s\n", name);
	s = strstr(cmds, head);
	if (!s || (s != cmds && s[-1] != '\n'))
		return NULL;
	s += strlen(head);
	e = strstr(s, "\n.SS ");
	return strndup(s, e ? (size_t)(e - s + 1) : strlen(s));
}

void cli_setup(void)
{
	cr_assert_eq(access(GANG, X_OK), 0, "%s is missing: run 'make build/gang' first", GANG);
	snprintf(cli_tmp, sizeof(cli_tmp), "/tmp/gang-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(cli_tmp));
}

void cli_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cli_tmp);
	cr_expect_eq(system(cmd), 0);
}
