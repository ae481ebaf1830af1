/*
 * test_run_families_l0.c — gang on the L0/L1 bench parts (the PECR
 * controller, erased 0x00), end to end: `gang flash` of the L053 demo
 * build on every part (page erase of what the image touches, half-page
 * loader, CRC verify), the founding failures (firmware that takes
 * PA13/PA14, or enters Stop without DBG_STOP, recovered under reset with
 * the operator's sentence), and a
 * production run on four L053 boards with the serial in data EEPROM,
 * option words by their RM0377 names and traceability.
 * Facts: RM0377/RM0367 §3.3 (pages, half pages, data EEPROM at
 * 0x08080000), §3.4.1 (option words), §9.4.1 (GPIOA_MODER: PA13/PA14 in AF
 * mode carry SWD); tools/firmware/README.md (the demo builds).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

ITEST_SUITE(run_families_l0, 120);

typedef struct l0_case {
	const char *part;
	const char *probe;        /* probe serial on the bench */
} l0_case;

static const l0_case l0_cases[] = {
	{ "STM32L011K4", "066DFF485457725187084C01" }, { "STM32L053R8", "066DFF485457725187084C02" },
	{ "STM32L073RZ", "066DFF485457725187084C03" }, { "STM32L152RE", "066DFF485457725187084C04" },
};

static void bench_for(char *out, size_t cap, const l0_case *c, const char *extra)
{
	char text[768], name[64];

	snprintf(text, sizeof(text), "probes = ( { serial = \"%s\"; model = \"V2\"; target = \"%s\"; %s } );\n",
		 c->probe, c->part, extra);
	snprintf(name, sizeof(name), "bench-%s.cfg", c->part);
	cr_assert(itest_write(out, cap, &env, name, text));
}

static void flash_one(const l0_case *c)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], *err;
	const char *argv[] = { "flash", img, "--erase", "pages", NULL };
	int rc;

	bench_for(bench, sizeof(bench), c, "");
	itest_path(img, sizeof(img), &env, "profiles/firmware/demo-l053.hex");
	rc = itest_run(&env, bench, argv, 60);
	err = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "%s: gang flash exit %d: %s", c->part, rc, err ? err : "");
	free(err);
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", c->part);
}

Test(run_families_l0, gang_flash_programs_and_verifies_every_l0_l1_part)
{
	for (size_t i = 0; i < sizeof(l0_cases) / sizeof(l0_cases[0]); i++) {
		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		flash_one(&l0_cases[i]);
	}
}

/* The board's firmware turns PA13/PA14 into outputs at reset: auto connect recovers under reset. */
Test(run_families_l0, firmware_that_takes_the_swd_pins_is_recovered_under_reset_on_an_l053)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], extra[ITEST_PATH_MAX + 128], *out, *err;
	const char *argv[] = { "flash", img, "--erase", "pages", NULL };
	int rc;

	itest_path(img, sizeof(img), &env, "tools/firmware/demo-l053-swdoff.bin");
	snprintf(extra, sizeof(extra), "tray = ( { firmware = \"%s\"; swd_disabled = true; } );", img);
	bench_for(bench, sizeof(bench), &l0_cases[1], extra);
	itest_path(img, sizeof(img), &env, "profiles/firmware/demo-l053.hex");
	rc = itest_run(&env, bench, argv, 60);
	out = itest_slurp(env.out, NULL);
	err = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "gang flash exit %d: %s%s", rc, out ? out : "", err ? err : "");
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1);
	/* the same operator sentence as on F1/F4: why it connected under reset */
	cr_assert_geq(itest_count(env.err, "SWD disabled by firmware") + itest_count(env.out, "SWD disabled by firmware"),
		      1, "the operator is not told why it connected under reset: %s%s", out ? out : "", err ? err : "");
	free(out);
	free(err);
}

/*
 * The other seed failure: firmware that enters Stop at once (SCB_SCR.SLEEPDEEP,
 * WFI; tests/fixtures/benches/stop-l053.bin) while DBG_CR.DBG_STOP is clear
 * (RM0377 §27.9.2; writable only with RCC_APB2ENR.DBGEN): the port falls
 * silent, auto connect recovers under reset with the same sentence.
 */
Test(run_families_l0, firmware_that_enters_stop_is_recovered_under_reset_on_an_l053)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], extra[ITEST_PATH_MAX + 64], *out, *err;
	const char *argv[] = { "flash", img, "--erase", "pages", NULL };
	int rc;

	itest_path(img, sizeof(img), &env, "tests/fixtures/benches/stop-l053.bin");
	snprintf(extra, sizeof(extra), "firmware = \"%s\";", img);
	bench_for(bench, sizeof(bench), &l0_cases[1], extra);
	itest_path(img, sizeof(img), &env, "profiles/firmware/demo-l053.hex");
	rc = itest_run(&env, bench, argv, 60);
	out = itest_slurp(env.out, NULL);
	err = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "gang flash exit %d: %s%s", rc, out ? out : "", err ? err : "");
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1);
	cr_assert_geq(itest_count(env.err, "SWD disabled by firmware") + itest_count(env.out, "SWD disabled by firmware"),
		      1, "the operator is not told why it connected under reset: %s%s", out ? out : "", err ? err : "");
	free(out);
	free(err);
}

/* Each passing board holds its serial as u32le at the start of its data EEPROM (the bench's otp.bin). */
static void expect_serials_in_eeprom(int boards)
{
	char list[4096], path[ITEST_PATH_MAX + 64], *save = NULL;
	int seen = 0;

	cr_assert(itest_db_text(list, sizeof(list), &env, "SELECT group_concat(uid || ':' || serial_value, ',') FROM "
			       "attempts WHERE result = 'pass'"));
	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		unsigned long v;
		uint8_t *ee;
		size_t n = 0;

		cr_assert_not_null(colon, "%s", tok);
		*colon = '\0';
		v = strtoul(colon + 1, NULL, 10);
		snprintf(path, sizeof(path), "%s/%s/otp.bin", env.state, tok);
		ee = (uint8_t *)itest_slurp(path, &n);
		cr_assert_not_null(ee, "board %s: no data EEPROM state %s", tok, path);
		cr_assert_geq(n, 2048U, "board %s: the L053's EEPROM is 2 KiB (the bench's file: the family's largest)", tok);
		cr_assert_eq((unsigned long)ee[0] | (unsigned long)ee[1] << 8 | (unsigned long)ee[2] << 16 |
				     (unsigned long)ee[3] << 24, v, "board %s: EEPROM does not hold serial %lu", tok, v);
		for (size_t i = 4; i < 2048U; i++)
			cr_assert_eq(ee[i], 0x00, "board %s: EEPROM byte %zu written", tok, i);
		free(ee);
		/* option word 1 (USER, RM0377 §3.4.1): BOR_LEV 9 in [3:0], nRST_STOP b5, complement above */
		snprintf(path, sizeof(path), "%s/%s/option_bytes.bin", env.state, tok);
		ee = (uint8_t *)itest_slurp(path, &n);
		cr_assert(ee != NULL && n >= 8, "board %s: %s", tok, path);
		cr_assert_eq(ee[4] & 0x2FU, 0x29U, "board %s: USER option word 0x%02X%02X", tok, ee[5], ee[4]);
		cr_assert_eq((uint8_t)(ee[4] ^ ee[6]), 0xFFU, "board %s: USER complement", tok);
		free(ee);
		seen++;
	}
	cr_assert_eq(seen, boards);
}

/* The demo image, byte for byte, at the start of every passing board's flash; erased (0x00) after it. */
static void expect_image_in_flash(int boards)
{
	char list[4096], path[ITEST_PATH_MAX + 64], bin[ITEST_PATH_MAX], *save = NULL;
	size_t want_n = 0;
	uint8_t *want;
	int seen = 0;

	itest_path(bin, sizeof(bin), &env, "tools/firmware/demo-l053.bin");
	want = (uint8_t *)itest_slurp(bin, &want_n);
	cr_assert_not_null(want);
	cr_assert(itest_db_text(list, sizeof(list), &env, "SELECT group_concat(uid, ',') FROM attempts WHERE "
			       "result = 'pass'"));
	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t n = 0;
		uint8_t *fl;

		snprintf(path, sizeof(path), "%s/%s/flash.bin", env.state, tok);
		fl = (uint8_t *)itest_slurp(path, &n);
		cr_assert(fl != NULL && n >= want_n, "board %s: %s", tok, path);
		cr_assert_arr_eq(fl, want, want_n, "board %s: flash is not the demo image", tok);
		for (size_t i = want_n; i < n; i++)
			cr_assert_eq(fl[i], 0x00, "board %s: flash byte 0x%zX after the image", tok, i);
		free(fl);
		seen++;
	}
	free(want);
	cr_assert_eq(seen, boards);
}

/* Four L053 boards: serials in data EEPROM, BOR_LEV and nRST_STOP by name, every board traceable. */
Test(run_families_l0, production_run_on_l053_with_the_serial_in_data_eeprom)
{
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], text[1024], img[ITEST_PATH_MAX], *err;
	const char *argv[] = { "run", prof, "--boards", "4", "--db", env.db, "--plain", NULL };
	int rc;

	bench_for(bench, sizeof(bench), &l0_cases[1], "boards = 4; swap_s = 0.3;");
	itest_path(img, sizeof(img), &env, "profiles/firmware/demo-l053.hex");
	snprintf(text, sizeof(text),
		 "name = \"l053\";\ntarget = \"STM32L053R8\";\nimage = { file = \"%s\"; };\n"
		 "erase = \"pages\";\nverify = \"crc\";\n"
		 "serial = { pool = \"l0\"; address = 0x08080000; format = \"u32le\"; start = 100; end = 999; };\n"
		 "option_bytes = { user = { BOR_LEV = 9; nRST_STOP = true; }; };\n"
		 "after = \"run\";\nretries = 1;\n", img);
	cr_assert(itest_write(prof, sizeof(prof), &env, "l053.cfg", text));
	rc = itest_run(&env, bench, argv, 90);
	err = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "gang run exit %d: %s", rc, err ? err : "");
	free(err);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT serial_value) FROM attempts WHERE result = 'pass'"), 4);
	expect_serials_in_eeprom(4);
	expect_image_in_flash(4);
}

/*
 * gang flash writes an image's bytes in data EEPROM after the flash (RM0377
 * §3.3.4: word writes, no erase step) and gang read reads them back; the
 * bytes around them stay 0x00.
 */
Test(run_families_l0, gang_flash_writes_an_images_eeprom_bytes_and_gang_read_reads_them)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], back[ITEST_PATH_MAX], *err;
	const char *fl[] = { "flash", img, "--erase", "pages", NULL };
	const char *rd[] = { "read", back, "--address", "0x08080000", "--size", "32", NULL };
	static const char hex[] =
		":020000040800F2\n:080000000010002009000008B7\n"
		":020000040808EA\n:0600040011223344556691\n:00000001FF\n";
	static const uint8_t want[10] = { 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	uint8_t *got;
	size_t n = 0;
	FILE *fp;

	snprintf(img, sizeof(img), "%s/ee.hex", env.dir);
	snprintf(back, sizeof(back), "%s/back.bin", env.dir);
	fp = fopen(img, "w");
	cr_assert_not_null(fp);
	fputs(hex, fp);
	fclose(fp);
	bench_for(bench, sizeof(bench), &l0_cases[1], "");
	cr_assert_eq(itest_run(&env, bench, fl, 60), 0, "gang flash");
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1);
	cr_assert_eq(itest_run(&env, bench, rd, 60), 0, "gang read of the data EEPROM");
	got = (uint8_t *)itest_slurp(back, &n);
	cr_assert(got != NULL && n == 32, "read %zu bytes", n);
	cr_assert_arr_eq(got, want, sizeof(want));
	for (size_t i = sizeof(want); i < n; i++)
		cr_assert_eq(got[i], 0x00, "EEPROM byte %zu", i);
	free(got);
	rd[3] = "0x08080800";   /* just past the L053's 2 KiB */
	cr_assert_eq(itest_run(&env, bench, rd, 60), 2, "past the EEPROM is not memory");
	err = itest_slurp(env.err, NULL);
	cr_assert_not_null(strstr(err, "data EEPROM 0x08080000-0x080807FF"), "%s", err);
	free(err);
}

