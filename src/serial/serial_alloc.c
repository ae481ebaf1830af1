/*
 * serial_alloc.c — serial pools in the traceability database: the rules
 * (argument checks, a pool's range and format never change, values within
 * 0..INT64_MAX-1) and the sentences an engineer reads. Storing, and the
 * transaction each call is, belong to the storage backend (db/store.h
 * serial_* ops; SQLite: src/db/sqlite/sqlite_serial.c), so this file works
 * the same on every backend.
 * Reference: docs/architecture.md "Serial numbers and traceability".
 */
#include "serial/serial_alloc.h"

#include <stdio.h>
#include <string.h>

#include "db/store.h"

static int serial_pool_compare(const gang_store_pool *have, const char *pool, uint64_t start,
			       uint64_t end, const char *format, gang_diag *d)
{
	if ((uint64_t)have->start != start || (uint64_t)have->end != end)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial pool '%s' already exists with range %lld..%lld; the profile asks "
				     "for %llu..%llu (a pool's range never changes: use a new pool name)",
				     pool, (long long)have->start, (long long)have->end,
				     (unsigned long long)start, (unsigned long long)end);
	if (strcmp(have->format, format) != 0)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial pool '%s' already exists with format '%s'; the profile asks for "
				     "'%s' (use a new pool name)",
				     pool, have->format, format);
	return GANG_OK;
}

int gang_serial_pool_check(gang_db *db, const char *pool, uint64_t start, uint64_t end, const char *format,
			   gang_diag *d)
{
	gang_store_pool have;
	int found, err;

	if ((err = db->ops->serial_pool_get(&have, &found, db, pool, d)) < 0 || !found)
		return err;
	return serial_pool_compare(&have, pool, start, end, format ? format : "", d);
}

int gang_serial_pool_ensure(gang_db *db, const char *pool, uint64_t start, uint64_t end,
			    const char *format, gang_diag *d)
{
	gang_store_pool have;
	int found, err;

	if (!pool || !*pool)
		return gang_diag_set(d, GANG_EPROFILE, "serial pool name missing");
	if (start > end || end >= (uint64_t)INT64_MAX)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial pool '%s': range %llu..%llu is invalid (start <= end < 2^63-1)",
				     pool, (unsigned long long)start, (unsigned long long)end);
	format = format ? format : "";
	/* An existing pool is left as it is: a different range or format is refused, never changed. */
	if ((err = db->ops->serial_pool_create(&have, &found, db, pool, start, end, format, d)) < 0 || !found)
		return err;
	return serial_pool_compare(&have, pool, start, end, format, d);
}

int gang_serial_reserve(uint64_t *value_out, gang_db *db, const char *pool, const char *uid,
			const gang_attempt_key *attempt, gang_diag *d)
{
	int64_t value = 0;
	int err;

	*value_out = 0;
	if (!pool || !*pool || !uid || !*uid)
		return gang_diag_set(d, GANG_ERR, "serial reserve: pool name or board UID missing");
	if ((err = db->ops->serial_reserve(&value, db, pool, uid, attempt, d)) < 0)
		return err;
	*value_out = (uint64_t)value;
	return GANG_OK;
}

int gang_serial_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d)
{
	return db->ops->serial_burn(db, pool, uid, d);
}

int gang_serial_void(gang_db *db, const char *pool, uint64_t value, const char *reason, gang_diag *d)
{
	if (!reason || !*reason)
		return gang_diag_set(d, GANG_EUSAGE, "voiding serial %llu of pool '%s' needs a reason",
				     (unsigned long long)value, pool ? pool : "");
	if (value >= (uint64_t)INT64_MAX)
		return gang_diag_set(d, GANG_EUSAGE, "serial %llu of pool '%s' was never handed out; nothing to void",
				     (unsigned long long)value, pool ? pool : "");
	return db->ops->serial_void(db, pool, value, reason, d);
}

int gang_serial_pool_status(gang_serial_pool_counts *out, gang_db *db, const char *pool, gang_diag *d)
{
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = db->ops->serial_status(out, db, pool, d)) < 0) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	out->used = out->next - out->start;
	out->remaining = out->end + 1U - out->next;
	return GANG_OK;
}
