/*
 * test_run_h7.c — gang on the STM32H7 bench parts, end to end: `gang
 * flash` with CRC verify on every H7 part, an image spanning both banks
 * of an H743ZI (programmed in both at once: its modelled time about half
 * that of the same bytes in one bank), option bytes by their RM0433 names
 * set and read back, a production run with serials in bank 2 on four
 * H743ZI boards, and the founding failure (firmware that takes the SWD
 * pins, recovered under reset with the operator's sentence); sectors of both
 * banks erased together, the RDP regression, a swapped board programmed,
 * verified, read back and erased through the swapped map (and a swap
 * refused while sectors stay write-protected), the H745's Cortex-M4 boot
 * address by name (refused on the H743), and an unnamed board told H745ZI
 * or H743ZI.
 * Facts: RM0433 §4.2 (two banks of 8 x 128 KiB, bank 2 at 0x08100000),
 * §4.3.9 (each bank programs its own flash words), §4.9.9 (OPTSR fields);
 * RM0468 (H723, one bank).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

ITEST_SUITE(run_h7, 240);

typedef struct h7_case {
	const char *part;
	const char *probe;        /* probe serial on the bench */
	uint32_t flash_kib;
} h7_case;

static const h7_case h7_cases[] = {
	{ "STM32H743ZI", "066DFF485457725187084C01", 2048U }, { "STM32H745ZI", "066DFF485457725187084C02", 2048U },
	{ "STM32H723ZG", "066DFF485457725187084C03", 1024U }, { "STM32H750VB", "066DFF485457725187084C04", 128U },
};

/* The F2/F4/F7 demo build (it runs from 0x08000000 on any Cortex-M4/M7), serial in bank 2's sector 0. */
static const itest_layout h743_layout = { "profiles/firmware/demo-f407.hex", 0x08100000U, 2048U * 1024U };

static void bench_for(char *out, size_t cap, const h7_case *c, const char *model, const char *extra)
{
	char text[768], name[64];

	snprintf(text, sizeof(text), "probes = ( { serial = \"%s\"; model = \"%s\"; target = \"%s\"; %s } );\n",
		 c->probe, model, c->part, extra);
	snprintf(name, sizeof(name), "bench-%s-%s.cfg", c->part, model);
	cr_assert(itest_write(out, cap, &env, name, text));
}

/* DIR/name: n pseudo-random bytes (no erased flash word the loader could skip). */
static void random_image(char *out, size_t cap, const char *name, size_t n, uint32_t seed)
{
	uint32_t x = seed;
	FILE *f;

	snprintf(out, cap, "%s/%s", env.dir, name);
	cr_assert_not_null(f = fopen(out, "wb"));
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		fputc((int)(x & 0xFFU), f);
	}
	fclose(f);
}

/* The only board's flash file in the bench state (malloc'd), and its size. */
static uint8_t *board_flash(size_t *len_out)
{
	char cmd[ITEST_PATH_MAX + 64], path[ITEST_PATH_MAX] = "";
	FILE *p;
	uint8_t *data;

	snprintf(cmd, sizeof(cmd), "find '%s' -name flash.bin | head -1", env.state);
	cr_assert_not_null(p = popen(cmd, "r"));
	cr_assert_not_null(fgets(path, sizeof(path), p));
	pclose(p);
	path[strcspn(path, "\n")] = '\0';
	data = (uint8_t *)itest_slurp(path, len_out);
	cr_assert_not_null(data, "no flash file under %s", env.state);
	return data;
}

/* The file at img now lies at addr in the board's flash. */
static void expect_in_flash(const char *img, uint32_t addr)
{
	size_t n = 0, fl = 0;
	uint8_t *want = (uint8_t *)itest_slurp(img, &n), *flash = board_flash(&fl);

	cr_assert_not_null(want);
	cr_assert_geq(fl, addr - 0x08000000U + n);
	cr_expect_eq(memcmp(flash + (addr - 0x08000000U), want, n), 0, "image not in flash at 0x%08X", addr);
	free(want);
	free(flash);
}

/* `gang flash IMG --address A --erase pages` with stats; the board's modelled time in µs. */
static long long flash_timed(const char *bench, const char *img, const char *addr, const char *stats_name,
			     const char *khz)
{
	char stats[ITEST_PATH_MAX + 16], set[ITEST_PATH_MAX + 32], *s, *b;
	const char *wrap[] = { "env", set, NULL };
	const char *argv[] = { "flash", img, "--address", addr, "--erase", "pages", "--verify", "crc", "--swd-khz", khz,
			       NULL };
	long long us = -1;
	int rc;

	snprintf(stats, sizeof(stats), "%s/%s", env.dir, stats_name);
	snprintf(set, sizeof(set), "GANGSIM_STATS=%s", stats);
	env.wrap = wrap;
	rc = itest_run(&env, bench, argv, 120);
	env.wrap = NULL;
	s = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "gang flash exit %d: %s", rc, s ? s : "");
	free(s);
	cr_assert_not_null(s = itest_slurp(stats, NULL), "no stats file %s", stats);
	if ((b = strstr(s, "\"boards\"")) != NULL && (b = strstr(b, "\"virtual_us\": ")) != NULL)
		us = atoll(b + strlen("\"virtual_us\": "));
	free(s);
	cr_assert_gt(us, 0);
	return us;
}

Test(run_h7, gang_flash_programs_and_verifies_every_h7_part)
{
	for (size_t i = 0; i < sizeof(h7_cases) / sizeof(h7_cases[0]); i++) {
		char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX];

		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		bench_for(bench, sizeof(bench), &h7_cases[i], "V2", "");
		random_image(img, sizeof(img), "r64.bin", 64U * 1024U - 20U, 7U + (uint32_t)i);   /* a partial last flash word */
		flash_timed(bench, img, "0x08000000", "s.json", "4000");
		cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", h7_cases[i].part);
		expect_in_flash(img, 0x08000000U);
	}
}

/*
 * 256 KiB at 0x080E0000: 128 KiB in bank 1's sector 7 and 128 KiB in bank
 * 2's sector 0, at once, on a V3 at 24 MHz (flash-bound: at 4 MHz the link
 * would be the floor of the two-bank case).
 */
Test(run_h7, an_image_spanning_both_banks_takes_about_half_the_time_of_one_bank)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX];
	long long one, both;

	bench_for(bench, sizeof(bench), &h7_cases[0], "V3", "");
	random_image(img, sizeof(img), "r256.bin", 256U * 1024U, 11U);
	one = flash_timed(bench, img, "0x08000000", "one.json", "24000");
	expect_in_flash(img, 0x08000000U);
	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	bench_for(bench, sizeof(bench), &h7_cases[0], "V3", "");
	random_image(img, sizeof(img), "r256.bin", 256U * 1024U, 11U);
	both = flash_timed(bench, img, "0x080E0000", "both.json", "24000");
	expect_in_flash(img, 0x080E0000U);
	fprintf(stderr, "run_h7: 256 KiB on a V3, modelled: one bank %.3f s, both banks %.3f s (%.2f)\n", one / 1e6,
		both / 1e6, (double)both / (double)one);
	cr_expect_lt(both * 10, one * 6, "both banks %lld us, one bank %lld us: not about half", both, one);
}

/* RM0433 §4.9.9 names: set, read back, set back; a dual-core field refused on the single-core H743. */
Test(run_h7, option_bytes_by_rm0433_names_round_trip)
{
	char bench[ITEST_PATH_MAX];
	const char *set1[] = { "options", "set", "--set", "BOR_LEV=2", "--set", "FZ_IWDG_STOP=0", "--set",
			       "WRPSN=0xFFFFFEFE", NULL };
	const char *show[] = { "options", "show", NULL };
	const char *set0[] = { "options", "set", "--set", "BOR_LEV=0", "--set", "FZ_IWDG_STOP=1", "--set",
			       "WRPSN=0xFFFFFFFF", NULL };
	const char *bcm[] = { "options", "set", "--set", "BCM4=1", NULL };
	char *out;
	int rc;

	bench_for(bench, sizeof(bench), &h7_cases[0], "V2", "");
	rc = itest_run(&env, bench, set1, 60);
	out = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "options set exit %d: %s", rc, out ? out : "");
	free(out);
	cr_expect_eq(itest_count(env.out, "option bytes written, reloaded and confirmed"), 1);
	cr_assert_eq(itest_run(&env, bench, show, 60), 0);
	cr_expect_geq(itest_count(env.out, "BOR_LEV=2"), 1);
	cr_expect_geq(itest_count(env.out, "FZ_IWDG_STOP=0"), 1);
	cr_expect_geq(itest_count(env.out, "0xFFFFFEFE"), 1, "sector 0 of each bank write-protected");
	cr_assert_eq(itest_run(&env, bench, set0, 60), 0);
	cr_expect_eq(itest_count(env.out, "option bytes written, reloaded and confirmed"), 2);
	rc = itest_run(&env, bench, bcm, 60);
	cr_expect_neq(rc, 0, "BCM4 on a single-core H743");
	cr_expect_geq(itest_count(env.err, "option byte BCM4 exists only on the dual-core H745/H747/H755/H757, "
				  "not on the STM32H743ZI"), 1);
}

/* Four H743ZI boards: the image in bank 1, the serial in bank 2, option bytes by name, every board traceable. */
Test(run_h7, production_run_on_h743_with_serials_in_bank_2)
{
	char bench[ITEST_PATH_MAX], why[ITEST_WHY_MAX] = "", prof[ITEST_PATH_MAX], text[1024], img[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "4", "--db", env.db, "--plain", NULL };
	int rc;

	bench_for(bench, sizeof(bench), &h7_cases[0], "V2", "boards = 4; swap_s = 0.3;");
	itest_path(img, sizeof(img), &env, h743_layout.image);
	snprintf(text, sizeof(text),
		 "name = \"h743\";\ntarget = \"STM32H743ZI\";\nimage = { file = \"%s\"; };\n"
		 "erase = \"sectors\";\nverify = \"crc\";\n"
		 "serial = { pool = \"h7\"; address = 0x08100000; format = \"u32le\"; start = 100; end = 999; };\n"
		 "option_bytes = { user = { BOR_LEV = 3; IWDG1_SW = true; }; };\n"
		 "after = \"run\";\nretries = 1;\n", img);
	cr_assert(itest_write(prof, sizeof(prof), &env, "h743.cfg", text));
	rc = itest_run(&env, bench, argv, 180);
	cr_assert_eq(rc, 0, "gang run exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts"), 4);
	cr_assert(itest_invariants(&env, &h743_layout, why, sizeof(why)), "%s", why);
}

/* The board's firmware takes the SWD pins: auto connect recovers under reset and says why, on every H7 part. */
Test(run_h7, firmware_that_takes_the_swd_pins_is_recovered_under_reset_on_every_h7_part)
{
	for (size_t i = 0; i < sizeof(h7_cases) / sizeof(h7_cases[0]); i++) {
		char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], extra[ITEST_PATH_MAX + 128];
		const char *argv[] = { "flash", img, "--erase", "pages", NULL };
		int rc;

		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		itest_path(img, sizeof(img), &env, "tools/firmware/demo-f407-swdoff.bin");
		snprintf(extra, sizeof(extra), "tray = ( { firmware = \"%s\"; swd_disabled = true; } );", img);
		bench_for(bench, sizeof(bench), &h7_cases[i], "V2", extra);
		itest_path(img, sizeof(img), &env, "profiles/firmware/demo-f407.hex");
		rc = itest_run(&env, bench, argv, 60);
		cr_assert_eq(rc, 0, "%s: gang flash exit %d", h7_cases[i].part, rc);
		cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", h7_cases[i].part);
		cr_assert_geq(itest_count(env.err, "SWD disabled by firmware — recovered under reset") +
			      itest_count(env.out, "SWD disabled by firmware — recovered under reset"), 1,
			      "%s: the operator is not told why it connected under reset", h7_cases[i].part);
	}
}

/* The run's modelled time on the board, µs, of `gang ARGV` with stats (exit status asserted 0). */
static long long run_timed(const char *bench, const char *const *argv, const char *stats_name)
{
	char stats[ITEST_PATH_MAX + 16], set[ITEST_PATH_MAX + 32], *s, *b;
	const char *wrap[] = { "env", set, NULL };
	long long us = -1;
	int rc;

	snprintf(stats, sizeof(stats), "%s/%s", env.dir, stats_name);
	snprintf(set, sizeof(set), "GANGSIM_STATS=%s", stats);
	env.wrap = wrap;
	rc = itest_run(&env, bench, argv, 120);
	env.wrap = NULL;
	s = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "gang %s exit %d: %s", argv[0], rc, s ? s : "");
	free(s);
	cr_assert_not_null(s = itest_slurp(stats, NULL), "no stats file %s", stats);
	if ((b = strstr(s, "\"boards\"")) != NULL && (b = strstr(b, "\"virtual_us\": ")) != NULL)
		us = atoll(b + strlen("\"virtual_us\": "));
	free(s);
	cr_assert_gt(us, 0);
	return us;
}

/* [addr, addr + n) of the board's flash reads erased. */
static void expect_erased(uint32_t addr, size_t n)
{
	size_t fl = 0;
	uint8_t *flash = board_flash(&fl);

	cr_assert_geq(fl, addr - 0x08000000U + n);
	for (size_t i = 0; i < n; i++)
		if (flash[addr - 0x08000000U + i] != 0xFFU)
			cr_assert_fail("0x%08zX reads 0x%02X after the erase", addr + i, flash[addr - 0x08000000U + i]);
	free(flash);
}

/*
 * RM0433 §4.3.10: a sector in each bank erased together (one sector's
 * time), and RDP 1 -> 0 only with the regression allowed, erasing both
 * banks (§4.5.3).
 */
Test(run_h7, sectors_of_both_banks_erase_together_and_rdp_regression_erases_both)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX];
	const char *erase[] = { "erase", "--address", "0x080F0000", "--size", "0x20000", NULL };
	const char *rdp1[] = { "options", "set", "--set", "RDP=1", NULL };
	const char *rdp0[] = { "options", "set", "--set", "RDP=0", NULL };
	const char *rdp0_ok[] = { "options", "set", "--set", "RDP=0", "--allow-unprotect", NULL };
	long long us;

	bench_for(bench, sizeof(bench), &h7_cases[0], "V3", "");
	random_image(img, sizeof(img), "r256.bin", 256U * 1024U, 13U);
	flash_timed(bench, img, "0x080E0000", "p.json", "24000");
	us = run_timed(bench, erase, "e.json");
	cr_expect_lt(us, 1600000LL, "two sectors, one per bank, took %lld us: not at once", us);
	cr_expect_eq(itest_count(env.out, "erased 2 pages at 0x080E0000-0x0811FFFF"), 1);
	expect_erased(0x080E0000U, 256U * 1024U);
	flash_timed(bench, img, "0x080E0000", "p2.json", "24000");
	run_timed(bench, rdp1, "r1.json");
	cr_expect_neq(itest_run(&env, bench, rdp0, 60), 0, "RDP 1 -> 0 without --allow-unprotect");
	cr_expect_geq(itest_count(env.err, "add --allow-unprotect"), 1);
	run_timed(bench, rdp0_ok, "r0.json");
	expect_erased(0x080E0000U, 256U * 1024U);
}

/* The board's flash file (physical: bank 1, then bank 2) holds the file at img from offset off. */
static void expect_at_phys(const char *img, uint32_t off, size_t skip, size_t n)
{
	size_t len = 0, fl = 0;
	uint8_t *want = (uint8_t *)itest_slurp(img, &len), *flash = board_flash(&fl);

	cr_assert_not_null(want);
	cr_assert_geq(len, skip + n);
	cr_assert_geq(fl, off + n);
	cr_expect_eq(memcmp(flash + off, want + skip, n), 0, "image bytes %zu.. not at physical offset 0x%X", skip, off);
	free(want);
	free(flash);
}

/*
 * RM0433 §4.3.13: with SWAP_BANK_OPT set (in force after the reset gang
 * does), bank 2 answers at 0x08000000 and bank 1 at 0x08100000 while each
 * bank keeps its own KEYR/CR/SR. An image across the bank boundary is
 * erased, programmed (both banks at once), CRC-verified and read back
 * through the swapped map, and lands in the physical banks the map says:
 * its first half in bank 2's sector 7, its second in bank 1's sector 0.
 */
Test(run_h7, a_swapped_board_programs_verifies_and_reads_back_through_the_swapped_map)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], back[ITEST_PATH_MAX];
	const char *swap1[] = { "options", "set", "--set", "SWAP_BANK_OPT=1", NULL };
	const char *swap0[] = { "options", "set", "--set", "swap_bank_opt=0", NULL };
	const char *show[] = { "options", "show", NULL };
	const char *read[] = { "read", back, "--address", "0x080E0000", "--size", "0x40000", NULL };
	const char *erase[] = { "erase", "--address", "0x080E0000", "--size", "0x40000", NULL };
	size_t n = 0, m = 0;
	char *a, *b;

	bench_for(bench, sizeof(bench), &h7_cases[0], "V2", "");
	random_image(img, sizeof(img), "r256.bin", 256U * 1024U, 17U);
	snprintf(back, sizeof(back), "%s/back.bin", env.dir);
	cr_assert_eq(itest_run(&env, bench, swap1, 60), 0);
	cr_expect_eq(itest_count(env.out, "option bytes written, reloaded and confirmed"), 1);
	cr_assert_eq(itest_run(&env, bench, show, 60), 0);
	cr_expect_geq(itest_count(env.out, "SWAP_BANK_OPT=1"), 1);
	cr_expect_eq(itest_count(env.out, "NOTE       banks swapped: bank 2 answers at 0x08000000 (the boot "
				 "address), bank 1 at 0x08100000"), 2, "told after the set and by show");
	flash_timed(bench, img, "0x080E0000", "p.json", "4000");
	cr_expect_eq(itest_count(env.out, "programmed and verified"), 1);
	expect_at_phys(img, 0x1E0000U, 0, 128U * 1024U);               /* bank 2, sector 7 */
	expect_at_phys(img, 0x000000U, 128U * 1024U, 128U * 1024U);    /* bank 1, sector 0 */
	cr_assert_eq(itest_run(&env, bench, read, 60), 0);
	cr_assert_not_null(a = itest_slurp(img, &n));
	cr_assert_not_null(b = itest_slurp(back, &m));
	cr_expect(n == m && memcmp(a, b, n) == 0, "read back through the swapped map differs");
	free(a);
	free(b);
	cr_assert_eq(itest_run(&env, bench, erase, 60), 0);
	expect_erased(0x081E0000U, 128U * 1024U);   /* expect_erased counts physical offsets from 0x08000000 */
	expect_erased(0x08000000U, 128U * 1024U);
	cr_assert_eq(itest_run(&env, bench, swap0, 60), 0);
	cr_expect_eq(itest_count(env.out, "option bytes written, reloaded and confirmed"), 2);
	cr_expect_eq(itest_count(env.out, "banks swapped"), 2, "no note once swapped back (the two from before)");
}

/*
 * Write protection stays with the physical sector (RM0433 §4.9.17) while
 * a swap moves the sectors (§4.3.13): a swap with protection in force is
 * refused unless the same write removes it; protected after the swap,
 * sector 0 is the one at 0x08000000 (bank 2's), and programming there is
 * refused while bank 1's sector at 0x08100000 still takes an image.
 */
Test(run_h7, a_swap_with_write_protection_in_force_is_refused_unless_it_is_removed)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX];
	const char *prot[] = { "options", "set", "--wrp", "0", NULL };
	const char *swap[] = { "options", "set", "--set", "SWAP_BANK_OPT=1", NULL };
	const char *both[] = { "options", "set", "--set", "SWAP_BANK_OPT=1", "--wrp", "none", NULL };
	const char *show[] = { "options", "show", NULL };
	const char *at0[] = { "flash", img, "--erase", "pages", NULL };
	const char *at1[] = { "flash", img, "--address", "0x08100000", "--erase", "pages", NULL };
	char *out;
	int rc;

	bench_for(bench, sizeof(bench), &h7_cases[0], "V2", "");
	random_image(img, sizeof(img), "r4.bin", 4096U, 5U);
	cr_assert_eq(itest_run(&env, bench, prot, 60), 0);
	cr_expect_neq(itest_run(&env, bench, swap, 60), 0, "swapped with the protection left to guess");
	cr_expect_geq(itest_count(env.err, "SWAP_BANK_OPT = 1 exchanges the banks while sectors are "
				  "write-protected (WRPSN=0xFFFE)"), 1);
	cr_assert_eq(itest_run(&env, bench, both, 60), 0);
	cr_assert_eq(itest_run(&env, bench, prot, 60), 0);
	cr_assert_eq(itest_run(&env, bench, show, 60), 0);
	cr_expect_geq(itest_count(env.out, "SWAP_BANK_OPT=1"), 1);
	cr_expect_geq(itest_count(env.out, "0xFFFFFFFE"), 1, "sector 0 at 0x08000000 (bank 2's) protected");
	cr_expect_neq(itest_run(&env, bench, at0, 60), 0, "programmed a protected sector");
	cr_expect_geq(itest_count(env.err, "0x08000000"), 1, "the protected address named");
	rc = itest_run(&env, bench, at1, 60);
	out = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "bank 1's sector 0, at 0x08100000, is free: %s", out ? out : "");
	free(out);
	expect_at_phys(img, 0x000000U, 0, 4096U);
}

/* RM0399 §4.9: the H745's Cortex-M4 boot address by name; the same name refused on the single-core H743. */
Test(run_h7, cm4_boot_address_set_on_the_h745_and_refused_on_the_h743)
{
	char bench[ITEST_PATH_MAX];
	const char *show[] = { "options", "show", NULL };
	const char *set[] = { "options", "set", "--set", "BOOT_CM4_ADD0=0x0820", "--set", "BOOT_CM7_ADD1=0x0800", NULL };
	const char *old[] = { "options", "set", "--set", "BOOT_ADD0=0x0800", NULL };

	bench_for(bench, sizeof(bench), &h7_cases[1], "V2", "");
	cr_assert_eq(itest_run(&env, bench, show, 60), 0);
	cr_expect_geq(itest_count(env.out, "BOOT_CM4_ADD0=0x810"), 1, "factory: bank 2");
	cr_expect_eq(itest_count(env.out, "BOOT_ADD0="), 0, "the single-core name is not the H745's");
	cr_assert_eq(itest_run(&env, bench, set, 60), 0);
	cr_expect_eq(itest_count(env.out, "option bytes written, reloaded and confirmed"), 1);
	cr_assert_eq(itest_run(&env, bench, show, 60), 0);
	cr_expect_geq(itest_count(env.out, "BOOT_CM4_ADD0=0x820"), 1);
	cr_expect_geq(itest_count(env.out, "BOOT_CM7_ADD1=0x800"), 1);
	cr_expect_neq(itest_run(&env, bench, old, 60), 0);
	cr_expect_geq(itest_count(env.err, "BOOT_ADD0 exists only on the single-core"), 1);
	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	bench_for(bench, sizeof(bench), &h7_cases[0], "V2", "");
	cr_expect_neq(itest_run(&env, bench, set, 60), 0);
	cr_expect_geq(itest_count(env.err, "option byte BOOT_CM4_ADD0 exists only on the dual-core "
				  "H745/H747/H755/H757, not on the STM32H743ZI"), 1);
	cr_assert_eq(itest_run(&env, bench, show, 60), 0);
	cr_expect_eq(itest_count(env.out, "BOOT_CM4"), 0, "not shown on a single-core part");
	cr_expect_geq(itest_count(env.out, "BOOT_ADD0=0x800"), 1);
}

/*
 * A profile sets SWAP_BANK_OPT by name: applied after verify, so the image
 * goes into bank 1 and, from the reset that loads the option, bank 2
 * answers at 0x08000000 (RM0433 §4.3.13); the step's detail in the
 * database says so.
 */
Test(run_h7, a_profile_swaps_the_banks_by_name_and_the_step_says_what_it_means)
{
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], text[1024], img[ITEST_PATH_MAX], detail[512] = "";
	const char *argv[] = { "run", prof, "--boards", "1", "--db", env.db, "--plain", NULL };
	int rc;

	bench_for(bench, sizeof(bench), &h7_cases[0], "V2", "");
	random_image(img, sizeof(img), "r8.bin", 8192U, 23U);
	snprintf(text, sizeof(text),
		 "name = \"h743-swap\";\ntarget = \"STM32H743ZI\";\nimage = { file = \"%s\"; address = 0x08000000; };\n"
		 "erase = \"sectors\";\nverify = \"crc\";\n"
		 "option_bytes = { user = { SWAP_BANK_OPT = true; }; };\nafter = \"run\";\n", img);
	cr_assert(itest_write(prof, sizeof(prof), &env, "h743-swap.cfg", text));
	rc = itest_run(&env, bench, argv, 120);
	cr_assert_eq(rc, 0, "gang run exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
	cr_assert(itest_db_text(detail, sizeof(detail), &env, "SELECT detail FROM steps WHERE step = 'option_bytes'"));
	cr_expect_not_null(strstr(detail, "written, reloaded and confirmed; banks swapped: bank 2 answers at "
				  "0x08000000 (the boot address), bank 1 at 0x08100000"), "%s", detail);
	expect_at_phys(img, 0x000000U, 0, 8192U);   /* programmed before the swap: bank 1 */
}

/* DEV_ID 0x450 and 2 MiB on both: the H745's BCM4/BCM7 boot bits name it (RM0399 §4.9.9), with no profile. */
Test(run_h7, an_unnamed_board_is_told_h745zi_or_h743zi_by_its_core_boot_bits)
{
	for (size_t i = 0; i < 2; i++) {
		char bench[ITEST_PATH_MAX];
		const char *argv[] = { "probes", NULL };

		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		bench_for(bench, sizeof(bench), &h7_cases[i], "V2", "");
		cr_assert_eq(itest_run(&env, bench, argv, 60), 0);
		cr_expect_eq(itest_count(env.out, h7_cases[i].part), 1, "%s not named", h7_cases[i].part);
	}
}

/* The only board's state directory holds a file called name (the bench's markers). */
static bool board_marked(const char *name)
{
	char cmd[ITEST_PATH_MAX + 96], line[ITEST_PATH_MAX] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "find '%s' -name '%s' | head -1", env.state, name);
	cr_assert_not_null(p = popen(cmd, "r"));
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	pclose(p);
	return line[0] != '\0';
}

/*
 * RM0399 §60.4: the H745's Cortex-M4 on AP3 runs from the same flash. gang
 * halts it through AP3 before it erases (the bench marks a board whose CM4
 * ran while its flash was erased or programmed) and lets it go with the
 * CM7; a V2J25 probe cannot reach AP3: the board is still programmed and the
 * operator is told, in the note, why its second core ran.
 */
Test(run_h7, the_h745_cm4_is_held_while_gang_programs_and_an_old_probe_says_it_cannot)
{
	const h7_case *c = &h7_cases[1];
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX];

	bench_for(bench, sizeof(bench), c, "V2", "");
	random_image(img, sizeof(img), "r16.bin", 16U * 1024U, 41U);
	flash_timed(bench, img, "0x08100000", "s.json", "4000");
	expect_in_flash(img, 0x08100000U);
	cr_expect_not(board_marked("cm4_ran_during_flash_op"), "the CM4 ran while gang wrote the flash");
	cr_expect_eq(itest_count(env.err, "second core"), 0);

	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	bench_for(bench, sizeof(bench), c, "V2", "firmware = \"V2J25S4\";");
	random_image(img, sizeof(img), "r16.bin", 16U * 1024U, 42U);
	flash_timed(bench, img, "0x08100000", "s.json", "4000");
	expect_in_flash(img, 0x08100000U);
	cr_expect(board_marked("cm4_ran_during_flash_op"), "a J25 probe cannot hold the CM4");
	cr_expect_eq(itest_count(env.err, "note: second core not halted — update the ST-Link: the Cortex-M4 keeps "
				  "running: this ST-Link's firmware cannot reach the second core (AP3; V2J28 or later "
				  "can)"), 1);
}
