/*
 * store.c — the public database API (db.h, db_report.h) dispatched to the
 * backend that opened the handle (store.h). Opening picks the backend by
 * the name given (a PostgreSQL connection string, URI or keyword/value
 * pairs, core/conninfo.h: PostgreSQL when built, else a file path: SQLite) and checks its ops table before the
 * handle is handed out; every other call is one indirection, plus the
 * fallback of an optional slot.
 */
#include "db/store.h"
#include "db/db_testing.h"
#include "core/conninfo.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Name of ops' first required slot that is NULL; NULL when none is. */
static const char *store_missing_slot(const gang_store_ops *ops)
{
#define STORE_NEED(slot)         \
	if (!ops->slot)          \
		return #slot;
	STORE_NEED(open_worker) STORE_NEED(close) STORE_NEED(path) STORE_NEED(recover)
	STORE_NEED(probe_seen) STORE_NEED(slot_map_apply) STORE_NEED(board_seen)
	STORE_NEED(attempt_begin) STORE_NEED(attempt_identify) STORE_NEED(attempt_serial_text)
	STORE_NEED(step) STORE_NEED(board_last_pass) STORE_NEED(sighting) STORE_NEED(attempt_finish)
	STORE_NEED(report_scan) STORE_NEED(report_pools) STORE_NEED(report_data_pools)
	STORE_NEED(trace_lookup) STORE_NEED(trace_board)
	STORE_NEED(serial_pool_get) STORE_NEED(serial_pool_create) STORE_NEED(serial_reserve)
	STORE_NEED(serial_burn) STORE_NEED(serial_void) STORE_NEED(serial_status)
	STORE_NEED(serial_find_text) STORE_NEED(serial_list)
	/* data pools and scans */
	STORE_NEED(data_pool_get) STORE_NEED(data_pool_create) STORE_NEED(data_import) STORE_NEED(data_reserve)
	STORE_NEED(data_burn) STORE_NEED(data_void) STORE_NEED(data_list) STORE_NEED(scan_bind)
	STORE_NEED(scan_lookup)
#undef STORE_NEED
	return NULL;
}

int gang_store_ops_check(const gang_store_ops *ops, gang_diag *d)
{
	const char *scheme = ops && ops->scheme ? ops->scheme : "unnamed";
	const char *missing;

	if (!ops || ops->version != GANG_STORE_OPS_VERSION)
		return gang_diag_set(d, GANG_EDB,
				     "database backend '%s' has interface version %u, this gang needs %u; "
				     "rebuild the backend with this gang",
				     scheme, ops ? ops->version : 0U, GANG_STORE_OPS_VERSION);
	if ((missing = store_missing_slot(ops)))
		return gang_diag_set(d, GANG_EDB, "database backend '%s' lacks its required '%s' operation", scheme,
				     missing);
	return GANG_OK;
}

/* A handle a backend opened is handed out only once its ops table passed the check. */
static int store_checked(gang_db **out, int err, gang_diag *d)
{
	if (err < 0 || !*out)
		return err;
	if ((err = gang_store_ops_check((*out)->ops, d)) < 0) {
		if ((*out)->ops && (*out)->ops->close)
			(*out)->ops->close(*out);
		*out = NULL;
	}
	return err;
}

/* A PostgreSQL connection string: a URI (either spelling libpq accepts) or keyword/value pairs. */
static int store_is_pg(const char *path)
{
	return gang_conninfo_is_server(path);
}

/* Replace the value of every "password=" query parameter of shown with "…" (libpq accepts one there). */
static void store_hide_password_param(char *shown, size_t cap)
{
	char *q = strchr(shown, '?'), *p;

	while (q && (p = strstr(q, "password=")) != NULL) {
		size_t len, rest;

		if (p[-1] != '?' && p[-1] != '&') {
			q = p + 9;
			continue;
		}
		p += 9;
		len = strcspn(p, "&#");
		rest = strlen(p + len) + 1;
		if (len < strlen("…") || p + strlen("…") + rest > shown + cap)
			memset(p, '*', len);
		else {
			memmove(p + strlen("…"), p + len, rest);
			memcpy(p, "…", strlen("…"));
		}
		q = p;
	}
}

/*
 * The URI without its userinfo ("postgresql://…@host/db") and without the
 * value of a password query parameter: a password given in it must not
 * reach a log (RFC 3986 §3.2.1 and §7.5; libpq docs 34.1.1.2).
 */
void gang_store_uri_shown(char *out, size_t cap, const char *uri)
{
	const char *auth = strstr(uri, "://");
	const char *at;
	size_t end;

	if (!auth) {   /* keyword/value pairs: only a password keyword's value is hidden */
		gang_conninfo_shown(out, cap, uri);
		return;
	}
	auth += 3;
	at = strchr(auth, '@');
	end = strcspn(auth, "/?#");
	if (at && (size_t)(at - auth) < end)
		snprintf(out, cap, "%.*s…%s", (int)(auth - uri), uri, at);
	else
		snprintf(out, cap, "%s", uri);
	store_hide_password_param(out, cap);
}

bool gang_db_is_file(const char *path)
{
	return !path || !store_is_pg(path);
}

static int store_open_pg(gang_db **out, const char *uri, int flags, gang_diag *d)
{
#ifdef GANG_WITH_PG
	return store_checked(out, gang_store_pg_open(out, uri, flags, d), d);
#else
	char shown[256];

	(void)out;
	(void)flags;
	gang_store_uri_shown(shown, sizeof(shown), uri);
	return gang_diag_set(d, GANG_EDB,
			     "database %s: this gang was built without its PostgreSQL backend, which needs "
			     "libpq-dev when gang is built (install it and rebuild with WITH_PG=yes), or name an "
			     "SQLite file",
			     shown);
#endif
}

int gang_db_open(gang_db **out, const char *path, int flags, gang_diag *d)
{
	*out = NULL;
	if (!path || !*path)
		path = GANG_DB_DEFAULT_PATH;
	if (store_is_pg(path))
		return store_open_pg(out, path, flags, d);
	return store_checked(out, gang_store_sqlite_open(out, path, flags, d), d);
}

int gang_db_open_worker(gang_db **out, gang_db *main_db, gang_diag *d)
{
	*out = NULL;
	return store_checked(out, main_db->ops->open_worker(out, main_db, d), d);
}

void gang_db_set_wait(gang_db *db, uint32_t wait_ms)
{
	if (db->ops->set_wait)
		db->ops->set_wait(db, wait_ms);
}

void gang_db_on_wait(gang_db *db, gang_db_wait_fn fn, void *user)
{
	if (db->ops->on_wait)
		db->ops->on_wait(db, fn, user);
}

void gang_db_close(gang_db *db)
{
	if (db)
		db->ops->close(db);
}

const char *gang_db_path(const gang_db *db)
{
	return db->ops->path(db);
}

int gang_db_recover(gang_db *db, int *closed_out, gang_diag *d)
{
	return db->ops->recover(db, closed_out, d);
}

int gang_db_probe_seen(char *label_out, size_t cap, gang_db *db, const char *serial, const char *usb_path,
		       const char *model, const char *firmware, gang_diag *d)
{
	return db->ops->probe_seen(label_out, cap, db, serial, usb_path, model, firmware, d);
}

int gang_db_board_seen(gang_db *db, const char *uid, const char *part, gang_diag *d)
{
	return db->ops->board_seen(db, uid, part, d);
}

int gang_db_attempt_begin(gang_attempt_key *key_out, gang_db *db, const gang_attempt_info *info, gang_diag *d)
{
	memset(key_out, 0, sizeof(*key_out));
	if (info->station && strlen(info->station) >= sizeof(key_out->station))
		return gang_diag_set(d, GANG_ERR, "database %s: station name '%.32s...' is longer than %u bytes",
				     gang_db_path(db), info->station, GANG_DB_STATION_MAX - 1U);
	return db->ops->attempt_begin(key_out, db, info, d);
}

int gang_db_attempt_identify(gang_db *db, const gang_attempt_key *attempt, const gang_attempt_target *t,
			     gang_diag *d)
{
	int r = t->rdp_before;

	if (r != -1 && r != 0 && r != 1 && r != 2 && r != GANG_DB_RDP_LEVEL05)
		return gang_diag_set(d, GANG_ERR,
				     "database %s: RDP level code %d read from the board is none of 0, 1, 2, "
				     "%d (level 0.5) or -1 (unknown)",
				     gang_db_path(db), r, GANG_DB_RDP_LEVEL05);
	return db->ops->attempt_identify(db, attempt, t, d);
}

int gang_db_attempt_serial_text(gang_db *db, const gang_attempt_key *attempt, const char *text, gang_diag *d)
{
	return db->ops->attempt_serial_text(db, attempt, text, d);
}

int gang_db_step(gang_db *db, const gang_attempt_key *attempt, const char *step, gang_step_result result,
		 uint32_t duration_ms, const char *detail, gang_diag *d)
{
	return db->ops->step(db, attempt, step, result, duration_ms, detail, d);
}

int gang_db_board_last_pass(gang_board_pass *out, gang_db *db, const char *uid, const char *profile_sha256,
			    const char *image_sha256, gang_diag *d)
{
	return db->ops->board_last_pass(out, db, uid, profile_sha256, image_sha256, d);
}

int gang_db_sighting(gang_db *db, const gang_attempt_info *info, const char *uid,
		     const gang_attempt_key *pass_attempt, gang_diag *d)
{
	return db->ops->sighting(db, info, uid, pass_attempt, d);
}

int gang_db_attempt_finish(gang_db *db, const gang_attempt_key *attempt, gang_attempt_result result,
			   const char *error_class, const char *error_message, gang_diag *d)
{
	return db->ops->attempt_finish(db, attempt, result, error_class, error_message, d);
}

const char *gang_attempt_key_text(char *out, size_t cap, const gang_attempt_key *k)
{
	if (k->station[0])
		snprintf(out, cap, "%s/%lld", k->station, (long long)k->seq);
	else
		snprintf(out, cap, "%lld", (long long)k->seq);
	return out;
}

int gang_db_report_scan(gang_db *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx,
			gang_diag *d)
{
	return db->ops->report_scan(db, f, fn, ctx, d);
}

int gang_db_report_pools(gang_report_pool **out, size_t *n_out, gang_db *db, const gang_report_filter *f,
			 gang_diag *d)
{
	return db->ops->report_pools(out, n_out, db, f, d);
}

void gang_db_report_pools_ask(gang_db *db, const gang_report_filter *f)
{
	if (db->ops->report_pools_ask)
		db->ops->report_pools_ask(db, f);
}

int gang_db_report_data_pools(gang_report_data_pool **out, size_t *n_out, gang_db *db,
			      const gang_report_filter *f, gang_diag *d)
{
	return db->ops->report_data_pools(out, n_out, db, f, d);
}

/* 24 hex digits: the key may be a UID. */
static bool store_key_is_uid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return n == 24U && s[n] == '\0';
}

/* A plain decimal that fits a serial value (at most 18 digits: below 2^63). */
static bool store_key_is_decimal(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= 18U && s[n] == '\0';
}

/*
 * What a key names, the same on every backend: a UID; else a serial text
 * burned on a board; else one printed on any attempt; else a serial value.
 */
int gang_db_trace_find(char ***uids_out, size_t *n_out, gang_db *db, const char *key, gang_diag *d)
{
	static const gang_trace_by order[] = { GANG_TRACE_BY_UID, GANG_TRACE_BY_BOARD_SERIAL,
					       GANG_TRACE_BY_ATTEMPT_TEXT, GANG_TRACE_BY_SERIAL_VALUE };
	int err = GANG_OK;

	*uids_out = NULL;
	*n_out = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && err == GANG_OK && *n_out == 0; i++) {
		if ((order[i] == GANG_TRACE_BY_UID && !store_key_is_uid(key)) ||
		    (order[i] == GANG_TRACE_BY_SERIAL_VALUE && !store_key_is_decimal(key)))
			continue;
		err = db->ops->trace_lookup(uids_out, n_out, db, order[i], key, d);
	}
	/* then a scanned label's text (data pools and scans) */
	if (err == GANG_OK && *n_out == 0)
		err = db->ops->scan_lookup(uids_out, n_out, db, key, d);
	if (err < 0) {
		gang_db_trace_uids_free(*uids_out, *n_out);
		*uids_out = NULL;
		*n_out = 0;
	}
	return err;
}

int gang_db_trace_board(gang_trace_board **out, gang_db *db, const char *uid, gang_diag *d)
{
	return db->ops->trace_board(out, db, uid, d);
}

static int store_no_leases(gang_db *db, gang_diag *d)
{
	return gang_diag_set(d, GANG_EDB,
			     "database %s: serial leases need the central PostgreSQL database (the %s backend has "
			     "none)",
			     gang_db_path(db), db->ops->scheme);
}

int gang_db_lease_take(gang_db_lease *out, gang_db *db, const char *station, const char *pool, uint32_t n,
		       gang_diag *d)
{
	memset(out, 0, sizeof(*out));
	if (!station || !*station || !pool || !*pool || n == 0 || n > 1000000U)
		return gang_diag_set(d, GANG_ERR, "lease: station, pool and a size of 1..1000000 are needed");
	if (strlen(station) >= sizeof(out->station) || strlen(pool) >= sizeof(out->pool))
		return gang_diag_set(d, GANG_ERR, "lease: station or pool name too long");
	if (!db->ops->lease_take)
		return store_no_leases(db, d);
	return db->ops->lease_take(out, db, station, pool, n, d);
}

int gang_db_lease_void(int *n_out, gang_db *db, const char *which, const char *reason, gang_db_lease_fn fn,
		       void *user, gang_diag *d)
{
	*n_out = 0;
	if (!which || !*which || !reason || !*reason)
		return gang_diag_set(d, GANG_EUSAGE, "void-lease needs a station or lease id and a reason");
	if (!db->ops->lease_void)
		return store_no_leases(db, d);
	return db->ops->lease_void(n_out, db, which, reason, fn, user, d);
}

int gang_db_test_exec(gang_db *db, const char *sql, gang_diag *d)
{
	if (!db->ops->test_exec)
		return gang_diag_set(d, GANG_ERR, "the %s database backend runs no raw statements", db->ops->scheme);
	return db->ops->test_exec(db, sql, d);
}

int gang_db_test_query(char *out, size_t cap, gang_db *db, const char *sql, gang_diag *d)
{
	if (cap)
		out[0] = '\0';
	if (!db->ops->test_query)
		return gang_diag_set(d, GANG_ERR, "the %s database backend runs no raw statements", db->ops->scheme);
	return db->ops->test_query(out, cap, db, sql, d);
}
