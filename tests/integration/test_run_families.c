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

/* An Intel HEX file of n (addr, bytes, len) pieces (type 04 extended linear addresses). */
static void write_ihex(const char *path, const uint32_t *addrs, const uint8_t *const *data, const size_t *lens,
		       size_t n)
{
	FILE *fp = fopen(path, "w");

	cr_assert_not_null(fp);
	for (size_t k = 0; k < n; k++) {
		unsigned hi = addrs[k] >> 16, sum = 2U + 4U + (hi >> 8) + (hi & 0xFFU);

		fprintf(fp, ":02000004%04X%02X\n", hi, (0x100U - (sum & 0xFFU)) & 0xFFU);
		for (size_t off = 0; off < lens[k]; off += 16) {
			size_t m = lens[k] - off < 16 ? lens[k] - off : 16;
			unsigned a = (addrs[k] + (unsigned)off) & 0xFFFFU;

			sum = (unsigned)m + (a >> 8) + (a & 0xFFU);
			fprintf(fp, ":%02X%04X00", (unsigned)m, a);
			for (size_t i = 0; i < m; i++) {
				fprintf(fp, "%02X", data[k][off + i]);
				sum += data[k][off + i];
			}
			fprintf(fp, "%02X\n", (0x100U - (sum & 0xFFU)) & 0xFFU);
		}
	}
	fputs(":00000001FF\n", fp);
	fclose(fp);
}

/*
 * RM0090 §3.8: OTP at 0x1FFF7800 is written once and never erased. gang
 * flash writes an image's OTP bytes only with --confirm-otp, leaves
 * everything untouched without it, accepts the same bytes again and
 * refuses different ones, naming the byte.
 */
Test(run_families, otp_bytes_are_written_once_and_only_with_their_confirmation)
{
	static const uint8_t code[64] = { 0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08 };
	uint8_t otp[32], other[32];
	const uint8_t *d1[2] = { code, otp }, *d2[1] = { other };
	const uint32_t a1[2] = { 0x08000000U, 0x1FFF7800U }, a2[1] = { 0x1FFF7800U };
	const size_t l1[2] = { sizeof(code), sizeof(otp) }, l2[1] = { sizeof(other) };
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], img2[ITEST_PATH_MAX], back[ITEST_PATH_MAX], *err;
	const char *plain[] = { "flash", img, "--erase", "sectors", NULL };
	const char *sure[] = { "flash", img, "--erase", "sectors", "--confirm-otp",
			       "I understand OTP bytes can never be erased", NULL };
	const char *again[] = { "flash", img2, "--confirm-otp", "I understand OTP bytes can never be erased", NULL };
	const char *rd[] = { "read", back, "--address", "0x1FFF7800", "--size", "32", NULL };
	uint8_t *got;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(otp); i++) {
		otp[i] = (uint8_t)(0x40U + i);
		other[i] = (uint8_t)(0x80U + i);
	}
	bench_for(bench, sizeof(bench), &fam_cases[1], "");
	snprintf(img, sizeof(img), "%s/otp.hex", env.dir);
	snprintf(img2, sizeof(img2), "%s/otp2.hex", env.dir);
	snprintf(back, sizeof(back), "%s/back.bin", env.dir);
	write_ihex(img, a1, d1, l1, 2);
	write_ihex(img2, a2, d2, l2, 1);
	cr_assert_eq(itest_run(&env, bench, plain, 60), 2, "without the confirmation gang must refuse");
	err = itest_slurp(env.err, NULL);
	cr_assert_not_null(strstr(err, "--confirm-otp"), "%s", err);
	free(err);
	cr_assert_eq(itest_run(&env, bench, rd, 60), 0);
	got = (uint8_t *)itest_slurp(back, &n);
	cr_assert(n == 32 && got[0] == 0xFF && got[31] == 0xFF, "OTP written without confirmation");
	free(got);
	cr_assert_eq(itest_run(&env, bench, sure, 60), 0, "with the confirmation");
	cr_assert_eq(itest_run(&env, bench, rd, 60), 0);
	got = (uint8_t *)itest_slurp(back, &n);
	cr_assert(n == 32 && memcmp(got, otp, 32) == 0, "OTP does not hold the image's bytes");
	free(got);
	cr_assert_eq(itest_run(&env, bench, sure, 60), 0, "the same bytes again are nothing to write");
	cr_assert_eq(itest_run(&env, bench, again, 60), 1, "other bytes over written OTP must fail");
	err = itest_slurp(env.err, NULL);
	cr_assert_not_null(strstr(err, "OTP byte at 0x1FFF7800 already holds 0x40, not 0x80"), "%s", err);
	free(err);
}

/*
 * RM0090 §3.6.2 Table 7: x32 needs 2.7 V, x16 2.1 V. At 2.5 V gang programs
 * half-words (the bench fails x32 there with PGPERR) and stays on the HSI;
 * at 2.0 V it refuses with a sentence naming the supply before writing.
 */
Test(run_families, the_f4_supply_picks_x16_below_2v7_and_refuses_below_2v1)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], *err;
	const char *argv[] = { "flash", img, "--erase", "sectors", NULL };

	itest_path(img, sizeof(img), &env, "profiles/firmware/demo-f407.hex");
	bench_for(bench, sizeof(bench), &fam_cases[1], "vdd_mv = 2500;");
	cr_assert_eq(itest_run(&env, bench, argv, 60), 0, "x16 at 2.5 V");
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1);
	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	bench_for(bench, sizeof(bench), &fam_cases[1], "vdd_mv = 2000;");
	cr_assert_eq(itest_run(&env, bench, argv, 60), 2, "below 2.1 V gang must refuse");
	err = itest_slurp(env.err, NULL);
	cr_assert_not_null(strstr(err, "only at 2.1 V or more, and the board's supply reads 1.9"), "%s", err);
	free(err);
}
