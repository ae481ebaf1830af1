/*
 * test_pg_open.c — what only the PostgreSQL backend (src/db/pg/) does,
 * against the test binary's private server (tests/lib/pgserver.h):
 * migrations on open (once, even when stations open a new database
 * together; older, newer and missing schemas refused), a URI's password
 * never in a message, a lock held past the wait named as such, a session
 * the server ended replaced (an op whose transaction was cut retried once),
 * one that cannot be made again named as such, least-privilege roles, a run as a session advisory lock, read-only handles, and
 * attempt numbers of one station never shared between connections.
 * The behaviour both backends share is the conformance suite's
 * (test_fixture.h).
 */
#include <criterion/criterion.h>

#ifdef GANG_WITH_PG
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_report.h"
#include "db/db_testing.h"
#include "pgserver.h"
#include "serial/serial_alloc.h"

/* The number of PostgreSQL migrations (db/migrations/pg/), and the next one's. */
#define PGT_NEWEST "11"
#define PGT_AFTER "12"
#define PGT_THREADS 8
#define PGT_PER_THREAD 25

static pgserver pgt_srv;
static char pgt_uri[256];
static char pgt_name[32];

static void pgt_setup(void)
{
	if (pgserver_shared(&pgt_srv) != 0) {
		if (!pgserver_available(NULL))
			cr_skip_test("%s", pgt_srv.err);
		cr_assert_fail("%s", pgt_srv.err);
	}
	snprintf(pgt_name, sizeof(pgt_name), "o%ld", (long)getpid());
	cr_assert_eq(pgserver_createdb(&pgt_srv, pgt_name), 0, "%s", pgt_srv.err);
	pgserver_uri(pgt_uri, sizeof(pgt_uri), &pgt_srv, pgt_name);
}

TestSuite(db_pg, .init = pgt_setup, .timeout = 60);

static gang_db *pgt_open(int flags)
{
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cr_assert_eq(gang_db_open(&db, pgt_uri, flags, &d), GANG_OK, "%s", d.msg);
	return db;
}

static void pgt_sql(char *out, size_t cap, const char *sql)
{
	cr_assert_eq(pgserver_sql(out, cap, &pgt_srv, pgt_name, sql), 0, "%s", pgt_srv.err);
}

/* A libpq session of the test's own (to hold locks the backend must wait for). */
static PGconn *pgt_conn(void)
{
	PGconn *c = PQconnectdb(pgt_uri);

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	return c;
}

static void pgt_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
		  PQresultErrorMessage(r));
	PQclear(r);
}

Test(db_pg, a_new_database_gets_the_schema_once_and_reopening_applies_nothing)
{
	char out[256];
	gang_db *db = pgt_open(GANG_DB_CREATE);

	gang_db_close(db);
	db = pgt_open(0);
	gang_db_close(db);
	pgt_sql(out, sizeof(out), "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version");
	cr_expect_str_eq(out, "1,2,3,4,5,6,7,8,9,10," PGT_NEWEST);
	pgt_sql(out, sizeof(out), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
	cr_expect_str_eq(out, "17", "boards, attempts, steps, serial_pools, serials, sightings, slot_map, probes, "
				    "schema_version, leases, lease_bindings, serial_conflicts, data_pools, data_values, "
				    "data_allocs, scans, journal_deliveries: %s", out);
}

static void *pgt_open_thread(void *arg)
{
	gang_diag d = { 0 };
	gang_db *db = NULL;

	*(int *)arg = gang_db_open(&db, pgt_uri, GANG_DB_CREATE, &d);
	if (*(int *)arg != GANG_OK)
		cr_log_error("%s", d.msg);
	gang_db_close(db);
	return NULL;
}

Test(db_pg, stations_opening_a_new_database_together_migrate_it_once)
{
	pthread_t t[PGT_THREADS];
	int rc[PGT_THREADS];
	char out[64];

	for (int i = 0; i < PGT_THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, pgt_open_thread, &rc[i]), 0);
	for (int i = 0; i < PGT_THREADS; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(rc[i], GANG_OK, "opener %d failed", i);
	}
	pgt_sql(out, sizeof(out), "SELECT count(*) FROM schema_version");
	cr_expect_str_eq(out, PGT_NEWEST);
}

Test(db_pg, a_database_without_the_schema_newer_or_older_ones_are_refused_by_version)
{
	gang_diag d = { 0 };
	gang_db *db = (gang_db *)&d;
	char out[64];

	cr_expect_eq(gang_db_open(&db, pgt_uri, GANG_DB_READONLY, &d), GANG_EDB);
	cr_expect_null(db);
	cr_expect_not_null(strstr(d.msg, "has no gang schema yet"), "%s", d.msg);
	gang_db_close(pgt_open(0));   /* `gang db upgrade` on the empty database the engineer made */
	pgt_sql(out, sizeof(out), "SELECT count(*) FROM schema_version");
	cr_expect_str_eq(out, PGT_NEWEST);
	pgt_sql(out, sizeof(out), "INSERT INTO schema_version VALUES (" PGT_AFTER ", 'x')");
	cr_expect_eq(gang_db_open(&db, pgt_uri, 0, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "schema version " PGT_AFTER " is newer than this gang (" PGT_NEWEST ")"), "%s",
			   d.msg);
	pgt_sql(out, sizeof(out), "DELETE FROM schema_version");
	cr_expect_eq(gang_db_open(&db, pgt_uri, GANG_DB_READONLY, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "has no gang schema yet"), "%s", d.msg);
}

Test(db_pg, a_password_in_the_uri_never_reaches_a_message)
{
	static const char *const fmt[] = { "postgresql://gang_admin:s3cret@/no_such_db?host=%s",
					   "postgresql://gang_admin:s3cret%%zz@/x?host=%s",
					   "postgres://gang_admin:s3cret@/x?host=%s&no_such_option=1",
					   "postgresql:///no_such_db?password=s3cret&host=%s",
					   "postgresql:///no_such_db?host=%s&password=s3cret" };
	char uri[256];
	gang_diag d = { 0 };
	gang_db *db;

	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		snprintf(uri, sizeof(uri), fmt[i], pgt_srv.dir);
		cr_expect_eq(gang_db_open(&db, uri, GANG_DB_CREATE, &d), GANG_EDB, "%s", uri);
		cr_expect_null(db);
		cr_expect_not_null(strstr(d.msg, "cannot connect to database postgres"), "%s", d.msg);
		cr_expect_null(strstr(d.msg, "s3cret"), "a password in a message: %s", d.msg);
	}
}

Test(db_pg, a_keyword_value_connection_string_opens_and_its_password_never_reaches_a_message)
{
	char kv[256], out[64];
	gang_diag d = { 0 };
	gang_db *db = NULL;

	snprintf(kv, sizeof(kv), "host=%s dbname=%s user=%s", pgt_srv.dir, pgt_name, PGSERVER_SUPERUSER);
	cr_assert_eq(gang_db_open(&db, kv, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(gang_db_path(db), kv);
	gang_db_close(db);
	pgt_sql(out, sizeof(out), "SELECT count(*) > 0 FROM schema_version");
	cr_expect_str_eq(out, "t");
	snprintf(kv, sizeof(kv), "host=%s dbname=no_such_db user=%s password='s3cret'", pgt_srv.dir,
		 PGSERVER_SUPERUSER);
	cr_expect_eq(gang_db_open(&db, kv, 0, &d), GANG_EDB);
	cr_expect_null(db);
	cr_expect_not_null(strstr(d.msg, "cannot connect to database host="), "%s", d.msg);
	cr_expect_not_null(strstr(d.msg, "password=…"), "%s", d.msg);
	cr_expect_null(strstr(d.msg, "s3cret"), "a password in a message: %s", d.msg);
}

/* The database's URI for login role user (the schema made first by the superuser). */
static void pgt_station_uri(char *out, size_t cap, const char *user)
{
	char sql[160], none[8];

	gang_db_close(pgt_open(GANG_DB_CREATE));
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE gang_station", user);
	pgt_sql(none, sizeof(none), sql);
	snprintf(out, cap, "host=%s dbname=%s user=%s", pgt_srv.dir, pgt_name, user);
}

/* One whole passing attempt through the store interface, as gang run records it. */
static void pgt_station_pass(gang_db *db, const char *uid)
{
	gang_attempt_info info = { .slot = "S1", .probe_serial = "066DFF485457725187092334", .batch = "B1",
				   .profile_name = "demo-f103", .station = "line-2" };
	gang_attempt_target t = { .uid = uid, .part = "STM32F103RC", .connect_mode = "normal", .rdp_before = 0 };
	gang_attempt_key id;
	gang_diag d = { 0 };
	char label[GANG_DB_LABEL_MAX];
	uint64_t v;

	cr_assert_eq(gang_db_probe_seen(label, sizeof(label), db, "066DFF485457725187092334", "1-1", "V2", "V2J40",
					&d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_board_seen(db, uid, "STM32F103RC", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(db, &id, &t, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_reserve(&v, db, "demo", uid, &id, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_serial_text(db, &id, "GNG-1", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_step(db, &id, "program", GANG_STEP_PASS, 10, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_finish(db, &id, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
}

Test(db_pg, a_station_role_records_a_pass_but_never_deletes_or_rewrites_history)
{
	static const char *const refused[] = {
		"DELETE FROM attempts",
		"DELETE FROM steps",
		"DELETE FROM boards",
		"DELETE FROM serials",
		"UPDATE attempts SET result = 'fail', error_class = 'x' WHERE seq = 1",
		"UPDATE attempts SET station = 'other'",
		"UPDATE steps SET result = 'fail'",
		"UPDATE serials SET state = 'void', voided_at = gang_now(), reason = 'x'",
		"UPDATE serial_pools SET start = 0",
		"DROP TABLE sightings",
		"TRUNCATE attempts",
	};
	char uri[256], out[64];
	gang_diag d = { 0 };
	gang_db *db = NULL;

	snprintf(out, sizeof(out), "st_%s", pgt_name);
	pgt_station_uri(uri, sizeof(uri), out);
	cr_assert_eq(gang_db_open(&db, uri, GANG_DB_RECOVER, &d), GANG_OK, "%s", d.msg);
	pgt_station_pass(db, "0123456789ABCDEF01234567");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		cr_expect_eq(gang_db_test_exec(db, refused[i], &d), GANG_EDB, "the station role may: %s", refused[i]);
		cr_expect(strstr(d.msg, "this role may not do that") || strstr(d.msg, "must be owner"), "%s: %s",
			  refused[i], d.msg);
	}
	cr_expect_eq(gang_serial_void(db, "demo", 1000, "scrapped", &d), GANG_EDB, "a station voided a serial");
	gang_db_close(db);
	pgt_sql(out, sizeof(out), "SELECT result || ' ' || station || ' ' || (SELECT count(*) FROM steps) FROM attempts");
	cr_expect_str_eq(out, "pass line-2 1");
	pgt_sql(out, sizeof(out), "SELECT state FROM serials");
	cr_expect_str_eq(out, "burned");
	pgt_sql(out, sizeof(out), "SELECT tableowner FROM pg_tables WHERE tablename = 'attempts'");
	cr_expect_str_eq(out, "gang_engineer");
}

Test(db_pg, an_engineer_still_corrects_history_and_a_station_cannot_migrate)
{
	char uri[256], out[64];
	gang_diag d = { 0 };
	gang_db *db = NULL;

	snprintf(out, sizeof(out), "st_%s", pgt_name);
	pgt_station_uri(uri, sizeof(uri), out);
	cr_assert_eq(gang_db_open(&db, uri, 0, &d), GANG_OK, "%s", d.msg);
	pgt_station_pass(db, "0123456789ABCDEF01234567");
	gang_db_close(db);
	db = pgt_open(0);   /* the superuser, as gang_engineer is */
	cr_expect_eq(gang_serial_void(db, "demo", 1000, "scrapped", &d), GANG_OK, "%s", d.msg);
	gang_db_close(db);
	pgt_sql(out, sizeof(out), "DELETE FROM schema_version WHERE version = " PGT_NEWEST);
	cr_expect_eq(gang_db_open(&db, uri, 0, &d), GANG_EDB, "a station migrated the schema");
	cr_expect_null(db);
	cr_expect_not_null(strstr(d.msg, "gang db upgrade"), "the fix is named: %s", d.msg);
}

/*
 * Migration 10 on a version-9 history (the column put back as migration 9
 * left it): 0, 1 and NULL stay, the column takes RDP level 0.5 from a
 * station (its column privilege, 0002_roles.sql, survives the new type)
 * and refuses a number that is no RDP level.
 */
Test(db_pg, migration_10_keeps_a_version_9_history_and_a_station_records_rdp_level_0_5)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo-u585", .station = "line-3" };
	gang_attempt_target t = { .uid = "0123456789ABCDEF01234567", .part = "STM32U585AI", .connect_mode = "normal",
				  .rdp_before = GANG_DB_RDP_LEVEL05 };
	char uri[256], out[128];
	gang_attempt_key k;
	gang_diag d = { 0 };
	gang_db *db = NULL;

	snprintf(out, sizeof(out), "st_%s", pgt_name);
	pgt_station_uri(uri, sizeof(uri), out);
	pgt_sql(out, sizeof(out), "ALTER TABLE attempts DROP CONSTRAINT attempts_rdp_before_level; "
				  "ALTER TABLE attempts ALTER COLUMN rdp_before TYPE bigint; "
				  "DELETE FROM schema_version WHERE version >= 10; "
				  "INSERT INTO attempts (slot, profile_name, started_at, station, seq, rdp_before) VALUES "
				  "('S1', 'old', '2026-01-01T00:00:00.000Z', 'line-0', 1, 0), "
				  "('S2', 'old', '2026-01-01T00:00:00.000Z', 'line-0', 2, 1), "
				  "('S3', 'old', '2026-01-01T00:00:00.000Z', 'line-0', 3, NULL)");
	gang_db_close(pgt_open(0));   /* `gang db upgrade`: 10, and 11 again (it may run twice) */
	pgt_sql(out, sizeof(out), "SELECT max(version) FROM schema_version");
	cr_expect_str_eq(out, PGT_NEWEST);
	pgt_sql(out, sizeof(out), "SELECT string_agg(COALESCE(rdp_before::text, '-'), ',' ORDER BY seq) FROM attempts "
				  "WHERE station = 'line-0'");
	cr_expect_str_eq(out, "0,1,-");
	pgt_sql(out, sizeof(out), "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
				  "'attempts'::regclass AND attname = 'rdp_before'");
	cr_expect_str_eq(out, "double precision");
	cr_assert_eq(gang_db_open(&db, uri, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_attempt_identify(db, &k, &t, &d), GANG_OK, "the station may write the column: %s", d.msg);
	gang_db_close(db);
	pgt_sql(out, sizeof(out), "SELECT rdp_before FROM attempts WHERE station = 'line-3'");
	cr_expect_str_eq(out, "0.5");
	pgt_sql(out, sizeof(out), "SELECT count(*) FROM attempts WHERE rdp_before = 0.5");
	cr_expect_str_eq(out, "1");
	cr_expect_neq(pgserver_sql(out, sizeof(out), &pgt_srv, pgt_name,
				   "UPDATE attempts SET rdp_before = 0.25 WHERE station = 'line-0'"), 0, "0.25 is no level");
	cr_expect_not_null(strstr(pgt_srv.err, "attempts_rdp_before_level"), "%s", pgt_srv.err);
	cr_expect_neq(pgserver_sql(out, sizeof(out), &pgt_srv, pgt_name,
				   "UPDATE attempts SET rdp_before = 3 WHERE station = 'line-0'"), 0, "3 is no level");
}

static int pgt_lease_seen(void *user, const gang_db_lease *l, gang_diag *d)
{
	char *out = user;

	(void)d;
	snprintf(out + strlen(out), 256 - strlen(out), "%lld %s %s %lld..%lld used %lld;", (long long)l->id,
		 l->station, l->pool, (long long)l->first, (long long)l->last, (long long)l->used);
	return GANG_OK;
}

Test(db_pg, leases_of_two_stations_are_disjoint_blocks_the_pool_never_hands_out_again)
{
	gang_db *db = pgt_open(GANG_DB_CREATE);
	gang_db_lease a, b, c;
	gang_diag d = { 0 };
	uint64_t v = 0;
	char out[64];

	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1024, "u32le", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&a, db, "line-2", "demo", 10, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&b, db, "line-3", "demo", 10, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(a.first, 1000);
	cr_expect_eq(a.last, 1009);
	cr_expect_eq(b.first, 1010);
	cr_expect_eq(b.last, 1019);
	cr_expect_neq(a.id, b.id);
	cr_assert_eq(gang_serial_reserve(&v, db, "demo", "0123456789ABCDEF01234567", NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(v, 1020, "a reservation after the leases");
	cr_assert_eq(gang_db_lease_take(&c, db, "line-4", "demo", 10, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(c.first, 1021);
	cr_expect_eq(c.last, 1024, "only what is left");
	cr_expect_eq(gang_db_lease_take(&c, db, "line-4", "demo", 10, &d), GANG_ESERIAL_EXHAUSTED);
	cr_expect_eq(gang_db_lease_take(&c, db, "line-4", "nope", 10, &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "no serial pool 'nope'"), "%s", d.msg);
	cr_expect_eq(gang_db_lease_take(&c, db, "line-4", "demo", 0, &d), GANG_ERR);
	pgt_sql(out, sizeof(out), "SELECT count(*) || ' ' || sum(last_value - first_value + 1) FROM leases");
	cr_expect_str_eq(out, "3 24");
	cr_expect_neq(gang_db_test_exec(db, "DELETE FROM leases", &d), GANG_OK, "a lease was deleted");
	cr_expect_neq(gang_db_test_exec(db, "UPDATE leases SET last_value = 2000", &d), GANG_OK, "a range changed");
	gang_db_close(db);
}

Test(db_pg, an_engineer_voids_a_stations_leases_keeping_them_auditable_a_station_cannot)
{
	char uri[256], out[256] = "", user[64];
	gang_db *st = NULL, *eng;
	gang_db_lease a;
	gang_diag d = { 0 };
	int n = -1;

	snprintf(user, sizeof(user), "st_%s", pgt_name);
	pgt_station_uri(uri, sizeof(uri), user);
	cr_assert_eq(gang_db_open(&st, uri, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(st, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&a, st, "line-2", "demo", 10, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&a, st, "line-2", "demo", 5, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_lease_void(&n, st, "line-2", "station scrapped", NULL, NULL, &d), GANG_EDB,
		     "a station voided a lease");
	cr_expect_not_null(strstr(d.msg, "this role may not do that"), "%s", d.msg);
	gang_db_close(st);
	eng = pgt_open(0);
	pgt_sql(out, sizeof(out), "INSERT INTO boards (uid, first_seen, last_seen) VALUES ('0123456789ABCDEF01234567', "
				  "'x', 'x'); INSERT INTO serials (pool, value, uid, state, reserved_at) VALUES ('demo', "
				  "1003, '0123456789ABCDEF01234567', 'burned', 'x')");
	out[0] = '\0';
	cr_assert_eq(gang_db_lease_void(&n, eng, "line-2", "station scrapped", pgt_lease_seen, out, &d), GANG_OK, "%s",
		     d.msg);
	cr_expect_eq(n, 2);
	cr_expect_str_eq(out, "1 line-2 demo 1000..1009 used 1;2 line-2 demo 1010..1014 used 0;");
	cr_expect_eq(gang_db_lease_void(&n, eng, "line-2", "again", NULL, NULL, &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "'line-2' names no live lease"), "%s", d.msg);
	cr_expect_eq(gang_db_lease_void(&n, eng, "1", "again", NULL, NULL, &d), GANG_EUSAGE, "a void lease revived");
	cr_expect_neq(gang_db_test_exec(eng, "UPDATE leases SET voided_at = NULL, void_reason = NULL", &d), GANG_OK);
	pgt_sql(out, sizeof(out), "SELECT string_agg(void_reason, ',') || ' ' || (SELECT next FROM serial_pools) "
				  "FROM leases WHERE voided_at IS NOT NULL");
	cr_expect_str_eq(out, "station scrapped,station scrapped 1015", "void values are never handed out again");
	gang_db_close(eng);
}

Test(db_pg, statements_are_prepared_once_per_session_and_past_the_table_run_unprepared)
{
	gang_db *db = pgt_open(GANG_DB_CREATE);
	gang_diag d = { 0 };
	char sql[64], out[32];

	/* more distinct statements than a session keeps prepared: every one still answers */
	for (int i = 0; i < 2 * 96 + 5; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d + 1", i);
		cr_assert_eq(gang_db_test_query(out, sizeof(out), db, sql, &d), GANG_OK, "%s", d.msg);
		snprintf(sql, sizeof(sql), "%d", i + 1);
		cr_expect_str_eq(out, sql);
	}
	/* one that cannot be prepared fails with the server's own words, and the session goes on */
	cr_expect_eq(gang_db_test_query(out, sizeof(out), db, "SELECT * FROM no_such_table", &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "no_such_table"), "%s", d.msg);
	cr_expect_eq(gang_db_test_query(out, sizeof(out), db, "SELECT 41 + 1", &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(out, "42");
	cr_assert_eq(gang_db_test_query(out, sizeof(out), db, "SELECT count(*) FROM pg_prepared_statements", &d),
		     GANG_OK, "%s", d.msg);
	cr_expect_str_eq(out, "96", "the session keeps at most PG_PREPARED_MAX statements prepared");
	gang_db_close(db);
}

Test(db_pg, one_lease_is_voided_by_its_id_and_bad_names_are_refused_before_the_server)
{
	gang_db *db = pgt_open(GANG_DB_CREATE);
	gang_db_lease a, b;
	gang_diag d = { 0 };
	char id[24], out[256] = "", longname[200];
	int n = -1;

	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&a, db, "line-2", "demo", 10, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&b, db, "line-2", "demo", 10, &d), GANG_OK, "%s", d.msg);
	snprintf(id, sizeof(id), "%lld", (long long)b.id);
	cr_assert_eq(gang_db_lease_void(&n, db, id, "misprinted labels", pgt_lease_seen, out, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(n, 1);
	cr_expect_not_null(strstr(out, "line-2 demo 1010..1019 used 0;"), "%s", out);
	pgt_sql(out, sizeof(out), "SELECT count(*) FROM leases WHERE voided_at IS NULL");
	cr_expect_str_eq(out, "1", "the other lease of the station stays live");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_expect_eq(gang_db_lease_take(&a, db, longname, "demo", 10, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "too long"), "%s", d.msg);
	cr_expect_eq(gang_db_lease_take(&a, db, "line-2", "demo", 1000001, &d), GANG_ERR);
	gang_db_close(db);
}

Test(db_pg, a_lock_held_past_the_wait_is_named_and_the_reservation_is_rolled_back)
{
	gang_db *db = pgt_open(GANG_DB_CREATE);
	gang_diag d = { 0 };
	uint64_t v = 0;
	PGconn *c;

	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	c = pgt_conn();
	pgt_exec(c, "BEGIN");
	pgt_exec(c, "SELECT 1 FROM serial_pools WHERE name = 'demo' FOR UPDATE");
	gang_db_set_wait(db, 200);
	cr_expect_eq(gang_serial_reserve(&v, db, "demo", "0123456789ABCDEF01234567", NULL, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "locked by another writer"), "%s", d.msg);
	cr_expect_not_null(strstr(d.msg, "within 200 ms"), "%s", d.msg);
	pgt_exec(c, "COMMIT");
	PQfinish(c);
	cr_expect_eq(gang_serial_reserve(&v, db, "demo", "0123456789ABCDEF01234567", NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(v, 1000, "the refused reservation took nothing");
	gang_db_close(db);
}

#define PGT_KILL_OTHERS                                                                                  \
	"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() " \
	"AND pid <> pg_backend_pid()"
#define PGT_RUN_LOCKS                                                                                     \
	"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND database = " \
	"(SELECT oid FROM pg_database WHERE datname = current_database())"

Test(db_pg, a_session_the_server_ended_is_replaced_and_the_run_keeps_its_lock)
{
	gang_db *db = pgt_open(GANG_DB_CREATE | GANG_DB_RECOVER);
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-2" };
	gang_attempt_key k;
	gang_board_pass pass;
	gang_diag d = { 0 };
	char out[64];

	pgt_sql(out, sizeof(out), PGT_KILL_OTHERS);
	cr_expect_str_eq(out, "1");
	cr_expect_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(k.seq, 1);
	pgt_sql(out, sizeof(out), PGT_RUN_LOCKS);
	cr_expect_str_eq(out, "1", "the run's lock is held again");
	pgt_sql(out, sizeof(out), PGT_KILL_OTHERS);
	cr_expect_eq(gang_db_step(db, &k, "connect", GANG_STEP_PASS, 5, NULL, &d), GANG_OK, "%s", d.msg);
	pgt_sql(out, sizeof(out), PGT_KILL_OTHERS);
	cr_expect_eq(gang_db_board_last_pass(&pass, db, "0123456789ABCDEF01234567", "ab", "cd", &d), GANG_OK, "%s",
		     d.msg);
	pgt_sql(out, sizeof(out), "SELECT count(*) FROM attempts");
	cr_expect_str_eq(out, "1", "an attempt doubled");
	gang_db_close(db);
}

/* The one session waiting for a lock the test holds (at most 2 s for it to wait) is ended by the server. */
static void pgt_end_the_waiter(const char *who)
{
	char out[64] = "0";

	for (int i = 0; i < 200 && strcmp(out, "1") != 0; i++) {
		usleep(10000);
		pgt_sql(out, sizeof(out), "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
					  "AND wait_event_type = 'Lock'");
	}
	cr_assert_str_eq(out, "1", "%s never waited", who);
	pgt_sql(out, sizeof(out), "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
				  "datname = current_database() AND wait_event_type = 'Lock'");
}

typedef struct pgt_reserve {
	gang_db *db;
	uint64_t value;
	int err;
	gang_diag d;
} pgt_reserve;

static void *pgt_reserve_thread(void *arg)
{
	pgt_reserve *r = arg;

	r->err = gang_serial_reserve(&r->value, r->db, "demo", "0123456789ABCDEF01234567", NULL, &r->d);
	return NULL;
}

Test(db_pg, a_backend_killed_inside_a_reservation_is_retried_once_on_a_new_session)
{
	pgt_reserve r = { .db = pgt_open(GANG_DB_CREATE) };
	gang_diag d = { 0 };
	char out[64] = "0";
	pthread_t t;
	PGconn *c;

	cr_assert_eq(gang_serial_pool_ensure(r.db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	c = pgt_conn();
	pgt_exec(c, "BEGIN");
	pgt_exec(c, "SELECT 1 FROM serial_pools WHERE name = 'demo' FOR UPDATE");
	cr_assert_eq(pthread_create(&t, NULL, pgt_reserve_thread, &r), 0);
	pgt_end_the_waiter("the reservation");
	usleep(50000);
	pgt_exec(c, "COMMIT");
	pthread_join(t, NULL);
	PQfinish(c);
	cr_expect_eq(r.err, GANG_OK, "%s", r.d.msg);
	cr_expect_eq(r.value, 1000);
	pgt_sql(out, sizeof(out), "SELECT count(*) || ' ' || max(value) || ' ' || (SELECT next FROM serial_pools) "
				  "FROM serials");
	cr_expect_str_eq(out, "1 1000 1001");
	gang_db_close(r.db);
}

Test(db_pg, a_lost_connection_that_cannot_be_made_again_is_named_as_such)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-2" };
	char uri[256], out[96], sql[128];
	gang_attempt_key k;
	gang_diag d = { 0 };
	gang_db *db = NULL;

	snprintf(out, sizeof(out), "st_%s", pgt_name);
	pgt_station_uri(uri, sizeof(uri), out);
	cr_assert_eq(gang_db_open(&db, uri, 0, &d), GANG_OK, "%s", d.msg);
	snprintf(sql, sizeof(sql), "REVOKE CONNECT ON DATABASE %s FROM PUBLIC", pgt_name);
	pgt_sql(out, sizeof(out), sql);
	pgt_sql(out, sizeof(out), PGT_KILL_OTHERS);
	cr_expect_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "connection to the server was lost and reconnecting failed"), "%s", d.msg);
	gang_db_close(db);
}

Test(db_pg, a_run_is_a_session_lock_that_ends_with_its_handle)
{
	/* this database's only: the tests of other processes run on the same server */
	static const char *const held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
					"AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
	gang_db *db = pgt_open(GANG_DB_CREATE | GANG_DB_RECOVER);
	char out[64];

	pgt_sql(out, sizeof(out), held);
	cr_expect_str_eq(out, "1");
	gang_db_close(db);
	for (int i = 0; i < 50 && strcmp(out, "0") != 0; i++) {
		usleep(20000);
		pgt_sql(out, sizeof(out), held);
	}
	cr_expect_str_eq(out, "0", "the run's lock outlived its handle");
}

Test(db_pg, a_read_only_handle_never_writes_and_gives_no_workers)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p" };
	gang_db *db, *w = NULL;
	gang_attempt_key k;
	gang_diag d = { 0 };

	gang_db_close(pgt_open(GANG_DB_CREATE));
	db = pgt_open(GANG_DB_READONLY);
	cr_expect_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "read-only"), "%s", d.msg);
	cr_expect_eq(gang_db_open_worker(&w, db, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "need a read-write main one"), "%s", d.msg);
	gang_db_close(db);
}

static void *pgt_begin_thread(void *arg)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-2" };
	int64_t *seqs = arg;
	gang_diag d = { 0 };
	gang_attempt_key k;
	gang_db *db = NULL;

	if (gang_db_open(&db, pgt_uri, 0, &d) != GANG_OK)
		return NULL;
	for (int i = 0; i < PGT_PER_THREAD; i++)
		seqs[i] = gang_db_attempt_begin(&k, db, &info, &d) == GANG_OK ? k.seq : -1;
	gang_db_close(db);
	return NULL;
}

Test(db_pg, connections_of_one_station_never_share_an_attempt_number)
{
	static int64_t seqs[PGT_THREADS][PGT_PER_THREAD];
	static char seen[PGT_THREADS * PGT_PER_THREAD + 1];
	pthread_t t[PGT_THREADS];

	gang_db_close(pgt_open(GANG_DB_CREATE));
	for (int i = 0; i < PGT_THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, pgt_begin_thread, seqs[i]), 0);
	for (int i = 0; i < PGT_THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < PGT_THREADS; i++)
		for (int j = 0; j < PGT_PER_THREAD; j++) {
			int64_t s = seqs[i][j];

			cr_assert(s >= 1 && s <= PGT_THREADS * PGT_PER_THREAD, "attempt number %lld", (long long)s);
			cr_expect_eq(seen[s], 0, "attempt number %lld given twice", (long long)s);
			seen[s] = 1;
		}
}
#else
Test(db_pg, built_without_the_postgresql_backend)
{
	cr_skip_test("this gang is built without its PostgreSQL backend (WITH_PG)");
}
#endif

/* Attempts in several blocks of the report's cursor (pg_report.c PG_REPORT_BLOCK, 10,000). */
#define PGT_REPORT_ROWS "35000"

typedef struct pgt_report {
	long rows;
	int kill; /* end the report's session at the first row */
	int stop; /* answer the first row with this (a negative stops the scan) */
} pgt_report;

static int pgt_report_row(void *ctx, const gang_report_row *row)
{
	pgt_report *r = ctx;
	char out[64];

	(void)row;
	if (r->rows++ == 0 && r->kill)
		pgt_sql(out, sizeof(out), PGT_KILL_OTHERS);
	return r->rows == 1 ? r->stop : GANG_OK;
}

static gang_db *pgt_report_db(void)
{
	gang_db *db = pgt_open(GANG_DB_CREATE);
	char out[64];

	pgt_sql(out, sizeof(out), "INSERT INTO attempts (slot, profile_name, started_at, station, seq) SELECT 'S1', "
				  "'p', '2026-11-01T06:00:00.000Z', 'line-1', g FROM generate_series(1, " PGT_REPORT_ROWS
				  ") g");
	return db;
}

Test(db_pg, a_report_whose_session_ends_while_the_next_block_is_on_its_way_fails_and_the_next_one_reads_all)
{
	static const gang_report_filter all = { 0 };
	gang_db *db = pgt_report_db();
	pgt_report r = { .kill = 1 };
	gang_diag d = { 0 };

	cr_expect_eq(gang_db_report_scan(db, &all, pgt_report_row, &r, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "reading attempts for a report"), "%s", d.msg);
	cr_expect_lt(r.rows, atol(PGT_REPORT_ROWS), "the scan went on after its session ended");
	r = (pgt_report){ 0 };
	cr_expect_eq(gang_db_report_scan(db, &all, pgt_report_row, &r, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(r.rows, atol(PGT_REPORT_ROWS));
	gang_db_close(db);
}

Test(db_pg, a_report_stopped_by_its_callback_with_a_block_on_its_way_leaves_the_handle_usable)
{
	static const gang_report_filter all = { 0 };
	gang_db *db = pgt_report_db();
	pgt_report r = { .stop = GANG_ENOMEM };
	gang_diag d = { 0 };

	cr_expect_eq(gang_db_report_scan(db, &all, pgt_report_row, &r, &d), GANG_ENOMEM);
	cr_expect_eq(r.rows, 1, "the scan went on after its callback said stop");
	r = (pgt_report){ .stop = 7 };   /* a positive answer stops the scan too, and is kept */
	cr_expect_eq(gang_db_report_scan(db, &all, pgt_report_row, &r, &d), 7, "%s", d.msg);
	cr_expect_eq(r.rows, 1);
	r = (pgt_report){ 0 };
	cr_expect_eq(gang_db_report_scan(db, &all, pgt_report_row, &r, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(r.rows, atol(PGT_REPORT_ROWS));
	gang_db_close(db);
}

/* A pool "demo" with three serials handed out (one voided by the engineer) and its pools as one line. */
static gang_db *pgt_pools_db(void)
{
	gang_db *db = pgt_open(GANG_DB_CREATE);
	gang_diag d = { 0 };
	char out[64], uid[48];
	uint64_t v;

	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	for (int i = 0; i < 3; i++) {
		snprintf(uid, sizeof(uid), "0123456789ABCDEF0123456%d", i);
		cr_assert_eq(gang_serial_reserve(&v, db, "demo", uid, NULL, &d), GANG_OK, "%s", d.msg);
	}
	pgt_sql(out, sizeof(out), "UPDATE serials SET state = 'void', voided_at = gang_now() WHERE value = 1002");
	return db;
}

static void pgt_pools_line(char *out, size_t cap, gang_db *db, const gang_report_filter *f)
{
	gang_report_pool *p = NULL;
	gang_diag d = { 0 };
	size_t n = 0;

	cr_assert_eq(gang_db_report_pools(&p, &n, db, f, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(n, 1);
	snprintf(out, cap, "%s %lld..%lld %lld..%lld r%lld b%lld v%lld", p[0].name, (long long)p[0].range_start,
		 (long long)p[0].range_end, (long long)p[0].min_value, (long long)p[0].max_value,
		 (long long)p[0].reserved, (long long)p[0].burned, (long long)p[0].voided);
	gang_db_report_pools_free(p, n);
}

#define PGT_POOLS "demo 1000..1099 1000..1002 r2 b0 v1"

Test(db_pg, pools_asked_ahead_are_the_pools_counted_when_asked_and_a_lost_answer_is_counted_again)
{
	static const gang_report_filter all = { 0 }, other = { .batch = "B-7" };
	gang_db *db = pgt_pools_db();
	char line[96];
	PGconn *c;

	gang_db_report_pools_ask(db, &all);
	pgt_pools_line(line, sizeof(line), db, &all);
	cr_expect_str_eq(line, PGT_POOLS);
	/* the session the answer was on ends while the server counts: counted again on a new session */
	c = pgt_conn();
	pgt_exec(c, "BEGIN");
	pgt_exec(c, "LOCK TABLE serials IN ACCESS EXCLUSIVE MODE");
	gang_db_report_pools_ask(db, &all);
	pgt_end_the_waiter("the pools asked ahead");
	pgt_exec(c, "COMMIT");
	PQfinish(c);
	pgt_pools_line(line, sizeof(line), db, &all);
	cr_expect_str_eq(line, PGT_POOLS);
	/* asked for one selection, counted for another: the answer asked for is dropped, not handed over */
	gang_db_report_pools_ask(db, &all);
	pgt_pools_line(line, sizeof(line), db, &(gang_report_filter){ 0 });
	cr_expect_str_eq(line, PGT_POOLS);
	gang_db_report_pools_ask(db, &other);   /* batch B-7 has no pools: taken for the whole history, n = 0 */
	pgt_pools_line(line, sizeof(line), db, &all);
	cr_expect_str_eq(line, PGT_POOLS);
	gang_db_close(db);
}

Test(db_pg, an_answer_asked_ahead_and_never_taken_does_not_stand_in_the_way_of_the_next_statement)
{
	static const gang_report_filter all = { 0 };
	gang_db *db = pgt_pools_db();
	gang_diag d = { 0 };
	char line[96];
	uint64_t v;

	gang_db_report_pools_ask(db, &all);
	cr_expect_eq(gang_serial_reserve(&v, db, "demo", "0123456789ABCDEF01234569", NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(v, 1003);
	pgt_pools_line(line, sizeof(line), db, &all);
	cr_expect_str_eq(line, "demo 1000..1099 1000..1003 r3 b0 v1");
	/* asked twice: the second ask is the first one's, and a handle closed with an answer on its way closes */
	gang_db_report_pools_ask(db, &all);
	gang_db_report_pools_ask(db, &all);
	gang_db_close(db);
}
