/*
 * pg_probe.c — probes, slot labels and the --slots file in the PostgreSQL
 * backend (the rules are those of src/db/sqlite/sqlite_probe.c and
 * sqlite_slots.c). Label writers lock slot_map for the transaction (SHARE
 * ROW EXCLUSIVE conflicts with itself, PostgreSQL 15 manual 13.3.1
 * "Table-Level Locks"), so two stations enumerating probes together never
 * compute the same next "S<n>" label; readers are not blocked.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>

static int pg_slot_lock(db_pg *db, gang_diag *d)
{
	return pg_q(NULL, db, "LOCK TABLE slot_map IN SHARE ROW EXCLUSIVE MODE", NULL, "waiting for the slot map", d);
}

static int pg_slot_lookup(char *label, size_t cap, db_pg *db, const char *serial, const char *path, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, serial);
	pg_p_text(&p, path);
	/* an exact path beats a path-less mapping: '' sorts first, so DESC */
	if ((err = pg_q(&r, db,
			"SELECT label FROM slot_map WHERE probe_serial = $1 AND usb_path IN ($2, '') "
			"ORDER BY usb_path COLLATE \"C\" DESC LIMIT 1",
			&p, "looking up a slot label", d)) < 0)
		return err;
	pg_copy(label, cap, r, 0, 0);
	PQclear(r);
	return GANG_OK;
}

static int pg_slot_create(char *label, size_t cap, db_pg *db, const char *serial, const char *path, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, serial);
	pg_p_text(&p, path);
	if ((err = pg_q(&r, db,
			"INSERT INTO slot_map (label, probe_serial, usb_path, source, created_at) "
			"SELECT 'S' || (COALESCE(max(substr(label, 2)::numeric), 0) + 1), $1, $2, 'auto', " PG_NOW_SQL
			" FROM slot_map WHERE label ~ '^S[0-9]+$' RETURNING label",
			&p, "creating a slot label", d)) < 0)
		return err;
	pg_copy(label, cap, r, 0, 0);
	PQclear(r);
	return GANG_OK;
}

static int pg_probe_upsert(db_pg *db, const char *serial, const char *path, const char *model,
			   const char *firmware, const char *label, gang_diag *d)
{
	pg_params p = { 0 };

	pg_p_text(&p, serial);
	pg_p_text(&p, path);
	pg_p_text(&p, model);
	pg_p_text(&p, firmware);
	pg_p_text(&p, label);
	return pg_q(NULL, db,
		    "INSERT INTO probes (serial, usb_path, model, firmware, slot, first_seen, last_seen) "
		    "VALUES ($1, $2, $3, $4, $5, " PG_NOW_SQL ", " PG_NOW_SQL ") "
		    "ON CONFLICT (serial, usb_path) DO UPDATE SET model = excluded.model, "
		    "firmware = excluded.firmware, slot = excluded.slot, last_seen = excluded.last_seen",
		    &p, "recording a probe", d);
}

static int pg_probe_tx(char *label, size_t cap, db_pg *db, const char *serial, const char *usb_path,
		       const char *model, const char *firmware, gang_diag *d)
{
	int err;

	if ((err = pg_slot_lock(db, d)) < 0 || (err = pg_slot_lookup(label, cap, db, serial, usb_path, d)) < 0)
		return err;
	if (!label[0] && (err = pg_slot_create(label, cap, db, serial, usb_path, d)) < 0)
		return err;
	return pg_probe_upsert(db, serial, usb_path, model, firmware, label, d);
}

int db_pg_probe_seen(char *label_out, size_t cap, db_pg *db, const char *serial, const char *usb_path,
		     const char *model, const char *firmware, gang_diag *d)
{
	char label[GANG_DB_LABEL_MAX];
	int err;

	if (cap)
		label_out[0] = '\0';
	if (!serial || !usb_path || !*usb_path || cap < GANG_DB_LABEL_MAX)
		return gang_diag_set(d, GANG_ERR, "database %s: probe serial, USB path or label buffer missing",
				     db->shown);
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_probe_tx(label, sizeof(label), db, serial, usb_path, model, firmware, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	if ((err = pg_commit(db, d)) < 0)
		return err;
	snprintf(label_out, cap, "%s", label);
	return GANG_OK;
}

static int pg_slots_apply_one(db_pg *db, const gang_slot_mapping *l, gang_diag *d)
{
	pg_params p = { 0 };
	int err;

	pg_p_text(&p, l->label);
	pg_p_text(&p, l->serial);
	pg_p_text(&p, l->path);
	if ((err = pg_q(NULL, db,
			"DELETE FROM slot_map WHERE label = $1 OR (probe_serial = $2 AND (usb_path = $3 "
			"OR ($3 = '' AND source = 'auto')))",
			&p, "replacing a slot mapping", d)) < 0)
		return err;
	return pg_q(NULL, db,
		    "INSERT INTO slot_map (label, probe_serial, usb_path, source, created_at) "
		    "VALUES ($1, $2, $3, 'file', " PG_NOW_SQL ")",
		    &p, "storing a slot mapping", d);
}

int db_pg_slots_apply(db_pg *db, const gang_slot_mapping *v, size_t n, gang_diag *d)
{
	int err;

	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pg_slot_lock(db, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	for (size_t i = 0; i < n; i++)
		if ((err = pg_slots_apply_one(db, &v[i], d)) < 0) {
			pg_rollback(db);
			return err;
		}
	return pg_commit(db, d);
}
