/*
 * pg_pool.c — data pools in the PostgreSQL backend (tables data_pools,
 * data_values, data_allocs: db/migrations/pg/0005_data_pools.sql). As
 * serials (pg_serial.c): a reservation or an import first locks the
 * pool's row (SELECT ... FOR UPDATE, PostgreSQL 15 manual 13.3.2), so
 * they run one after another across stations; the constraints are the
 * guarantee. data_values is the only table holding a list value; the
 * listing never returns a secret one. Rules: serial/data_pool.c.
 */
#include "db/pg/pg_internal.h"

#include <stdio.h>
#include <string.h>

static int pool_load(gang_data_pool *out, int *found, db_pg *db, const char *pool, int lock, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	char kind[8];
	int err;

	*found = 0;
	pg_p_text(&p, pool);
	if ((err = pg_q(&r, db,
			lock ? "SELECT kind, secret, first, size, next FROM data_pools WHERE name = $1 FOR UPDATE"
			     : "SELECT kind, secret, first, size, next FROM data_pools WHERE name = $1",
			&p, "reading a data pool", d)) < 0)
		return err;
	if (PQntuples(r) > 0) {
		*found = 1;
		snprintf(out->name, sizeof(out->name), "%s", pool);
		pg_copy(kind, sizeof(kind), r, 0, 0);
		out->kind = strcmp(kind, "mac") == 0 ? GANG_DATA_MAC : GANG_DATA_LIST;
		out->secret = pg_int(r, 0, 1) != 0;
		out->first = (uint64_t)pg_int(r, 0, 2);
		out->size = (uint64_t)pg_int(r, 0, 3);
		out->next = (uint64_t)pg_int(r, 0, 4);
	}
	PQclear(r);
	return GANG_OK;
}

int db_pg_data_pool_get(gang_data_pool *out, int *found, gang_db *g, const char *pool, gang_diag *d)
{
	return pool_load(out, found, db_pg_of(g), pool, 0, d);
}

/* ON CONFLICT DO NOTHING: two stations creating the pool together both read the one stored. */
static int pool_insert(int64_t *made, db_pg *db, const gang_data_pool *want, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, want->name);
	pg_p_text(&p, gang_data_kind_name(want->kind));
	pg_p_int(&p, want->secret ? 1 : 0);
	pg_p_int(&p, (int64_t)want->first);
	pg_p_int(&p, (int64_t)want->size);
	if ((err = pg_q(&r, db,
			"INSERT INTO data_pools (name, kind, secret, first, size, next, created_at) "
			"VALUES ($1, $2, $3, $4, $5, 0, " PG_NOW_SQL ") ON CONFLICT (name) DO NOTHING",
			&p, "creating a data pool", d)) < 0)
		return err;
	*made = pg_changed(r);
	PQclear(r);
	return GANG_OK;
}

int db_pg_data_pool_create(gang_data_pool *have, int *found, gang_db *g, const gang_data_pool *want,
			   gang_diag *d)
{
	db_pg *db = db_pg_of(g);
	int64_t made = 0;
	int err;

	*found = 0;
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = pool_insert(&made, db, want, d)) == GANG_OK && made != 1)
		err = pool_load(have, found, db, want->name, 0, d);
	if (err < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

static int import_pool(gang_data_pool *p, db_pg *db, const char *pool, bool secret, gang_diag *d)
{
	int64_t made = 0;
	int found, err;

	*p = (gang_data_pool){ .kind = GANG_DATA_LIST, .secret = secret };
	snprintf(p->name, sizeof(p->name), "%s", pool);
	if ((err = pool_insert(&made, db, p, d)) < 0 || (err = pool_load(p, &found, db, pool, 1, d)) < 0)
		return err;
	if (p->kind != GANG_DATA_LIST)
		return gang_diag_set(d, GANG_EUSAGE, "data pool '%s' is a %s pool; only list pools take imports", pool,
				     gang_data_kind_name(p->kind));
	if (p->secret != secret)
		return gang_diag_set(d, GANG_EUSAGE, "data pool '%s' holds %s values; import %s --secret", pool,
				     p->secret ? "secret" : "non-secret", p->secret ? "with" : "without");
	return GANG_OK;
}

static int import_one(size_t *dup_out, uint64_t *dup_index, db_pg *db, const gang_data_pool *pl,
		      const gang_data_item *v, size_t i, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, pl->name);
	pg_p_text(&p, v[i].hex);
	if ((err = pg_q(&r, db, "SELECT idx FROM data_values WHERE pool = $1 AND value = $2", &p,
			"looking up an imported value", d)) < 0)
		return err;
	if (PQntuples(r) > 0) {
		*dup_out = i;
		*dup_index = (uint64_t)pg_int(r, 0, 0);
		PQclear(r);
		return gang_diag_set(d, GANG_EUSAGE, "already in data pool '%s' as index %llu", pl->name,
				     (unsigned long long)*dup_index);
	}
	PQclear(r);
	pg_p_text(&p, v[i].sha256);
	pg_p_int(&p, (int64_t)(pl->size + i));
	return pg_q(NULL, db, "INSERT INTO data_values (pool, value, sha256, idx) VALUES ($1, $2, $3, $4)", &p,
		    "storing an imported value", d);
}

static int import_tx(size_t *dup_out, uint64_t *dup_index, db_pg *db, const char *pool, bool secret,
		     const gang_data_item *v, size_t n, gang_diag *d)
{
	pg_params p = { 0 };
	gang_data_pool pl;
	int err;

	if ((err = import_pool(&pl, db, pool, secret, d)) < 0)
		return err;
	for (size_t i = 0; i < n; i++)
		if ((err = import_one(dup_out, dup_index, db, &pl, v, i, d)) < 0)
			return err;
	pg_p_text(&p, pool);
	pg_p_int(&p, (int64_t)n);
	return pg_q(NULL, db, "UPDATE data_pools SET size = size + $2 WHERE name = $1", &p, "growing a data pool", d);
}

int db_pg_data_import(size_t *dup_out, uint64_t *dup_index, gang_db *g, const char *pool, bool secret,
		      const gang_data_item *v, size_t n, gang_diag *d)
{
	db_pg *db = db_pg_of(g);
	int err;

	*dup_out = n;
	*dup_index = 0;
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = import_tx(dup_out, dup_index, db, pool, secret, v, n, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

static int alloc_find_live(uint64_t *index, int *found, db_pg *db, const char *pool, const char *uid,
			   gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, pool);
	pg_p_text(&p, uid);
	if ((err = pg_q(&r, db, "SELECT idx FROM data_allocs WHERE pool = $1 AND uid = $2 AND state <> 'void'", &p,
			"looking up a board's data value", d)) < 0)
		return err;
	*found = PQntuples(r) > 0;
	if (*found)
		*index = (uint64_t)pg_int(r, 0, 0);
	PQclear(r);
	return GANG_OK;
}

static int alloc_take_next(uint64_t *index, db_pg *db, const gang_data_pool *pl, const char *uid,
			   int64_t attempt_id, gang_diag *d)
{
	pg_params p = { 0 };
	int err;

	if (pl->next >= pl->size)
		return gang_diag_set(d, GANG_EPOOL_DRY, "data pool '%s' ran dry (all %llu values used)", pl->name,
				     (unsigned long long)pl->size);
	if ((err = pg_board_upsert(db, uid, NULL, d)) < 0)
		return err;
	pg_p_text(&p, pl->name);
	pg_p_int(&p, (int64_t)pl->next);
	pg_p_text(&p, uid);
	if (attempt_id > 0)
		pg_p_int(&p, attempt_id);
	else
		pg_p_text(&p, NULL);
	if ((err = pg_q(NULL, db,
			"INSERT INTO data_allocs (pool, idx, uid, state, attempt_id, reserved_at) "
			"VALUES ($1, $2, $3, 'reserved', $4::bigint, " PG_NOW_SQL ")",
			&p, "reserving a data value", d)) < 0)
		return err;
	*index = pl->next;
	p.n = 1;
	return pg_q(NULL, db, "UPDATE data_pools SET next = next + 1 WHERE name = $1", &p, "advancing a data pool", d);
}

static int alloc_value(gang_data_taken *out, db_pg *db, const char *pool, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	int err;

	pg_p_text(&p, pool);
	pg_p_int(&p, (int64_t)out->index);
	if ((err = pg_q(&r, db, "SELECT value, sha256 FROM data_values WHERE pool = $1 AND idx = $2", &p,
			"reading a data value", d)) < 0)
		return err;
	if (PQntuples(r) > 0) {
		pg_copy(out->hex, sizeof(out->hex), r, 0, 0);
		pg_copy(out->sha256, sizeof(out->sha256), r, 0, 1);
	}
	PQclear(r);
	return GANG_OK;
}

static int reserve_tx(gang_data_taken *out, db_pg *db, const char *pool, const char *uid,
		      const gang_attempt_key *k, gang_diag *d)
{
	gang_data_pool pl;
	int64_t attempt_id = 0;
	int found, err;

	if (k && (err = pg_attempt_row(&attempt_id, db, k, "reserving a data value", d)) < 0)
		return err;
	if ((err = pool_load(&pl, &found, db, pool, 1, d)) < 0)
		return err;
	if (!found)
		return gang_diag_set(d, GANG_EDB, "data pool '%s' does not exist", pool);
	if ((err = alloc_find_live(&out->index, &found, db, pool, uid, d)) < 0)
		return err;
	if (!found && (err = alloc_take_next(&out->index, db, &pl, uid, attempt_id, d)) < 0)
		return err;
	return alloc_value(out, db, pool, d);
}

int db_pg_data_reserve(gang_data_taken *out, gang_db *g, const char *pool, const char *uid,
		       const gang_attempt_key *attempt, gang_diag *d)
{
	db_pg *db = db_pg_of(g);
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = reserve_tx(out, db, pool, uid, attempt, d)) < 0) {
		pg_rollback(db);
		memset(out, 0, sizeof(*out));
		return err;
	}
	return pg_commit(db, d);
}

int db_pg_data_burn(gang_db *g, const char *pool, const char *uid, gang_diag *d)
{
	pg_params p = { 0 };

	pg_p_text(&p, pool);
	pg_p_text(&p, uid);
	return pg_q(NULL, db_pg_of(g),
		    "UPDATE data_allocs SET state = 'burned', burned_at = " PG_NOW_SQL " "
		    "WHERE pool = $1 AND uid = $2 AND state = 'reserved'",
		    &p, "burning a data value", d);
}

static int void_tx(db_pg *db, const char *pool, uint64_t index, const char *reason, gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	char state[16], at[40];
	int err;

	pg_p_text(&p, pool);
	pg_p_int(&p, (int64_t)index);
	if ((err = pg_q(&r, db, "SELECT state, voided_at FROM data_allocs WHERE pool = $1 AND idx = $2 FOR UPDATE", &p,
			"reading a data value", d)) < 0)
		return err;
	pg_copy(state, sizeof(state), r, 0, 0);
	pg_copy(at, sizeof(at), r, 0, 1);
	PQclear(r);
	if (!state[0])
		return gang_diag_set(d, GANG_EUSAGE, "index %llu of data pool '%s' was never handed out; nothing to void",
				     (unsigned long long)index, pool);
	if (strcmp(state, "void") == 0)
		return gang_diag_set(d, GANG_EUSAGE, "index %llu of data pool '%s' is already void since %s",
				     (unsigned long long)index, pool, at);
	pg_p_text(&p, reason);
	return pg_q(NULL, db,
		    "UPDATE data_allocs SET state = 'void', voided_at = " PG_NOW_SQL ", reason = $3 "
		    "WHERE pool = $1 AND idx = $2",
		    &p, "voiding a data value", d);
}

int db_pg_data_void(gang_db *g, const char *pool, uint64_t index, const char *reason, gang_diag *d)
{
	db_pg *db = db_pg_of(g);
	int err;

	if ((err = pg_begin(db, d)) < 0)
		return err;
	if ((err = void_tx(db, pool, index, reason, d)) < 0) {
		pg_rollback(db);
		return err;
	}
	return pg_commit(db, d);
}

static const char *pool_cell(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

int db_pg_data_list(gang_db *g, const char *pool, const char *state, gang_data_row_fn fn, void *user,
		    gang_diag *d)
{
	pg_params p = { 0 };
	PGresult *r;
	gang_data_row row;
	int err;

	pg_p_text(&p, pool);
	pg_p_text(&p, state);
	/* a secret pool's value never leaves data_values: only its SHA-256 */
	if ((err = pg_q(&r, db_pg_of(g),
			"SELECT a.idx, a.state, a.uid, CASE WHEN p.secret = 0 THEN v.value END, v.sha256, "
			"a.reserved_at, a.burned_at, a.voided_at, a.reason FROM data_allocs a "
			"JOIN data_pools p ON p.name = a.pool "
			"LEFT JOIN data_values v ON v.pool = a.pool AND v.idx = a.idx "
			"WHERE a.pool = $1 AND ($2::text IS NULL OR a.state = $2) ORDER BY a.idx",
			&p, "listing data values", d)) < 0)
		return err;
	for (int i = 0; i < PQntuples(r) && err == GANG_OK; i++) {
		row = (gang_data_row){ .index = (uint64_t)pg_int(r, i, 0), .state = pool_cell(r, i, 1),
				       .uid = pool_cell(r, i, 2), .hex = pool_cell(r, i, 3),
				       .sha256 = pool_cell(r, i, 4), .reserved_at = pool_cell(r, i, 5),
				       .burned_at = pool_cell(r, i, 6), .voided_at = pool_cell(r, i, 7),
				       .reason = pool_cell(r, i, 8) };
		err = fn(user, &row, d);
	}
	PQclear(r);
	return err;
}
