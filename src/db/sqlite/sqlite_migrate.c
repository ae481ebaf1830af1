/*
 * sqlite_migrate.c — the SQLite backend's numbered schema migrations.
 * db/migrations/sqlite/NNNN_name.sql are embedded at build time by
 * tools/embed-sql into sqlite_migrations.inc (Makefile rule:
 * $(BUILD)/gen/sqlite_migrations.inc, on the include path via -I$(BUILD)/gen).
 * PRAGMA user_version holds the number of the last migration applied; the
 * caller runs db_migrate inside its write transaction so a crash leaves the
 * database either fully at the old version or fully at the new one.
 * Reference: https://sqlite.org/pragma.html#pragma_user_version
 */
#include "db/sqlite/sqlite_internal.h"

#include <stdio.h>

typedef struct db_migration {
	int version;
	const char *name;
	const char *sql;
} db_migration;

static const db_migration db_migrations[] = {
#if __has_include("sqlite_migrations.inc")
#include "sqlite_migrations.inc"
#elif __has_include("../../../build/gen/sqlite_migrations.inc")
/* Default build directory, for compile lines without -I$(BUILD)/gen. */
#include "../../../build/gen/sqlite_migrations.inc"
#else
#error "sqlite_migrations.inc missing: run tools/embed-sql build/gen/sqlite_migrations.inc db/migrations/sqlite/*.sql"
#endif
};

#define DB_MIGRATION_COUNT ((int)(sizeof(db_migrations) / sizeof(db_migrations[0])))

int db_migration_count(void)
{
	return DB_MIGRATION_COUNT;
}

const char *db_migration_sql(int version)
{
	if (version < 1 || version > DB_MIGRATION_COUNT)
		return NULL;
	return db_migrations[version - 1].sql;
}

int gang_db_schema_version(void)
{
	return DB_MIGRATION_COUNT;
}

int db_user_version(int *out, db_sqlite *db, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	*out = 0;
	if ((err = db_prepare(&st, db, "PRAGMA user_version", d)) < 0)
		return err;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc, d, "reading the schema version");
	return GANG_OK;
}

int db_migrate(db_sqlite *db, int from, int to, gang_diag *d)
{
	char sql[64];
	int rc;

	if (from < 0 || to > DB_MIGRATION_COUNT || from > to)
		return gang_diag_set(d, GANG_ERR, "database %s: cannot migrate from version %d to %d",
				     db->path, from, to);
	for (int v = from + 1; v <= to; v++) {
		char what[96];

		snprintf(what, sizeof(what), "applying migration %s", db_migrations[v - 1].name);
		rc = sqlite3_exec(db->conn, db_migrations[v - 1].sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return db_fail(db, rc, d, what);
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", to);
	return db_exec(db, sql, d);
}
