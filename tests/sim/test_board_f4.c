/*
 * test_board_f4.c — the F2/F4/F7 sector controller model
 * (tools/sim/board_fpec_f4.c) rule by rule, driven as a debugger would
 * through the board API, and firmware that enters Stop without
 * DBGMCU_CR.DBG_STOP (RM0090 §3, RM0008 §31.16.1).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "board_fixtures.h"

#define F4_KEYR    0x40023C04U
#define F4_OPTKEYR 0x40023C08U
#define F4_SR      0x40023C0CU
#define F4_CR      0x40023C10U
#define F4_OPTCR   0x40023C14U
#define F4_PG      0x1U
#define F4_SER     0x2U
#define F4_STRT    0x10000U
#define F4_X8      0x000U
#define F4_X32     0x200U
#define F4_LOCK    0x80000000U
#define F4_WRPERR  0x10U
#define F4_PGAERR  0x20U
#define F4_PGPERR  0x40U
#define F4_PGSERR  0x80U
#define F4_BSY     0x10000U
#define F4_OTP     0x1FFF7800U
#define F4_OTP_LOCK 0x1FFF7A00U

TestSuite(sim_board_f4, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

static sim_board *f4_board(const char *part, unsigned vdd_mv, uint32_t wrp, int rdp)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find(part);
	c.timing.t_prog_ns = 16000;
	c.timing.core_hz = 16000000;
	c.vdd_mv = vdd_mv;
	c.wrp = wrp;
	c.rdp = rdp;
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	return b;
}

static void f4_unlock(sim_board *b)
{
	fx_w(b, F4_KEYR, 4, FX_KEY1);
	fx_w(b, F4_KEYR, 4, FX_KEY2);
	cr_assert_eq(fx_r(b, F4_CR, 4) & F4_LOCK, 0);
}

/* Sector erase of SNB n; returns the virtual ns until BSY dropped. */
static int64_t f4_erase(sim_board *b, uint32_t snb, uint32_t psize)
{
	int64_t t0 = sim_board_now(b);

	fx_w(b, F4_CR, 4, F4_SER | snb << 3 | psize);
	fx_w(b, F4_CR, 4, F4_SER | snb << 3 | psize | F4_STRT);
	cr_assert(fx_r(b, F4_SR, 4) & F4_BSY, "erase running");
	while (fx_r(b, F4_SR, 4) & F4_BSY)
		sim_board_advance(b, sim_board_now(b) + FX_MS);
	return sim_board_now(b) - t0;
}

Test(sim_board_f4, a_wrong_key_locks_the_controller_until_reset)
{
	sim_board *b = f4_board("STM32F407VG", 3300, 0xFFFFFFFFU, 0);

	fx_w(b, F4_KEYR, 4, FX_KEY1);
	cr_expect_eq(sim_board_write(b, F4_KEYR, 4, 0x12345678U), SIM_SWD_FAULT);
	cr_expect_eq(sim_board_write(b, F4_KEYR, 4, FX_KEY1), SIM_SWD_FAULT, "dead until reset");
	fx_w(b, F4_CR, 4, F4_PG);
	cr_expect_eq(fx_r(b, F4_CR, 4), F4_LOCK, "CR writes ignored");
	fx_system_reset(b);
	f4_unlock(b);
	sim_board_free(b);
}

Test(sim_board_f4, psize_mismatch_misalignment_and_missing_pg_are_flagged)
{
	sim_board *b = f4_board("STM32F407VG", 3300, 0xFFFFFFFFU, 0);

	f4_unlock(b);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, F4_PGSERR, "no PG");
	fx_w(b, F4_SR, 4, 0xF3U);
	fx_w(b, F4_CR, 4, F4_PG | F4_X32);
	fx_w(b, FX_FLASH, 2, 0);
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, F4_PGPERR, "half-word at x32");
	fx_w(b, F4_SR, 4, 0xF3U);
	cr_expect_eq(sim_board_write(b, FX_FLASH + 2, 4, 0), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, F4_PGAERR, "misaligned word");
	fx_w(b, F4_SR, 4, 0xF3U);
	fx_w(b, FX_FLASH + 4, 4, 0x12345678U);
	fx_w(b, FX_FLASH + 4, 4, 0xFFFF00FFU);   /* no must-be-erased check: cells AND */
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0x12340078U);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "refused writes changed nothing");
	sim_board_free(b);
}

Test(sim_board_f4, a_protected_sector_refuses_program_and_erase)
{
	sim_board *b = f4_board("STM32F407VG", 3300, ~2U, 0);   /* sector 1 protected */

	f4_unlock(b);
	fx_w(b, F4_CR, 4, F4_PG | F4_X32);
	fx_w(b, FX_FLASH + 0x4000U, 4, 0);
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, F4_WRPERR);
	fx_w(b, F4_SR, 4, 0xF3U);
	fx_w(b, F4_CR, 4, F4_SER | 1U << 3 | F4_X32 | F4_STRT);
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, F4_WRPERR);
	cr_expect_eq(fx_r(b, F4_OPTCR, 4) >> 16 & 0xFFFU, 0xFFDU, "nWRP1 clear");
	sim_board_free(b);
}

Test(sim_board_f4, sector_erase_takes_the_datasheet_time_for_its_size_and_psize)
{
	sim_board *b = f4_board("STM32F407VG", 3300, 0xFFFFFFFFU, 0);
	int64_t t;

	f4_unlock(b);
	t = f4_erase(b, 0, F4_X32);
	cr_expect(t >= 250 * FX_MS && t < 252 * FX_MS, "16 KiB x32: %lld ns", (long long)t);
	t = f4_erase(b, 4, F4_X32);
	cr_expect(t >= 550 * FX_MS && t < 552 * FX_MS, "64 KiB x32: %lld ns", (long long)t);
	t = f4_erase(b, 5, F4_X32);
	cr_expect(t >= 1000 * FX_MS && t < 1002 * FX_MS, "128 KiB x32: %lld ns", (long long)t);
	t = f4_erase(b, 0, F4_X8);
	cr_expect(t >= 400 * FX_MS && t < 402 * FX_MS, "16 KiB x8: %lld ns", (long long)t);
	sim_board_free(b);
}

Test(sim_board_f4, dual_bank_sector_12_is_snb_0x10_at_0x08100000)
{
	sim_board *b = f4_board("STM32F429ZI", 3300, 0xFFFFFFFFU, 0);

	f4_unlock(b);
	fx_w(b, F4_CR, 4, F4_PG | F4_X32);
	fx_w(b, 0x08100000U, 4, 0x11223344U);
	fx_w(b, 0x080FC000U, 4, 0x55667788U);   /* last bank-1 word of sector 11 */
	cr_expect_eq(fx_r(b, 0x08100000U, 4), 0x11223344U);
	fx_w(b, F4_CR, 4, 0);
	f4_erase(b, 0x10, F4_X32);
	cr_expect_eq(fx_r(b, 0x08100000U, 4), 0xFFFFFFFFU, "sector 12 erased");
	cr_expect_eq(fx_r(b, 0x080FC000U, 4), 0x55667788U, "sector 11 kept");
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF1U, 1U, "EOP, no error");
	sim_board_free(b);
}

Test(sim_board_f4, rdp_1_to_0_erases_flash_and_the_levels_change_at_reset)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id, v;

	c.part = sim_part_find("STM32F411RE");
	c.timing.t_prog_ns = 16000;
	c.timing.core_hz = 16000000;
	c.rdp = 1;
	c.firmware = fx_write_file("fw.bin", fx_fw_loop, sizeof(fx_fw_loop));
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT, "level 1 blocks the debugger");
	fx_w(b, F4_OPTKEYR, 4, 0x08192A3BU);
	fx_w(b, F4_OPTKEYR, 4, 0x4C5D6E7FU);
	uint32_t optcr = fx_r(b, F4_OPTCR, 4);
	cr_expect_eq(optcr & 1U, 0, "OPTLOCK cleared");
	fx_w(b, F4_OPTCR, 4, (optcr & ~0xFF00U) | 0xAA00U);
	fx_w(b, F4_OPTCR, 4, (optcr & ~0xFF00U) | 0xAA02U);   /* OPTSTRT */
	cr_expect(fx_r(b, F4_SR, 4) & F4_BSY);
	sim_board_advance(b, sim_board_now(b) + 9000 * FX_MS);
	cr_expect_eq(fx_r(b, F4_SR, 4) & F4_BSY, 0);
	cr_expect_eq(fx_r(b, F4_OPTCR, 4) & 0xFF00U, 0xAA00U, "OPTCR reads what was programmed");
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT, "still level 1 until reset");
	sim_board_set_nrst(b, true);
	sim_board_set_nrst(b, false);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "the regression mass-erased flash");
	sim_board_free(b);
}

Test(sim_board_f4, otp_programs_once_and_a_locked_block_refuses)
{
	sim_board *b = f4_board("STM32F407VG", 3300, 0xFFFFFFFFU, 0);

	f4_unlock(b);
	fx_w(b, F4_CR, 4, F4_PG | F4_X32);
	fx_w(b, F4_OTP, 4, 0xA5A5A5A5U);
	cr_expect_eq(fx_r(b, F4_OTP, 4), 0xA5A5A5A5U);
	fx_w(b, F4_CR, 4, F4_PG | F4_X8);
	fx_w(b, F4_OTP_LOCK, 1, 0x00);   /* lock block 0 */
	fx_w(b, F4_CR, 4, F4_PG | F4_X32);
	fx_w(b, F4_OTP + 4, 4, 0);
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, F4_WRPERR, "block 0 locked");
	cr_expect_eq(fx_r(b, F4_OTP + 4, 4), 0xFFFFFFFFU);
	fx_w(b, F4_SR, 4, 0xF3U);
	fx_w(b, F4_OTP + 32, 4, 0x1234U);   /* block 1 is still open */
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, 0);
	cr_expect_eq(fx_r(b, F4_OTP + 32, 4), 0x1234U);
	sim_board_free(b);
}

Test(sim_board_f4, below_2v7_x32_fails_with_pgperr_and_x8_works)
{
	sim_board *b = f4_board("STM32F446RE", 2400, 0xFFFFFFFFU, 0);

	cr_expect_eq(sim_board_voltage_mv(b), 2400U);
	f4_unlock(b);
	fx_w(b, F4_CR, 4, F4_PG | F4_X32);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, F4_PGPERR);
	fx_w(b, F4_SR, 4, 0xF3U);
	fx_w(b, F4_CR, 4, F4_PG | F4_X8);
	fx_w(b, FX_FLASH, 1, 0x5A);
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, 0);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFF5AU);
	sim_board_free(b);
}

/* Firmware: vectors, RCC_AHB1ENR |= GPIOAEN, GPIOA_MODER = 0 (PA13/PA14 inputs), b . */
static const uint8_t f4_fw_moder[] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
	0x03, 0x48,             /* 08 ldr  r0, =0x40023830 */
	0x01, 0x21,             /* 0a movs r1, #1 */
	0x01, 0x60,             /* 0c str  r1, [r0] */
	0x03, 0x48,             /* 0e ldr  r0, =0x40020000 */
	0x00, 0x21,             /* 10 movs r1, #0 */
	0x01, 0x60,             /* 12 str  r1, [r0] */
	0xfe, 0xe7,             /* 14 b . */
	0x00, 0xbf,             /* 16 nop */
	0x30, 0x38, 0x02, 0x40, 0x00, 0x00, 0x02, 0x40,
};

Test(sim_board_f4, firmware_taking_pa13_pa14_out_of_af_cuts_swd_until_reset)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find("STM32F407VG");
	c.timing.core_hz = 16000000;
	c.firmware = fx_write_file("fw.bin", f4_fw_moder, sizeof(f4_fw_moder));
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, 0x40020000U, 4), 0xA8000000U, "MODER reset value");
	sim_board_advance(b, FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "NRST gives the pins back");
	sim_board_free(b);
}

/* Firmware: vectors, SCB_SCR = SLEEPDEEP, wfi (loop). Same bytes as stop-f103.bin. */
static const uint8_t f4_fw_stop[] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
	0x02, 0x48,             /* 08 ldr  r0, =0xE000ED10  SCB_SCR */
	0x04, 0x21,             /* 0a movs r1, #4            SLEEPDEEP */
	0x01, 0x60,             /* 0c str  r1, [r0] */
	0x30, 0xbf,             /* 0e wfi */
	0xfd, 0xe7,             /* 10 b 0x0e */
	0x00, 0xbf,             /* 12 nop */
	0x10, 0xed, 0x00, 0xe0,
};

static sim_board *f4_stop_board(const char *part)
{
	sim_board_cfg c = fx_cfg();

	c.part = sim_part_find(part);
	c.timing.core_hz = 0;   /* the family's HSI */
	c.firmware = fx_write_file("fw.bin", f4_fw_stop, sizeof(f4_fw_stop));
	return fx_board(&c, 0);
}

Test(sim_board_f4, stop_without_dbg_stop_silences_the_debug_port_until_nrst)
{
	static const char *const parts[] = { "STM32F103RC", "STM32F407VG", "STM32F767ZI" };
	uint32_t id;

	for (size_t i = 0; i < 3; i++) {
		sim_board *b = f4_stop_board(parts[i]);
		sim_board_advance(b, FX_MS);
		cr_expect_not(sim_board_core_running(b), "%s asleep", parts[i]);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "%s", parts[i]);
		sim_board_set_nrst(b, true);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s under reset", parts[i]);
		/* connect under reset: catch the core at the reset vector, it never sleeps */
		fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
		fx_w(b, FX_DEMCR, 4, 0x01000001U);
		sim_board_set_nrst(b, false);
		sim_board_advance(b, sim_board_now(b) + FX_MS);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s halted", parts[i]);
		cr_expect_eq(fx_get_reg(b, 15), 0x08000008U, "%s", parts[i]);
		sim_board_free(b);
		fx_teardown();
		fx_setup();
	}
}

Test(sim_board_f4, stop_with_dbg_stop_keeps_the_debug_port)
{
	uint32_t id;
	sim_board *b = f4_stop_board("STM32F407VG");

	sim_board_set_nrst(b, true);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	fx_w(b, 0xE0042004U, 4, 0x2U);   /* DBGMCU_CR.DBG_STOP, survives system reset */
	sim_board_set_nrst(b, false);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_not(sim_board_core_running(b), "asleep");
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, FX_DHCSR, 4) & (1U << 18), 1U << 18, "S_SLEEP");
	sim_board_free(b);
}

Test(sim_board_f4, f7_sectors_of_32_kib_and_otp_at_0x1ff0f000)
{
	sim_board *b = f4_board("STM32F746ZG", 3300, 0xFFFFFFFFU, 0);
	int64_t t;

	f4_unlock(b);
	t = f4_erase(b, 1, F4_X32);   /* 0x08008000, 32 KiB: 2 x the 16 KiB time (unverified) */
	cr_expect(t >= 500 * FX_MS && t < 502 * FX_MS, "32 KiB x32: %lld ns", (long long)t);
	t = f4_erase(b, 5, F4_X32);   /* 256 KiB */
	cr_expect(t >= 2000 * FX_MS && t < 2002 * FX_MS, "256 KiB x32: %lld ns", (long long)t);
	fx_w(b, F4_CR, 4, F4_SER | 8U << 3 | F4_X32 | F4_STRT);   /* F746: sectors 0..7 only */
	cr_expect_eq(fx_r(b, F4_SR, 4) & 0xF0U, F4_PGSERR, "no sector 8");
	fx_w(b, F4_SR, 4, 0xF3U);
	fx_w(b, F4_CR, 4, F4_PG | F4_X32);
	fx_w(b, 0x1FF0F000U, 4, 0x0BADF00DU);
	cr_expect_eq(fx_r(b, 0x1FF0F000U, 4), 0x0BADF00DU);
	cr_expect_eq(fx_r(b, 0x40023C18U, 4), 0x00400080U, "OPTCR1: BOOT_ADD0 0x0080, BOOT_ADD1 0x0040");
	sim_board_free(b);
}

Test(sim_board_f4, rdp_level_2_takes_effect_at_reset_and_the_debug_port_is_gone)
{
	sim_board *b = f4_board("STM32F205RG", 3300, 0xFFFFFFFFU, 0);
	uint32_t id;

	fx_w(b, F4_OPTKEYR, 4, 0x08192A3BU);
	fx_w(b, F4_OPTKEYR, 4, 0x4C5D6E7FU);
	uint32_t optcr = (fx_r(b, F4_OPTCR, 4) & ~0xFF00U) | 0xCC00U;
	fx_w(b, F4_OPTCR, 4, optcr);
	fx_w(b, F4_OPTCR, 4, optcr | 2U);
	sim_board_advance(b, sim_board_now(b) + 100 * FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "level 2 waits for reset");
	sim_board_set_nrst(b, true);
	sim_board_set_nrst(b, false);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "not even under reset");
	sim_board_free(b);
}

/* PWR_CR.PDDS picks Standby: then DBG_STANDBY, not DBG_STOP, keeps the port (RM0090 §38.16.1). */
static sim_swd f4_standby_with(uint32_t dbgmcu_cr)
{
	uint32_t id;
	sim_board *b = f4_stop_board("STM32F411RE");

	sim_board_set_nrst(b, true);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
	fx_w(b, FX_DEMCR, 4, 0x01000001U);   /* halt on the reset vector */
	fx_w(b, 0xE0042004U, 4, dbgmcu_cr);
	sim_board_set_nrst(b, false);
	fx_w(b, 0x40007000U, 4, 0x2U);       /* PWR_CR.PDDS */
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);   /* run */
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_not(sim_board_core_running(b));
	sim_swd r = sim_board_dp_connect(b, &id);
	sim_board_free(b);
	fx_teardown();
	fx_setup();
	return r;
}

Test(sim_board_f4, standby_needs_dbg_standby_not_dbg_stop)
{
	cr_expect_eq(f4_standby_with(0x2U), SIM_SWD_NOACK, "DBG_STOP does not cover Standby");
	cr_expect_eq(f4_standby_with(0x4U), SIM_SWD_OK, "DBG_STANDBY does");
}
