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
#include <time.h>

#include "itest.h"

#define PROFILE_A "tests/fixtures/profiles/run-prod-a.cfg"
#define PROFILE_B "tests/fixtures/profiles/run-prod-b.cfg"
#define BENCH_FIXED "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_OTHER "tests/fixtures/benches/run-other-line.cfg"
#define BENCH_LOCK "tests/fixtures/benches/run-db-lock.cfg"
#define BENCH_SLOW "tests/fixtures/benches/run-slow.cfg"

ITEST_SUITE(run_db, 120);
static const itest_layout *const layout = &itest_demo_layout;

static int run_profile(const char *bench, const char *profile, const char *boards)
{
	return itest_run_profile(&env, bench, profile, boards, "db", NULL, 60);
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
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
}

/* Another program (a backup, an sqlite3 shell) holds the write lock for secs. */
/*
 * Hold the database's write lock for secs, and then, when until is given,
 * on until gang's output shows it (at most 30 s): on a loaded machine (the
 * ASan run) every slot can be inside one long flash step for the first
 * seconds, with no database call to wait.
 */
static void hold_lock(unsigned secs, const char *until)
{
	struct timespec tick = { 0, 100000000L };
	sqlite3 *other = NULL;

	cr_assert_eq(sqlite3_open(env.db, &other), SQLITE_OK);
	sqlite3_busy_timeout(other, 5000);   /* gang may be mid-write: take the lock once it is free */
	cr_assert_eq(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(other));
	for (unsigned i = 0; i < 300 && (i < secs * 10U || (until && itest_count(env.out, until) < 1)); i++)
		nanosleep(&tick, NULL);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
}

/* gang run on the paced four-slot bench; the lock is taken once 2 boards passed. */
static int run_locked(const char *boards, const char *db_wait, unsigned lock_s, const char *until)
{
	char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", boards, "--db", env.db, "--plain", "--db-wait", db_wait, NULL };
	pid_t pid;

	itest_path(prof, sizeof(prof), &env, PROFILE_A);
	env.realtime = 1.0;
	pid = itest_spawn(&env, BENCH_LOCK, argv);
	cr_assert_gt(pid, 0);
	cr_assert(itest_wait_for(env.out, " PASS serial ", 2, 60), "no board passed");
	hold_lock(lock_s, until);
	return itest_wait(pid, 90);
}

Test(run_db, a_database_locked_for_4_s_mid_batch_fails_no_board_and_the_wait_is_shown)
{
	char why[ITEST_WHY_MAX] = "";
	int rc = run_locked("8", "60", 4, "note: database busy — waiting (1 s)");

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_count(env.out, " FAIL "), 0);
	cr_assert_eq(itest_count(env.out, " PASS serial "), 8);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result IS NOT 'pass'"), 0);
	cr_assert_geq(itest_count(env.out, "note: database busy — waiting (1 s)"), 1, "the wait is not shown");
	cr_assert_geq(itest_count(env.out, "note: database free again after "), 1);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
}

Test(run_db, a_lock_longer_than_db_wait_stops_the_slots_as_a_database_stop_with_its_detail)
{
	char *err, *last;
	int rc = run_locked("8", "1", 4, NULL);

	cr_assert_eq(rc, 4, "exit %d", rc);
	cr_assert_geq(itest_count(env.out, "slot stopped (database): "), 1);
	cr_assert_eq(itest_count(env.out, " gone: "), 0, "a database stop is not a probe gone");
	err = itest_slurp(env.err, NULL);
	cr_assert_not_null(err);
	last = strstr(err, "gang run: ");
	cr_assert_not_null(last, "stderr: %s", err);
	cr_assert(strstr(last, "is locked by another writer") && strstr(last, "within 1000 ms"), "exit line: %s",
		  last);
	free(err);
}

Test(run_db, db_wait_out_of_range_is_a_usage_error)
{
	const char *argv[] = { "run", PROFILE_A, "--db", env.db, "--db-wait", "3601", NULL };

	cr_assert_eq(itest_run(&env, BENCH_LOCK, argv, 20), 2);
	cr_assert_eq(itest_count(env.err, "--db-wait needs seconds from 0 to 3600, not '3601'"), 1);
}

/* gang serial ARGS... on the database (stdout/stderr appended to env.out/env.err). */
static int serial_cmd(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	const char *argv[] = { "serial", a1, a2, a3, a4, a5, NULL, NULL, NULL };
	size_t n = 1;

	while (n < 6 && argv[n])
		n++;
	argv[n] = "--db";
	argv[n + 1] = env.db;
	return itest_run(&env, BENCH_FIXED, argv, 20);
}

Test(run_db, serial_list_and_void_by_number_keep_the_history_and_name_what_is_wrong)
{
	cr_assert_eq(run_profile(BENCH_FIXED, PROFILE_A, "2"), 0);
	cr_assert_eq(serial_cmd("list", "prodA", NULL, NULL, NULL), 0);
	cr_expect_eq(itest_count(env.out, " burned "), 2);
	cr_assert_eq(serial_cmd("void", "prodA", "1", "--reason", "label misprinted"), 0);
	cr_expect_eq(itest_count(env.out, "serial 1 of pool 'prodA' is void: label misprinted"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE value = 1 AND state = 'void' AND "
				       "reason = 'label misprinted' AND burned_at IS NOT NULL AND uid IS NOT NULL"), 1);
	cr_assert_eq(serial_cmd("list", "prodA", "--state", "voided", NULL), 0);
	cr_expect_eq(itest_count(env.out, "label misprinted"), 2, "the void line and the listed reason");
	cr_expect_eq(serial_cmd("void", "prodZ", "1", "--reason", "x"), 2);
	cr_expect_eq(itest_count(env.err, "serial pool 'prodZ' does not exist"), 1);
	cr_expect_eq(itest_count(env.err, "(its pools: prodA)"), 1);
	cr_expect_eq(serial_cmd("void", "prodA", "77", "--reason", "x"), 2);
	cr_expect_eq(itest_count(env.err, "serial 77 of pool 'prodA' was never handed out"), 1);
	cr_expect_eq(serial_cmd("void", "prodA", "1", "--reason", "again"), 2);
	cr_expect_eq(itest_count(env.err, "serial 1 of pool 'prodA' is already void"), 1);
	cr_expect_eq(serial_cmd("void", "prodA", "GNG-404", "--reason", "x"), 2);
	cr_expect_eq(itest_count(env.err, "no serial of pool 'prodA' was rendered as 'GNG-404'"), 1);
	cr_expect_eq(serial_cmd("list", "prodA", "--state", "lost", NULL), 2);
	cr_expect_eq(itest_count(env.err, "--state 'lost': use reserved, burned or voided"), 1);
}

/*
 * Whether the board is then tried again is the job's decision (README,
 * "Serial numbers"); the database's part: the pass is refused saying why,
 * the attempt is closed as a failure, nothing stays open, invariants hold.
 */
Test(run_db, a_serial_voided_while_its_board_is_programmed_refuses_that_pass_and_closes_it_as_failed)
{
	char prof[ITEST_PATH_MAX], why[ITEST_WHY_MAX] = "";
	const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", NULL };
	pid_t pid;
	int rc;

	itest_path(prof, sizeof(prof), &env, PROFILE_A);
	env.realtime = 1.0;
	pid = itest_spawn(&env, BENCH_SLOW, argv);
	cr_assert_gt(pid, 0);
	/* serial 1 is reserved before the 2.5 s mass erase of the first board starts */
	cr_assert(itest_wait_for(env.out, " program", 1, 30), "no board reached program");
	cr_assert_eq(serial_cmd("void", "prodA", "1", "--reason", "label printer jammed"), 0);
	rc = itest_wait(pid, 60);
	cr_assert_eq(rc, 1, "exit %d: one board failed", rc);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE serial_value = 1 AND result = 'fail'"), 1);
	/* a record that cannot be written is no reason to program the board again: no retry, no new serial */
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE uid = (SELECT uid FROM serials WHERE "
				       "value = 1)"), 1, "the board was programmed again");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE uid = (SELECT uid FROM serials WHERE "
				       "value = 1)"), 1, "the board took another serial");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE serial_value = 1 AND error_class = "
				       "'record'"), 1);
	cr_expect_eq(itest_count(env.out, "FAIL programmed and verified, but the pass could not be recorded: the "
				 "board's serial or one of its data values was voided while it was programmed — set the "
				 "board aside and tell "
				 "the engineer"), 1);
	cr_expect_eq(itest_count(env.out, "retrying"), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE serial_value = 1 AND result = 'pass'"), 0);
	cr_expect_geq(itest_count(env.err, "was voided while it was programmed; the pass is not recorded"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE value = 1 AND state = 'void' AND "
				       "reason = 'label printer jammed'"), 1);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
}

Test(run_db, a_serial_lease_on_a_sqlite_file_is_refused_naming_postgresql)
{
	cr_assert_eq(run_profile(BENCH_FIXED, "tests/fixtures/profiles/run-lease.cfg", "1"), 2);
	cr_expect_eq(itest_count(env.err, "serial.lease needs the central PostgreSQL database (--db postgresql://... "
					  "or db in gang.conf);"),
		     1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts"), -1);
}
