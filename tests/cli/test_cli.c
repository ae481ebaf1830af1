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
 * The commands are those of the binary's own table (gang_cli_at), so a new
 * command is covered without touching this file.
 * Run from the repository root (as `make test` does).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_help.h"
#include "cli_util.h"
#include "core/err.h"
#include "db/db.h"
#include "serial/serial_alloc.h"

TestSuite(cli, .init = cli_setup, .fini = cli_teardown, .timeout = 60);

Test(cli, top_level_help_lists_every_command_with_its_synopsis_on_stdout)
{
	cli_out r = cli_gang("--help", NULL, NULL);
	char line[256];

	cr_assert_eq(r.status, 0);
	cr_expect_str_empty(r.err);
	for (size_t i = 0; i < gang_cli_count(); i++) {
		snprintf(line, sizeof(line), "  %-8s %s\n", gang_cli_at(i)->name, gang_cli_at(i)->synopsis);
		cr_expect_not_null(strstr(r.out, line), "gang --help lacks the line: %s", line);
	}
	cr_expect_not_null(strstr(r.out, GANG_HELP_EXIT_CODES), "gang --help lacks the exit codes");
	cli_free(&r);
}

Test(cli, every_command_help_option_and_help_command_print_exactly_cli_help_h)
{
	static const char *const forms[] = { "--help", "-h", "help" };

	for (size_t i = 0; i < gang_cli_count(); i++) {
		for (size_t f = 0; f < 3; f++) {
			const char *name = gang_cli_at(i)->name;
			cli_out r = f == 2 ? cli_gang("help", name, NULL) : cli_gang(name, forms[f], NULL);

			cr_expect_eq(r.status, 0, "gang %s %s: exit %d", name, forms[f], r.status);
			cr_expect_str_eq(r.out, gang_cli_at(i)->help, "gang %s %s: text differs from cli_help.h", name,
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

	for (size_t i = 0; i < gang_cli_count(); i++) {
		const char *name = gang_cli_at(i)->name;
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

/*
 * A PostgreSQL URI without the PostgreSQL backend (not in this build: no
 * libpq-dev, or WITH_PG=no) is a database that cannot be used: exit 4 with
 * a sentence naming what is missing, and the URI's password kept out of it.
 */
/*
 * Without the PostgreSQL backend a URI is refused naming libpq-dev; with it, a server that cannot be
 * reached is refused the same way (exit 4), naming the database. The password is never shown.
 */
#ifdef GANG_WITH_PG
#define CLI_PG_WHY "cannot connect to database postgres"
#define CLI_PG_CHECK "cannot connect to database"
#else
#define CLI_PG_WHY "built without its PostgreSQL backend, which needs libpq-dev"
#define CLI_PG_CHECK "libpq-dev"
#endif

Test(cli, a_postgresql_database_that_cannot_be_used_exits_4_hiding_the_password)
{
	static const char *const uris[] = { "postgresql://amelie:s3cret@db.line2/gang", "postgres://db.line2/gang" };
	cli_out r;

	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		r = cli_on_bench("tools/sim/benches/default.cfg", "run", "profiles/demo-f103.cfg", "--boards", "1",
				 "--db", uris[i]);
		cr_expect_eq(r.status, GANG_EXIT_DB, "exit %d: %s", r.status, r.err);
		cr_expect_not_null(strstr(r.err, CLI_PG_WHY), "%s", r.err);
		cr_expect_null(strstr(r.err, "s3cret"), "the password must not be shown: %s", r.err);
		cr_expect_not_null(strstr(r.err, "db.line2/gang"), "the database is named: %s", r.err);
		cli_free(&r);
	}
	r = cli_gang("report", "--db", uris[0]);
	cr_expect_eq(r.status, GANG_EXIT_DB, "report: exit %d: %s", r.status, r.err);
	cli_free(&r);
	/* check reports the database on its serial line instead of failing, as for a broken file */
	r = cli_on_bench("tools/sim/benches/default.cfg", "check", "profiles/demo-f103.cfg", "--db", uris[0], NULL, NULL);
	cr_expect_eq(r.status, GANG_EXIT_OK, "check: exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.out, CLI_PG_CHECK), "check names what is wrong: %s", r.out);
	cr_expect_null(strstr(r.out, "s3cret"), "the password must not be shown: %s", r.out);
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

Test(cli, man_page_commands_are_exactly_the_commands_of_gang_help)
{
	char *man = cli_slurp(MAN), *cmds = cli_man_section(man, "COMMANDS");
	size_t listed = 0;

	for (size_t i = 0; i < gang_cli_count(); i++) {
		char *sub = cli_man_command(cmds, gang_cli_at(i)->name);

		cr_expect_not_null(sub, "docs/gang.1 COMMANDS lacks '.SS %s'", gang_cli_at(i)->name);
		free(sub);
	}
	for (const char *p = cmds; (p = strstr(p, ".SS ")); p += 4) {
		char name[32] = "";

		sscanf(p + 4, "%31s", name);
		listed++;
		cr_expect(gang_cli_find(name) != NULL, "docs/gang.1 documents '%s', which gang does not have", name);
	}
	cr_expect_eq(listed, gang_cli_count(), "docs/gang.1 lists %zu commands, gang has %zu", listed,
		     gang_cli_count());
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

	for (size_t i = 0; i < gang_cli_count(); i++) {
		const gang_cli_cmd *cmd = gang_cli_at(i);
		char *sub = cli_man_command(cmds, cmd->name);

		cr_assert_not_null(sub, "docs/gang.1 lacks '.SS %s'", cmd->name);
		snprintf(ctx, sizeof(ctx), "docs/gang.1 .SS %s vs cli_help.h", cmd->name);
		cli_expect_options_in(cmd->help, false, sub, ctx);
		snprintf(ctx, sizeof(ctx), "cli_help.h vs docs/gang.1 .SS %s", cmd->name);
		cli_expect_options_in(sub, true, cmd->help, ctx);
		free(sub);
	}
	free(cmds);
	free(man);
}

Test(cli, man_page_exit_status_matches_the_documented_codes)
{
	static const char *const meaning[] = { "ok", "failed", "usage", "probe", "database", "internal", "output" };
	char *man = cli_slurp(MAN), *sec = cli_man_section(man, "EXIT STATUS");
	char tag[64], *body;
	const char *p = sec, *next;

	for (int code = 0; code <= GANG_EXIT_OUTPUT; code++) {
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
	cr_expect_null(strstr(p, ".TP\n.B 7"), "EXIT STATUS documents a code gang does not use");
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
	char *text = cli_man_rendered();
	char *trouble = strstr(text, "TROUBLESHOOTING The operator's sentences");
	char *man = cli_slurp(MAN), *sec = cli_man_section(man, "TROUBLESHOOTING");
	const char *first = strstr(sec, ".TP\n.B ");

	cr_assert_not_null(trouble, "rendered page lacks the TROUBLESHOOTING section");
	/* every code of err.c: an unknown code falls back to GANG_ERR's sentence */
	for (int code = -1; code > -100; code--)
		if (code == GANG_ERR || strcmp(gang_strerror(code), gang_strerror(GANG_ERR)) != 0)
			cr_expect_not_null(strstr(trouble, gang_strerror(code)), "TROUBLESHOOTING lacks: %s",
					   gang_strerror(code));
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

/* ---- input at the door: check and run agree, nothing is created first ---- */

/* A copy of the demo profile with `serial_line` in place of its serial group; returns its path. */
static const char *cli_profile_with(const char *name, const char *serial_line)
{
	static char path[128];
	char cwd[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cli_tmp, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	fprintf(f, "name = \"door\";\ntarget = \"STM32F103RC\";\n"
		   "image = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		   "erase = \"mass\";\nverify = \"crc\";\n%s\n",
		cwd, serial_line);
	fclose(f);
	return path;
}

/* `gang run` with argv must exit 2 with check's detail, leave no database and print nothing on stdout. */
static void cli_expect_run_refused(const char *const *argv, const char *db, const char *check_err, const char *ctx)
{
	cli_out r = cli_spawn(argv, NULL);
	const char *detail = strchr(r.err, ':');

	cli_expect_usage_error(&r, "", ctx);
	cr_expect_eq(access(db, F_OK), -1, "%s: gang run created the database %s before refusing", ctx, db);
	if (check_err)
		cr_expect_str_eq(detail, strchr(check_err, ':'), "%s: run and check disagree:\nrun:   %scheck: %s", ctx,
				 r.err, check_err);
	cli_free(&r);
}

Test(cli, run_refuses_what_check_refuses_with_the_same_message_and_creates_no_database)
{
	static const char *const bad[] = {
		"serial = { pool = \"p\"; address = 0x0803F800; format = \"u64le\"; start = 1; end = 18446744073709551615L; };",
		"serial = { pool = \"p\"; address = 0x0803F800; format = \"u64le\"; start = 1; end = 9223372036854775807L; };",
		"description = \"line 2\\x1b[2J\";",
		"description = \"caf\xe9\";",
	};
	char db[96];

	snprintf(db, sizeof(db), "%s/gang.sqlite", cli_tmp);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *path = cli_profile_with("bad.cfg", bad[i]);
		const char *check[] = { GANG, "check", path, "--db", db, NULL };
		const char *run[] = { GANG, "run", path, "--db", db, "--plain", "--boards", "1", NULL };
		cli_out c = cli_spawn(check, NULL);

		cli_expect_usage_error(&c, "bad.cfg:6: ", bad[i]);
		cli_expect_run_refused(run, db, c.err, bad[i]);
		cli_free(&c);
	}
}

Test(cli, check_and_run_refuse_a_fifo_profile_at_once, .timeout = 20)
{
	char fifo[96], db[96];
	const char *check[] = { GANG, "check", fifo, NULL };
	const char *run[] = { GANG, "run", fifo, "--db", db, "--plain", NULL };
	cli_out c;

	snprintf(fifo, sizeof(fifo), "%s/profile.cfg", cli_tmp);
	snprintf(db, sizeof(db), "%s/gang.sqlite", cli_tmp);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	c = cli_spawn(check, NULL);
	cli_expect_usage_error(&c, "profile.cfg: is a FIFO (named pipe), not a regular file", "check FIFO");
	cli_expect_run_refused(run, db, c.err, "run FIFO");
	cli_free(&c);
}

Test(cli, run_refuses_a_bad_log_or_slot_file_before_creating_the_database, .timeout = 20)
{
	char db[96], log[96], link[96], fifo[96], target[96];
	FILE *f;
	const char *no_dir[] = { GANG, "run", "profiles/demo-f103.cfg", "--db", db, "--plain", "--log", log, NULL };
	const char *via_link[] = { GANG, "run", "profiles/demo-f103.cfg", "--db", db, "--plain", "--log", link, NULL };
	const char *slots[] = { GANG, "run", "profiles/demo-f103.cfg", "--db", db, "--plain", "--slots", fifo, NULL };
	cli_out r;

	snprintf(db, sizeof(db), "%s/gang.sqlite", cli_tmp);
	snprintf(log, sizeof(log), "%s/no-such-dir/gang.log", cli_tmp);
	snprintf(link, sizeof(link), "%s/link.log", cli_tmp);
	snprintf(fifo, sizeof(fifo), "%s/slots.txt", cli_tmp);
	snprintf(target, sizeof(target), "%s/never-written.log", cli_tmp);
	cr_assert_eq(symlink(target, link), 0);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cli_expect_run_refused(no_dir, db, NULL, "--log in a missing directory");
	r = cli_spawn(via_link, NULL);
	cli_expect_usage_error(&r, "link.log: is a symbolic link", "--log through a symlink");
	cr_expect_eq(access(db, F_OK), -1, "--log symlink: database created");
	cr_expect_eq(access(target, F_OK), -1, "the log was written through the link");
	cli_free(&r);
	r = cli_spawn(slots, NULL);
	cli_expect_usage_error(&r, "slots.txt: is a FIFO (named pipe), not a regular file", "--slots FIFO");
	cr_expect_eq(access(db, F_OK), -1, "--slots FIFO: database created");
	cli_free(&r);
	cr_assert_eq(remove(fifo), 0);
	f = fopen(fifo, "w");
	cr_assert_not_null(f);
	fputs("S1 066DFF485457725187123456\nS2\n", f);
	fclose(f);
	r = cli_spawn(slots, NULL);
	cli_expect_usage_error(&r, "slots.txt:2: expected LABEL SERIAL [USB_PATH], found 1 field", "--slots bad line");
	cr_expect_eq(access(db, F_OK), -1, "--slots with a bad line: database created");
	cli_free(&r);
}

Test(cli, run_refuses_names_with_control_characters_naming_the_flag)
{
	static const char *const flags[] = { "--batch", "--operator", "--station" };
	static const char *const values[] = { "B1\x1b[2J", "amelie\r\n2026 S9 PASS", "line\x07", "caf\xe9",
					      "0123456789012345678901234567890123456789012345678901234567890123X" };
	char db[96], want[128];

	snprintf(db, sizeof(db), "%s/gang.sqlite", cli_tmp);
	for (size_t f = 0; f < 3; f++)
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			const char *argv[] = { GANG, "run", "profiles/demo-f103.cfg", "--db", db, flags[f], values[v], NULL };
			cli_out r = cli_spawn(argv, NULL);

			snprintf(want, sizeof(want), "gang run: %s '", flags[f]);
			cli_expect_usage_error(&r, want, values[v]);
			for (const char *p = r.err; *p; p++)
				cr_expect(*p == '\n' || (*p >= 0x20 && *p < 0x7f), "%s %s: raw byte 0x%02x on stderr",
					  flags[f], values[v], (unsigned char)*p);
			cr_expect_eq(access(db, F_OK), -1);
			cli_free(&r);
		}
}

Test(cli, a_k_suffix_that_overflows_is_an_error_naming_the_flag_and_value)
{
	static const struct {
		const char *cmd, *flag, *value;
	} cases[] = {
		{ "flash", "--address", "0x40000000020000k" }, /* wrapped to 0x08000000 */
		{ "read", "--size", "18014398509481985k" },    /* wrapped to 1024 */
		{ "read", "--size", "4194304k" },
		{ "erase", "--address", "-1" },
		{ "flash", "--swd-khz", "18014398509481985k" },
		{ "run", "--boards", "18014398509481985k" },   /* wrapped to 1024 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = { GANG, cases[i].cmd, cases[i].flag, cases[i].value, "x.hex", NULL };
		cli_out r = cli_spawn(argv, NULL);
		char ctx[96];

		snprintf(ctx, sizeof(ctx), "gang %s %s %s", cases[i].cmd, cases[i].flag, cases[i].value);
		cli_expect_usage_error(&r, cases[i].flag, ctx);
		cr_expect_not_null(strstr(r.err, cases[i].value), "%s: the value is not named: %s", ctx, r.err);
		cli_free(&r);
	}
}

Test(cli, check_refuses_a_profile_whose_pool_exists_with_another_range_as_run_does)
{
	char db_path[96];
	const char *check[] = { GANG, "check", "profiles/demo-f103.cfg", "--db", db_path, NULL };
	const char *run[] = { GANG, "run", "profiles/demo-f103.cfg", "--db", db_path, "--plain", NULL };
	gang_db *db = NULL;
	gang_diag d = { 0 };
	cli_out c, r;

	snprintf(db_path, sizeof(db_path), "%s/gang.sqlite", cli_tmp);
	cr_assert_eq(gang_db_open(&db, db_path, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1, 10, "u32le", &d), GANG_OK, "%s", d.msg);
	gang_db_close(db);
	c = cli_spawn(check, NULL);
	cli_expect_usage_error(&c, "serial pool 'demo' already exists with range 1..10", "check");
	r = cli_spawn(run, NULL);
	cli_expect_usage_error(&r, "serial pool 'demo' already exists with range 1..10", "run");
	cr_expect_str_eq(strchr(r.err, ':'), strchr(c.err, ':'), "run and check disagree");
	cli_free(&c);
	cli_free(&r);
}

Test(cli, numbers_take_the_k_suffix_up_to_32_bits_and_nothing_that_wraps_or_has_a_sign)
{
	static const struct {
		const char *s;
		bool ok;
		uint32_t v;
	} cases[] = {
		{ "0", true, 0 },
		{ "0x08000000", true, 0x08000000U },
		{ "256k", true, 262144U },
		{ "4194303k", true, 0xFFFFFC00U },
		{ "0xFFFFFFFF", true, 0xFFFFFFFFU },
		{ "4194304k", false, 0 },           /* 2^32 */
		{ "0x40000000020000k", false, 0 },  /* wrapped to 0x08000000 in 64 bits */
		{ "18014398509481985k", false, 0 }, /* wrapped to 1024 */
		{ "0x100000000", false, 0 },
		{ "-1", false, 0 },
		{ "+5", false, 0 },
		{ " 5", false, 0 },
		{ "5kk", false, 0 },
		{ "", false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 0;

		cr_expect_eq(gang_cli_parse_u32(&v, cases[i].s), cases[i].ok, "'%s'", cases[i].s);
		if (cases[i].ok)
			cr_expect_eq(v, cases[i].v, "'%s' gave 0x%08x", cases[i].s, v);
	}
}
