/*
 * test_clients_f4.c — stock clients against the F2/F4/F7 sector
 * controller model (tools/sim/board_fpec_f4.c), through tools/gangsim:
 * st-flash 1.7.0 write / read / erase on every F2/F4/F7 part of the table
 * (F429ZI in both banks) and OpenOCD 0.12 stm32f2x/f4x/f7x program+verify,
 * erase_sector and options_read/options_write checked against FLASH_OPTCR
 * and the board's option_bytes.bin. st-flash images are 40 KiB: more than
 * one of its 32 KiB loader buffers, each sent in one WRITEMEM_32BIT that
 * the probe model streams across TAR blocks (stlink #1154, #1157).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client_util.h"

#define T4_FIX "tests/fixtures/benches/"
#define T4_IMG (40 * 1024)

TestSuite(sim_clients_f4, .init = cl_setup, .fini = cl_teardown, .timeout = 120);


static void t4_image(const char *name, size_t len, unsigned seed)
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

#define T4_GS "tools/gangsim --state %s/state --bench " T4_FIX

/* st-flash write (verified), read back and compare at addr on one part. */
static void t4_stflash_round_trip(const char *cfg, const char *addr)
{
	t4_image("fw.bin", T4_IMG, (unsigned)strlen(cfg));
	cr_assert_eq(cl_run(T4_GS "%s -- st-flash write %s/fw.bin %s", cl_dir, cfg, cl_dir, addr),
		     0, "%s: %s", cfg, cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s: %s", cfg, cl_out);
	cr_assert_eq(cl_run(T4_GS "%s -- st-flash read %s/back.bin %s %d", cl_dir, cfg, cl_dir, addr,
			    T4_IMG), 0, "%s: %s", cfg, cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s: %s", cfg, cl_out);
}

Test(sim_clients_f4, st_flash_writes_and_reads_back_every_f2_f4_f7_part)
{
	static const char *const cfgs[] = {
		"flash-f205rg.cfg", "flash-f407vg.cfg", "flash-f411re.cfg", "flash-f429zi.cfg",
		"flash-f446re.cfg", "flash-f746zg.cfg", "flash-f767zi.cfg",
	};

	cl_need("st-flash");
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
		t4_stflash_round_trip(cfgs[i], "0x08000000");
	t4_stflash_round_trip("flash-f429zi.cfg", "0x08100000");   /* bank 2, sector 12 */
}

/*
 * st-flash 1.7.0 mass-erases with MER alone; on the dual-bank F429 that
 * erases bank 1 only (RM0090 §3.9.8: MER bank 1, MER1 bank 2).
 */
Test(sim_clients_f4, st_flash_erase_on_f429_clears_bank_1_and_leaves_bank_2)
{
	cl_need("st-flash");
	t4_stflash_round_trip("flash-f429zi.cfg", "0x08000000");
	t4_stflash_round_trip("flash-f429zi.cfg", "0x08100000");
	cr_assert_eq(cl_run(T4_GS "flash-f429zi.cfg -- st-flash erase", cl_dir), 0, "%s", cl_out);
	cr_assert_eq(cl_run(T4_GS "flash-f429zi.cfg -- st-flash read %s/b1.bin 0x08000000 %d", cl_dir,
			    cl_dir, T4_IMG), 0, "%s", cl_out);
	cr_expect_eq(cl_run("tr -d '\\377' < %s/b1.bin | wc -c | grep -qx 0", cl_dir), 0,
		     "bank 1 not erased");
	cr_assert_eq(cl_run(T4_GS "flash-f429zi.cfg -- st-flash read %s/b2.bin 0x08100000 %d", cl_dir,
			    cl_dir, T4_IMG), 0, "%s", cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/b2.bin", cl_dir, cl_dir), 0, "bank 2 changed: %s", cl_out);
}

#define T4_OCD "openocd -c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' " \
	"-f interface/stlink.cfg -f target/%s.cfg -c 'adapter serial %s' "

Test(sim_clients_f4, openocd_programs_and_verifies_f2_f4_f7)
{
	static const char *const runs[][3] = {
		{ "flash-f205rg.cfg", "stm32f2x", "066DFF48545772518708F401" },
		{ "flash-f407vg.cfg", "stm32f4x", "066DFF48545772518708F402" },
		{ "flash-f429zi.cfg", "stm32f4x", "066DFF48545772518708F404" },
		{ "flash-f746zg.cfg", "stm32f7x", "066DFF48545772518708F406" },
	};

	cl_need("openocd");
	t4_image("fw.bin", 16 * 1024, 3);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		cr_assert_eq(cl_run(T4_GS "%s -- " T4_OCD "-c 'program %s/fw.bin 0x08000000 verify reset exit'",
				    cl_dir, runs[i][0], runs[i][1], runs[i][2], cl_dir), 0, "%s: %s",
			     runs[i][0], cl_out);
		cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s: %s", runs[i][0], cl_out);
	}
}

Test(sim_clients_f4, openocd_erase_sector_and_options_agree_with_the_bench)
{
	cl_need("openocd");
	cr_assert_eq(cl_run(T4_GS "flash-f407vg.cfg -- " T4_OCD "-c init -c 'reset halt' "
			    "-c 'stm32f2x options_read 0' -c 'mdw 0x40023c14' "
			    "-c 'stm32f2x options_write 0 0x6c' -c 'mdw 0x40023c14' "
			    "-c 'flash erase_sector 0 1 1' -c exit", cl_dir, "stm32f4x",
			    "066DFF48545772518708F402"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "user_options 0xEC"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x40023c14: 0fffaaed"), "factory OPTCR: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x40023c14: 0fffaa6d"), "written OPTCR: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "erased sectors 1 through 1"), "%s", cl_out);
	/* the board holds what was programmed (OPTCR word, OPTLOCK/OPTSTRT not stored) */
	cr_expect_eq(cl_run("od -An -tx4 %s/state/*/option_bytes.bin | grep -q '0fffaa6c'", cl_dir), 0);
	/* and OpenOCD reads it back after a reset */
	cr_assert_eq(cl_run(T4_GS "flash-f407vg.cfg -- " T4_OCD "-c init -c 'reset halt' "
			    "-c 'stm32f2x options_read 0' -c exit", cl_dir, "stm32f4x",
			    "066DFF48545772518708F402"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "user_options 0x6C"), "%s", cl_out);
}

Test(sim_clients_f4, openocd_f7_options_write_sets_the_boot_addresses_in_optcr1)
{
	cl_need("openocd");
	cr_assert_eq(cl_run(T4_GS "flash-f767zi.cfg -- " T4_OCD "-c init -c 'reset halt' "
			    "-c 'stm32f2x options_write 0 0xdc 0x0081 0x0041' -c 'mdw 0x40023c18' -c exit",
			    cl_dir, "stm32f7x", "066DFF48545772518708F407"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x40023c18: 00410081"), "%s", cl_out);
}

/* Firmware entering Stop without DBGMCU_CR.DBG_STOP (flash-stop.cfg): only connect-under-reset. */
Test(sim_clients_f4, st_flash_reaches_a_board_asleep_in_stop_only_under_reset)
{
	cl_need("st-flash");
	t4_image("fw.bin", 2048, 9);
	cr_expect_neq(cl_run(T4_GS "flash-stop.cfg -- st-flash read %s/x.bin 0x08000000 1024", cl_dir, cl_dir),
		      0, "plain st-flash must fail: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "connect under reset"), "%s", cl_out);
	cr_assert_eq(cl_run(T4_GS "flash-stop.cfg -- st-flash --connect-under-reset write %s/fw.bin 0x08000000",
			    cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s", cl_out);
}

/*
 * gang and OpenOCD's stm32f2x driver read and write the same FLASH_OPTCR
 * (RM0090 §3.9.10): OpenOCD's user_options 0x6C is BOR_LEV 3, WDG_SW 1,
 * nRST_STOP 1, nRST_STDBY 0 in gang's names, and gang's nRST_STDBY = 1 is
 * OpenOCD's 0xEC again.
 */
Test(sim_clients_f4, gang_and_openocd_agree_on_the_f4_option_bytes)
{
	cl_need("openocd");
	cr_assert_eq(access("build/gang", X_OK), 0, "build/gang missing: run make");
	cr_assert_eq(cl_run(T4_GS "flash-f407vg.cfg -- " T4_OCD "-c init -c 'reset halt' "
			    "-c 'stm32f2x options_write 0 0x6c' -c exit", cl_dir, "stm32f4x",
			    "066DFF48545772518708F402"), 0, "%s", cl_out);
	cr_assert_eq(cl_run(T4_GS "flash-f407vg.cfg -- build/gang options show --json", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "\"bor_lev\":3,\"bfb2\":0,\"wdg_sw\":1,\"nrst_stop\":1,\"nrst_stdby\":0"), "%s",
			   cl_out);
	cr_assert_eq(cl_run(T4_GS "flash-f407vg.cfg -- build/gang options set --set nRST_STDBY=1", cl_dir), 0,
		     "%s", cl_out);
	cr_assert_eq(cl_run(T4_GS "flash-f407vg.cfg -- " T4_OCD "-c init -c 'reset halt' "
			    "-c 'stm32f2x options_read 0' -c exit", cl_dir, "stm32f4x",
			    "066DFF48545772518708F402"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "user_options 0xEC"), "%s", cl_out);
}
