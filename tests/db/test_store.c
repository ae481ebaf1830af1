/*
 * test_store.c — the storage seam itself (db/store.h): an ops table of
 * another interface version or missing a required slot is refused naming
 * it; NULL optional slots take their documented fallback; a postgresql://
 * database in a build without the PostgreSQL backend is refused naming
 * libpq-dev, the URI's password left out.
 */
#include <criterion/criterion.h>

#include "db/db_testing.h"
#include "db/store.h"
#include "serial/serial_alloc.h"
#include "pgserver_hooks.h"
#include "test_fixture.h"

static fix_dir tmp;

static void setup(void)
{
	fix_dir_make(&tmp);
}

static void teardown(void)
{
	fix_dir_remove(&tmp);
}

TestSuite(db_store, .fini = teardown, .timeout = 30);

FIX_STORE_TEST(db_store, ops_of_another_version_or_without_a_required_slot_are_refused_by_name, setup)
{
	gang_db *db = fix_open(tmp.db, GANG_DB_CREATE);
	gang_store_ops bad = *db->ops;
	gang_diag d = { 0 };

	cr_expect_eq(gang_store_ops_check(db->ops, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(db->ops->version, GANG_STORE_OPS_VERSION);
	bad.version = GANG_STORE_OPS_VERSION + 1U;
	cr_expect_eq(gang_store_ops_check(&bad, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "interface version"), "%s", d.msg);
	cr_expect_not_null(strstr(d.msg, db->ops->scheme), "names the backend: %s", d.msg);
	bad = *db->ops;
	bad.attempt_begin = NULL;
	cr_expect_eq(gang_store_ops_check(&bad, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "'attempt_begin'"), "%s", d.msg);
	cr_expect_eq(gang_store_ops_check(NULL, &d), GANG_EDB);
	gang_db_close(db);
}

FIX_STORE_TEST(db_store, null_optional_slots_fall_back_as_documented, setup)
{
	gang_db *db = fix_open(tmp.db, GANG_DB_CREATE);
	const gang_store_ops *real = db->ops;
	gang_store_ops lean = *real;
	gang_diag d = { 0 };

	lean.set_wait = NULL;
	lean.on_wait = NULL;
	lean.serial_pool_names = NULL;
	lean.test_exec = NULL;
	lean.lease_take = NULL;
	lean.lease_void = NULL;
	cr_assert_eq(gang_store_ops_check(&lean, &d), GANG_OK, "%s", d.msg);
	db->ops = &lean;
	gang_db_set_wait(db, 5000);   /* no-ops, no crash */
	gang_db_on_wait(db, NULL, NULL);
	cr_expect_eq(gang_serial_pool_known(db, "none-such", &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "not listed by the"), "%s", d.msg);
	cr_expect_not_null(strstr(d.msg, real->scheme), "%s", d.msg);
	cr_expect_eq(gang_db_test_exec(db, "SELECT 1", &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "runs no raw statements"), "%s", d.msg);
	{
		gang_db_lease l;
		int n;

		cr_expect_eq(gang_db_lease_take(&l, db, "line-2", "demo", 10, &d), GANG_EDB);
		cr_expect_not_null(strstr(d.msg, "serial leases need the central PostgreSQL database"), "%s", d.msg);
		cr_expect_eq(gang_db_lease_void(&n, db, "line-2", "gone", NULL, NULL, &d), GANG_EDB);
		cr_expect_eq(gang_db_lease_void(&n, db, "line-2", "", NULL, NULL, &d), GANG_EUSAGE);
	}
	db->ops = real;
	cr_expect_eq(gang_serial_pool_known(db, "none-such", &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "(its pools: none)"), "%s", d.msg);
	gang_db_close(db);
}

FIX_STORE_TEST(db_store, a_postgresql_uri_without_the_backend_is_refused_naming_libpq, setup)
{
#ifdef GANG_WITH_PG
	cr_skip_test("this build has the PostgreSQL backend");
#else
	static const char *const uris[] = { "postgresql://amelie:s3cret@db.line2:5432/gang?sslmode=require",
					    "postgres://db.line2/gang" };
	gang_diag d = { 0 };
	gang_db *db;

	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		db = (gang_db *)&d;   /* must be reset to NULL */
		cr_expect_eq(gang_db_open(&db, uris[i], GANG_DB_CREATE, &d), GANG_EDB, "%s", uris[i]);
		cr_expect_null(db);
		cr_expect_not_null(strstr(d.msg, "libpq-dev"), "%s", d.msg);
		cr_expect_not_null(strstr(d.msg, "db.line2"), "%s", d.msg);
		cr_expect_null(strstr(d.msg, "s3cret"), "no password in a message: %s", d.msg);
	}
	cr_expect_eq(access("postgresql:", F_OK), -1, "nothing created for a URI");
	cr_expect(!gang_db_is_file(uris[0]) && !gang_db_is_file(uris[1]));
	cr_expect(gang_db_is_file(tmp.db) && gang_db_is_file(NULL) && gang_db_is_file("postgresql.sqlite"));
#endif
}
