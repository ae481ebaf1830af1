/*
 * test_run_batch.c — whole batches through `gang run` on the virtual bench:
 * every board gets the image and its own serial (checked in the board's
 * flash file, not through gang), a reworked board keeps its serial, the
 * pool runs dry cleanly, and --boards stops the run (docs/architecture.md
 * "Serial numbers and traceability"; profiles/README.md "serial").
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define PROFILE_BASIC "tests/fixtures/profiles/run-basic.cfg"
#define PROFILE_TINY "tests/fixtures/profiles/run-tiny-pool.cfg"
#define BENCH_QUAD "tests/fixtures/benches/run-quad10.cfg"
#define BENCH_REWORK "tests/fixtures/benches/run-rework.cfg"
#define BENCH_FIXED "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_SEEN "tests/fixtures/benches/run-seen-again.cfg"

ITEST_SUITE(run_batch, 90);
static const itest_layout *const layout = &itest_demo_layout;

static int run_profile(const char *bench, const char *profile, const char *boards, double timeout_s)
{
	return itest_run_profile(&env, bench, profile, boards, "itest", NULL, timeout_s);
}

/* Every passing board's flash is image + its serial; serials are all different. */
static void check_every_pass_on_disk(int64_t want)
{
	char why[ITEST_WHY_MAX] = "";

	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM boards WHERE last_result = 'pass'"), want);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT serial) FROM boards WHERE serial IS NOT NULL"),
		     want);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
}

Test(run_batch, four_probes_program_forty_boards_each_with_the_image_and_its_own_serial)
{
	int rc = run_profile(BENCH_QUAD, PROFILE_BASIC, "40", 80);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_count(env.out, " PASS serial "), 40);
	check_every_pass_on_disk(40);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT slot) FROM attempts"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT min(serial_value) FROM attempts"), 5000);
	cr_assert_eq(itest_db_int(&env, "SELECT max(serial_value) FROM attempts"), 5039);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 40);
}

Test(run_batch, a_reworked_board_gets_the_same_serial_and_both_attempts_are_recorded)
{
	char s1[32], s2[32];
	int rc = itest_run_profile(&env, BENCH_REWORK, PROFILE_BASIC, "3", "itest", "--rework", 40);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE uid = '3A0041001851363036363731' "
					"AND result = 'pass'"), 2);
	cr_assert(itest_db_text(s1, sizeof(s1), &env, "SELECT min(serial_value) FROM attempts WHERE uid = "
			       "'3A0041001851363036363731'"));
	cr_assert(itest_db_text(s2, sizeof(s2), &env, "SELECT max(serial_value) FROM attempts WHERE uid = "
			       "'3A0041001851363036363731'"));
	cr_assert_str_eq(s1, s2);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials"), 2, "the rework took a new serial");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE rework = 1"), 1);
	cr_assert_eq(itest_db_int(&env, "SELECT rework FROM attempts WHERE uid = '3A0041001851363036363731' "
					"ORDER BY id LIMIT 1"), 0, "the first pass is no rework");
	check_every_pass_on_disk(2);
}

/*
 * The same board back in the fixture after it passed (restarted run, a
 * board put back by mistake) is not programmed again: the slot says so, the
 * sighting is recorded, nothing is written to the board, and it does not
 * count as a board of the batch.
 */
Test(run_batch, a_board_that_passed_is_not_programmed_again_without_rework)
{
	char why[ITEST_WHY_MAX] = "", at[32], want[64];
	int rc = run_profile(BENCH_SEEN, PROFILE_BASIC, "3", 40);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts"), 3, "no attempt for the board seen again");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 3);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM sightings WHERE uid = '3A0041001851363036363731'"), 1);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM sightings s JOIN attempts a ON a.id = "
					"s.pass_attempt_id WHERE a.result = 'pass' AND a.uid = s.uid"), 1);
	cr_assert(itest_db_text(at, sizeof(at), &env, "SELECT substr(finished_at, 1, 10) FROM attempts WHERE uid = "
			       "'3A0041001851363036363731'"));
	cr_assert_eq(itest_count(env.out, "already programmed (PASS "), 1);
	cr_assert_eq(itest_count(env.out, ", serial 5000) — remove it"), 1);
	snprintf(want, sizeof(want), "already programmed (PASS %s ", at);
	cr_assert_eq(itest_count(env.out, want), 1, "the sentence names the pass's date %s", at);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials"), 3);
	check_every_pass_on_disk(3);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
}

Test(run_batch, running_twice_on_the_same_boards_keeps_every_serial)
{
	char before[128], after[128];

	cr_assert_eq(run_profile(BENCH_FIXED, PROFILE_BASIC, "2", 40), 0);
	cr_assert(itest_db_text(before, sizeof(before), &env,
				"SELECT group_concat(uid || '=' || serial, ',') FROM (SELECT * FROM boards ORDER BY uid)"));
	/* Nobody swapped the boards: the second run reworks the same two. */
	cr_assert_eq(itest_run_profile(&env, BENCH_FIXED, PROFILE_BASIC, "2", "itest", "--rework", 40), 0);
	cr_assert(itest_db_text(after, sizeof(after), &env,
				"SELECT group_concat(uid || '=' || serial, ',') FROM (SELECT * FROM boards ORDER BY uid)"));
	cr_assert_str_eq(before, after);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts"), 2);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials"), 2);
	check_every_pass_on_disk(2);
}

Test(run_batch, an_exhausted_pool_stops_the_board_before_programming_and_exits_1)
{
	int rc = run_profile(BENCH_QUAD, PROFILE_TINY, "5", 40);
	char uid[32], why[ITEST_WHY_MAX] = "", path[ITEST_PATH_MAX + 64];
	char *flash;
	size_t len = 0, erased = 0;

	cr_assert_eq(rc, 1, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials"), 3, "no 4th serial");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 3);
	/* The board that found the pool dry fails; then every slot stops before its next board. */
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE error_class = 'serial'"), 1);
	cr_assert_eq(itest_count(env.out, "FAIL serial pool 'tiny' is exhausted — stop and ask the engineer"), 1);
	cr_assert_geq(itest_count(env.out, "serial pool 'tiny' is exhausted — this slot stopped; ask the engineer"),
		      1);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE started_at > (SELECT finished_at FROM "
					"attempts WHERE error_class = 'serial')"), 0,
		     "a board was started after the pool ran dry");
	/* A board that got no serial was never erased nor programmed: its flash is blank as delivered. */
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM attempts WHERE error_class = 'serial'"));
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM steps s JOIN attempts a ON a.id = s.attempt_id "
					"WHERE a.error_class = 'serial' AND s.step = 'program'"), 0);
	snprintf(path, sizeof(path), "%s/%s/flash.bin", env.state, uid);
	flash = itest_slurp(path, &len);
	cr_assert_not_null(flash);
	while (erased < len && (unsigned char)flash[erased] == 0xFFU)
		erased++;
	free(flash);
	cr_assert_eq(erased, len, "board %s was touched", uid);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
}

Test(run_batch, boards_n_stops_after_n_boards)
{
	int rc = run_profile(BENCH_QUAD, PROFILE_BASIC, "6", 40);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts"), 6);
	cr_assert_eq(itest_count(env.out, " PASS serial "), 6);
	cr_assert_eq(itest_count(env.out, "batch itest: 6 boards, 6 passed"), 1);
	check_every_pass_on_disk(6);
}

/* Overwrite the byte at flash offset off of board uid; returns the old byte. */
static int poke_flash(const char *uid, long off, int byte)
{
	char path[ITEST_PATH_MAX + 64];
	FILE *f;
	int old;

	snprintf(path, sizeof(path), "%s/%s/flash.bin", env.state, uid);
	f = fopen(path, "r+b");
	cr_assert_not_null(f, "%s", path);
	fseek(f, off, SEEK_SET);
	old = fgetc(f);
	fseek(f, off, SEEK_SET);
	fputc(byte, f);
	fclose(f);
	return old;
}

Test(run_batch, the_invariant_checker_catches_a_tampered_board_and_an_open_attempt)
{
	char uid[32], why[ITEST_WHY_MAX] = "";
	sqlite3 *db = NULL;
	int old;

	cr_assert_eq(run_profile(BENCH_FIXED, PROFILE_BASIC, "2", 40), 0);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT min(uid) FROM boards"));
	/* One bit of the serial flipped on the board. */
	old = poke_flash(uid, 0x3F801, 0x5A);
	cr_assert_not(itest_invariants(&env, layout, why, sizeof(why)));
	cr_assert(strstr(why, "0x0803F801") && strstr(why, uid), "%s", why);
	poke_flash(uid, 0x3F801, old);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
	/* An attempt left open, as a crash without recovery would leave it. */
	cr_assert_eq(sqlite3_open(env.db, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE attempts SET finished_at = NULL, result = NULL WHERE id = 1", NULL,
				  NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	cr_assert_not(itest_invariants(&env, layout, why, sizeof(why)));
	cr_assert(strstr(why, "an attempt is still open"), "%s", why);
}

Test(run_batch, two_clones_sharing_a_serial_get_two_slots_told_apart_by_port_path)
{
	int rc = run_profile("tests/fixtures/benches/run-clones.cfg", PROFILE_BASIC, "6", 40);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM slot_map WHERE probe_serial = "
					"'543F72067577574934311230'"), 2);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT usb_path) FROM slot_map WHERE probe_serial = "
					"'543F72067577574934311230'"), 2);
	/* Each clone programmed its own two boards. */
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM (SELECT slot FROM attempts WHERE probe_serial = "
					"'543F72067577574934311230' AND result = 'pass' GROUP BY slot "
					"HAVING count(DISTINCT uid) = 2)"), 2);
	check_every_pass_on_disk(6);
}

Test(run_batch, two_gang_runs_sharing_a_database_leave_each_others_open_attempts_alone)
{
	const char *a_argv[] = { "run", NULL, "--probe", "066DFF485457725187084919", "--boards", "3", "--db",
				 env.db, "--plain", "--batch", "run-a", NULL };
	const char *b_argv[] = { "run", NULL, "--probe", "57FF6B064966545232401287", "--boards", "3", "--db",
				 env.db, "--plain", "--batch", "run-b", NULL };
	char prof[ITEST_PATH_MAX];
	itest_env env_b;
	pid_t a, b;

	itest_path(prof, sizeof(prof), &env, PROFILE_BASIC);
	a_argv[1] = b_argv[1] = prof;
	env.realtime = 1;   /* paced, so run A is mid-attempt when run B starts and recovers */
	a = itest_spawn(&env, BENCH_QUAD, a_argv);
	cr_assert_gt(a, 0);
	cr_assert(itest_wait_for(env.out, " program", 1, 30), "run A never started programming");
	env_b = env;
	snprintf(env_b.out, sizeof(env_b.out), "%s/stdout-b", env.dir);
	snprintf(env_b.err, sizeof(env_b.err), "%s/stderr-b", env.dir);
	b = itest_spawn(&env_b, BENCH_QUAD, b_argv);
	cr_assert_gt(b, 0);
	cr_expect_eq(itest_wait(a, 60), 0, "run A");
	cr_expect_eq(itest_wait(b, 60), 0, "run B");
	cr_expect_eq(itest_count(env_b.err, "left open by an earlier run"), 0, "run B closed attempts of run A");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'aborted'"), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass' AND batch = 'run-a'"), 3);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass' AND batch = 'run-b'"), 3);
	cr_expect_eq(itest_db_int(&env, "SELECT count(DISTINCT run_id) FROM attempts"), 2);
	check_every_pass_on_disk(6);
}

Test(run_batch, a_finished_board_whose_firmware_turns_swd_off_late_is_not_taken_for_a_new_one)
{
	int rc = run_profile("tests/fixtures/benches/run-slow-swap.cfg", "tests/fixtures/profiles/run-swdoff-late.cfg",
			     "2", 60);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts"), 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts"), 2,
		     "the finished board was programmed again when its SWD went silent");
	cr_expect_eq(itest_count(env.out, "board removed"), 1);
}
