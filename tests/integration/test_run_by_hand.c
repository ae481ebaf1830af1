/*
 * test_run_by_hand.c — `gang run` on a bench whose boards only move when a
 * person moves them with `tools/gangsim ctl` (tools/sim/benches/README.md
 * "Driving the bench by hand"): the running gang sees the board taken out,
 * programs the board put in, and records both.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "itest.h"

#define PROFILE_BASIC "tests/fixtures/profiles/run-basic.cfg"
#define BENCH_BY_HAND "tests/fixtures/benches/run-by-hand.cfg"

ITEST_SUITE(run_by_hand, 90);

/* tools/gangsim ctl on this test's bench state; its exit status. */
static int ctl(const char *words)
{
	char cmd[4 * ITEST_PATH_MAX];

	snprintf(cmd, sizeof(cmd), "%s/tools/gangsim ctl --state %s %s >>%s 2>&1", env.root, env.state, words,
		 env.err);
	return system(cmd);
}

Test(run_by_hand, gang_sees_a_board_removed_and_another_inserted_by_hand)
{
	const char *argv[] = { "run", NULL, "--boards", "2", "--db", env.db, "--plain", "--batch", "itest", NULL };
	char prof[ITEST_PATH_MAX];
	pid_t pid;
	int rc;

	itest_path(prof, sizeof(prof), &env, PROFILE_BASIC);
	argv[1] = prof;
	pid = itest_spawn(&env, BENCH_BY_HAND, argv);
	cr_assert_gt(pid, 0);
	cr_assert(itest_wait_for(env.out, " PASS serial ", 1, 60), "the first board never passed");
	cr_assert_eq(ctl("S1 remove"), 0);
	cr_assert(itest_wait_for(env.out, "board removed", 1, 20), "gang did not see the board go");
	cr_assert_eq(ctl("S1 insert"), 0);
	rc = itest_wait(pid, 60);
	cr_assert_eq(rc, 0, "exit %d: without the inserted board gang would still wait", rc);
	cr_expect_eq(itest_count(env.out, " PASS serial "), 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts WHERE result = 'pass'"), 2);
}
