/*
 * test_pg_pipe.c — an attempt's step rows sent ahead in libpq pipeline
 * mode (src/db/pg/pg_pipe.c), against the test binary's private server
 * (tests/lib/pgserver.h), as a station's role: a step returns before the
 * server has answered; a row the server refuses is told by the handle's
 * next op (a later step once its answer is there) in the words the step
 * would have had, and a pass is never recorded over it; a session lost while rows are on their way is
 * replaced and the rows go again, never doubled; more rows than a handle
 * sends ahead are all recorded.
 */
#include <criterion/criterion.h>

#ifdef GANG_WITH_PG
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_testing.h"
#include "pgserver.h"
#include "serial/serial_alloc.h"

#define PPT_UID "0123456789ABCDEF01234567"

static pgserver ppt_srv;
static char ppt_uri[256];
static char ppt_name[32];

static void ppt_setup(void)
{
	if (pgserver_shared(&ppt_srv) != 0) {
		if (!pgserver_available(NULL))
			cr_skip_test("%s", ppt_srv.err);
		cr_assert_fail("%s", ppt_srv.err);
	}
	snprintf(ppt_name, sizeof(ppt_name), "pp%ld", (long)getpid());
	cr_assert_eq(pgserver_createdb(&ppt_srv, ppt_name), 0, "%s", ppt_srv.err);
	pgserver_uri(ppt_uri, sizeof(ppt_uri), &ppt_srv, ppt_name);
}

TestSuite(db_pg_pipe, .init = ppt_setup, .timeout = 60);

static void ppt_sql(char *out, size_t cap, const char *sql)
{
	cr_assert_eq(pgserver_sql(out, cap, &ppt_srv, ppt_name, sql), 0, "%s", ppt_srv.err);
}

/* The schema (as the admin), then a handle of a station's own role (db/migrations/pg/0002_roles.sql). */
static gang_db *ppt_station(void)
{
	char sql[160], uri[256], none[8];
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, ppt_uri, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	gang_db_close(db);
	snprintf(sql, sizeof(sql), "CREATE ROLE st_%s LOGIN IN ROLE gang_station", ppt_name);
	ppt_sql(none, sizeof(none), sql);
	snprintf(uri, sizeof(uri), "host=%s dbname=%s user=st_%s", ppt_srv.dir, ppt_name, ppt_name);
	cr_assert_eq(gang_db_open(&db, uri, GANG_DB_RECOVER, &d), GANG_OK, "%s", d.msg);
	return db;
}

/* An attempt up to its steps, as gang run records it: begun, identified, its serial reserved. */
static gang_attempt_key ppt_attempt(gang_db *db)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo-f103", .station = "line-2" };
	gang_attempt_target t = { .uid = PPT_UID, .part = "STM32F103RC", .connect_mode = "normal", .rdp_before = 0 };
	gang_attempt_key k;
	gang_diag d = { 0 };
	uint64_t v;

	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(db, &k, &t, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_reserve(&v, db, "demo", PPT_UID, &k, &d), GANG_OK, "%s", d.msg);
	return k;
}

/* A server-side refusal of one step's row (the admin's trigger: no grant of the station's changes). */
static void ppt_refuse_step(const char *step)
{
	char sql[512], none[8];

	ppt_sql(none, sizeof(none),
		"CREATE FUNCTION ppt_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
		"RAISE EXCEPTION 'step % refused by the test', NEW.step USING ERRCODE = 'check_violation'; END $$");
	snprintf(sql, sizeof(sql),
		 "CREATE TRIGGER ppt_refuse BEFORE INSERT ON steps FOR EACH ROW WHEN (NEW.step = '%s') "
		 "EXECUTE FUNCTION ppt_refuse()", step);
	ppt_sql(none, sizeof(none), sql);
}

Test(db_pg_pipe, a_refused_step_row_is_told_by_the_close_in_the_steps_words_and_the_pass_is_not_recorded)
{
	gang_db *db = ppt_station();
	gang_attempt_key k = ppt_attempt(db);
	gang_diag d = { 0 };
	char out[128], want[256];

	ppt_refuse_step("verify");
	cr_expect_eq(gang_db_step(db, &k, "program", GANG_STEP_PASS, 10, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_step(db, &k, "verify", GANG_STEP_PASS, 10, NULL, &d), GANG_OK,
		     "a step waited for the server's answer: %s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_EDB,
		     "a pass was recorded over a refused step");
	snprintf(want, sizeof(want), "database %s: recording a step failed: step verify refused by the test",
		 gang_db_path(db));
	cr_expect_str_eq(d.msg, want);
	ppt_sql(out, sizeof(out), "SELECT COALESCE(result, 'open') || ' ' || (SELECT state FROM serials) || ' ' || "
				  "(SELECT string_agg(step, ',' ORDER BY id) FROM steps) FROM attempts");
	cr_expect_str_eq(out, "open reserved program", "the pass or its burn was committed");
	/* told once: the board then closes as it would after a step the database refused */
	cr_expect_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_FAIL, "db", d.msg, &d), GANG_OK, "%s", d.msg);
	ppt_sql(out, sizeof(out), "SELECT result || ' ' || (SELECT state FROM serials) FROM attempts");
	cr_expect_str_eq(out, "fail reserved");
	gang_db_close(db);
}

Test(db_pg_pipe, a_refused_step_row_is_told_once_by_the_next_op_which_does_not_run)
{
	gang_db *db = ppt_station();
	gang_attempt_key k = ppt_attempt(db);
	gang_board_pass pass;
	gang_diag d = { 0 };
	uint64_t v = 0;
	char out[64];

	ppt_refuse_step("connect");
	/* an op of its own (autocommit) waits for the rows' answers before it is sent */
	cr_expect_eq(gang_db_step(db, &k, "connect", GANG_STEP_PASS, 3, "SWD 4 MHz", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_serial_reserve(&v, db, "demo", "FEDCBA987654321001234567", NULL, &d), GANG_EDB,
		     "the refusal was not told");
	cr_expect_not_null(strstr(d.msg, "recording a step failed: step connect refused by the test"), "%s", d.msg);
	ppt_sql(out, sizeof(out), "SELECT count(*) FROM serials");
	cr_expect_str_eq(out, "1", "the op that told the refusal ran anyway");
	cr_expect_eq(gang_db_board_last_pass(&pass, db, PPT_UID, NULL, NULL, &d), GANG_OK, "told twice: %s", d.msg);
	/* an op in a transaction goes out behind the rows and is rolled back */
	cr_expect_eq(gang_db_step(db, &k, "connect", GANG_STEP_PASS, 4, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_attempt_serial_text(db, &k, "GNG-1", &d), GANG_EDB, "the refusal was not told");
	cr_expect_not_null(strstr(d.msg, "recording a step failed: step connect refused by the test"), "%s", d.msg);
	ppt_sql(out, sizeof(out), "SELECT COALESCE(serial_text, 'none') FROM attempts");
	cr_expect_str_eq(out, "none", "the op that told the refusal was committed");
	cr_expect_eq(gang_db_attempt_serial_text(db, &k, "GNG-1", &d), GANG_OK, "%s", d.msg);
	ppt_sql(out, sizeof(out), "SELECT serial_text || ' ' || (SELECT count(*) FROM steps) FROM attempts");
	cr_expect_str_eq(out, "GNG-1 0");
	gang_db_close(db);
}

/* Wait until the station's session has answered everything sent to it, and the answer is on its way. */
static void ppt_wait_for_idle(void)
{
	char sql[200], out[16] = "0";

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_activity WHERE usename = 'st_%s' AND state = 'idle'",
		 ppt_name);
	for (int i = 0; i < 300 && strcmp(out, "1") != 0; i++) {
		usleep(10000);
		ppt_sql(out, sizeof(out), sql);
	}
	cr_assert_str_eq(out, "1", "the station's session never went idle");
	usleep(50000);
}

Test(db_pg_pipe, a_refused_step_row_already_answered_is_told_by_the_next_step_which_sends_nothing)
{
	gang_db *db = ppt_station();
	gang_attempt_key k = ppt_attempt(db);
	gang_diag d = { 0 };
	char out[64];

	ppt_refuse_step("erase");
	cr_expect_eq(gang_db_step(db, &k, "erase", GANG_STEP_PASS, 30, NULL, &d), GANG_OK, "%s", d.msg);
	ppt_wait_for_idle();
	cr_expect_eq(gang_db_step(db, &k, "program", GANG_STEP_PASS, 10, NULL, &d), GANG_EDB,
		     "the refusal that was there already was not told by the next step");
	cr_expect_not_null(strstr(d.msg, "recording a step failed: step erase refused by the test"), "%s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_FAIL, "db", d.msg, &d), GANG_OK, "%s", d.msg);
	ppt_sql(out, sizeof(out), "SELECT result || ' ' || (SELECT count(*) FROM steps) FROM attempts");
	cr_expect_str_eq(out, "fail 0", "the step that told the refusal was recorded");
	gang_db_close(db);
}

#define PPT_KILL_WAITING                                                                             \
	"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() " \
	"AND wait_event_type = 'Lock'"

/* Wait until one session of the database waits for a lock. */
static void ppt_wait_for_lock_wait(void)
{
	char out[16] = "0";

	for (int i = 0; i < 300 && strcmp(out, "1") != 0; i++) {
		usleep(10000);
		ppt_sql(out, sizeof(out), "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
					  "AND wait_event_type = 'Lock'");
	}
	cr_assert_str_eq(out, "1", "the step row never waited");
}

static void ppt_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
		  PQresultErrorMessage(r));
	PQclear(r);
}

/*
 * Steps "connect" (in) and "program", whose row's foreign-key check waits
 * for the attempt's row lock another session holds: the station's session
 * is killed while it waits, then the lock is let go.
 */
static void ppt_kill_with_a_row_on_its_way(gang_db *db, const gang_attempt_key *k)
{
	gang_diag d = { 0 };
	char out[128];
	PGconn *c = PQconnectdb(ppt_uri);

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	cr_expect_eq(gang_db_step(db, k, "connect", GANG_STEP_PASS, 3, NULL, &d), GANG_OK, "%s", d.msg);
	ppt_sql(out, sizeof(out), "SELECT count(*) FROM steps WHERE step = 'connect'");
	for (int i = 0; i < 300 && strcmp(out, "1") != 0; i++) {   /* the first row is in */
		usleep(10000);
		ppt_sql(out, sizeof(out), "SELECT count(*) FROM steps WHERE step = 'connect'");
	}
	ppt_exec(c, "BEGIN");
	ppt_exec(c, "SELECT 1 FROM attempts FOR UPDATE");
	cr_expect_eq(gang_db_step(db, k, "program", GANG_STEP_PASS, 10, "16 KiB", &d), GANG_OK, "%s", d.msg);
	ppt_wait_for_lock_wait();
	ppt_sql(out, sizeof(out), PPT_KILL_WAITING);
	cr_expect_str_eq(out, "1");
	ppt_exec(c, "COMMIT");
	PQfinish(c);
}

Test(db_pg_pipe, a_session_killed_with_step_rows_on_their_way_sends_them_again_and_doubles_none)
{
	gang_db *db = ppt_station();
	gang_attempt_key k = ppt_attempt(db);
	gang_diag d = { 0 };
	char out[128];

	ppt_kill_with_a_row_on_its_way(db, &k);
	cr_expect_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	ppt_sql(out, sizeof(out), "SELECT result || ' ' || (SELECT state FROM serials) || ' ' || "
				  "(SELECT string_agg(step, ',' ORDER BY id) FROM steps) FROM attempts");
	cr_expect_str_eq(out, "pass burned connect,program", "a step row lost or doubled, or no pass");
	gang_db_close(db);
}

/* The session lost with a row on its way and the handle closed with no op after it: the close sends it again. */
Test(db_pg_pipe, a_handle_closed_after_its_session_was_killed_sends_the_row_again)
{
	gang_db *db = ppt_station();
	gang_attempt_key k = ppt_attempt(db);
	char out[128];

	ppt_kill_with_a_row_on_its_way(db, &k);
	gang_db_close(db);
	ppt_sql(out, sizeof(out), "SELECT string_agg(step, ',' ORDER BY id) FROM steps");
	cr_expect_str_eq(out, "connect,program", "the row on its way was lost with the session");
}

Test(db_pg_pipe, more_step_rows_than_a_handle_sends_ahead_are_all_recorded_in_order)
{
	gang_db *db = ppt_station();
	gang_attempt_key k = ppt_attempt(db);
	gang_diag d = { 0 };
	char name[16], out[64];

	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "s%02d", i);
		cr_assert_eq(gang_db_step(db, &k, name, GANG_STEP_PASS, (uint32_t)i, NULL, &d), GANG_OK, "%s", d.msg);
	}
	cr_expect_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	ppt_sql(out, sizeof(out), "SELECT count(*) || ' ' || min(step) || ' ' || max(step) || ' ' || "
				  "bool_and(step = 's' || lpad(duration_ms::text, 2, '0')) FROM steps");
	cr_expect_str_eq(out, "40 s00 s39 true");
	ppt_sql(out, sizeof(out), "SELECT string_agg(step, '' ORDER BY id) = string_agg(step, '' ORDER BY step) "
				  "FROM steps");
	cr_expect_str_eq(out, "t", "rows out of order");
	gang_db_close(db);
}

Test(db_pg_pipe, a_handle_closed_with_step_rows_on_their_way_leaves_them_recorded)
{
	gang_db *db = ppt_station();
	gang_attempt_key k = ppt_attempt(db);
	gang_diag d = { 0 };
	char out[64];

	cr_expect_eq(gang_db_step(db, &k, "connect", GANG_STEP_PASS, 3, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_step(db, &k, "program", GANG_STEP_FAIL, 10, "verify mismatch at 0x08000400", &d),
		     GANG_OK, "%s", d.msg);
	gang_db_close(db);
	ppt_sql(out, sizeof(out), "SELECT string_agg(step || ':' || result, ',' ORDER BY id) FROM steps");
	cr_expect_str_eq(out, "connect:pass,program:fail");
}

#else
Test(db_pg_pipe, built_without_the_postgresql_backend)
{
	cr_skip_test("built without the PostgreSQL backend");
}
#endif
