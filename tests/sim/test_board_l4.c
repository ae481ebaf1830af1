/*
 * test_board_l4.c — the double-word flash controller of G0/C0/G4/L4/L4+/
 * WB/WL (tools/sim/board_fpec_l4.c, board_fpec_l4_ob.c) rule by rule,
 * driven as a debugger would through the board API; the Cortex-M0+ of
 * G0/C0, the families' reset clocks and the switch to HSI16
 * (board_clock_dw.c), and the seed failures (PA13/PA14 taken by firmware,
 * Stop without DBGMCU) with their recovery under reset.
 *
 * Facts: RM0351 §3.3 (unlock, program, fast program, erase, errors), §3.4
 * (option bytes, OBL_LAUNCH), §3.5 (RDP regression); RM0444 §3.3 (G0
 * BKER b13, bank 2 from page 256); RM0434 §3.3.7 (WB mass erase refused
 * from CPU1); stm32-families.md §3 timings (82 / 85 us, 22 ms, 1.91 ms).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "board_fixtures.h"

#define DW_BASE      0x40022000U
#define DW_BASE_WB   0x58004000U
#define DW_KEYR      0x08U
#define DW_OPTKEYR   0x0CU
#define DW_SR        0x10U
#define DW_CR        0x14U
#define DW_ECCR      0x18U
#define DW_OPTR      0x20U
#define DW_WRP1AR    0x2CU
#define DW_SFR       0x80U
#define SR_EOP       0x1U
#define SR_OPERR     0x2U
#define SR_PROGERR   0x8U
#define SR_WRPERR    0x10U
#define SR_PGAERR    0x20U
#define SR_SIZERR    0x40U
#define SR_PGSERR    0x80U
#define SR_MISSERR   0x100U
#define SR_FASTERR   0x200U
#define SR_ERRS      0xC3FAU
#define SR_BSY       0x10000U
#define CR_PG        0x1U
#define CR_PER       0x2U
#define CR_MER1      0x4U
#define CR_MER2      0x8000U
#define CR_STRT      0x10000U
#define CR_OPTSTRT   0x20000U
#define CR_FSTPG     0x40000U
#define CR_EOPIE     0x1000000U
#define CR_ERRIE     0x2000000U
#define CR_OBL       0x8000000U
#define CR_OPTLOCK   0x40000000U
#define CR_LOCK      0x80000000U
#define US           1000LL

TestSuite(board_l4, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

static uint32_t dw_base(sim_board *b)
{
	uint32_t v = 0;

	/* WB/WL: the controller sits at 0x58004000, which answers on no other family */
	return sim_board_read(b, DW_BASE_WB + DW_SR, 4, &v) == SIM_SWD_OK ? DW_BASE_WB : DW_BASE;
}

static sim_board *dw_board_cfg(sim_board_cfg *c)
{
	uint32_t id;
	sim_board *b = fx_board(c, 0);

	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	return b;
}

static sim_board_cfg dw_cfg(const char *part)
{
	sim_board_cfg c = fx_cfg();

	c.part = sim_part_find(part);
	cr_assert_not_null(c.part, "%s", part);
	c.timing.t_prog_ns = 0;   /* the family's figure */
	c.timing.core_hz = 0;     /* the family's reset clock */
	return c;
}

static sim_board *dw_board(const char *part)
{
	sim_board_cfg c = dw_cfg(part);

	c.uid[11] = (uint8_t)part[7] ^ (uint8_t)part[8] << 1 ^ (uint8_t)part[9] << 2;   /* per part */
	return dw_board_cfg(&c);
}

static void dw_w(sim_board *b, uint32_t off, uint32_t val)
{
	fx_w(b, dw_base(b) + off, 4, val);
}

static uint32_t dw_r(sim_board *b, uint32_t off)
{
	return fx_r(b, dw_base(b) + off, 4);
}

static void dw_unlock(sim_board *b)
{
	dw_w(b, DW_KEYR, FX_KEY1);
	dw_w(b, DW_KEYR, FX_KEY2);
	cr_assert_eq(dw_r(b, DW_CR) & CR_LOCK, 0);
}

static void dw_opt_unlock(sim_board *b)
{
	dw_unlock(b);
	dw_w(b, DW_OPTKEYR, 0x08192A3BU);
	dw_w(b, DW_OPTKEYR, 0x4C5D6E7FU);
	cr_assert_eq(dw_r(b, DW_CR) & CR_OPTLOCK, 0);
}

/* Poll BSY in 10 us steps; returns the virtual time it took. */
static int64_t dw_wait(sim_board *b)
{
	int64_t t0 = sim_board_now(b);

	while (dw_r(b, DW_SR) & SR_BSY)
		sim_board_advance(b, sim_board_now(b) + 10 * US);
	return sim_board_now(b) - t0;
}

static void dw_clear(sim_board *b)
{
	dw_w(b, DW_SR, SR_ERRS | SR_EOP);
}

/* PG: one double word at addr. */
static void dw_prog(sim_board *b, uint32_t addr, uint32_t lo, uint32_t hi)
{
	dw_w(b, DW_CR, CR_PG);
	fx_w(b, addr, 4, lo);
	fx_w(b, addr + 4, 4, hi);
	dw_wait(b);
}

static int64_t dw_erase(sim_board *b, uint32_t cr)
{
	dw_w(b, DW_CR, cr);
	dw_w(b, DW_CR, cr | CR_STRT);
	return dw_wait(b);
}

/* ---- identification -------------------------------------------------------------------- */

Test(board_l4, parts_identify_with_their_ids_cores_and_reset_clocks)
{
	static const struct { const char *part; uint32_t idc, dev, dpidr, cpuid; } t[] = {
		{ "STM32G071RB", 0x40015800U, 0x460U, 0x0BC11477U, 0x410CC601U },
		{ "STM32C031C6", 0x40015800U, 0x453U, 0x0BC11477U, 0x410CC601U },
		{ "STM32G474RE", 0xE0042000U, 0x469U, 0x2BA01477U, 0x410FC241U },
		{ "STM32L476RG", 0xE0042000U, 0x415U, 0x2BA01477U, 0x410FC241U },
		{ "STM32WB55RG", 0xE0042000U, 0x495U, 0x6BA02477U, 0x410FC241U },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sim_board_cfg c = dw_cfg(t[i].part);
		c.uid[0] = (uint8_t)i;   /* a state directory per board */
		sim_board *b = fx_board(&c, 0);
		uint32_t id;
		cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
		cr_expect_eq(id, t[i].dpidr, "%s", t[i].part);
		cr_expect_eq(fx_r(b, t[i].idc, 4) & 0xFFFU, t[i].dev, "%s", t[i].part);
		cr_expect_eq(fx_r(b, 0xE000ED00U, 4), t[i].cpuid, "%s", t[i].part);
		cr_expect_eq(dw_r(b, DW_CR), CR_LOCK | CR_OPTLOCK, "%s CR reset", t[i].part);
		sim_board_free(b);
	}
}

/* ---- unlock ----------------------------------------------------------------------------- */

Test(board_l4, a_wrong_key_is_a_bus_error_and_locks_until_reset)
{
	sim_board *b = dw_board("STM32L476RG");

	dw_w(b, DW_KEYR, FX_KEY1);
	cr_expect_eq(sim_board_write(b, DW_BASE + DW_KEYR, 4, 0x11111111U), SIM_SWD_FAULT);
	cr_expect_eq(sim_board_write(b, DW_BASE + DW_KEYR, 4, FX_KEY1), SIM_SWD_FAULT, "dead");
	dw_w(b, DW_CR, CR_PG);
	cr_expect_eq(dw_r(b, DW_CR), CR_LOCK | CR_OPTLOCK, "CR still locked");
	fx_system_reset(b);
	dw_unlock(b);
	/* a wrong option key locks too */
	cr_expect_eq(sim_board_write(b, DW_BASE + DW_OPTKEYR, 4, 0x4C5D6E7FU), SIM_SWD_FAULT);
	cr_expect_eq(sim_board_write(b, DW_BASE + DW_KEYR, 4, FX_KEY1), SIM_SWD_FAULT);
	sim_board_free(b);
}

Test(board_l4, unlocking_twice_is_a_wrong_sequence)
{
	sim_board *b = dw_board("STM32G474RE");

	dw_unlock(b);
	cr_expect_eq(sim_board_write(b, DW_BASE + DW_KEYR, 4, FX_KEY1), SIM_SWD_FAULT);
	cr_expect_eq(dw_r(b, DW_CR) & CR_LOCK, CR_LOCK, "locked until reset");
	cr_expect_eq(sim_board_write(b, DW_BASE + DW_KEYR, 4, FX_KEY1), SIM_SWD_FAULT);
	sim_board_free(b);
}

Test(board_l4, lock_also_sets_optlock)
{
	sim_board *b = dw_board("STM32G071RB");

	dw_opt_unlock(b);
	dw_w(b, DW_CR, CR_LOCK);
	cr_expect_eq(dw_r(b, DW_CR), CR_LOCK | CR_OPTLOCK);
	sim_board_free(b);
}

/* ---- double-word programming ------------------------------------------------------------ */

Test(board_l4, a_double_word_programs_with_its_second_word_in_82_us)
{
	sim_board *b = dw_board("STM32L476RG");
	int64_t t;

	dw_unlock(b);
	dw_w(b, DW_CR, CR_PG);
	fx_w(b, FX_FLASH + 8, 4, 0x11223344U);
	cr_expect_eq(dw_r(b, DW_SR) & SR_BSY, 0, "the first word only latches");
	fx_w(b, FX_FLASH + 12, 4, 0x55667788U);
	cr_expect(dw_r(b, DW_SR) & SR_BSY, "the second starts it");
	t = dw_wait(b);
	cr_expect(t >= 70 * US && t <= 90 * US, "%lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH + 8, 4), 0x11223344U);
	cr_expect_eq(fx_r(b, FX_FLASH + 12, 4), 0x55667788U);
	cr_expect_eq(dw_r(b, DW_SR) & (SR_ERRS | SR_EOP), 0, "no EOP without EOPIE");
	dw_w(b, DW_CR, CR_PG | CR_EOPIE);
	fx_w(b, FX_FLASH + 16, 4, 1);
	fx_w(b, FX_FLASH + 20, 4, 2);
	dw_wait(b);
	cr_expect_eq(dw_r(b, DW_SR) & SR_EOP, SR_EOP, "EOP with EOPIE");
	sim_board_free(b);
}

Test(board_l4, g0_double_word_takes_85_us)
{
	sim_board *b = dw_board("STM32G031K8");
	int64_t t;

	dw_unlock(b);
	dw_w(b, DW_CR, CR_PG);
	fx_w(b, FX_FLASH, 4, 0);
	fx_w(b, FX_FLASH + 4, 4, 0);
	t = dw_wait(b);
	cr_expect(t >= 80 * US && t <= 95 * US, "%lld ns", (long long)t);
	sim_board_free(b);
}

Test(board_l4, size_alignment_sequence_and_erased_state_errors)
{
	sim_board *b = dw_board("STM32G474RE");

	dw_unlock(b);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGSERR, "data without PG");
	dw_w(b, DW_CR, CR_PG);
	fx_w(b, FX_FLASH + 8, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGSERR, "error flags not cleared");
	dw_clear(b);
	fx_w(b, FX_FLASH, 2, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_SIZERR, "half-word");
	dw_clear(b);
	fx_w(b, FX_FLASH, 1, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_SIZERR, "byte");
	dw_clear(b);
	fx_w(b, FX_FLASH + 4, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGAERR, "first word not 8-aligned");
	dw_clear(b);
	fx_w(b, FX_FLASH, 4, 0);
	fx_w(b, FX_FLASH + 12, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGAERR, "second word in another double word");
	dw_clear(b);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "nothing programmed");
	dw_w(b, DW_CR, CR_PG | CR_PER);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGSERR, "PG with PER");
	dw_clear(b);
	dw_prog(b, FX_FLASH, 0x12345678U, 0xFFFFFFFFU);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, 0);
	dw_prog(b, FX_FLASH, 0x02345678U, 0xFFFFFFFFU);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PROGERR, "not erased");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x12345678U, "unchanged");
	dw_clear(b);
	dw_prog(b, FX_FLASH, 0, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, 0, "all zeros may go over data");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0);
	dw_w(b, DW_CR, CR_PG | CR_ERRIE);
	fx_w(b, FX_FLASH + 1, 1, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_SIZERR | SR_OPERR, "OPERR with ERRIE");
	sim_board_free(b);
}

Test(board_l4, write_protection_and_rdp1_with_the_debugger_give_wrperr)
{
	sim_board_cfg c = dw_cfg("STM32L432KC");
	c.wrp = ~0x6U;   /* pages 1..2 in WRP1A */
	sim_board *b = dw_board_cfg(&c);

	cr_expect_eq(dw_r(b, DW_WRP1AR) & 0x00FF00FFU, 0x00020001U, "WRP1A 1..2");
	dw_unlock(b);
	dw_prog(b, FX_FLASH + 0x800, 0, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_WRPERR);
	dw_clear(b);
	dw_erase(b, CR_PER | 2U << 3);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_WRPERR, "page 2");
	dw_clear(b);
	dw_erase(b, CR_MER1);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_WRPERR, "mass erase with a protected page");
	dw_clear(b);
	dw_prog(b, FX_FLASH + 0x1800, 0, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, 0, "page 3 is free");
	sim_board_free(b);
	c.wrp = 0xFFFFFFFFU;
	c.rdp = 1;
	c.uid[0] ^= 1;
	b = dw_board_cfg(&c);
	cr_expect_eq(dw_r(b, DW_OPTR) & 0xFFU, 0xBBU);
	uint32_t v;
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT, "RDP 1: reads fault");
	dw_unlock(b);
	dw_prog(b, FX_FLASH, 0, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_WRPERR, "RDP 1 with the debugger");
	sim_board_free(b);
}

/* ---- erase -------------------------------------------------------------------------------- */

Test(board_l4, page_erase_takes_22_ms_and_bker_selects_bank_2)
{
	sim_board *b = dw_board("STM32L476RG");
	int64_t t;

	dw_unlock(b);
	dw_prog(b, FX_FLASH + 0x80000 + 0x800, 0, 0);     /* bank 2, page 1 */
	dw_prog(b, FX_FLASH + 0x800, 0, 0);               /* bank 1, page 1 */
	t = dw_erase(b, CR_PER | 1U << 3 | 1U << 11);
	cr_expect(t >= 22 * FX_MS && t <= 22 * FX_MS + 50 * US, "%lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x80800, 4), 0xFFFFFFFFU, "bank 2 page 1 erased");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x800, 4), 0, "bank 1 page 1 kept");
	sim_board_free(b);
}

Test(board_l4, g0b1_bank_2_pages_are_numbered_from_256_with_bker_b13)
{
	sim_board *b = dw_board("STM32G0B1RE");

	dw_unlock(b);
	dw_prog(b, FX_FLASH + 0x40000 + 0x1000, 0, 0);    /* bank 2, its page 2 */
	dw_erase(b, CR_PER | 2U << 3 | 1U << 13);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGSERR, "page 2 is not in bank 2");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x41000, 4), 0);
	dw_clear(b);
	dw_erase(b, CR_PER | 258U << 3 | 1U << 13);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x41000, 4), 0xFFFFFFFFU, "page 258 = bank 2 page 2");
	sim_board_free(b);
}

Test(board_l4, mass_erase_per_bank_and_both)
{
	sim_board *b = dw_board("STM32L476RG");
	int64_t t;

	dw_unlock(b);
	dw_prog(b, FX_FLASH, 0, 0);
	dw_prog(b, FX_FLASH + 0x80000, 0, 0);
	t = dw_erase(b, CR_MER1);
	cr_expect(t >= 22 * FX_MS && t <= 23 * FX_MS, "%lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x80000, 4), 0, "bank 2 kept");
	dw_erase(b, CR_MER2);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x80000, 4), 0xFFFFFFFFU);
	dw_erase(b, CR_MER1 | CR_PER);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGSERR, "PER with MER");
	sim_board_free(b);
}

Test(board_l4, writing_cr_while_busy_stalls_until_the_operation_ends)
{
	sim_board *b = dw_board("STM32G071RB");
	int64_t t0;

	dw_unlock(b);
	dw_w(b, DW_CR, CR_PER | 3U << 3);
	dw_w(b, DW_CR, CR_PER | 3U << 3 | CR_STRT);
	t0 = sim_board_now(b);
	dw_w(b, DW_CR, 0);
	cr_expect(sim_board_now(b) - t0 >= 21 * FX_MS, "the write waited for BSY");
	cr_expect_eq(dw_r(b, DW_SR) & SR_BSY, 0);
	sim_board_free(b);
}

/* ---- option bytes ----------------------------------------------------------------------- */

Test(board_l4, factory_option_registers_and_the_option_page)
{
	sim_board *b = dw_board("STM32L476RG");

	cr_expect_eq(dw_r(b, DW_OPTR), 0xFFEFF8AAU);
	cr_expect_eq(dw_r(b, DW_WRP1AR), 0x000000FFU);
	cr_expect_eq(fx_r(b, 0x1FFF7800U, 4), 0xFFEFF8AAU, "OPTR in the option page");
	cr_expect_eq(fx_r(b, 0x1FFF7804U, 4), ~0xFFEFF8AAU, "and its complement");
	sim_board_free(b);
	b = dw_board("STM32G071RB");
	cr_expect_eq(dw_r(b, DW_OPTR), 0xFFFFFEAAU);
	sim_board_free(b);
}

Test(board_l4, optstrt_programs_the_page_and_obl_launch_loads_it_with_a_reset)
{
	sim_board *b = dw_board("STM32L476RG");
	uint32_t id;

	dw_w(b, DW_OPTR, 0x12345678U);
	cr_expect_eq(dw_r(b, DW_OPTR), 0xFFEFF8AAU, "read-only while OPTLOCK");
	dw_opt_unlock(b);
	dw_w(b, DW_OPTR, 0xFFEFF8AAU & ~(1U << 17));   /* IWDG_STOP = 0 */
	dw_w(b, DW_CR, CR_OPTSTRT);
	cr_expect(dw_wait(b) >= 22 * FX_MS);
	cr_expect_eq(fx_r(b, 0x1FFF7800U, 4), 0xFFEDF8AAU, "programmed");
	fx_system_reset(b);
	cr_expect_eq(dw_r(b, DW_OPTR), 0xFFEFF8AAU, "a system reset does not load it");
	dw_opt_unlock(b);
	cr_expect_eq(sim_board_write(b, DW_BASE + DW_CR, 4, CR_OBL), SIM_SWD_FAULT,
		     "OBL_LAUNCH resets: the access fails");
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(dw_r(b, DW_OPTR), 0xFFEDF8AAU, "loaded");
	cr_expect_eq(dw_r(b, DW_CR), CR_LOCK | CR_OPTLOCK);
	sim_board_free(b);
}

Test(board_l4, obl_launch_is_refused_while_optlock)
{
	sim_board *b = dw_board("STM32G071RB");

	dw_unlock(b);
	dw_w(b, DW_CR, CR_OBL);
	cr_expect_eq(dw_r(b, DW_CR) & CR_OBL, 0);
	sim_board_free(b);
}

Test(board_l4, rdp_1_to_0_erases_the_flash_and_rdp_2_kills_the_debug_port)
{
	sim_board_cfg c = dw_cfg("STM32G071RB");
	uint8_t fw[16];
	uint32_t id;

	memset(fw, 0x42, sizeof(fw));
	c.firmware = fx_write_file("fw.bin", fw, sizeof(fw));
	c.rdp = 1;
	sim_board *b = dw_board_cfg(&c);
	dw_opt_unlock(b);
	dw_w(b, DW_OPTR, (dw_r(b, DW_OPTR) & ~0xFFU) | 0xAAU);
	dw_w(b, DW_CR, CR_OPTSTRT);
	cr_expect(dw_wait(b) >= 44 * FX_MS, "with the mass erase");
	cr_expect_eq(sim_board_write(b, DW_BASE + DW_CR, 4, CR_OBL), SIM_SWD_FAULT);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "level 0, erased");
	dw_opt_unlock(b);
	dw_w(b, DW_OPTR, (dw_r(b, DW_OPTR) & ~0xFFU) | 0xCCU);
	dw_w(b, DW_CR, CR_OPTSTRT);
	dw_wait(b);
	sim_board_write(b, DW_BASE + DW_CR, 4, CR_OBL);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "level 2");
	sim_board_free(b);
}

Test(board_l4, dbank_selects_the_g4_and_l4plus_page_layout)
{
	sim_board *b = dw_board("STM32G474RE");
	uint32_t id;

	dw_opt_unlock(b);
	dw_prog(b, FX_FLASH + 0x800, 0, 0);   /* DBANK = 1: page 1 is 2 KiB */
	dw_erase(b, CR_PER | 0U << 3);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x800, 4), 0, "2 KiB pages");
	dw_w(b, DW_OPTR, dw_r(b, DW_OPTR) & ~(1U << 22));
	dw_w(b, DW_CR, CR_OPTSTRT);
	dw_wait(b);
	sim_board_write(b, DW_BASE + DW_CR, 4, CR_OBL);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	dw_unlock(b);
	dw_erase(b, CR_PER | 0U << 3);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x800, 4), 0xFFFFFFFFU, "DBANK = 0: 4 KiB pages");
	dw_erase(b, CR_PER | 1U << 3 | 1U << 11);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGSERR, "no bank 2");
	sim_board_free(b);
}

/* ---- fast programming ------------------------------------------------------------------- */

/* The row's 64 words as the debugger writes them, one every word_ns. */
static void dw_row(sim_board *b, uint32_t addr, int64_t word_ns)
{
	for (uint32_t i = 0; i < 64; i++) {
		fx_w(b, addr + 4 * i, 4, 0xA5000000U | i);
		sim_board_advance(b, sim_board_now(b) + word_ns);
	}
}

static void dw_to_hsi16(sim_board *b)
{
	fx_w(b, 0x40021000U, 4, fx_r(b, 0x40021000U, 4) | 1U << 8);   /* HSION */
	fx_w(b, 0x40021008U, 4, 1U);                                  /* SW = HSI16 */
	cr_assert_eq(fx_r(b, 0x40021008U, 4) & 0xCU, 0x4U, "SWS = HSI16");
}

Test(board_l4, fast_row_after_mass_erase_in_1_91_ms)
{
	sim_board *b = dw_board("STM32L476RG");
	int64_t t0, t;

	dw_to_hsi16(b);
	dw_unlock(b);
	dw_w(b, DW_CR, CR_FSTPG);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGSERR, "not after a mass erase");
	dw_clear(b);
	dw_erase(b, CR_MER1);
	dw_w(b, DW_CR, CR_FSTPG);
	t0 = sim_board_now(b);
	dw_row(b, FX_FLASH + 0x100, 10 * US);
	dw_wait(b);
	t = sim_board_now(b) - t0;
	cr_expect(t >= 1900 * US && t <= 1950 * US, "row %lld ns", (long long)t);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x1FC, 4), 0xA500003FU);
	sim_board_free(b);
}

Test(board_l4, fast_row_errors_missing_data_alignment_and_slow_clock)
{
	sim_board *b = dw_board("STM32L476RG");

	dw_unlock(b);
	dw_erase(b, CR_MER1);
	dw_w(b, DW_CR, CR_FSTPG);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_MISSERR | SR_FASTERR, "HCLK 4 MHz < 8 MHz");
	dw_clear(b);
	dw_to_hsi16(b);
	dw_w(b, DW_CR, CR_FSTPG);
	fx_w(b, FX_FLASH + 8, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGAERR | SR_FASTERR, "row not 256-aligned");
	dw_clear(b);
	dw_w(b, DW_CR, CR_FSTPG);
	dw_row(b, FX_FLASH + 0x200, 100 * US);   /* a double word per 200 us: too slow */
	cr_expect(dw_r(b, DW_SR) & SR_MISSERR, "MISSERR");
	cr_expect(dw_r(b, DW_SR) & SR_FASTERR, "FASTERR");
	sim_board_free(b);
}

/* ---- WB secure area -------------------------------------------------------------------- */

Test(board_l4, wb_pages_from_sfsa_refuse_and_mass_erase_is_a_bus_error)
{
	sim_board *b = dw_board("STM32WB55RG");

	cr_expect_eq(fx_r(b, DW_BASE_WB + DW_SFR, 4) & 0xFFU, 0xF4U, "SFSA: FUS only");
	dw_unlock(b);
	dw_prog(b, FX_FLASH + 0xF4000, 0, 0);
	cr_expect_eq(fx_r(b, DW_BASE_WB + DW_SR, 4) & SR_ERRS, SR_WRPERR, "program at SFSA");
	fx_w(b, DW_BASE_WB + DW_SR, 4, SR_ERRS);
	dw_erase(b, CR_PER | 0xF5U << 3);
	cr_expect_eq(fx_r(b, DW_BASE_WB + DW_SR, 4) & SR_ERRS, SR_WRPERR, "erase above SFSA");
	fx_w(b, DW_BASE_WB + DW_SR, 4, SR_ERRS);
	dw_erase(b, CR_PER | 0xF3U << 3);
	cr_expect_eq(fx_r(b, DW_BASE_WB + DW_SR, 4) & SR_ERRS, 0, "below SFSA");
	cr_expect_eq(sim_board_write(b, DW_BASE_WB + DW_CR, 4, CR_MER1), SIM_SWD_FAULT,
		     "mass erase from CPU1");
	cr_expect_eq(fx_r(b, DW_BASE_WB + DW_CR, 4) & CR_MER1, 0);
	sim_board_free(b);
}

/* ---- ECC ------------------------------------------------------------------------------------ */

Test(board_l4, a_double_word_cut_by_power_loss_reads_with_eccd)
{
	sim_board_cfg c = dw_cfg("STM32L432KC");
	sim_board *b = dw_board_cfg(&c);

	dw_unlock(b);
	dw_w(b, DW_CR, CR_PG);
	fx_w(b, FX_FLASH + 0x100, 4, 0x12345678U);
	fx_w(b, FX_FLASH + 0x104, 4, 0x9ABCDEF0U);
	sim_board_free(b);   /* the state keeps the cells; the next board loses power mid-program */
	c.power_loss_at_ns = 40 * US;
	b = fx_board(&c, 0);
	uint32_t id;
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	dw_unlock(b);
	dw_w(b, DW_CR, CR_PG);
	fx_w(b, FX_FLASH + 0x200, 4, 0x12345678U);
	fx_w(b, FX_FLASH + 0x204, 4, 0x9ABCDEF0U);
	sim_board_advance(b, 1000 * US);
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = dw_board_cfg(&c);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x100, 4), 0x12345678U, "a whole double word");
	cr_expect_eq(dw_r(b, DW_ECCR) >> 30, 0);
	fx_r(b, FX_FLASH + 0x204, 4);
	cr_expect_eq(dw_r(b, DW_ECCR) >> 31, 1, "ECCD");
	cr_expect_eq(dw_r(b, DW_ECCR) & 0x7FFFFU, 0x200U, "its address");
	dw_unlock(b);
	dw_erase(b, CR_PER);   /* page 0 */
	dw_w(b, DW_ECCR, 1U << 31);
	fx_r(b, FX_FLASH + 0x204, 4);
	cr_expect_eq(dw_r(b, DW_ECCR) >> 31, 0, "erased: a good double word again");
	sim_board_free(b);
}

/* ---- cores, clocks, seed failures ------------------------------------------------------- */

/* mov.w r0, #1; bkpt #0 */
static const uint8_t dw_thumb2[8] = { 0x4f, 0xf0, 0x01, 0x00, 0x00, 0xbe, 0x00, 0xbf };

static uint32_t dw_run_thumb2(const char *part, uint32_t *dfsr)
{
	sim_board *b = dw_board(part);
	uint32_t r0;

	fx_halt(b);
	fx_w(b, FX_DEMCR, 4, 0x01000400U);   /* VC_HARDERR */
	fx_w(b, FX_SRAM, 4, (uint32_t)dw_thumb2[0] | (uint32_t)dw_thumb2[1] << 8 |
	     (uint32_t)dw_thumb2[2] << 16 | (uint32_t)dw_thumb2[3] << 24);
	fx_w(b, FX_SRAM + 4, 4, 0xBF00BE00U);
	fx_set_reg(b, 0, 0);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DFSR, 4, 0x1F);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	sim_board_advance(b, sim_board_now(b) + 100 * US);
	cr_assert_not(sim_board_core_running(b));
	*dfsr = fx_r(b, FX_DFSR, 4);
	r0 = fx_get_reg(b, 0);
	sim_board_free(b);
	return r0;
}

Test(board_l4, a_thumb2_instruction_faults_on_the_m0plus_and_runs_on_the_m4)
{
	uint32_t dfsr;

	cr_expect_eq(dw_run_thumb2("STM32L476RG", &dfsr), 1, "M4 runs mov.w");
	cr_expect_eq(dfsr & 0x2U, 0x2U, "stopped at the bkpt");
	cr_expect_eq(dw_run_thumb2("STM32G071RB", &dfsr), 0, "M0+ does not");
	cr_expect_eq(dfsr & 0x8U, 0x8U, "vector catch: HardFault");
	cr_expect_eq(dw_run_thumb2("STM32C031C6", &dfsr), 0);
}

Test(board_l4, reset_clocks_and_the_switch_to_hsi16)
{
	sim_board *b = dw_board("STM32L476RG");

	cr_expect_eq(fx_r(b, 0x40021000U, 4) & 0xF3U, 0x63U, "MSI 4 MHz on, ready");
	cr_expect_eq(fx_r(b, 0x40021008U, 4) & 0xFU, 0, "SW = SWS = MSI");
	fx_w(b, 0x40021008U, 4, 1U);
	cr_expect_eq(fx_r(b, 0x40021008U, 4) & 0xCU, 0, "HSI16 off: no switch");
	fx_w(b, 0x40021000U, 4, fx_r(b, 0x40021000U, 4) | 1U << 8);
	cr_expect_eq(fx_r(b, 0x40021000U, 4) & (1U << 10), 1U << 10, "HSIRDY");
	cr_expect_eq(fx_r(b, 0x40021008U, 4) & 0xCU, 0x4U, "switched once HSI16 is ready");
	sim_board_free(b);
	b = dw_board("STM32G474RE");
	cr_expect_eq(fx_r(b, 0x40021008U, 4) & 0xFU, 0x5U, "G4: HSI16 from reset");
	sim_board_free(b);
}

/* C0: HSIDIV /1 gives 48 MHz; with 0 wait states (<= 24 MHz) reads are garbage. */
Test(board_l4, c0_at_48_mhz_needs_a_wait_state)
{
	sim_board_cfg c = dw_cfg("STM32C031C6");
	uint8_t fw[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	c.firmware = fx_write_file("fw.bin", fw, sizeof(fw));
	sim_board *b = dw_board_cfg(&c);

	cr_expect_eq(fx_r(b, 0x40021000U, 4) & 0x3800U, 0x1000U, "HSIDIV /4: 12 MHz");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x04030201U);
	fx_w(b, 0x40021000U, 4, fx_r(b, 0x40021000U, 4) & ~0x3800U);
	cr_expect_neq(fx_r(b, FX_FLASH, 4), 0x04030201U, "48 MHz at 0 WS");
	dw_w(b, 0x00U, (dw_r(b, 0x00U) & ~7U) | 1U);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x04030201U, "1 WS");
	sim_board_free(b);
}

/* Firmware: RCC GPIOA clock on, GPIOA_MODER PA13/PA14 = output, b . (G0 IOPORT / L4 AHB2). */
static const uint8_t dw_fw_moder_g0[36] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0x03, 0x48, 0x01, 0x21,
	0x01, 0x60, 0x03, 0x48, 0x03, 0x49, 0x01, 0x60, 0xfe, 0xe7, 0x00, 0x00,
	0x34, 0x10, 0x02, 0x40, 0x00, 0x00, 0x00, 0x50, 0xff, 0xff, 0xff, 0xd7,
};
static const uint8_t dw_fw_moder_l4[36] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0x03, 0x48, 0x01, 0x21,
	0x01, 0x60, 0x03, 0x48, 0x03, 0x49, 0x01, 0x60, 0xfe, 0xe7, 0x00, 0x00,
	0x4c, 0x10, 0x02, 0x40, 0x00, 0x00, 0x00, 0x48, 0xff, 0xff, 0xff, 0x97,
};
static const uint8_t dw_fw_moder_wbwl[36] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0x03, 0x48, 0x01, 0x21,
	0x01, 0x60, 0x03, 0x48, 0x03, 0x49, 0x01, 0x60, 0xfe, 0xe7, 0x00, 0x00,
	0x4c, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00, 0x48, 0xff, 0xff, 0xff, 0x97,
};
/* Firmware: SCB_SCR = SLEEPDEEP; wfi (Stop: PWR_CR1.LPMS reset 000) */
static const uint8_t dw_fw_stop[24] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
	0x02, 0x48, 0x04, 0x21, 0x01, 0x60, 0x30, 0xbf, 0xfd, 0xe7, 0x00, 0xbf,
	0x10, 0xed, 0x00, 0xe0,
};

static void dw_seed(const char *part, const uint8_t *fw, size_t len, uint32_t dbg_cr)
{
	sim_board_cfg c = dw_cfg(part);
	uint32_t id;

	c.firmware = fx_write_file("fw.bin", fw, len);
	sim_board *b = fx_board(&c, 0);
	sim_board_advance(b, FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "%s: firmware took SWD", part);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s under reset", part);
	fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
	fx_w(b, FX_DEMCR, 4, 0x01000001U);   /* halt on the reset vector */
	sim_board_set_nrst(b, false);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s halted", part);
	cr_expect_eq(fx_get_reg(b, 15), 0x08000008U, "%s at the reset vector", part);
	if (dbg_cr != 0) {
		/* with the debug bits (G0: DBGMCU clocked first) the firmware's Stop keeps the port */
		fx_w(b, c.part->idcode_addr + 4U, 4, dbg_cr);
		fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
		sim_board_advance(b, sim_board_now(b) + FX_MS);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s with DBG_STOP", part);
	}
	sim_board_free(b);
	fx_teardown();
	fx_setup();
}

Test(board_l4, firmware_taking_pa13_pa14_silences_swd_until_nrst)
{
	dw_seed("STM32G071RB", dw_fw_moder_g0, sizeof(dw_fw_moder_g0), 0);
	dw_seed("STM32C031C6", dw_fw_moder_g0, sizeof(dw_fw_moder_g0), 0);
	dw_seed("STM32L476RG", dw_fw_moder_l4, sizeof(dw_fw_moder_l4), 0);
	dw_seed("STM32G431KB", dw_fw_moder_l4, sizeof(dw_fw_moder_l4), 0);
	dw_seed("STM32WLE5JC", dw_fw_moder_wbwl, sizeof(dw_fw_moder_wbwl), 0);
	dw_seed("STM32WB55RG", dw_fw_moder_wbwl, sizeof(dw_fw_moder_wbwl), 0);
}

Test(board_l4, stop_without_dbg_stop_silences_swd_until_nrst)
{
	dw_seed("STM32L4R5ZI", dw_fw_stop, sizeof(dw_fw_stop), 0x2U);
	dw_seed("STM32WB55RG", dw_fw_stop, sizeof(dw_fw_stop), 0x2U);
	dw_seed("STM32G474RE", dw_fw_stop, sizeof(dw_fw_stop), 0x2U);
}

Test(board_l4, g0_dbgmcu_cr_needs_dbgen)
{
	sim_board *b = dw_board("STM32G031K8");

	fx_w(b, 0x40015804U, 4, 0x6U);
	cr_expect_eq(fx_r(b, 0x40015804U, 4), 0, "DBGMCU unclocked: write lost");
	fx_w(b, 0x4002103CU, 4, 1U << 27);
	fx_w(b, 0x40015804U, 4, 0x6U);
	cr_expect_eq(fx_r(b, 0x40015804U, 4), 0x6U);
	sim_board_free(b);
}

/* ---- more controller rules --------------------------------------------------------------- */

Test(board_l4, optkeyr_is_ignored_while_cr_is_locked)
{
	sim_board *b = dw_board("STM32L432KC");

	dw_w(b, DW_OPTKEYR, 0x08192A3BU);
	dw_w(b, DW_OPTKEYR, 0x4C5D6E7FU);
	cr_expect_eq(dw_r(b, DW_CR) & CR_OPTLOCK, CR_OPTLOCK, "OPTLOCK clears only after LOCK");
	dw_opt_unlock(b);
	sim_board_free(b);
}

Test(board_l4, g0_cfgbsy_while_a_double_word_is_half_written)
{
	sim_board *b = dw_board("STM32G071RB");

	dw_unlock(b);
	dw_w(b, DW_CR, CR_PG);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & (1U << 18), 1U << 18, "CFGBSY");
	fx_w(b, FX_FLASH + 4, 4, 0);
	dw_wait(b);
	cr_expect_eq(dw_r(b, DW_SR) & (1U << 18), 0);
	sim_board_free(b);
	b = dw_board("STM32L476RG");
	dw_unlock(b);
	dw_w(b, DW_CR, CR_PG);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & (1U << 18), 0, "no CFGBSY on L4");
	sim_board_free(b);
}

Test(board_l4, g0b1_mer2_erases_bank_2_only)
{
	sim_board *b = dw_board("STM32G0B1RE");

	dw_unlock(b);
	dw_prog(b, FX_FLASH, 0, 0);
	dw_prog(b, FX_FLASH + 0x40000, 0, 0);
	dw_erase(b, CR_MER2);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40000, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0, "bank 1 kept");
	sim_board_free(b);
}

Test(board_l4, l4plus_single_bank_has_8_kib_pages)
{
	sim_board *b = dw_board("STM32L4R5ZI");
	uint32_t id;

	dw_opt_unlock(b);
	dw_prog(b, FX_FLASH + 0x1000, 0, 0);
	dw_erase(b, CR_PER);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x1000, 4), 0, "DBANK = 1: 4 KiB pages");
	dw_w(b, DW_OPTR, dw_r(b, DW_OPTR) & ~(1U << 22));
	dw_w(b, DW_CR, CR_OPTSTRT);
	dw_wait(b);
	sim_board_write(b, DW_BASE + DW_CR, 4, CR_OBL);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	dw_unlock(b);
	dw_erase(b, CR_PER);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x1000, 4), 0xFFFFFFFFU, "DBANK = 0: 8 KiB pages");
	dw_prog(b, FX_FLASH + 0x100000, 0, 0);
	dw_erase(b, CR_PER | 128U << 3);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x100000, 4), 0xFFFFFFFFU, "page 128 at 1 MiB");
	sim_board_free(b);
}

Test(board_l4, wb_option_registers_of_cpu2_are_read_only)
{
	sim_board *b = dw_board("STM32WB55RG");

	dw_opt_unlock(b);
	fx_w(b, DW_BASE_WB + DW_SFR, 4, 0x00000010U);
	cr_expect_eq(fx_r(b, DW_BASE_WB + DW_SFR, 4) & 0xFFU, 0xF4U, "SFR is CPU2's");
	uint32_t optr = fx_r(b, DW_BASE_WB + DW_OPTR, 4);
	fx_w(b, DW_BASE_WB + DW_OPTR, 4, optr & ~0x100U);
	cr_expect_eq(fx_r(b, DW_BASE_WB + DW_OPTR, 4), optr, "ESE is read-only");
	sim_board_free(b);
}

/* Thumb-1 loader (M0+ and M4): r0 source, r1 flash, r2 bytes; CR = PG; two str per double
 * word; poll BSY; stop on an error; CR = 0; bkpt. */
static const uint8_t dw_loader[48] = {
	0x09, 0x4b, 0x01, 0x24, 0x5c, 0x61, 0x04, 0x68, 0x0c, 0x60, 0x44, 0x68,
	0x4c, 0x60, 0x1d, 0x69, 0x6e, 0x0c, 0xfc, 0xd2, 0x05, 0x4e, 0x35, 0x42,
	0x03, 0xd1, 0x08, 0x30, 0x08, 0x31, 0x08, 0x3a, 0xf1, 0xdc, 0x00, 0x24,
	0x5c, 0x61, 0x00, 0xbe, 0x00, 0x20, 0x02, 0x40, 0xfa, 0xc3, 0x00, 0x00,
};

Test(board_l4, a_core_loader_programs_double_words_on_the_m0plus)
{
	sim_board *b = dw_board("STM32G071RB");
	int64_t t0;

	dw_unlock(b);
	fx_halt(b);
	for (uint32_t i = 0; i < sizeof(dw_loader); i += 4)
		fx_w(b, FX_SRAM + i, 4, (uint32_t)dw_loader[i] | (uint32_t)dw_loader[i + 1] << 8 |
		     (uint32_t)dw_loader[i + 2] << 16 | (uint32_t)dw_loader[i + 3] << 24);
	for (uint32_t i = 0; i < 1024; i += 4)
		fx_w(b, FX_SRAM + 0x400 + i, 4, 0x5A000000U | i);
	fx_set_reg(b, 0, FX_SRAM + 0x400);
	fx_set_reg(b, 1, FX_FLASH + 0x800);
	fx_set_reg(b, 2, 1024);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	t0 = sim_board_now(b);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	while (sim_board_core_running(b))
		sim_board_advance(b, sim_board_now(b) + 100 * US);
	cr_expect_eq(fx_get_reg(b, 2), 0, "all done");
	cr_expect_eq(fx_get_reg(b, 15), FX_SRAM + 0x26, "at the bkpt");
	for (uint32_t i = 0; i < 1024; i += 4)
		cr_expect_eq(fx_r(b, FX_FLASH + 0x800 + i, 4), 0x5A000000U | i, "word %u", i);
	int64_t t = sim_board_now(b) - t0;
	cr_expect(t >= 128 * 85 * US && t < 128 * 85 * US + 2 * FX_MS, "128 double words: %lld ns",
		  (long long)t);
	sim_board_free(b);
}

/* Mass erase, then two double words of a fast row; returns when the row started. */
static int64_t dw_fast_two(sim_board *b)
{
	int64_t t1;

	dw_to_hsi16(b);
	dw_unlock(b);
	dw_erase(b, CR_MER1);
	dw_w(b, DW_CR, CR_FSTPG);
	t1 = sim_board_now(b);
	fx_w(b, FX_FLASH + 0x100, 4, 0x11111111U);
	fx_w(b, FX_FLASH + 0x104, 4, 0x22222222U);
	sim_board_advance(b, t1 + 10 * US);
	fx_w(b, FX_FLASH + 0x108, 4, 0x33333333U);
	fx_w(b, FX_FLASH + 0x10C, 4, 0x44444444U);
	return t1;
}

Test(board_l4, power_loss_in_a_fast_row_leaves_its_last_double_word_failing_ecc)
{
	sim_board_cfg c = dw_cfg("STM32L476RG");
	sim_board *b = dw_board_cfg(&c);
	int64_t t1 = dw_fast_two(b);

	sim_board_free(b);
	c.uid[5] ^= 0x55;   /* a new board, the same steps, the supply gone 40 us into the row */
	c.power_loss_at_ns = t1 + 40 * US;
	b = dw_board_cfg(&c);
	cr_assert_eq(dw_fast_two(b), t1, "deterministic");
	sim_board_advance(b, t1 + FX_MS);
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = dw_board_cfg(&c);
	fx_r(b, FX_FLASH + 0x100, 4);
	cr_expect_eq(dw_r(b, DW_ECCR) >> 31, 0);
	fx_r(b, FX_FLASH + 0x108, 4);
	cr_expect_eq(dw_r(b, DW_ECCR) >> 31, 1, "ECCD");
	cr_expect_eq(dw_r(b, DW_ECCR) & 0x7FFFFU, 0x108U);
	sim_board_free(b);
}

Test(board_l4, pcrop_areas_refuse_program_and_erase)
{
	sim_board *b = dw_board("STM32L432KC");
	uint32_t id;

	dw_opt_unlock(b);
	dw_w(b, 0x24U, 0x100U);   /* PCROP1SR: double word 0x100 = offset 0x800 (page 1) */
	dw_w(b, 0x28U, 0x101U);   /* PCROP1ER */
	dw_w(b, DW_CR, CR_OPTSTRT);
	dw_wait(b);
	sim_board_write(b, DW_BASE + DW_CR, 4, CR_OBL);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	dw_unlock(b);
	dw_prog(b, FX_FLASH + 0x808, 0, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_WRPERR, "in PCROP");
	dw_clear(b);
	dw_prog(b, FX_FLASH + 0x810, 0, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, 0, "past it");
	dw_erase(b, CR_PER | 1U << 3);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_WRPERR, "its page");
	sim_board_free(b);
}

Test(board_l4, g0_acr_empty_follows_the_first_word_at_load)
{
	sim_board_cfg c = dw_cfg("STM32G031K8");
	sim_board *b = dw_board_cfg(&c);
	uint32_t id;

	cr_expect_eq(dw_r(b, 0x00U) & (1U << 16), 1U << 16, "empty");
	dw_unlock(b);
	dw_prog(b, FX_FLASH, 0x20001000U, 0x08000009U);
	fx_system_reset(b);
	cr_expect_eq(dw_r(b, 0x00U) & (1U << 16), 1U << 16, "not updated by a system reset");
	dw_opt_unlock(b);
	sim_board_write(b, DW_BASE + DW_CR, 4, CR_OBL);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(dw_r(b, 0x00U) & (1U << 16), 0, "programmed at the option load");
	sim_board_free(b);
}

Test(board_l4, otp_takes_double_words_once_and_the_option_page_refuses_stores)
{
	sim_board *b = dw_board("STM32G474RE");

	cr_expect_eq(fx_r(b, 0x1FFF7000U, 4), 0xFFFFFFFFU, "OTP leaves the factory erased");
	dw_unlock(b);
	dw_prog(b, 0x1FFF7008U, 0x0BADF00DU, 0x12345678U);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, 0);
	cr_expect_eq(fx_r(b, 0x1FFF7008U, 4), 0x0BADF00DU);
	cr_expect_eq(fx_r(b, 0x1FFF700CU, 4), 0x12345678U);
	dw_prog(b, 0x1FFF7008U, 0x0BADF00DU, 0x12345678U);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PROGERR, "programmed once");
	dw_clear(b);
	dw_w(b, DW_CR, CR_FSTPG);
	fx_w(b, 0x1FFF7100U, 4, 0);
	cr_expect_eq(dw_r(b, DW_SR) & SR_ERRS, SR_PGSERR, "no fast programming in OTP");
	dw_clear(b);
	cr_expect_eq(sim_board_write(b, 0x1FFF7800U, 4, 0), SIM_SWD_FAULT, "option page: registers only");
	sim_board_free(b);
}

/* Power lost during OPTSTRT: the next load fails, OPTVERR, RDP level 1 forced; a rewrite heals it. */
Test(board_l4, an_option_page_cut_by_power_loss_loads_as_rdp_1_with_optverr)
{
	sim_board_cfg c = dw_cfg("STM32L432KC");
	sim_board *b = dw_board_cfg(&c);
	uint32_t id;

	dw_opt_unlock(b);
	c.power_loss_at_ns = sim_board_now(b) + 5 * FX_MS;
	sim_board_free(b);
	b = dw_board_cfg(&c);
	dw_opt_unlock(b);
	dw_w(b, DW_OPTR, 0xFFEDF8AAU);
	dw_w(b, DW_CR, CR_OPTSTRT);
	sim_board_advance(b, c.power_loss_at_ns + FX_MS);
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = dw_board_cfg(&c);
	cr_expect_eq(dw_r(b, DW_SR) & 0x8000U, 0x8000U, "OPTVERR");
	cr_expect_eq(dw_r(b, DW_OPTR), 0xFFFFF8FFU, "RDP 1, BOR level 0, user options 1");
	uint32_t v;
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT, "level 1 with the debugger");
	dw_opt_unlock(b);
	dw_w(b, DW_SR, 0x8000U);
	dw_w(b, DW_OPTR, 0xFFEFF8AAU);
	dw_w(b, DW_CR, CR_OPTSTRT);
	dw_wait(b);
	sim_board_write(b, DW_BASE + DW_CR, 4, CR_OBL);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(dw_r(b, DW_SR) & 0x8000U, 0, "healed");
	cr_expect_eq(dw_r(b, DW_OPTR), 0xFFEFF8AAU);
	sim_board_free(b);
}

/* L4: HSI16 / 1 x 10 / 2 = 80 MHz from the PLL, 4 wait states; fewer give garbage. */
Test(board_l4, the_pll_takes_the_l4_to_80_mhz_with_4_wait_states)
{
	sim_board_cfg c = dw_cfg("STM32L476RG");
	uint8_t fw[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	c.firmware = fx_write_file("fw.bin", fw, sizeof(fw));
	sim_board *b = dw_board_cfg(&c);

	fx_w(b, 0x40021000U, 4, fx_r(b, 0x40021000U, 4) | 1U << 8);       /* HSION */
	fx_w(b, 0x4002100CU, 4, 2U | 0U << 4 | 10U << 8 | 1U << 24);     /* HSI16, M 1, N 10, R /2 */
	fx_w(b, 0x40021000U, 4, fx_r(b, 0x40021000U, 4) | 1U << 24);      /* PLLON */
	cr_expect_eq(fx_r(b, 0x40021000U, 4) & (1U << 25), 0, "not locked yet");
	sim_board_advance(b, sim_board_now(b) + 100 * US);
	cr_expect_eq(fx_r(b, 0x40021000U, 4) & (1U << 25), 1U << 25, "PLLRDY");
	fx_w(b, 0x4002100CU, 4, 0);
	cr_expect_eq(fx_r(b, 0x4002100CU, 4) & 0xFFU, 0x2U, "frozen while PLLON");
	dw_w(b, 0x00U, 3U);
	fx_w(b, 0x40021008U, 4, 3U);                                      /* SW = PLL */
	cr_expect_eq(fx_r(b, 0x40021008U, 4) & 0xCU, 0xCU, "SWS = PLL");
	cr_expect_neq(fx_r(b, FX_FLASH, 4), 0x04030201U, "80 MHz at 3 WS");
	dw_w(b, 0x00U, 4U);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x04030201U, "4 WS");
	fx_w(b, 0x40021000U, 4, 0);
	cr_expect_eq(fx_r(b, 0x40021000U, 4) & (1U << 24 | 1U << 8), 1U << 24 | 1U << 8,
		     "PLL and its HSI16 stay on while they clock the system");
	sim_board_free(b);
}

/* G0: HSI16 / 1 x 8 / 2 = 64 MHz (PLLR[31:29] = 1, PLLREN b28), SW = 010; 2 wait states. */
Test(board_l4, the_g0_pll_runs_at_64_mhz)
{
	sim_board *b = dw_board("STM32G071RB");

	fx_w(b, 0x4002100CU, 4, 2U | 8U << 8 | 1U << 28 | 1U << 29);
	fx_w(b, 0x40021000U, 4, fx_r(b, 0x40021000U, 4) | 1U << 24);
	dw_w(b, 0x00U, 2U);
	fx_w(b, 0x40021008U, 4, 2U);
	cr_expect_eq(fx_r(b, 0x40021008U, 4) & 0x38U, 0, "waits for the lock");
	sim_board_advance(b, sim_board_now(b) + 100 * US);
	cr_expect_eq(fx_r(b, 0x40021008U, 4) & 0x38U, 2U << 3, "SWS = PLLRCLK");
	fx_w(b, 0x4002100CU, 4, 2U | 9U << 8 | 1U << 28 | 1U << 29);   /* 72 MHz: over the G0's 64 */
	cr_expect_eq(fx_r(b, 0x4002100CU, 4) & 0x7F00U, 8U << 8, "frozen");
	sim_board_free(b);
}
