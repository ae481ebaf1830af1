/*
 * test_backends_agree.c — the two schemas answer the same queries alike on
 * the same data (issue 14): one production history is recorded through
 * the API into an SQLite file and into a PostgreSQL database, then both
 * are asked the same things — the report's rows and pools, trace lookups
 * and boards, the serial listing, and the same raw SQL, including
 * statements the constraints must refuse — and must answer identically.
 * Times (each database's own clock) are left out of the comparison.
 */
#include <criterion/criterion.h>

#ifdef GANG_WITH_PG
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/db_report.h"
#include "db/db_testing.h"
#include "serial/data_pool.h"
#include "serial/serial_alloc.h"
#include "test_fixture.h"

#define AG_OUT_MAX 65536
#define AG_NOW "2026-12-06T12:00:00.000Z"
#define AG_K3_SHA "2f5052c9fd15b19a18c584d01363568198613f0c34e84409ef7938709a159ec2" /* sha256("k3") */

static fix_dir ag_dir;
static gang_db *ag_db[2]; /* 0 SQLite, 1 PostgreSQL */

static void ag_setup(void)
{
	fix_dir_make(&ag_dir);   /* SQLite: fix_backend_ix is 0 */
	ag_db[0] = fix_open(ag_dir.db, GANG_DB_CREATE | GANG_DB_RECOVER);
	fix_pg_locate(&ag_dir);
	ag_db[1] = fix_open(ag_dir.db, GANG_DB_CREATE | GANG_DB_RECOVER);
}

static void ag_teardown(void)
{
	gang_db_close(ag_db[0]);
	gang_db_close(ag_db[1]);
	fix_dir_remove(&ag_dir);
}

TestSuite(db_agree, .init = ag_setup, .fini = ag_teardown, .timeout = 60);

/* The board's value of each data pool (the same one again on a retry) and its scanned label. */
static void ag_data(gang_db *db, const char *uid, const gang_attempt_key *k)
{
	static const char *const pools[] = { "macs", "keys", "plain" };
	gang_data_taken v;
	gang_diag d = { 0 };
	char label[32];

	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(gang_data_reserve(&v, db, pools[i], uid, k, &d), GANG_OK, "%s", d.msg);
	snprintf(label, sizeof(label), "PCB-%.8s", uid);
	cr_assert_eq(gang_scan_bind(db, label, uid, k, &d), GANG_OK, "%s", d.msg);
}

/* A mac pool, a secret list and a plain list. */
static void ag_data_pools(gang_db *db)
{
	char file[320];
	gang_diag d = { 0 };
	size_t n;
	FILE *fp;

	cr_assert_eq(gang_data_mac_ensure(db, "macs", 0x0080E1000000ULL, 0x0080E10000FFULL, &d), GANG_OK, "%s", d.msg);
	fix_path(file, sizeof(file), &ag_dir, "values.txt");
	cr_assert_not_null(fp = fopen(file, "w"));
	fputs("k1\nk2\nk3\n", fp);
	fclose(fp);
	cr_assert_eq(gang_data_import(&n, db, "keys", file, true, &d), GANG_OK, "%s", d.msg);
	cr_assert_not_null(fp = fopen(file, "w"));
	fputs("0x4142\n0x4344\n0x4546\n", fp);
	fclose(fp);
	cr_assert_eq(gang_data_import(&n, db, "plain", file, false, &d), GANG_OK, "%s", d.msg);
}

/* One board at RDP level rdp (a gang_attempt_target code) through the pipeline: begin, identify, serial, steps, finish. */
/* One board's attempt; with_data: its data values and scanned label too (ag_data). */
static void ag_board_with(gang_db *db, const char *slot, const char *uid, const char *batch, int rdp,
			  gang_attempt_result res, int with_data)
{
	gang_attempt_info info = { .slot = slot, .probe_serial = "066DFF485457725187092334", .batch = batch,
				   .profile_name = "demo-f103", .profile_sha256 = "ab12", .image_sha256 = "cd34",
				   .operator_name = "amelie", .station = "line-2" };
	gang_attempt_target t = { .uid = uid, .part = "STM32F103RC", .connect_mode = "normal",
				  .option_bytes = "A55AFF00", .rdp_before = rdp };
	gang_attempt_key k;
	gang_diag d = { 0 };
	uint64_t v;
	char text[32];

	cr_assert_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(db, &k, &t, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_reserve(&v, db, "demo", uid, &k, &d), GANG_OK, "%s", d.msg);
	if (with_data)
		ag_data(db, uid, &k);
	snprintf(text, sizeof(text), "GNG-%06llu", (unsigned long long)v);
	cr_assert_eq(gang_db_attempt_serial_text(db, &k, text, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(db, &k, "erase", GANG_STEP_PASS, 120, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(db, &k, "verify", res == GANG_ATTEMPT_PASS ? GANG_STEP_PASS : GANG_STEP_FAIL, 80,
				  res == GANG_ATTEMPT_PASS ? NULL : "mismatch at 0x08000400", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(db, &k, res, res == GANG_ATTEMPT_PASS ? NULL : "verify",
					    res == GANG_ATTEMPT_PASS ? NULL : "verify mismatch", &d),
		     GANG_OK, "%s", d.msg);
}

static void ag_board(gang_db *db, const char *slot, const char *uid, const char *batch, int rdp, gang_attempt_result res)
{
	ag_board_with(db, slot, uid, batch, rdp, res, 1);
}

/* The same history on db: two batches, passes, a failure and its retry, a void, an unidentified abort, a sighting. */
static void ag_history(gang_db *db)
{
	gang_attempt_info info = { .slot = "S3", .profile_name = "demo-f103", .station = "line-2", .batch = "B2" };
	gang_board_pass pass;
	gang_attempt_key k;
	gang_diag d = { 0 };
	char label[GANG_DB_LABEL_MAX];

	cr_assert_eq(gang_db_probe_seen(label, sizeof(label), db, "066DFF485457725187092334", "1-1.2", "V2-1",
					"V2J45M31", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	ag_data_pools(db);
	ag_board(db, "S1", "0123456789ABCDEF01234567", "B1", 0, GANG_ATTEMPT_PASS);
	ag_board(db, "S2", "76543210FEDCBA9876543210", "B1", 1, GANG_ATTEMPT_FAIL);
	ag_board(db, "S2", "76543210FEDCBA9876543210", "B2", -1, GANG_ATTEMPT_PASS);
	/* an L5/U5 at RDP level 0.5 (RM0438 §6.6.2): 0.5 on both, as SQL and trace read it */
	ag_board(db, "S1", "AAAAAAAAAAAAAAAAAAAAAAAA", "B2", GANG_DB_RDP_LEVEL05, GANG_ATTEMPT_FAIL);
	cr_assert_eq(gang_serial_void(db, "demo", 1002, "board scrapped", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_ABORTED, "no-board", "no target voltage", &d),
		     GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_board_last_pass(&pass, db, "0123456789ABCDEF01234567", "ab12", "cd34", &d), GANG_OK);
	cr_assert(pass.found);
	cr_assert_eq(gang_db_sighting(db, &info, "0123456789ABCDEF01234567", &pass.attempt, &d), GANG_OK, "%s", d.msg);
}

static void ag_put(char *out, const char *s)
{
	size_t n = strlen(out);

	snprintf(out + n, AG_OUT_MAX - n, "%s|", s ? s : "-");
}

static int ag_row(void *ctx, const gang_report_row *r)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	ag_put(ctx, id);
	for (const char *const *f = (const char *const[]){ r->uid, r->slot, r->probe_serial, r->result, r->error_class,
							   r->failed_step, r->error_message, r->serial, r->batch,
							   r->profile_name, r->profile_sha256, r->image_sha256,
							   r->station, r->operator_name, r->finished_at ? "closed" : "open",
							   r->data, r->label,
							   (const char *)1 };
	     *f != (const char *)1; f++)
		ag_put(ctx, *f);
	ag_put(ctx, "\n");
	return GANG_OK;
}

/* Report rows come in no particular order: sort the lines. */
static int ag_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ag_sorted(char *out)
{
	char *lines[256], copy[AG_OUT_MAX], *save = NULL;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", out);
	for (char *l = strtok_r(copy, "\n", &save); l && n < 256; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(lines[0]), ag_cmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		ag_put(out, lines[i]);
}

static void ag_data_report(char *out, gang_db *db, const gang_report_filter *f)
{
	gang_report_data_pool *pools;
	gang_diag d = { 0 };
	size_t n;

	cr_assert_eq(gang_db_report_data_pools(&pools, &n, db, f, &d), GANG_OK, "%s", d.msg);
	for (size_t i = 0; i < n; i++) {
		char line[256];

		snprintf(line, sizeof(line), "%s %s%s size %lld r%lld b%lld v%lld left %lld", pools[i].name, pools[i].kind,
			 pools[i].secret ? " secret" : "", (long long)pools[i].size, (long long)pools[i].reserved,
			 (long long)pools[i].burned, (long long)pools[i].voided, (long long)pools[i].remaining);
		ag_put(out, line);
	}
	gang_db_report_data_pools_free(pools, n);
}

static void ag_report(char *out, gang_db *db, const gang_report_filter *f)
{
	gang_report_pool *pools;
	gang_diag d = { 0 };
	size_t n;

	out[0] = '\0';
	cr_assert_eq(gang_db_report_scan(db, f, ag_row, out, &d), GANG_OK, "%s", d.msg);
	ag_sorted(out);
	cr_assert_eq(gang_db_report_pools(&pools, &n, db, f, &d), GANG_OK, "%s", d.msg);
	for (size_t i = 0; i < n; i++) {
		char line[256];

		snprintf(line, sizeof(line), "%s %lld..%lld %lld..%lld r%lld b%lld v%lld", pools[i].name,
			 (long long)pools[i].range_start, (long long)pools[i].range_end, (long long)pools[i].min_value,
			 (long long)pools[i].max_value, (long long)pools[i].reserved, (long long)pools[i].burned,
			 (long long)pools[i].voided);
		ag_put(out, line);
	}
	gang_db_report_pools_free(pools, n);
	ag_data_report(out, db, f);
}

Test(db_agree, the_report_of_the_same_history_is_the_same_on_both)
{
	static char a[AG_OUT_MAX], b[AG_OUT_MAX];
	const gang_report_filter filters[] = { { NULL, NULL, NULL }, { "B1", NULL, NULL }, { "B2", NULL, NULL },
					       { NULL, "2000-01-01T00:00:00.000Z", NULL },
					       { NULL, NULL, "2000-01-01T00:00:00.000Z" } };

	ag_history(ag_db[0]);
	ag_history(ag_db[1]);
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		ag_report(a, ag_db[0], &filters[i]);
		ag_report(b, ag_db[1], &filters[i]);
		cr_expect_str_eq(a, b, "filter %zu:\nsqlite:\n%s\npostgresql:\n%s", i, a, b);
		if (i == 0) {
			cr_expect_not_null(strstr(a, "verify|mismatch at") ? a : strstr(a, "|verify|"), "%s", a);
			/* the failed board's values (the secret by index and SHA-256) and label; pools' counts */
			cr_expect_not_null(strstr(a, "|keys #2 sha256 " AG_K3_SHA "; macs 00:80:E1:00:00:02; plain #2 "
						     "0x4546|PCB-AAAAAAAA|"), "%s", a);
			cr_expect_not_null(strstr(a, "|keys list secret size 3 r1 b2 v0 left 0|macs mac size 256 r1 b2 v0 "
						     "left 253|plain list size 3 r1 b2 v0 left 0|"), "%s", a);
		}
	}
}

static void ag_trace(char *out, gang_db *db, const char *key)
{
	gang_trace_board *t;
	gang_diag d = { 0 };
	char **uids;
	size_t n;

	out[0] = '\0';
	cr_assert_eq(gang_db_trace_find(&uids, &n, db, key, &d), GANG_OK, "%s", d.msg);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(gang_db_trace_board(&t, db, uids[i], &d), GANG_OK, "%s", d.msg);
		ag_put(out, t->uid);
		ag_put(out, t->serial);
		ag_put(out, t->part);
		ag_put(out, t->last_result);
		for (size_t j = 0; j < t->n_attempts; j++) {
			for (int f = 0; f < GANG_TF_COUNT; f++)
				if (f != GANG_TF_STARTED_AT && f != GANG_TF_FINISHED_AT && f != GANG_TF_DURATION_MS)
					ag_put(out, t->attempts[j].f[f]);
			for (size_t s = 0; s < t->attempts[j].n_steps; s++) {
				ag_put(out, t->attempts[j].steps[s].step);
				ag_put(out, t->attempts[j].steps[s].result);
				ag_put(out, t->attempts[j].steps[s].detail);
			}
		}
		for (size_t s = 0; s < t->n_serials; s++) {
			ag_put(out, t->serials[s].pool);
			ag_put(out, t->serials[s].state);
			ag_put(out, t->serials[s].reason);
			ag_put(out, t->serials[s].burned_at ? "burned_at" : "-");
		}
		gang_db_trace_board_free(t);
	}
	gang_db_trace_uids_free(uids, n);
}

/*
 * A history without data values or scanned labels: the PostgreSQL report
 * then skips those lookups, and a whole history joins the failing steps
 * in one pass (pg_report.c); the rows must not change.
 */
Test(db_agree, a_report_of_a_history_without_data_or_labels_is_the_same_on_both)
{
	static char a[AG_OUT_MAX], b[AG_OUT_MAX];
	const gang_report_filter filters[] = { { NULL, NULL, NULL }, { "B1", NULL, NULL } };
	gang_diag d = { 0 };

	for (int i = 0; i < 2; i++) {
		cr_assert_eq(gang_serial_pool_ensure(ag_db[i], "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
		ag_board_with(ag_db[i], "S1", "0123456789ABCDEF01234567", "B1", 0, GANG_ATTEMPT_FAIL, 0);
		ag_board_with(ag_db[i], "S2", "76543210FEDCBA9876543210", "B1", 1, GANG_ATTEMPT_FAIL, 0);
		ag_board_with(ag_db[i], "S1", "0123456789ABCDEF01234567", "B2", 0, GANG_ATTEMPT_PASS, 0);
	}
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		ag_report(a, ag_db[0], &filters[i]);
		ag_report(b, ag_db[1], &filters[i]);
		cr_expect_str_eq(a, b, "filter %zu:\nsqlite:\n%s\npostgresql:\n%s", i, a, b);
		cr_expect_not_null(strstr(a, "|verify|"), "the failing step: %s", a);
	}
}

Test(db_agree, trace_finds_and_shows_the_same_boards_on_both)
{
	static const char *const keys[] = { "0123456789abcdef01234567", "GNG-001001", "GNG-001002", "1002", "1000",
					    "nothing-like-it", "76543210FEDCBA9876543210" };
	static char a[AG_OUT_MAX], b[AG_OUT_MAX];

	ag_history(ag_db[0]);
	ag_history(ag_db[1]);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		ag_trace(a, ag_db[0], keys[i]);
		ag_trace(b, ag_db[1], keys[i]);
		cr_expect_str_eq(a, b, "trace %s:\nsqlite:\n%s\npostgresql:\n%s", keys[i], a, b);
		cr_expect_eq(a[0] == '\0', strcmp(keys[i], "nothing-like-it") == 0, "trace %s: '%s'", keys[i], a);
		if (strcmp(keys[i], "1002") == 0)   /* the board at RDP level 0.5 */
			cr_expect_not_null(strstr(a, "|STM32F103RC|normal|0.5|A55AFF00|"), "%s", a);
	}
}

static int ag_serial(void *user, const gang_serial_row *r, gang_diag *d)
{
	char line[256];

	(void)d;
	snprintf(line, sizeof(line), "%llu %s %s %s %s %s", (unsigned long long)r->value, r->state, r->uid, r->text,
		 r->burned_at[0] ? "burned" : "-", r->reason);
	ag_put(user, line);
	return GANG_OK;
}

Test(db_agree, the_same_sql_and_serial_listing_give_the_same_answers_on_both)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM attempts WHERE result = 'pass'",
		"SELECT count(*) FROM attempts WHERE finished_at IS NULL",
		"SELECT sum(duration_ms) FROM steps",
		"SELECT last_result || ' ' || serial || ' ' || serial_pool FROM boards WHERE uid = '0123456789ABCDEF01234567'",
		"SELECT COALESCE(serial, 'none') FROM boards WHERE uid = 'AAAAAAAAAAAAAAAAAAAAAAAA'",
		"SELECT state || ' ' || uid FROM serials WHERE value = 1002",
		"SELECT next FROM serial_pools WHERE name = 'demo'",
		"SELECT count(*) FROM sightings",
		"SELECT max(seq) FROM attempts WHERE station = 'line-2'",
		"SELECT label FROM slot_map",
		"SELECT count(*) FROM serials s JOIN attempts a ON a.serial_pool = s.pool AND a.serial_value = s.value",
		"SELECT error_message FROM attempts WHERE uid IS NULL",
		"SELECT uid FROM attempts WHERE rdp_before = 0.5",
		"SELECT COALESCE(CAST(rdp_before AS TEXT), '-') FROM attempts WHERE uid = 'AAAAAAAAAAAAAAAAAAAAAAAA'",
		"SELECT count(*) FROM attempts WHERE rdp_before < 1",
		"SELECT sum(rdp_before) FROM attempts",
	};
	static const char *const refused[] = {
		"INSERT INTO serials (pool, value, uid, state, reserved_at) VALUES ('demo', 1000, "
		"'AAAAAAAAAAAAAAAAAAAAAAAA', 'reserved', '" AG_NOW "')",
		"DELETE FROM serials WHERE value = 1000",
		"UPDATE serials SET state = 'reserved' WHERE value = 1002",
		"UPDATE serial_pools SET \"end\" = 5000",
		"UPDATE boards SET serial = 'GNG-001000', serial_pool = 'demo' WHERE uid = '76543210FEDCBA9876543210'",
		"INSERT INTO steps (attempt_id, step, result, duration_ms, at) VALUES (1, 'x', 'maybe', 1, '" AG_NOW "')",
		"UPDATE attempts SET result = NULL WHERE seq = 1",
	};
	static char a[AG_OUT_MAX], b[AG_OUT_MAX];
	gang_diag d = { 0 };

	ag_history(ag_db[0]);
	ag_history(ag_db[1]);
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		fix_q_text(a, sizeof(a), ag_db[0], sql[i]);
		fix_q_text(b, sizeof(b), ag_db[1], sql[i]);
		cr_expect_str_eq(a, b, "%s", sql[i]);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		cr_expect_neq(fix_exec(ag_db[0], refused[i]), GANG_OK, "sqlite accepted %s", refused[i]);
		cr_expect_neq(fix_exec(ag_db[1], refused[i]), GANG_OK, "postgresql accepted %s", refused[i]);
	}
	a[0] = b[0] = '\0';
	cr_assert_eq(gang_serial_list(ag_db[0], "demo", NULL, ag_serial, a, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_list(ag_db[1], "demo", NULL, ag_serial, b, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(a, b, "sqlite:\n%s\npostgresql:\n%s", a, b);
	cr_expect_not_null(strstr(a, "1002 void AAAAAAAAAAAAAAAAAAAAAAAA GNG-001002 - board scrapped"), "%s", a);
}
#else
Test(db_agree, built_without_the_postgresql_backend)
{
	cr_skip_test("this gang is built without its PostgreSQL backend (WITH_PG): nothing to compare");
}
#endif
