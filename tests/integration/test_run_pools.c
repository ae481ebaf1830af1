/*
 * test_run_pools.c — data pools in `gang run` on the virtual bench
 * (profiles/README.md "Data items"): a MAC and a list value written at
 * their addresses next to the serial, burned on the pass and listed by
 * `gang pool list`; a list pool that runs dry stops the next board before
 * programming; a secret value appears nowhere but the pool's value table
 * (database, log, every report format, trace, listing); the import's
 * refusals name file:line.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

#define BENCH_FIXED "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_ONE "tests/fixtures/benches/run-by-hand.cfg"
#define SECRET "S3cr3tK3y-0042"
#define SECRET_HEX "5333637233744b33792d30303432"

ITEST_SUITE(run_pools, 90);

/* DIR/p.cfg: the demo firmware, a serial at 0x0803F800, no retries, then data. */
static const char *profile(const char *data)
{
	static char path[ITEST_PATH_MAX];
	char text[4096];

	snprintf(text, sizeof(text),
		 "name = \"pools\";\ntarget = \"STM32F103RC\";\n"
		 "image = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		 "erase = \"mass\";\nverify = \"crc\";\n"
		 "serial = { pool = \"itest\"; address = 0x0803F800; format = \"u32le\"; start = 5000; end = 999999; };\n"
		 "retries = 0;\ndata = (\n%s\n);\n",
		 env.root, data);
	cr_assert(itest_write(path, sizeof(path), &env, "p.cfg", text));
	return path;
}

static const char *mac_item(const char *order)
{
	static char item[256];

	snprintf(item, sizeof(item),
		 "{ pool = \"mac\"; address = 0x0803F810; format = \"mac\"; byte_order = \"%s\"; "
		 "start = \"00:80:E1:00:00:00\"; end = \"00:80:E1:00:FF:FF\"; }", order);
	return item;
}

static int gang(const char *const *argv)
{
	return itest_run(&env, BENCH_ONE, argv, 60);
}

static int import(const char *pool, const char *text, const char *secret)
{
	char file[ITEST_PATH_MAX];
	const char *argv[] = { "pool", "import", pool, file, "--db", env.db, secret, NULL };

	cr_assert(itest_write(file, sizeof(file), &env, "values.txt", text));
	return gang(argv);
}

static int run(const char *bench, const char *prof, const char *boards, const char *log)
{
	const char *argv[] = { "run", prof, "--boards", boards, "--db", env.db, "--plain", "--batch", "b7",
			       log ? "--log" : NULL, log, "--log-level", "debug", NULL };

	return itest_run(&env, bench, argv, 80);
}

static uint8_t *board_flash(const char *uid)
{
	char path[ITEST_PATH_MAX + 64];
	size_t len = 0;
	uint8_t *flash;

	snprintf(path, sizeof(path), "%s/%s/flash.bin", env.state, uid);
	cr_assert_not_null(flash = (uint8_t *)itest_slurp(path, &len));
	cr_assert_geq(len, 0x40000U);
	return flash;
}

static void expect_err(const char *needle)
{
	char *err = itest_slurp(env.err, NULL);

	cr_expect_not_null(err && strstr(err, needle), "'%s' not in stderr:\n%s", needle, err ? err : "");
	free(err);
}

Test(run_pools, a_mac_and_a_list_value_are_written_next_to_the_serial_burned_and_listed)
{
	char items[1024], uid[32], sql[256];
	const char *list_argv[] = { "pool", "list", "mac", "--db", env.db, NULL };
	uint8_t *flash;
	int64_t idx;

	cr_assert_eq(import("keys", "# supplier batch 7\n0x00112233445566778899AABBCCDDEEFF\n0xA0A1A2A3\n", NULL), 0);
	snprintf(items, sizeof(items), "%s,\n{ pool = \"keys\"; address = 0x0803F820; format = \"list\"; length = 16; "
		 "pad = 0xEE; }", mac_item("lsb-first"));
	cr_assert_eq(run(BENCH_FIXED, profile(items), "2", NULL), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM data_allocs WHERE state = 'burned'"), 4);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'data' AND result = 'pass'"), 2);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM data_allocs WHERE pool = 'keys' AND idx = 1"));
	snprintf(sql, sizeof(sql), "SELECT idx FROM data_allocs WHERE pool = 'mac' AND uid = '%s'", uid);
	idx = itest_db_int(&env, sql);
	flash = board_flash(uid);
	cr_expect_eq(flash[0x3F810], (uint8_t)idx, "lsb-first: the last octet first");
	cr_expect_eq(flash[0x3F813], 0xE1);
	cr_expect_eq(flash[0x3F815], 0x00);
	cr_expect_eq(flash[0x3F820], 0xA0);
	cr_expect_eq(flash[0x3F823], 0xA3);
	cr_expect_eq(flash[0x3F824], 0xEE, "padded up to length");
	cr_expect_eq(flash[0x3F82F], 0xEE);
	free(flash);
	cr_assert_eq(gang(list_argv), 0);
	cr_expect_eq(itest_count(env.out, "00:80:E1:00:00:00"), 1);
	cr_expect_eq(itest_count(env.out, "00:80:E1:00:00:01"), 1);
	cr_expect_eq(itest_count(env.out, " burned "), 2);
}

Test(run_pools, a_list_pool_that_runs_dry_stops_the_next_board_before_programming)
{
	int rc;

	cr_assert_eq(import("keys", "only-one\n", NULL), 0);
	rc = run(BENCH_FIXED, profile("{ pool = \"keys\"; address = 0x0803F820; format = \"list\"; length = 8; }"), "2",
		 NULL);
	cr_expect_neq(rc, 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'fail' AND error_class = 'data' "
				  "AND error_message = 'data pool ''keys'' ran dry (all 1 values used) — stop and ask "
				  "the engineer'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'program'"), 1,
		     "the dry board was never programmed");
	cr_expect_geq(itest_count(env.out, "data pool 'keys' ran dry"), 1);
}

/* Every cell of every table but data_values, as text: neither the secret nor its hex. */
static void expect_db_clean(void)
{
	sqlite3 *db;
	sqlite3_stmt *tables, *rows;
	char sql[160];
	int cells = 0;

	cr_assert_eq(sqlite3_open_v2(env.db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> "
					"'data_values'", -1, &tables, NULL), SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", sqlite3_column_text(tables, 0));
		cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
		while (sqlite3_step(rows) == SQLITE_ROW)
			for (int c = 0; c < sqlite3_column_count(rows); c++, cells++) {
				const char *v = (const char *)sqlite3_column_text(rows, c);

				cr_expect(!v || (!strcasestr(v, SECRET) && !strcasestr(v, SECRET_HEX)),
					  "the secret in %s.%s: %s", sqlite3_column_text(tables, 0),
					  sqlite3_column_name(rows, c), v);
			}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	cr_expect_gt(cells, 50);
}

static void expect_file_clean(const char *path)
{
	char *text = itest_slurp(path, NULL);

	cr_assert_not_null(text, "%s", path);
	cr_expect(!strcasestr(text, SECRET) && !strcasestr(text, SECRET_HEX), "the secret in %s:\n%s", path, text);
	free(text);
}

Test(run_pools, a_secret_value_is_programmed_but_appears_nowhere_outside_its_value_table)
{
	static const char *const formats[] = { "text", "csv", "json", "html" };
	char log[ITEST_PATH_MAX], uid[32], sha[80];
	const char *list_argv[] = { "pool", "list", "keys", "--db", env.db, NULL };
	const char *trace_argv[] = { "trace", uid, "--db", env.db, NULL };
	uint8_t *flash;

	cr_assert_eq(import("keys", "not-this-one\n" SECRET "\n", "--secret"), 0);
	cr_assert_eq(import("keys", "0x01\n", NULL), 2, "a secret pool takes only secret imports");
	snprintf(log, sizeof(log), "%s/gang.log", env.dir);
	/* the first value goes to a board of an earlier batch, so the secret is the second */
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM data_values"), 2);
	cr_assert_eq(run(BENCH_FIXED, profile("{ pool = \"keys\"; address = 0x0803F820; format = \"list\"; "
					      "length = 16; secret = true; }"), "2", log), 0);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM data_allocs WHERE idx = 1"));
	flash = board_flash(uid);
	cr_expect_eq(memcmp(flash + 0x3F820, SECRET, strlen(SECRET)), 0, "the board holds the secret");
	free(flash);
	cr_assert(itest_db_text(sha, sizeof(sha), &env, "SELECT sha256 FROM data_values WHERE idx = 1"));
	cr_expect_geq(itest_count(log, sha), 1, "the log names the value by its SHA-256");
	expect_file_clean(log);
	expect_file_clean(env.out);
	expect_file_clean(env.err);
	expect_db_clean();
	for (size_t i = 0; i < 4; i++) {
		const char *argv[] = { "report", "--format", formats[i], "--db", env.db, NULL };

		cr_expect_eq(gang(argv), 0, "report --format %s", formats[i]);
		expect_file_clean(env.out);
	}
	cr_expect_eq(gang(trace_argv), 0);
	cr_expect_geq(itest_count(env.out, "keys #1 sha256 "), 1, "trace names the value by index and SHA-256");
	expect_file_clean(env.out);
	{
		const char *json_argv[] = { "trace", uid, "--format", "json", "--db", env.db, NULL };

		cr_expect_eq(gang(json_argv), 0);
		expect_file_clean(env.out);
	}
	cr_expect_eq(gang(list_argv), 0);
	cr_expect_geq(itest_count(env.out, "(secret)"), 2);
	expect_file_clean(env.out);
}

/*
 * A board that fails after its data step keeps its values reserved; every
 * report format lists it with its values (the secret by index and SHA-256
 * only) and its scanned label, and counts each data pool.
 */
Test(run_pools, a_failed_boards_values_and_label_are_in_every_report_format_but_never_the_secret)
{
	static const char *const formats[] = { "text", "csv", "json", "html" };
	char text[4096], prof[ITEST_PATH_MAX], sha[80], want[160];

	cr_assert_eq(import("keys", SECRET "\n", "--secret"), 0);
	snprintf(text, sizeof(text),
		 "name = \"pools\";\ntarget = \"STM32F103RC\";\n"
		 "image = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		 "erase = \"mass\";\nverify = \"crc\";\nretries = 0;\n"
		 "serial = { pool = \"itest\"; address = 0x0803F800; format = \"u32le\"; start = 5000; end = 999999; };\n"
		 "scan = { required = true; pattern = \"^PCB-[0-9]{8}$\"; };\n"
		 "steps = ( { name = \"selftest\"; after = \"verify\"; run = \"exit 3\"; } );\n"
		 "data = (\n%s,\n{ pool = \"keys\"; address = 0x0803F820; format = \"list\"; length = 16; secret = true; }\n);\n",
		 env.root, mac_item("msb-first"));
	cr_assert(itest_write(prof, sizeof(prof), &env, "p.cfg", text));
	cr_assert(itest_write(env.in, sizeof(env.in), &env, "scans.txt", "PCB-00000042\n"));
	cr_assert_eq(run(BENCH_ONE, prof, "1", NULL), 1, "the board fails its self-test");
	env.in[0] = '\0';
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM data_allocs WHERE state = 'reserved'"), 2);
	cr_assert(itest_db_text(sha, sizeof(sha), &env, "SELECT sha256 FROM data_values WHERE idx = 0"));
	snprintf(want, sizeof(want), "keys #0 sha256 %s; mac 00:80:E1:00:00:00", sha);
	for (size_t i = 0; i < 4; i++) {
		const char *argv[] = { "report", "--format", formats[i], "--db", env.db, NULL };

		cr_expect_eq(gang(argv), 0, "report --format %s", formats[i]);
		cr_expect_eq(itest_count(env.out, want), 1, "report --format %s names the board's values", formats[i]);
		cr_expect_eq(itest_count(env.out, "PCB-00000042"), 1, "report --format %s names its label", formats[i]);
		expect_file_clean(env.out);
		truncate(env.out, 0);
	}
}

Test(run_pools, an_import_is_refused_whole_naming_file_and_line)
{
	cr_expect_eq(import("keys", "aa\n# c\nbb\n\naa\n", NULL), 2);
	expect_err("values.txt:5: same value as line 1");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM data_values"), 0, "nothing stored");
	cr_expect_eq(import("keys", "0xabc\n", NULL), 2);
	expect_err("values.txt:1: \"0x\" must be followed by pairs of hex digits");
	cr_assert_eq(import("keys", "aa\nbb\n", NULL), 0);
	cr_expect_eq(import("keys", "cc\n0x6262\n", NULL), 2, "0x6262 is \"bb\"");
	expect_err("values.txt:2: value already in pool 'keys' as index 1");
	cr_expect_eq(itest_db_int(&env, "SELECT size FROM data_pools WHERE name = 'keys'"), 2);
	cr_expect_eq(import("keys", "", NULL), 2);
	expect_err("no values");
}

Test(run_pools, a_mac_pool_takes_no_import_and_a_list_pool_must_be_imported_before_the_run)
{
	const char *p = profile(mac_item("msb-first"));

	cr_assert_eq(run(BENCH_ONE, p, "1", NULL), 0);
	cr_expect_eq(import("mac", "aa\n", NULL), 2);
	expect_err("data pool 'mac' is a mac pool; only list pools take imports");
	cr_expect_eq(import("itest", "aa\n", NULL), 2);
	expect_err("'itest' is a serial pool; only list pools take imports");
	p = profile("{ pool = \"keys\"; address = 0x0803F820; format = \"list\"; length = 4; }");
	cr_expect_neq(run(BENCH_ONE, p, "1", NULL), 0);
	expect_err("list pool 'keys' has no values yet: import the supplier's file first (gang pool import keys FILE)");
}

Test(run_pools, check_refuses_what_run_refuses_and_shows_each_data_pool)
{
	char items[1024];
	const char *p;
	const char *argv[] = { "check", NULL, "--db", env.db, NULL };
	char *out;

	snprintf(items, sizeof(items), "%s,\n{ pool = \"keys\"; address = 0x0803F820; format = \"list\"; length = 16; "
		 "secret = true; }", mac_item("msb-first"));
	p = profile(items);
	argv[1] = p;
	cr_expect_eq(gang(argv), 2);
	expect_err("list pool 'keys' has no values yet: import the supplier's file first (gang pool import keys FILE "
		   "--secret)");
	cr_assert_eq(import("keys", "k1\nk2\n", "--secret"), 0);
	truncate(env.out, 0);
	cr_expect_eq(gang(argv), 0);
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, "  data          pool mac: MAC address, 6 bytes msb-first at 0x0803F810\n"), "%s", out);
	cr_expect_not_null(strstr(out, "  mac pool 'mac': created by the first run\n"), "%s", out);
	cr_expect_not_null(strstr(out, "  list pool 'keys' (secret): 0 of 2 handed out, 2 left\n"), "%s", out);
	cr_expect_not_null(strstr(out, "bytes to program  290 (image 264 + serial 4 + data 22)"), "%s", out);
	free(out);
}

Test(run_pools, a_verify_failure_inside_a_secret_value_names_the_address_but_no_byte)
{
	char path[ITEST_PATH_MAX], text[2048], log[ITEST_PATH_MAX + 16];

	/* flash-stuck: bit 2 of 0x08000123 stays 0; the secret's 4th byte 'd' (0x64) needs it */
	cr_assert_eq(import("keys", "abcdSECRETvalue1\n", "--secret"), 0);
	snprintf(text, sizeof(text),
		 "name = \"stuck\";\ntarget = \"STM32F103RC\";\nimage = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		 "erase = \"mass\";\nverify = \"readback\";\nretries = 0;\n"
		 "data = ( { pool = \"keys\"; address = 0x08000120; format = \"list\"; length = 16; secret = true; } );\n",
		 env.root);
	cr_assert(itest_write(path, sizeof(path), &env, "stuck.cfg", text));
	snprintf(log, sizeof(log), "%s/gang.log", env.dir);
	{
		const char *argv[] = { "run", path, "--boards", "1", "--db", env.db, "--plain", "--log", log,
				       "--log-level", "debug", NULL };

		cr_expect_eq(itest_run(&env, "tests/fixtures/benches/flash-stuck.cfg", argv, 60), 1);
	}
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'verify' AND result = 'fail' AND "
				  "detail = 'failed at 0x08000123, inside the secret value of pool ''keys'' (its bytes "
				  "are not shown)'"), 1);
	cr_expect_eq(itest_count(log, "wrote 0x64"), 0);
	cr_expect_eq(itest_count(env.out, "wrote 0x64"), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE detail LIKE '%0x64%'"), 0);
	cr_expect_geq(itest_count(env.out, "verify failed at 0x08000123"), 1, "the operator still hears where");
}
