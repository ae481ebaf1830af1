/*
 * sqlite_scan.c — scanned labels in the SQLite backend (table scans,
 * db/migrations/sqlite/0010_scans.sql): a label's text bound to one board's
 * UID in one BEGIN IMMEDIATE transaction; PRIMARY KEY (text) is the
 * guarantee that a label names one board. Rules: sched/job_scan.c.
 */
#include "db/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The board text is bound to ("" when none) and that board's burned serial. */
static int scan_owner(char *uid, size_t uid_cap, char *serial, size_t serial_cap, db_sqlite *db, const char *text,
		      gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	uid[0] = serial[0] = '\0';
	if ((err = db_prepare(&st, db,
			      "SELECT s.uid, COALESCE(b.serial, '') FROM scans s JOIN boards b ON b.uid = s.uid "
			      "WHERE s.text = ?1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, text);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(uid, uid_cap, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(serial, serial_cap, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "looking up a scanned label");
	return GANG_OK;
}

static int scan_bind_tx(char *other_uid, size_t uid_cap, char *other_serial, size_t serial_cap, db_sqlite *db,
			const char *text, const char *uid, const gang_attempt_key *k, gang_diag *d)
{
	int64_t attempt_id = 0;
	sqlite3_stmt *st;
	int err;

	if (k && (err = db_attempt_row(&attempt_id, db, k, "binding a scanned label", d)) < 0)
		return err;
	if ((err = scan_owner(other_uid, uid_cap, other_serial, serial_cap, db, text, d)) < 0)
		return err;
	if (strcmp(other_uid, uid) == 0)
		return GANG_OK;
	if (other_uid[0])
		return gang_diag_set(d, GANG_ESCAN_TAKEN, "label '%s' is already bound to board %s%s%s", text, other_uid,
				     other_serial[0] ? ", serial " : "", other_serial);
	if ((err = db_sqlite_board_seen(db, uid, NULL, d)) < 0 ||
	    (err = db_prepare(&st, db,
			      "INSERT INTO scans (text, uid, attempt_id, scanned_at) VALUES (?1, ?2, ?3, " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, text);
	db_bind_text(st, 2, uid);
	if (attempt_id > 0)
		sqlite3_bind_int64(st, 3, attempt_id);
	return db_run(db, st, d, "binding a scanned label");
}

int db_sqlite_scan_bind(char *other_uid, size_t uid_cap, char *other_serial, size_t serial_cap, gang_db *g,
			const char *text, const char *uid, const gang_attempt_key *attempt, gang_diag *d)
{
	db_sqlite *db = db_sqlite_of(g);
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = scan_bind_tx(other_uid, uid_cap, other_serial, serial_cap, db, text, uid, attempt, d)) < 0) {
		db_rollback(db);
		return err;
	}
	other_uid[0] = other_serial[0] = '\0';
	return db_commit(db, d);
}

int db_sqlite_scan_lookup(char ***uids_out, size_t *n_out, gang_db *g, const char *text, gang_diag *d)
{
	char uid[128], serial[8];
	int err;

	*uids_out = NULL;
	*n_out = 0;
	if ((err = scan_owner(uid, sizeof(uid), serial, sizeof(serial), db_sqlite_of(g), text, d)) < 0 || !uid[0])
		return err;
	if (!(*uids_out = malloc(sizeof(char *))) || !((*uids_out)[0] = strdup(uid))) {
		free(*uids_out);
		*uids_out = NULL;
		return gang_diag_set(d, GANG_ENOMEM, "out of memory looking up a scanned label");
	}
	*n_out = 1;
	return GANG_OK;
}
