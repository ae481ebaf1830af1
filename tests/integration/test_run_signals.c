/*
 * test_run_signals.c — how a production run ends: SIGINT once lets the
 * boards in progress finish, twice aborts them (the serial stays reserved
 * to the UID); SIGKILL at any moment leaves a consistent database that the
 * next start repairs, and the interrupted board is programmed again with
 * the same serial (docs/architecture.md "Serial numbers and
 * traceability"). Also the --json stream: one valid JSON object per line
 * with the documented fields (README "JSON events").
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define PROFILE_BASIC "tests/fixtures/profiles/run-always.cfg"  /* every board really erased (2.5 s on run-slow) */
#define PROFILE_LOCKED "tests/fixtures/profiles/run-locked.cfg"
#define BENCH_SLOW "tests/fixtures/benches/run-slow.cfg"
#define BENCH_FIXED "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_RDP "tests/fixtures/benches/run-rdp.cfg"
#define BENCH_SLOW_PROG "tests/fixtures/benches/run-slow-prog.cfg" /* 128 KiB take ~13 s to program */
#define BENCH_SLOW_USB "tests/fixtures/benches/run-slow-usb.cfg"   /* 128 KiB take ~1.3 s to read back */

static itest_env env;
static const itest_layout layout = { "profiles/firmware/demo-f103.hex", 0x0803F800U, 256U * 1024U };
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

TestSuite(run_signals, .init = setup, .fini = teardown, .timeout = 60);

/* Start the slow bench at hardware pace and wait until both slots are programming. */
static pid_t start_slow_and_wait_for_program(void)
{
	/* --rework: the kill test runs again on boards an earlier run passed */
	static const char *argv[] = { "run", prof, "--boards", "2", "--db", NULL, "--plain", "--rework", NULL };
	int before = itest_count(env.out, " program");
	pid_t pid;

	argv[5] = env.db;
	env.realtime = 1.0;
	pid = itest_spawn(&env, BENCH_SLOW, argv);
	cr_assert_gt(pid, 0);
	/* Output accumulates over spawns: count this run's lines only. */
	cr_assert(itest_wait_for(env.out, " program", (before > 0 ? before : 0) + 2, 20),
		  "the slots never reached program");
	return pid;
}

Test(run_signals, sigint_once_finishes_the_boards_in_progress_and_starts_no_new_one)
{
	pid_t pid = start_slow_and_wait_for_program();
	char why[ITEST_WHY_MAX] = "";
	int rc;

	kill(pid, SIGINT);
	rc = itest_wait(pid, 30);
	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts"), 2);
	cr_assert(itest_invariants(&env, &layout, why, sizeof(why)), "%s", why);
}

Test(run_signals, sigint_twice_aborts_the_boards_in_progress_and_keeps_their_serials_reserved)
{
	pid_t pid = start_slow_and_wait_for_program();
	struct timespec gap = { 0, 200 * 1000000L };
	char why[ITEST_WHY_MAX] = "";
	int rc;

	kill(pid, SIGINT);
	nanosleep(&gap, NULL);
	kill(pid, SIGINT);
	rc = itest_wait(pid, 30);
	cr_assert_geq(rc, 0, "gang did not end");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'aborted' AND "
					"finished_at IS NOT NULL"), 2);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 0);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'verify'"), 0);
	/* the stop lands in the 2.5 s mass erase, which runs out; the program step ends before writing */
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'program' AND result = 'fail' AND "
				  "detail LIKE 'stopped by the operator during program at 0x08000000'"), 2);
	/* Each aborted board's serial is still reserved to it, for the next attempt. */
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials s JOIN attempts a ON a.uid = s.uid AND "
					"a.serial_value = s.value WHERE s.state = 'reserved'"), 2);
	cr_assert(itest_invariants(&env, &layout, why, sizeof(why)), "%s", why);
	/* The next run programs them with the same serials. */
	env.realtime = 0;
	{
		const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", NULL };

		cr_assert_eq(itest_run(&env, BENCH_SLOW, argv, 30), 0);
	}
	cr_assert(itest_aborted_redone(&env, why, sizeof(why)), "%s", why);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials"), 2);
}

/* kill -9 at a moment drawn from seed, restart, check every invariant. */
static void kill_and_restart(unsigned seed, double max_delay_s)
{
	const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", "--rework", NULL };
	char why[ITEST_WHY_MAX] = "";
	double delay = max_delay_s * (double)(rand_r(&seed) % 1000U) / 1000.0;
	int rc;

	env.realtime = 1.0;
	rc = itest_kill_cycle(&env, BENCH_SLOW, argv, delay, 30);
	cr_assert_eq(rc, 0, "restart after kill at %.3f s: exit %d", delay, rc);
	cr_assert(itest_invariants(&env, &layout, why, sizeof(why)), "kill at %.3f s: %s", delay, why);
	cr_assert(itest_aborted_redone(&env, why, sizeof(why)), "kill at %.3f s: %s", delay, why);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials"), 2);
}

Test(run_signals, kill_9_mid_program_then_restart_leaves_every_invariant_true, .timeout = 90)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();

	/* The first kill lands inside the 2.5 s mass erase; the second anywhere. */
	fprintf(stderr, "kill -9 test seed %u\n", seed);
	kill_and_restart(seed, 0.0);
	{
		pid_t pid = start_slow_and_wait_for_program();
		int rc;

		kill(pid, SIGKILL);
		rc = itest_wait(pid, 10);
		cr_assert_eq(rc, 128 + SIGKILL);
	}
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 2,
		     "the killed run left its two attempts open");
	kill_and_restart(seed + 1U, 4.0);
	cr_assert_geq(itest_count(env.err, "2 attempts left open by an earlier run were closed as aborted"), 1);
	cr_assert_geq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'aborted'"), 2);
}

/* Every line of out is a JSON object with event and time; returns the number of lines. */
static int check_json_lines(void)
{
	char *text = itest_slurp(env.out, NULL), *save = NULL, val[256];
	int n = 0;

	cr_assert_not_null(text);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		cr_assert(itest_json_object(line, "event", val, sizeof(val)), "not JSON with event: %s", line);
		cr_assert(itest_json_object(line, "time", val, sizeof(val)), "no time: %s", line);
		cr_assert_eq(strlen(val), 24, "time is not ISO 8601 with ms: %s", val);
		cr_assert_eq(val[23], 'Z');
		itest_json_object(line, "event", val, sizeof(val));
		if (strcmp(val, "result") != 0)
			continue;
		cr_assert(itest_json_object(line, "slot", NULL, 0) && itest_json_object(line, "probe", NULL, 0) &&
			  itest_json_object(line, "uid", NULL, 0) && itest_json_object(line, "attempt", NULL, 0) &&
			  itest_json_object(line, "elapsed_s", NULL, 0), "result without its fields: %s", line);
		itest_json_object(line, "result", val, sizeof(val));
		if (strcmp(val, "pass") != 0)
			cr_assert(itest_json_object(line, "error_class", NULL, 0) &&
				  itest_json_object(line, "message", NULL, 0), "failure without class: %s", line);
	}
	free(text);
	return n;
}

Test(run_signals, json_output_is_one_valid_object_per_line_with_the_documented_fields)
{
	char lprof[ITEST_PATH_MAX];
	const char *argv[] = { "run", lprof, "--boards", "2", "--db", env.db, "--json", NULL };
	int rc;

	itest_path(lprof, sizeof(lprof), &env, PROFILE_LOCKED);
	rc = itest_run(&env, BENCH_RDP, argv, 40);
	cr_assert_eq(rc, 1, "exit %d", rc);
	cr_assert_gt(check_json_lines(), 10);
	cr_assert_eq(itest_count(env.out, "\"event\":\"result\""), 2);
	cr_assert_eq(itest_count(env.out, "\"error_class\":\"read-protected\""), 1);
	cr_assert_eq(itest_count(env.out, "\"event\":\"run_end\""), 1);
	cr_assert_eq(itest_count(env.out, "\"event\":\"run_start\""), 1);
	cr_assert_eq(itest_count(env.out, "\"boards_max\":2"), 1, "run_start without the --boards target");
}

Test(run_signals, each_sigint_is_announced_as_a_stopping_event)
{
	const char *argv[] = { "run", prof, "--db", env.db, "--json", NULL };
	pid_t pid = itest_spawn(&env, "tests/fixtures/benches/absent.cfg", argv);
	int rc;

	cr_assert_gt(pid, 0);
	cr_assert(itest_wait_for(env.out, "\"event\":\"waiting\"", 1, 20), "the slot never waited");
	kill(pid, SIGINT);
	rc = itest_wait(pid, 30);
	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_count(env.out, "\"event\":\"stopping\""), 1);
	cr_assert_eq(itest_count(env.out, "\"stop_level\":1"), 1);
	cr_assert_eq(check_json_lines(), itest_count(env.out, "\"time\""));
}

Test(run_signals, the_json_checker_refuses_what_is_not_one_json_object)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":\"x}", "{\"a\":\"\\q\"}", "[1]",
		"{\"a\":1} x", "{\"a\":tru}", "{a:1}", "{\"a\":1.}", "{\"a\":\"\t\"}",
	};
	char v[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(itest_json_object(bad[i], NULL, NULL, 0), "accepted: %s", bad[i]);
	cr_assert(itest_json_object("{\"a\":[1,-2.5e3,{\"b\":null}],\"c\":\"x\\\"y\"}", "c", v, sizeof(v)));
	cr_assert_str_eq(v, "x\\\"y");
	cr_assert_not(itest_json_object("{\"a\":{\"c\":1}}", "c", v, sizeof(v)), "nested key taken as top-level");
}

/* DIR/big.bin: n pseudo-random bytes, and DIR/big.cfg programming it (page erase, CRC verify, no retry). */
static const char *big_profile(size_t n, const char *verify, const char *extra)
{
	char text[640];
	static char path[ITEST_PATH_MAX];
	char bin[ITEST_PATH_MAX + 16];
	uint32_t x = 2463534242U;
	FILE *f;

	snprintf(bin, sizeof(bin), "%s/big.bin", env.dir);
	cr_assert_not_null(f = fopen(bin, "wb"));
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		fputc((int)(x & 0xFFU), f);
	}
	fclose(f);
	snprintf(text, sizeof(text), "name = \"big\";\ntarget = \"STM32F103RC\";\n"
		 "image = { file = \"big.bin\"; address = 0x08000000; };\n"
		 "erase = \"pages\";\nverify = \"%s\";\nretries = 0;\n%s", verify, extra);
	cr_assert(itest_write(path, sizeof(path), &env, "big.cfg", text));
	return path;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first n bytes of the board's flash equal DIR/big.bin. */
static bool big_on_board(const char *uid, size_t n)
{
	char path[ITEST_PATH_MAX + 64];
	uint8_t *flash, *img;
	size_t fl = 0, il = 0;
	bool same;

	snprintf(path, sizeof(path), "%s/%s/flash.bin", env.state, uid);
	flash = (uint8_t *)itest_slurp(path, &fl);
	snprintf(path, sizeof(path), "%s/big.bin", env.dir);
	img = (uint8_t *)itest_slurp(path, &il);
	same = flash && img && fl >= n && il == n && memcmp(flash, img, n) == 0;
	free(flash);
	free(img);
	return same;
}

/*
 * Stop (SIGTERM twice) the run after_s into the program step of a 128 KiB
 * image on the slow-programming bench: the attempt ends inside the step,
 * during what (the page erase comes first, then the loader's stream), in
 * well under 2 s, recorded as aborted; the next run programs the board.
 */
static void stop_inside_program(double after_s, const char *what)
{
	const char *p = big_profile(128U * 1024U, "crc", "");
	const char *argv[] = { "run", p, "--boards", "1", "--db", env.db, "--plain", NULL };
	struct timespec gap = { 0, 200 * 1000000L };
	struct timespec wait = { (time_t)after_s, (long)((after_s - (double)(time_t)after_s) * 1e9) };
	char uid[32] = "", sql[512];
	double t_stop;
	pid_t pid;
	int rc;

	env.realtime = 1.0;
	cr_assert_gt(pid = itest_spawn(&env, BENCH_SLOW_PROG, argv), 0);
	cr_assert(itest_wait_for(env.out, " program", 1, 20), "the slot never reached program");
	nanosleep(&wait, NULL);
	kill(pid, SIGTERM);
	nanosleep(&gap, NULL);
	kill(pid, SIGTERM);
	t_stop = wall_s();
	rc = itest_wait(pid, 20);
	cr_assert_geq(rc, 0, "gang did not end");
	cr_expect_lt(wall_s() - t_stop, 2.0, "gang took %.1f s after the stop", wall_s() - t_stop);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM attempts WHERE result = 'aborted' AND error_message "
		 "LIKE 'stopped by the operator during %s at 0x08%%'", what);
	cr_expect_eq(itest_db_int(&env, sql), 1, "%s", sql);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM steps WHERE step = 'program' AND result = 'fail' AND "
		 "detail LIKE 'stopped by the operator during %s at 0x08%%'", what);
	cr_expect_eq(itest_db_int(&env, sql), 1, "%s", sql);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'verify'"), 0);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM attempts"));
	cr_expect_not(big_on_board(uid, 128U * 1024U), "the stop came after the whole image was written");
	/* the next run programs the same board completely (its flash was left locked and its core halted) */
	env.realtime = 0;
	cr_assert_eq(itest_run(&env, BENCH_SLOW_PROG, argv, 60), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
	cr_expect(big_on_board(uid, 128U * 1024U), "the board does not hold the image after the second run");
}

Test(run_signals, a_stop_during_the_erase_of_a_long_program_step_ends_it_between_two_pages)
{
	stop_inside_program(0.3, "erase");
}

Test(run_signals, a_stop_during_the_loaders_stream_ends_the_program_step_at_once_and_the_board_programs_next_time)
{
	stop_inside_program(4.0, "program");
}

/* two runs over a slow USB link, the second a full program and read-back: more than the suite's 60 s on a loaded machine */
Test(run_signals, a_stop_during_a_read_back_verify_ends_it_between_two_blocks_and_the_board_passes_next_time,
     .timeout = 180)
{
	const char *p = big_profile(128U * 1024U, "readback", "");
	const char *argv[] = { "run", p, "--boards", "1", "--db", env.db, "--plain", NULL };
	struct timespec gap = { 0, 200 * 1000000L }, into = { 0, 300 * 1000000L };
	char uid[32] = "";
	double t_stop;
	pid_t pid;
	int rc;

	env.realtime = 1.0;
	cr_assert_gt(pid = itest_spawn(&env, BENCH_SLOW_USB, argv), 0);
	cr_assert(itest_wait_for(env.out, " verify", 1, 30), "the slot never reached verify");
	nanosleep(&into, NULL);
	kill(pid, SIGTERM);
	nanosleep(&gap, NULL);
	kill(pid, SIGTERM);
	t_stop = wall_s();
	rc = itest_wait(pid, 20);
	cr_assert_geq(rc, 0, "gang did not end");
	cr_expect_lt(wall_s() - t_stop, 2.0, "gang took %.1f s after the stop", wall_s() - t_stop);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'verify' AND result = 'fail' AND "
				  "detail LIKE 'stopped by the operator during verify at 0x08%'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'aborted'"), 1);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM attempts"));
	env.realtime = 0;
	cr_assert_eq(itest_run(&env, BENCH_SLOW_USB, argv, 60), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
	cr_expect(big_on_board(uid, 128U * 1024U));
}

/*
 * program.timeout_s: the program step's own deadline ends it inside the
 * loader's stream as a stop would, recorded as a failed step that timed
 * out (not an operator's stop); the board programs whole without it.
 */
Test(run_signals, the_program_steps_deadline_ends_it_inside_the_stream_and_fails_the_board_saying_so)
{
	const char *p = big_profile(128U * 1024U, "crc", "program = { skip_if_same = false; timeout_s = 3; };\n");
	const char *argv[] = { "run", p, "--boards", "1", "--db", env.db, "--plain", NULL };
	char uid[32] = "";
	double t0;
	int rc;

	env.realtime = 1.0;
	t0 = wall_s();
	rc = itest_run(&env, BENCH_SLOW_PROG, argv, 30);
	cr_expect_eq(rc, 1, "the board failed");
	cr_expect_lt(wall_s() - t0, 8.0, "the run took %.1f s for a 3 s deadline (programming takes ~13 s)", wall_s() - t0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'program' AND result = 'fail' AND "
				  "detail LIKE 'step ''program'' timed out after 3 s at 0x08% (program.timeout_s)' AND "
				  "duration_ms BETWEEN 3000 AND 5000"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'fail' AND error_class = 'step' "
				  "AND error_message = 'step ''program'' timed out after 3 s — set board aside'"), 1);
	cr_expect_eq(itest_count(env.out, "FAIL step 'program' timed out after 3 s — set board aside"), 1);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM attempts"));
	cr_expect_not(big_on_board(uid, 128U * 1024U));
	/* the same board without the deadline (and unpaced): programmed whole */
	p = big_profile(128U * 1024U, "crc", "program = { skip_if_same = false; };\n");
	env.realtime = 0;
	{
		const char *again[] = { "run", p, "--boards", "1", "--db", env.db, "--plain", "--rework", NULL };

		cr_assert_eq(itest_run(&env, BENCH_SLOW_PROG, again, 60), 0);
	}
	cr_expect(big_on_board(uid, 128U * 1024U));
}
