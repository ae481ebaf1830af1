/*
 * test_clients_l4.c — stock clients against the double-word controller
 * model of G0/C0/G4/L4/L4+/WB/WL (tools/sim/board_fpec_l4.c), unchanged,
 * through tools/gangsim: st-flash 1.7.0 write / read / erase on every
 * part it knows (and its "unknown chip id" on those it does not: G0B1
 * 0x467, C031 0x453, WLE5 0x497), OpenOCD 0.12 stm32g0x / stm32g4x /
 * stm32l4x / stm32wbx / stm32wlx program+verify, erase and the option
 * registers (option_read / option_write / option_load) checked against the
 * board's option_bytes.bin. OpenOCD 0.12 has no stm32c0x.cfg and its L4
 * driver does not know the C031 (DEV_ID 0x453).
 *
 * What the clients showed about silicon rules the bench keeps: st-flash
 * erases a WB55 page by page (it knows mass erase is refused there) and
 * stops with WRPERR at the first page of the CPU2 area (SFSA, RM0434
 * §3.3.3); OpenOCD 0.12 erases a G0B1 bank-2 page with PNB counted from 0
 * and BKER (CR = 0x00012002 for its sector 128), which the bench refuses
 * because bank-2 pages are numbered from 256 (RM0444 §3.3.7; Zephyr's G0
 * driver: STM32G0X_BANK2_PAGE_START 256): a client bug, not a bench one.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "client_util.h"

#define TL_FIX "tests/fixtures/benches/"
#define TL_IMG (40 * 1024)
#define TL_GS "tools/gangsim --state %s/state --bench " TL_FIX
#define TL_OCD "openocd -c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' " \
	"-f interface/stlink.cfg -f target/%s.cfg -c 'adapter serial %s' "

TestSuite(sim_clients_l4, .init = cl_setup, .fini = cl_teardown, .timeout = 240);

/* bench file, OpenOCD target script, probe serial (tests/fixtures/benches/flash-<part>.cfg) */
typedef struct tl_part {
	const char *cfg, *target, *serial;
} tl_part;

static const tl_part tl_parts[] = {
	{ "flash-g031k8.cfg", "stm32g0x", "066DFF485457725187085D01" },
	{ "flash-g071rb.cfg", "stm32g0x", "066DFF485457725187085D02" },
	{ "flash-g0b1re.cfg", "stm32g0x", "066DFF485457725187085D03" },
	{ "flash-g431kb.cfg", "stm32g4x", "066DFF485457725187085D05" },
	{ "flash-g474re.cfg", "stm32g4x", "066DFF485457725187085D06" },
	{ "flash-l432kc.cfg", "stm32l4x", "066DFF485457725187085D07" },
	{ "flash-l476rg.cfg", "stm32l4x", "066DFF485457725187085D08" },
	{ "flash-l4r5zi.cfg", "stm32l4x", "066DFF485457725187085D09" },
	{ "flash-wb55rg.cfg", "stm32wbx", "066DFF485457725187085D10" },
	{ "flash-wle5jc.cfg", "stm32wlx", "066DFF485457725187085D11" },
};

static void tl_image(const char *name, size_t len, unsigned seed)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cl_dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	for (size_t i = 0; i < len; i++)
		fputc((int)((i * 167U + seed * 11U + (i >> 9)) & 0xFFU), f);
	fclose(f);
}

/* st-flash write (verified), read back and compare at addr. */
static void tl_stflash_round_trip(const char *cfg, const char *addr)
{
	tl_image("fw.bin", TL_IMG, (unsigned)strlen(cfg) + (unsigned)strlen(addr));
	cr_assert_eq(cl_run(TL_GS "%s -- st-flash write %s/fw.bin %s", cl_dir, cfg, cl_dir, addr),
		     0, "%s: %s", cfg, cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s: %s", cfg, cl_out);
	cr_assert_eq(cl_run(TL_GS "%s -- st-flash read %s/back.bin %s %d", cl_dir, cfg, cl_dir, addr,
			    TL_IMG), 0, "%s: %s", cfg, cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s at %s", cfg, addr);
}

/* st-flash erase, then the image's place reads erased. */
static void tl_stflash_erase(const char *cfg)
{
	cr_assert_eq(cl_run(TL_GS "%s -- st-flash erase", cl_dir, cfg), 0, "%s: %s", cfg, cl_out);
	cr_assert_eq(cl_run(TL_GS "%s -- st-flash read %s/e.bin 0x08000000 %d", cl_dir, cfg, cl_dir,
			    TL_IMG), 0, "%s: %s", cfg, cl_out);
	cr_expect_eq(cl_run("tr -d '\\377' < %s/e.bin | wc -c | grep -qx 0", cl_dir), 0, "%s not erased",
		     cfg);
}

Test(sim_clients_l4, st_flash_writes_reads_and_erases_every_part_it_knows)
{
	static const char *const cfgs[] = {
		"flash-g031k8.cfg", "flash-g071rb.cfg", "flash-g431kb.cfg", "flash-g474re.cfg",
		"flash-l432kc.cfg", "flash-l476rg.cfg", "flash-l4r5zi.cfg",
	};

	cl_need("st-flash");
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		tl_stflash_round_trip(cfgs[i], "0x08000000");
		tl_stflash_erase(cfgs[i]);
	}
	/* second banks: L476 and L4R5 from half the flash, G474 (DBANK = 1) too */
	tl_stflash_round_trip("flash-l476rg.cfg", "0x08080000");
	tl_stflash_round_trip("flash-l4r5zi.cfg", "0x08100000");
	tl_stflash_round_trip("flash-g474re.cfg", "0x08040000");
	tl_stflash_round_trip("flash-wb55rg.cfg", "0x08000000");
}

Test(sim_clients_l4, st_flash_names_the_parts_it_does_not_know)
{
	static const char *const runs[][2] = {
		{ "flash-g0b1re.cfg", "unknown chip id! 0x467" },
		{ "flash-c031c6.cfg", "unknown chip id! 0x453" },
		{ "flash-wle5jc.cfg", "unknown chip id! 0x497" },
	};

	cl_need("st-flash");
	tl_image("fw.bin", 4096, 1);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		cr_expect_neq(cl_run(TL_GS "%s -- st-flash write %s/fw.bin 0x08000000", cl_dir, runs[i][0],
				     cl_dir), 0, "%s: %s", runs[i][0], cl_out);
		cr_expect_not_null(strstr(cl_out, runs[i][1]), "%s: %s", runs[i][0], cl_out);
	}
}

/* WB55: st-flash erases page-wise and meets the CPU2 area at SFSA 0xF4 (0x080F4000). */
Test(sim_clients_l4, st_flash_erase_on_wb55_stops_at_the_secure_area)
{
	cl_need("st-flash");
	cr_expect_neq(cl_run(TL_GS "flash-wb55rg.cfg -- st-flash erase", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash memory is write protected"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "erase_flash_page(0x80f4000)"), "%s", cl_out);
}

Test(sim_clients_l4, openocd_programs_and_verifies_every_family)
{
	cl_need("openocd");
	tl_image("fw.bin", 16 * 1024, 3);
	for (size_t i = 0; i < sizeof(tl_parts) / sizeof(tl_parts[0]); i++) {
		const tl_part *p = &tl_parts[i];
		cr_assert_eq(cl_run(TL_GS "%s -- " TL_OCD "-c 'program %s/fw.bin 0x08000000 verify reset exit'",
				    cl_dir, p->cfg, p->target, p->serial, cl_dir), 0, "%s: %s", p->cfg, cl_out);
		cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s: %s", p->cfg, cl_out);
		cr_assert_eq(cl_run(TL_GS "%s -- " TL_OCD "-c init -c 'reset halt' -c 'dump_image %s/back.bin "
				    "0x08000000 16384' -c exit", cl_dir, p->cfg, p->target, p->serial, cl_dir),
			     0, "%s: %s", p->cfg, cl_out);
		cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s read back", p->cfg);
	}
}

Test(sim_clients_l4, openocd_0_12_does_not_identify_the_c031)
{
	cl_need("openocd");
	cl_run(TL_GS "flash-c031c6.cfg -- " TL_OCD "-c init -c 'flash probe 0' -c exit", cl_dir, "stm32g0x",
	       "066DFF485457725187085D04");
	cr_expect_not_null(strstr(cl_out, "Cannot identify target as an STM32G0/G4/L4"), "%s", cl_out);
}

/* Page erase through OpenOCD, both banks of the L476 by mass erase; WB mass erase refused. */
Test(sim_clients_l4, openocd_erases_pages_and_banks_and_wb_refuses_mass_erase)
{
	cl_need("openocd");
	tl_image("fw.bin", 8192, 5);
	cr_assert_eq(cl_run(TL_GS "flash-l476rg.cfg -- " TL_OCD "-c init -c 'reset halt' "
			    "-c 'flash write_image erase %s/fw.bin 0x08000000' "
			    "-c 'flash write_image erase %s/fw.bin 0x08080000' "
			    "-c 'flash erase_sector 0 1 1' -c 'mdw 0x08000800' -c 'mdw 0x08001000' "
			    "-c 'stm32l4x mass_erase 0' -c 'mdw 0x08000000' -c 'mdw 0x08080000' -c exit",
			    cl_dir, "stm32l4x", "066DFF485457725187085D08", cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "erased sectors 1 through 1"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08000800: ffffffff"), "page 1 erased: %s", cl_out);
	cr_expect_null(strstr(cl_out, "0x08001000: ffffffff"), "page 2 kept: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "mass erase complete"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08000000: ffffffff"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08080000: ffffffff"), "bank 2 erased too: %s", cl_out);
	cl_run(TL_GS "flash-wb55rg.cfg -- " TL_OCD "-c init -c 'reset halt' "
	       "-c 'if {[catch {stm32l4x mass_erase 0}]} {echo MASS_ERASE_REFUSED}' "
	       "-c 'catch {flash erase_sector 0 244 244}' -c 'flash erase_sector 0 0 1' -c exit", cl_dir,
	       "stm32wbx", "066DFF485457725187085D10");
	cr_expect_not_null(strstr(cl_out, "MASS_ERASE_REFUSED"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "failed erasing sectors 244 to 244"), "SFSA page: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "erased sectors 0 through 1"), "below SFSA: %s", cl_out);
}

/* OpenOCD 0.12 numbers G0B1 bank-2 pages from 0 (see the file comment): the bench refuses. */
Test(sim_clients_l4, openocd_0_12_g0b1_bank_2_page_erase_is_refused_by_silicon_numbering)
{
	cl_need("openocd");
	cl_run(TL_GS "flash-g0b1re.cfg -- " TL_OCD "-d3 -c init -c 'reset halt' -c 'flash erase_sector 0 127 127' "
	       "-c 'catch {flash erase_sector 0 128 128}' -c exit", cl_dir, "stm32g0x", "066DFF485457725187085D03");
	cr_expect_not_null(strstr(cl_out, "erased sectors 127 through 127"), "bank 1: %s", cl_out);
	/* sector 128 = bank 2 page 0: PER | BKER (b13) | PNB 0 | STRT, where silicon wants PNB 256 */
	cr_expect_not_null(strstr(cl_out, "address: 0x40022014, value: 0x00012002"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "failed erasing sectors 128 to 128"), "%s", cl_out);
}

/*
 * option_write changes FLASH_OPTR and OPTSTRT programs the option page
 * (the board's option_bytes.bin); option_load (OBL_LAUNCH) resets the chip
 * and the new value is in force; a new session reads it after power-on.
 */
static void tl_option_round_trip(const tl_part *p, const char *before, const char *after, const char *word)
{
	cr_assert_eq(cl_run(TL_GS "%s -- " TL_OCD "-c init -c 'reset halt' -c 'stm32l4x option_read 0 0x20' "
			    "-c 'stm32l4x option_write 0 0x20 0 0x00020000' -c 'catch {stm32l4x option_load 0}' "
			    "-c 'stm32l4x option_read 0 0x20' -c exit", cl_dir, p->cfg, p->target, p->serial),
		     0, "%s: %s", p->cfg, cl_out);
	cr_expect_not_null(strstr(cl_out, before), "%s factory: %s", p->cfg, cl_out);
	cr_expect_not_null(strstr(cl_out, after), "%s written and loaded: %s", p->cfg, cl_out);
	cr_expect_eq(cl_run("od -An -tx4 %s/state/*/option_bytes.bin | grep -q ' %s'", cl_dir, word),
		     0, "%s: the option page holds %s", p->cfg, word);
	cr_assert_eq(cl_run(TL_GS "%s -- " TL_OCD "-c init -c 'reset halt' -c 'stm32l4x option_read 0 0x20' "
			    "-c exit", cl_dir, p->cfg, p->target, p->serial), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, after), "%s after power-on: %s", p->cfg, cl_out);
}

Test(sim_clients_l4, openocd_option_write_and_load_round_trip)
{
	cl_need("openocd");
	tl_option_round_trip(&tl_parts[6], "<0x40022020> = 0xffeff8aa", "<0x40022020> = 0xffedf8aa", "ffedf8aa");
	tl_option_round_trip(&tl_parts[1], "<0x40022020> = 0xfffffeaa", "<0x40022020> = 0xfffdfeaa", "fffdfeaa");
}

/*
 * gang and OpenOCD read and write the same option bytes on one board: what
 * `gang options set` writes, `stm32l4x option_read` reads in FLASH_OPTR,
 * and what OpenOCD's option_write + option_load put in force, `gang
 * options show` names by its field (RM0351 §3.7.8: nRST_STDBY b13,
 * IWDG_STOP b17; factory OPTR 0xFFEFF8AA).
 */
Test(sim_clients_l4, gang_and_openocd_agree_on_the_option_bytes)
{
	const tl_part *p = &tl_parts[6];

	cl_need("openocd");
	cr_assert_eq(cl_run(TL_GS "%s -- build/gang options set --set nRST_STDBY=0", cl_dir, p->cfg), 0, "%s", cl_out);
	cr_assert_eq(cl_run(TL_GS "%s -- " TL_OCD "-c init -c 'reset halt' -c 'stm32l4x option_read 0 0x20' -c exit",
			    cl_dir, p->cfg, p->target, p->serial), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "<0x40022020> = 0xffefd8aa"), "OpenOCD reads what gang wrote: %s", cl_out);
	cr_assert_eq(cl_run(TL_GS "%s -- " TL_OCD "-c init -c 'reset halt' -c 'stm32l4x option_write 0 0x20 0 0x00020000' "
			    "-c 'catch {stm32l4x option_load 0}' -c exit", cl_dir, p->cfg, p->target, p->serial),
		     0, "%s", cl_out);
	cr_assert_eq(cl_run(TL_GS "%s -- build/gang options show", cl_dir, p->cfg), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "IWDG_STOP=0"), "gang reads what OpenOCD wrote: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "nRST_STDBY=0"), "and keeps what gang wrote: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "IWDG_SW=1"), "the other fields stay: %s", cl_out);
}

/*
 * The seed failure on the new families: firmware that takes PA13/PA14
 * (GPIOA_MODER) or enters Stop without DBGMCU_CR.DBG_STOP silences SWD;
 * st-flash says to connect under reset, and connecting under reset works
 * (st-flash --connect-under-reset, OpenOCD connect_assert_srst).
 */
Test(sim_clients_l4, firmware_that_takes_swd_is_reached_only_under_reset)
{
	static const char *const runs[][3] = {
		{ "flash-swdoff-g071.cfg", "stm32g0x", "066DFF485457725187085D21" },
		{ "flash-swdoff-l476.cfg", "stm32l4x", "066DFF485457725187085D22" },
		{ "flash-stop-g474.cfg", "stm32g4x", "066DFF485457725187085D23" },
	};

	cl_need("st-flash");
	cl_need("openocd");
	tl_image("fw.bin", 4096, 9);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		cr_expect_neq(cl_run(TL_GS "%s -- st-flash read %s/x.bin 0x08000000 1024", cl_dir, runs[i][0],
				     cl_dir), 0, "%s: plain st-flash must fail: %s", runs[i][0], cl_out);
		cr_expect_not_null(strstr(cl_out, "connect under reset"), "%s: %s", runs[i][0], cl_out);
		cr_expect_eq(cl_run(TL_GS "%s -- st-flash --connect-under-reset write %s/fw.bin 0x08000000",
				    cl_dir, runs[i][0], cl_dir), 0, "%s: %s", runs[i][0], cl_out);
		cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s: %s", runs[i][0], cl_out);
	}
	/* the image st-flash left has no vectors: put the firmware back for OpenOCD's turn */
	cr_assert_eq(cl_run("rm -rf %s/state", cl_dir), 0);
	cr_expect_eq(cl_run(TL_GS "flash-swdoff-l476.cfg -- " TL_OCD "-c 'reset_config srst_only srst_nogate "
			    "connect_assert_srst' -c 'program %s/fw.bin 0x08000000 verify reset exit'", cl_dir,
			    "stm32l4x", "066DFF485457725187085D22", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s", cl_out);
}
