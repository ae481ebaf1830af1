/*
 * test_run_families_l4.c — gang on the double-word bench parts (G0, C0,
 * G4, L4, L4+, WB, WL), end to end: `gang flash` of the demo builds on
 * every part (page erase, double-word loader, CRC verify), the founding
 * failures (firmware that takes PA13/PA14, firmware that enters Stop
 * without the DBGMCU bits) recovered under reset with the same operator
 * sentence on a G0 and an L4, production runs with serials and option
 * bytes by their RM names on a G071 and an L476, and the loader's choice
 * (fast rows after a mass erase, double words after a page erase) seen in
 * the bench's modelled time.
 * Facts: RM0444 §7.4.1 and RM0351 §8.5.1 (GPIOA_MODER: PA13/PA14 out of AF
 * mode carry no SWD), RM0444 §40.9.2 and RM0351 §48.16.3 (DBG_STOP), RM0444
 * §3.7.8 and RM0351 §3.7.8 (FLASH_OPTR fields), RM0351 §3.3.7 (fast rows).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

ITEST_SUITE(run_families_l4, 180);

typedef struct dw_case {
	const char *part;
	const char *probe;
	const char *image;        /* demo build for the part's GPIO map */
} dw_case;

static const dw_case dw_cases[] = {
	{ "STM32G031K8", "066DFF485457725187084D01", "profiles/firmware/demo-g0.hex" },
	{ "STM32G071RB", "066DFF485457725187084D02", "profiles/firmware/demo-g0.hex" },
	{ "STM32G0B1RE", "066DFF485457725187084D03", "profiles/firmware/demo-g0.hex" },
	{ "STM32C031C6", "066DFF485457725187084D04", "profiles/firmware/demo-g0.hex" },
	{ "STM32G431KB", "066DFF485457725187084D05", "profiles/firmware/demo-l4.hex" },
	{ "STM32G474RE", "066DFF485457725187084D06", "profiles/firmware/demo-l4.hex" },
	{ "STM32L432KC", "066DFF485457725187084D07", "profiles/firmware/demo-l4.hex" },
	{ "STM32L476RG", "066DFF485457725187084D08", "profiles/firmware/demo-l4.hex" },
	{ "STM32L4R5ZI", "066DFF485457725187084D09", "profiles/firmware/demo-l4.hex" },
	{ "STM32WB55RG", "066DFF485457725187084D0A", "profiles/firmware/demo-l4.hex" },
	{ "STM32WLE5JC", "066DFF485457725187084D0B", "profiles/firmware/demo-l4.hex" },
};
#define DW_G071 (&dw_cases[1])
#define DW_L476 (&dw_cases[7])

/* The G0 and L4 demo images with their serial as u32le in page 8 (tools/firmware/demo-g0.ld, demo-l4.ld). */
static const itest_layout g071_layout = { "profiles/firmware/demo-g0.hex", 0x08004000U, 128U * 1024U };
static const itest_layout l476_layout = { "profiles/firmware/demo-l4.hex", 0x08004000U, 1024U * 1024U };

static void bench_for(char *out, size_t cap, const dw_case *c, const char *extra)
{
	char text[1024], name[64];

	snprintf(text, sizeof(text), "probes = ( { serial = \"%s\"; model = \"V2\"; target = \"%s\"; %s } );\n",
		 c->probe, c->part, extra);
	snprintf(name, sizeof(name), "bench-%s.cfg", c->part);
	cr_assert(itest_write(out, cap, &env, name, text));
}

static void flash_one(const dw_case *c, const char *erase)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], *err;
	const char *argv[] = { "flash", img, "--erase", erase, NULL };
	int rc;

	bench_for(bench, sizeof(bench), c, "");
	itest_path(img, sizeof(img), &env, c->image);
	rc = itest_run(&env, bench, argv, 90);
	err = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "%s: gang flash --erase %s exit %d: %s", c->part, erase, rc, err ? err : "");
	free(err);
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", c->part);
}

Test(run_families_l4, gang_flash_programs_and_verifies_every_double_word_part)
{
	for (size_t i = 0; i < sizeof(dw_cases) / sizeof(dw_cases[0]); i++) {
		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		flash_one(&dw_cases[i], "pages");
		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		flash_one(&dw_cases[i], "mass");
	}
}

/*
 * The line of gang's output that tells the operator why it connected
 * under reset, with the part's name taken out, so a G0's and an L4's can
 * be compared.
 */
static void reason_line(char *out, size_t cap, const char *part)
{
	char *all = itest_slurp(env.err, NULL), *line, *save = NULL, *p;

	out[0] = '\0';
	cr_assert_not_null(all);
	for (line = strtok_r(all, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "under reset") && !strstr(line, "firmware"))
			continue;
		if ((p = strstr(line, part)) != NULL)
			memmove(p, p + strlen(part), strlen(p + strlen(part)) + 1);
		if ((p = strchr(line, ']')) != NULL && line[0] == '[')   /* drop a "[slot]" prefix */
			line = p + 1;
		snprintf(out, cap, "%s", line);
		break;
	}
	free(all);
	cr_assert(out[0] != '\0', "%s: the operator is not told why it connected under reset", part);
}

/* gang flash of the part's demo on a board whose firmware does `extra`; auto connect recovers under reset. */
static void recover_one(char *reason, size_t cap, const dw_case *c, const char *extra)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX];
	const char *argv[] = { "flash", img, "--erase", "pages", NULL };
	int rc;

	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	bench_for(bench, sizeof(bench), c, extra);
	itest_path(img, sizeof(img), &env, c->image);
	rc = itest_run(&env, bench, argv, 90);
	cr_assert_eq(rc, 0, "%s: gang flash exit %d", c->part, rc);
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", c->part);
	reason_line(reason, cap, c->part);
}

Test(run_families_l4, firmware_that_takes_the_swd_pins_is_recovered_under_reset_on_g0_and_l4)
{
	char fw[ITEST_PATH_MAX], extra[ITEST_PATH_MAX + 128], g0[512], l4[512];

	itest_path(fw, sizeof(fw), &env, "tools/firmware/demo-g0-swdoff.bin");
	snprintf(extra, sizeof(extra), "tray = ( { firmware = \"%s\"; swd_disabled = true; } );", fw);
	recover_one(g0, sizeof(g0), DW_G071, extra);
	itest_path(fw, sizeof(fw), &env, "tools/firmware/demo-l4-swdoff.bin");
	snprintf(extra, sizeof(extra), "tray = ( { firmware = \"%s\"; swd_disabled = true; } );", fw);
	recover_one(l4, sizeof(l4), DW_L476, extra);
	cr_assert_str_eq(g0, l4, "the G0 and the L4 operator hear different sentences");
}

/* Firmware that enters Stop at once without DBG_STOP (SCR.SLEEPDEEP, WFI): the debug port goes silent. */
Test(run_families_l4, firmware_that_sleeps_in_stop_is_recovered_under_reset_on_g0_and_l4)
{
	char fw[ITEST_PATH_MAX], extra[ITEST_PATH_MAX + 64], g0[512], l4[512];

	itest_path(fw, sizeof(fw), &env, "tests/fixtures/benches/stop-f103.bin");
	snprintf(extra, sizeof(extra), "firmware = \"%s\";", fw);
	recover_one(g0, sizeof(g0), DW_G071, extra);
	recover_one(l4, sizeof(l4), DW_L476, extra);
	cr_assert_str_eq(g0, l4, "the G0 and the L4 operator hear different sentences");
}

/* Four boards: serials in page 8, option bytes by the family's names, every board traceable. */
static void production_run(const dw_case *c, const itest_layout *layout, const char *erase, const char *user)
{
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], why[ITEST_WHY_MAX] = "", text[1024], img[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "4", "--db", env.db, "--plain", NULL };
	int rc;

	bench_for(bench, sizeof(bench), c, "boards = 4; swap_s = 0.3;");
	itest_path(img, sizeof(img), &env, layout->image);
	snprintf(text, sizeof(text),
		 "name = \"dw\";\ntarget = \"%s\";\nimage = { file = \"%s\"; };\n"
		 "erase = \"%s\";\nverify = \"crc\";\n"
		 "serial = { pool = \"dw\"; address = 0x08004000; format = \"u32le\"; start = 100; end = 999; };\n"
		 "option_bytes = { user = { %s }; };\n"
		 "after = \"run\";\nretries = 1;\n", c->part, img, erase, user);
	cr_assert(itest_write(prof, sizeof(prof), &env, "dw.cfg", text));
	rc = itest_run(&env, bench, argv, 150);
	cr_assert_eq(rc, 0, "%s: gang run exit %d", c->part, rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 4, "%s", c->part);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 4, "%s", c->part);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts"), 4, "%s", c->part);
	cr_assert(itest_invariants(&env, layout, why, sizeof(why)), "%s: %s", c->part, why);
}

Test(run_families_l4, production_run_on_g071_with_serials_and_option_bytes)
{
	production_run(DW_G071, &g071_layout, "pages", "BOR_EN = true; BORR_LEV = 1; nRST_STOP = true;");
}

Test(run_families_l4, production_run_on_l476_with_serials_option_bytes_and_fast_rows)
{
	production_run(DW_L476, &l476_layout, "mass", "BOR_LEV = 1; IWDG_STOP = true; nRST_STOP = true;");
}

/* The shipped examples run as they are on their parts' benches. */
Test(run_families_l4, the_g071_and_l476_example_profiles_run_on_the_bench)
{
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", NULL };

	bench_for(bench, sizeof(bench), DW_G071, "boards = 2; swap_s = 0.3;");
	itest_path(prof, sizeof(prof), &env, "profiles/g071.cfg");
	cr_assert_eq(itest_run(&env, bench, argv, 120), 0, "profiles/g071.cfg");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	bench_for(bench, sizeof(bench), DW_L476, "boards = 2; swap_s = 0.3;");
	itest_path(prof, sizeof(prof), &env, "profiles/l476.cfg");
	cr_assert_eq(itest_run(&env, bench, argv, 120), 0, "profiles/l476.cfg");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
}

/* The bench's modelled time of its one board, in µs (GANGSIM_STATS: the probe, then its boards). */
static long long modelled_us(const char *stats)
{
	char *s = itest_slurp(stats, NULL), *b;
	long long us = -1;

	cr_assert_not_null(s, "no stats file %s", stats);
	b = strstr(s, "\"boards\"");
	if (b && (b = strstr(b, "\"virtual_us\": ")) != NULL)
		us = atoll(b + strlen("\"virtual_us\": "));
	cr_assert_gt(us, 0, "no board's virtual_us in %s", s);
	free(s);
	return us;
}

/* gang flash FILE --erase erase on a fresh one-board V3 bench of part; the modelled µs. */
static long long timed_flash(const char *part, const char *file, const char *erase)
{
	char bench[ITEST_PATH_MAX], stats[ITEST_PATH_MAX + 16], set[ITEST_PATH_MAX + 32], text[256];
	const char *wrap[] = { "env", set, NULL };
	const char *argv[] = { "flash", file, "--erase", erase, "--swd-khz", "24000", NULL };
	int rc;

	snprintf(text, sizeof(text), "probes = ( { serial = \"003F00213137510A39383538\"; model = \"V3\"; "
		 "target = \"%s\"; } );\n", part);
	cr_assert(itest_write(bench, sizeof(bench), &env, "timed.cfg", text));
	snprintf(stats, sizeof(stats), "%s/stats-%s.json", env.dir, erase);
	snprintf(set, sizeof(set), "GANGSIM_STATS=%s", stats);
	env.wrap = wrap;
	rc = itest_run(&env, bench, argv, 90);
	env.wrap = NULL;
	cr_assert_eq(rc, 0, "%s --erase %s: exit %d", part, erase, rc);
	return modelled_us(stats);
}

/*
 * RM0351 §3.3.7 and DS10198: 64 KiB in double words takes at least 8192 x
 * 82 us = 0.67 s, in fast rows 256 x 1.91 ms = 0.49 s. After a mass erase
 * gang must be below the double-word time (it chose rows); after a page
 * erase it must program double words (FSTPG would fail there), so above it.
 */
/* A 64 KiB image of random bytes without 0xFF (every double word programmed) in the test's directory. */
static void random_image(char *file, size_t cap)
{
	uint8_t *b = malloc(65536);
	unsigned seed = 5;
	FILE *fp;

	cr_assert_not_null(b);
	for (size_t i = 0; i < 65536; i++) {
		seed = seed * 1103515245U + 12345U;
		b[i] = (uint8_t)((seed >> 16) % 255U);
	}
	snprintf(file, cap, "%s/r64.bin", env.dir);
	fp = fopen(file, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(b, 1, 65536, fp), 65536U);
	fclose(fp);
	free(b);
}

Test(run_families_l4, fast_rows_after_a_mass_erase_and_double_words_after_a_page_erase)
{
	static const char *const parts[] = { "STM32L476RG", "STM32G071RB" };
	char file[ITEST_PATH_MAX];

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		long long mass, pages;

		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		random_image(file, sizeof(file));
		mass = timed_flash(parts[i], file, "mass");
		pages = timed_flash(parts[i], file, "pages");
		cr_expect_lt(mass, 8192LL * 82LL, "%s: %lld us after a mass erase: not in fast rows", parts[i], mass);
		cr_expect_gt(pages, 8192LL * 82LL, "%s: %lld us after a page erase", parts[i], pages);
	}
}
