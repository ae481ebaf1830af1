/*
 * test_pg_lease_bind.c — the station half of serial leases on the central
 * database (db_lease.h, src/db/pg/pg_lease_bind.c), against the test
 * binary's private server (tests/lib/pgserver.h): a leased value bound to
 * a board once however often it is delivered; an online station given the
 * board's existing serial instead; a board bound at two stations keeps the
 * first binding and the conflict is recorded with both stations, once; a
 * value outside the station's leases or bound to another board refused;
 * a station's login may bind but never erase a conflict; SQLite refuses
 * binding naming PostgreSQL and lists no conflicts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_lease.h"
#include "db/db_testing.h"
#include "serial/serial_alloc.h"

#ifdef GANG_WITH_PG
#include "pgserver.h"

#define LB_UID_A "0123456789ABCDEF01234567"
#define LB_UID_B "0123456789ABCDEF0123456B"

static pgserver lb_srv;
static char lb_uri[256];
static char lb_name[32];

static void lb_setup(void)
{
	if (pgserver_shared(&lb_srv) != 0) {
		if (!pgserver_available(NULL))
			cr_skip_test("%s", lb_srv.err);
		cr_assert_fail("%s", lb_srv.err);
	}
	snprintf(lb_name, sizeof(lb_name), "lb%ld", (long)getpid());
	cr_assert_eq(pgserver_createdb(&lb_srv, lb_name), 0, "%s", lb_srv.err);
	pgserver_uri(lb_uri, sizeof(lb_uri), &lb_srv, lb_name);
}

TestSuite(db_pg_lease, .init = lb_setup, .timeout = 60);

static long lb_count(const char *sql)
{
	char out[64];

	cr_assert_eq(pgserver_sql(out, sizeof(out), &lb_srv, lb_name, sql), 0, "%s", lb_srv.err);
	return strtol(out, NULL, 10);
}

/* The database with pool demo 1000..1099 and leases line-2 1000..1009, line-3 1010..1019. */
static gang_db *lb_open_leased(void)
{
	gang_db *db = NULL;
	gang_db_lease l;
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_open(&db, lb_uri, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "u32le", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&l, db, "line-2", "demo", 10, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_take(&l, db, "line-3", "demo", 10, &d), GANG_OK, "%s", d.msg);
	return db;
}

static int lb_bind(gang_lease_bound *out, gang_db *db, const char *station, const char *uid, int64_t value,
		   bool online, const gang_attempt_key *k, gang_diag *d)
{
	gang_lease_binding b = { .station = station, .pool = "demo", .uid = uid, .part = "STM32F103RC",
				 .value = value, .attempt = k, .online = online };

	return gang_db_lease_bind(out, db, &b, d);
}

Test(db_pg_lease, a_leased_value_is_bound_once_however_often_it_is_delivered)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo-f103", .station = "line-2" };
	gang_db *db = lb_open_leased();
	gang_lease_bound out;
	gang_attempt_key k;
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_OK, "%s", d.msg);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(lb_bind(&out, db, "line-2", LB_UID_A, 1000, true, &k, &d), GANG_OK, "%s", d.msg);
		cr_expect_eq(out.outcome, GANG_LEASE_BOUND);
		cr_expect_eq(out.value, 1000);
	}
	cr_expect_eq(lb_count("SELECT count(*) FROM lease_bindings"), 1);
	cr_expect_eq(lb_count("SELECT count(*) FROM serials WHERE value = 1000 AND state = 'reserved' "
			      "AND attempt_id IS NOT NULL"), 1);
	cr_expect_eq(lb_count("SELECT serial_value FROM attempts"), 1000);
	cr_assert_eq(gang_serial_burn(db, "demo", LB_UID_A, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(lb_count("SELECT count(*) FROM serials WHERE value = 1000 AND state = 'burned'"), 1);
	cr_expect_eq(lb_count("SELECT count(*) FROM serial_conflicts"), 0);
	gang_db_close(db);
}

Test(db_pg_lease, an_online_station_is_given_the_boards_existing_serial_and_keeps_its_value)
{
	gang_db *db = lb_open_leased();
	gang_lease_bound out;
	gang_diag d = { 0 };
	uint64_t v = 0;

	cr_assert_eq(gang_serial_reserve(&v, db, "demo", LB_UID_A, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(v, 1020);
	cr_assert_eq(lb_bind(&out, db, "line-2", LB_UID_A, 1000, true, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(out.outcome, GANG_LEASE_EXISTING);
	cr_expect_eq(out.value, 1020);
	cr_expect_eq(lb_count("SELECT count(*) FROM lease_bindings"), 0, "1000 is still free in the lease");
	cr_expect_eq(lb_count("SELECT count(*) FROM serial_conflicts"), 0);
	gang_db_close(db);
}

Test(db_pg_lease, a_board_bound_at_two_stations_keeps_the_first_and_the_conflict_is_recorded_once)
{
	gang_db *db = lb_open_leased();
	gang_serial_conflict *c = NULL;
	gang_lease_bound out;
	gang_diag d = { 0 };
	size_t n = 0;

	cr_assert_eq(lb_bind(&out, db, "line-3", LB_UID_B, 1010, false, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(out.outcome, GANG_LEASE_BOUND);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(lb_bind(&out, db, "line-2", LB_UID_B, 1003, false, NULL, &d), GANG_OK, "%s", d.msg);
		cr_expect_eq(out.outcome, GANG_LEASE_CONFLICT);
		cr_expect_eq(out.value, 1010, "the first binding is kept");
		cr_expect_str_eq(out.kept_station, "line-3");
	}
	cr_expect_eq(lb_count("SELECT count(*) FROM serials WHERE uid = '" LB_UID_B "'"), 1);
	cr_assert_eq(gang_db_serial_conflicts(&c, &n, db, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(c[0].pool, "demo");
	cr_expect_str_eq(c[0].uid, LB_UID_B);
	cr_expect_eq(c[0].kept_value, 1010);
	cr_expect_str_eq(c[0].kept_station, "line-3");
	cr_expect_eq(c[0].other_value, 1003);
	cr_expect_str_eq(c[0].other_station, "line-2");
	cr_expect_neq(c[0].recorded_at[0], '\0');
	free(c);
	gang_db_close(db);
}

Test(db_pg_lease, a_value_outside_the_stations_leases_or_bound_to_another_board_is_refused)
{
	gang_db *db = lb_open_leased();
	gang_lease_bound out;
	gang_diag d = { 0 };

	cr_expect_eq(lb_bind(&out, db, "line-2", LB_UID_A, 1010, false, NULL, &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "serial 1010 of pool 'demo' is in no lease of station 'line-2'");
	cr_expect_eq(lb_bind(&out, db, "line-2", LB_UID_A, 1050, true, NULL, &d), GANG_EUSAGE);
	cr_assert_eq(lb_bind(&out, db, "line-2", LB_UID_A, 1001, false, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(lb_bind(&out, db, "line-2", LB_UID_B, 1001, false, NULL, &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "serial 1001 of pool 'demo' is bound already, to board " LB_UID_A
				" by station 'line-2'");
	cr_expect_eq(lb_bind(&out, db, "", LB_UID_B, 1002, false, NULL, &d), GANG_EUSAGE);
	cr_expect_eq(lb_count("SELECT count(*) FROM lease_bindings"), 1);
	gang_db_close(db);
}

Test(db_pg_lease, the_unused_values_of_a_stations_live_leases_skip_bound_ones_and_void_leases)
{
	gang_db *db = lb_open_leased();
	gang_lease_bound out;
	gang_db_lease l;
	gang_diag d = { 0 };
	int64_t v[16];
	size_t n = 0;
	int voided = 0;

	cr_assert_eq(lb_bind(&out, db, "line-2", LB_UID_A, 1000, true, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(lb_bind(&out, db, "line-2", LB_UID_B, 1002, true, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_unused(v, 3, &n, db, "line-2", "demo", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(n, 3);
	cr_expect_eq(v[0], 1001);
	cr_expect_eq(v[1], 1003);
	cr_expect_eq(v[2], 1004);
	cr_assert_eq(gang_db_lease_take(&l, db, "line-2", "demo", 2, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_unused(v, 16, &n, db, "line-2", "demo", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(n, 10, "8 left of the first lease, 2 of the second");
	cr_expect_eq(v[9], 1021);
	cr_assert_eq(gang_db_lease_void(&voided, db, "line-2", "scrapped", NULL, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_lease_unused(v, 16, &n, db, "line-2", "demo", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(n, 0, "a void lease hands out nothing");
	cr_expect_eq(gang_db_lease_unused(v, 0, &n, db, "line-2", "demo", &d), GANG_EUSAGE);
	gang_db_close(db);
}

Test(db_pg_lease, a_stations_login_binds_but_never_erases_a_binding_or_a_conflict)
{
	char uri[256], user[64], none[8];
	gang_db *st = NULL, *eng = lb_open_leased();
	gang_lease_bound out;
	gang_diag d = { 0 };
	const char *refused[] = { "DELETE FROM serial_conflicts", "UPDATE serial_conflicts SET kept_value = 1",
				  "DELETE FROM lease_bindings", "UPDATE lease_bindings SET uid = 'x'" };

	gang_db_close(eng);
	snprintf(user, sizeof(user), "st_%s", lb_name);
	snprintf(uri, sizeof(uri), "CREATE ROLE %s LOGIN IN ROLE gang_station", user);
	cr_assert_eq(pgserver_sql(none, sizeof(none), &lb_srv, lb_name, uri), 0, "%s", lb_srv.err);
	snprintf(uri, sizeof(uri), "host=%s dbname=%s user=%s", lb_srv.dir, lb_name, user);
	cr_assert_eq(gang_db_open(&st, uri, 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(lb_bind(&out, st, "line-3", LB_UID_B, 1010, false, NULL, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(lb_bind(&out, st, "line-2", LB_UID_B, 1000, false, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(out.outcome, GANG_LEASE_CONFLICT);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		cr_expect_eq(gang_db_test_exec(st, refused[i], &d), GANG_EDB, "the station role may: %s", refused[i]);
	cr_expect_eq(lb_count("SELECT count(*) FROM serial_conflicts"), 1);
	gang_db_close(st);
}
#endif

Test(db_lease_sqlite, binding_a_lease_on_sqlite_is_refused_naming_postgresql_and_there_are_no_conflicts)
{
	char dir[] = "/tmp/gang-lbXXXXXX", path[64];
	gang_lease_binding b = { .station = "line-2", .pool = "demo", .uid = "0123456789ABCDEF01234567", .value = 1 };
	gang_serial_conflict *c = NULL;
	gang_lease_bound out;
	gang_diag d = { 0 };
	gang_db *db = NULL;
	size_t n = 7;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gang.sqlite", dir);
	cr_assert_eq(gang_db_open(&db, path, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_lease_bind(&out, db, &b, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "serial leases need the central PostgreSQL database"), "%s", d.msg);
	b.uid = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789";
	cr_expect_eq(gang_db_lease_bind(&out, db, &b, &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "lease binding: station, pool or UID too long");
	b.value = -1;
	cr_expect_eq(gang_db_lease_bind(&out, db, &b, &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "lease binding: station, pool, UID and a value >= 0 are needed");
	cr_expect_eq(gang_db_lease_unused(&b.value, 1, &n, db, "line-2", "demo", &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "serial leases need the central PostgreSQL database"), "%s", d.msg);
	cr_expect_eq(gang_db_serial_conflicts(&c, &n, db, &d), GANG_OK);
	cr_expect_eq(n, 0);
	cr_expect_null(c);
	gang_db_close(db);
	unlink(path);
	rmdir(dir);
}
