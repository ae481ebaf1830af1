/*
 * test_pg_sessions.c — a station's worker handles share a few server
 * sessions (src/db/pg/pg_sessions.c), against the test binary's private
 * server (tests/lib/pgserver.h): 32 slots writing whole attempt records at
 * once never hold more than PG_SHARED_SESSIONS sessions besides the main
 * handle's, and every record is there once; a shared session the server
 * ended while no slot had it is replaced; a worker that finds the server
 * closed to it fails with libpq's words, counts as out of reach, and
 * works again once the server lets it in; a worker's refused step row is
 * told by that step; the serial text lock of migration 0011 still keeps
 * one text to one board.
 */
#include <criterion/criterion.h>

#ifdef GANG_WITH_PG
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_lease.h"
#include "db/db_testing.h"
#include "pgserver.h"
#include "serial/serial_alloc.h"

#define PST_SLOTS 32
#define PST_RECORDS 6
/* PG_SHARED_SESSIONS (src/db/pg/pg_internal.h, not a public header) and the main handle's own */
#define PST_MOST_SESSIONS (4 + 1)

static pgserver pst_srv;
static char pst_uri[320];
static char pst_name[32]; /* the test's database, also the application_name of its handles' sessions */
static char pst_sessions[160], pst_kill_all[192];

static void pst_setup(void)
{
	if (pgserver_shared(&pst_srv) != 0) {
		if (!pgserver_available(NULL))
			cr_skip_test("%s", pst_srv.err);
		cr_assert_fail("%s", pst_srv.err);
	}
	snprintf(pst_name, sizeof(pst_name), "ps%ld", (long)getpid());
	cr_assert_eq(pgserver_createdb(&pst_srv, pst_name), 0, "%s", pst_srv.err);
	/* every session of the test's handles is named, so the server can count them (tests run side by side) */
	snprintf(pst_uri, sizeof(pst_uri), "host=%s dbname=%s user=%s application_name=%s", pst_srv.dir, pst_name,
		 PGSERVER_SUPERUSER, pst_name);
	snprintf(pst_sessions, sizeof(pst_sessions),
		 "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'", pst_name);
	snprintf(pst_kill_all, sizeof(pst_kill_all),
		 "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '%s'", pst_name);
}

TestSuite(db_pg_sessions, .init = pst_setup, .timeout = 120);

static void pst_sql(char *out, size_t cap, const char *sql)
{
	cr_assert_eq(pgserver_sql(out, cap, &pst_srv, pst_name, sql), 0, "%s", pst_srv.err);
}

static long pst_count(const char *sql)
{
	char out[64];

	pst_sql(out, sizeof(out), sql);
	return strtol(out, NULL, 10);
}

static gang_db *pst_main(void)
{
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, pst_uri, GANG_DB_CREATE | GANG_DB_RECOVER, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1, 100000, "u32le", &d), GANG_OK, "%s", d.msg);
	return db;
}

/* One whole attempt record, as gang run writes it: GANG_OK or the first failure (d says which). */
static int pst_record(gang_db *db, const char *uid, gang_diag *d)
{
	static const char *const steps[] = { "connect", "erase", "program", "verify" };
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo-f103", .station = "line-1" };
	gang_attempt_target t = { .uid = uid, .part = "STM32F103RC", .connect_mode = "normal", .rdp_before = 0 };
	gang_attempt_key k;
	uint64_t v;
	int err;

	if ((err = gang_db_attempt_begin(&k, db, &info, d)) < 0 || (err = gang_db_attempt_identify(db, &k, &t, d)) < 0 ||
	    (err = gang_serial_reserve(&v, db, "demo", uid, &k, d)) < 0)
		return err;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((err = gang_db_step(db, &k, steps[i], GANG_STEP_PASS, 10, NULL, d)) < 0)
			return err;
	return gang_db_attempt_finish(db, &k, GANG_ATTEMPT_PASS, NULL, NULL, d);
}

typedef struct pst_slot {
	gang_db *w;
	int index, err;
	pthread_barrier_t *go;
	gang_diag d;
} pst_slot;

static void *pst_slot_run(void *arg)
{
	pst_slot *s = arg;
	char uid[32];

	pthread_barrier_wait(s->go);
	for (int i = 0; i < PST_RECORDS && s->err == 0; i++) {
		snprintf(uid, sizeof(uid), "%08X%016X", (unsigned)s->index, (unsigned)i);
		s->err = pst_record(s->w, uid, &s->d);
	}
	return NULL;
}

Test(db_pg_sessions, thirty_two_slots_share_a_few_sessions_and_every_record_is_there_once)
{
	static pst_slot s[PST_SLOTS];
	pthread_t t[PST_SLOTS];
	pthread_barrier_t go;
	gang_db *db = pst_main();
	long sessions;

	pthread_barrier_init(&go, NULL, PST_SLOTS);
	for (int i = 0; i < PST_SLOTS; i++) {
		s[i] = (pst_slot){ .index = i, .go = &go };
		cr_assert_eq(gang_db_open_worker(&s[i].w, db, &s[i].d), GANG_OK, "%s", s[i].d.msg);
	}
	cr_expect_eq(pst_count(pst_sessions), 1, "a worker opened a session before it needed one");
	for (int i = 0; i < PST_SLOTS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, pst_slot_run, &s[i]), 0);
	for (int i = 0; i < PST_SLOTS; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(s[i].err, GANG_OK, "slot %d: %s", i, s[i].d.msg);
	}
	/* shared sessions stay open until the last handle closes: the most there ever were */
	sessions = pst_count(pst_sessions);
	cr_expect(sessions >= 2 && sessions <= PST_MOST_SESSIONS, "%ld sessions for 32 slots", sessions);
	for (int i = 0; i < PST_SLOTS; i++)
		gang_db_close(s[i].w);
	gang_db_close(db);
	pthread_barrier_destroy(&go);
	cr_expect_eq(pst_count("SELECT count(*) FROM attempts WHERE result = 'pass'"), PST_SLOTS * PST_RECORDS);
	cr_expect_eq(pst_count("SELECT count(*) FROM steps"), PST_SLOTS * PST_RECORDS * 4);
	cr_expect_eq(pst_count("SELECT count(DISTINCT value) FROM serials WHERE state = 'burned'"),
		     PST_SLOTS * PST_RECORDS);
	cr_expect_eq(pst_count("SELECT count(DISTINCT seq) FROM attempts WHERE station = 'line-1'"),
		     PST_SLOTS * PST_RECORDS);
	cr_expect_eq(pst_count(pst_sessions), 0, "a session outlived its handles");
}

typedef struct pst_tx {
	gang_db *w;
	int index, err;
	gang_diag d;
} pst_tx;

/* Transactions of several statements (a burn: BEGIN, the burn, COMMIT), over and over. */
static void *pst_tx_run(void *arg)
{
	pst_tx *t = arg;
	char uid[32];
	uint64_t v;

	for (int i = 0; i < 20 && t->err == 0; i++) {
		snprintf(uid, sizeof(uid), "FF%06X%016X", (unsigned)t->index, (unsigned)i);
		if ((t->err = gang_serial_reserve(&v, t->w, "demo", uid, NULL, &t->d)) == GANG_OK)
			t->err = gang_serial_burn(t->w, "demo", uid, &t->d);
	}
	return NULL;
}

/*
 * A worker's transaction stays on the session its BEGIN went to: 16 slots
 * burning serials (a transaction each) on 4 shared sessions leave none of
 * them inside a transaction, and every burn is there.
 */
Test(db_pg_sessions, a_slots_transaction_keeps_its_session_from_begin_to_commit)
{
	static pst_tx t[16];
	pthread_t th[16];
	gang_db *db = pst_main();
	char sql[256];

	for (int i = 0; i < 16; i++) {
		t[i] = (pst_tx){ .index = i };
		cr_assert_eq(gang_db_open_worker(&t[i].w, db, &t[i].d), GANG_OK, "%s", t[i].d.msg);
		cr_assert_eq(pthread_create(&th[i], NULL, pst_tx_run, &t[i]), 0);
	}
	for (int i = 0; i < 16; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(t[i].err, GANG_OK, "slot %d: %s", i, t[i].d.msg);
	}
	snprintf(sql, sizeof(sql), "%s AND state <> 'idle'", pst_sessions);
	cr_expect_eq(pst_count(sql), 0, "a shared session was given back inside a transaction");
	for (int i = 0; i < 16; i++)
		gang_db_close(t[i].w);
	gang_db_close(db);
	cr_expect_eq(pst_count("SELECT count(*) FROM serials WHERE state = 'burned'"), 16 * 20);
}

Test(db_pg_sessions, a_shared_session_the_server_ended_while_no_slot_had_it_is_replaced)
{
	gang_db *db = pst_main(), *w[3];
	gang_diag d = { 0 };
	char uid[32];

	for (int i = 0; i < 3; i++)
		cr_assert_eq(gang_db_open_worker(&w[i], db, &d), GANG_OK, "%s", d.msg);
	for (int i = 0; i < 3; i++) {
		snprintf(uid, sizeof(uid), "AA%022d", i);
		cr_assert_eq(pst_record(w[i], uid, &d), GANG_OK, "%s", d.msg);
	}
	cr_assert_geq(pst_count(pst_kill_all), 2, "the main handle's and a shared session");
	usleep(100000);
	for (int i = 0; i < 3; i++) {
		snprintf(uid, sizeof(uid), "BB%022d", i);
		cr_expect_eq(pst_record(w[i], uid, &d), GANG_OK, "slot %d after the kill: %s", i, d.msg);
	}
	for (int i = 0; i < 3; i++)
		gang_db_close(w[i]);
	gang_db_close(db);
	cr_expect_eq(pst_count("SELECT count(*) FROM attempts WHERE result = 'pass'"), 6);
	cr_expect_eq(pst_count("SELECT count(*) FROM steps"), 24, "a step doubled or lost");
}

Test(db_pg_sessions, a_worker_the_server_will_not_let_in_is_out_of_reach_until_it_may_connect_again)
{
	gang_db *db = pst_main(), *w = NULL;
	gang_diag d = { 0 };
	char sql[160], none[16];

	cr_assert_eq(gang_db_open_worker(&w, db, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(pst_record(w, "CC0000000000000000000001", &d), GANG_OK, "%s", d.msg);
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS false", pst_name);
	cr_assert_eq(pgserver_sql(none, sizeof(none), &pst_srv, "postgres", sql), 0, "%s", pst_srv.err);
	cr_assert_eq(pgserver_sql(none, sizeof(none), &pst_srv, "postgres", pst_kill_all), 0, "%s", pst_srv.err);
	cr_assert_geq(atoi(none), 1);
	usleep(100000);
	cr_expect_lt(pst_record(w, "CC0000000000000000000002", &d), 0, "a record without a server");
	cr_expect_not_null(strstr(d.msg, pst_name), "the database is named: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, "not currently accepting connections"), "libpq's words: %s", d.msg);
	cr_expect(gang_db_unreachable(w), "the worker does not count the server as out of reach");
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS true", pst_name);
	pgserver_sql(none, sizeof(none), &pst_srv, "postgres", sql);
	cr_expect_eq(pst_record(w, "CC0000000000000000000003", &d), GANG_OK, "once it may connect again: %s", d.msg);
	cr_expect_not(gang_db_unreachable(w));
	gang_db_close(w);
	gang_db_close(db);
	cr_expect_eq(pst_count("SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
}

Test(db_pg_sessions, a_workers_refused_step_row_is_told_by_that_step_and_no_pass_is_recorded)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo-f103", .station = "line-1" };
	gang_attempt_target t = { .uid = "DD0000000000000000000001", .part = "STM32F103RC", .connect_mode = "normal" };
	gang_db *db = pst_main(), *w = NULL;
	gang_attempt_key k;
	gang_diag d = { 0 };
	char none[16];

	pst_sql(none, sizeof(none),
		"CREATE FUNCTION pst_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
		"RAISE EXCEPTION 'step % refused by the test', NEW.step USING ERRCODE = 'check_violation'; END $$");
	pst_sql(none, sizeof(none), "CREATE TRIGGER pst_refuse BEFORE INSERT ON steps FOR EACH ROW WHEN "
				    "(NEW.step = 'erase') EXECUTE FUNCTION pst_refuse()");
	cr_assert_eq(gang_db_open_worker(&w, db, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(w, &k, &t, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_step(w, &k, "connect", GANG_STEP_PASS, 5, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_step(w, &k, "erase", GANG_STEP_PASS, 5, NULL, &d), GANG_EDB, "the refusal waited");
	cr_expect_not_null(strstr(d.msg, "recording a step failed: step erase refused by the test"), "%s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_FAIL, "db", d.msg, &d), GANG_OK, "%s", d.msg);
	gang_db_close(w);
	gang_db_close(db);
	cr_expect_eq(pst_count("SELECT count(*) FROM steps"), 1);
	cr_expect_eq(pst_count("SELECT count(*) FROM attempts WHERE result = 'fail'"), 1);
}

/* Two boards whose serials render to one text (a format without the number): the second pass is refused. */
Test(db_pg_sessions, two_slots_finishing_boards_with_one_serial_text_record_it_for_one_board_only)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo-f103", .station = "line-1" };
	gang_db *db = pst_main(), *w[2];
	gang_attempt_key k[2];
	gang_diag d = { 0 };
	char uid[32];
	uint64_t v;
	int passed = 0;

	for (int i = 0; i < 2; i++) {
		gang_attempt_target t = { .uid = uid, .part = "STM32F103RC", .connect_mode = "normal" };

		snprintf(uid, sizeof(uid), "EE%022d", i);
		cr_assert_eq(gang_db_open_worker(&w[i], db, &d), GANG_OK, "%s", d.msg);
		cr_assert_eq(gang_db_attempt_begin(&k[i], w[i], &info, &d), GANG_OK, "%s", d.msg);
		cr_assert_eq(gang_db_attempt_identify(w[i], &k[i], &t, &d), GANG_OK, "%s", d.msg);
		cr_assert_eq(gang_serial_reserve(&v, w[i], "demo", uid, &k[i], &d), GANG_OK, "%s", d.msg);
	}
	/* as if both texts were recorded before the check existed (an engineer's import) */
	pst_sql((char[16]){ 0 }, 16, "UPDATE attempts SET serial_text = 'SN-SAME'");
	for (int i = 0; i < 2; i++)
		passed += gang_db_attempt_finish(w[i], &k[i], GANG_ATTEMPT_PASS, NULL, NULL, &d) == GANG_OK;
	cr_expect_eq(passed, 1, "one text on two boards");
	cr_expect_not_null(strstr(d.msg, "already recorded for board EE"), "%s", d.msg);
	for (int i = 0; i < 2; i++)
		gang_db_close(w[i]);
	gang_db_close(db);
	cr_expect_eq(pst_count("SELECT count(*) FROM boards WHERE serial = 'SN-SAME'"), 1);
}
#else
Test(db_pg_sessions, built_without_the_postgresql_backend)
{
	cr_skip_test("this gang is built without its PostgreSQL backend (WITH_PG)");
}
#endif
