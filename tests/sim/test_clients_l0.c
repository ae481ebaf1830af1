/*
 * test_clients_l0.c — stock clients against the L0/L1 PECR controller
 * model (tools/sim/board_pecr_l0.c), through tools/gangsim, unchanged:
 *
 * - OpenOCD 0.12 target/stm32l0.cfg and stm32l1.cfg: program + verify on
 *   every L0/L1 part of the table; a 4 KiB sector erase and read back;
 *   "stm32lx mass_erase", which is RDP 0 -> 1, OBL_LAUNCH, RDP 1 -> 0,
 *   OBL_LAUNCH (two resets the debugger rides through). Seen in its debug
 *   log: its reset-init switches SYSCLK to HSI16 with FLASH_ACR.LATENCY 0
 *   (L0 waits for SWS, L1 does not), it erases pages one by one through
 *   debugger writes (ERASE|PROG, a word of 0 per 128/256-byte page) and
 *   programs half pages with a Thumb-1 loader in the work area at
 *   0x20000000 (FPRG|PROG, 16/32 words from SRAM, BSY polled).
 * - st-flash 1.7.0, which knows all four DEV_IDs (0x457 L011, 0x417 L0x3,
 *   0x447 L0 Cat.5, 0x437 L152RE). On the L0 parts its half-page loader
 *   faults on the Cortex-M0+ (it holds "add.w r0, r0, #4", a Thumb-2
 *   encoding ARMv6-M does not have) and st-flash falls back to writing
 *   words through the debugger; the write still verifies. On the L152RE
 *   it drives the page erase at the L0 register block 0x40022000
 *   ("Flash base use default L0 address"), where an L1 has nothing: a
 *   blank part programs and verifies, a second image over the first does
 *   not (the pages were never erased). That is st-flash 1.7.0's, not the
 *   bench's; the test records it.
 * - Write protection that gang sets, as OpenOCD's "flash info" sees it:
 *   it reads FLASH_WRPR1 only (sectors 0-31, for each of its two L073
 *   banks alike), so sector 5 of an L073 shows protected and sector 40
 *   (WRPROT2, FLASH_WRPR2 at +0x80) does not, while its erase is refused
 *   ("access denied / write protected").
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client_util.h"

#define TL_FIX "tests/fixtures/benches/"
#define TL_IMG (16 * 1024)
#define TL_GS "tools/gangsim --state %s/state --bench " TL_FIX
#define TL_OCD "openocd -c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' " \
	"-f interface/stlink.cfg -f target/%s.cfg -c 'adapter serial %s' "

TestSuite(sim_clients_l0, .init = cl_setup, .fini = cl_teardown, .timeout = 240);

static const struct { const char *cfg, *target, *serial; } tl_parts[] = {
	{ "flash-l011k4.cfg", "stm32l0", "066DFF485457725187080B01" },
	{ "flash-l053r8.cfg", "stm32l0", "066DFF485457725187080B02" },
	{ "flash-l073rz.cfg", "stm32l0", "066DFF485457725187080B03" },
	{ "flash-l152re.cfg", "stm32l1", "066DFF485457725187080B04" },
};

static void tl_image(const char *name, size_t len, unsigned seed)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cl_dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	for (size_t i = 0; i < len; i++)
		fputc((int)((i * 131U + seed * 7U + (i >> 8)) & 0xFFU), f);
	fclose(f);
}

Test(sim_clients_l0, openocd_programs_and_verifies_every_l0_l1_part)
{
	cl_need("openocd");
	tl_image("fw.bin", TL_IMG, 5);
	for (size_t i = 0; i < sizeof(tl_parts) / sizeof(tl_parts[0]); i++) {
		cr_assert_eq(cl_run(TL_GS "%s -- " TL_OCD "-c 'program %s/fw.bin 0x08000000 verify reset exit'",
				    cl_dir, tl_parts[i].cfg, tl_parts[i].target, tl_parts[i].serial, cl_dir),
			     0, "%s: %s", tl_parts[i].cfg, cl_out);
		cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s: %s", tl_parts[i].cfg, cl_out);
	}
}

/* Sector 0 (4 KiB) erased to 0x00 and the rest kept; then the RDP-toggle mass erase. */
static void tl_openocd_erase(size_t i)
{
	tl_image("fw.bin", TL_IMG, 9);
	cr_assert_eq(cl_run(TL_GS "%s -- " TL_OCD "-c 'program %s/fw.bin 0x08000000 verify' "
			    "-c 'flash erase_sector 0 0 0' -c 'dump_image %s/back.bin 0x08000000 %d' "
			    "-c 'stm32lx mass_erase 0' -c 'dump_image %s/mass.bin 0x08000000 %d' -c exit",
			    cl_dir, tl_parts[i].cfg, tl_parts[i].target, tl_parts[i].serial, cl_dir,
			    cl_dir, TL_IMG, cl_dir, TL_IMG), 0, "%s: %s", tl_parts[i].cfg, cl_out);
	cr_expect_not_null(strstr(cl_out, "erased sectors 0 through 0"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "stm32lx mass erase complete"), "%s", cl_out);
	cr_expect_eq(cl_run("head -c 4096 %s/back.bin | tr -d '\\000' | wc -c | grep -qx 0", cl_dir), 0,
		     "%s: sector 0 not erased to 0x00", tl_parts[i].cfg);
	cr_expect_eq(cl_run("cmp -i 4096 %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0,
		     "%s: the rest changed: %s", tl_parts[i].cfg, cl_out);
	cr_expect_eq(cl_run("tr -d '\\000' < %s/mass.bin | wc -c | grep -qx 0", cl_dir), 0,
		     "%s: mass erase left data", tl_parts[i].cfg);
}

Test(sim_clients_l0, openocd_erases_a_sector_and_mass_erases_by_rdp_toggle)
{
	cl_need("openocd");
	tl_openocd_erase(1);   /* L053R8 */
	tl_openocd_erase(3);   /* L152RE */
}

/* st-flash write (verified), read back and compare; m0p: its loader faults on the M0+. */
static void tl_stflash_round_trip(const char *cfg, unsigned seed, bool m0p)
{
	tl_image("fw.bin", TL_IMG, seed);
	cr_assert_eq(cl_run(TL_GS "%s -- st-flash write %s/fw.bin 0x08000000", cl_dir, cfg, cl_dir),
		     0, "%s: %s", cfg, cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s: %s", cfg, cl_out);
	cr_expect_eq(strstr(cl_out, "Flash loader run error") != NULL, m0p, "%s: %s", cfg, cl_out);
	cr_assert_eq(cl_run(TL_GS "%s -- st-flash read %s/back.bin 0x08000000 %d", cl_dir, cfg, cl_dir,
			    TL_IMG), 0, "%s: %s", cfg, cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s: %s", cfg, cl_out);
}

Test(sim_clients_l0, st_flash_writes_and_rewrites_every_l0_part)
{
	cl_need("st-flash");
	for (size_t i = 0; i < 3; i++) {
		tl_stflash_round_trip(tl_parts[i].cfg, 1, true);
		tl_stflash_round_trip(tl_parts[i].cfg, 2, true);   /* over the first: erased first */
	}
}

Test(sim_clients_l0, st_flash_on_l152re_programs_a_blank_part_but_cannot_erase)
{
	cl_need("st-flash");
	tl_stflash_round_trip("flash-l152re.cfg", 1, false);   /* the M3 runs its loader */
	tl_image("fw.bin", TL_IMG, 2);
	cr_expect_neq(cl_run(TL_GS "flash-l152re.cfg -- st-flash write %s/fw.bin 0x08000000", cl_dir,
			     cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash base use default L0 address"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Verification of flash failed"), "%s", cl_out);
}

/*
 * The seed failure on L0/L1: firmware that takes PA13/PA14 (flash-l053-moder.cfg)
 * or enters Stop without DBG_STOP (flash-l152-stop.cfg) silences SWD; the stock
 * clients get in only by connect-under-reset, and the new image lets them back.
 */
Test(sim_clients_l0, st_flash_needs_connect_under_reset_on_an_l0_without_swd_pins)
{
	cl_need("st-flash");
	tl_image("fw.bin", TL_IMG, 4);
	cr_expect_neq(cl_run(TL_GS "flash-l053-moder.cfg -- st-flash read %s/x.bin 0x08000000 1024",
			     cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Can not connect to target"), "%s", cl_out);
	cr_assert_eq(cl_run(TL_GS "flash-l053-moder.cfg -- st-flash --connect-under-reset write "
			    "%s/fw.bin 0x08000000", cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s", cl_out);
	cr_assert_eq(cl_run(TL_GS "flash-l053-moder.cfg -- st-flash read %s/back.bin 0x08000000 %d",
			    cl_dir, cl_dir, TL_IMG), 0, "the new image keeps SWD: %s", cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s", cl_out);
}

Test(sim_clients_l0, openocd_needs_connect_assert_srst_on_an_l1_in_stop)
{
	cl_need("openocd");
	tl_image("fw.bin", TL_IMG, 6);
	cr_expect_neq(cl_run(TL_GS "flash-l152-stop.cfg -- " TL_OCD "-c init -c exit", cl_dir, "stm32l1",
			     "066DFF485457725187080B06"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "unable to connect to the target"), "%s", cl_out);
	cr_assert_eq(cl_run(TL_GS "flash-l152-stop.cfg -- " TL_OCD
			    "-c 'reset_config srst_only srst_nogate connect_assert_srst' "
			    "-c 'program %s/fw.bin 0x08000000 verify reset exit'", cl_dir, "stm32l1",
			    "066DFF485457725187080B06", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s", cl_out);
}

/* gang sets WRP; OpenOCD reads it back where it looks (WRPR1) and misses WRPROT2, which still refuses its erase. */
Test(sim_clients_l0, openocd_sees_gangs_wrp_in_wrpr1_but_not_wrprot2)
{
	cl_need("openocd");
	cr_assert_eq(cl_run(TL_GS "flash-l073rz.cfg -- build/gang options set --wrp 160-191,1280-1311",
			    cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0xFFFFFFDF 0xFFFFFEFF"), "%s", cl_out);
	/* stm32l0_dual_bank.cfg: bank 1 starts at 0x08018000, so chip sector 40 is its sector 16 */
	cr_assert_neq(cl_run(TL_GS "flash-l073rz.cfg -- " TL_OCD "-c init -c 'reset halt' -c 'flash info 0' "
			     "-c 'flash info 1' -c 'flash erase_sector 1 16 16' -c exit", cl_dir,
			     "stm32l0_dual_bank", "066DFF485457725187080B03"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "#  5: 0x00005000 (0x1000 4kB) protected"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "# 16: 0x00010000 (0x1000 4kB) not protected"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "access denied / write protected"), "%s", cl_out);
}
