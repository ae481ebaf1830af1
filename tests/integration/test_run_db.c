/*
 * test_run_db.c — the production run and its traceability database: two
 * products sharing one database (README "Several products on one
 * database"), and a database that another program holds locked for a
 * while mid-batch (gang run --db-wait).
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define PROFILE_A "tests/fixtures/profiles/run-prod-a.cfg"
#define PROFILE_B "tests/fixtures/profiles/run-prod-b.cfg"
#define BENCH_FIXED "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_OTHER "tests/fixtures/benches/run-other-line.cfg"
#define BENCH_QUAD "tests/fixtures/benches/run-quad10.cfg"

static itest_env env;
static const itest_layout layout = { "profiles/firmware/demo-f103.hex", 0x0803F800U, 256U * 1024U };

static void setup(void)
{
	cr_assert(itest_env_init(&env));
}

static void teardown(void)
{
	itest_env_cleanup(&env);
}

TestSuite(run_db, .init = setup, .fini = teardown, .timeout = 120);

static int run_profile(const char *bench, const char *profile, const char *boards)
{
	char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", boards, "--db", env.db, "--plain", "--batch", "db", NULL };

	itest_path(prof, sizeof(prof), &env, profile);
	return itest_run(&env, bench, argv, 60);
}

Test(run_db, two_products_counting_from_1_share_a_database)
{
	char why[ITEST_WHY_MAX] = "", *err;
	int rc;

	cr_assert_eq(run_profile(BENCH_FIXED, PROFILE_A, "2"), 0);
	rc = run_profile(BENCH_OTHER, PROFILE_B, "1");
	err = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "exit %d; stderr: %s", rc, err ? err : "");
	free(err);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts"), 3, "three different boards");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM boards WHERE serial = '1'"), 2,
		     "serial 1 of each product");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 3);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 0);
	cr_assert(itest_invariants(&env, &layout, why, sizeof(why)), "%s", why);
}
