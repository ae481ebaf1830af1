/*
 * test_fixture.h — helpers shared by tests/db and tests/serial: a private
 * temporary directory per test, raw SQL queries through the connection of a
 * gang_db (the SQLite backend's sqlite_internal.h), and dropping root so permission checks apply.
 * Header-only (static) so each test binary gets its own copy.
 */
#ifndef GANG_TESTS_DB_TEST_FIXTURE_H
#define GANG_TESTS_DB_TEST_FIXTURE_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/sqlite/sqlite_internal.h"

#define FIX_NOBODY_UID 65534U

typedef struct fix_dir {
	char dir[64];
	char db[128];
} fix_dir;

static inline void fix_dir_make(fix_dir *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/gang-dbtest-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/gang.sqlite", f->dir);
}

static inline int fix_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void fix_dir_remove(fix_dir *f)
{
	if (f->dir[0])
		nftw(f->dir, fix_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static inline void fix_path(char *out, size_t cap, const fix_dir *f, const char *name)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
}

static inline gang_db *fix_open(const char *path, int flags)
{
	gang_db *db = NULL;
	gang_diag d = { 0 };
	int err = gang_db_open(&db, path, flags, &d);

	cr_assert_eq(err, GANG_OK, "gang_db_open(%s): %d %s", path, err, d.msg);
	return db;
}

/* First column of the first row as integer (-1 when no row or NULL). */
static inline int64_t fix_q_int(gang_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	cr_assert_eq(sqlite3_prepare_v2(db_sqlite_of(db)->conn, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db_sqlite_of(db)->conn));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* First column of the first row as text into out ("" when no row, "NULL" for NULL). */
static inline void fix_q_text(char *out, size_t cap, gang_db *db, const char *sql)
{
	sqlite3_stmt *st;
	const unsigned char *s;

	out[0] = '\0';
	cr_assert_eq(sqlite3_prepare_v2(db_sqlite_of(db)->conn, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db_sqlite_of(db)->conn));
	if (sqlite3_step(st) == SQLITE_ROW) {
		s = sqlite3_column_text(st, 0);
		snprintf(out, cap, "%s", s ? (const char *)s : "NULL");
	}
	sqlite3_finalize(st);
}

static inline int fix_exec(gang_db *db, const char *sql)
{
	return sqlite3_exec(db_sqlite_of(db)->conn, sql, NULL, NULL, NULL);
}

/* Criterion runs each test in its own process: dropping root there is contained. */
static inline void fix_drop_root(const fix_dir *f)
{
	if (geteuid() != 0)
		return;
	cr_assert_eq(chown(f->dir, FIX_NOBODY_UID, FIX_NOBODY_UID), 0);
	cr_assert_eq(setresgid(FIX_NOBODY_UID, FIX_NOBODY_UID, FIX_NOBODY_UID), 0);
	cr_assert_eq(setresuid(FIX_NOBODY_UID, FIX_NOBODY_UID, FIX_NOBODY_UID), 0);
}

#endif
