/*
 * test_clients_h7.c — stock clients against the H7 two-bank controller
 * model (tools/sim/board_fpec_h7.c), through tools/gangsim, unchanged:
 * OpenOCD 0.12 target/stm32h7x.cfg and stm32h7x_dual_bank.cfg (HLA: every
 * access on AP0, DBGMCU at 0x5C001000; its loader stm32h7x.S streams flash
 * words through the work area at 0x20000000) program, verify, read back,
 * mass-erase per bank, lock/unlock (RDP 1 and the regression erase) and
 * write WPSN; st-flash 1.7.0, which knows 0x450 ("H74x/H75x") and 0x483
 * ("H72x/H73x"), writes, reads and erases bank 1 of every part. st-flash
 * 1.7.0 cannot write bank 2: it unlocks KEYR1 only and sets PG in CR1 for
 * addresses at 0x08100000 (stlink-org/stlink #1146, fixed after 1.7.0), so
 * on silicon CR2 stays locked, the sector erase is ignored and the writes
 * are refused; the bench does the same and the test holds it to that.
 * OpenOCD 0.12 ignores SWAP_BANK: on a swapped H743 its bank 0 (0x08000000)
 * still drives FLASH_CR1, which acts on physical bank 1, now at 0x08100000
 * (RM0433 §4.3.13; the bench's reading, unverified on silicon), so an
 * erase of "sector 0 of bank 0" clears 0x08100000 and leaves 0x08000000,
 * and its writes to 0x08000000 go to bank 2 without PG (PGSERR in SR2,
 * which it does not read): "wrote" is reported, verify_image fails.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "client_util.h"

#define T7_FIX "tests/fixtures/benches/"
#define T7_IMG (40 * 1024)
#define T7_GS "tools/gangsim --state %s/state --bench " T7_FIX
#define T7_OCD "openocd -c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' " \
	"-f interface/stlink.cfg -f target/%s.cfg -c 'adapter serial %s' "

TestSuite(sim_clients_h7, .init = cl_setup, .fini = cl_teardown, .timeout = 180);

static void t7_image(const char *name, size_t len, unsigned seed)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cl_dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	for (size_t i = 0; i < len; i++)
		fputc((int)((i * 151U + seed * 11U + (i >> 9)) & 0xFFU), f);
	fclose(f);
}

/* st-flash write (verified; the part named as st-flash knows it), read back and compare. */
static void t7_stflash_round_trip(const char *cfg, const char *addr, const char *known_as)
{
	t7_image("fw.bin", T7_IMG, (unsigned)strlen(cfg));
	cr_assert_eq(cl_run(T7_GS "%s -- st-flash write %s/fw.bin %s", cl_dir, cfg, cl_dir, addr),
		     0, "%s: %s", cfg, cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s: %s", cfg, cl_out);
	cr_expect_not_null(strstr(cl_out, known_as), "%s: %s", cfg, cl_out);
	cr_assert_eq(cl_run(T7_GS "%s -- st-flash read %s/back.bin %s %d", cl_dir, cfg, cl_dir, addr,
			    T7_IMG), 0, "%s: %s", cfg, cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s: %s", cfg, cl_out);
}

Test(sim_clients_h7, st_flash_writes_and_reads_back_bank_1_of_every_h7_part)
{
	static const char *const cfgs[][2] = {
		{ "flash-h743zi.cfg", "H74x/H75x" }, { "flash-h745zi.cfg", "H74x/H75x" },
		{ "flash-h723zg.cfg", "H72x/H73x" }, { "flash-h750vb.cfg", "H74x/H75x" },
	};

	cl_need("st-flash");
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		t7_stflash_round_trip(cfgs[i][0], "0x08000000", cfgs[i][1]);
	}
}

Test(sim_clients_h7, st_flash_1_7_cannot_write_bank_2_as_on_silicon)
{
	cl_need("st-flash");
	t7_image("fw.bin", T7_IMG, 5);
	cr_expect_neq(cl_run(T7_GS "flash-h743zi.cfg -- st-flash write %s/fw.bin 0x08100000", cl_dir, cl_dir),
		      0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Verification of flash failed at offset: 0"), "%s", cl_out);
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- st-flash read %s/b2.bin 0x08100000 %d", cl_dir,
			    cl_dir, T7_IMG), 0, "%s", cl_out);
	cr_expect_eq(cl_run("tr -d '\\377' < %s/b2.bin | wc -c | grep -qx 0", cl_dir), 0,
		     "bank 2 must stay erased");
}

/* st-flash 1.7.0 erases with BER on bank 1 only: bank 2 keeps its data. */
Test(sim_clients_h7, st_flash_erase_clears_bank_1_and_leaves_bank_2)
{
	cl_need("st-flash");
	cl_need("openocd");
	t7_stflash_round_trip("flash-h743zi.cfg", "0x08000000", "H74x/H75x");
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c 'program %s/fw.bin 0x08100000 verify exit'",
			    cl_dir, "stm32h7x_dual_bank", "066DFF48545772518708E701", cl_dir), 0, "%s", cl_out);
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- st-flash erase", cl_dir), 0, "%s", cl_out);
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- st-flash read %s/b1.bin 0x08000000 %d", cl_dir,
			    cl_dir, T7_IMG), 0, "%s", cl_out);
	cr_expect_eq(cl_run("tr -d '\\377' < %s/b1.bin | wc -c | grep -qx 0", cl_dir), 0, "bank 1 not erased");
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- st-flash read %s/b2.bin 0x08100000 %d", cl_dir,
			    cl_dir, T7_IMG), 0, "%s", cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/b2.bin", cl_dir, cl_dir), 0, "bank 2 changed: %s", cl_out);
}

Test(sim_clients_h7, openocd_programs_verifies_and_reads_back_every_h7_part)
{
	static const char *const runs[][4] = {
		{ "flash-h743zi.cfg", "stm32h7x_dual_bank", "066DFF48545772518708E701", "0x08000000" },
		{ "flash-h743zi.cfg", "stm32h7x_dual_bank", "066DFF48545772518708E701", "0x08100000" },
		{ "flash-h745zi.cfg", "stm32h7x_dual_bank", "066DFF48545772518708E702", "0x08100000" },
		{ "flash-h723zg.cfg", "stm32h7x", "066DFF48545772518708E703", "0x08000000" },
		{ "flash-h750vb.cfg", "stm32h7x", "066DFF48545772518708E704", "0x08000000" },
	};

	cl_need("openocd");
	t7_image("fw.bin", T7_IMG, 3);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		cr_assert_eq(cl_run(T7_GS "%s -- " T7_OCD "-c init -c 'reset halt' "
				    "-c 'flash write_image erase %s/fw.bin %s' -c 'verify_image %s/fw.bin %s' "
				    "-c 'dump_image %s/back.bin %s %d' -c exit", cl_dir, runs[i][0], runs[i][1],
				    runs[i][2], cl_dir, runs[i][3], cl_dir, runs[i][3], cl_dir, runs[i][3],
				    T7_IMG), 0, "%s %s: %s", runs[i][0], runs[i][3], cl_out);
		cr_expect_not_null(strstr(cl_out, "verified 40960 bytes"), "%s: %s", runs[i][0], cl_out);
		cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s %s", runs[i][0],
			     runs[i][3]);
	}
	/* HLA reaches AP0 only (target/stm32h7x.cfg): the H745's Cortex-M4 ran while its bank 2 was rewritten */
	cr_expect_eq(cl_run("find %s -name cm4_ran_during_flash_op | grep -q .", cl_dir), 0,
		     "the bench marks the H745 OpenOCD programmed with its CM4 running");
}

Test(sim_clients_h7, openocd_mass_erase_per_bank_and_blank_check)
{
	cl_need("openocd");
	t7_image("fw.bin", T7_IMG, 4);
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c init -c 'reset halt' "
			    "-c 'flash write_image erase %s/fw.bin 0x08000000' "
			    "-c 'flash write_image erase %s/fw.bin 0x08100000' "
			    "-c 'stm32h7x mass_erase 1' -c 'flash erase_check 1' "
			    "-c 'verify_image %s/fw.bin 0x08000000' -c 'flash erase_sector 0 0 0' "
			    "-c 'mdw 0x08000000' -c exit", cl_dir, "stm32h7x_dual_bank",
			    "066DFF48545772518708E701", cl_dir, cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "stm32h7x mass erase complete"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Bank is erased"), "bank 2: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "verified 40960 bytes"), "bank 1 kept: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "erased sectors 0 through 0"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08000000: ffffffff"), "sector 0 erased: %s", cl_out);
}

/*
 * stm32h7x lock writes RDP 0x00 (level 1) through OPTSR_PRG and OPTSTART;
 * unlock writes 0xAA and the regression erases both banks; option_write
 * of WPSN_PRG lands in the board's option_bytes.bin and survives the
 * process (RM0433 §4.4, §4.5).
 */
Test(sim_clients_h7, openocd_lock_unlock_and_wrp_agree_with_the_bench)
{
	cl_need("openocd");
	t7_image("fw.bin", T7_IMG, 6);
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c init -c 'reset halt' "
			    "-c 'program %s/fw.bin 0x08000000' -c 'stm32h7x lock 0' "
			    "-c 'stm32h7x option_read 0 0x1c' -c exit", cl_dir, "stm32h7x_dual_bank",
			    "066DFF48545772518708E701", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "stm32h7x locked"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "<0x5200201c> = 0x600d0"), "RDP 0x00: %s", cl_out);
	cr_expect_neq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c init -c 'reset halt' "
			     "-c 'mdw 0x08000000' -c exit", cl_dir, "stm32h7x_dual_bank",
			     "066DFF48545772518708E701"), 0, "level 1 blocks flash reads: %s", cl_out);
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c init -c 'reset halt' "
			    "-c 'stm32h7x unlock 0' -c 'mdw 0x08000000' "
			    "-c 'stm32h7x option_write 0 0x3c 0x7f 0xff' -c exit", cl_dir,
			    "stm32h7x_dual_bank", "066DFF48545772518708E701"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08000000: ffffffff"), "regression erased: %s", cl_out);
	cr_expect_eq(cl_run("od -An -tx4 -N16 %s/state/*/option_bytes.bin | grep -q '0006aad0 0000007f'",
			    cl_dir), 0, "OPTSR and WPSN1 in option_bytes.bin");
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c init -c 'reset halt' "
			    "-c 'stm32h7x option_read 0 0x38' -c exit", cl_dir, "stm32h7x_dual_bank",
			    "066DFF48545772518708E701"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "<0x52002038> = 0x7f"), "WPSN_CUR after a new process: %s", cl_out);
}

/*
 * The seed failures on an H7: firmware that enters Stop without
 * DBGSTOP_D1 (flash-h7-stop.cfg) or takes PA13/PA14 out of AF0
 * (flash-h7-moder.cfg) silences SWD; plain st-flash fails and asks for
 * connect-under-reset, which works.
 */
Test(sim_clients_h7, st_flash_reaches_a_silenced_h7_only_under_reset)
{
	static const char *const cfgs[] = { "flash-h7-stop.cfg", "flash-h7-moder.cfg" };

	cl_need("st-flash");
	t7_image("fw.bin", 2048, 9);
	for (size_t i = 0; i < 2; i++) {
		cr_expect_neq(cl_run(T7_GS "%s -- st-flash read %s/x.bin 0x08000000 1024", cl_dir, cfgs[i],
				     cl_dir), 0, "plain st-flash must fail: %s", cl_out);
		cr_expect_not_null(strstr(cl_out, "connect under reset"), "%s: %s", cfgs[i], cl_out);
		cr_assert_eq(cl_run(T7_GS "%s -- st-flash --connect-under-reset write %s/fw.bin 0x08000000",
				    cl_dir, cfgs[i], cl_dir), 0, "%s: %s", cfgs[i], cl_out);
		cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s: %s", cfgs[i], cl_out);
	}
}

/*
 * OpenOCD on the same board: without SRST it cannot init; with
 * connect_assert_srst it connects, but its examine-end handler's DBGMCU
 * access at 0x5C001004 through AP0 fails under SRST, exactly as the
 * comment in target/stm32h7x.cfg says, and programming still succeeds.
 */
Test(sim_clients_h7, openocd_connect_assert_srst_on_h7_fails_only_the_dbgmcu_access)
{
	cl_need("openocd");
	t7_image("fw.bin", 8192, 10);
	cr_expect_neq(cl_run(T7_GS "flash-h7-stop.cfg -- " T7_OCD "-c 'program %s/fw.bin 0x08000000 verify exit'",
			     cl_dir, "stm32h7x_dual_bank", "066DFF48545772518708E705", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "unable to connect to the target"), "%s", cl_out);
	cr_assert_eq(cl_run(T7_GS "flash-h7-stop.cfg -- " T7_OCD
			    "-c 'reset_config srst_only srst_nogate connect_assert_srst' "
			    "-c 'program %s/fw.bin 0x08000000 verify exit'", cl_dir, "stm32h7x_dual_bank",
			    "066DFF48545772518708E705", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "read at 0x5c001004 with width=32 and count=1 failed"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s", cl_out);
}

/*
 * RM0433 §4.3.13 with stock OpenOCD 0.12 (see the header): after
 * SWAP_BANK_OPT and a reset, erase_sector on bank 0 clears the sector at
 * 0x08100000, and a write at 0x08000000 is reported done but not there.
 * gang routes each address to its bank (tests/integration run_h7).
 */
Test(sim_clients_h7, openocd_0_12_ignores_a_bank_swap_and_erases_the_other_bank)
{
	cl_need("openocd");
	t7_image("fw.bin", T7_IMG, 9);
	t7_image("fw2.bin", T7_IMG, 10);
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c init -c 'reset halt' "
			    "-c 'flash write_image erase %s/fw.bin 0x08000000' "
			    "-c 'flash write_image erase %s/fw.bin 0x08100000' "
			    "-c 'stm32h7x option_write 0 0x20 0x80000000 0x80000000' -c 'reset halt' "
			    "-c 'stm32h7x option_read 0 0x18' -c 'flash erase_sector 0 0 0' "
			    "-c 'mdw 0x08000000' -c 'mdw 0x08100000' -c exit", cl_dir, "stm32h7x_dual_bank",
			    "066DFF48545772518708E701", cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "<0x52002018> = 0x80000001"), "SWAP_BANK in force: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "erased sectors 0 through 0 on flash bank 0"), "%s", cl_out);
	cr_expect_null(strstr(cl_out, "0x08000000: ffffffff"), "0x08000000 (bank 2) kept: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08100000: ffffffff"), "bank 1 at 0x08100000 erased: %s", cl_out);
	cr_assert_eq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c init -c 'reset halt' "
			    "-c 'flash write_image erase %s/fw2.bin 0x08000000' -c 'mdw 0x52002110' -c exit",
			    cl_dir, "stm32h7x_dual_bank", "066DFF48545772518708E701", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "wrote 40960 bytes"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x52002110: 00040000"), "PGSERR in bank 2's SR: %s", cl_out);
	cr_expect_neq(cl_run(T7_GS "flash-h743zi.cfg -- " T7_OCD "-c init -c 'reset halt' "
			     "-c 'verify_image %s/fw2.bin 0x08000000' -c exit", cl_dir, "stm32h7x_dual_bank",
			     "066DFF48545772518708E701", cl_dir), 0, "verified on a swapped board: %s", cl_out);
}
