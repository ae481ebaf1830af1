/*
 * pg_migrate.c — the PostgreSQL backend's numbered schema migrations.
 * db/migrations/pg/NNNN_name.sql are embedded at build time by
 * tools/embed-sql into pg_migrations.inc (Makefile rule
 * $(BUILD)/gen/pg_migrations.inc). The table schema_version holds the
 * number of every migration applied. Opening read-write applies the
 * missing ones in one transaction under a transaction-level advisory lock,
 * so stations opening a new database together migrate it once, and a
 * crash leaves it wholly at the old version or wholly at the new one
 * (DDL is transactional in PostgreSQL).
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>

typedef struct pg_migration {
	int version;
	const char *name;
	const char *sql;
} pg_migration;

static const pg_migration pg_migrations[] = {
#if __has_include("pg_migrations.inc")
#include "pg_migrations.inc"
#elif __has_include("../../../build/gen/pg_migrations.inc")
#include "../../../build/gen/pg_migrations.inc"
#else
#error "pg_migrations.inc missing: run tools/embed-sql build/gen/pg_migrations.inc db/migrations/pg/*.sql"
#endif
};

#define PG_MIGRATION_COUNT ((int)(sizeof(pg_migrations) / sizeof(pg_migrations[0])))

int pg_migration_count(void)
{
	return PG_MIGRATION_COUNT;
}

/* The schema's version: 0 for a database without gang's tables. */
static int pg_schema_version(int *out, db_pg *db, gang_diag *d)
{
	PGresult *r;
	int err;

	*out = 0;
	if ((err = pg_q(&r, db, "SELECT to_regclass('schema_version') IS NOT NULL", NULL,
			"reading the schema version", d)) < 0)
		return err;
	if (PQgetvalue(r, 0, 0)[0] != 't') {
		PQclear(r);
		return GANG_OK;
	}
	PQclear(r);
	if ((err = pg_q(&r, db, "SELECT COALESCE(max(version), 0) FROM schema_version", NULL,
			"reading the schema version", d)) < 0)
		return err;
	*out = (int)pg_int(r, 0, 0);
	PQclear(r);
	return GANG_OK;
}

static int pg_check_version(int version, db_pg *db, gang_diag *d)
{
	if (version > PG_MIGRATION_COUNT)
		return gang_diag_set(d, GANG_EDB,
				     "database %s: schema version %d is newer than this gang (%d); upgrade gang",
				     db->shown, version, PG_MIGRATION_COUNT);
	/* the database itself exists (the engineer made it): any read-write open may create the tables */
	if (version == 0 && (db->flags & GANG_DB_READONLY))
		return gang_diag_set(d, GANG_EDB,
				     "database %s has no gang schema yet; `gang run` creates it (or `gang db "
				     "upgrade`)",
				     db->shown);
	if ((db->flags & GANG_DB_READONLY) && version < PG_MIGRATION_COUNT)
		return gang_diag_set(d, GANG_EDB,
				     "database %s: schema version %d is older than this gang (%d); upgrade it "
				     "once with `gang db upgrade` (or any gang run on it)",
				     db->shown, version, PG_MIGRATION_COUNT);
	return GANG_OK;
}

static int pg_apply(db_pg *db, int from, gang_diag *d)
{
	pg_params p;
	char what[96];
	int err;

	for (int v = from + 1; v <= PG_MIGRATION_COUNT; v++) {
		snprintf(what, sizeof(what), "applying migration %s", pg_migrations[v - 1].name);
		/* embedded text without values; several statements, hence the simple query protocol */
		PGresult *r = PQexec(db->conn, pg_migrations[v - 1].sql);

		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			err = pg_fail(db, r, what, d);
			PQclear(r);
			return err;
		}
		PQclear(r);
		p = (pg_params){ 0 };
		pg_p_int(&p, v);
		if ((err = pg_q(NULL, db, "INSERT INTO schema_version (version, applied_at) VALUES ($1, gang_now())",
				&p, what, d)) < 0)
			return err;
	}
	return GANG_OK;
}

/* Migrate with the session's migration lock held (taken before the transaction, see below). */
static int pg_migrate_locked(db_pg *db, gang_diag *d)
{
	int version, err;

	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_schema_version(&version, db, d)) < 0 || (err = pg_check_version(version, db, d)) < 0 ||
	    (err = pg_apply(db, version, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

/*
 * Once migration 2 made the roles, only a member of gang_engineer (or a
 * superuser) migrates: a station's role is told who must, instead of
 * failing halfway on a privilege.
 */
static int pg_may_migrate(db_pg *db, int version, gang_diag *d)
{
	PGresult *r;
	int err, may;

	if ((err = pg_q(&r, db,
			"SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gang_engineer') "
			"OR pg_has_role('gang_engineer', 'MEMBER'), current_user",
			NULL, "checking who may migrate", d)) < 0)
		return err;
	may = PQgetvalue(r, 0, 0)[0] == 't';
	if (!may)
		err = gang_diag_set(d, GANG_EDB,
				    "database %s: schema version %d is older than this gang (%d) and role %s may not "
				    "upgrade it; run `gang db upgrade` once as the engineer (a member of gang_engineer)",
				    db->shown, version, PG_MIGRATION_COUNT, PQgetvalue(r, 0, 1));
	PQclear(r);
	return err;
}

/*
 * The migration lock is a session lock taken before the transaction
 * begins: a transaction that started before another station's migration
 * committed may still resolve table names from its own start (the catalog
 * is re-read when a transaction starts), so the version is read, and the
 * migrations applied, in a transaction that starts after the lock is ours.
 */
int pg_migrate_on_open(db_pg *db, gang_diag *d)
{
	pg_params p = { 0 };
	int version, err;

	if ((err = pg_schema_version(&version, db, d)) < 0 || (err = pg_check_version(version, db, d)) < 0)
		return err;
	if ((db->flags & GANG_DB_READONLY) || version == PG_MIGRATION_COUNT)
		return GANG_OK;
	if ((err = pg_may_migrate(db, version, d)) < 0)
		return err;
	pg_p_int(&p, PG_LOCK_MIGRATE);
	if ((err = pg_q(NULL, db, "SELECT pg_advisory_lock($1::int, 0)", &p, "waiting to migrate", d)) < 0)
		return err;
	err = pg_migrate_locked(db, d);
	pg_q(NULL, db, "SELECT pg_advisory_unlock($1::int, 0)", &p, "migrating", NULL);
	return err;
}
