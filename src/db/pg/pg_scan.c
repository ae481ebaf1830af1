/*
 * pg_scan.c — scanned labels in the PostgreSQL backend (table scans,
 * db/migrations/pg/0006_scans.sql): a label's text bound to one board's
 * UID in one transaction; PRIMARY KEY (text) is the guarantee, and two
 * stations binding the same text together meet at it (the second insert
 * waits for the first and then conflicts). Rules: sched/job_scan.c.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int scan_owner(char *uid, size_t uid_cap, char *serial, size_t serial_cap, db_pg *db, const char *text,
		      gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, text);
	if ((err = pg_q(&r, db,
			"SELECT s.uid, COALESCE(b.serial, '') FROM scans s JOIN boards b ON b.uid = s.uid WHERE s.text = $1",
			&p, "looking up a scanned label", d)) < 0)
		return err;
	pg_copy(uid, uid_cap, r, 0, 0);
	pg_copy(serial, serial_cap, r, 0, 1);
	PQclear(r);
	return GANG_OK;
}

static int scan_bind_tx(char *other_uid, size_t uid_cap, char *other_serial, size_t serial_cap, db_pg *db,
			const char *text, const char *uid, const gang_attempt_key *k, gang_diag *d)
{
	pg_params p = { 0 };
	int64_t attempt_id = 0;
	int err;

	if (k && (err = pg_attempt_row(&attempt_id, db, k, "binding a scanned label", d)) < 0)
		return err;
	if ((err = scan_owner(other_uid, uid_cap, other_serial, serial_cap, db, text, d)) < 0)
		return err;
	if (strcmp(other_uid, uid) == 0)
		return GANG_OK;
	if (other_uid[0])
		return gang_diag_set(d, GANG_ESCAN_TAKEN, "label '%s' is already bound to board %s%s%s", text, other_uid,
				     other_serial[0] ? ", serial " : "", other_serial);
	if ((err = pg_board_upsert(db, uid, NULL, d)) < 0)
		return err;
	pg_p_text(&p, text);
	pg_p_text(&p, uid);
	if (attempt_id > 0)
		pg_p_int(&p, attempt_id);
	else
		pg_p_text(&p, NULL);
	return pg_q(NULL, db, "INSERT INTO scans (text, uid, attempt_id, scanned_at) VALUES ($1, $2, $3::bigint, "
		    PG_NOW_SQL ")", &p, "binding a scanned label", d);
}

int db_pg_scan_bind(char *other_uid, size_t uid_cap, char *other_serial, size_t serial_cap, gang_db *g,
		    const char *text, const char *uid, const gang_attempt_key *attempt, gang_diag *d)
{
	db_pg *db = db_pg_of(g);
	int err;

	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = scan_bind_tx(other_uid, uid_cap, other_serial, serial_cap, db, text, uid, attempt, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	other_uid[0] = other_serial[0] = '\0';
	return pg_commit(db, d);
}

int db_pg_scan_lookup(char ***uids_out, size_t *n_out, gang_db *g, const char *text, gang_diag *d)
{
	char uid[128], serial[8];
	int err;

	*uids_out = NULL;
	*n_out = 0;
	if ((err = scan_owner(uid, sizeof(uid), serial, sizeof(serial), db_pg_of(g), text, d)) < 0 || !uid[0])
		return err;
	if (!(*uids_out = malloc(sizeof(char *))) || !((*uids_out)[0] = strdup(uid))) {
		free(*uids_out);
		*uids_out = NULL;
		return gang_diag_set(d, GANG_ENOMEM, "out of memory looking up a scanned label");
	}
	*n_out = 1;
	return GANG_OK;
}
