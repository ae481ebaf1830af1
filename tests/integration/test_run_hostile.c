/*
 * test_run_hostile.c — boards and probes a hostile test of production runs
 * used against gang: chips whose unique ID is blank (a UID in two slots at
 * once: tests/sched/test_uid_hold.c), an ST-Link
 * that loses commands all the time, and a board that loses its supply in
 * the middle of programming. Each is refused or ended with one true
 * sentence, never looped on and never blamed on something else.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define PROFILE_BASIC "tests/fixtures/profiles/run-basic.cfg"

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

TestSuite(run_hostile, .init = setup, .fini = teardown, .timeout = 90);

static int run_bench_text(const char *text, const char *boards, double timeout_s)
{
	char bench[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", boards, "--db", env.db, "--plain", NULL };

	cr_assert(itest_write(bench, sizeof(bench), &env, "bench.cfg", text));
	return itest_run(&env, bench, argv, timeout_s);
}

Test(run_hostile, a_blank_unique_id_is_refused_before_anything_is_written)
{
	static const char bench[] =
		"probes = ( { serial = \"066DFF485457725187084A31\"; model = \"V2\"; target = \"STM32F103RC\";\n"
		"  swap_s = 0.3; tray = ( { uid = \"FFFFFFFFFFFFFFFFFFFFFFFF\"; }, { uid = \"000000000000000000000000\"; },\n"
		"  { uid = \"3A0041001851363036363741\"; } ); } );\n";
	int rc = run_bench_text(bench, "3", 40);

	cr_assert_eq(rc, 1, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE error_class = 'uid' AND result = 'fail'"),
		     2);
	cr_assert_eq(itest_count(env.out, "FAIL the chip's unique ID is blank — not a genuine or an intact STM32; "
					  "set it aside"), 2);
	/* refused at connect: no serial, no step after connect, one attempt each (no retry) */
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE uid IN ('FFFFFFFFFFFFFFFFFFFFFFFF', "
					"'000000000000000000000000')"), 0);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM steps s JOIN attempts a ON a.id = s.attempt_id WHERE "
					"a.error_class = 'uid' AND s.step <> 'connect'"), 0);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
}

/*
 * An ST-Link that loses a fifth of its commands: attempts are cut off, the
 * slot backs off between them and gives up after five in a row with one
 * sentence (or passes the board), instead of looping without end; its
 * outages are announced once, not one slot_down per attempt.
 */
Test(run_hostile, a_probe_that_keeps_losing_commands_gives_up_with_one_sentence)
{
	static const char bench[] =
		"probes = ( { serial = \"066DFF485457725187084A34\"; model = \"V2\"; target = \"STM32F103RC\";\n"
		"  usb_timeout_rate = 0.2; } );\n";
	int rc = run_bench_text(bench, "1", 80);
	int64_t aborted = itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'aborted'");
	int64_t passed = itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'");

	cr_assert(rc == 3 || rc == 0, "exit %d", rc);
	cr_assert_leq(aborted, 5, "%lld attempts cut off on one board", (long long)aborted);
	cr_assert_leq(itest_count(env.out, " gone: "), 1, "one slot_down per storm");
	if (rc == 3) {
		cr_assert_eq(aborted, 5);
		cr_assert_eq(itest_count(env.out, "the ST-Link keeps losing contact in the middle of a board — check its "
					 "USB cable and hub"), 2, "the board's line and the slot's stop");
	} else {
		cr_assert_eq(passed, 1);
	}
}

/*
 * Power lost in the middle of programming: the chip falls silent exactly as
 * if firmware had turned SWD off, but the probe reads no target voltage,
 * and that decides the sentence from the first attempt on.
 */
Test(run_hostile, a_board_that_loses_its_supply_mid_programming_is_said_to_have_no_power)
{
	static const char text[] =
		"probes = ( { serial = \"066DFF485457725187084A35\"; model = \"V2\"; target = \"STM32F103RC\";\n"
		"  t_mass_erase_ms = 2000; power_loss_at_s = 0.5; } );\n";
	char bench[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "1", "--db", env.db, "--plain", NULL };
	pid_t pid;
	int rc;

	cr_assert(itest_write(bench, sizeof(bench), &env, "bench.cfg", text));
	pid = itest_spawn(&env, bench, argv);

	cr_assert_gt(pid, 0);
	cr_assert(itest_wait_for(env.out, "ABORTED", 1, 30), "no result");
	kill(pid, SIGINT);
	rc = itest_wait(pid, 20);
	cr_assert(rc == 0 || rc == 1, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE error_class = 'target'"), 0,
		     "blamed on the chip or its firmware");
	cr_assert_geq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE error_class = 'no-board'"), 1);
	cr_assert_eq(itest_count(env.out, "firmware may disable SWD"), 0);
	cr_assert_eq(itest_count(env.out, "ABORTED no board in the fixture, or the board has no power"), 1);
}
