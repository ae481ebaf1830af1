/*
 * test_admin.c — the engineer's view of a serial pool (`gang serial`):
 * an unknown pool is named with the pools that exist, a serial is found by
 * the text rendered into its board, and a pool lists its serials with
 * their board, text, state and void reason, filtered by state.
 */
#include <criterion/criterion.h>

#include "../db/test_fixture.h"
#include "serial/serial_alloc.h"

#define UID_A "0123456789ABCDEF01234567"
#define UID_B "76543210FEDCBA9876543210"

static fix_dir tmp;
static gang_db *db;

static void setup(void)
{
	gang_diag d = { 0 };

	fix_dir_make(&tmp);
	db = fix_open(tmp.db, GANG_DB_CREATE);
	cr_assert_eq(gang_serial_pool_ensure(db, "demo", 1000, 1099, "ascii", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_pool_ensure(db, "other", 1, 9, "u32le", &d), GANG_OK, "%s", d.msg);
}

static void teardown(void)
{
	gang_db_close(db);
	fix_dir_remove(&tmp);
}

TestSuite(serial_admin, .fini = teardown, .timeout = 30);

/* A board's attempt that reserved a serial of demo and rendered it as text. */
static uint64_t rendered(const char *uid, const char *text)
{
	gang_attempt_info ai = { .slot = "S1", .profile_name = "p" };
	gang_attempt_target at = { .uid = uid, .rdp_before = -1 };
	gang_diag d = { 0 };
	gang_attempt_key id;
	uint64_t v;

	cr_assert_eq(gang_db_attempt_begin(&id, db, &ai, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(db, &id, &at, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_reserve(&v, db, "demo", uid, &id, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_serial_text(db, &id, text, &d), GANG_OK, "%s", d.msg);
	return v;
}

FIX_STORE_TEST(serial_admin, an_unknown_pool_is_named_with_the_pools_that_exist, setup)
{
	gang_diag d = { 0 };

	cr_expect_eq(gang_serial_pool_known(db, "demo", &d), GANG_OK);
	cr_expect_eq(gang_serial_pool_known(db, "prodZ", &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "serial pool 'prodZ' does not exist"), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, "(its pools: demo, other)"), "got: %s", d.msg);
}

FIX_STORE_TEST(serial_admin, a_serial_is_found_by_the_text_rendered_into_its_board, setup)
{
	gang_diag d = { 0 };
	uint64_t v = 0;

	rendered(UID_A, "GNG-1000");
	cr_assert_eq(rendered(UID_B, "GNG-1001"), 1001);
	cr_expect_eq(gang_serial_find_text(&v, db, "demo", "GNG-1001", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(v, 1001);
	cr_expect_eq(gang_serial_find_text(&v, db, "demo", "GNG-9999", &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "no serial of pool 'demo' was rendered as 'GNG-9999'"), "got: %s", d.msg);
	cr_expect_eq(gang_serial_find_text(&v, db, "other", "GNG-1001", &d), GANG_EUSAGE, "another pool's text");
}

typedef struct rows {
	int n;
	char line[4][160];
} rows;

static int collect(void *user, const gang_serial_row *r, gang_diag *d)
{
	rows *rs = user;

	(void)d;
	if (rs->n < 4)
		snprintf(rs->line[rs->n], sizeof(rs->line[0]), "%llu %s %s %s %s %s", (unsigned long long)r->value,
			 r->state, r->uid, r->text, *r->voided_at ? "voided" : "-", r->reason);
	rs->n++;
	return GANG_OK;
}

FIX_STORE_TEST(serial_admin, a_pool_lists_its_serials_with_board_text_state_and_reason, setup)
{
	gang_diag d = { 0 };
	rows all = { 0 }, voided = { 0 }, reserved = { 0 };

	rendered(UID_A, "GNG-1000");
	rendered(UID_B, "GNG-1001");
	cr_assert_eq(gang_serial_void(db, "demo", 1000, "label misprinted", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_serial_list(db, "demo", NULL, collect, &all, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(all.n, 2);
	cr_expect_str_eq(all.line[0], "1000 void " UID_A " GNG-1000 voided label misprinted");
	cr_expect_str_eq(all.line[1], "1001 reserved " UID_B " GNG-1001 - ");
	cr_assert_eq(gang_serial_list(db, "demo", "void", collect, &voided, &d), GANG_OK);
	cr_expect_eq(voided.n, 1);
	cr_assert_eq(gang_serial_list(db, "demo", "reserved", collect, &reserved, &d), GANG_OK);
	cr_expect_eq(reserved.n, 1);
	cr_expect_str_eq(reserved.line[0], all.line[1]);
}
