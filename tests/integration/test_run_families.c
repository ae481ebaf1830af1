/*
 * test_run_families.c — gang on the F2/F4/F7 sector-flash bench parts,
 * end to end: `gang flash` of the F4 demo build on every part (sector
 * erase of only what the image touches, x32 loader, CRC verify), the
 * founding failure (firmware that takes PA13/PA14, recovered under reset
 * with the operator's sentence), a production run with serials, option
 * bytes by their RM0090 names and traceability on an F407, and a serial
 * in bank 2 of a dual-bank F429 (sector 12 = SNB 0x10).
 * Facts: RM0090 §3.3 (sectors, banks), §3.9.10 (OPTCR), §8.4.1 (GPIOA_MODER
 * PA13/PA14 in AF mode carry SWD); RM0033 (F2), RM0385/RM0410 (F7).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

ITEST_SUITE(run_families, 120);

typedef struct fam_case {
	const char *part;
	const char *probe;        /* probe serial on the bench */
} fam_case;

static const fam_case fam_cases[] = {
	{ "STM32F205RG", "066DFF485457725187084B01" }, { "STM32F407VG", "066DFF485457725187084B02" },
	{ "STM32F411RE", "066DFF485457725187084B03" }, { "STM32F429ZI", "066DFF485457725187084B04" },
	{ "STM32F446RE", "066DFF485457725187084B05" }, { "STM32F746ZG", "066DFF485457725187084B06" },
	{ "STM32F767ZI", "066DFF485457725187084B07" },
};

/* The F4 demo image with its serial as u32le in sector 3 (tools/firmware/demo-f407.ld). */
static const itest_layout f407_layout = { "profiles/firmware/demo-f407.hex", 0x0800C000U, 1024U * 1024U };

static void bench_for(char *out, size_t cap, const fam_case *c, const char *extra)
{
	char text[768], name[64];

	snprintf(text, sizeof(text), "probes = ( { serial = \"%s\"; model = \"V2\"; target = \"%s\"; %s } );\n",
		 c->probe, c->part, extra);
	snprintf(name, sizeof(name), "bench-%s.cfg", c->part);
	cr_assert(itest_write(out, cap, &env, name, text));
}

static void flash_one(const fam_case *c)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], *err;
	const char *argv[] = { "flash", img, "--erase", "pages", NULL };
	int rc;

	bench_for(bench, sizeof(bench), c, "");
	itest_path(img, sizeof(img), &env, "profiles/firmware/demo-f407.hex");
	rc = itest_run(&env, bench, argv, 60);
	err = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "%s: gang flash exit %d: %s", c->part, rc, err ? err : "");
	free(err);
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", c->part);
}

Test(run_families, gang_flash_programs_and_verifies_every_sector_part)
{
	for (size_t i = 0; i < sizeof(fam_cases) / sizeof(fam_cases[0]); i++) {
		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		flash_one(&fam_cases[i]);
	}
}

/* The board's firmware turns PA13/PA14 into outputs at reset: auto connect recovers under reset. */
static void swdoff_one(const fam_case *c)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], extra[ITEST_PATH_MAX + 128];
	const char *argv[] = { "flash", img, "--erase", "pages", NULL };
	int rc;

	itest_path(img, sizeof(img), &env, "tools/firmware/demo-f407-swdoff.bin");
	snprintf(extra, sizeof(extra), "tray = ( { firmware = \"%s\"; swd_disabled = true; } );", img);
	bench_for(bench, sizeof(bench), c, extra);
	itest_path(img, sizeof(img), &env, "profiles/firmware/demo-f407.hex");
	rc = itest_run(&env, bench, argv, 60);
	cr_assert_eq(rc, 0, "%s: gang flash exit %d", c->part, rc);
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", c->part);
	cr_assert_geq(itest_count(env.err, "firmware") + itest_count(env.out, "firmware"), 1,
		      "%s: the operator is not told why it connected under reset", c->part);
}

Test(run_families, firmware_that_takes_the_swd_pins_is_recovered_under_reset_on_every_sector_part)
{
	for (size_t i = 0; i < sizeof(fam_cases) / sizeof(fam_cases[0]); i++) {
		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		swdoff_one(&fam_cases[i]);
	}
}

/* Four F407 boards: serials, BOR_LEV and nWRP by name, sectors 0 and 3 erased, every board traceable. */
Test(run_families, production_run_on_f407_with_serials_option_bytes_and_traceability)
{
	char bench[ITEST_PATH_MAX], why[ITEST_WHY_MAX] = "";
	char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "4", "--db", env.db, "--plain", NULL };
	int rc;

	bench_for(bench, sizeof(bench), &fam_cases[1], "boards = 4; swap_s = 0.3;");
	{
		char text[1024], img[ITEST_PATH_MAX];

		itest_path(img, sizeof(img), &env, f407_layout.image);
		snprintf(text, sizeof(text),
			 "name = \"f407\";\ntarget = \"STM32F407VG\";\nimage = { file = \"%s\"; };\n"
			 "erase = \"sectors\";\nverify = \"crc\";\n"
			 "serial = { pool = \"f4\"; address = 0x0800C000; format = \"u32le\"; start = 100; end = 999; };\n"
			 "option_bytes = { user = { BOR_LEV = 1; nRST_STOP = true; }; };\n"
			 "after = \"run\";\nretries = 1;\n", img);
		cr_assert(itest_write(prof, sizeof(prof), &env, "f407.cfg", text));
	}
	rc = itest_run(&env, bench, argv, 90);
	cr_assert_eq(rc, 0, "gang run exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts"), 4);
	cr_assert(itest_invariants(&env, &f407_layout, why, sizeof(why)), "%s", why);
}

/* RM0090 §3.9.8: bank 2's first sector is SNB 0x10; the serial lands there and bank 1 keeps the image. */
Test(run_families, a_serial_in_bank_2_of_an_f429_is_erased_programmed_and_verified)
{
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], text[1024], img[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", NULL };
	int rc;

	bench_for(bench, sizeof(bench), &fam_cases[3], "boards = 2; swap_s = 0.3;");
	itest_path(img, sizeof(img), &env, f407_layout.image);
	snprintf(text, sizeof(text),
		 "name = \"f429\";\ntarget = \"STM32F429ZI\";\nimage = { file = \"%s\"; };\n"
		 "erase = \"sectors\";\nverify = \"crc\";\n"
		 "serial = { pool = \"f429\"; address = 0x08100000; format = \"u32le\"; start = 1; end = 99; };\n"
		 "after = \"run\";\nretries = 0;\n", img);
	cr_assert(itest_write(prof, sizeof(prof), &env, "f429.cfg", text));
	rc = itest_run(&env, bench, argv, 90);
	cr_assert_eq(rc, 0, "gang run exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 2);
}
