/*
 * test_fixture.h — the conformance fixture of tests/db and tests/serial:
 * the storage backends under test (one factory line each), a private
 * temporary directory per test with the database's location in it, raw
 * queries through the test-support API (db/db_testing.h, never a backend's
 * internals), and dropping root so permission checks apply.
 *
 * FIX_STORE_TEST defines a test that runs once per backend of
 * fix_backends[]: each run is its own process (Criterion) with the suite's
 * setup called after the backend is chosen. SQLite-only tests (files, WAL,
 * locks, migrations) live in tests/db/test_sqlite_*.c with sqlite_fixture.h.
 * Header-only (static) so each test binary gets its own copy.
 */
#ifndef GANG_TESTS_DB_TEST_FIXTURE_H
#define GANG_TESTS_DB_TEST_FIXTURE_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_testing.h"
#include "pgserver.h"

#define FIX_NOBODY_UID 65534U

typedef struct fix_dir {
	char dir[64];
	char db[256]; /* what gang_db_open is given: a file path, a URI */
} fix_dir;

/* A backend's factory: where a fresh, empty database for one test lives (f->dir exists). */
typedef struct fix_backend {
	const char *name;
	void (*locate)(fix_dir *f);
} fix_backend;

static inline void fix_sqlite_locate(fix_dir *f)
{
	snprintf(f->db, sizeof(f->db), "%s/gang.sqlite", f->dir);
}

/*
 * A fresh database on the test binary's PostgreSQL server (PGSERVER_SHARED_HOOKS
 * in one file of the binary), named after this test's process. Skipped, saying
 * why, only when the server programs are missing.
 */
static inline void fix_pg_locate(fix_dir *f)
{
	pgserver s;
	char name[32];

	if (pgserver_shared(&s) != 0) {
		if (!pgserver_available(NULL))
			cr_skip_test("%s", s.err);
		cr_assert_fail("%s", s.err);
	}
	snprintf(name, sizeof(name), "t%ld", (long)getpid());
	cr_assert_eq(pgserver_createdb(&s, name), 0, "%s", s.err);
	pgserver_uri(f->db, sizeof(f->db), &s, name);
}

/* Every backend the conformance tests run against; adding one is one line. */
static const fix_backend fix_backends[] = {
	{ "sqlite", fix_sqlite_locate },
#ifdef GANG_WITH_PG
	{ "postgresql", fix_pg_locate },
#endif
};
#define FIX_N_BACKENDS (sizeof(fix_backends) / sizeof(fix_backends[0]))

/* The backend of this test's process (a FIX_STORE_TEST sets it first; else SQLite). */
static int fix_backend_ix;

static inline void fix_dir_make(fix_dir *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/gang-dbtest-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	fix_backends[fix_backend_ix].locate(f);
}

#define FIX_STORE_TEST(suite_, test_, setup_, ...)                                              \
	static void suite_##_##test_##_body(void);                                                  \
	ParameterizedTestParameters(suite_, test_)                                                  \
	{                                                                                         \
		static int ix[FIX_N_BACKENDS];                                                    \
		for (size_t i = 0; i < FIX_N_BACKENDS; i++)                                       \
			ix[i] = (int)i;                                                           \
		return cr_make_param_array(int, ix, FIX_N_BACKENDS);                              \
	}                                                                                         \
	ParameterizedTest(int *backend, suite_, test_, ##__VA_ARGS__)                               \
	{                                                                                         \
		fix_backend_ix = *backend;                                                        \
		cr_log_info("backend %s", fix_backends[*backend].name);                           \
		setup_();                                                                       \
		suite_##_##test_##_body();                                                          \
	}                                                                                         \
	static void suite_##_##test_##_body(void)

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

/* First column of the first row as text into out ("" when no row, "NULL" for NULL). */
static inline void fix_q_text(char *out, size_t cap, gang_db *db, const char *sql)
{
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_test_query(out, cap, db, sql, &d), GANG_OK, "%s: %s", sql, d.msg);
}

/* First column of the first row as integer (-1 when no row or NULL). */
static inline int64_t fix_q_int(gang_db *db, const char *sql)
{
	char text[64];

	fix_q_text(text, sizeof(text), db, sql);
	if (!text[0] || strcmp(text, "NULL") == 0)
		return -1;
	return strtoll(text, NULL, 10);
}

/* One statement in its own transaction: GANG_OK, or the gang_err the database's refusal maps to. */
static inline int fix_exec(gang_db *db, const char *sql)
{
	return gang_db_test_exec(db, sql, NULL);
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
