/*
 * sqlite_util.c — small SQLite helpers shared by the database files: operator
 * sentences for SQLite failures, transactions, and the busy handler.
 *
 * Busy handling (why not sqlite3_busy_timeout): SQLite's own handler sleeps
 * up to 100 ms at a time, which gives 16 contending workers a long tail.
 * Transactions here last well under a millisecond, so we poll with a short
 * jittered exponential backoff (50 us .. 2 ms; 25 ms once the holder has
 * kept the lock for 100 ms: a backup or a shell, not another gang) within
 * the handle's wait budget, which counts from the write's start (its time
 * in the in-process queue included), and report the wait (db_sqlite_on_wait).
 * Reference: https://sqlite.org/c3ref/busy_handler.html, sqlite.org/wal.html.
 */
#include "db/sqlite/sqlite_internal.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

uint64_t db_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

/* ": <OS reason>" of the last I/O failure of db's connection, or "" when SQLite kept none. */
static void db_errno_text(char *out, size_t cap, db_sqlite *db)
{
	int e = db && db->conn ? sqlite3_system_errno(db->conn) : 0;

	snprintf(out, cap, "%s%s", e ? ": " : "", e ? strerror(e) : "");
}

int db_fail(db_sqlite *db, int rc, gang_diag *d, const char *what)
{
	const char *path = db && db->path ? db->path : "?";
	const char *msg = db && db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc);
	char os[80];

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return gang_diag_set(d, GANG_EDB,
				     "database %s is locked by another writer (another gang, a backup or an "
				     "sqlite3 shell?); gave up %s within %u ms",
				     path, what, db ? db->wait_ms : GANG_DB_BUSY_BUDGET_MS);
	case SQLITE_FULL:
		return gang_diag_set(d, GANG_EDB, "database %s: disk full while %s — free some disk space (%s)",
				     path, what, msg);
	case SQLITE_READONLY:
		return gang_diag_set(d, GANG_EDB,
				     "database %s is read-only (%s while %s) — check the permissions of the file "
				     "and its directory",
				     path, msg, what);
	case SQLITE_NOTADB:
		return gang_diag_set(d, GANG_EDB, "%s is not a gang database (not an SQLite file)", path);
	case SQLITE_CORRUPT:
		return gang_diag_set(d, GANG_EDB, "database %s is corrupt (%s while %s)", path, msg, what);
	case SQLITE_CANTOPEN:
		return gang_diag_set(d, GANG_EDB, "cannot open database %s (%s while %s)", path, msg, what);
	case SQLITE_IOERR:
		/* the OS refused a read/write/fsync: name its reason when SQLite kept it (EROFS, EIO) */
		db_errno_text(os, sizeof(os), db);
		return gang_diag_set(d, GANG_EDB,
				     "database %s: the disk failed while %s (%s%s) — check the disk and its "
				     "filesystem (read-only after an error?), then restart gang",
				     path, what, msg, os);
	default:
		return gang_diag_set(d, GANG_EDB, "database %s: %s failed: %s", path, what, msg);
	}
}

int db_exec(db_sqlite *db, const char *sql, gang_diag *d)
{
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return db_fail(db, rc, d, sql);
	return GANG_OK;
}

int db_prepare(sqlite3_stmt **out, db_sqlite *db, const char *sql, gang_diag *d)
{
	int rc = sqlite3_prepare_v2(db->conn, sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		*out = NULL;
		return db_fail(db, rc, d, "preparing a statement");
	}
	return GANG_OK;
}

/* Report the current wait to the handle's listener when it is due. */
static void db_wait_tick(void *arg, uint64_t now)
{
	db_sqlite *db = arg;
	uint32_t waited;

	if (!db->wait_fn || !db->wait_from_us || now <= db->wait_from_us)
		return;
	waited = (uint32_t)((now - db->wait_from_us) / 1000U);
	if (waited < GANG_DB_WAIT_REPORT_FIRST_MS ||
	    (db->wait_told_ms && waited < db->wait_told_ms + GANG_DB_WAIT_REPORT_EVERY_MS))
		return;
	db->wait_told_ms = waited;
	db->wait_fn(db->wait_user, waited, 0);
}

void db_wait_end(db_sqlite *db)
{
	uint64_t now = db_now_us();

	if (db->wait_told_ms && db->wait_fn)
		db->wait_fn(db->wait_user, (uint32_t)((now - db->wait_from_us) / 1000U), 1);
	db->wait_told_ms = 0;
	db->wait_from_us = 0;
}

int db_write_wait(db_sqlite *db, gang_diag *d, const char *what)
{
	uint64_t deadline;

	db->wait_from_us = db_now_us();
	if (!db->gate || db->gate_held)
		return GANG_OK;
	deadline = db->wait_from_us + (uint64_t)db->wait_ms * 1000U;
	if (db_gate_enter(db->gate, &db->gate_node, deadline, db_wait_tick, db) < 0) {
		db_wait_end(db);
		return gang_diag_set(d, GANG_EDB,
				     "database %s is locked by another writer (another gang, a backup or an "
				     "sqlite3 shell?); gave up %s within %u ms",
				     db->path, what, db->wait_ms);
	}
	db->gate_held = 1;
	return GANG_OK;
}

int db_begin(db_sqlite *db, gang_diag *d)
{
	/* IMMEDIATE takes the write lock now: a read that later upgrades to a
	 * write could fail with SQLITE_BUSY_SNAPSHOT without the busy handler. */
	int rc, err;

	if ((err = db_write_wait(db, d, "starting a write transaction")) < 0)
		return err;
	rc = sqlite3_exec(db->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	db_wait_end(db);
	if (rc != SQLITE_OK) {
		err = db_fail(db, rc, d, "starting a write transaction");
		db_rollback(db);
		return err;
	}
	return GANG_OK;
}

int db_commit(db_sqlite *db, gang_diag *d)
{
	int rc = sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		int err = db_fail(db, rc, d, "committing");

		db_rollback(db);
		return err;
	}
	db_gate_release(db);
	return GANG_OK;
}

void db_gate_release(db_sqlite *db)
{
	if (db->gate_held) {
		db->gate_held = 0;
		db_gate_leave(db->gate);
	}
}

void db_rollback(db_sqlite *db)
{
	/* Harmless when SQLite already rolled back (e.g. after SQLITE_FULL). */
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
	db_gate_release(db);
}

int db_run(db_sqlite *db, sqlite3_stmt *st, gang_diag *d, const char *what)
{
	/* A write outside a transaction is its own transaction: it waits and queues too. */
	int alone = sqlite3_get_autocommit(db->conn) && !sqlite3_stmt_readonly(st);
	int queued = alone && db->gate && !db->gate_held;
	int err = GANG_OK;
	int rc;

	if (alone && (err = db_write_wait(db, d, what)) < 0) {
		sqlite3_finalize(st);
		return err;
	}
	rc = sqlite3_step(st);
	if (alone)
		db_wait_end(db);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = db_fail(db, rc, d, what);
	sqlite3_finalize(st);
	if (queued)
		db_gate_release(db);
	return err;
}

int db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

static int db_busy_cb(void *arg, int count)
{
	db_sqlite *db = arg;
	uint64_t now = db_now_us();
	uint64_t sleep_us, cap;
	struct timespec ts;

	if (count == 0)
		db->busy_start_us = db->wait_from_us ? db->wait_from_us : now;
	if (now - db->busy_start_us >= (uint64_t)db->wait_ms * 1000U)
		return 0;
	db_wait_tick(db, now);
	cap = now - db->busy_start_us < DB_BUSY_LONG_US ? DB_BUSY_MAX_SLEEP_US : DB_BUSY_LONG_SLEEP_US;
	sleep_us = (uint64_t)DB_BUSY_FIRST_US << (count < 10 ? count : 10);
	if (sleep_us > cap)
		sleep_us = cap;
	/* Jitter keeps contending workers from waking in lock step. */
	sleep_us = sleep_us / 2U + (uint64_t)rand_r(&db->busy_seed) % (sleep_us / 2U + 1U);
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(sleep_us * 1000U);
	nanosleep(&ts, NULL);
	db->busy_sleeps++;
	return 1;
}

void db_install_busy_handler(db_sqlite *db)
{
	db->busy_seed = (unsigned)(db_now_us() ^ (uintptr_t)db);
	sqlite3_busy_handler(db->conn, db_busy_cb, db);
}

void db_sqlite_set_wait(db_sqlite *db, uint32_t wait_ms)
{
	db->wait_ms = wait_ms;
}

void db_sqlite_on_wait(db_sqlite *db, gang_db_wait_fn fn, void *user)
{
	db->wait_fn = fn;
	db->wait_user = user;
}

int db_check_space(const char *path, uint64_t min_free, gang_diag *d)
{
	char *copy = strdup(path);
	struct statvfs vfs;
	uint64_t avail;
	int rc;

	if (!copy)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory checking free space for %s", path);
	rc = statvfs(dirname(copy), &vfs);
	free(copy);
	if (rc != 0)
		return gang_diag_set(d, GANG_EDB, "cannot check free space for database %s: %s", path,
				     strerror(errno));
	avail = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
	if (avail < min_free)
		return gang_diag_set(d, GANG_EDB,
				     "disk full: only %llu KiB free where database %s lives "
				     "(gang needs at least %llu KiB) — free some disk space",
				     (unsigned long long)(avail / 1024U), path,
				     (unsigned long long)(min_free / 1024U));
	return GANG_OK;
}
