/*
 * test_run_limits.c — a run has at most 64 slots (one thread and one
 * database connection each). A bench with 66 ST-Links must say so — once,
 * on stdout (plain line or JSON event) and in the engineer log — rather
 * than leave two probes out silently. SIGINT ends the idle run.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define PROFILE_BASIC "tests/fixtures/profiles/run-basic.cfg"
#define BENCH_66 "tests/fixtures/benches/run-66.cfg"
#define LIMIT_SENTENCE "66 ST-Links attached; gang drives at most 64 \xe2\x80\x94 the others are ignored"

static itest_env env;
static char prof[ITEST_PATH_MAX];

static void setup(void)
{
	cr_assert(itest_env_init(&env));
	itest_path(prof, sizeof(prof), &env, PROFILE_BASIC);
}

static void teardown(void)
{
	itest_env_cleanup(&env);
}

TestSuite(run_limits, .init = setup, .fini = teardown, .timeout = 90);

/* Start gang run with mode (--plain / --json), wait for needle on stdout, stop it with SIGINT. */
static void run_until(const char *mode, const char *needle)
{
	const char *argv[] = { "run", prof, "--db", env.db, mode, "--batch", "limits", NULL };
	pid_t pid = itest_spawn(&env, BENCH_66, argv);
	bool seen;
	int rc;

	cr_assert_gt(pid, 0);
	seen = itest_wait_for(env.out, needle, 1, 30);
	kill(pid, SIGINT);
	rc = itest_wait(pid, 30);
	cr_assert(seen, "never said \"%s\"; stdout:\n%s", needle, itest_slurp(env.out, NULL));
	cr_assert_eq(rc, 0, "exit %d", rc);
}

Test(run_limits, sixty_six_probes_plain_line_and_log_say_two_are_ignored)
{
	run_until("--plain", LIMIT_SENTENCE);
	cr_expect_eq(itest_count(env.out, LIMIT_SENTENCE), 1, "said more than once");
	cr_expect_eq(itest_count(env.err, LIMIT_SENTENCE), 1, "not in the engineer log (stderr)");
	cr_expect_eq(itest_db_int(&env, "SELECT count(DISTINCT label) FROM slot_map"), 64);
}

Test(run_limits, sixty_six_probes_json_run_note_event)
{
	char *out, *line, *save = NULL, val[256];
	int notes = 0;

	run_until("--json", "\"event\":\"run_note\"");
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cr_assert(itest_json_object(line, "event", val, sizeof(val)), "not JSON: %s", line);
		if (strcmp(val, "run_note") != 0)
			continue;
		notes++;
		cr_assert(itest_json_object(line, "message", val, sizeof(val)), "run_note without message: %s", line);
		cr_expect_str_eq(val, LIMIT_SENTENCE);
	}
	free(out);
	cr_expect_eq(notes, 1);
}
