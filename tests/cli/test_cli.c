/*
 * test_cli.c — the command-line conventions of build/gang, run as a real
 * process: --help/--version, `gang CMD --help`, `gang CMD -h` and
 * `gang help CMD` print exactly the text of src/cli/cli_help.h; unknown
 * commands and options exit 2 with one line on stderr naming the problem
 * and nothing on stdout; the documented exit codes happen (bench through
 * tools/gangsim); `gang check` prints the plan or names file:line:key; and
 * the man page docs/gang.1 lists every command and option of cli_help.h
 * and every operator sentence of src/core/err.c (and nothing else), with
 * the SWD-disabled case first in TROUBLESHOOTING.
 * Run from the repository root (as `make test` does).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_help.h"
#include "core/err.h"

extern char **environ;

#ifndef GANG /* overridable only to try the tests on a private build */
#define GANG "build/gang"
#endif
#define MAN "docs/gang.1"

typedef struct cli_cmd_doc {
	const char *name;
	const char *synopsis;
	const char *help;
} cli_cmd_doc;

/* The table the binary must reproduce, taken from cli_help.h itself. */
static const cli_cmd_doc cli_docs[] = {
	{ "probes", GANG_HELP_PROBES_SYN, GANG_HELP_PROBES },
	{ "flash", GANG_HELP_FLASH_SYN, GANG_HELP_FLASH },
	{ "read", GANG_HELP_READ_SYN, GANG_HELP_READ },
	{ "erase", GANG_HELP_ERASE_SYN, GANG_HELP_ERASE },
	{ "options", GANG_HELP_OPTIONS_SYN, GANG_HELP_OPTIONS },
	{ "check", GANG_HELP_CHECK_SYN, GANG_HELP_CHECK },
	{ "run", GANG_HELP_RUN_SYN, GANG_HELP_RUN },
	{ "report", GANG_HELP_REPORT_SYN, GANG_HELP_REPORT },
	{ "trace", GANG_HELP_TRACE_SYN, GANG_HELP_TRACE },
	{ "serial", GANG_HELP_SERIAL_SYN, GANG_HELP_SERIAL },
};
#define CLI_NDOCS (sizeof(cli_docs) / sizeof(cli_docs[0]))

typedef struct cli_out {
	int status; /* exit status, or 128 + signal */
	char *out;
	char *err;
} cli_out;

static char cli_tmp[64];

static void cli_setup(void)
{
	cr_assert_eq(access(GANG, X_OK), 0, "%s is missing: run 'make build/gang' first", GANG);
	snprintf(cli_tmp, sizeof(cli_tmp), "/tmp/gang-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(cli_tmp));
}

static void cli_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cli_tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(cli, .init = cli_setup, .fini = cli_teardown, .timeout = 60);

static char *cli_slurp(const char *path)
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
static cli_out cli_spawn(const char *const *argv, const char *const *extra_env)
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

static cli_out cli_gang(const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { GANG, a1, a2, a3, NULL };
	return cli_spawn(argv, NULL);
}

static void cli_free(cli_out *r)
{
	free(r->out);
	free(r->err);
}

static int cli_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A usage error: status 2, nothing on stdout, one line naming `what`. */
static void cli_expect_usage_error(cli_out *r, const char *what, const char *ctx)
{
	cr_expect_eq(r->status, GANG_EXIT_USAGE, "%s: exit %d, want 2", ctx, r->status);
	cr_expect_str_empty(r->out, "%s: stdout must stay empty, got: %s", ctx, r->out);
	cr_expect_eq(cli_lines(r->err), 1, "%s: want exactly one line on stderr, got:\n%s", ctx, r->err);
	cr_expect_not_null(strstr(r->err, what), "%s: stderr does not name '%s':\n%s", ctx, what, r->err);
}

Test(cli, top_level_help_lists_every_command_with_its_synopsis_on_stdout)
{
	cli_out r = cli_gang("--help", NULL, NULL);
	char line[256];

	cr_assert_eq(r.status, 0);
	cr_expect_str_empty(r.err);
	for (size_t i = 0; i < CLI_NDOCS; i++) {
		snprintf(line, sizeof(line), "  %-8s %s\n", cli_docs[i].name, cli_docs[i].synopsis);
		cr_expect_not_null(strstr(r.out, line), "gang --help lacks the line: %s", line);
	}
	cr_expect_not_null(strstr(r.out, GANG_HELP_EXIT_CODES), "gang --help lacks the exit codes");
	cli_free(&r);
}

Test(cli, every_command_help_option_and_help_command_print_exactly_cli_help_h)
{
	static const char *const forms[] = { "--help", "-h", "help" };

	for (size_t i = 0; i < CLI_NDOCS; i++) {
		for (size_t f = 0; f < 3; f++) {
			const char *name = cli_docs[i].name;
			cli_out r = f == 2 ? cli_gang("help", name, NULL) : cli_gang(name, forms[f], NULL);

			cr_expect_eq(r.status, 0, "gang %s %s: exit %d", name, forms[f], r.status);
			cr_expect_str_eq(r.out, cli_docs[i].help, "gang %s %s: text differs from cli_help.h", name,
					 forms[f]);
			cr_expect_str_empty(r.err, "gang %s %s wrote to stderr: %s", name, forms[f], r.err);
			cli_free(&r);
		}
	}
}

Test(cli, version_prints_one_line_with_the_version_and_exits_0)
{
	cli_out r = cli_gang("--version", NULL, NULL);

	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.out, "gang " GANG_VERSION "\n");
	cr_expect_str_empty(r.err);
	cli_free(&r);
}

Test(cli, unknown_command_exits_2_with_one_line_naming_it)
{
	cli_out r = cli_gang("frobnicate", NULL, NULL);

	cli_expect_usage_error(&r, "frobnicate", "gang frobnicate");
	cli_free(&r);
	r = cli_gang("help", "frobnicate", NULL);
	cli_expect_usage_error(&r, "frobnicate", "gang help frobnicate");
	cli_free(&r);
}

Test(cli, unknown_option_of_every_command_exits_2_with_one_line_naming_it)
{
	char ctx[64];

	for (size_t i = 0; i < CLI_NDOCS; i++) {
		const char *name = cli_docs[i].name;
		/* `options` takes its verb first; the option must still be named. */
		cli_out r = strcmp(name, "options") == 0 ? cli_gang(name, "show", "--bogus-option")
							 : cli_gang(name, "--bogus-option", NULL);

		snprintf(ctx, sizeof(ctx), "gang %s --bogus-option", name);
		cli_expect_usage_error(&r, "--bogus-option", ctx);
		cli_free(&r);
	}
}

Test(cli, no_command_prints_usage_on_stderr_and_exits_2)
{
	cli_out r = cli_gang(NULL, NULL, NULL);

	cr_expect_eq(r.status, GANG_EXIT_USAGE);
	cr_expect_str_empty(r.out);
	cr_expect_not_null(strstr(r.err, "usage: gang"));
	cli_free(&r);
}

/* ---- documented exit codes happen ------------------------------------- */

static cli_out cli_on_bench(const char *bench, const char *a1, const char *a2, const char *a3, const char *a4,
			    const char *a5, const char *a6)
{
	char state[96];
	const char *argv[] = { "tools/gangsim", "--bench", bench, "--state", state, "--", GANG, a1, a2, a3, a4,
			       a5, a6, NULL };

	snprintf(state, sizeof(state), "%s/state", cli_tmp);
	return cli_spawn(argv, NULL);
}

Test(cli, a_board_whose_firmware_disables_swd_fails_with_exit_1_when_reset_is_not_allowed)
{
	cli_out r = cli_on_bench("tests/fixtures/benches/flash-swdoff.cfg", "flash",
				 "profiles/firmware/demo-f103.hex", "--connect", "normal", NULL, NULL);

	cr_expect_eq(r.status, GANG_EXIT_FAILED, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.err, gang_strerror(GANG_ETARGET_NOSWD)), "%s", r.err);
	cli_free(&r);
}

Test(cli, the_same_board_flashes_with_exit_0_when_auto_connect_may_use_reset)
{
	cli_out r = cli_on_bench("tests/fixtures/benches/flash-swdoff.cfg", "flash",
				 "profiles/firmware/demo-f103.hex", NULL, NULL, NULL, NULL);

	cr_expect_eq(r.status, GANG_EXIT_OK, "exit %d: %s", r.status, r.err);
	cli_free(&r);
}

Test(cli, no_probe_attached_exits_3_with_the_operator_sentence)
{
	char preload[64];
	const char *env[] = { preload, NULL };
	const char *argv[] = { GANG, "flash", "profiles/firmware/demo-f103.hex", NULL };
	cli_out r;

	/* the bench library without a bench file shows no USB devices */
	snprintf(preload, sizeof(preload), "LD_PRELOAD=build/libgangsim.so");
	r = cli_spawn(argv, env);
	cr_expect_eq(r.status, GANG_EXIT_PROBE, "exit %d: %s", r.status, r.err);
	cr_expect_str_empty(r.out);
	cr_expect_not_null(strstr(r.err, gang_strerror(GANG_EPROBE_NONE)), "%s", r.err);
	cli_free(&r);
}

Test(cli, a_database_that_cannot_be_created_exits_4)
{
	char db[96];
	cli_out r;

	snprintf(db, sizeof(db), "%s/no-such-dir/gang.sqlite", cli_tmp);
	r = cli_on_bench("tools/sim/benches/default.cfg", "run", "profiles/demo-f103.cfg", "--boards", "1", "--db",
			 db);
	cr_expect_eq(r.status, GANG_EXIT_DB, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.err, "no-such-dir"), "the error should name the path: %s", r.err);
	cli_free(&r);
}

/* ---- gang check --------------------------------------------------------- */

Test(cli, check_of_the_demo_profile_prints_the_plan_and_exits_0)
{
	char db[96];
	const char *argv[] = { GANG, "check", "profiles/demo-f103.cfg", "--db", db, NULL };
	static const char *const want[] = { "profile   demo-f103", "target    STM32F103RC", "steps", "erase",
					    "mass erase", "program", "verify", "pages to erase", "bytes to program",
					    "first value 1000", "serial pool" };
	cli_out r;

	snprintf(db, sizeof(db), "%s/none.sqlite", cli_tmp);
	r = cli_spawn(argv, NULL);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_str_empty(r.err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_not_null(strstr(r.out, want[i]), "plan lacks '%s':\n%s", want[i], r.out);
	cr_expect_eq(access(db, F_OK), -1, "check must not create the database");
	cli_free(&r);
}

/* Write a profile whose line 6 is `bad_line`; expect exit 2 naming file:6:key. */
static void cli_check_broken(const char *bad_line, const char *key)
{
	char path[96], want[160];
	const char *argv[] = { GANG, "check", path, NULL };
	FILE *f;
	cli_out r;

	snprintf(path, sizeof(path), "%s/broken.cfg", cli_tmp);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "name = \"broken\";\ntarget = \"STM32F103RC\";\n"
		   "image = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		   "erase = \"mass\";\nverify = \"crc\";\n%s\n",
		getcwd(want, sizeof(want)), bad_line);
	fclose(f);
	r = cli_spawn(argv, NULL);
	snprintf(want, sizeof(want), "%s:6: %s", path, key);
	cli_expect_usage_error(&r, want, bad_line);
	cli_free(&r);
}

Test(cli, check_of_a_profile_with_a_misspelt_key_exits_2_naming_file_line_and_key)
{
	cli_check_broken("retires = 1;", "retires");
}

Test(cli, check_of_a_profile_with_a_wrong_type_exits_2_naming_file_line_and_key)
{
	cli_check_broken("retries = \"1\";", "retries");
}

Test(cli, check_of_a_missing_profile_exits_2_naming_the_file)
{
	cli_out r = cli_gang("check", "no/such/profile.cfg", NULL);

	cli_expect_usage_error(&r, "no/such/profile.cfg", "gang check no/such/profile.cfg");
	cli_free(&r);
}

/* ---- the man page agrees with cli_help.h and err.c ------------------------ */

/* The source text between `.SH <name>` and the next `.SH` (caller frees). */
static char *cli_man_section(const char *man, const char *name)
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
static char *cli_man_command(const char *cmds, const char *name)
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

Test(cli, man_page_commands_are_exactly_the_commands_of_gang_help)
{
	char *man = cli_slurp(MAN), *cmds = cli_man_section(man, "COMMANDS");
	size_t listed = 0;

	for (size_t i = 0; i < CLI_NDOCS; i++) {
		char *sub = cli_man_command(cmds, cli_docs[i].name);

		cr_expect_not_null(sub, "docs/gang.1 COMMANDS lacks '.SS %s'", cli_docs[i].name);
		free(sub);
	}
	for (const char *p = cmds; (p = strstr(p, ".SS ")); p += 4) {
		char name[32] = "";

		sscanf(p + 4, "%31s", name);
		listed++;
		cr_expect(strcmp(name, "help") == 0 || gang_cli_find(name),
			  "docs/gang.1 documents '%s', which gang does not have", name);
	}
	cr_expect_eq(listed, CLI_NDOCS + 1, "docs/gang.1 lists %zu commands, gang has %zu (+ help)", listed,
		     CLI_NDOCS);
	free(cmds);
	free(man);
}

/* `opt` occurs in `text` as a whole option: not as a prefix of a longer one. */
static bool cli_has_option(const char *text, const char *opt)
{
	for (const char *p = text; (p = strstr(p, opt)); p++) {
		const char *e = p + strlen(opt);

		if (!((e[0] >= 'a' && e[0] <= 'z') || (e[0] >= '0' && e[0] <= '9') || e[0] == '-' ||
		      (e[0] == '\\' && e[1] == '-')))
			return true;
	}
	return false;
}

/* Every "--opt" of `text` (plain) must be "\-\-opt" in `roff`, or vice versa. */
static void cli_expect_options_in(const char *from, bool from_is_roff, const char *to, const char *ctx)
{
	const char *dash = from_is_roff ? "\\-\\-" : "--";
	char opt[48], want[64];

	for (const char *p = from; (p = strstr(p, dash)); p += strlen(dash)) {
		size_t n = 0;
		const char *q = p + strlen(dash);

		while (n < 40 && (q[0] == '-' || q[0] == '\\' || (q[0] >= 'a' && q[0] <= 'z') || (q[0] >= '0' && q[0] <= '9'))) {
			if (q[0] == '\\' && q[1] == '-')
				q++;
			else if (q[0] == '\\')
				break;
			opt[n++] = *q++;
		}
		opt[n] = '\0';
		if (n == 0)
			continue;
		if (from_is_roff) {
			snprintf(want, sizeof(want), "--%s", opt);
		} else {
			snprintf(want, sizeof(want), "\\-\\-");
			for (size_t i = 0, k = 4; i < n && k + 3 < sizeof(want); i++) {
				if (opt[i] == '-')
					want[k++] = '\\';
				want[k++] = opt[i];
				want[k] = '\0';
			}
		}
		cr_expect(cli_has_option(to, want), "%s: '%s' is missing", ctx, want);
	}
}

Test(cli, man_page_documents_every_option_of_each_command_and_no_other)
{
	char *man = cli_slurp(MAN), *cmds = cli_man_section(man, "COMMANDS");
	char ctx[96];

	for (size_t i = 0; i < CLI_NDOCS; i++) {
		char *sub = cli_man_command(cmds, cli_docs[i].name);

		cr_assert_not_null(sub, "docs/gang.1 lacks '.SS %s'", cli_docs[i].name);
		snprintf(ctx, sizeof(ctx), "docs/gang.1 .SS %s vs cli_help.h", cli_docs[i].name);
		cli_expect_options_in(cli_docs[i].help, false, sub, ctx);
		snprintf(ctx, sizeof(ctx), "cli_help.h vs docs/gang.1 .SS %s", cli_docs[i].name);
		cli_expect_options_in(sub, true, cli_docs[i].help, ctx);
		free(sub);
	}
	free(cmds);
	free(man);
}

Test(cli, man_page_exit_status_matches_the_documented_codes)
{
	static const char *const meaning[] = { "ok", "failed", "usage", "probe", "database", "internal" };
	char *man = cli_slurp(MAN), *sec = cli_man_section(man, "EXIT STATUS");
	char tag[64], *body;
	const char *p = sec, *next;

	for (int code = 0; code <= GANG_EXIT_INTERNAL; code++) {
		snprintf(tag, sizeof(tag), ".TP\n.B %d\n", code);
		p = strstr(p, tag);
		cr_assert_not_null(p, "EXIT STATUS lacks code %d (in order)", code);
		p += strlen(tag);
		next = strstr(p, ".TP");
		body = strndup(p, next ? (size_t)(next - p) : strlen(p));
		cr_expect_not_null(strstr(body, meaning[code]), "EXIT STATUS %d should say '%s'", code, meaning[code]);
		free(body);
		snprintf(tag, sizeof(tag), "%d %s", code, code == 1 ? "board" : meaning[code]);
		cr_expect_not_null(strstr(GANG_HELP_EXIT_CODES, tag), "cli_help.h exit codes lack '%s'", tag);
	}
	cr_expect_null(strstr(p, ".TP\n.B 6"), "EXIT STATUS documents a code gang does not use");
	free(sec);
	free(man);
}

/* The man page rendered on one very long line per paragraph, spaces squeezed. */
static char *cli_man_rendered(void)
{
	FILE *f = popen("groff -mandoc -Tutf8 -rLL=4000n -rHY=0 -P-cbou " MAN " 2>&1", "r");
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	int c, prev = ' ';

	cr_assert_not_null(f, "cannot run groff");
	cr_assert_not_null(buf);
	while ((c = fgetc(f)) != EOF && n + 1 < cap) {
		if (c == '\n' || c == '\t')
			c = ' ';
		if (c != ' ' || prev != ' ')
			buf[n++] = (char)c;
		prev = c;
	}
	buf[n] = '\0';
	cr_assert_eq(pclose(f), 0, "groff failed (is groff installed?)");
	return buf;
}

Test(cli, man_page_troubleshooting_has_every_operator_sentence_swd_disabled_first)
{
	static const int codes[] = { GANG_ERR, GANG_ENOMEM, GANG_EUSAGE, GANG_EFILE, GANG_EIMAGE, GANG_EPROFILE,
				     GANG_EPROBE_NONE, GANG_EPROBE_BUSY, GANG_EPROBE_ACCESS, GANG_EPROBE_GONE,
				     GANG_EPROBE_TIMEOUT, GANG_EPROBE_FIRMWARE, GANG_EPROBE_PROTOCOL, GANG_ENO_BOARD,
				     GANG_ETARGET_NOSWD, GANG_ETARGET_NOHALT, GANG_ENRST_UNWIRED, GANG_ETARGET_FAULT,
				     GANG_EWRONG_PART, GANG_EREAD_PROTECTED, GANG_EWRITE_PROTECTED, GANG_EFLASH,
				     GANG_EVERIFY, GANG_ELOCKED_FOREVER, GANG_ESERIAL_EXHAUSTED, GANG_EDB,
				     GANG_ECANCELLED, GANG_ENOTSUP, GANG_ESERIAL_TAKEN, GANG_ESERIAL_VOIDED };
	char *text = cli_man_rendered();
	char *trouble = strstr(text, "TROUBLESHOOTING The operator's sentences");
	char *man = cli_slurp(MAN), *sec = cli_man_section(man, "TROUBLESHOOTING");
	const char *first = strstr(sec, ".TP\n.B ");

	cr_assert_not_null(trouble, "rendered page lacks the TROUBLESHOOTING section");
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		cr_expect_not_null(strstr(trouble, gang_strerror(codes[i])), "TROUBLESHOOTING lacks: %s",
				   gang_strerror(codes[i]));
	cr_expect_not_null(strstr(trouble, "SWD disabled by firmware — recovered under reset"));
	cr_assert_not_null(first);
	cr_expect_eq(strncmp(first + 7, "the chip does not answer on SWD", 31), 0,
		     "the SWD-disabled case must come first");
	free(sec);
	free(man);
	free(text);
}

Test(cli, man_page_renders_without_any_groff_warning)
{
	FILE *f = popen("groff -ww -mandoc -Tutf8 " MAN " 2>&1 >/dev/null", "r");
	char line[512];
	int lines = 0;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		cr_log_error("groff: %s", line);
		lines++;
	}
	cr_expect_eq(pclose(f), 0, "groff failed (is groff installed?)");
	cr_expect_eq(lines, 0, "groff -ww printed %d warning line(s)", lines);
}
