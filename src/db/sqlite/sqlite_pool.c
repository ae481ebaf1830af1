/*
 * sqlite_pool.c — data pools in the SQLite backend (tables data_pools,
 * data_values, data_allocs: db/migrations/sqlite/0009_data_pools.sql).
 * As serials: a reservation is one BEGIN IMMEDIATE transaction (find the
 * UID's live value, else take pool.next, insert it reserved and advance
 * next); the constraints (PRIMARY KEY (pool, idx), one live value per
 * (pool, uid), no deletes, void is final, UNIQUE (pool, value)) are the
 * guarantee. data_values is the only table holding a list value; the
 * listing never returns a secret one. Rules: serial/data_pool.c.
 */
#include "db/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

/* burn_voided_pool: ?1 the attempt's row id, ?2 the board's UID. */
#define DB_DATA_VOIDED_SQL                                                                                   \
	"SELECT v.pool FROM data_allocs v WHERE v.uid = ?2 AND v.state = 'void' AND v.voided_at >= "          \
	"(SELECT started_at FROM attempts WHERE id = ?1) AND NOT EXISTS (SELECT 1 FROM data_allocs l WHERE " \
	"l.pool = v.pool AND l.uid = v.uid AND l.state <> 'void') ORDER BY v.pool LIMIT 1"

static const char *pool_col(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? (const char *)s : "";
}

static int pool_load(gang_data_pool *out, int *found, db_sqlite *db, const char *pool, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	*found = 0;
	if ((err = db_prepare(&st, db, "SELECT kind, secret, first, size, next FROM data_pools WHERE name = ?1",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		snprintf(out->name, sizeof(out->name), "%s", pool);
		out->kind = strcmp(pool_col(st, 0), "mac") == 0 ? GANG_DATA_MAC : GANG_DATA_LIST;
		out->secret = sqlite3_column_int(st, 1) != 0;
		out->first = (uint64_t)sqlite3_column_int64(st, 2);
		out->size = (uint64_t)sqlite3_column_int64(st, 3);
		out->next = (uint64_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "reading a data pool");
	return GANG_OK;
}

int db_sqlite_data_pool_get(gang_data_pool *out, int *found, gang_db *g, const char *pool, gang_diag *d)
{
	return pool_load(out, found, db_sqlite_of(g), pool, d);
}

static int pool_insert(db_sqlite *db, const gang_data_pool *want, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if ((err = db_prepare(&st, db,
			      "INSERT INTO data_pools (name, kind, secret, first, size, next, created_at) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, 0, " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, want->name);
	db_bind_text(st, 2, gang_data_kind_name(want->kind));
	sqlite3_bind_int(st, 3, want->secret ? 1 : 0);
	sqlite3_bind_int64(st, 4, (int64_t)want->first);
	sqlite3_bind_int64(st, 5, (int64_t)want->size);
	return db_run(db, st, d, "creating a data pool");
}

int db_sqlite_data_pool_create(gang_data_pool *have, int *found, gang_db *g, const gang_data_pool *want,
			       gang_diag *d)
{
	db_sqlite *db = db_sqlite_of(g);
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = pool_load(have, found, db, want->name, d)) == GANG_OK && !*found)
		err = pool_insert(db, want, d);
	if (err < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

/* The list pool an import goes to: made when missing, refused when of another kind or secrecy. */
static int import_pool(gang_data_pool *p, db_sqlite *db, const char *pool, bool secret, gang_diag *d)
{
	int found, err;

	if ((err = pool_load(p, &found, db, pool, d)) < 0)
		return err;
	if (!found) {
		*p = (gang_data_pool){ .kind = GANG_DATA_LIST, .secret = secret };
		snprintf(p->name, sizeof(p->name), "%s", pool);
		return pool_insert(db, p, d);
	}
	if (p->kind != GANG_DATA_LIST)
		return gang_diag_set(d, GANG_EUSAGE, "data pool '%s' is a %s pool; only list pools take imports", pool,
				     gang_data_kind_name(p->kind));
	if (p->secret != secret)
		return gang_diag_set(d, GANG_EUSAGE, "data pool '%s' holds %s values; import %s --secret", pool,
				     p->secret ? "secret" : "non-secret", p->secret ? "with" : "without");
	return GANG_OK;
}

/* The index of hex in pool; *found = 0 when it is not there. */
static int import_find(uint64_t *index, int *found, sqlite3_stmt *find, db_sqlite *db, const char *hex,
		       gang_diag *d)
{
	int rc;

	sqlite3_reset(find);
	db_bind_text(find, 2, hex);
	rc = sqlite3_step(find);
	*found = rc == SQLITE_ROW;
	if (*found)
		*index = (uint64_t)sqlite3_column_int64(find, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "looking up an imported value");
	return GANG_OK;
}

static int import_rows(size_t *dup_out, uint64_t *dup_index, db_sqlite *db, const gang_data_pool *p,
		       sqlite3_stmt *find, sqlite3_stmt *ins, const gang_data_item *v, size_t n, gang_diag *d)
{
	int found, rc, err;

	db_bind_text(find, 1, p->name);
	db_bind_text(ins, 1, p->name);
	for (size_t i = 0; i < n; i++) {
		if ((err = import_find(dup_index, &found, find, db, v[i].hex, d)) < 0)
			return err;
		if (found) {
			*dup_out = i;
			return gang_diag_set(d, GANG_EUSAGE, "already in data pool '%s' as index %llu", p->name,
					     (unsigned long long)*dup_index);
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 2, (int64_t)(p->size + i));
		db_bind_text(ins, 3, v[i].hex);
		db_bind_text(ins, 4, v[i].sha256);
		if ((rc = sqlite3_step(ins)) != SQLITE_DONE)
			return db_fail(db, rc, d, "storing an imported value");
	}
	return GANG_OK;
}

static int import_tx(size_t *dup_out, uint64_t *dup_index, db_sqlite *db, const char *pool, bool secret,
		     const gang_data_item *v, size_t n, gang_diag *d)
{
	sqlite3_stmt *find = NULL, *ins = NULL, *st;
	gang_data_pool p;
	int err;

	if ((err = import_pool(&p, db, pool, secret, d)) < 0)
		return err;
	if ((err = db_prepare(&find, db, "SELECT idx FROM data_values WHERE pool = ?1 AND value = ?2", d)) < 0 ||
	    (err = db_prepare(&ins, db, "INSERT INTO data_values (pool, idx, value, sha256) VALUES (?1, ?2, ?3, ?4)",
			      d)) < 0)
		goto out;
	if ((err = import_rows(dup_out, dup_index, db, &p, find, ins, v, n, d)) < 0)
		goto out;
	if ((err = db_prepare(&st, db, "UPDATE data_pools SET size = size + ?2 WHERE name = ?1", d)) < 0)
		goto out;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, (int64_t)n);
	err = db_run(db, st, d, "growing a data pool");
out:
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	return err;
}

int db_sqlite_data_import(size_t *dup_out, uint64_t *dup_index, gang_db *g, const char *pool, bool secret,
			  const gang_data_item *v, size_t n, gang_diag *d)
{
	db_sqlite *db = db_sqlite_of(g);
	int err;

	*dup_out = n;
	*dup_index = 0;
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = import_tx(dup_out, dup_index, db, pool, secret, v, n, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

/* The UID's live index of pool; *found = 0 when it has none. */
static int alloc_find_live(uint64_t *index, int *found, db_sqlite *db, const char *pool, const char *uid,
			   gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	*found = 0;
	if ((err = db_prepare(&st, db, "SELECT idx FROM data_allocs WHERE pool = ?1 AND uid = ?2 AND state <> 'void'",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, uid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		*index = (uint64_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "looking up a board's data value");
	return GANG_OK;
}

static int alloc_take_next(uint64_t *index, db_sqlite *db, const char *pool, const char *uid, int64_t attempt_id,
			   gang_diag *d)
{
	gang_data_pool p;
	sqlite3_stmt *st;
	int found, err;

	if ((err = pool_load(&p, &found, db, pool, d)) < 0)
		return err;
	if (!found)
		return gang_diag_set(d, GANG_EDB, "database %s: data pool '%s' does not exist", db->path, pool);
	if (p.next >= p.size)
		return gang_diag_set(d, GANG_EPOOL_DRY, "data pool '%s' ran dry (all %llu values used)", pool,
				     (unsigned long long)p.size);
	if ((err = db_sqlite_board_seen(db, uid, NULL, d)) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "INSERT INTO data_allocs (pool, idx, uid, state, attempt_id, reserved_at) "
			      "VALUES (?1, ?2, ?3, 'reserved', ?4, " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, (int64_t)p.next);
	db_bind_text(st, 3, uid);
	if (attempt_id > 0)
		sqlite3_bind_int64(st, 4, attempt_id);
	if ((err = db_run(db, st, d, "reserving a data value")) < 0)
		return err;
	*index = p.next;
	if ((err = db_prepare(&st, db, "UPDATE data_pools SET next = next + 1 WHERE name = ?1", d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	return db_run(db, st, d, "advancing a data pool");
}

/* A list pool's value at index (nothing for a mac pool, which has no value rows). */
static int alloc_value(gang_data_taken *out, db_sqlite *db, const char *pool, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = db_prepare(&st, db, "SELECT value, sha256 FROM data_values WHERE pool = ?1 AND idx = ?2", d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, (int64_t)out->index);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out->hex, sizeof(out->hex), "%s", pool_col(st, 0));
		snprintf(out->sha256, sizeof(out->sha256), "%s", pool_col(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, d, "reading a data value");
	return GANG_OK;
}

static int reserve_tx(gang_data_taken *out, db_sqlite *db, const char *pool, const char *uid,
		      const gang_attempt_key *k, gang_diag *d)
{
	int64_t attempt_id = 0;
	int found, err;

	if (k && (err = db_attempt_row(&attempt_id, db, k, "reserving a data value", d)) < 0)
		return err;
	if ((err = alloc_find_live(&out->index, &found, db, pool, uid, d)) < 0)
		return err;
	if (!found && (err = alloc_take_next(&out->index, db, pool, uid, attempt_id, d)) < 0)
		return err;
	return alloc_value(out, db, pool, d);
}

/*
 * A pool whose value for uid was voided while the attempt ran (after it
 * started) and that left the board without a live value: the value the
 * attempt programmed is void. Its name, else "".
 */
static int burn_voided_pool(char *pool, size_t cap, db_sqlite *db, int64_t attempt_id, const char *uid,
			    gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err;

	pool[0] = '\0';
	if ((err = db_prepare(&st, db, DB_DATA_VOIDED_SQL, d)) < 0)
		return err;
	sqlite3_bind_int64(st, 1, attempt_id);
	db_bind_text(st, 2, uid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(pool, cap, "%s", pool_col(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? GANG_OK : db_fail(db, rc, d, "looking up a voided data value");
}

int db_data_burn_tx(db_sqlite *db, int64_t attempt_id, const char *uid, gang_diag *d)
{
	char voided[GANG_DATA_NAME_MAX];
	sqlite3_stmt *st;
	int err;

	if ((err = burn_voided_pool(voided, sizeof(voided), db, attempt_id, uid, d)) < 0)
		return err;
	if (voided[0])
		return gang_diag_set(d, GANG_ESERIAL_VOIDED,
				     "database %s: the value of data pool '%s' reserved for board %s was voided while "
				     "it was programmed; the pass is not recorded",
				     db->path, voided, uid);
	if ((err = db_prepare(&st, db,
			      "UPDATE data_allocs SET state = 'burned', burned_at = " DB_NOW_SQL " "
			      "WHERE uid = ?1 AND state = 'reserved'",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, uid);
	return db_run(db, st, d, "burning the data values");
}

int db_sqlite_data_reserve(gang_data_taken *out, gang_db *g, const char *pool, const char *uid,
			   const gang_attempt_key *attempt, gang_diag *d)
{
	db_sqlite *db = db_sqlite_of(g);
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = reserve_tx(out, db, pool, uid, attempt, d)) < 0) {
		db_rollback(db);
		memset(out, 0, sizeof(*out));
		return err;
	}
	return db_commit(db, d);
}

int db_sqlite_data_burn(gang_db *g, const char *pool, const char *uid, gang_diag *d)
{
	db_sqlite *db = db_sqlite_of(g);
	sqlite3_stmt *st;
	int err;

	if ((err = db_prepare(&st, db,
			      "UPDATE data_allocs SET state = 'burned', burned_at = " DB_NOW_SQL " "
			      "WHERE pool = ?1 AND uid = ?2 AND state = 'reserved'",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, uid);
	return db_run(db, st, d, "burning a data value");
}

static int void_check(db_sqlite *db, const char *pool, uint64_t index, gang_diag *d)
{
	sqlite3_stmt *st;
	int rc, err = GANG_OK;

	if ((err = db_prepare(&st, db, "SELECT state, voided_at FROM data_allocs WHERE pool = ?1 AND idx = ?2", d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, (int64_t)index);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		err = gang_diag_set(d, GANG_EUSAGE, "index %llu of data pool '%s' was never handed out; nothing to void",
				    (unsigned long long)index, pool);
	else if (rc == SQLITE_ROW && strcmp(pool_col(st, 0), "void") == 0)
		err = gang_diag_set(d, GANG_EUSAGE, "index %llu of data pool '%s' is already void since %s",
				    (unsigned long long)index, pool, pool_col(st, 1));
	else if (rc != SQLITE_ROW)
		err = db_fail(db, rc, d, "reading a data value");
	sqlite3_finalize(st);
	return err;
}

static int void_tx(db_sqlite *db, const char *pool, uint64_t index, const char *reason, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if ((err = void_check(db, pool, index, d)) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "UPDATE data_allocs SET state = 'void', voided_at = " DB_NOW_SQL ", reason = ?3 "
			      "WHERE pool = ?1 AND idx = ?2",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	sqlite3_bind_int64(st, 2, (int64_t)index);
	db_bind_text(st, 3, reason);
	return db_run(db, st, d, "voiding a data value");
}

int db_sqlite_data_void(gang_db *g, const char *pool, uint64_t index, const char *reason, gang_diag *d)
{
	db_sqlite *db = db_sqlite_of(g);
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	if ((err = void_tx(db, pool, index, reason, d)) < 0) {
		db_rollback(db);
		return err;
	}
	return db_commit(db, d);
}

int db_sqlite_data_list(gang_db *g, const char *pool, const char *state, gang_data_row_fn fn, void *user,
			gang_diag *d)
{
	db_sqlite *db = db_sqlite_of(g);
	sqlite3_stmt *st;
	gang_data_row r;
	int rc = SQLITE_DONE, err;

	/* a secret pool's value never leaves data_values: only its SHA-256 */
	if ((err = db_prepare(&st, db,
			      "SELECT a.idx, a.state, a.uid, CASE WHEN p.secret = 0 THEN v.value END, v.sha256, "
			      "a.reserved_at, a.burned_at, a.voided_at, a.reason FROM data_allocs a "
			      "JOIN data_pools p ON p.name = a.pool "
			      "LEFT JOIN data_values v ON v.pool = a.pool AND v.idx = a.idx "
			      "WHERE a.pool = ?1 AND (?2 IS NULL OR a.state = ?2) ORDER BY a.idx",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, pool);
	db_bind_text(st, 2, state);
	while (err == GANG_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = (gang_data_row){ .index = (uint64_t)sqlite3_column_int64(st, 0), .state = pool_col(st, 1),
				     .uid = pool_col(st, 2), .hex = pool_col(st, 3), .sha256 = pool_col(st, 4),
				     .reserved_at = pool_col(st, 5), .burned_at = pool_col(st, 6),
				     .voided_at = pool_col(st, 7), .reason = pool_col(st, 8) };
		err = fn(user, &r, d);
	}
	if (err == GANG_OK && rc != SQLITE_DONE)
		err = db_fail(db, rc, d, "listing data values");
	sqlite3_finalize(st);
	return err;
}
