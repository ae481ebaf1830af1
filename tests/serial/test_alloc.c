/*
 * test_alloc.c — serial allocation: same UID same serial, consecutive
 * values, exhaustion, burn and void with their audit trail, pool range
 * conflicts, status counts, and the database constraints that make a
 * duplicate impossible even for code that bypasses the allocator.
 */
#include <criterion/criterion.h>

#include "../db/test_fixture.h"
#include "pgserver_hooks.h"
#include "serial/serial_alloc.h"

#define UID_A "0123456789ABCDEF01234567"
#define UID_B "76543210FEDCBA9876543210"
#define UID_C "AAAAAAAAAAAAAAAAAAAAAAAA"

static fix_dir tmp;
static gang_db *db;

static void setup(void)
{
	gang_diag d = { 0 };

	fix_dir_make(&tmp);
	db = fix_open(tmp.db, GANG_DB_CREATE);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1002, "u32le", &d), GANG_OK, "%s", d.msg);
}

static void teardown(void)
{
	gang_db_close(db);
	fix_dir_remove(&tmp);
}

TestSuite(serial_alloc, .fini = teardown, .timeout = 30);

static uint64_t reserve(const char *uid)
{
	gang_diag d = { 0 };
	uint64_t v = 0;

	cr_assert_eq(gang_serial_reserve(&v, db, "demo", uid, NULL, &d), GANG_OK, "%s", d.msg);
	return v;
}

FIX_STORE_TEST(serial_alloc, the_same_uid_always_gets_the_same_serial, setup)
{
	cr_expect_eq(reserve(UID_A), 1000);
	cr_expect_eq(reserve(UID_B), 1001);
	cr_expect_eq(reserve(UID_A), 1000);
	gang_db_close(db);
	db = fix_open(tmp.db, 0);
	cr_expect_eq(reserve(UID_B), 1001, "after a restart too");
	cr_expect_eq(fix_q_int(db, "SELECT next FROM serial_pools"), 1002);
}

FIX_STORE_TEST(serial_alloc, an_exhausted_pool_says_so_with_its_range, setup)
{
	gang_diag d = { 0 };
	uint64_t v = 77;

	reserve(UID_A);
	reserve(UID_B);
	reserve(UID_C);
	cr_expect_eq(gang_serial_reserve(&v, db, "demo", "DDDDDDDDDDDDDDDDDDDDDDDD", NULL, &d),
		     GANG_ESERIAL_EXHAUSTED);
	cr_expect_eq(v, 0);
	cr_expect_str_eq(d.msg, "serial pool 'demo' exhausted (1000..1002 all used)");
	cr_expect_eq(reserve(UID_B), 1001, "boards that have a serial still get it");
}

FIX_STORE_TEST(serial_alloc, burn_is_idempotent_and_needs_a_reservation, setup)
{
	gang_diag d = { 0 };
	char at1[64], at2[64];

	reserve(UID_A);
	cr_assert_eq(gang_serial_burn(db, "demo", UID_A, &d), GANG_OK, "%s", d.msg);
	fix_q_text(at1, sizeof(at1), db, "SELECT burned_at FROM serials");
	cr_assert_eq(gang_serial_burn(db, "demo", UID_A, &d), GANG_OK, "%s", d.msg);
	fix_q_text(at2, sizeof(at2), db, "SELECT state || burned_at FROM serials");
	cr_expect_eq(strncmp(at2, "burned", 6), 0);
	cr_expect_str_eq(at2 + 6, at1, "the first burn time is kept");
	cr_expect_eq(reserve(UID_A), 1000, "a burned serial still belongs to its board");
	cr_expect_eq(gang_serial_burn(db, "demo", UID_B, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "no serial of pool 'demo' is reserved for board " UID_B), "got: %s",
			   d.msg);
}

FIX_STORE_TEST(serial_alloc, a_void_serial_is_audited_never_reused_and_its_board_gets_a_new_one, setup)
{
	gang_diag d = { 0 };
	char text[200];

	reserve(UID_A);
	cr_assert_eq(gang_serial_void(db, "demo", 1000, "board scrapped after rework", &d), GANG_OK, "%s",
		     d.msg);
	fix_q_text(text, sizeof(text), db, "SELECT state || '|' || uid || '|' || reason || '|' || "
					   "CASE WHEN voided_at IS NULL THEN 0 ELSE 1 END FROM serials WHERE value = 1000");
	cr_expect_str_eq(text, "void|" UID_A "|board scrapped after rework|1");
	cr_expect_eq(reserve(UID_A), 1001, "the board gets a new serial");
	cr_expect_eq(reserve(UID_B), 1002, "1000 is never handed out again");
	cr_expect_eq(gang_serial_void(db, "demo", 1000, "again", &d), GANG_EUSAGE);
	cr_expect_eq(strncmp(d.msg, "serial 1000 of pool 'demo' is already void since ", 49), 0, "got: %s",
		     d.msg);
	cr_expect_not_null(strstr(d.msg, "(board scrapped after rework)"), "got: %s", d.msg);
}

FIX_STORE_TEST(serial_alloc, voiding_needs_a_handed_out_value_and_a_reason, setup)
{
	gang_diag d = { 0 };

	reserve(UID_A);
	cr_expect_eq(gang_serial_void(db, "demo", 1001, "typo", &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "serial 1001 of pool 'demo' was never handed out; nothing to void");
	cr_expect_eq(gang_serial_void(db, "demo", UINT64_MAX, "typo", &d), GANG_EUSAGE);
	cr_expect_eq(gang_serial_void(db, "demo", 1000, "", &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "voiding serial 1000 of pool 'demo' needs a reason");
	cr_expect_eq(gang_serial_void(db, "demo", 1000, NULL, &d), GANG_EUSAGE);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serials WHERE state = 'void'"), 0);
}

FIX_STORE_TEST(serial_alloc, a_pool_whose_range_or_format_disagrees_is_refused, setup)
{
	gang_diag d = { 0 };

	cr_expect_eq(gang_serial_pool_ensure(db, "demo", 1000, 1002, "u32le", &d), GANG_OK, "same pool again");
	cr_expect_eq(gang_serial_pool_ensure(db, "demo", 1000, 1999, "u32le", &d), GANG_EPROFILE);
	cr_expect_str_eq(d.msg, "serial pool 'demo' already exists with range 1000..1002; the profile asks for "
				"1000..1999 (a pool's range never changes: use a new pool name)");
	cr_expect_eq(gang_serial_pool_ensure(db, "demo", 1000, 1002, "bcd", &d), GANG_EPROFILE);
	cr_expect_not_null(strstr(d.msg, "with format 'u32le'; the profile asks for 'bcd'"), "got: %s", d.msg);
	cr_expect_eq(gang_serial_pool_ensure(db, "other", 5, 4, NULL, &d), GANG_EPROFILE);
	cr_expect_not_null(strstr(d.msg, "range 5..4 is invalid"), "got: %s", d.msg);
	cr_expect_eq(gang_serial_pool_ensure(db, "other", 0, UINT64_MAX, NULL, &d), GANG_EPROFILE);
	cr_expect_eq(gang_serial_pool_ensure(db, "", 0, 1, NULL, &d), GANG_EPROFILE);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serial_pools"), 1);
}

FIX_STORE_TEST(serial_alloc, an_unknown_pool_or_missing_uid_is_refused, setup)
{
	gang_diag d = { 0 };
	gang_serial_pool_counts c;
	uint64_t v;

	cr_expect_eq(gang_serial_reserve(&v, db, "nope", UID_A, NULL, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "serial pool 'nope' does not exist"), "got: %s", d.msg);
	cr_expect_eq(gang_serial_reserve(&v, db, "demo", "", NULL, &d), GANG_ERR);
	cr_expect_eq(gang_serial_reserve(&v, db, "demo", UID_A, &(gang_attempt_key){ .seq = 31337 }, &d), GANG_ERR);
	cr_expect_not_null(strstr(d.msg, "attempt 31337 does not exist"), "got: %s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serials"), 0, "the reservation was rolled back");
	cr_expect_eq(gang_serial_pool_status(&c, db, "nope", &d), GANG_EDB);
}

FIX_STORE_TEST(serial_alloc, status_counts_every_state, setup)
{
	gang_diag d = { 0 };
	gang_serial_pool_counts c;

	reserve(UID_A);
	reserve(UID_B);
	gang_serial_burn(db, "demo", UID_A, &d);
	gang_serial_void(db, "demo", 1001, "dropped", &d);
	cr_assert_eq(gang_serial_pool_status(&c, db, "demo", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(c.start, 1000);
	cr_expect_eq(c.end, 1002);
	cr_expect_eq(c.next, 1002);
	cr_expect_eq(c.used, 2);
	cr_expect_eq(c.reserved, 0);
	cr_expect_eq(c.burned, 1);
	cr_expect_eq(c.voided, 1);
	cr_expect_eq(c.remaining, 1);
}

FIX_STORE_TEST(serial_alloc, the_schema_itself_forbids_duplicates_deletes_and_unvoiding, setup)
{
	gang_diag d = { 0 };

	reserve(UID_A);
	reserve(UID_B);
	cr_expect_neq(fix_exec(db, "INSERT INTO serials (pool, value, uid, state, reserved_at) VALUES "
				   "('demo', 1000, '" UID_C "', 'reserved', 'x')"),
		      GANG_OK, "the same value twice");
	cr_expect_neq(fix_exec(db, "INSERT INTO serials (pool, value, uid, state, reserved_at) VALUES "
				   "('demo', 1002, '" UID_A "', 'reserved', 'x')"),
		      GANG_OK, "two live serials for one board");
	cr_expect_neq(fix_exec(db, "DELETE FROM serials WHERE value = 1000"), GANG_OK);
	cr_expect_neq(fix_exec(db, "UPDATE serial_pools SET \"end\" = 5000"), GANG_OK);
	cr_assert_eq(gang_serial_void(db, "demo", 1001, "test", &d), GANG_OK);
	cr_expect_neq(fix_exec(db, "UPDATE serials SET state = 'reserved' WHERE value = 1001"), GANG_OK);
	cr_expect_neq(fix_exec(db, "UPDATE serials SET state = 'lost' WHERE value = 1000"), GANG_OK);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serials"), 2);
}
