/*
 * test_run_pg.c — production runs on the central PostgreSQL database
 * (issue 14), end to end against a private server (tests/lib/pgserver.h):
 * `gang run --db postgresql://…` on a two-probe bench, then `gang report`
 * and `gang trace` on the same database; and two stations — two gang
 * processes, four probes each — programming 40 boards from one serial pool
 * at once: no serial twice, every board traceable; and a station logging
 * in as its own member of gang_station (least privilege) runs production
 * but cannot delete or rewrite an attempt; and a run whose sessions the
 * server ends again and again between transactions (pg_terminate_backend
 * from another connection) reconnects and finishes with every board once;
 * the server stopped mid-run (no lease: the slots stop, never programming
 * a board whose serial is not committed) and a station killed with -9,
 * each followed by a restart that finishes the 40 boards exactly once;
 * and the same with serial.lease (two stations binding from their own
 * leases, sessions ended, kill -9), and `gang report` listing a board
 * bound at two stations. A leased station across a stopped server (its
 * journal) is test_run_journal.c's.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/db_lease.h"
#include "itest.h"
#include "pgserver.h"
#include "serial/serial_alloc.h"

#define PROFILE "tests/fixtures/profiles/run-basic.cfg"
#define PROFILE_LEASE "tests/fixtures/profiles/run-lease.cfg"
#define BENCH_TWO "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_A "tests/fixtures/benches/run-quad10.cfg"
#define BENCH_B "tests/fixtures/benches/run-quad10-b.cfg"

ITEST_SUITE(run_pg, 240);
static pgserver srv;

/* A private server and database "line"; env.db becomes its URI. */
static void pg_up(void)
{
	if (!pgserver_available(NULL))
		cr_skip_test("no PostgreSQL server programs in %s (tools/install-deps installs them)", PGSERVER_BINDIR);
	cr_assert_eq(pgserver_start(&srv, NULL), 0, "%s", srv.err);
	cr_assert_eq(pgserver_createdb(&srv, "line"), 0, "%s", srv.err);
	pgserver_uri(env.db, sizeof(env.db), &srv, "line");
}

static void pg_down(void)
{
	pgserver_stop(&srv);
}

static long pg_count(const char *sql)
{
	char out[64];

	cr_assert_eq(pgserver_sql(out, sizeof(out), &srv, "line", sql), 0, "%s", srv.err);
	return strtol(out, NULL, 10);
}

static void expect_ok(int rc, const char *what)
{
	char *err = itest_slurp(env.err, NULL);

	cr_expect_eq(rc, 0, "%s: exit %d; stderr: %s", what, rc, err ? err : "");
	free(err);
}

Test(run_pg, a_run_on_postgresql_then_its_report_and_trace, .fini = pg_down)
{
	const char *report[] = { "report", "--db", env.db, "--format", "json", NULL };
	const char *trace[] = { "trace", NULL, "--db", env.db, NULL };
	char uid[64], *out;

	pg_up();
	expect_ok(itest_run_profile(&env, BENCH_TWO, PROFILE, "2", "pg-1", NULL, 90), "gang run");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE result = 'pass' AND batch = 'pg-1'"), 2);
	cr_expect_eq(pg_count("SELECT count(*) FROM serials WHERE state = 'burned'"), 2);
	expect_ok(itest_run(&env, BENCH_TWO, report, 60), "gang report");
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, "pg-1"), "the report names the batch: %s", out);
	free(out);
	cr_assert_eq(pgserver_sql(uid, sizeof(uid), &srv, "line", "SELECT min(uid) FROM boards"), 0, "%s", srv.err);
	trace[1] = uid;
	expect_ok(itest_run(&env, BENCH_TWO, trace, 60), "gang trace");
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, uid), "%s", out);
	cr_expect_not_null(strstr(out, "pass"), "%s", out);
	free(out);
}

/* Every board that passed (boards of them) is found by `gang trace` through its serial text. */
static void expect_every_board_traceable(int boards)
{
	char list[8192], *save = NULL;
	const char *trace[] = { "trace", NULL, "--db", env.db, NULL };
	int n = 0;

	cr_assert_eq(pgserver_sql(list, sizeof(list), &srv, "line", "SELECT serial FROM boards ORDER BY serial"), 0,
		     "%s", srv.err);
	for (char *serial = strtok_r(list, "\n", &save); serial; serial = strtok_r(NULL, "\n", &save), n++) {
		trace[1] = serial;
		expect_ok(itest_run(&env, BENCH_A, trace, 30), serial);
	}
	cr_expect_eq(n, boards, "%d boards with a serial", n);
}

Test(run_pg, two_stations_share_one_database_and_pool_without_a_duplicate, .fini = pg_down)
{
	char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "20", "--db", env.db, "--plain", "--batch", "two", NULL };
	itest_env other;
	pid_t a, b;

	pg_up();
	itest_path(prof, sizeof(prof), &env, PROFILE);
	cr_assert(itest_env_init(&other));
	snprintf(other.db, sizeof(other.db), "%s", env.db);
	a = itest_spawn(&env, BENCH_A, argv);
	b = itest_spawn(&other, BENCH_B, argv);
	cr_assert(a > 0 && b > 0);
	cr_expect_eq(itest_wait(a, 180), 0, "station A failed");
	cr_expect_eq(itest_wait(b, 180), 0, "station B failed");
	itest_env_cleanup(&other);
	cr_expect_eq(pg_count("SELECT count(*) FROM boards WHERE last_result = 'pass'"), 40);
	cr_expect_eq(pg_count("SELECT count(*) FROM serials"), 40);
	cr_expect_eq(pg_count("SELECT count(DISTINCT value) FROM serials"), 40, "a serial handed out twice");
	cr_expect_eq(pg_count("SELECT count(DISTINCT serial) FROM boards"), 40, "a serial burned twice");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 0);
	cr_expect_eq(pg_count("SELECT count(DISTINCT run_id) FROM attempts"), 2, "two runs");
	expect_every_board_traceable(40);
}

/* sql run as the station's own login (libpq, keyword/value string): its SQLSTATE, "" when it succeeded. */
static void pg_as_station(char *state, size_t cap, const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;
	const char *st;

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(state, cap, "%s", st ? st : "");
	PQclear(r);
	PQfinish(c);
}

Test(run_pg, a_station_login_role_runs_production_but_cannot_delete_or_rewrite_an_attempt, .fini = pg_down)
{
	static const char *const refused[] = { "DELETE FROM attempts", "DELETE FROM steps",
					       "UPDATE attempts SET result = 'fail', error_class = 'x'",
					       "UPDATE serials SET state = 'void'", "TRUNCATE serials" };
	const char *upgrade[] = { "db", "upgrade", "--db", env.db, NULL };
	char station[256], state[16], none[8];

	pg_up();
	expect_ok(itest_run(&env, BENCH_TWO, upgrade, 60), "gang db upgrade (the engineer)");
	cr_assert_eq(pgserver_sql(none, sizeof(none), &srv, "line", "CREATE ROLE line2 LOGIN IN ROLE gang_station"), 0,
		     "%s", srv.err);
	snprintf(station, sizeof(station), "host=%s dbname=line user=line2", srv.dir);
	snprintf(env.db, sizeof(env.db), "%s", station);
	expect_ok(itest_run_profile(&env, BENCH_TWO, PROFILE, "2", "least", NULL, 90), "gang run as line2");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE result = 'pass' AND batch = 'least'"), 2);
	cr_expect_eq(pg_count("SELECT count(*) FROM serials WHERE state = 'burned'"), 2);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		pg_as_station(state, sizeof(state), station, refused[i]);
		cr_expect_str_eq(state, "42501", "line2 may: %s", refused[i]);
	}
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE result = 'pass'"), 2, "history changed");
}

/*
 * A station logging in as a member of gang_station runs a profile with a
 * MAC pool: the pool is created on its first run, each pass burns the
 * board's value inside the pass's own transaction with the station's
 * privileges, and the report counts the pool.
 */
Test(run_pg, a_station_role_burns_its_data_values_with_the_pass_and_the_report_counts_them, .fini = pg_down)
{
	const char *upgrade[] = { "db", "upgrade", "--db", env.db, NULL };
	const char *report[] = { "report", "--db", env.db, NULL };
	char station[256], prof[ITEST_PATH_MAX], text[1024], none[8];

	pg_up();
	expect_ok(itest_run(&env, BENCH_TWO, upgrade, 60), "gang db upgrade (the engineer)");
	cr_assert_eq(pgserver_sql(none, sizeof(none), &srv, "line", "CREATE ROLE line2 LOGIN IN ROLE gang_station"), 0,
		     "%s", srv.err);
	snprintf(station, sizeof(station), "host=%s dbname=line user=line2", srv.dir);
	snprintf(env.db, sizeof(env.db), "%s", station);
	snprintf(text, sizeof(text),
		 "name = \"pg-data\";\ntarget = \"STM32F103RC\";\n"
		 "image = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\nerase = \"mass\";\nverify = \"crc\";\n"
		 "serial = { pool = \"itest\"; address = 0x0803F800; format = \"u32le\"; start = 5000; end = 999999; };\n"
		 "data = ( { pool = \"macs\"; address = 0x0803F810; format = \"mac\"; byte_order = \"msb-first\"; "
		 "start = \"00:80:E1:00:00:00\"; "
		 "end = \"00:80:E1:00:00:0F\"; } );\nretries = 0;\n", env.root);
	cr_assert(itest_write(prof, sizeof(prof), &env, "p.cfg", text));
	{
		const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", "--batch", "d1", NULL };

		expect_ok(itest_run(&env, BENCH_TWO, argv, 90), "gang run as line2");
	}
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
	cr_expect_eq(pg_count("SELECT count(*) FROM data_allocs a JOIN attempts t ON t.uid = a.uid AND t.result = "
			      "'pass' WHERE a.state = 'burned' AND a.burned_at <= t.finished_at"), 2,
		     "each value burned by its pass");
	expect_ok(itest_run(&env, BENCH_TWO, report, 60), "gang report");
	cr_expect_eq(itest_count(env.out, "  macs             mac                  16        0        2        0         14"),
		     1);
}

/*
 * Until pid exits (its status in *status), end the station's sessions the
 * server holds idle; how many were ended.
 */
static int pg_keep_ending_sessions(pid_t pid, int *status)
{
	char out[64];
	int kills = 0;

	for (int i = 0; i < 600 && waitpid(pid, status, WNOHANG) == 0; i++) {
		usleep(100000);
		if (i % 3 != 2)
			continue;
		/*
		 * sessions idle for 20 ms and more only, between two of the station's statements: one cut
		 * inside a transaction is the store tests' case (tests/db); one cut during an autocommit
		 * write may have committed, so that slot stops, and is no case for this test
		 */
		cr_assert_eq(pgserver_sql(out, sizeof(out), &srv, "line",
					  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
					  "datname = 'line' AND pid <> pg_backend_pid() AND state = 'idle' AND "
					  "state_change < clock_timestamp() - interval '20 ms'"),
			     0, "%s", srv.err);
		kills += atoi(out);
	}
	return kills;
}

/* gang run of 20 boards with profile while the server keeps ending its sessions: every board once. */
static void pg_run_cut(const char *profile)
{
	char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "20", "--db", env.db, "--plain", "--batch", "cut", NULL };
	int status = -1, kills;
	pid_t pid;

	pg_up();
	itest_path(prof, sizeof(prof), &env, profile);
	pid = itest_spawn(&env, BENCH_A, argv);
	cr_assert(pid > 0);
	kills = pg_keep_ending_sessions(pid, &status);
	cr_assert(WIFEXITED(status), "gang run did not finish");
	expect_ok(WEXITSTATUS(status), "gang run with its sessions ended");
	cr_expect_gt(kills, 4, "only %d sessions ended", kills);
	cr_expect_eq(pg_count("SELECT count(*) FROM boards WHERE last_result = 'pass'"), 20);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts"), 20, "an attempt doubled or lost");
	cr_expect_eq(pg_count("SELECT count(DISTINCT value) FROM serials"), 20);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 0);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE result = 'pass' AND NOT EXISTS (SELECT 1 "
			      "FROM steps s WHERE s.attempt_id = a.id AND s.step = 'verify' AND s.result = 'pass')"),
		     0, "a pass without verify");
}

Test(run_pg, a_run_whose_sessions_the_server_keeps_ending_reconnects_and_records_every_board_once, .fini = pg_down)
{
	pg_run_cut(PROFILE);
}

/* The bindings of leased serials cut by the server too: each recorded once, none a conflict. */
Test(run_pg, a_run_with_a_lease_whose_sessions_the_server_keeps_ending_binds_every_board_once, .fini = pg_down)
{
	pg_run_cut(PROFILE_LEASE);
	cr_expect_eq(pg_count("SELECT count(*) FROM lease_bindings"), 20, "a binding doubled or lost");
	cr_expect_eq(pg_count("SELECT count(*) FROM serial_conflicts"), 0);
}

Test(run_pg, gang_db_void_lease_voids_a_stations_leases_and_prints_what_stays_void, .fini = pg_down)
{
	const char *upgrade[] = { "db", "upgrade", "--db", env.db, NULL };
	const char *void_lease[] = { "db", "void-lease", "line-9", "--reason", "station scrapped", "--db", env.db, NULL };
	char none[8], *out;

	pg_up();
	expect_ok(itest_run(&env, BENCH_TWO, upgrade, 60), "gang db upgrade");
	cr_assert_eq(pgserver_sql(none, sizeof(none), &srv, "line",
				  "INSERT INTO serial_pools VALUES ('demo', 1000, 1999, 1010, '', 'x'); INSERT INTO leases "
				  "(station, pool, first_value, last_value, taken_at) VALUES ('line-9', 'demo', 1000, 1009, 'x')"),
		     0, "%s", srv.err);
	expect_ok(itest_run(&env, BENCH_TWO, void_lease, 60), "gang db void-lease");
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, "lease 1 of station line-9, pool 'demo', 1000..1009: 0 used, 10 never to be used "
				       "(void)"), "%s", out);
	free(out);
	cr_expect_eq(pg_count("SELECT count(*) FROM leases WHERE void_reason = 'station scrapped'"), 1);
	cr_expect_eq(itest_run(&env, BENCH_TWO, void_lease, 60), 2, "nothing left to void is a usage error");
}

/* Station line-3 binds 1010 of its lease to uid, then line-2's binding of 1000 to it is delivered. */
static void pg_bind_twice(const char *uid)
{
	gang_lease_binding b3 = { .station = "line-3", .pool = "itest", .uid = uid, .value = 0 };
	gang_lease_binding b2 = { .station = "line-2", .pool = "itest", .uid = uid, .value = 0 };
	gang_lease_bound out;
	gang_db_lease l2, l3;
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, env.db, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&l2, db, "line-2", "itest", 10, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&l3, db, "line-3", "itest", 10, &d), GANG_OK, "%s", d.msg);
	b3.value = l3.first;
	b2.value = l2.first;
	cr_assert_eq(gang_db_lease_bind(&out, db, &b3, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_bind(&out, db, &b2, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(out.outcome, GANG_LEASE_CONFLICT);
	gang_db_close(db);
}

Test(run_pg, gang_report_lists_a_board_bound_at_two_stations_in_text_and_json, .fini = pg_down)
{
	const char *text[] = { "report", "--db", env.db, NULL };
	const char *json[] = { "report", "--db", env.db, "--format", "json", NULL };
	char *out;

	pg_up();
	expect_ok(itest_run_profile(&env, BENCH_TWO, PROFILE, "2", "pg-c", NULL, 90), "gang run");
	pg_bind_twice("0123456789ABCDEF0123456C");
	expect_ok(itest_run(&env, BENCH_TWO, text, 60), "gang report");
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, "serial conflicts: boards bound at two stations (the first binding is kept)"),
			   "%s", out);
	cr_expect_not_null(strstr(out, "itest            0123456789ABCDEF0123456C         5012 line-3               5002 "
				       "line-2"), "%s", out);
	free(out);
	expect_ok(itest_run(&env, BENCH_TWO, json, 60), "gang report --format json");
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, "\"serial_conflicts\":[{\"pool\":\"itest\",\"uid\":\"0123456789ABCDEF0123456C\","
				       "\"kept_value\":5012,\"kept_station\":\"line-3\",\"other_value\":5002,"
				       "\"other_station\":\"line-2\",\"recorded_at\":\""), "%s", out);
	free(out);
}

/* Wait while pid runs until the central database holds at least n passes; the passes then. */
static long pg_wait_passes(pid_t pid, long n)
{
	long passes = 0;
	int status;

	for (int i = 0; i < 900 && passes < n && waitpid(pid, &status, WNOHANG) == 0; i++) {
		char out[32];

		usleep(100000);
		/* the run makes the tables: until then the query fails */
		if (pgserver_sql(out, sizeof(out), &srv, "line", "SELECT count(*) FROM attempts WHERE result = 'pass'") == 0)
			passes = strtol(out, NULL, 10);
	}
	cr_assert_geq(passes, n, "only %ld passes before the fault", passes);
	return passes;
}

/*
 * After the restart: every board passed at most once and with one serial,
 * serials unique and burned only by a pass, nothing left open, no pass
 * without verify; a board interrupted by the fault kept its serial
 * reserved (its attempt aborted, or redone with that same serial).
 */
static void pg_expect_exactly_once(void)
{
	long passed = pg_count("SELECT count(DISTINCT uid) FROM attempts WHERE result = 'pass'");

	cr_expect_geq(passed, 28, "only %ld boards passed", passed);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE result = 'pass'"), passed, "a board passed twice");
	cr_expect_geq(pg_count("SELECT count(DISTINCT uid) FROM attempts WHERE uid IS NOT NULL"), 36);
	cr_expect_eq(pg_count("SELECT count(*) FROM serials"), pg_count("SELECT count(DISTINCT uid) FROM serials"),
		     "a board got a second serial");
	cr_expect_eq(pg_count("SELECT count(*) FROM serials WHERE state = 'burned'"), passed);
	cr_expect_eq(pg_count("SELECT count(DISTINCT serial) FROM boards WHERE serial IS NOT NULL"), passed);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 0);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE result = 'pass' AND NOT EXISTS (SELECT 1 "
			      "FROM steps s WHERE s.attempt_id = a.id AND s.step = 'verify' AND s.result = 'pass')"),
		     0, "a pass without verify");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE result = 'pass' AND serial_value IS DISTINCT FROM "
			      "(SELECT value FROM serials s WHERE s.uid = a.uid)"),
		     0, "a pass with another serial than its board's");
}

/*
 * gang run on BENCH_A for boards the bench surely has left, to its end: of
 * 40, those not seen yet, less one a slot may have taken without a record
 * (its first database call failed) when the fault stopped it.
 */
static void pg_finish_run(const char *profile)
{
	long seen = pg_count("SELECT count(DISTINCT uid) FROM attempts WHERE uid IS NOT NULL") + 4;
	char prof[ITEST_PATH_MAX], left[24];
	const char *argv[] = { "run", prof, "--boards", left, "--db", env.db, "--plain", "--batch", "again", NULL };

	itest_path(prof, sizeof(prof), &env, profile);
	snprintf(left, sizeof(left), "%ld", 40 - seen);
	expect_ok(itest_run(&env, BENCH_A, argv, 120), "gang run after the fault");
}

/* gang run of 40 boards with profile, the server stopped after 8 passes and started again, then the rest. */
static void pg_run_server_stopped(const char *profile)
{
	char prof[ITEST_PATH_MAX], *err;
	const char *argv[] = { "run", prof, "--boards", "40", "--db", env.db, "--plain", "--batch", "down", NULL };
	pid_t pid;

	pg_up();
	itest_path(prof, sizeof(prof), &env, profile);
	pid = itest_spawn(&env, BENCH_A, argv);
	cr_assert(pid > 0);
	pg_wait_passes(pid, 8);
	cr_assert_eq(pgserver_halt(&srv), 0, "%s", srv.err);
	cr_expect_eq(itest_wait(pid, 60), 4, "a run without its database exits 4");
	err = itest_slurp(env.err, NULL);
	cr_expect(err && strstr(err, "reconnecting failed"), "%s", err ? err : "");
	free(err);
	cr_assert_eq(pgserver_resume(&srv), 0, "%s", srv.err);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE a.serial_value IS NULL AND EXISTS (SELECT 1 "
			      "FROM steps s WHERE s.attempt_id = a.id AND s.step = 'program')"),
		     0, "a board programmed without a committed serial");
	pg_finish_run(profile);
	pg_expect_exactly_once();
}

Test(run_pg, the_server_stopped_mid_run_stops_the_slots_and_a_run_after_its_restart_finishes_once, .fini = pg_down)
{
	pg_run_server_stopped(PROFILE);
}

Test(run_pg, a_station_killed_with_9_mid_run_then_restarted_records_every_board_exactly_once, .fini = pg_down)
{
	char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "40", "--db", env.db, "--plain", "--batch", "kill", NULL };
	pid_t pid;

	pg_up();
	itest_path(prof, sizeof(prof), &env, PROFILE);
	pid = itest_spawn(&env, BENCH_A, argv);
	cr_assert(pid > 0);
	pg_wait_passes(pid, 8);
	kill(pid, SIGKILL);
	cr_expect_eq(itest_wait(pid, 30), 128 + SIGKILL);
	pg_finish_run(PROFILE);
	pg_expect_exactly_once();
}


/*
 * Two stations with serial.lease = 8 (four slots each) programming 20
 * boards each from one pool: each board's serial is a value of a lease of
 * the station that programmed it, bound once; leases are taken as they run
 * out; no serial twice, no conflict, no pass without verify. A later run
 * of one station uses what is left of its leases before it takes another.
 */
Test(run_pg, two_stations_with_serial_leases_bind_each_board_once_from_their_own_leases, .fini = pg_down)
{
	char prof[ITEST_PATH_MAX];
	const char *argv_a[] = { "run", prof, "--boards", "20", "--db", env.db, "--plain", "--batch", "lease",
				 "--station", "line-a", NULL };
	const char *argv_b[] = { "run", prof, "--boards", "20", "--db", env.db, "--plain", "--batch", "lease",
				 "--station", "line-b", NULL };
	itest_env other;
	long unused;
	pid_t a, b;

	pg_up();
	itest_path(prof, sizeof(prof), &env, PROFILE_LEASE);
	cr_assert(itest_env_init(&other));
	snprintf(other.db, sizeof(other.db), "%s", env.db);
	a = itest_spawn(&env, BENCH_A, argv_a);
	b = itest_spawn(&other, BENCH_B, argv_b);
	cr_assert(a > 0 && b > 0);
	cr_expect_eq(itest_wait(a, 180), 0, "station A failed");
	cr_expect_eq(itest_wait(b, 180), 0, "station B failed");
	itest_env_cleanup(&other);
	cr_expect_eq(pg_count("SELECT count(*) FROM boards WHERE last_result = 'pass'"), 40);
	cr_expect_eq(pg_count("SELECT count(DISTINCT value) FROM serials WHERE state = 'burned'"), 40);
	cr_expect_eq(pg_count("SELECT count(*) FROM lease_bindings WHERE outcome = 'bound'"), 40);
	cr_expect_eq(pg_count("SELECT count(*) FROM leases WHERE station = 'line-a'"), 3, "20 boards, leases of 8");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE result = 'pass' AND NOT EXISTS (SELECT 1 FROM "
			      "leases l WHERE l.station = a.station AND a.serial_value BETWEEN l.first_value AND "
			      "l.last_value)"),
		     0, "a board's serial from another station's lease");
	cr_expect_eq(pg_count("SELECT count(*) FROM serial_conflicts"), 0);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE result = 'pass' AND NOT EXISTS (SELECT 1 "
			      "FROM steps s WHERE s.attempt_id = a.id AND s.step = 'verify' AND s.result = 'pass')"),
		     0, "a pass without verify");
	unused = pg_count("SELECT 24 - count(*) FROM lease_bindings WHERE station = 'line-a'");
	argv_a[3] = "2";
	expect_ok(itest_run(&env, BENCH_A, argv_a, 120), "a later run of station A");
	cr_expect_eq(pg_count("SELECT count(*) FROM leases WHERE station = 'line-a'"), unused >= 2 ? 3 : 4,
		     "what was left of the leases is used first");
	cr_expect_eq(pg_count("SELECT count(*) FROM serials"), pg_count("SELECT count(DISTINCT uid) FROM serials"));
	expect_every_board_traceable(42);
}

/*
 * A station with serial.lease = 8 killed with -9 mid-run, then run again:
 * the boards it left are programmed once, a board interrupted after its
 * binding keeps that serial (the central database is asked first), the
 * values it left unused are used before a new lease, and every leased
 * value is bound at most once.
 */
Test(run_pg, a_station_with_a_lease_killed_with_9_then_restarted_binds_every_board_once, .fini = pg_down)
{
	char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "40", "--db", env.db, "--plain", "--batch", "kill", NULL };
	pid_t pid;

	pg_up();
	itest_path(prof, sizeof(prof), &env, PROFILE_LEASE);
	pid = itest_spawn(&env, BENCH_A, argv);
	cr_assert(pid > 0);
	pg_wait_passes(pid, 8);
	kill(pid, SIGKILL);
	cr_expect_eq(itest_wait(pid, 30), 128 + SIGKILL);
	pg_finish_run(PROFILE_LEASE);
	pg_expect_exactly_once();
	cr_expect_eq(pg_count("SELECT count(*) FROM serials"), pg_count("SELECT count(*) FROM lease_bindings"),
		     "a serial bound outside the lease");
	cr_expect_eq(pg_count("SELECT count(*) FROM serials s WHERE NOT EXISTS (SELECT 1 FROM leases l WHERE "
			      "s.value BETWEEN l.first_value AND l.last_value)"),
		     0);
	cr_expect_leq(pg_count("SELECT sum(last_value - first_value + 1) FROM leases") -
			      pg_count("SELECT count(*) FROM lease_bindings"),
		      8, "more values left unused than one lease holds");
	cr_expect_eq(pg_count("SELECT count(*) FROM serial_conflicts"), 0);
}

/*
 * A pool of three values leased two at a time: the fourth board finds
 * nothing left to lease, fails before it is programmed, and the slots
 * stop (exit 1), as with an exhausted pool without a lease.
 */
Test(run_pg, a_pool_with_nothing_left_to_lease_stops_the_board_before_programming, .fini = pg_down)
{
	pg_up();
	cr_assert_eq(itest_run_profile(&env, BENCH_A, "tests/fixtures/profiles/run-tiny-lease.cfg", "5", "tiny", NULL,
				       90),
		     1);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE result = 'pass'"), 3);
	cr_expect_eq(pg_count("SELECT count(*) FROM serials"), 3, "no 4th serial");
	cr_expect_eq(pg_count("SELECT count(*) FROM leases"), 2);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE error_class = 'serial'"), 1);
	cr_expect_eq(pg_count("SELECT count(*) FROM steps s JOIN attempts a ON a.id = s.attempt_id "
			      "WHERE a.error_class = 'serial' AND s.step = 'program'"),
		     0, "a board without a serial was programmed");
	cr_expect_eq(itest_count(env.out, "FAIL serial pool 'tiny' is exhausted — stop and ask the engineer"), 1);
}

/*
 * Data pools and scans on the central database, run by a station login
 * role: the engineer imports the list, the station creates the mac pool,
 * takes, writes and burns values and binds labels; it may not void a
 * value nor import or delete list values.
 */
Test(run_pg, a_station_role_takes_data_values_and_binds_labels_but_cannot_void_or_import, .fini = pg_down)
{
	static const char *const refused[] = { "UPDATE data_allocs SET state = 'void'", "DELETE FROM data_values",
					       "INSERT INTO data_values VALUES ('keys', 9, '00', 'x')",
					       "UPDATE data_pools SET size = 99", "DELETE FROM scans" };
	const char *upgrade[] = { "db", "upgrade", "--db", env.db, NULL };
	char station[256], state[16], none[8], keys[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], text[1024];
	const char *import[] = { "pool", "import", "keys", keys, "--secret", "--db", env.db, NULL };
	const char *run[] = { "run", prof, "--boards", "2", "--db", station, "--plain", NULL };

	pg_up();
	expect_ok(itest_run(&env, BENCH_TWO, upgrade, 60), "gang db upgrade (the engineer)");
	cr_assert(itest_write(keys, sizeof(keys), &env, "keys.txt", "k-0001\nk-0002\nk-0003\n"));
	expect_ok(itest_run(&env, BENCH_TWO, import, 60), "gang pool import (the engineer)");
	cr_assert_eq(pgserver_sql(none, sizeof(none), &srv, "line", "CREATE ROLE line3 LOGIN IN ROLE gang_station"), 0,
		     "%s", srv.err);
	snprintf(station, sizeof(station), "host=%s dbname=line user=line3", srv.dir);
	snprintf(text, sizeof(text),
		 "name = \"pgdata\";\ntarget = \"STM32F103RC\";\nimage = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		 "erase = \"mass\";\nverify = \"crc\";\nretries = 0;\n"
		 "serial = { pool = \"pgd\"; address = 0x0803F800; format = \"u32le\"; start = 1; end = 99; };\n"
		 "data = ( { pool = \"mac\"; address = 0x0803F810; format = \"mac\"; byte_order = \"msb-first\"; "
		 "start = \"00:80:E1:00:00:00\"; end = \"00:80:E1:00:00:FF\"; },\n"
		 "{ pool = \"keys\"; address = 0x0803F820; format = \"list\"; length = 8; secret = true; } );\n"
		 "scan = { pattern = \"^PCB-[0-9]{8}$\"; };\n", env.root);
	cr_assert(itest_write(prof, sizeof(prof), &env, "pgdata.cfg", text));
	cr_assert(itest_write(env.in, sizeof(env.in), &env, "scans.txt", "PCB-00000001\nPCB-00000002\n"));
	expect_ok(itest_run(&env, BENCH_TWO, run, 90), "gang run as line3");
	env.in[0] = '\0';
	cr_expect_eq(pg_count("SELECT count(*) FROM data_allocs WHERE state = 'burned'"), 4);
	cr_expect_eq(pg_count("SELECT count(*) FROM scans"), 2);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		pg_as_station(state, sizeof(state), station, refused[i]);
		cr_expect_str_eq(state, "42501", "line3 may: %s", refused[i]);
	}
	cr_expect_eq(pg_count("SELECT count(*) FROM data_allocs WHERE state = 'burned'"), 4, "history changed");
}
