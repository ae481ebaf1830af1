/*
 * serial_admin.c — the engineer's side of the serial pools (`gang serial`):
 * find a pool's serial by the text it was rendered as, list a pool's
 * serials with the boards they are bound to, and name an unknown pool with
 * the pools that do exist. Voiding itself is gang_serial_void
 * (serial_alloc.c). The reads are the storage backend's (db/store.h).
 */
#include "serial/serial_alloc.h"

#include <stdio.h>
#include <string.h>

#include "db/store.h"

int gang_serial_pool_known(gang_db *db, const char *pool, gang_diag *d)
{
	gang_store_pool have;
	char names[256];
	int found, err;

	if ((err = db->ops->serial_pool_get(&have, &found, db, pool, d)) < 0)
		return err;
	if (found)
		return GANG_OK;
	/* serial_pool_names is optional (store.h): without it the sentence says so. */
	if (!db->ops->serial_pool_names)
		snprintf(names, sizeof(names), "not listed by the %s backend", db->ops->scheme);
	else if ((err = db->ops->serial_pool_names(names, sizeof(names), db, d)) < 0)
		return err;
	return gang_diag_set(d, GANG_EUSAGE, "serial pool '%s' does not exist in database %s (its pools: %s)", pool,
			     gang_db_path(db), names);
}

int gang_serial_find_text(uint64_t *value_out, gang_db *db, const char *pool, const char *text, gang_diag *d)
{
	int err, n = 0;

	*value_out = 0;
	if ((err = db->ops->serial_find_text(value_out, &n, db, pool, text, d)) < 0)
		return err;
	if (n == 0)
		return gang_diag_set(d, GANG_EUSAGE, "no serial of pool '%s' was rendered as '%s' (give its number: "
				     "gang serial list %s)", pool, text, pool);
	if (n > 1)
		return gang_diag_set(d, GANG_EUSAGE, "serial text '%s' of pool '%s' was rendered from %d values; give "
				     "the number instead (gang serial list %s)", text, pool, n, pool);
	return GANG_OK;
}

int gang_serial_list(gang_db *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
		     gang_diag *d)
{
	return db->ops->serial_list(db, pool, state, fn, user, d);
}
