/*
 * test_clients_tz.c — stock clients against the L5/U5 TrustZone flash
 * controller model (tools/sim/board_fpec_tz.c), through tools/gangsim,
 * with TrustZone off as a new part leaves the factory: OpenOCD 0.12
 * target/stm32l5x.cfg and stm32u5x.cfg unchanged (their reset-init raises
 * the voltage range and runs the PLL at 110 / 160 MHz with 5 / 4 wait
 * states, so the bench's clock tree is exercised too; the stm32l4x flash
 * algorithm runs on the Cortex-M33 core) program, verify, read back,
 * erase a page and mass-erase; stock st-flash 1.7.0 does not know DEV_ID
 * 0x472 or 0x482 and says so, and the bench does not pretend otherwise.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "client_util.h"

#define TZ_FIX "tests/fixtures/benches/"
#define TZ_GS "tools/gangsim --state %s/state --bench " TZ_FIX
#define TZ_OCD "openocd -c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' " \
	"-f interface/stlink.cfg -f target/%s.cfg -c 'adapter serial %s' "

TestSuite(sim_clients_tz, .init = cl_setup, .fini = cl_teardown, .timeout = 240);

static const char *const tz_runs[][3] = {
	{ "flash-l552ze.cfg", "stm32l5x", "066DFF48545772518708F451" },
	{ "flash-u575zi.cfg", "stm32u5x", "066DFF48545772518708F452" },
	{ "flash-u585ai.cfg", "stm32u5x", "066DFF48545772518708F453" },
};

static void tz_image(const char *name, size_t len, unsigned seed)
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

Test(sim_clients_tz, openocd_programs_verifies_and_resets_l5_and_u5)
{
	cl_need("openocd");
	tz_image("fw.bin", 24 * 1024, 5);
	for (size_t i = 0; i < sizeof(tz_runs) / sizeof(tz_runs[0]); i++) {
		cr_assert_eq(cl_run(TZ_GS "%s -- " TZ_OCD "-c 'program %s/fw.bin 0x08000000 verify reset exit'",
				    cl_dir, tz_runs[i][0], tz_runs[i][1], tz_runs[i][2], cl_dir), 0,
			     "%s: %s", tz_runs[i][0], cl_out);
		cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s: %s", tz_runs[i][0], cl_out);
		cr_expect_not_null(strstr(cl_out, "TZEN = 0"), "%s: %s", tz_runs[i][0], cl_out);
		cr_expect_null(strstr(cl_out, "Error"), "%s: %s", tz_runs[i][0], cl_out);
	}
}

/* Bank 2 of the U585, read back with dump_image; a page erase and a mass erase. */
Test(sim_clients_tz, openocd_reads_back_bank_2_erases_a_page_and_mass_erases_on_u5)
{
	cl_need("openocd");
	tz_image("fw.bin", 16 * 1024, 9);
	cr_assert_eq(cl_run(TZ_GS "flash-u585ai.cfg -- " TZ_OCD "-c init -c 'reset init' "
			    "-c 'program %s/fw.bin 0x08100000 verify' "
			    "-c 'dump_image %s/back.bin 0x08100000 16384' "
			    "-c 'stm32l4x option_read 0 0x40' "
			    "-c 'flash erase_sector 0 128 128' -c 'mdw 0x08100000 2' -c 'mdw 0x08102000' "
			    "-c 'stm32l4x mass_erase 0' -c 'mdw 0x08102000' -c exit",
			    cl_dir, "stm32u5x", "066DFF48545772518708F453", cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "flash mode : dual-bank"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "<0x40022040> = 0x1feff0aa"), "factory OPTR: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08100000: ffffffff ffffffff"), "page 128 erased: %s", cl_out);
	const char *p129 = strstr(cl_out, "0x08102000: ");
	cr_assert_not_null(p129, "%s", cl_out);
	cr_expect_neq(strncmp(p129 + 12, "ffffffff", 8), 0, "page 129 kept before the mass erase: %s",
		      cl_out);
	cr_expect_not_null(strstr(cl_out, "mass erase complete"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08102000: ffffffff"), "%s", cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s", cl_out);
}

/* L5 with DBANK = 1: 2 KiB pages; page 1 of bank 2 (sector 129) is 0x08040800. */
Test(sim_clients_tz, openocd_erases_2_kib_pages_on_the_l5_and_reads_back)
{
	cl_need("openocd");
	tz_image("fw.bin", 8 * 1024, 11);
	cr_assert_eq(cl_run(TZ_GS "flash-l552ze.cfg -- " TZ_OCD "-c init -c 'reset init' "
			    "-c 'program %s/fw.bin 0x08040000 verify' "
			    "-c 'dump_image %s/back.bin 0x08040000 8192' "
			    "-c 'flash erase_sector 0 129 129' -c 'mdw 0x08040000' -c 'mdw 0x08040800' -c exit",
			    cl_dir, "stm32l5x", "066DFF48545772518708F451", cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "flash size = 512 KiB"), "%s", cl_out);
	cr_expect_null(strstr(cl_out, "0x08040000: ffffffff"), "page 128 kept: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08040800: ffffffff"), "page 129 erased: %s", cl_out);
	cr_expect_eq(cl_run("cmp %s/fw.bin %s/back.bin", cl_dir, cl_dir), 0, "%s", cl_out);
}

/* st-flash 1.7.0 has no L5 or U5 entry: it names the chip id and gives up. */
Test(sim_clients_tz, st_flash_1_7_reports_l5_and_u5_as_unknown)
{
	static const char *const ids[] = { "0x472", "0x482", "0x482" };

	cl_need("st-flash");
	tz_image("fw.bin", 4096, 1);
	for (size_t i = 0; i < 3; i++) {
		cr_expect_neq(cl_run(TZ_GS "%s -- st-flash write %s/fw.bin 0x08000000", cl_dir, tz_runs[i][0],
				     cl_dir), 0, "%s: %s", tz_runs[i][0], cl_out);
		cr_expect_not_null(strstr(cl_out, "unknown chip id"), "%s: %s", tz_runs[i][0], cl_out);
		cr_expect_not_null(strstr(cl_out, ids[i]), "%s: %s", tz_runs[i][0], cl_out);
	}
}

/*
 * TrustZone on, as OpenOCD's "stm32l4x trustzone 0 enable" sets it (TZEN
 * at level 0, then OBL_LAUNCH): the core now reports Secure state, the
 * whole flash is secure (factory watermarks) and OpenOCD programs it
 * through the secure registers and the 0x0C000000 alias; switching TZEN off
 * without a regression is refused (by OpenOCD before the bench sees it).
 */
Test(sim_clients_tz, openocd_enables_trustzone_and_programs_through_the_secure_alias)
{
	cl_need("openocd");
	tz_image("fw.bin", 16 * 1024, 13);
	cr_assert_eq(cl_run(TZ_GS "flash-u575zi.cfg -- " TZ_OCD "-c init -c 'reset halt' "
			    "-c 'stm32l4x trustzone 0 enable' -c exit",
			    cl_dir, "stm32u5x", "066DFF48545772518708F452"), 0, "%s", cl_out);
	cr_assert_eq(cl_run(TZ_GS "flash-u575zi.cfg -- " TZ_OCD
			    "-c 'program %s/fw.bin 0x0C000000 verify reset exit'",
			    cl_dir, "stm32u5x", "066DFF48545772518708F452", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "CPU in Secure state"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "TZEN = 1"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s", cl_out);
	cl_run(TZ_GS "flash-u575zi.cfg -- " TZ_OCD "-c init -c 'reset halt' "
	       "-c 'stm32l4x trustzone 0 disable' -c exit", cl_dir, "stm32u5x", "066DFF48545772518708F452");
	cr_expect_not_null(strstr(cl_out, "only possible when the RDP is changing to level 0"), "%s", cl_out);
}

/* RDP level 1 by "stm32l4x lock", back to 0 by "unlock": the regression erases the flash. */
Test(sim_clients_tz, openocd_lock_and_unlock_regress_rdp_and_erase_the_l5)
{
	cl_need("openocd");
	tz_image("fw.bin", 8 * 1024, 17);
	cr_assert_eq(cl_run(TZ_GS "flash-l552ze.cfg -- " TZ_OCD "-c 'program %s/fw.bin 0x08000000 verify' "
			    "-c 'stm32l4x lock 0' -c 'reset halt' -c exit",
			    cl_dir, "stm32l5x", "066DFF48545772518708F451", cl_dir), 0, "%s", cl_out);
	cl_run(TZ_GS "flash-l552ze.cfg -- " TZ_OCD "-c init -c 'reset halt' -c 'mdw 0x40022040' "
	       "-c 'mdw 0x08000000' -c exit", cl_dir, "stm32l5x", "066DFF48545772518708F451");
	cr_expect_not_null(strstr(cl_out, "0x40022040: 1f4f7000"), "level 1 (RDP 0x00): %s", cl_out);
	cr_expect_null(strstr(cl_out, "0x08000000: "), "level 1 hides the flash: %s", cl_out);
	cr_assert_eq(cl_run(TZ_GS "flash-l552ze.cfg -- " TZ_OCD "-c init -c 'reset halt' "
			    "-c 'stm32l4x unlock 0' -c 'reset halt' -c 'mdw 0x08000000' "
			    "-c 'mdw 0x40022040' -c exit",
			    cl_dir, "stm32l5x", "066DFF48545772518708F451"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x08000000: ffffffff"), "erased: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x40022040: 1f4f70aa"), "level 0: %s", cl_out);
}

/* option_write then option_load (OBL_LAUNCH: the chip resets under the probe); the board keeps it. */
Test(sim_clients_tz, openocd_option_write_and_load_persist_in_the_board)
{
	FILE *f;
	uint8_t optr[4] = { 0 };

	cl_need("openocd");
	cr_assert_eq(cl_run(TZ_GS "flash-u575zi.cfg -- " TZ_OCD "-c init -c 'reset halt' "
			    "-c 'stm32l4x option_write 0 0x40 0x300 0x700' -c 'stm32l4x option_load 0' -c exit",
			    cl_dir, "stm32u5x", "066DFF48545772518708F452"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "option load completed"), "%s", cl_out);
	cr_assert_eq(cl_run(TZ_GS "flash-u575zi.cfg -- " TZ_OCD "-c init -c 'mdw 0x40022040' -c exit",
			    cl_dir, "stm32u5x", "066DFF48545772518708F452"), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "0x40022040: 1feff3aa"), "BOR_LEV 3 in force: %s", cl_out);
	cr_assert_eq(cl_run("ls %s/state/*/option_bytes.bin", cl_dir), 0, "%s", cl_out);
	cl_out[strcspn(cl_out, "\n")] = '\0';
	f = fopen(cl_out, "rb");
	cr_assert_not_null(f, "%s", cl_out);
	cr_expect_eq(fread(optr, 1, 4, f), 4U);
	fclose(f);
	cr_expect_eq(optr[1], 0xF3U, "OPTR byte 1 in option_bytes.bin");
}
