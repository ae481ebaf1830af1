/*
 * test_data_pool.c — data pools on every backend (serial/data_pool.h):
 * MAC text and byte orders; a mac pool's range never changes; a list
 * import is all or nothing (duplicates in the file and against the pool
 * named by file:line), appends, keeps its kind and secrecy; the same UID
 * always gets the same value; a dry pool says so; burn and void with their
 * audit trail; the listing never returns a secret value; and the database
 * constraints hold for code that bypasses the allocator.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../db/test_fixture.h"
#include "db/db_report.h"
#include "serial/data_pool.h"

#define UID_A "0123456789ABCDEF01234567"
#define UID_B "76543210FEDCBA9876543210"
#define UID_C "AAAAAAAAAAAAAAAAAAAAAAAA"

static fix_dir tmp;
static gang_db *db;
static char file[320];

static void setup(void)
{
	fix_dir_make(&tmp);
	fix_path(file, sizeof(file), &tmp, "values.txt");
	db = fix_open(tmp.db, GANG_DB_CREATE);
}

static void teardown(void)
{
	gang_db_close(db);
	fix_dir_remove(&tmp);
}

TestSuite(data_pool, .fini = teardown, .timeout = 30);

static int import(const char *pool, const char *text, bool secret, gang_diag *d)
{
	FILE *fp = fopen(file, "w");
	size_t n = 0;

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	return gang_data_import(&n, db, pool, file, secret, d);
}

static uint64_t take(const char *pool, const char *uid, gang_data_taken *v)
{
	gang_diag d = { 0 };

	cr_assert_eq(gang_data_reserve(v, db, pool, uid, NULL, &d), GANG_OK, "%s", d.msg);
	return v->index;
}

Test(data_pool, mac_text_parses_prints_and_orders_its_bytes)
{
	gang_diag d = { 0 };
	uint8_t b[6];
	uint64_t mac = 0;
	char text[20];

	cr_assert_eq(gang_mac_parse(&mac, "00:80:e1:12:34:56", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(mac, 0x0080E1123456ULL);
	gang_mac_text(text, sizeof(text), mac);
	cr_expect_str_eq(text, "00:80:E1:12:34:56");
	gang_mac_bytes(b, mac, true);
	cr_expect(b[0] == 0x00 && b[2] == 0xE1 && b[5] == 0x56);
	gang_mac_bytes(b, mac, false);
	cr_expect(b[0] == 0x56 && b[3] == 0xE1 && b[5] == 0x00);
	cr_expect_eq(gang_mac_parse(&mac, "00:80:E1:12:34", &d), GANG_EUSAGE);
	cr_expect_eq(gang_mac_parse(&mac, "00:80:E1:12:34:5G", &d), GANG_EUSAGE);
	cr_expect_eq(gang_mac_parse(&mac, "00:80:E1:12:34:56:", &d), GANG_EUSAGE);
}

FIX_STORE_TEST(data_pool, a_mac_pool_hands_out_its_range_once_and_never_changes, setup)
{
	gang_data_taken v;
	gang_diag d = { 0 };

	cr_assert_eq(gang_data_mac_ensure(db, "mac", 0x0080E1000000ULL, 0x0080E1000001ULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(take("mac", UID_A, &v), 0);
	cr_expect_str_eq(v.hex, "", "a mac pool has no value rows");
	cr_expect_eq(take("mac", UID_B, &v), 1);
	cr_expect_eq(take("mac", UID_A, &v), 0, "same UID, same value");
	cr_expect_eq(gang_data_reserve(&v, db, "mac", UID_C, NULL, &d), GANG_EPOOL_DRY);
	cr_expect_str_eq(d.msg, "data pool 'mac' ran dry (all 2 values used)");
	cr_expect_eq(gang_data_mac_ensure(db, "mac", 0x0080E1000000ULL, 0x0080E10000FFULL, &d), GANG_EPROFILE);
	cr_expect_str_eq(d.msg, "data pool 'mac' already exists with range 00:80:E1:00:00:00..00:80:E1:00:00:01; "
				"the profile asks for 00:80:E1:00:00:00..00:80:E1:00:00:FF (a pool's range never "
				"changes: use a new pool name)");
	cr_expect_eq(gang_data_mac_check(db, "mac", 0x0080E1000000ULL, 0x0080E1000001ULL, &d), GANG_OK);
}

FIX_STORE_TEST(data_pool, an_import_is_all_or_nothing_and_names_file_and_line, setup)
{
	gang_diag d = { 0 };
	char want[400];

	cr_expect_eq(import("keys", "k1\nk2\n\n# comment\nk1\n", false, &d), GANG_EUSAGE);
	snprintf(want, sizeof(want), "%s:5: same value as line 1 (each value may be imported once)", file);
	cr_expect_str_eq(d.msg, want);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM data_pools"), 0);
	cr_assert_eq(import("keys", "k1\n0x6b32\n", false, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(import("keys", "k3\nk2\n", false, &d), GANG_EUSAGE, "0x6b32 is \"k2\"");
	snprintf(want, sizeof(want), "%s:2: value already in pool 'keys' as index 1", file);
	cr_expect_str_eq(d.msg, want);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM data_values"), 2, "k3 was not stored either");
	cr_expect_eq(import("keys", "k3\n", true, &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "data pool 'keys' holds non-secret values; import without --secret");
	cr_assert_eq(import("keys", "k3\n", false, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT size FROM data_pools WHERE name = 'keys'"), 3);
	cr_expect_eq(fix_q_int(db, "SELECT idx FROM data_values WHERE value = '6b33'"), 2, "appended");
}

FIX_STORE_TEST(data_pool, a_list_gives_each_board_its_own_value_and_runs_dry, setup)
{
	gang_data_taken v;
	gang_diag d = { 0 };

	cr_assert_eq(import("keys", "0x0102\nabc\n", false, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_data_list_check(db, "keys", false, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_data_list_check(db, "keys", true, &d), GANG_EPROFILE);
	cr_expect_eq(gang_data_list_check(db, "none", false, &d), GANG_EPROFILE);
	cr_expect_eq(take("keys", UID_A, &v), 0);
	cr_expect_str_eq(v.hex, "0102");
	cr_expect_eq(take("keys", UID_B, &v), 1);
	cr_expect_str_eq(v.hex, "616263");
	cr_expect_str_eq(v.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cr_expect_eq(take("keys", UID_A, &v), 0);
	cr_expect_eq(gang_data_reserve(&v, db, "keys", UID_C, NULL, &d), GANG_EPOOL_DRY);
	cr_expect_str_eq(d.msg, "data pool 'keys' ran dry (all 2 values used)");
	cr_expect_str_eq(v.hex, "", "nothing handed out");
}

typedef struct rows {
	int n;
	char text[512];
} rows;

static int collect(void *user, const gang_data_row *r, gang_diag *d)
{
	rows *w = user;
	size_t o = strlen(w->text);

	(void)d;
	w->n++;
	snprintf(w->text + o, sizeof(w->text) - o, "%llu %s %s [%s] %.8s %s|", (unsigned long long)r->index, r->state,
		 r->uid, r->hex, r->sha256, r->reason);
	return GANG_OK;
}

FIX_STORE_TEST(data_pool, burn_and_void_keep_their_trail_and_a_secret_is_never_listed, setup)
{
	gang_data_taken v;
	gang_diag d = { 0 };
	rows w = { 0 };

	cr_assert_eq(import("keys", "secret-1\nsecret-2\n", true, &d), GANG_OK, "%s", d.msg);
	take("keys", UID_A, &v);
	cr_expect_str_eq(v.hex, "7365637265742d31", "reserve returns the value: it is programmed");
	take("keys", UID_B, &v);
	cr_assert_eq(gang_data_burn(db, "keys", UID_A, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_burn(db, "keys", UID_A, &d), GANG_OK, "idempotent");
	cr_assert_eq(gang_data_void(db, "keys", 1, "label misprinted", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_data_void(db, "keys", 1, "again", &d), GANG_EUSAGE);
	cr_expect_eq(gang_data_void(db, "keys", 7, "never", &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "index 7 of data pool 'keys' was never handed out; nothing to void");
	cr_expect_eq(gang_data_void(db, "keys", 0, "", &d), GANG_EUSAGE);
	cr_assert_eq(gang_data_list(db, "keys", NULL, collect, &w, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(w.n, 2);
	cr_expect_str_eq(w.text, "0 burned " UID_A " [] f7e7c36e |1 void " UID_B " [] f4b6bb65 label misprinted|");
	memset(&w, 0, sizeof(w));
	cr_assert_eq(gang_data_list(db, "keys", "void", collect, &w, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(w.n, 1);
	cr_expect_eq(gang_data_reserve(&v, db, "keys", UID_B, NULL, &d), GANG_EPOOL_DRY,
		     "a voided value is never handed out again");
}

FIX_STORE_TEST(data_pool, the_constraints_hold_for_code_that_bypasses_the_allocator, setup)
{
	gang_data_taken v;
	gang_diag d = { 0 };

	cr_assert_eq(import("keys", "a\nb\nc\n", false, &d), GANG_OK, "%s", d.msg);
	take("keys", UID_A, &v);
	cr_expect_neq(fix_exec(db, "INSERT INTO data_allocs (pool, idx, uid, state, reserved_at) VALUES "
				   "('keys', 0, '" UID_A "', 'reserved', 'x')"), 0, "one board per value");
	cr_expect_neq(fix_exec(db, "INSERT INTO data_allocs (pool, idx, uid, state, reserved_at) VALUES "
				   "('keys', 1, '" UID_A "', 'reserved', 'x')"), 0, "one live value per board");
	cr_expect_neq(fix_exec(db, "DELETE FROM data_allocs"), 0, "never deleted");
	cr_expect_neq(fix_exec(db, "DELETE FROM data_values"), 0, "never deleted");
	cr_expect_neq(fix_exec(db, "INSERT INTO data_values (pool, idx, value, sha256) VALUES ('keys', 9, '61', 'x')"),
		      0, "a value once per pool");
	cr_assert_eq(gang_data_void(db, "keys", 0, "scrapped", &d), GANG_OK, "%s", d.msg);
	cr_expect_neq(fix_exec(db, "UPDATE data_allocs SET state = 'burned' WHERE idx = 0"), 0, "void is final");
}

/* An open attempt on the board uid (identified), as a run opens it before the data step. */
static gang_attempt_key open_attempt(const char *uid)
{
	gang_attempt_info info = { .slot = "S1", .probe_serial = "066DFF485457725187092334", .profile_name = "p",
				   .profile_sha256 = "ab12", .image_sha256 = "cd34", .station = "line-2" };
	gang_attempt_target t = { .uid = uid, .part = "STM32F103RC", .connect_mode = "normal" };
	gang_attempt_key k = { .seq = 0 };
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_db_attempt_identify(db, &k, &t, &d), GANG_OK, "%s", d.msg);
	return k;
}

/* A trigger that refuses any burn of a data value, in the backend's dialect. */
static void refuse_data_burns(void)
{
	const char *sql = strcmp(fix_backends[fix_backend_ix].name, "sqlite") == 0
				  ? "CREATE TRIGGER test_no_burn BEFORE UPDATE OF state ON data_allocs WHEN NEW.state = "
				    "'burned' BEGIN SELECT RAISE(ABORT, 'injected: the disk failed here'); END"
				  : "CREATE TRIGGER test_no_burn BEFORE UPDATE OF state ON data_allocs FOR EACH ROW WHEN "
				    "(NEW.state = 'burned') EXECUTE FUNCTION gang_refuse('injected: the disk failed here')";

	cr_assert_eq(fix_exec(db, sql), GANG_OK);
}

FIX_STORE_TEST(data_pool, the_pass_burns_the_boards_values_in_its_own_transaction_or_is_not_recorded, setup)
{
	gang_data_taken v;
	gang_diag d = { 0 };
	gang_attempt_key k;

	cr_assert_eq(import("keys", "k1\nk2\n", true, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_mac_ensure(db, "macs", 0x0080E1000000ULL, 0x0080E10000FFULL, &d), GANG_OK, "%s", d.msg);
	k = open_attempt(UID_A);
	cr_assert_eq(gang_data_reserve(&v, db, "keys", UID_A, &k, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_reserve(&v, db, "macs", UID_A, &k, &d), GANG_OK, "%s", d.msg);
	take("keys", UID_B, &v);   /* another board's value stays reserved */
	/* a failure between the pass and the burns: neither is written */
	refuse_data_burns();
	cr_expect_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_EDB);
	cr_expect_neq(strstr(d.msg, "injected"), NULL, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE result IS NULL AND finished_at IS NULL"), 1,
		     "no pass without its burned values");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM boards WHERE last_result = 'pass'"), 0);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM data_allocs WHERE state = 'reserved'"), 3);
	/* without the failure the same pass commits with both values burned */
	cr_assert_eq(fix_exec(db, "DROP TRIGGER test_no_burn ON data_allocs") == GANG_OK ||
			     fix_exec(db, "DROP TRIGGER test_no_burn") == GANG_OK, 1);
	cr_assert_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM data_allocs WHERE state = 'burned' AND uid = '" UID_A
				   "' AND burned_at IS NOT NULL"), 2);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM data_allocs WHERE state = 'reserved' AND uid = '" UID_B "'"), 1);
}

FIX_STORE_TEST(data_pool, a_value_voided_while_its_board_was_programmed_refuses_the_pass, setup)
{
	gang_data_taken v;
	gang_diag d = { 0 };
	gang_attempt_key k;

	cr_assert_eq(import("keys", "k1\nk2\n", false, &d), GANG_OK, "%s", d.msg);
	k = open_attempt(UID_A);
	cr_assert_eq(gang_data_reserve(&v, db, "keys", UID_A, &k, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_data_void(db, "keys", v.index, "key leaked", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_ESERIAL_VOIDED);
	cr_expect_neq(strstr(d.msg, "the value of data pool 'keys' reserved for board " UID_A " was voided while it "
				    "was programmed; the pass is not recorded"), NULL, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE result IS NULL"), 1);
	cr_assert_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_FAIL, "record", "voided", &d), GANG_OK, "%s", d.msg);
	/* the next attempt takes a new value, and its pass burns it */
	k = open_attempt(UID_A);
	cr_assert_eq(gang_data_reserve(&v, db, "keys", UID_A, &k, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(v.index, 1);
	cr_assert_eq(gang_db_attempt_finish(db, &k, GANG_ATTEMPT_PASS, NULL, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM data_allocs WHERE state = 'burned' AND idx = 1"), 1);
}

FIX_STORE_TEST(data_pool, a_label_names_one_board_and_trace_finds_it, setup)
{
	gang_diag d = { 0 };
	char **uids = NULL;
	size_t n = 0;

	cr_assert_eq(gang_scan_bind(db, "PCB-00000001", UID_A, NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_scan_bind(db, "PCB-00000001", UID_A, NULL, &d), GANG_OK, "the same board again");
	cr_expect_eq(gang_scan_bind(db, "PCB-00000001", UID_B, NULL, &d), GANG_ESCAN_TAKEN);
	cr_expect_str_eq(d.msg, "label 'PCB-00000001' is already bound to board " UID_A);
	cr_expect_eq(fix_exec(db, "UPDATE boards SET serial = 'SN-7', serial_pool = 'p' WHERE uid = '" UID_A "'"), 0);
	cr_expect_eq(gang_scan_bind(db, "PCB-00000001", UID_B, NULL, &d), GANG_ESCAN_TAKEN);
	cr_expect_str_eq(d.msg, "label 'PCB-00000001' is already bound to board " UID_A ", serial SN-7");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM scans"), 1);
	cr_expect_neq(fix_exec(db, "DELETE FROM scans"), 0, "never unbound");
	cr_assert_eq(gang_db_trace_find(&uids, &n, db, "PCB-00000001", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(uids[0], UID_A);
	gang_db_trace_uids_free(uids, n);
	cr_assert_eq(gang_db_trace_find(&uids, &n, db, "PCB-00000009", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(n, 0);
	gang_db_trace_uids_free(uids, n);
}
