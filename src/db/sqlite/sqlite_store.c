/*
 * sqlite_store.c — the SQLite backend as store.h sees it: its ops table
 * and open function. Each op turns the gang_db base back into the
 * backend's handle (db_sqlite embeds it first) and calls the function of
 * the file that owns the concern.
 */
#include "db/sqlite/sqlite_internal.h"

#include <stdio.h>

#define DBS(g) db_sqlite_of(g)

static int sq_open_worker(gang_db **out, gang_db *main_db, gang_diag *d)
{
	db_sqlite *w = NULL;
	int err = db_sqlite_open_worker(&w, DBS(main_db), d);

	*out = w ? &w->base : NULL;
	return err;
}

static void sq_close(gang_db *db)
{
	db_sqlite_close(DBS(db));
}

static const char *sq_path(const gang_db *db)
{
	return db_sqlite_path((const db_sqlite *)db);
}

static void sq_set_wait(gang_db *db, uint32_t wait_ms)
{
	db_sqlite_set_wait(DBS(db), wait_ms);
}

static void sq_on_wait(gang_db *db, gang_db_wait_fn fn, void *user)
{
	db_sqlite_on_wait(DBS(db), fn, user);
}

static int sq_recover(gang_db *db, int *closed_out, gang_diag *d)
{
	return db_sqlite_recover(DBS(db), closed_out, d);
}

static int sq_probe_seen(char *label_out, size_t cap, gang_db *db, const char *serial, const char *usb_path,
			 const char *model, const char *firmware, gang_diag *d)
{
	return db_sqlite_probe_seen(label_out, cap, DBS(db), serial, usb_path, model, firmware, d);
}

static int sq_slot_map_apply(gang_db *db, const gang_slot_mapping *v, size_t n, gang_diag *d)
{
	return db_slots_apply(DBS(db), v, n, d);
}

static int sq_board_seen(gang_db *db, const char *uid, const char *part, gang_diag *d)
{
	return db_sqlite_board_seen(DBS(db), uid, part, d);
}

static int sq_attempt_begin(gang_attempt_key *key_out, gang_db *db, const gang_attempt_info *info, gang_diag *d)
{
	return db_sqlite_attempt_begin(key_out, DBS(db), info, d);
}

static int sq_attempt_identify(gang_db *db, const gang_attempt_key *k, const gang_attempt_target *t, gang_diag *d)
{
	return db_sqlite_attempt_identify(DBS(db), k, t, d);
}

static int sq_attempt_serial_text(gang_db *db, const gang_attempt_key *k, const char *text, gang_diag *d)
{
	return db_sqlite_attempt_serial_text(DBS(db), k, text, d);
}

static int sq_step(gang_db *db, const gang_attempt_key *k, const char *step, gang_step_result result,
		   uint32_t duration_ms, const char *detail, gang_diag *d)
{
	return db_sqlite_step(DBS(db), k, step, result, duration_ms, detail, d);
}

static int sq_board_last_pass(gang_board_pass *out, gang_db *db, const char *uid, const char *profile_sha256,
			      const char *image_sha256, gang_diag *d)
{
	return db_sqlite_board_last_pass(out, DBS(db), uid, profile_sha256, image_sha256, d);
}

static int sq_sighting(gang_db *db, const gang_attempt_info *info, const char *uid,
		       const gang_attempt_key *pass_attempt, gang_diag *d)
{
	return db_sqlite_sighting(DBS(db), info, uid, pass_attempt, d);
}

static int sq_attempt_finish(gang_db *db, const gang_attempt_key *k, gang_attempt_result result,
			     const char *error_class, const char *error_message, gang_diag *d)
{
	return db_sqlite_attempt_finish(DBS(db), k, result, error_class, error_message, d);
}

static int sq_report_scan(gang_db *db, const gang_report_filter *f, gang_report_row_fn fn, void *ctx,
			  gang_diag *d)
{
	return db_sqlite_report_scan(DBS(db), f, fn, ctx, d);
}

static int sq_report_pools(gang_report_pool **out, size_t *n_out, gang_db *db, const gang_report_filter *f,
			   gang_diag *d)
{
	return db_sqlite_report_pools(out, n_out, DBS(db), f, d);
}

static int sq_report_data_pools(gang_report_data_pool **out, size_t *n_out, gang_db *db, const gang_report_filter *f,
				gang_diag *d)
{
	return db_sqlite_report_data_pools(out, n_out, DBS(db), f, d);
}

static int sq_trace_lookup(char ***uids_out, size_t *n_out, gang_db *db, gang_trace_by by, const char *key,
			   gang_diag *d)
{
	return db_sqlite_trace_lookup(uids_out, n_out, DBS(db), by, key, d);
}

static int sq_trace_board(gang_trace_board **out, gang_db *db, const char *uid, gang_diag *d)
{
	return db_sqlite_trace_board(out, DBS(db), uid, d);
}

static int sq_serial_pool_get(gang_store_pool *out, int *found, gang_db *db, const char *pool, gang_diag *d)
{
	return db_sqlite_serial_pool_get(out, found, DBS(db), pool, d);
}

static int sq_serial_pool_create(gang_store_pool *have, int *found, gang_db *db, const char *pool,
				 uint64_t start, uint64_t end, const char *format, gang_diag *d)
{
	return db_sqlite_serial_pool_create(have, found, DBS(db), pool, start, end, format, d);
}

static int sq_serial_reserve(int64_t *value_out, gang_db *db, const char *pool, const char *uid,
			     const gang_attempt_key *attempt, gang_diag *d)
{
	return db_sqlite_serial_reserve(value_out, DBS(db), pool, uid, attempt, d);
}

static int sq_serial_burn(gang_db *db, const char *pool, const char *uid, gang_diag *d)
{
	return db_sqlite_serial_burn(DBS(db), pool, uid, d);
}

static int sq_serial_void(gang_db *db, const char *pool, uint64_t value, const char *reason, gang_diag *d)
{
	return db_sqlite_serial_void(DBS(db), pool, value, reason, d);
}

static int sq_serial_status(gang_serial_pool_counts *out, gang_db *db, const char *pool, gang_diag *d)
{
	return db_sqlite_serial_status(out, DBS(db), pool, d);
}

static int sq_serial_pool_names(char *out, size_t cap, gang_db *db, gang_diag *d)
{
	return db_sqlite_serial_pool_names(out, cap, DBS(db), d);
}

static int sq_serial_find_text(uint64_t *first_out, int *n_out, gang_db *db, const char *pool, const char *text,
			       gang_diag *d)
{
	return db_sqlite_serial_find_text(first_out, n_out, DBS(db), pool, text, d);
}

static int sq_serial_list(gang_db *db, const char *pool, const char *state, gang_serial_row_fn fn, void *user,
			  gang_diag *d)
{
	return db_sqlite_serial_list(DBS(db), pool, state, fn, user, d);
}

/* Through the handle's writer gate and busy handling, as every write. */
static int sq_test_exec(gang_db *db, const char *sql, gang_diag *d)
{
	db_sqlite *s = DBS(db);
	int err;

	if ((err = db_begin(s, d)) < 0)
		return err;
	if ((err = db_exec(s, sql, d)) < 0) {
		db_rollback(s);
		return err;
	}
	return db_commit(s, d);
}

static int sq_test_query(char *out, size_t cap, gang_db *db, const char *sql, gang_diag *d)
{
	db_sqlite *s = DBS(db);
	const unsigned char *text;
	sqlite3_stmt *st;
	int rc, err;

	if ((err = db_prepare(&st, s, sql, d)) < 0)
		return err;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		text = sqlite3_column_text(st, 0);
		snprintf(out, cap, "%s", text ? (const char *)text : "NULL");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(s, rc, d, sql);
	return GANG_OK;
}

const gang_store_ops db_sqlite_ops = {
	.version = GANG_STORE_OPS_VERSION,
	.scheme = "sqlite",
	.open_worker = sq_open_worker,
	.close = sq_close,
	.path = sq_path,
	.set_wait = sq_set_wait,
	.on_wait = sq_on_wait,
	.recover = sq_recover,
	.probe_seen = sq_probe_seen,
	.slot_map_apply = sq_slot_map_apply,
	.board_seen = sq_board_seen,
	.attempt_begin = sq_attempt_begin,
	.attempt_identify = sq_attempt_identify,
	.attempt_serial_text = sq_attempt_serial_text,
	.step = sq_step,
	.board_last_pass = sq_board_last_pass,
	.sighting = sq_sighting,
	.attempt_finish = sq_attempt_finish,
	.report_scan = sq_report_scan,
	.report_pools = sq_report_pools,
	.report_data_pools = sq_report_data_pools,
	.trace_lookup = sq_trace_lookup,
	.trace_board = sq_trace_board,
	.serial_pool_get = sq_serial_pool_get,
	.serial_pool_create = sq_serial_pool_create,
	.serial_reserve = sq_serial_reserve,
	.serial_burn = sq_serial_burn,
	.serial_void = sq_serial_void,
	.serial_status = sq_serial_status,
	.serial_pool_names = sq_serial_pool_names,
	.serial_find_text = sq_serial_find_text,
	.serial_list = sq_serial_list,
	.test_exec = sq_test_exec,
	.test_query = sq_test_query,
	/* data pools and scans */
	.data_pool_get = db_sqlite_data_pool_get,
	.data_pool_create = db_sqlite_data_pool_create,
	.data_import = db_sqlite_data_import,
	.data_reserve = db_sqlite_data_reserve,
	.data_burn = db_sqlite_data_burn,
	.data_void = db_sqlite_data_void,
	.data_list = db_sqlite_data_list,
	.scan_bind = db_sqlite_scan_bind,
	.scan_lookup = db_sqlite_scan_lookup,
};

int gang_store_sqlite_open(gang_db **out, const char *path, int flags, gang_diag *d)
{
	db_sqlite *db = NULL;
	int err = db_sqlite_open(&db, path, flags, d);

	*out = db ? &db->base : NULL;
	return err;
}
