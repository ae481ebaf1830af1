/*
 * test_run_scans.c — scanned labels in `gang run --plain` on the virtual
 * bench (profiles/README.md "scan"): stdin gives one line per board; a
 * scan that does not match the pattern is refused naming it and the next
 * line is taken; the label is bound to the board's UID and `gang trace
 * LABEL` finds the board; a label already bound to another board fails
 * the attempt before anything is written, naming that board's UID and
 * serial; the input ending aborts the board.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define BENCH_FIXED "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_ONE "tests/fixtures/benches/run-by-hand.cfg"

ITEST_SUITE(run_scans, 90);

static const char *profile_req(const char *required)
{
	static char path[ITEST_PATH_MAX];
	char text[2048];

	snprintf(text, sizeof(text),
		 "name = \"scans\";\ntarget = \"STM32F103RC\";\n"
		 "image = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		 "erase = \"mass\";\nverify = \"crc\";\n"
		 "serial = { pool = \"itest\"; address = 0x0803F800; format = \"u32le\"; start = 5000; end = 999999; };\n"
		 "retries = 0;\nscan = { required = %s; pattern = \"^PCB-[0-9]{8}$\"; };\n",
		 env.root, required);
	cr_assert(itest_write(path, sizeof(path), &env, "p.cfg", text));
	return path;
}

static const char *profile(void)
{
	return profile_req("true");
}

static int run(const char *bench, const char *boards, const char *scans, const char *mode, const char *extra)
{
	const char *argv[] = { "run", profile(), "--boards", boards, "--db", env.db, mode, "--batch", "b7", extra,
			       NULL };

	cr_assert(itest_write(env.in, sizeof(env.in), &env, "scans.txt", scans));
	return itest_run(&env, bench, argv, 80);
}

static int trace(const char *key)
{
	const char *argv[] = { "trace", key, "--db", env.db, NULL };

	env.in[0] = '\0';
	return itest_run(&env, BENCH_ONE, argv, 30);
}

Test(run_scans, a_scan_is_checked_bound_to_the_board_and_found_by_trace)
{
	char uid[32], want[80];

	cr_assert_eq(run(BENCH_ONE, "1", "pcb-1\nPCB-00000042\n", "--plain", NULL), 0);
	cr_expect_geq(itest_count(env.out, "scan 'pcb-1' refused: it does not match the pattern \"^PCB-[0-9]{8}$\" "
					   "— scan again"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM scans WHERE text = 'PCB-00000042'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'scan' AND result = 'pass' AND "
				  "detail = 'label PCB-00000042'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM scans"));
	cr_assert_eq(trace("PCB-00000042"), 0);
	snprintf(want, sizeof(want), "board %s", uid);
	cr_expect_geq(itest_count(env.out, want), 1, "trace finds the board by its label");
}

Test(run_scans, a_label_bound_to_another_board_is_refused_naming_its_uid_and_serial)
{
	char uid[32], serial[16], sql[320];

	cr_assert_eq(run(BENCH_FIXED, "2", "PCB-00000001\nPCB-00000002\n", "--json", NULL), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM scans"), 2);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM scans WHERE text = 'PCB-00000002'"));
	snprintf(sql, sizeof(sql), "SELECT serial FROM boards WHERE uid = '%s'", uid);
	cr_assert(itest_db_text(serial, sizeof(serial), &env, sql));
	/* both boards again, both scanned PCB-00000002: its own board passes, the other is refused */
	cr_expect_neq(run(BENCH_FIXED, "2", "PCB-00000002\nPCB-00000002\n", "--plain", "--rework"), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM attempts WHERE result = 'fail' AND error_class = 'scan' AND "
		 "error_message = 'label ''PCB-00000002'' is already bound to board %s, serial %s — set board aside' "
		 "AND uid <> '%s'", uid, serial, uid);
	cr_expect_eq(itest_db_int(&env, sql), 1, "%s", itest_slurp(env.out, NULL));
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM scans"), 2, "nothing rebound");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts a JOIN steps s ON s.attempt_id = a.id WHERE "
				  "a.result = 'fail' AND s.step IN ('serial', 'program')"), 0,
		     "nothing reserved or written for the refused board");
}

Test(run_scans, the_scan_input_ending_aborts_the_board_before_anything_is_written)
{
	cr_expect_geq(run(BENCH_ONE, "1", "", "--plain", NULL), 0, "the run ends (no board left to scan for)");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'aborted'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'program'"), 0);
}

Test(run_scans, the_scan_input_ending_stops_every_slot_instead_of_asking_forever)
{
	cr_expect_geq(run(BENCH_FIXED, "2", "PCB-00000007\n", "--plain", NULL), 0, "the run ends");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'aborted'"), 1);
	cr_expect_geq(itest_count(env.err, "the scan input ended") + itest_count(env.out, "the scan input ended"), 1);
}

Test(run_scans, a_label_that_is_not_required_may_be_skipped_with_an_empty_scan_but_not_when_required)
{
	const char *argv[] = { "run", profile_req("false"), "--boards", "1", "--db", env.db, "--plain", NULL };

	cr_assert(itest_write(env.in, sizeof(env.in), &env, "scans.txt", "\n"));
	cr_expect_eq(itest_run(&env, BENCH_ONE, argv, 60), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'scan' AND result = 'skip' AND "
				  "detail = 'no label scanned (scan.required = false)'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM scans"), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
}

Test(run_scans, an_empty_scan_is_refused_when_the_label_is_required)
{
	cr_expect_geq(run(BENCH_ONE, "1", "\nPCB-00000005\n", "--plain", NULL), 0);
	cr_expect_geq(itest_count(env.out, "scan '' refused"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM scans WHERE text = 'PCB-00000005'"), 1);
}
