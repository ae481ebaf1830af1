/*
 * pg_store.c — the PostgreSQL backend as store.h sees it: its ops table and
 * open function. Each op turns the gang_db base back into the backend's
 * handle (db_pg embeds it first) and calls the function of the file that
 * owns the concern. on_wait is NULL: a write waits for another session's
 * lock inside the server, up to lock_timeout, with nothing to report
 * meanwhile.
 *
 * The ops a run makes are tried again (up to PG_RETRIES times) when the connection was lost
 * before anything could commit (pg_retry: the server rolled the
 * transaction back) and a new session is up; a connection lost during
 * COMMIT, or during a write outside a transaction, is not retried, since
 * the write may have happened.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBP(g) db_pg_of(g)

static int pq_open_worker(gang_db **out, gang_db *main_db, gang_diag *d)
{
	db_pg *w = NULL;
	int err = db_pg_open_worker(&w, DBP(main_db), d);

	*out = w ? &w->base : NULL;
	return err;
}

static void pq_close(gang_db *db)
{
	db_pg_close(DBP(db));
}

static const char *pq_path(const gang_db *db)
{
	return ((const db_pg *)db)->shown;
}

/* A session setting: a failure to apply it shows at the next statement's own error, so none is kept here. */
static void pq_set_wait(gang_db *db, uint32_t wait_ms)
{
	DBP(db)->wait_ms = wait_ms;
	pg_apply_wait(DBP(db), NULL);
}

static int pq_recover(gang_db *db, int *closed_out, gang_diag *d)
{
	return db_pg_recover(DBP(db), closed_out, d);
}

static int pq_probe_seen(char *label_out, size_t cap, gang_db *db, const char *serial, const char *usb_path,
			 const char *model, const char *firmware, gang_diag *d)
{
	int err = db_pg_probe_seen(label_out, cap, DBP(db), serial, usb_path, model, firmware, d);

	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_probe_seen(label_out, cap, DBP(db), serial, usb_path, model, firmware, d);
	return err;
}

static int pq_slot_map_apply(gang_db *db, const gang_slot_mapping *v, size_t n, gang_diag *d)
{
	return db_pg_slots_apply(DBP(db), v, n, d);
}

static int pq_board_seen(gang_db *db, const char *uid, const char *part, gang_diag *d)
{
	int err = pg_board_upsert(DBP(db), uid, part, d);

	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = pg_board_upsert(DBP(db), uid, part, d);
	return err;
}

static int pq_attempt_begin(gang_attempt_key *key_out, gang_db *db, const gang_attempt_info *info, gang_diag *d)
{
	int err;

	if (DBP(db)->deliver)
		return pgj_attempt_begin(key_out, DBP(db), info, d);
	err = db_pg_attempt_begin(key_out, DBP(db), info, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_attempt_begin(key_out, DBP(db), info, d);
	return err;
}

static int pq_attempt_identify(gang_db *db, const gang_attempt_key *k, const gang_attempt_target *t, gang_diag *d)
{
	int err;

	if (DBP(db)->deliver)
		return pgj_attempt_identify(DBP(db), k, t, d);
	err = db_pg_attempt_identify(DBP(db), k, t, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_attempt_identify(DBP(db), k, t, d);
	return err;
}

static int pq_attempt_serial_text(gang_db *db, const gang_attempt_key *k, const char *text, gang_diag *d)
{
	int err;

	if (DBP(db)->deliver)
		return pgj_attempt_serial_text(DBP(db), k, text, d);
	err = db_pg_attempt_serial_text(DBP(db), k, text, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_attempt_serial_text(DBP(db), k, text, d);
	return err;
}

static int pq_step(gang_db *db, const gang_attempt_key *k, const char *step, gang_step_result result,
		   uint32_t duration_ms, const char *detail, gang_diag *d)
{
	int err;

	if (DBP(db)->deliver)
		return pgj_step(DBP(db), k, step, result, duration_ms, detail, d);
	err = db_pg_step(DBP(db), k, step, result, duration_ms, detail, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_step(DBP(db), k, step, result, duration_ms, detail, d);
	return err;
}

static int pq_board_last_pass(gang_board_pass *out, gang_db *db, const char *uid, const char *profile_sha256,
			      const char *image_sha256, gang_diag *d)
{
	int err;

	pg_journal_sync_results(DBP(db));   /* this station's own passes are delivered first */
	err = db_pg_board_last_pass(out, DBP(db), uid, profile_sha256, image_sha256, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_board_last_pass(out, DBP(db), uid, profile_sha256, image_sha256, d);
	/* a station on a journal programs on while the server is away: no pass known is "program it" */
	if (err < 0 && DBP(db)->deliver && pg_unreachable(DBP(db))) {
		memset(out, 0, sizeof(*out));
		return GANG_OK;
	}
	return err;
}

static int pq_sighting(gang_db *db, const gang_attempt_info *info, const char *uid,
		       const gang_attempt_key *pass_attempt, gang_diag *d)
{
	int err;

	if (DBP(db)->deliver)
		return pgj_sighting(DBP(db), info, uid, pass_attempt, d);
	err = db_pg_sighting(DBP(db), info, uid, pass_attempt, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_sighting(DBP(db), info, uid, pass_attempt, d);
	return err;
}

static int pq_attempt_finish(gang_db *db, const gang_attempt_key *k, gang_attempt_result result,
			     const char *error_class, const char *error_message, gang_diag *d)
{
	int err;

	if (DBP(db)->deliver)
		return pgj_attempt_finish(DBP(db), k, result, error_class, error_message, d);
	err = db_pg_attempt_finish(DBP(db), k, result, error_class, error_message, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_attempt_finish(DBP(db), k, result, error_class, error_message, d);
	return err;
}

static int pq_report_scan(gang_db *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx,
			  gang_diag *d)
{
	return db_pg_report_scan(DBP(db), f, fn, ctx, d);
}

static int pq_report_pools(gang_report_pool **out, size_t *n_out, gang_db *db, const gang_report_filter *f,
			   gang_diag *d)
{
	return db_pg_report_pools(out, n_out, DBP(db), f, d);
}

static void pq_report_pools_ask(gang_db *db, const gang_report_filter *f)
{
	db_pg_report_pools_ask(DBP(db), f);
}

static int pq_report_data_pools(gang_report_data_pool **out, size_t *n_out, gang_db *db, const gang_report_filter *f,
				gang_diag *d)
{
	return db_pg_report_data_pools(out, n_out, DBP(db), f, d);
}

static int pq_trace_lookup(char ***uids_out, size_t *n_out, gang_db *db, gang_trace_by by, const char *key,
			   gang_diag *d)
{
	return db_pg_trace_lookup(uids_out, n_out, DBP(db), by, key, d);
}

static int pq_trace_board(gang_trace_board **out, gang_db *db, const char *uid, gang_diag *d)
{
	return db_pg_trace_board(out, DBP(db), uid, d);
}

static int pq_serial_pool_get(gang_store_pool *out, int *found, gang_db *db, const char *pool, gang_diag *d)
{
	int err = db_pg_serial_pool_get(out, found, DBP(db), pool, d);

	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_serial_pool_get(out, found, DBP(db), pool, d);
	return err;
}

static int pq_serial_pool_create(gang_store_pool *have, int *found, gang_db *db, const char *pool,
				 uint64_t start, uint64_t end, const char *format, gang_diag *d)
{
	int err = db_pg_serial_pool_create(have, found, DBP(db), pool, start, end, format, d);

	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_serial_pool_create(have, found, DBP(db), pool, start, end, format, d);
	return err;
}

static int pq_serial_reserve(int64_t *value_out, gang_db *db, const char *pool, const char *uid,
			     const gang_attempt_key *attempt, gang_diag *d)
{
	int err;

	pg_journal_sync_attempt(DBP(db), attempt);   /* the attempt must be central before its serial is */
	err = db_pg_serial_reserve(value_out, DBP(db), pool, uid, attempt, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_serial_reserve(value_out, DBP(db), pool, uid, attempt, d);
	return err;
}

static int pq_serial_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d)
{
	int err = db_pg_serial_burn(DBP(db), pool, uid, d);

	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_serial_burn(DBP(db), pool, uid, d);
	return err;
}

static int pq_serial_void(gang_db *db, const char *pool, uint64_t value, const char *reason, gang_diag *d)
{
	return db_pg_serial_void(DBP(db), pool, value, reason, d);
}

static int pq_serial_status(gang_serial_pool_counts *out, gang_db *db, const char *pool, gang_diag *d)
{
	return db_pg_serial_status(out, DBP(db), pool, d);
}

static int pq_serial_pool_names(char *out, size_t cap, gang_db *db, gang_diag *d)
{
	return db_pg_serial_pool_names(out, cap, DBP(db), d);
}

static int pq_serial_find_text(uint64_t *first_out, int *n_out, gang_db *db, const char *pool, const char *text,
			       gang_diag *d)
{
	return db_pg_serial_find_text(first_out, n_out, DBP(db), pool, text, d);
}

static int pq_serial_list(gang_db *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
			  gang_diag *d)
{
	return db_pg_serial_list(DBP(db), pool, state, fn, user, d);
}

static int pq_lease_take(gang_db_lease *out, gang_db *db, const char *station, const char *pool, uint32_t n,
			 gang_diag *d)
{
	int err = db_pg_lease_take(out, DBP(db), station, pool, n, d);

	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_lease_take(out, DBP(db), station, pool, n, d);
	return err;
}

static int pq_lease_void(int *n_out, gang_db *db, const char *which, const char *reason, gang_db_lease_fn fn,
			 void *user, gang_diag *d)
{
	return db_pg_lease_void(n_out, DBP(db), which, reason, fn, user, d);
}

static int pq_lease_bind(gang_lease_bound *out, gang_db *db, const gang_lease_binding *b, gang_diag *d)
{
	int err;

	if (DBP(db)->deliver)
		return pgj_lease_bind(out, DBP(db), b, d);
	err = db_pg_lease_bind(out, DBP(db), b, d);
	for (int i = 0; i < PG_RETRIES && pg_retry(DBP(db), err, d); i++)
		err = db_pg_lease_bind(out, DBP(db), b, d);
	return err;
}

static int pq_serial_conflicts(gang_serial_conflict **out, size_t *n_out, gang_db *db, gang_diag *d)
{
	return db_pg_serial_conflicts(out, n_out, DBP(db), d);
}

static int pq_lease_unused(int64_t *out, size_t cap, size_t *n_out, gang_db *db, const char *station,
			   const char *pool, gang_diag *d)
{
	return db_pg_lease_unused(out, cap, n_out, DBP(db), station, pool, d);
}

/* Data values and labels bind to the attempt: it must be central first (pg_journal.c). */
static int pq_data_reserve(gang_data_taken *out, gang_db *db, const char *pool, const char *uid,
			   const gang_attempt_key *attempt, gang_diag *d)
{
	pg_journal_sync_attempt(DBP(db), attempt);
	return db_pg_data_reserve(out, db, pool, uid, attempt, d);
}

static int pq_scan_bind(char *other_uid, size_t uid_cap, char *other_serial, size_t serial_cap, gang_db *db,
			const char *text, const char *uid, const gang_attempt_key *attempt, gang_diag *d)
{
	pg_journal_sync_attempt(DBP(db), attempt);
	return db_pg_scan_bind(other_uid, uid_cap, other_serial, serial_cap, db, text, uid, attempt, d);
}

static int pq_journal_open(gang_db *db, const char *path, const char *station, gang_diag *d)
{
	return db_pg_journal_open(DBP(db), path, station, d);
}

static int pq_journal_counts(int64_t *pending, int64_t *refused, gang_db *db, gang_diag *d)
{
	return pg_journal_counts(pending, refused, DBP(db), d);
}

static bool pq_unreachable(gang_db *db)
{
	return pg_unreachable(DBP(db)) != 0;
}

static int pq_test_exec(gang_db *db, const char *sql, gang_diag *d)
{
	db_pg *p = DBP(db);
	int err;

	if ((err = pg_begin(p, d)) < 0)
		return err;
	if ((err = pg_q(NULL, p, sql, NULL, sql, d)) < 0) {
		pg_rollback(p);
		return err;
	}
	return pg_commit(p, d);
}

static int pq_test_query(char *out, size_t cap, gang_db *db, const char *sql, gang_diag *d)
{
	PGresult *r;
	int err;

	if ((err = pg_q(&r, DBP(db), sql, NULL, sql, d)) < 0)
		return err;
	if (PQntuples(r) > 0 && PQnfields(r) > 0)
		snprintf(out, cap, "%s", PQgetisnull(r, 0, 0) ? "NULL" : PQgetvalue(r, 0, 0));
	PQclear(r);
	return GANG_OK;
}

const gang_store_ops db_pg_ops = {
	.version = GANG_STORE_OPS_VERSION,
	.scheme = "postgresql",
	.open_worker = pq_open_worker,
	.close = pq_close,
	.path = pq_path,
	.set_wait = pq_set_wait,
	.recover = pq_recover,
	.probe_seen = pq_probe_seen,
	.slot_map_apply = pq_slot_map_apply,
	.board_seen = pq_board_seen,
	.attempt_begin = pq_attempt_begin,
	.attempt_identify = pq_attempt_identify,
	.attempt_serial_text = pq_attempt_serial_text,
	.step = pq_step,
	.board_last_pass = pq_board_last_pass,
	.sighting = pq_sighting,
	.attempt_finish = pq_attempt_finish,
	.report_scan = pq_report_scan,
	.report_pools = pq_report_pools,
	.report_pools_ask = pq_report_pools_ask,
	.report_data_pools = pq_report_data_pools,
	.trace_lookup = pq_trace_lookup,
	.trace_board = pq_trace_board,
	.serial_pool_get = pq_serial_pool_get,
	.serial_pool_create = pq_serial_pool_create,
	.serial_reserve = pq_serial_reserve,
	.serial_burn = pq_serial_burn,
	.serial_void = pq_serial_void,
	.serial_status = pq_serial_status,
	.serial_pool_names = pq_serial_pool_names,
	.serial_find_text = pq_serial_find_text,
	.serial_list = pq_serial_list,
	.lease_take = pq_lease_take,
	.lease_void = pq_lease_void,
	.lease_bind = pq_lease_bind,
	.serial_conflicts = pq_serial_conflicts,
	.lease_unused = pq_lease_unused,
	.journal_open = pq_journal_open,
	.journal_counts = pq_journal_counts,
	.unreachable = pq_unreachable,
	.test_exec = pq_test_exec,
	.test_query = pq_test_query,
	/* data pools and scans */
	.data_pool_get = db_pg_data_pool_get,
	.data_pool_create = db_pg_data_pool_create,
	.data_import = db_pg_data_import,
	.data_reserve = pq_data_reserve,
	.data_burn = db_pg_data_burn,
	.data_void = db_pg_data_void,
	.data_list = db_pg_data_list,
	.scan_bind = pq_scan_bind,
	.scan_lookup = db_pg_scan_lookup,
};

int gang_store_pg_open(gang_db **out, const char *uri, int flags, gang_diag *d)
{
	db_pg *db = NULL;
	int err = db_pg_open(&db, uri, flags, d);

	*out = db ? &db->base : NULL;
	return err;
}
