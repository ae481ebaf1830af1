/*
 * sqlite_slots.c — the SQLite backend's half of the --slots file (the file
 * itself is read and checked by src/db/slots_file.c): every mapping
 * replaces the ones with its label, or its serial and path, in one
 * transaction, so a refused write leaves the old map untouched. A line
 * without a path also drops the automatic labels of that serial, so the
 * engineer's label wins over an "S<n>" given before.
 */
#include "db/sqlite/sqlite_internal.h"

static int db_slots_apply_one(db_sqlite *db, const gang_slot_mapping *l, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if ((err = db_prepare(&st, db,
			      "DELETE FROM slot_map WHERE label = ?1 OR (probe_serial = ?2 AND (usb_path = ?3 "
			      "OR (?3 = '' AND source = 'auto')))",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, l->label);
	db_bind_text(st, 2, l->serial);
	db_bind_text(st, 3, l->path);
	if ((err = db_run(db, st, d, "replacing a slot mapping")) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "INSERT INTO slot_map (label, probe_serial, usb_path, source, created_at) "
			      "VALUES (?1, ?2, ?3, 'file', " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, l->label);
	db_bind_text(st, 2, l->serial);
	db_bind_text(st, 3, l->path);
	return db_run(db, st, d, "storing a slot mapping");
}

int db_slots_apply(db_sqlite *db, const gang_slot_mapping *v, size_t n, gang_diag *d)
{
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	for (size_t i = 0; i < n; i++)
		if ((err = db_slots_apply_one(db, &v[i], d)) < 0) {
			db_rollback(db);
			return err;
		}
	return db_commit(db, d);
}

