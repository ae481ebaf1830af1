/*
 * sqlite_probe.c — probes and slot labels. A slot is the fixture position an
 * operator points at ("S3"); it must not change when probes enumerate in
 * another order. The key is the probe serial plus the USB port path,
 * because clone ST-Links report garbage or duplicated serials
 * (docs/architecture.md "One attempt, from slot to database"; the serial
 * quirk of the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use it).
 * An engineer may pin labels with a --slots file.
 */
#include "db/sqlite/sqlite_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int db_slot_lookup(char *label, size_t cap, db_sqlite *db, const char *serial, const char *path,
			  gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	label[0] = '\0';
	/* An exact path beats a path-less mapping: '' sorts first, so DESC. */
	if ((err = db_prepare(&st, db,
			      "SELECT label FROM slot_map WHERE probe_serial = ?1 AND usb_path IN (?2, '') "
			      "ORDER BY usb_path DESC LIMIT 1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, serial);
	db_bind_text(st, 2, path);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(label, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "looking up a slot label");
	return GANG_OK;
}

static int db_slot_create(char *label, size_t cap, db_sqlite *db, const char *serial, const char *path,
			  gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if ((err = db_prepare(&st, db,
			      "INSERT INTO slot_map (label, probe_serial, usb_path, source, created_at) "
			      "SELECT 'S' || (COALESCE(MAX(CAST(substr(label, 2) AS INTEGER)), 0) + 1), ?1, ?2, "
			      "'auto', " DB_NOW_SQL " FROM slot_map WHERE label GLOB 'S[0-9]*' "
			      "AND NOT substr(label, 2) GLOB '*[^0-9]*' RETURNING label",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, serial);
	db_bind_text(st, 2, path);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(label, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	return db_run(db, st, d, "creating a slot label");
}

static int db_probe_upsert(db_sqlite *db, const char *serial, const char *path, const char *model,
			   const char *firmware, const char *label, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if ((err = db_prepare(&st, db,
			      "INSERT INTO probes (serial, usb_path, model, firmware, slot, first_seen, last_seen) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, " DB_NOW_SQL ", " DB_NOW_SQL ") "
			      "ON CONFLICT (serial, usb_path) DO UPDATE SET model = excluded.model, "
			      "firmware = excluded.firmware, slot = excluded.slot, last_seen = excluded.last_seen",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, serial);
	db_bind_text(st, 2, path);
	db_bind_text(st, 3, model);
	db_bind_text(st, 4, firmware);
	db_bind_text(st, 5, label);
	return db_run(db, st, d, "recording a probe");
}

int db_sqlite_probe_seen(char *label_out, size_t cap, db_sqlite *db, const char *serial,
		       const char *usb_path, const char *model, const char *firmware, gang_diag *d)
{
	char label[GANG_DB_LABEL_MAX];
	int err;

	if (cap)
		label_out[0] = '\0';
	if (!serial || !usb_path || !*usb_path || cap < GANG_DB_LABEL_MAX)
		return gang_diag_set(d, GANG_ERR, "database %s: probe serial, USB path or label buffer missing",
				     db->path);
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = db_slot_lookup(label, sizeof(label), db, serial, usb_path, d)) < 0)
		goto fail;
	if (!label[0] && (err = db_slot_create(label, sizeof(label), db, serial, usb_path, d)) < 0)
		goto fail;
	if ((err = db_probe_upsert(db, serial, usb_path, model, firmware, label, d)) < 0)
		goto fail;
	if ((err = db_commit(db, d)) < 0)
		return err;
	snprintf(label_out, cap, "%s", label);
	return GANG_OK;
fail:
	db_rollback(db);
	return err;
}
