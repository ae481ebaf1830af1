/*
 * test_open_refusals.c — gang_db_open refuses, before any board is touched,
 * with a sentence naming the file: read-only file, read-only directory,
 * another writer holding the lock, disk full; and SQLITE_FULL while
 * recording is reported as a full disk.
 */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "sqlite_fixture.h"

static fix_dir tmp;

static void setup(void)
{
	fix_sqlite_dir(&tmp);
}

static void teardown(void)
{
	chmod(tmp.dir, 0700);
	fix_dir_remove(&tmp);
}

TestSuite(db_open, .init = setup, .fini = teardown, .timeout = 30);

Test(db_open, read_only_database_file_is_refused)
{
	gang_db *db;
	gang_diag d = { 0 };

	fix_drop_root(&tmp);
	gang_db_close(fix_open(tmp.db, GANG_DB_CREATE));
	cr_assert_eq(chmod(tmp.db, 0444), 0);
	cr_expect_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_EDB);
	cr_expect_null(db);
	cr_expect_not_null(strstr(d.msg, "is read-only"), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, tmp.db), "names the file: %s", d.msg);
	/* Reports may still read it. */
	db = fix_open(tmp.db, GANG_DB_READONLY);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts"), 0);
	gang_db_close(db);
}

Test(db_open, read_only_directory_is_refused)
{
	gang_db *db;
	gang_diag d = { 0 };

	fix_drop_root(&tmp);
	gang_db_close(fix_open(tmp.db, GANG_DB_CREATE));
	cr_assert_eq(chmod(tmp.dir, 0555), 0);
	cr_expect_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "directory"), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, "read-only"), "got: %s", d.msg);
	cr_expect_eq(gang_db_open(&db, "/proc/gang-cannot-create-here.sqlite", GANG_DB_CREATE, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "cannot create database"), "got: %s", d.msg);
}

static void locked_open_refused(const char *lock_sql)
{
	gang_db *holder = fix_open(tmp.db, GANG_DB_CREATE);
	gang_db *db;
	gang_diag d = { 0 };
	uint64_t t0;
	double waited_ms;

	cr_assert_eq(fix_sqlite_exec(holder, lock_sql), SQLITE_OK);
	t0 = db_now_us();
	cr_expect_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_EDB);
	waited_ms = (double)(db_now_us() - t0) / 1000.0;
	cr_expect_null(db);
	cr_expect_not_null(strstr(d.msg, "is locked by another writer"), "got: %s", d.msg);
	cr_expect_geq(waited_ms, GANG_DB_BUSY_BUDGET_MS * 0.9, "gave up after %.0f ms", waited_ms);
	cr_expect_lt(waited_ms, GANG_DB_BUSY_BUDGET_MS + 1000.0, "waited %.0f ms", waited_ms);
	cr_assert_eq(fix_sqlite_exec(holder, "ROLLBACK"), SQLITE_OK);
	gang_db_close(fix_open(tmp.db, 0));
	gang_db_close(holder);
}

Test(db_open, database_held_by_another_writer_with_begin_immediate_is_refused)
{
	locked_open_refused("BEGIN IMMEDIATE");
}

Test(db_open, database_held_with_begin_exclusive_is_refused)
{
	locked_open_refused("BEGIN EXCLUSIVE");
}

Test(db_open, too_little_free_space_is_refused_as_disk_full)
{
	gang_diag d = { 0 };

	cr_expect_eq(db_check_space(tmp.db, 1024U * 1024U, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(db_check_space(tmp.db, UINT64_MAX / 2U, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "disk full"), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, tmp.db), "names the file: %s", d.msg);
	cr_expect_eq(db_check_space("/nonexistent-dir/x.sqlite", 1, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "cannot check free space"), "got: %s", d.msg);
}

Test(db_open, sqlite_full_while_recording_says_disk_full_and_keeps_the_database)
{
	gang_db *db = fix_open(tmp.db, GANG_DB_CREATE);
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo" };
	gang_diag d = { 0 };
	static char big[16384];
	gang_attempt_key id;
	int err = GANG_OK;

	memset(big, 'x', sizeof(big) - 1U);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	/* No room for one more page: the next growth fails with SQLITE_FULL. */
	cr_assert_eq(fix_sqlite_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
			 (long long)fix_q_int(db, "PRAGMA page_count"));
		cr_assert_eq(fix_sqlite_exec(db, sql), SQLITE_OK);
	}
	for (int i = 0; i < 8 && err == GANG_OK; i++)
		err = gang_db_step(db, &id, "program", GANG_STEP_PASS, 1, big, &d);
	cr_expect_eq(err, GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "disk full"), "got: %s", d.msg);
	gang_db_close(db);
	db = fix_open(tmp.db, 0);
	{
		char ok[32];

		fix_q_text(ok, sizeof(ok), db, "PRAGMA integrity_check");
		cr_expect_str_eq(ok, "ok");
	}
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts"), 1);
	gang_db_close(db);
}

Test(db_open, a_run_lock_file_that_is_a_symbolic_link_is_refused_naming_it)
{
	gang_db *db = fix_open(tmp.db, GANG_DB_CREATE);
	char runs[300], target[256];
	gang_diag d = { 0 };

	snprintf(runs, sizeof(runs), "%s-runs", tmp.db);
	fix_path(target, sizeof(target), &tmp, "elsewhere");
	cr_assert_eq(symlink(target, runs), 0);
	cr_expect_eq(gang_db_recover(db, NULL, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, runs), "names the link: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, "is a symbolic link"), "got: %s", d.msg);
	cr_expect_eq(access(target, F_OK), -1, "nothing created through the link");
	gang_db_close(db);
}

Test(db_open, a_database_path_that_is_a_link_to_a_missing_file_is_not_created_through_it)
{
	char link[256], target[256];
	gang_db *db = (gang_db *)1;
	gang_diag d = { 0 };

	fix_path(link, sizeof(link), &tmp, "link.sqlite");
	fix_path(target, sizeof(target), &tmp, "target.sqlite");
	cr_assert_eq(symlink(target, link), 0);
	cr_expect_eq(gang_db_open(&db, link, GANG_DB_CREATE, &d), GANG_EDB);
	cr_expect_null(db);
	cr_expect_not_null(strstr(d.msg, "is a symbolic link to a missing file"), "got: %s", d.msg);
	cr_expect_eq(access(target, F_OK), -1, "nothing created through the link");
}

Test(db_open, an_existing_database_behind_a_link_the_engineer_made_still_opens)
{
	char link[256];

	gang_db_close(fix_open(tmp.db, GANG_DB_CREATE));
	fix_path(link, sizeof(link), &tmp, "link.sqlite");
	cr_assert_eq(symlink(tmp.db, link), 0);
	gang_db_close(fix_open(link, GANG_DB_CREATE));
}
