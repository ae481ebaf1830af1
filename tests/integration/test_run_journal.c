/*
 * test_run_journal.c — a station's journal on the central PostgreSQL
 * database (issue 14; src/db/journal.h, src/db/pg/pg_journal.c), end to
 * end against a private server (tests/lib/pgserver.h): with serial.lease
 * the run goes on while the server is stopped and started again, and every
 * record is delivered exactly once; a lease used up while the server is
 * down stops the slots before programming with the operator's sentence; a
 * station killed with -9 in the middle of delivering delivers every record
 * once after its restart; two stations, one offline, bind the same board:
 * the first binding is kept and the conflict listed by the reports. Rows
 * are counted centrally and in the journal file to prove exactly-once.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_lease.h"
#include "itest.h"
#include "pgserver.h"
#include "serial/serial_alloc.h"

#define PROFILE_LEASE "tests/fixtures/profiles/run-lease.cfg"
#define PROFILE_BIG "tests/fixtures/profiles/run-lease-big.cfg"
#define PROFILE_BASIC "tests/fixtures/profiles/run-basic.cfg"
#define PROFILE_LEASE_MAC "tests/fixtures/profiles/run-lease-mac.cfg"
#define BENCH_TWO "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_A "tests/fixtures/benches/run-quad10.cfg"
#define SENTENCE "the central database is unreachable and this station's serial lease is used up"
#define SENTENCE_DATA "the central database is unreachable and this board's data values or scanned label can only come from it"

ITEST_SUITE(run_journal, 300);
static pgserver srv;
static char journal[ITEST_PATH_MAX];

static void jr_up(void)
{
	if (!pgserver_available(NULL))
		cr_skip_test("no PostgreSQL server programs in %s (tools/install-deps installs them)", PGSERVER_BINDIR);
	cr_assert_eq(pgserver_start(&srv, NULL), 0, "%s", srv.err);
	cr_assert_eq(pgserver_createdb(&srv, "line"), 0, "%s", srv.err);
	pgserver_uri(env.db, sizeof(env.db), &srv, "line");
	snprintf(journal, sizeof(journal), "%s/journal.db", env.dir);
}

static void jr_down(void)
{
	pgserver_stop(&srv);
}

static long pg_count(const char *sql)
{
	char out[64];

	cr_assert_eq(pgserver_sql(out, sizeof(out), &srv, "line", sql), 0, "%s", srv.err);
	return strtol(out, NULL, 10);
}

/* One integer from the journal file (read-only; the station may be writing it): -1 when unreadable. */
static long jr_count(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (sqlite3_open_v2(journal, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void expect_ok(int rc, const char *what)
{
	char *err = itest_slurp(env.err, NULL);

	cr_expect_eq(rc, 0, "%s: exit %d; stderr: %s", what, rc, err ? err : "");
	free(err);
}

/* Wait while pid runs until the central database holds at least n passes. */
static void jr_wait_passes(pid_t pid, long n)
{
	long passes = 0;
	int status;

	for (int i = 0; i < 900 && passes < n && waitpid(pid, &status, WNOHANG) == 0; i++) {
		char out[32];

		usleep(100000);
		if (pgserver_sql(out, sizeof(out), &srv, "line", "SELECT count(*) FROM attempts WHERE result = 'pass'") == 0)
			passes = strtol(out, NULL, 10);
	}
	cr_assert_geq(passes, n, "only %ld passes before the fault", passes);
}

/* Wait (at most timeout_s) until the journal holds at least n records waiting for delivery. */
static long jr_wait_pending(long n, double timeout_s)
{
	long pending = 0;

	for (int i = 0; i < (int)(timeout_s * 10) && pending < n; i++) {
		usleep(100000);
		pending = jr_count("SELECT count(*) FROM records WHERE state = 0");
	}
	return pending;
}

static pid_t jr_spawn(const char *profile, const char *boards, const char *station)
{
	static char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", boards, "--db", env.db, "--plain", "--batch", "journal",
			       "--station", station, "--journal", journal, NULL };

	itest_path(prof, sizeof(prof), &env, profile);
	return itest_spawn(&env, BENCH_A, argv);
}

/*
 * Central rows against the journal: every record delivered exactly once
 * (one journal_deliveries row each, none pending or refused), as many
 * attempts and steps of the station as the journal began and recorded,
 * every attempt closed, no pass without verify, no board twice, no serial
 * twice, each from the station's lease.
 */
static void jr_expect_delivered_once(const char *station, bool leased)
{
	char sql[512];

	cr_expect_eq(jr_count("SELECT count(*) FROM records WHERE state = 0"), 0, "records still pending");
	cr_expect_eq(jr_count("SELECT count(*) FROM records WHERE state = 2"), 0, "records refused");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM journal_deliveries WHERE station = '%s'", station);
	cr_expect_eq(pg_count(sql), jr_count("SELECT count(*) FROM records"), "journal_deliveries vs journal");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM attempts WHERE station = '%s'", station);
	cr_expect_eq(pg_count(sql), jr_count("SELECT count(*) FROM records WHERE kind = 1"), "attempts vs journal");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM steps s JOIN attempts a ON a.id = s.attempt_id WHERE "
		 "a.station = '%s'", station);
	cr_expect_eq(pg_count(sql), jr_count("SELECT count(*) FROM records WHERE kind = 4"), "steps vs journal");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 0);
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE result = 'pass' AND NOT EXISTS (SELECT 1 "
			      "FROM steps s WHERE s.attempt_id = a.id AND s.step = 'verify' AND s.result = 'pass')"),
		     0, "a pass without verify");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts WHERE result = 'pass'"),
		     pg_count("SELECT count(DISTINCT uid) FROM attempts WHERE result = 'pass'"), "a board passed twice");
	cr_expect_eq(pg_count("SELECT count(*) FROM serials"), pg_count("SELECT count(DISTINCT uid) FROM serials"),
		     "a board got a second serial");
	if (leased)
		cr_expect_eq(pg_count("SELECT count(*) FROM serials"), pg_count("SELECT count(*) FROM lease_bindings"),
			     "a serial bound outside the lease");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE result = 'pass' AND serial_value IS DISTINCT FROM "
			      "(SELECT value FROM serials s WHERE s.uid = a.uid)"),
		     0, "a pass with another serial than its board's");
	cr_expect_eq(pg_count("SELECT count(*) FROM serial_conflicts"), 0);
}

/*
 * The run after the restart finishes the 40 boards: the bench's four
 * boards in place plus those the journal saw are done, the rest (at
 * least one) go to this run, which must exit 0 and leave every record
 * delivered once.
 */
static void jr_finish_after_restart(const char *profile, const char *station, bool leased, const char *what)
{
	long seen = jr_count("SELECT count(DISTINCT s0) FROM records WHERE kind = 2") + 4;
	char left[24];

	snprintf(left, sizeof(left), "%ld", seen < 40 ? 40 - seen : 1);
	expect_ok(itest_wait(jr_spawn(profile, left, station), 180), what);
	jr_expect_delivered_once(station, leased);
}

/*
 * serial.lease = 64 and 40 boards: the server stopped after 8 passes and
 * started again 3 s later. The run never stops: the records made
 * meanwhile wait in the journal, are delivered once the server is back,
 * and the run ends with every board passed once and nothing pending.
 */
Test(run_journal, the_server_stopped_and_started_mid_run_the_leased_run_goes_on_and_delivers_each_record_once,
     .fini = jr_down)
{
	long pending;
	pid_t pid;

	jr_up();
	pid = jr_spawn(PROFILE_BIG, "40", "line-j");
	cr_assert(pid > 0);
	jr_wait_passes(pid, 8);
	cr_assert_eq(pgserver_halt(&srv), 0, "%s", srv.err);
	pending = jr_wait_pending(20, 30);
	cr_expect_geq(pending, 20, "the station went on offline: %ld records waiting", pending);
	cr_assert_eq(pgserver_resume(&srv), 0, "%s", srv.err);
	expect_ok(itest_wait(pid, 180), "the run across the server's restart");
	cr_expect_eq(pg_count("SELECT count(DISTINCT uid) FROM attempts WHERE result = 'pass'"), 40);
	cr_expect_eq(pg_count("SELECT count(*) FROM serials WHERE state = 'burned'"), 40);
	jr_expect_delivered_once("line-j", true);
	cr_expect_eq(itest_count(env.err, "for the central database; the next gang run"), 0,
		     "the run ended with records pending");
}

/*
 * serial.lease = 8, the server stopped after 2 passes: the station binds
 * what is left of its lease offline, then each slot stops before
 * programming with the operator's sentence (exit 1); every board it
 * programmed has a serial from the lease in the journal. After the
 * server's restart the next run delivers the journal first and finishes.
 */
Test(run_journal, a_lease_used_up_while_the_server_is_down_stops_the_slot_before_programming, .fini = jr_down)
{
	const char *pending[] = { "db", "pending", "--journal", journal, NULL };
	pid_t pid;

	jr_up();
	pid = jr_spawn(PROFILE_LEASE, "40", "line-u");
	cr_assert(pid > 0);
	jr_wait_passes(pid, 2);
	cr_assert_eq(pgserver_halt(&srv), 0, "%s", srv.err);
	cr_expect_eq(itest_wait(pid, 90), 1, "the slots stop as for an exhausted pool");
	cr_expect_geq(itest_count(env.out, SENTENCE), 1, "the operator's sentence");
	cr_expect_geq(jr_count("SELECT count(*) FROM records WHERE state = 0"), 1, "nothing offline");
	cr_expect_eq(jr_count("SELECT count(*) FROM records p WHERE p.kind = 4 AND p.s0 = 'program' AND NOT EXISTS "
			      "(SELECT 1 FROM records b WHERE b.attempt_seq = p.attempt_seq AND b.kind IN (7, 8))"),
		     0, "a board programmed without a serial");
	cr_expect_leq(jr_count("SELECT count(*) FROM records WHERE kind IN (7, 8)"), 8, "more serials than the lease");
	cr_expect_eq(itest_count(env.err, "for the central database; the next gang run"), 1, "the run's last word");
	cr_expect_eq(itest_run(&env, BENCH_TWO, pending, 30), 1, "gang db pending: records wait");
	cr_expect_geq(itest_count(env.out, "waiting for delivery, 0 delivered") +
			      itest_count(env.out, "waiting for delivery,"), 1);
	cr_assert_eq(pgserver_resume(&srv), 0, "%s", srv.err);
	jr_finish_after_restart(PROFILE_LEASE, "line-u", true, "the run after the restart");
	expect_ok(itest_run(&env, BENCH_TWO, pending, 30), "gang db pending: nothing waits");
	cr_expect_eq(pg_count("SELECT count(*) FROM steps s JOIN attempts a ON a.id = s.attempt_id WHERE "
			      "a.serial_value IS NULL AND s.step = 'program'"),
		     0, "a board programmed without a serial");
}

/*
 * A serial lease and a MAC address from a data pool: the lease covers the
 * serials only, so with the server stopped the slots stop before
 * programming the next board (exit 1), the operator hears why and the
 * detail names the pool; no board was programmed without its MAC. After
 * the restart the next run delivers the journal and finishes the boards.
 */
Test(run_journal, a_data_pool_stops_a_leased_station_while_the_server_is_away, .fini = jr_down)
{
	pid_t pid;

	jr_up();
	pid = jr_spawn(PROFILE_LEASE_MAC, "40", "line-m");
	cr_assert(pid > 0);
	jr_wait_passes(pid, 2);
	cr_assert_eq(pgserver_halt(&srv), 0, "%s", srv.err);
	cr_expect_eq(itest_wait(pid, 90), 1, "the slots stop, as for a lease used up");
	cr_expect_geq(itest_count(env.out, SENTENCE_DATA), 1, "the operator's sentence");
	cr_expect_geq(itest_count(env.err, "data pool 'mac' needs the central database"), 1, "the pool named");
	cr_expect_eq(itest_count(env.out, SENTENCE), 0, "the lease is not what ran out");
	cr_expect_geq(jr_count("SELECT count(*) FROM records WHERE kind = 4 AND s0 = 'data' AND n0 = 0"), 2,
		      "the passes before the stop took their MAC");
	cr_expect_eq(jr_count("SELECT count(*) FROM records p WHERE p.kind = 4 AND p.s0 = 'program' AND NOT EXISTS "
			      "(SELECT 1 FROM records b WHERE b.attempt_seq = p.attempt_seq AND b.kind = 4 AND "
			      "b.s0 = 'data' AND b.n0 = 0)"),
		     0, "a board programmed without its MAC");
	cr_assert_eq(pgserver_resume(&srv), 0, "%s", srv.err);
	jr_finish_after_restart(PROFILE_LEASE_MAC, "line-m", true, "the run after the restart");
	cr_expect_eq(pg_count("SELECT count(*) FROM attempts a WHERE result = 'pass' AND NOT EXISTS (SELECT 1 FROM "
			      "data_allocs v WHERE v.uid = a.uid AND v.state = 'burned')"),
		     0, "a pass without its burned MAC");
}

/*
 * --journal without a lease: a board is still never programmed unless its
 * serial is committed centrally. The server stopped mid-run stops the
 * slots (exit 4) before a board without a serial is programmed; the
 * records made meanwhile (the attempts begun, their failure) are
 * delivered by the run after the restart, which finishes the boards.
 */
Test(run_journal, without_a_lease_a_journaled_station_never_programs_a_board_without_a_central_serial,
     .fini = jr_down)
{
	pid_t pid;

	jr_up();
	pid = jr_spawn(PROFILE_BASIC, "40", "line-n");
	cr_assert(pid > 0);
	jr_wait_passes(pid, 8);
	cr_assert_eq(pgserver_halt(&srv), 0, "%s", srv.err);
	cr_expect_eq(itest_wait(pid, 90), 4, "a run without its database exits 4");
	cr_assert_eq(pgserver_resume(&srv), 0, "%s", srv.err);
	jr_finish_after_restart(PROFILE_BASIC, "line-n", false, "the run after the restart");
	cr_expect_eq(pg_count("SELECT count(*) FROM steps s JOIN attempts a ON a.id = s.attempt_id WHERE "
			      "a.serial_value IS NULL AND s.step = 'program'"),
		     0, "a board programmed without a committed serial");
	cr_expect_eq(pg_count("SELECT count(*) FROM leases"), 0);
}

/*
 * Records pile up while the server is down; it comes back and the
 * station is killed with -9 while it delivers them. Its next run delivers
 * the rest first (a record whose COMMIT came before the kill is not
 * applied twice) and every attempt, step and binding is central once.
 */
Test(run_journal, a_station_killed_with_9_mid_delivery_then_restarted_delivers_every_record_once, .fini = jr_down)
{
	long before, now = 0, done0, done = 0;
	pid_t pid;

	jr_up();
	pid = jr_spawn(PROFILE_BIG, "40", "line-k");
	cr_assert(pid > 0);
	jr_wait_passes(pid, 4);
	before = pg_count("SELECT count(*) FROM journal_deliveries");
	cr_assert_eq(pgserver_halt(&srv), 0, "%s", srv.err);
	cr_expect_geq(jr_wait_pending(120, 60), 120, "records waiting");
	done0 = jr_count("SELECT count(*) FROM records WHERE state <> 0");
	cr_assert_eq(pgserver_resume(&srv), 0, "%s", srv.err);
	/*
	 * The kill lands as the journal marks its first delivered batch (a
	 * local read, quicker than asking the server), with seven more batches
	 * of the 120 records still to go (batches double from one record after
	 * a failure, up to 32: 1, 2, 4, 8, 16, 32, 32, 25).
	 */
	for (int i = 0; i < 40000 && done <= done0; i++) {
		usleep(500);
		done = jr_count("SELECT count(*) FROM records WHERE state <> 0");
	}
	kill(pid, SIGKILL);
	cr_expect_eq(itest_wait(pid, 30), 128 + SIGKILL);
	now = pg_count("SELECT count(*) FROM journal_deliveries");
	cr_expect_gt(now, before, "killed before any delivery");
	cr_expect_gt(jr_count("SELECT count(*) FROM records WHERE state = 0"), 0, "killed after the last delivery");
	jr_finish_after_restart(PROFILE_BIG, "line-k", true, "the run after the kill");
}

/* Open db with a journal for station (as gang run does: journal, then recover) and a worker handle. */
static void jr_station_open(gang_db **main_out, gang_db **worker_out, const char *path, const char *station)
{
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_open(main_out, env.db, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(*main_out, "itest", 5000, 999999, "u32le", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_journal_open(*main_out, path, station, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_recover(*main_out, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_open_worker(worker_out, *main_out, &d), GANG_OK, "%s", d.msg);
}

/* One board through the worker: begun, identified, a lease value bound, passed. */
static gang_lease_bound jr_board(gang_db *w, const char *station, const char *uid, int64_t value)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "run-lease", .station = station };
	gang_attempt_target t = { .uid = uid, .rdp_before = -1 };
	gang_lease_binding b = { .station = station, .pool = "itest", .uid = uid, .value = value, .online = true };
	gang_attempt_key k;
	gang_lease_bound out;
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_attempt_begin(&k, w, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(w, &k, &t, &d), GANG_OK, "%s", d.msg);
	b.attempt = &k;
	cr_assert_eq(gang_db_lease_bind(&out, w, &b, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(w, &k, "verify", GANG_STEP_PASS, 5, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(w, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	return out;
}

#define JR_UID "0123456789ABCDEF01234599"

/*
 * Station line-b takes its lease, loses the server and binds board UID
 * offline (in its journal). Meanwhile line-a, online, binds the same board
 * (reworked at a second station). When line-b runs again its offline
 * binding is delivered: line-a's binding is kept, the conflict recorded
 * with both stations and values, and the text, JSON, CSV and HTML reports
 * list it.
 */
Test(run_journal, an_offline_binding_delivered_after_another_stations_keeps_the_first_and_reports_list_the_conflict,
     .fini = jr_down)
{
	static const char *const fmts[] = { "text", "json", "csv", "html" };
	static const char *const says[] = { "serial conflicts: boards bound at two stations", "\"serial_conflicts\":[{",
					     "serial_conflict,1,other_station,line-b", "<h2 id=\"serial-conflicts\">" };
	gang_db *bm = NULL, *bw = NULL, *am = NULL, *aw = NULL;
	char path_b[ITEST_PATH_MAX], path_a[ITEST_PATH_MAX];
	gang_db_lease lb, la;
	gang_lease_bound got;
	gang_diag d = { 0 };

	jr_up();
	snprintf(path_b, sizeof(path_b), "%s/journal-b.db", env.dir);
	snprintf(path_a, sizeof(path_a), "%s/journal-a.db", env.dir);
	jr_station_open(&bm, &bw, path_b, "line-b");
	cr_assert_eq(gang_db_lease_take(&lb, bm, "line-b", "itest", 4, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(pgserver_halt(&srv), 0, "%s", srv.err);
	got = jr_board(bw, "line-b", JR_UID, lb.first);
	cr_expect_eq(got.outcome, GANG_LEASE_BOUND);
	cr_expect_eq(got.value, lb.first, "offline, the station binds its own lease's value");
	gang_db_close(bw);
	gang_db_close(bm);
	cr_assert_eq(pgserver_resume(&srv), 0, "%s", srv.err);
	cr_expect_eq(pg_count("SELECT count(*) FROM lease_bindings"), 0, "line-b's binding is still in its journal");

	jr_station_open(&am, &aw, path_a, "line-a");
	cr_assert_eq(gang_db_lease_take(&la, am, "line-a", "itest", 4, &d), GANG_OK, "%s", d.msg);
	got = jr_board(aw, "line-a", JR_UID, la.first);
	cr_expect_eq(got.outcome, GANG_LEASE_BOUND);
	gang_db_close(aw);
	gang_db_close(am);

	jr_station_open(&bm, &bw, path_b, "line-b");   /* delivers line-b's journal first */
	gang_db_close(bw);
	gang_db_close(bm);
	cr_expect_eq(pg_count("SELECT count(*) FROM serial_conflicts WHERE kept_station = 'line-a' AND other_station = "
			      "'line-b'"), 1);
	cr_expect_eq(pg_count("SELECT count(*) FROM serials WHERE uid = '" JR_UID "' AND state <> 'void'"), 1);
	cr_expect_eq(pg_count("SELECT count(*) FROM journal_deliveries WHERE refusal IS NOT NULL"), 0);
	/* back online, line-b asks the central database first: the board keeps line-a's serial */
	jr_station_open(&bm, &bw, path_b, "line-b");
	got = jr_board(bw, "line-b", JR_UID, lb.first + 1);
	cr_expect_eq(got.outcome, GANG_LEASE_EXISTING);
	cr_expect_eq(got.value, la.first);
	gang_db_close(bw);
	gang_db_close(bm);
	cr_expect_eq(pg_count("SELECT count(*) FROM serial_conflicts"), 1, "no second conflict");
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		const char *report[] = { "report", "--db", env.db, "--format", fmts[i], NULL };
		char *out;

		FILE *fp = fopen(env.out, "w");   /* this report's output only */

		cr_assert_not_null(fp);
		fclose(fp);
		expect_ok(itest_run(&env, BENCH_TWO, report, 60), fmts[i]);
		out = itest_slurp(env.out, NULL);
		cr_assert_not_null(out);
		cr_expect_not_null(strstr(out, JR_UID), "%s report: %s", fmts[i], out);
		cr_expect_not_null(strstr(out, says[i]), "%s report: %s", fmts[i], out);
		free(out);
	}
}

/* A journal belongs with the central database: on an SQLite file --journal is refused before any board. */
Test(run_journal, a_journal_on_an_sqlite_database_is_refused_before_any_board)
{
	char prof[ITEST_PATH_MAX], path[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "1", "--db", env.db, "--plain", "--journal", path, NULL };

	itest_path(prof, sizeof(prof), &env, PROFILE_BASIC);
	snprintf(path, sizeof(path), "%s/journal.db", env.dir);
	cr_expect_eq(itest_run(&env, BENCH_TWO, argv, 60), 2);
	cr_expect_geq(itest_count(env.err, "--journal belongs with the central PostgreSQL database"), 1);
	cr_expect_neq(access(path, F_OK), 0, "no journal made");
}

/*
 * The delivery's session (application_name gang-delivery) is ended by the
 * server again and again, idle or in the middle of a transaction or its
 * COMMIT, while a leased run programs 40 boards: the worker reconnects and
 * delivers on, a record whose COMMIT came before the cut is not applied
 * twice, and the run ends with every record central once.
 */
Test(run_journal, the_delivery_session_cut_again_and_again_still_delivers_each_record_once, .fini = jr_down)
{
	int kills = 0, status = 0;
	pid_t pid;

	jr_up();
	pid = jr_spawn(PROFILE_BIG, "40", "line-c");
	cr_assert(pid > 0);
	for (int i = 0; i < 1200 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		char out[32];

		usleep(50000);
		if (pgserver_sql(out, sizeof(out), &srv, "line",
				 "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'line' "
				 "AND application_name = 'gang-delivery'") == 0)
			kills += atoi(out);
	}
	cr_assert(WIFEXITED(status), "the run did not end");
	cr_expect_eq(WEXITSTATUS(status), 0, "the run's exit");
	cr_expect_geq(kills, 3, "only %d delivery sessions ended", kills);
	cr_expect_eq(pg_count("SELECT count(DISTINCT uid) FROM attempts WHERE result = 'pass'"), 40);
	jr_expect_delivered_once("line-c", true);
}
