/*
 * data_pool.c — data pools: MAC addresses as text and bytes, the rules of
 * a pool (a mac pool's range never changes; a list pool must have been
 * imported, with the secrecy the profile says) and the sentences an
 * engineer reads. Storing belongs to the backend (db/store.h "data pools
 * and scans"); importing a supplier's file is data_import.c.
 */
#include "serial/data_pool.h"

#include <stdio.h>
#include <string.h>

#include "db/store.h"

const char *gang_data_kind_name(gang_data_kind k)
{
	return k == GANG_DATA_MAC ? "mac" : "list";
}


/* An existing pool against the profile's mac range: the same or GANG_EPROFILE naming both. */
static int data_mac_compare(const gang_data_pool *have, uint64_t first, uint64_t last, gang_diag *d)
{
	char a[20], b[20], c[20], e[20];

	if (have->kind != GANG_DATA_MAC)
		return gang_diag_set(d, GANG_EPROFILE,
				     "data pool '%s' already exists as a list pool; the profile asks for a mac pool "
				     "(use a new pool name)", have->name);
	if (have->first == first && have->size == last - first + 1U)
		return GANG_OK;
	gang_mac_text(a, sizeof(a), have->first);
	gang_mac_text(b, sizeof(b), have->first + have->size - 1U);
	gang_mac_text(c, sizeof(c), first);
	gang_mac_text(e, sizeof(e), last);
	return gang_diag_set(d, GANG_EPROFILE,
			     "data pool '%s' already exists with range %s..%s; the profile asks for %s..%s "
			     "(a pool's range never changes: use a new pool name)", have->name, a, b, c, e);
}

int gang_data_mac_check(gang_db *db, const char *pool, uint64_t first, uint64_t last, gang_diag *d)
{
	gang_data_pool have;
	int found, err;

	if ((err = db->ops->data_pool_get(&have, &found, db, pool, d)) < 0 || !found)
		return err;
	return data_mac_compare(&have, first, last, d);
}

int gang_data_mac_ensure(gang_db *db, const char *pool, uint64_t first, uint64_t last, gang_diag *d)
{
	gang_data_pool want = { .kind = GANG_DATA_MAC, .first = first, .size = last - first + 1U }, have;
	int found = 0, err;

	if (!pool || !*pool || first > last || last > GANG_MAC_MAX)
		return gang_diag_set(d, GANG_EPROFILE, "data pool '%s': bad MAC range", pool ? pool : "");
	snprintf(want.name, sizeof(want.name), "%s", pool);
	if ((err = db->ops->data_pool_create(&have, &found, db, &want, d)) < 0 || !found)
		return err;
	return data_mac_compare(&have, first, last, d);
}

int gang_data_list_check(gang_db *db, const char *pool, bool secret, gang_diag *d)
{
	gang_data_pool have;
	int found = 0, err;

	if (db && (err = db->ops->data_pool_get(&have, &found, db, pool, d)) < 0)
		return err;
	if (!found)
		return gang_diag_set(d, GANG_EPROFILE,
				     "list pool '%s' has no values yet: import the supplier's file first "
				     "(gang pool import %s FILE%s)", pool, pool, secret ? " --secret" : "");
	if (have.kind != GANG_DATA_LIST)
		return gang_diag_set(d, GANG_EPROFILE, "data pool '%s' is a mac pool; the profile asks for a list",
				     pool);
	if (have.secret != secret)
		return gang_diag_set(d, GANG_EPROFILE, "list pool '%s' was imported %s --secret; the profile says "
				     "secret = %s", pool, have.secret ? "with" : "without", secret ? "true" : "false");
	return GANG_OK;
}

int gang_data_reserve(gang_data_taken *out, gang_db *db, const char *pool, const char *uid,
		      const gang_attempt_key *attempt, gang_diag *d)
{
	memset(out, 0, sizeof(*out));
	if (!pool || !*pool || !uid || !*uid)
		return gang_diag_set(d, GANG_ERR, "data reserve: pool name or board UID missing");
	return db->ops->data_reserve(out, db, pool, uid, attempt, d);
}

int gang_data_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d)
{
	return db->ops->data_burn(db, pool, uid, d);
}

int gang_data_void(gang_db *db, const char *pool, uint64_t index, const char *reason, gang_diag *d)
{
	if (!reason || !*reason)
		return gang_diag_set(d, GANG_EUSAGE, "voiding index %llu of data pool '%s' needs a reason",
				     (unsigned long long)index, pool ? pool : "");
	if (index >= (uint64_t)INT64_MAX)
		return gang_diag_set(d, GANG_EUSAGE, "index %llu of data pool '%s' was never handed out; nothing to void",
				     (unsigned long long)index, pool ? pool : "");
	return db->ops->data_void(db, pool, index, reason, d);
}

int gang_data_pool_get(gang_data_pool *out, int *found, gang_db *db, const char *pool, gang_diag *d)
{
	memset(out, 0, sizeof(*out));
	return db->ops->data_pool_get(out, found, db, pool, d);
}

int gang_data_list(gang_db *db, const char *pool, const char *state, gang_data_row_fn fn, void *user,
		   gang_diag *d)
{
	return db->ops->data_list(db, pool, state, fn, user, d);
}

int gang_scan_bind(gang_db *db, const char *text, const char *uid, const gang_attempt_key *attempt,
		   gang_diag *d)
{
	char other_uid[64], other_serial[128];

	if (!text || !*text || !uid || !*uid)
		return gang_diag_set(d, GANG_ERR, "scan bind: label text or board UID missing");
	return db->ops->scan_bind(other_uid, sizeof(other_uid), other_serial, sizeof(other_serial), db, text, uid,
				  attempt, d);
}
