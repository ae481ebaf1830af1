/*
 * test_run_disk.c — the disk under the database fills up in the middle of
 * a batch (a 2 MiB tmpfs in a private mount namespace, filled 2.5 s into
 * the run): every slot must stop with a clear message instead of spinning,
 * no PASS may be shown that is not in the database, and after a restart
 * (which closes what the full disk left open) every invariant holds.
 * Needs root and unshare(1); skipped with a message otherwise.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"

#define PROFILE_BASIC "tests/fixtures/profiles/run-basic.cfg"
#define BENCH_QUAD "tests/fixtures/benches/run-quad10.cfg"

/* $0: the mount point; the database files are copied to $0.copy when gang ends. */
#define DISK_SCRIPT                                                                                     \
	"mount -t tmpfs -o size=2m gangitest \"$0\" || exit 99; "                                       \
	"(sleep 2.5; dd if=/dev/zero of=\"$0/filler\" bs=4k 2>/dev/null) & "                            \
	"\"$@\"; rc=$?; wait; rm -f \"$0/filler\"; cp \"$0\"/gang* \"$0.copy\"/; exit $rc"

ITEST_SUITE(run_disk, 90);
static const itest_layout *const layout = &itest_demo_layout;

/* Each "PASS serial N uid U" line shown to the operator is a recorded pass. */
static void every_shown_pass_is_recorded(void)
{
	char *text = itest_slurp(env.out, NULL), *save = NULL, sql[160];
	unsigned serial;
	char uid[32];

	cr_assert_not_null(text);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = strstr(line, " PASS serial ");

		if (!p || sscanf(p, " PASS serial %u uid %24s", &serial, uid) != 2)
			continue;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM attempts WHERE uid = '%s' AND serial_value = %u "
			 "AND result = 'pass'", uid, serial);
		cr_assert_geq(itest_db_int(&env, sql), 1, "PASS shown but not recorded: %s", line);
	}
	free(text);
}

Test(run_disk, a_disk_that_fills_mid_run_stops_the_slots_and_loses_no_pass)
{
	char mnt[ITEST_DIR_MAX + 8], copy[ITEST_DIR_MAX + 16], why[ITEST_WHY_MAX] = "";
	const char *wrap[] = { "unshare", "-m", "sh", "-c", DISK_SCRIPT, mnt, NULL };
	const char *argv[] = { "run", NULL, "--boards", "40", "--db", env.db, "--plain", NULL };
	char prof[ITEST_PATH_MAX];
	int rc;

	if (geteuid() != 0 || system("unshare -m true 2>/dev/null") != 0)
		cr_skip_test("needs root and unshare -m for a private tmpfs");
	itest_path(prof, sizeof(prof), &env, PROFILE_BASIC);
	argv[1] = prof;
	snprintf(mnt, sizeof(mnt), "%s/dbfs", env.dir);
	snprintf(copy, sizeof(copy), "%s.copy", mnt);
	cr_assert(mkdir(mnt, 0755) == 0 && mkdir(copy, 0755) == 0);
	snprintf(env.db, sizeof(env.db), "%s/gang.sqlite", mnt);
	env.wrap = wrap;
	rc = itest_run(&env, BENCH_QUAD, argv, 60);
	cr_assert_neq(rc, -1, "gang did not stop when the disk filled");
	cr_assert_eq(rc, 4, "a run whose database filled up exited %d, not 4 (database)", rc);
	cr_assert_lt(itest_count(env.out, " "), 1000, "the slots spun: %d lines", itest_count(env.out, " "));
	cr_assert_geq(itest_count(env.err, "disk full"), 1, "no clear message");
	snprintf(env.db, sizeof(env.db), "%s/gang.sqlite", copy);
	every_shown_pass_is_recorded();
	/* Restart on the saved database (disk space back): recovery, then every invariant. */
	env.wrap = NULL;
	argv[3] = "4";
	cr_assert_eq(itest_run(&env, BENCH_QUAD, argv, 40), 0);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s", why);
}
