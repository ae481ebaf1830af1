/*
 * store_lease.c — db_lease.h dispatched to the backend (store.h): the
 * arguments are checked here, the binding and its conflicts live in the
 * backend's SQL (src/db/pg/pg_lease_bind.c). A backend without the slots
 * (SQLite) refuses binding naming PostgreSQL and has no conflicts.
 */
#include "db/store.h"

#include <stdlib.h>
#include <string.h>

static int store_lease_none(gang_db *db, gang_diag *d)
{
	return gang_diag_set(d, GANG_EDB,
			     "database %s: serial leases need the central PostgreSQL database (the %s backend has none)",
			     gang_db_path(db), db->ops->scheme);
}

int gang_db_lease_bind(gang_lease_bound *out, gang_db *db, const gang_lease_binding *b, gang_diag *d)
{
	memset(out, 0, sizeof(*out));
	if (!b->station || !*b->station || !b->pool || !*b->pool || !b->uid || !*b->uid || b->value < 0)
		return gang_diag_set(d, GANG_EUSAGE, "lease binding: station, pool, UID and a value >= 0 are needed");
	if (strlen(b->station) >= GANG_DB_STATION_MAX || strlen(b->pool) >= GANG_DB_POOL_NAME_MAX ||
	    strlen(b->uid) >= sizeof(((gang_serial_conflict *)0)->uid))
		return gang_diag_set(d, GANG_EUSAGE, "lease binding: station, pool or UID too long");
	if (!db->ops->lease_bind)
		return store_lease_none(db, d);
	return db->ops->lease_bind(out, db, b, d);
}

int gang_db_lease_unused(int64_t *out, size_t cap, size_t *n_out, gang_db *db, const char *station,
			 const char *pool, gang_diag *d)
{
	*n_out = 0;
	if (!station || !*station || !pool || !*pool || cap == 0)
		return gang_diag_set(d, GANG_EUSAGE, "unused lease values: station, pool and room for one are needed");
	if (!db->ops->lease_unused)
		return store_lease_none(db, d);
	return db->ops->lease_unused(out, cap, n_out, db, station, pool, d);
}

int gang_db_serial_conflicts(gang_serial_conflict **out, size_t *n_out, gang_db *db, gang_diag *d)
{
	*out = NULL;
	*n_out = 0;
	if (!db->ops->serial_conflicts)
		return GANG_OK;
	return db->ops->serial_conflicts(out, n_out, db, d);
}

int gang_db_journal_open(gang_db *db, const char *path, const char *station, gang_diag *d)
{
	if (!path || !*path)
		return gang_diag_set(d, GANG_EUSAGE, "journal: a file path is needed");
	if (!db->ops->journal_open)
		return gang_diag_set(d, GANG_EDB,
				     "database %s: a station journal belongs with the central PostgreSQL database (the %s "
				     "backend writes its records directly)",
				     gang_db_path(db), db->ops->scheme);
	return db->ops->journal_open(db, path, station ? station : "", d);
}

int gang_db_journal_counts(int64_t *pending, int64_t *refused, gang_db *db, gang_diag *d)
{
	*pending = *refused = 0;
	return db->ops->journal_counts ? db->ops->journal_counts(pending, refused, db, d) : GANG_OK;
}

bool gang_db_unreachable(gang_db *db)
{
	return db->ops->unreachable && db->ops->unreachable(db);
}
