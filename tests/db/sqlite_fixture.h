/*
 * sqlite_fixture.h — for the SQLite-only tests (tests/db/test_sqlite_*.c):
 * what only the SQLite backend has (its file, WAL, file locks, migrations,
 * the writer gate), reached through its private header. Every other test
 * uses test_fixture.h alone.
 */
#ifndef GANG_TESTS_DB_SQLITE_FIXTURE_H
#define GANG_TESTS_DB_SQLITE_FIXTURE_H

#include "db/sqlite/sqlite_internal.h"
#include "test_fixture.h"

/* The SQLite connection behind a handle this backend opened. */
static inline sqlite3 *fix_sqlite_conn(gang_db *db)
{
	cr_assert_str_eq(db->ops->scheme, "sqlite");
	return db_sqlite_of(db)->conn;
}

/* A statement straight on the connection, outside any transaction of gang's: SQLite's result code. */
static inline int fix_sqlite_exec(gang_db *db, const char *sql)
{
	return sqlite3_exec(fix_sqlite_conn(db), sql, NULL, NULL, NULL);
}

/* A scratch directory with an SQLite database path in it, whatever fix_backends[] lists. */
static inline void fix_sqlite_dir(fix_dir *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/gang-dbtest-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	fix_sqlite_locate(f);
}

#endif
