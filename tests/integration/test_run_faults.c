/*
 * test_run_faults.c — the production run when boards and probes misbehave:
 * an ST-Link unplugged mid-batch, read-protected boards (allowed or not),
 * firmware that disables SWD, and the refusals that must happen before any
 * board is touched (profile error: exit 2; database unusable: exit 4).
 * docs/architecture.md "Errors"; profiles/README.md.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"

#define PROFILE_BASIC "tests/fixtures/profiles/run-basic.cfg"
#define PROFILE_LOCKED "tests/fixtures/profiles/run-locked.cfg"
#define PROFILE_BAD "tests/fixtures/profiles/run-bad-key.cfg"
#define BENCH_UNPLUG "tests/fixtures/benches/run-unplug.cfg"
#define BENCH_RDP "tests/fixtures/benches/run-rdp.cfg"
#define BENCH_SWDOFF "tests/fixtures/benches/run-swdoff.cfg"
#define BENCH_FIXED "tests/fixtures/benches/run-fixed.cfg"
#define V3_SERIAL "003F00213137510A39383538"

ITEST_SUITE(run_faults, 60);
static const itest_layout *const layout = &itest_demo_layout;

static int run_profile(const char *bench, const char *profile, const char *boards)
{
	return itest_run_profile(&env, bench, profile, boards, "faults", NULL, 50);
}

static void assert_invariants(void)
{
	char why[ITEST_WHY_MAX] = "";

	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
}

Test(run_faults, an_unplugged_probe_leaves_the_other_slots_finishing_and_its_slot_resumes)
{
	int rc = run_profile(BENCH_UNPLUG, PROFILE_BASIC, "9");

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_geq(itest_count(env.out, "probe " V3_SERIAL " gone: the ST-Link was unplugged"), 1);
	/* Ready at the start and again after the replug. */
	cr_assert_geq(itest_count(env.out, "probe " V3_SERIAL " ready"), 2);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts WHERE result = 'pass' "
					"AND probe_serial <> '" V3_SERIAL "'"), 6);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'fail'"), 0);
	/* The unplugged slot's boards were all programmed once it came back. */
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts WHERE result = 'pass' "
					"AND probe_serial = '" V3_SERIAL "'"), 3);
	assert_invariants();
}

Test(run_faults, a_read_protected_board_passes_after_mass_erase_when_the_profile_allows_it)
{
	int rc = run_profile(BENCH_RDP, PROFILE_BASIC, "2");

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE rdp_before = 1 AND result = 'pass'"), 1);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'unprotect' AND result = 'pass'"), 1);
	cr_assert_eq(itest_count(env.out, "note: read protection removed"), 1);
	assert_invariants();
}

Test(run_faults, a_read_protected_board_fails_as_read_protected_when_the_profile_forbids_unprotecting)
{
	int rc = run_profile(BENCH_RDP, PROFILE_LOCKED, "2");

	cr_assert_eq(rc, 1, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE rdp_before = 1 AND result = 'fail' "
					"AND error_class = 'read-protected'"), 1);
	/* Not retryable: one attempt, and the other board of the batch still passes. */
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE rdp_before = 1"), 1);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
	/* the sentence names the profile key that would allow unprotecting it */
	cr_assert_eq(itest_count(env.out, "FAIL the chip is read-protected (RDP 1) and the profile does not "
				 "allow removing it (option_bytes.allow_unprotect) — set board aside"), 1);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'program' AND attempt_id IN "
					"(SELECT id FROM attempts WHERE rdp_before = 1)"), 0);
	assert_invariants();
}

Test(run_faults, a_board_whose_firmware_disables_swd_is_recovered_under_reset_and_recorded)
{
	int rc = run_profile(BENCH_SWDOFF, PROFILE_BASIC, "2");

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE connect_mode = 'under-reset' "
					"AND result = 'pass'"), 1);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE connect_mode = 'normal' "
					"AND result = 'pass'"), 1);
	cr_assert_eq(itest_count(env.out, "note: SWD disabled by firmware — recovered under reset"), 1);
	assert_invariants();
}

Test(run_faults, a_profile_error_exits_2_naming_file_line_and_key_before_any_board)
{
	char want[64];
	char *err;
	int rc = run_profile(BENCH_FIXED, PROFILE_BAD, "1");

	cr_assert_eq(rc, 2, "exit %d", rc);
	err = itest_slurp(env.err, NULL);
	cr_assert_not_null(err);
	snprintf(want, sizeof(want), "run-bad-key.cfg:8: serial.adress: unknown key");
	cr_assert(strstr(err, want), "stderr: %s", err);
	free(err);
	/* No board was touched: the bench never made a board state. */
	cr_assert_eq(rmdir(env.state), 0, "the bench state is not empty");
	cr_assert_eq(access(env.db, F_OK), -1, "a database was created");
}

/* Make the database unwritable for this process's children; false if impossible here. */
static bool make_read_only(const char *path)
{
	char cmd[ITEST_PATH_MAX + 32];

	if (geteuid() != 0)
		return chmod(path, 0444) == 0;
	/* root ignores modes: the immutable attribute binds root too. */
	snprintf(cmd, sizeof(cmd), "chattr +i '%s' 2>/dev/null", path);
	return system(cmd) == 0;
}

static void undo_read_only(const char *path)
{
	char cmd[ITEST_PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "chattr -i '%s' 2>/dev/null", path);
	if (geteuid() == 0 && system(cmd) != 0)
		fprintf(stderr, "cannot undo chattr +i on %s\n", path);
	chmod(path, 0644);
}

Test(run_faults, a_read_only_database_exits_4_before_any_board)
{
	int rc;
	int64_t attempts;
	char *err;

	cr_assert_eq(run_profile(BENCH_FIXED, PROFILE_BASIC, "1"), 0);
	attempts = itest_db_int(&env, "SELECT count(*) FROM attempts");
	if (!make_read_only(env.db))
		cr_skip_test("cannot make %s read-only here (chattr needs ext2/3/4 or xfs)", env.db);
	rc = run_profile(BENCH_FIXED, PROFILE_BASIC, "1");
	undo_read_only(env.db);
	cr_assert_eq(rc, 4, "exit %d", rc);
	err = itest_slurp(env.err, NULL);
	cr_assert(err && strstr(err, "read-only"), "stderr: %s", err ? err : "");
	free(err);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts"), attempts);
	cr_assert_eq(itest_count(env.out, "board "), 1, "the second run touched a board");
}

Test(run_faults, a_database_locked_by_another_program_exits_4_before_any_board)
{
	sqlite3 *locker = NULL;
	char *err;
	int rc;

	cr_assert_eq(run_profile(BENCH_FIXED, PROFILE_BASIC, "1"), 0);
	/* Another program holds the write lock for the whole of gang's start. */
	cr_assert_eq(sqlite3_open(env.db, &locker), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(locker, "BEGIN EXCLUSIVE; UPDATE boards SET last_seen = last_seen;", NULL, NULL,
				  NULL), SQLITE_OK, "%s", sqlite3_errmsg(locker));
	rc = run_profile(BENCH_FIXED, PROFILE_BASIC, "1");
	sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(locker);
	cr_assert_eq(rc, 4, "exit %d", rc);
	err = itest_slurp(env.err, NULL);
	cr_assert(err && strstr(err, "is locked by another writer"), "stderr: %s", err ? err : "");
	free(err);
	cr_assert_eq(itest_count(env.out, "board "), 1, "the second run touched a board");
}
