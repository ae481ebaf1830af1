/*
 * sqlite_open.c — opening the SQLite traceability database: refusals an operator can
 * act on (read-only, disk full, locked, newer schema, not a database), the
 * migrations, WAL, and crash recovery of attempts left open.
 *
 * Each thread opens its own connection (SQLITE_OPEN_NOMUTEX: SQLite's
 * multi-thread mode, where a connection must not be used by two threads at
 * once). WAL lets report readers run while workers write; synchronous=FULL
 * because a reserved serial lost to a power cut could be handed out twice.
 * Reference: https://sqlite.org/threadsafe.html, https://sqlite.org/wal.html.
 */
#include "db/sqlite/sqlite_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DB_RUNS_SUFFIX "-runs"
#define DB_RUN_ID_TRIES 8

static bool db_is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int db_open_check_files(const char *path, int flags, gang_diag *d)
{
	char *copy = strdup(path);
	const char *dir;
	int err = GANG_OK;

	if (!copy)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory opening %s", path);
	dir = dirname(copy);
	if (access(path, F_OK) != 0 && db_is_link(path)) {
		err = gang_diag_set(d, GANG_EDB,
				    "database %s is a symbolic link to a missing file; gang does not create a "
				    "database through a link — remove the link or name the real path",
				    path);
	} else if (access(path, F_OK) != 0) {
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

static int db_open_conn(db_sqlite *db, gang_diag *d)
{
	int oflags = SQLITE_OPEN_NOMUTEX;
	int rc;

	if (db->flags & GANG_DB_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE | ((db->flags & GANG_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	/* A file gang creates is never created through a link (a link swapped in after
	 * db_open_check_files looked; SQLITE_OPEN_NOFOLLOW, sqlite.org/c3ref/open.html);
	 * an existing database may be a link the engineer made. */
	if ((db->flags & GANG_DB_CREATE) && access(db->path, F_OK) != 0)
		oflags |= SQLITE_OPEN_NOFOLLOW;
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

static int db_open_check_version(int *version_out, db_sqlite *db, gang_diag *d)
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
				     "once with `gang db upgrade` (or any gang run on it)",
				     db->path, *version_out, known);
	return GANG_OK;
}

/* Lock probe + migrations: one IMMEDIATE transaction, re-reading the version inside it. */
static int db_open_migrate(db_sqlite *db, gang_diag *d)
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
static int db_open_wal(db_sqlite *db, gang_diag *d)
{
	uint64_t t0 = db_now_us();
	struct timespec pause = { 0, (long)DB_BUSY_MAX_SLEEP_US * 1000L };
	sqlite3_stmt *st;
	int rc, err, wal;

	if ((err = db_prepare(&st, db, "PRAGMA journal_mode = WAL", d)) < 0)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_BUSY && db_now_us() - t0 < (uint64_t)db->wait_ms * 1000U) {
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

static int db_open_setup(db_sqlite *db, gang_diag *d)
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
		return db_sqlite_recover(db, NULL, d);
	return GANG_OK;
}

/* Open with a wait budget of wait_ms for other writers (opening included). */
static int db_open_waiting(db_sqlite **out, const char *path, int flags, uint32_t wait_ms, gang_diag *d)
{
	db_sqlite *db;
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
	db->base.ops = &db_sqlite_ops;
	db->flags = flags;
	db->run_fd = -1;
	db->wait_ms = wait_ms;
	if (!(flags & GANG_DB_READONLY) && !(db->gate = db_gate_new())) {
		db_sqlite_close(db);
		return gang_diag_set(d, GANG_ENOMEM, "out of memory opening database %s", path);
	}
	if ((err = db_open_setup(db, d)) < 0) {
		db_sqlite_close(db);
		return err;
	}
	*out = db;
	return GANG_OK;
}

int db_sqlite_open(db_sqlite **out, const char *path, int flags, gang_diag *d)
{
	return db_open_waiting(out, path, flags, GANG_DB_BUSY_BUDGET_MS, d);
}

void db_sqlite_close(db_sqlite *db)
{
	if (!db)
		return;
	if (db->conn)
		db_rollback(db);
	db_gate_unref(db->gate);
	sqlite3_close(db->conn);
	if (db->run_fd >= 0)
		close(db->run_fd);   /* drops the run's lock: its open attempts become recoverable */
	free(db->path);
	free(db);
}

int db_sqlite_open_worker(db_sqlite **out, db_sqlite *main_db, gang_diag *d)
{
	int err;

	*out = NULL;
	if (!main_db->gate)
		return gang_diag_set(d, GANG_ERR, "database %s: worker connections need a read-write main one",
				     main_db->path);
	err = db_open_waiting(out, main_db->path, main_db->flags & ~(GANG_DB_CREATE | GANG_DB_RECOVER),
			      main_db->wait_ms, d);
	if (err < 0)
		return err;
	db_gate_unref((*out)->gate);
	(*out)->gate = db_gate_ref(main_db->gate);
	(*out)->run_id = main_db->run_id;
	return GANG_OK;
}

const char *db_sqlite_path(const db_sqlite *db)
{
	return db->path;
}

/* Lock byte run_id of "<path>-runs" for writing (fcntl record lock: no wait). */
static int db_run_lock(int fd, int64_t run_id, short type, int cmd, struct flock *l)
{
	memset(l, 0, sizeof(*l));
	l->l_type = type;
	l->l_whence = SEEK_SET;
	l->l_start = (off_t)run_id;
	l->l_len = 1;
	return fcntl(fd, cmd, l);
}

/*
 * Become a run: a random 31-bit id whose byte in "<path>-runs" this process
 * write-locks for as long as the handle stays open. Random rather than the
 * pid, so gang processes in different PID namespaces sharing a database do
 * not collide; a taken id is retried.
 */
static int db_run_claim(db_sqlite *db, gang_diag *d)
{
	char path[4096];
	struct flock l;
	uint32_t r = 0;

	if (db->run_fd >= 0)
		return GANG_OK;
	snprintf(path, sizeof(path), "%s" DB_RUNS_SUFFIX, db->path);
	/* never through a link: it could make gang create or lock a file elsewhere (open(2) O_NOFOLLOW) */
	if ((db->run_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0 && errno == ELOOP)
		return gang_diag_set(d, GANG_EDB,
				     "%s (the run lock beside the database) is a symbolic link; gang does not follow "
				     "it — remove the link",
				     path);
	if (db->run_fd < 0)
		return gang_diag_set(d, GANG_EDB, "cannot create %s (the run lock beside the database): %s", path,
				     strerror(errno));
	for (int i = 0; i < DB_RUN_ID_TRIES; i++) {
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint32_t)getpid() * 2654435761U ^ (uint32_t)time(NULL) ^ (uint32_t)i;
		db->run_id = (int64_t)(r & 0x7FFFFFFFU) + 1;
		if (db_run_lock(db->run_fd, db->run_id, F_WRLCK, F_SETLK, &l) == 0)
			return GANG_OK;
	}
	db->run_id = 0;
	return gang_diag_set(d, GANG_EDB, "cannot lock %s (the run lock beside the database): %s", path,
			     strerror(errno));
}

/* Is the run that owns run_id still alive (another process holds its byte)? */
static int db_run_alive(const db_sqlite *db, int64_t run_id)
{
	struct flock l;

	if (run_id <= 0 || run_id == db->run_id)
		return 0;   /* unowned (before migration 5), or our own id left by a dead namesake */
	if (db_run_lock(db->run_fd, run_id, F_WRLCK, F_GETLK, &l) != 0)
		return 1;   /* cannot tell: never close what may be a live attempt */
	return l.l_type != F_UNLCK;
}

/* Close the open attempts of one dead owner (0: unowned, run_id NULL). */
static int db_recover_owner(db_sqlite *db, int64_t owner, int *closed, gang_diag *d)
{
	static const char *const sql[] = {
		"UPDATE boards SET last_result = 'aborted', last_seen = " DB_NOW_SQL " WHERE uid IN "
		"(SELECT uid FROM attempts WHERE finished_at IS NULL AND run_id IS ?1)",
		"UPDATE attempts SET finished_at = " DB_NOW_SQL ", result = 'aborted', error_class = 'aborted', "
		"error_message = 'gang stopped during this attempt' WHERE finished_at IS NULL AND run_id IS ?1",
	};
	sqlite3_stmt *st;
	int err;

	for (int i = 0; i < 2; i++) {
		if ((err = db_prepare(&st, db, sql[i], d)) < 0)
			return err;
		if (owner)
			sqlite3_bind_int64(st, 1, owner);
		if ((err = db_run(db, st, d, "closing attempts left open")) < 0)
			return err;
	}
	*closed += sqlite3_changes(db->conn);
	return GANG_OK;
}

/* The owners of open attempts (0 for unowned), read before any of them is closed. */
static int db_recover_owners(int64_t **out, size_t *n_out, db_sqlite *db, gang_diag *d)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, err = GANG_OK;

	*out = NULL;
	*n_out = 0;
	if ((err = db_prepare(&st, db, "SELECT DISTINCT run_id FROM attempts WHERE finished_at IS NULL", d)) < 0)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n_out == cap) {
			int64_t *grown = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof(**out));

			if (!grown) {
				err = gang_diag_set(d, GANG_ENOMEM, "out of memory recovering %s", db->path);
				break;
			}
			*out = grown;
		}
		(*out)[(*n_out)++] = sqlite3_column_int64(st, 0);   /* NULL reads as 0 */
	}
	if (err == GANG_OK && rc != SQLITE_DONE)
		err = db_fail(db, rc, d, "listing attempts left open");
	sqlite3_finalize(st);
	return err;
}

static int db_recover_dead(db_sqlite *db, int *closed, gang_diag *d)
{
	int64_t *owners;
	size_t n;
	int err = db_recover_owners(&owners, &n, db, d);

	for (size_t i = 0; err == GANG_OK && i < n; i++)
		if (!db_run_alive(db, owners[i]))
			err = db_recover_owner(db, owners[i], closed, d);
	free(owners);
	return err;
}

int db_sqlite_recover(db_sqlite *db, int *closed_out, gang_diag *d)
{
	int closed = 0, err;

	if (closed_out)
		*closed_out = 0;
	if ((err = db_run_claim(db, d)) < 0)
		return err;
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = db_recover_dead(db, &closed, d)) < 0) {
		db_rollback(db);
		return err;
	}
	if (closed_out)
		*closed_out = closed;
	return db_commit(db, d);
}
