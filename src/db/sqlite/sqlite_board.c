/*
 * sqlite_board.c — a board seen again: its last pass with the same profile and
 * image (so a finished board is not programmed twice), and the sighting
 * recorded instead of a new attempt.
 */
#include "db/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

static void db_copy_col(char *out, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(out, cap, "%s", s ? (const char *)s : "");
}

int db_sqlite_board_last_pass(gang_board_pass *out, db_sqlite *db, const char *uid, const char *profile_sha256,
			    const char *image_sha256, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	memset(out, 0, sizeof(*out));
	if ((err = db_prepare(&st, db,
			      "SELECT ifnull(station, ''), seq, finished_at, serial_text FROM attempts WHERE uid = ?1 "
			      "AND result = 'pass' "
			      "AND profile_sha256 IS ?2 AND image_sha256 IS ?3 ORDER BY started_at DESC, id DESC "
			      "LIMIT 1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, uid);
	db_bind_text(st, 2, profile_sha256);
	db_bind_text(st, 3, image_sha256);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->found = true;
		db_copy_col(out->attempt.station, sizeof(out->attempt.station), st, 0);
		out->attempt.seq = sqlite3_column_int64(st, 1);
		db_copy_col(out->finished_at, sizeof(out->finished_at), st, 2);
		db_copy_col(out->serial_text, sizeof(out->serial_text), st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? GANG_OK : db_fail(db, rc, d, "looking up the board's last pass");
}

int db_sqlite_sighting(db_sqlite *db, const gang_attempt_info *info, const char *uid,
		       const gang_attempt_key *pass_attempt, gang_diag *d)
{
	sqlite3_stmt *st;
	int64_t pass_attempt_id;
	int err;

	if ((err = db_attempt_row(&pass_attempt_id, db, pass_attempt, "recording a board seen again", d)) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "INSERT INTO sightings (uid, pass_attempt_id, slot, probe_serial, batch, operator, "
			      "station, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, uid);
	sqlite3_bind_int64(st, 2, pass_attempt_id);
	db_bind_text(st, 3, info->slot);
	db_bind_text(st, 4, info->probe_serial);
	db_bind_text(st, 5, info->batch);
	db_bind_text(st, 6, info->operator_name);
	db_bind_text(st, 7, info->station);
	return db_run(db, st, d, "recording a board seen again");
}
