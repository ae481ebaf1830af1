/*
 * db_open.c — opening the traceability database: refusals an operator can
 * act on (read-only, disk full, locked, newer schema, not a database), the
 * migrations, WAL, and crash recovery of attempts left open.
 *
 * Each thread opens its own connection (SQLITE_OPEN_NOMUTEX: SQLite's
 * multi-thread mode, where a connection must not be used by two threads at
 * once). WAL lets report readers run while workers write; synchronous=FULL
 * because a reserved serial lost to a power cut could be handed out twice.
 * Reference: https://sqlite.org/threadsafe.html, https://sqlite.org/wal.html.
 */
#include "db/db_internal.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int db_open_check_files(const char *path, int flags, gang_diag *d)
{
	char *copy = strdup(path);
	const char *dir;
	int err = GANG_OK;

	if (!copy)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory opening %s", path);
	dir = dirname(copy);
	if (access(path, F_OK) != 0) {
		if (!(flags & GANG_DB_CREATE) || (flags & GANG_DB_READONLY))
			err = gang_diag_set(d, GANG_EDB, "database %s does not exist", path);
		else if (access(dir, W_OK | X_OK) != 0)
			err = gang_diag_set(d, GANG_EDB, "cannot create database %s: directory %s: %s", path,
					    dir, strerror(errno));
	} else if (!(flags & GANG_DB_READONLY)) {
		if (access(path, R_OK | W_OK) != 0)
			err = gang_diag_set(d, GANG_EDB,
					    "database file %s is read-only (%s) — check its permissions", path,
					    strerror(errno));
		else if (access(dir, W_OK | X_OK) != 0)
			err = gang_diag_set(d, GANG_EDB,
					    "directory %s of database %s is read-only (SQLite creates its -wal and "
					    "-shm files there) — check its permissions",
					    dir, path);
	}
	free(copy);
	return err;
}

static int db_open_conn(gang_db *db, gang_diag *d)
{
	int oflags = SQLITE_OPEN_NOMUTEX;
	int rc;

	if (db->flags & GANG_DB_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE | ((db->flags & GANG_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(db->path, &db->conn, oflags, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, d, "opening");
	sqlite3_extended_result_codes(db->conn, 1);
	db_install_busy_handler(db);
	/* A read-write open of a file we may not write silently degrades. */
	if (!(db->flags & GANG_DB_READONLY) && sqlite3_db_readonly(db->conn, "main") == 1)
		return gang_diag_set(d, GANG_EDB,
				     "database file %s is read-only — check its permissions", db->path);
	return db_exec(db, "PRAGMA foreign_keys = ON", d);
}

static int db_open_check_version(int *version_out, gang_db *db, gang_diag *d)
{
	int known = gang_db_schema_version();
	int err;

	if ((err = db_user_version(version_out, db, d)) < 0)
		return err;
	if (*version_out > known)
		return gang_diag_set(d, GANG_EDB,
				     "database %s: schema version %d is newer than this gang (%d); upgrade gang",
				     db->path, *version_out, known);
	if ((db->flags & GANG_DB_READONLY) && *version_out < known)
		return gang_diag_set(d, GANG_EDB,
				     "database %s: schema version %d is older than this gang (%d); upgrade it "
				     "once with `gang report --upgrade` (or any gang run on it)",
				     db->path, *version_out, known);
	return GANG_OK;
}

/* Lock probe + migrations: one IMMEDIATE transaction, re-reading the version inside it. */
static int db_open_migrate(gang_db *db, gang_diag *d)
{
	int version, err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = db_open_check_version(&version, db, d)) < 0)
		goto fail;
	if (version < gang_db_schema_version() &&
	    (err = db_migrate(db, version, gang_db_schema_version(), d)) < 0)
		goto fail;
	return db_commit(db, d);
fail:
	db_rollback(db);
	return err;
}

/*
 * Switching a new file to WAL needs a moment alone with it, and SQLite
 * answers SQLITE_BUSY at once there instead of calling the busy handler
 * (several workers opening a fresh database together), so retry here
 * within the same budget.
 */
static int db_open_wal(gang_db *db, gang_diag *d)
{
	uint64_t t0 = db_now_us();
	struct timespec pause = { 0, (long)DB_BUSY_MAX_SLEEP_US * 1000L };
	sqlite3_stmt *st;
	int rc, err, wal;

	if ((err = db_prepare(&st, db, "PRAGMA journal_mode = WAL", d)) < 0)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_BUSY &&
	       db_now_us() - t0 < (uint64_t)GANG_DB_BUSY_BUDGET_MS * 1000U) {
		sqlite3_reset(st);
		nanosleep(&pause, NULL);
	}
	wal = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc, d, "switching to WAL");
	if (!wal)
		return gang_diag_set(d, GANG_EDB, "database %s: cannot switch to WAL journal mode",
				     db->path);
	return db_exec(db, "PRAGMA synchronous = FULL", d);
}

static int db_open_setup(gang_db *db, gang_diag *d)
{
	int version, err;

	if ((err = db_open_conn(db, d)) < 0)
		return err;
	if ((err = db_open_check_version(&version, db, d)) < 0)
		return err;
	if (db->flags & GANG_DB_READONLY)
		return db_exec(db, "PRAGMA query_only = ON", d);
	if ((err = db_open_migrate(db, d)) < 0)
		return err;
	if ((err = db_open_wal(db, d)) < 0)
		return err;
	if (db->flags & GANG_DB_RECOVER)
		return gang_db_recover(db, NULL, d);
	return GANG_OK;
}

int gang_db_open(gang_db **out, const char *path, int flags, gang_diag *d)
{
	gang_db *db;
	int err;

	*out = NULL;
	if (!path || !*path)
		path = GANG_DB_DEFAULT_PATH;
	if (!sqlite3_threadsafe())
		return gang_diag_set(d, GANG_EDB, "this SQLite library was built without thread support");
	if ((err = db_open_check_files(path, flags, d)) < 0)
		return err;
	if (!(flags & GANG_DB_READONLY) && (err = db_check_space(path, GANG_DB_MIN_FREE_BYTES, d)) < 0)
		return err;
	db = calloc(1, sizeof(*db));
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return gang_diag_set(d, GANG_ENOMEM, "out of memory opening database %s", path);
	}
	db->flags = flags;
	if (!(flags & GANG_DB_READONLY) && !(db->gate = db_gate_new())) {
		gang_db_close(db);
		return gang_diag_set(d, GANG_ENOMEM, "out of memory opening database %s", path);
	}
	if ((err = db_open_setup(db, d)) < 0) {
		gang_db_close(db);
		return err;
	}
	*out = db;
	return GANG_OK;
}

void gang_db_close(gang_db *db)
{
	if (!db)
		return;
	if (db->conn)
		db_rollback(db);
	db_gate_unref(db->gate);
	sqlite3_close(db->conn);
	free(db->path);
	free(db);
}

int gang_db_open_worker(gang_db **out, gang_db *main_db, gang_diag *d)
{
	int err;

	*out = NULL;
	if (!main_db->gate)
		return gang_diag_set(d, GANG_ERR, "database %s: worker connections need a read-write main one",
				     main_db->path);
	err = gang_db_open(out, main_db->path, main_db->flags & ~(GANG_DB_CREATE | GANG_DB_RECOVER), d);
	if (err < 0)
		return err;
	db_gate_unref((*out)->gate);
	(*out)->gate = db_gate_ref(main_db->gate);
	return GANG_OK;
}

const char *gang_db_path(const gang_db *db)
{
	return db->path;
}

int gang_db_recover(gang_db *db, int *closed_out, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if (closed_out)
		*closed_out = 0;
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = db_exec(db,
			   "UPDATE boards SET last_result = 'aborted', last_seen = " DB_NOW_SQL
			   " WHERE uid IN (SELECT uid FROM attempts WHERE finished_at IS NULL)",
			   d)) < 0)
		goto fail;
	if ((err = db_prepare(&st, db,
			      "UPDATE attempts SET finished_at = " DB_NOW_SQL ", result = 'aborted', "
			      "error_class = 'aborted', error_message = 'gang stopped during this attempt' "
			      "WHERE finished_at IS NULL",
			      d)) < 0)
		goto fail;
	if ((err = db_run(db, st, d, "closing attempts left open")) < 0)
		goto fail;
	if (closed_out)
		*closed_out = sqlite3_changes(db->conn);
	return db_commit(db, d);
fail:
	db_rollback(db);
	return err;
}
