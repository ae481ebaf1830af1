/*
 * journal.c — the station's local journal (journal.h): one SQLite file,
 * one connection guarded by a mutex, WAL with synchronous=FULL (SQLite
 * docs "PRAGMA synchronous": FULL syncs the WAL at every commit, so an
 * appended record survives a power cut, not only kill -9). Its schema is
 * its own (JOURNAL_SCHEMA), versioned by PRAGMA user_version.
 *
 * Appends commit in groups: the slots that append while one commit is
 * being synced wait together, and the first of them writes all their
 * records in the next transaction, so one WAL sync covers them all
 * (group commit). Each caller still returns only once its own record is
 * on disk; a group that fails leaves none of its records and tells each
 * caller why.
 */
#include "db/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_VERSION 1

static const char JOURNAL_SCHEMA[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE records ("
	" seq INTEGER PRIMARY KEY CHECK (seq > 0),"
	" kind INTEGER NOT NULL, attempt_seq INTEGER NOT NULL, at TEXT NOT NULL,"
	" s0 TEXT, s1 TEXT, s2 TEXT, s3 TEXT, s4 TEXT, s5 TEXT, s6 TEXT, n0 INTEGER, n1 INTEGER,"
	" state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2)),"
	" code INTEGER NOT NULL DEFAULT 0, sentence TEXT, settled_at TEXT);"
	"CREATE INDEX records_pending ON records(seq) WHERE state = 0;"
	"CREATE INDEX records_attempt ON records(attempt_seq, kind);"
	"PRAGMA user_version = 1;";

/* A record waiting for the group commit that writes it (on its caller's stack). */
typedef struct journal_wait {
	gang_journal_rec *r;
	gang_diag d;
	int err;
	bool done;
	struct journal_wait *next;
} journal_wait;

struct gang_journal {
	pthread_mutex_t mu; /* guards db */
	pthread_mutex_t qmu; /* guards the group below */
	pthread_cond_t qcond;
	journal_wait *queue, **queue_tail; /* appends waiting for the next group, in arrival order */
	bool writing;       /* a group is being written */
	sqlite3 *db;
	int lock_fd;        /* the fcntl lock that keeps a second gang out */
	char *path;
	char station[96];
};

static void journal_now(char *out, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	char sec[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, cap, "%.19s.%03dZ", sec, (int)(ts.tv_nsec / 1000000L));
}

static int journal_fail(gang_journal *j, const char *what, gang_diag *d)
{
	return gang_diag_set(d, GANG_EDB, "journal %s: %s failed: %s", j->path, what, sqlite3_errmsg(j->db));
}

/* FNV-1a of the database's name: journals of two databases never share a default file. */
static uint32_t journal_hash(const char *s)
{
	uint32_t h = 2166136261U;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619U;
	return h;
}

/* mkdir -p of path's directory (mode 0700: the journal names boards and operators). */
static int journal_mkdirs(const char *path, gang_diag *d)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *c = dir + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return gang_diag_set(d, GANG_EFILE, "journal %s: cannot create directory %s: %s", path, dir,
					     strerror(errno));
		*c = '/';
	}
	return GANG_OK;
}

/* A station name as a file name's part: a '/' or a leading '.' of it cannot name another directory. */
static void journal_file_part(char *out, size_t cap, const char *station)
{
	snprintf(out, cap, "%s", station && *station ? station : "gang");
	for (char *c = out; *c; c++)
		if (*c == '/' || (c == out && *c == '.'))
			*c = '_';
}

int gang_journal_default_path(char *out, size_t cap, const char *station, const char *database, gang_diag *d)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char name[96];
	int n;

	journal_file_part(name, sizeof(name), station);
	if (state && *state == '/')
		n = snprintf(out, cap, "%s/gang/journal-%s-%08x.db", state, name, journal_hash(database));
	else if (home && *home)
		n = snprintf(out, cap, "%s/.local/state/gang/journal-%s-%08x.db", home, name, journal_hash(database));
	else
		return gang_diag_set(d, GANG_EUSAGE, "no place for the journal: neither XDG_STATE_HOME nor HOME is set "
						     "(name one with --journal)");
	if (n < 0 || (size_t)n >= cap)
		return gang_diag_set(d, GANG_EUSAGE, "the journal's default path is too long (name one with --journal)");
	return GANG_OK;
}

static int journal_exec(gang_journal *j, const char *sql, const char *what, gang_diag *d)
{
	if (sqlite3_exec(j->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return journal_fail(j, what, d);
	return GANG_OK;
}

/* One process per journal: a write lock on the whole file, released when it closes. */
static int journal_lock(gang_journal *j, gang_diag *d)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char lock_path[4200];

	snprintf(lock_path, sizeof(lock_path), "%s-lock", j->path);
	if ((j->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return gang_diag_set(d, GANG_EFILE, "journal %s: cannot open %s: %s", j->path, lock_path, strerror(errno));
	if (fcntl(j->lock_fd, F_SETLK, &fl) < 0)
		return gang_diag_set(d, GANG_EDB, "journal %s is in use by another gang run of this station", j->path);
	return GANG_OK;
}

static int journal_meta(char *out, size_t cap, gang_journal *j, const char *key, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(j->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return journal_fail(j, "reading its identity", d);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? GANG_OK : journal_fail(j, "reading its identity", d);
}

static int journal_set_meta(gang_journal *j, const char *key, const char *value, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(j->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1, &st, NULL) !=
	    SQLITE_OK)
		return journal_fail(j, "writing its identity", d);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? GANG_OK : journal_fail(j, "writing its identity", d);
}

/*
 * The journal belongs to one station and one central database. Another
 * database is adopted only when nothing waits for delivery: records are
 * never sent where they were not meant to go.
 */
static int journal_identity(gang_journal *j, const char *database, gang_diag *d)
{
	char have_station[96], have_db[1024];
	int64_t pending = 0, refused = 0;
	int err;

	if ((err = journal_meta(have_station, sizeof(have_station), j, "station", d)) < 0 ||
	    (err = journal_meta(have_db, sizeof(have_db), j, "database", d)) < 0)
		return err;
	if (have_station[0] && strcmp(have_station, j->station) != 0)
		return gang_diag_set(d, GANG_EDB, "journal %s belongs to station '%s', not '%s' (name another with "
				     "--journal)", j->path, have_station, j->station);
	if (have_db[0] && strcmp(have_db, database) != 0) {
		if ((err = gang_journal_counts(&pending, &refused, j, d)) < 0)
			return err;
		if (pending > 0)
			return gang_diag_set(d, GANG_EDB,
					     "journal %s holds %lld records for database %s, not %s; run gang with that "
					     "database first so they are delivered",
					     j->path, (long long)pending, have_db, database);
	}
	if ((err = journal_set_meta(j, "station", j->station, d)) < 0)
		return err;
	return journal_set_meta(j, "database", database, d);
}

static int journal_setup(gang_journal *j, const char *database, gang_diag *d)
{
	sqlite3_stmt *st;
	int version = -1, err;

	if (sqlite3_open_v2(j->path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		return gang_diag_set(d, GANG_EFILE, "journal %s cannot be opened: %s", j->path,
				     j->db ? sqlite3_errmsg(j->db) : "out of memory");
	sqlite3_busy_timeout(j->db, 2000);
	if ((err = journal_exec(j, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", "setting it up", d)) < 0)
		return err;
	if (sqlite3_prepare_v2(j->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0)
		return journal_fail(j, "reading its version", d);
	if (version > JOURNAL_VERSION)
		return gang_diag_set(d, GANG_EDB, "journal %s was written by a newer gang (version %d)", j->path, version);
	if (version == 0 && (err = journal_exec(j, JOURNAL_SCHEMA, "creating it", d)) < 0)
		return err;
	return journal_identity(j, database, d);
}

int gang_journal_open(gang_journal **out, const char *path, const char *station, const char *database,
		      gang_diag *d)
{
	gang_journal *j;
	int err;

	*out = NULL;
	if (!(j = calloc(1, sizeof(*j))) || !(j->path = strdup(path))) {
		free(j);
		return gang_diag_set(d, GANG_ENOMEM, "out of memory opening journal %s", path);
	}
	pthread_mutex_init(&j->mu, NULL);
	pthread_mutex_init(&j->qmu, NULL);
	pthread_cond_init(&j->qcond, NULL);
	j->queue_tail = &j->queue;
	j->lock_fd = -1;
	snprintf(j->station, sizeof(j->station), "%s", station ? station : "");
	if ((err = journal_mkdirs(path, d)) < 0 || (err = journal_lock(j, d)) < 0 ||
	    (err = journal_setup(j, database, d)) < 0) {
		gang_journal_close(j);
		return err;
	}
	*out = j;
	return GANG_OK;
}

void gang_journal_close(gang_journal *j)
{
	if (!j)
		return;
	sqlite3_close(j->db);
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	pthread_mutex_destroy(&j->mu);
	pthread_mutex_destroy(&j->qmu);
	pthread_cond_destroy(&j->qcond);
	free(j->path);
	free(j);
}

const char *gang_journal_path(const gang_journal *j)
{
	return j->path;
}

const char *gang_journal_station(const gang_journal *j)
{
	return j->station;
}

static int journal_append_locked(gang_journal *j, gang_journal_rec *r, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(j->db,
			       "INSERT INTO records (seq, kind, attempt_seq, at, s0, s1, s2, s3, s4, s5, s6, n0, n1) "
			       "VALUES (max((SELECT COALESCE(max(seq), 0) FROM records), (SELECT COALESCE(max(CAST(value "
			       "AS INTEGER)), 0) FROM meta WHERE key = 'seq_floor')) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			       "?) RETURNING seq",
			       -1, &st, NULL) != SQLITE_OK)
		return journal_fail(j, "writing a record", d);
	sqlite3_bind_int(st, 1, (int)r->kind);
	sqlite3_bind_int64(st, 2, r->attempt_seq);
	sqlite3_bind_text(st, 3, r->at, -1, SQLITE_STATIC);
	for (int i = 0; i < GANG_JOURNAL_TEXTS; i++)
		sqlite3_bind_text(st, 4 + i, r->s[i], -1, SQLITE_STATIC);   /* NULL binds SQL NULL */
	sqlite3_bind_int64(st, 11, r->n[0]);
	sqlite3_bind_int64(st, 12, r->n[1]);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		r->seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? GANG_OK : journal_fail(j, "writing a record", d);
}

/*
 * The group g in one transaction. When it cannot begin, a record fails or
 * the commit fails, nothing of g stays and every record of g gets the
 * journal's sentence: the causes (a lock held elsewhere, a full or broken
 * disk) are the file's, and a record alone would fare no better.
 */
static void journal_write_group(gang_journal *j, journal_wait *g)
{
	char why[256] = "";
	bool began;
	int err;

	pthread_mutex_lock(&j->mu);
	began = sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	err = began ? GANG_OK : GANG_EDB;
	for (journal_wait *w = g; w && err == GANG_OK; w = w->next)
		err = journal_append_locked(j, w->r, &w->d);
	if (err == GANG_OK && sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		err = GANG_EDB;
	if (err != GANG_OK) {
		snprintf(why, sizeof(why), "%s", sqlite3_errmsg(j->db));
		if (began)
			sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&j->mu);
	for (journal_wait *w = g; w; w = w->next)
		w->err = err == GANG_OK ? GANG_OK : gang_diag_set(&w->d, GANG_EDB, "journal %s: writing a record "
								  "failed: %s", j->path, why);
}

int gang_journal_append(gang_journal *j, gang_journal_rec *r, gang_diag *d)
{
	journal_wait me = { .r = r };

	if (!r->at[0])
		journal_now(r->at, sizeof(r->at));
	pthread_mutex_lock(&j->qmu);
	*j->queue_tail = &me;
	j->queue_tail = &me.next;
	while (!me.done) {
		journal_wait *g;

		if (j->writing) {
			pthread_cond_wait(&j->qcond, &j->qmu);
			continue;
		}
		j->writing = true;   /* this caller writes every record waiting, its own among them */
		g = j->queue;
		j->queue = NULL;
		j->queue_tail = &j->queue;
		pthread_mutex_unlock(&j->qmu);
		journal_write_group(j, g);
		pthread_mutex_lock(&j->qmu);
		for (journal_wait *w = g, *next; w; w = next) {
			next = w->next;   /* w may leave as soon as it is done */
			w->done = true;
		}
		j->writing = false;
		pthread_cond_broadcast(&j->qcond);
	}
	pthread_mutex_unlock(&j->qmu);
	if (me.err < 0 && d)
		*d = me.d;
	return me.err;
}

void gang_journal_rec_clear(gang_journal_rec *r)
{
	for (int i = 0; i < GANG_JOURNAL_TEXTS; i++)
		free((void *)r->s[i]);   /* a read record owns its copies */
	memset(r, 0, sizeof(*r));
}

static int journal_read_rec(gang_journal_rec *out, sqlite3_stmt *st)
{
	memset(out, 0, sizeof(*out));
	out->seq = sqlite3_column_int64(st, 0);
	out->kind = (gang_journal_kind)sqlite3_column_int(st, 1);
	out->attempt_seq = sqlite3_column_int64(st, 2);
	snprintf(out->at, sizeof(out->at), "%s", (const char *)sqlite3_column_text(st, 3));
	for (int i = 0; i < GANG_JOURNAL_TEXTS; i++) {
		const char *t = (const char *)sqlite3_column_text(st, 4 + i);

		if (t && !(out->s[i] = strdup(t))) {
			gang_journal_rec_clear(out);
			return GANG_ENOMEM;
		}
	}
	out->n[0] = sqlite3_column_int64(st, 11);
	out->n[1] = sqlite3_column_int64(st, 12);
	return GANG_OK;
}

int gang_journal_next_n(gang_journal_rec *out, size_t cap, size_t *n_out, gang_journal *j, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, err = GANG_OK;

	*n_out = 0;
	pthread_mutex_lock(&j->mu);
	if (sqlite3_prepare_v2(j->db,
			       "SELECT seq, kind, attempt_seq, at, s0, s1, s2, s3, s4, s5, s6, n0, n1 FROM records "
			       "WHERE state = 0 ORDER BY seq LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK) {
		err = journal_fail(j, "reading the next records", d);
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)cap);
	while (err == GANG_OK && *n_out < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (journal_read_rec(&out[*n_out], st) < 0)
			err = gang_diag_set(d, GANG_ENOMEM, "out of memory reading journal %s", j->path);
		else
			(*n_out)++;
	}
	if (err == GANG_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = journal_fail(j, "reading the next records", d);
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&j->mu);
	if (err < 0) {
		while (*n_out > 0)
			gang_journal_rec_clear(&out[--*n_out]);
	}
	return err;
}

int gang_journal_next(gang_journal_rec *out, int *found, gang_journal *j, gang_diag *d)
{
	size_t n;
	int err = gang_journal_next_n(out, 1, &n, j, d);

	*found = n == 1;
	return err;
}

int gang_journal_settle(gang_journal *j, int64_t seq, int code, const char *sentence, gang_diag *d)
{
	char now[32];
	sqlite3_stmt *st;
	int rc = SQLITE_ERROR;

	journal_now(now, sizeof(now));
	pthread_mutex_lock(&j->mu);
	if (sqlite3_prepare_v2(j->db, "UPDATE records SET state = ?, code = ?, sentence = ?, settled_at = ? WHERE seq = ?",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, code == GANG_OK ? GANG_JOURNAL_DELIVERED : GANG_JOURNAL_REFUSED);
		sqlite3_bind_int(st, 2, code);
		sqlite3_bind_text(st, 3, sentence, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, seq);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&j->mu);
	return rc == SQLITE_DONE ? GANG_OK : journal_fail(j, "marking a record delivered", d);
}

int gang_journal_settle_delivered(gang_journal *j, const gang_journal_rec *r, size_t n, gang_diag *d)
{
	char now[32];
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_DONE;

	journal_now(now, sizeof(now));
	pthread_mutex_lock(&j->mu);
	/* one commit, one WAL sync for the whole batch (synchronous=FULL syncs at every commit) */
	if (sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(j->db, "UPDATE records SET state = ?, code = 0, sentence = NULL, settled_at = ? "
			       "WHERE seq = ?", -1, &st, NULL) != SQLITE_OK)
		rc = SQLITE_ERROR;
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int(st, 1, GANG_JOURNAL_DELIVERED);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, r[i].seq);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE && sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = SQLITE_ERROR;
	if (rc != SQLITE_DONE) {
		int err = journal_fail(j, "marking records delivered", d);

		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		pthread_mutex_unlock(&j->mu);
		return err;
	}
	pthread_mutex_unlock(&j->mu);
	return GANG_OK;
}

/*
 * The state, code and sentence of the first row sql (one ? bound to key)
 * returns: *found 0 and state PENDING when none.
 */
static int journal_state_row(int *found, gang_journal_state *state, int *code, char *msg, size_t cap, gang_journal *j,
			     const char *sql, int64_t key, const char *what, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc = SQLITE_ERROR;

	*found = 0;
	*state = GANG_JOURNAL_PENDING;
	*code = GANG_OK;
	if (cap)
		msg[0] = '\0';
	pthread_mutex_lock(&j->mu);
	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, key);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			*found = 1;
			*state = (gang_journal_state)sqlite3_column_int(st, 0);
			*code = sqlite3_column_int(st, 1);
			snprintf(msg, cap, "%s", (const char *)sqlite3_column_text(st, 2));
		}
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&j->mu);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? GANG_OK : journal_fail(j, what, d);
}

int gang_journal_outcome(gang_journal_state *state, int *code, char *msg, size_t cap, gang_journal *j, int64_t seq,
			 gang_diag *d)
{
	int found, err = journal_state_row(&found, state, code, msg, cap, j,
					   "SELECT state, code, COALESCE(sentence, '') FROM records WHERE seq = ?", seq,
					   "reading a record's state", d);

	return err < 0 || found ? err : journal_fail(j, "reading a record's state", d);
}

int gang_journal_attempt_refusal(int *found, int *code, char *msg, size_t cap, gang_journal *j, int64_t attempt_seq,
				 gang_diag *d)
{
	gang_journal_state state;

	return journal_state_row(found, &state, code, msg, cap, j,
				 "SELECT state, code, COALESCE(sentence, '') FROM records WHERE attempt_seq = ? AND "
				 "state = 2 ORDER BY seq LIMIT 1",
				 attempt_seq, "reading an attempt's refusals", d);
}

/* One integer a query returns (0 when none); key, unless NULL, bound to its one ?. */
static int journal_int(int64_t *out, gang_journal *j, const char *sql, const int64_t *key, const char *what,
		       gang_diag *d)
{
	sqlite3_stmt *st;
	int rc = SQLITE_ERROR;

	*out = 0;
	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (key)
			sqlite3_bind_int64(st, 1, *key);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return rc == SQLITE_ROW ? GANG_OK : journal_fail(j, what, d);
}

int gang_journal_counts(int64_t *pending, int64_t *refused, gang_journal *j, gang_diag *d)
{
	int err;

	pthread_mutex_lock(&j->mu);
	if ((err = journal_int(pending, j, "SELECT count(*) FROM records WHERE state = 0", NULL, "counting its records",
			       d)) == GANG_OK)
		err = journal_int(refused, j, "SELECT count(*) FROM records WHERE state = 2", NULL, "counting its records", d);
	pthread_mutex_unlock(&j->mu);
	return err;
}

int gang_journal_max_attempt(int64_t *out, gang_journal *j, gang_diag *d)
{
	int err;

	pthread_mutex_lock(&j->mu);
	err = journal_int(out, j, "SELECT COALESCE(max(attempt_seq), 0) FROM records", NULL, "reading its attempts", d);
	pthread_mutex_unlock(&j->mu);
	return err;
}

int gang_journal_attempt_last(int64_t *out, gang_journal *j, int64_t attempt_seq, gang_diag *d)
{
	int err;

	pthread_mutex_lock(&j->mu);
	err = journal_int(out, j, "SELECT COALESCE(max(seq), 0) FROM records WHERE attempt_seq = ?", &attempt_seq,
			  "reading an attempt's records", d);
	pthread_mutex_unlock(&j->mu);
	return err;
}

int gang_journal_open_attempts(int64_t **out, size_t *n_out, gang_journal *j, gang_diag *d)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = SQLITE_ERROR, err = GANG_OK;

	*out = NULL;
	*n_out = 0;
	pthread_mutex_lock(&j->mu);
	if (sqlite3_prepare_v2(j->db,
			       "SELECT b.attempt_seq FROM records b WHERE b.kind = 1 AND NOT EXISTS (SELECT 1 FROM "
			       "records f WHERE f.attempt_seq = b.attempt_seq AND f.kind = 5) ORDER BY b.attempt_seq",
			       -1, &st, NULL) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && err == GANG_OK) {
			if (*n_out == cap) {
				int64_t *v = realloc(*out, (cap = cap ? cap * 2 : 8) * sizeof(*v));

				if (!v) {
					err = gang_diag_set(d, GANG_ENOMEM, "out of memory reading journal %s", j->path);
					break;
				}
				*out = v;
			}
			(*out)[(*n_out)++] = sqlite3_column_int64(st, 0);
		}
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&j->mu);
	if (err == GANG_OK && rc != SQLITE_DONE)
		err = journal_fail(j, "reading its open attempts", d);
	if (err < 0) {
		free(*out);
		*out = NULL;
		*n_out = 0;
	}
	return err;
}

/* A journal's summary from a read-only connection (journal_meta and journal_int need no lock of j->mu then). */
static int journal_peek_read(gang_journal_summary *out, gang_journal *j, gang_diag *d)
{
	int err;

	if ((err = journal_meta(out->station, sizeof(out->station), j, "station", d)) < 0 ||
	    (err = journal_meta(out->database, sizeof(out->database), j, "database", d)) < 0 ||
	    (err = journal_int(&out->pending, j, "SELECT count(*) FROM records WHERE state = 0", NULL, "counting", d)) < 0 ||
	    (err = journal_int(&out->refused, j, "SELECT count(*) FROM records WHERE state = 2", NULL, "counting", d)) < 0)
		return err;
	return journal_int(&out->delivered, j, "SELECT count(*) FROM records WHERE state = 1", NULL, "counting", d);
}

int gang_journal_peek(gang_journal_summary *out, const char *path, gang_diag *d)
{
	gang_journal j = { .lock_fd = -1, .path = (char *)path };
	gang_diag why = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	if (access(path, R_OK) != 0)
		return gang_diag_set(d, GANG_EFILE, "journal %s cannot be read: %s", path, strerror(errno));
	if (sqlite3_open_v2(path, &j.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		err = gang_diag_set(d, GANG_EDB, "journal %s cannot be opened: %s", path,
				    j.db ? sqlite3_errmsg(j.db) : "out of memory");
		sqlite3_close(j.db);
		return err;
	}
	sqlite3_busy_timeout(j.db, 2000);
	if ((err = journal_peek_read(out, &j, &why)) < 0)
		err = gang_diag_set(d, GANG_EDB, "%s is not a gang journal (%s)", path, why.msg);
	sqlite3_close(j.db);
	return err;
}

int gang_journal_seq_floor(gang_journal *j, int64_t floor, gang_diag *d)
{
	char v[24];
	int err;

	snprintf(v, sizeof(v), "%lld", (long long)floor);
	pthread_mutex_lock(&j->mu);
	err = journal_set_meta(j, "seq_floor", v, d);
	pthread_mutex_unlock(&j->mu);
	return err;
}
