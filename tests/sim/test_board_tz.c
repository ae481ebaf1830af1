/*
 * test_board_tz.c — the L5/U5 TrustZone flash controller model
 * (tools/sim/board_fpec_tz.c, board_fpec_tz_ob.c) rule by rule, driven as
 * a debugger would through the board API: both register sets, keys,
 * double/quad-word programming and its errors, page and bank erase, the
 * L5 DBANK layouts, option bytes with OBL_LAUNCH, RDP levels 0/0.5/1/2
 * with TrustZone and the secure watermarks, the U5 WRP UNLOCK bit, the
 * clock switch to HSI16 (RM0438 §6, §9; RM0456 §7, §11).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "board_fixtures.h"

#define TZ_ACR      0x40022000U
#define TZ_NSKEYR   0x40022008U
#define TZ_OPTKEYR  0x40022010U
#define TZ_NSSR     0x40022020U
#define TZ_NSCR     0x40022028U
#define TZ_OPTR     0x40022040U
#define TZ_SECWM1R1 0x40022050U
#define TZ_SECWM1R2 0x40022054U
#define TZ_WRP1AR   0x40022058U
#define TZ_WRP1BR   0x4002205CU
#define TZ_SECWM2R1 0x40022060U
#define TZ_SECWM2R2 0x40022064U
#define TZ_OEM1R1   0x40022070U
#define TZ_S_REGS   0x10000000U   /* + the NS address: the secure alias */
#define TZ_SECKEYR  (0x4002200CU + TZ_S_REGS)
#define TZ_SECSR    (0x40022024U + TZ_S_REGS)
#define TZ_SECCR    (0x4002202CU + TZ_S_REGS)
#define TZ_FLASH_S  0x0C000000U
#define TZ_SRAM_S   0x30000000U

#define TZ_PG       0x1U
#define TZ_PER      0x2U
#define TZ_MER1     0x4U
#define TZ_BKER     0x800U
#define TZ_BWR      0x4000U
#define TZ_MER2     0x8000U
#define TZ_STRT     0x10000U
#define TZ_OPTSTRT  0x20000U
#define TZ_OBL      0x8000000U
#define TZ_OPTLOCK  0x40000000U
#define TZ_LOCK     0x80000000U
#define TZ_EOP      0x1U
#define TZ_PROGERR  0x8U
#define TZ_WRPERR   0x10U
#define TZ_PGAERR   0x20U
#define TZ_SIZERR   0x40U
#define TZ_PGSERR   0x80U
#define TZ_OPTWERR  0x2000U
#define TZ_BSY      0x10000U
#define TZ_WDW      0x20000U
#define TZ_OEM1LOCK 0x40000U
#define TZ_ERRS     0x20FAU   /* error flags */
#define TZ_W1C      0x20FBU
#define TZ_TZEN     0x80000000U
#define TZ_DBANK    0x400000U

TestSuite(board_tz, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

static sim_board *tz_board_fw(const char *part, int rdp, uint32_t wrp, const uint8_t *fw, size_t n)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find(part);
	cr_assert_not_null(c.part, "%s", part);
	c.timing.t_prog_ns = 0;     /* the model's default */
	c.timing.core_hz = 0;       /* the family's MSI */
	c.rdp = rdp;
	c.wrp = wrp;
	if (fw != NULL)
		c.firmware = fx_write_file("fw.bin", fw, n);
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	return b;
}

static sim_board *tz_board(const char *part)
{
	return tz_board_fw(part, 0, 0xFFFFFFFFU, NULL, 0);
}

static void tz_unlock(sim_board *b, uint32_t keyr, uint32_t cr)
{
	fx_w(b, keyr, 4, FX_KEY1);
	fx_w(b, keyr, 4, FX_KEY2);
	cr_assert_eq(fx_r(b, cr, 4) & TZ_LOCK, 0);
}

static void tz_optunlock(sim_board *b)
{
	if (fx_r(b, TZ_NSCR, 4) & TZ_LOCK)
		tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	fx_w(b, TZ_OPTKEYR, 4, 0x08192A3BU);
	fx_w(b, TZ_OPTKEYR, 4, 0x4C5D6E7FU);
	cr_assert_eq(fx_r(b, TZ_NSCR, 4) & TZ_OPTLOCK, 0);
}

/* Wait for BSY to drop; returns the virtual ns it took from now. */
static int64_t tz_wait(sim_board *b, uint32_t sr)
{
	int64_t t0 = sim_board_now(b);

	while (fx_r(b, sr, 4) & TZ_BSY)
		sim_board_advance(b, sim_board_now(b) + FX_MS / 100);
	return sim_board_now(b) - t0;
}

/* Program n words at addr with the PG bit of cr (through the register set at cr). */
static void tz_prog(sim_board *b, uint32_t cr, uint32_t addr, const uint32_t *w, unsigned n)
{
	fx_w(b, cr, 4, TZ_PG);
	for (unsigned i = 0; i < n; i++)
		fx_w(b, addr + 4U * i, 4, w[i]);
	fx_w(b, cr, 4, 0);
}

/* Option registers: write OPTR (and more), OPTSTRT, wait, OBL_LAUNCH (the write faults). */
static void tz_ob_apply(sim_board *b)
{
	fx_w(b, TZ_NSCR, 4, TZ_OPTSTRT);
	tz_wait(b, TZ_NSSR);
	cr_assert_eq(fx_r(b, TZ_NSSR, 4) & TZ_OPTWERR, 0, "options accepted");
	cr_expect_eq(sim_board_write(b, TZ_NSCR, 4, TZ_OBL), SIM_SWD_DP_RESET,
		     "OBL_LAUNCH resets: the write gets no answer (a DP error)");
}

static void tz_set_optr(sim_board *b, uint32_t optr)
{
	tz_optunlock(b);
	fx_w(b, TZ_OPTR, 4, optr);
	tz_ob_apply(b);
}

/* ---- keys ---------------------------------------------------------------------- */

Test(board_tz, a_wrong_key_locks_the_register_set_until_reset)
{
	sim_board *b = tz_board("STM32U575ZI");

	cr_expect_eq(fx_r(b, TZ_NSCR, 4), TZ_LOCK | TZ_OPTLOCK, "reset value");
	fx_w(b, TZ_NSKEYR, 4, FX_KEY1);
	cr_expect_eq(sim_board_write(b, TZ_NSKEYR, 4, 0x12345678U), SIM_SWD_FAULT);
	cr_expect_eq(sim_board_write(b, TZ_NSKEYR, 4, FX_KEY1), SIM_SWD_FAULT, "dead until reset");
	fx_w(b, TZ_NSCR, 4, TZ_PG);
	cr_expect_eq(fx_r(b, TZ_NSCR, 4), TZ_LOCK | TZ_OPTLOCK, "NSCR writes ignored");
	fx_system_reset(b);
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	cr_expect_eq(sim_board_write(b, TZ_NSKEYR, 4, FX_KEY1), SIM_SWD_FAULT,
		     "a key while unlocked is a wrong sequence");
	sim_board_free(b);
}

Test(board_tz, the_option_key_needs_nscr_unlocked_and_lock_relocks_both)
{
	sim_board *b = tz_board("STM32L552ZE");

	fx_w(b, TZ_OPTKEYR, 4, 0x08192A3BU);
	fx_w(b, TZ_OPTKEYR, 4, 0x4C5D6E7FU);
	cr_expect_eq(fx_r(b, TZ_NSCR, 4) & TZ_OPTLOCK, TZ_OPTLOCK, "ignored while NSCR is locked");
	tz_optunlock(b);
	fx_w(b, TZ_NSCR, 4, TZ_LOCK);
	cr_expect_eq(fx_r(b, TZ_NSCR, 4), TZ_LOCK | TZ_OPTLOCK);
	sim_board_free(b);
}

Test(board_tz, without_trustzone_the_secure_set_reads_zero_and_ignores_writes)
{
	sim_board *b = tz_board("STM32L552ZE");
	uint32_t v;

	cr_expect_eq(fx_r(b, TZ_SECCR - TZ_S_REGS, 4), 0, "SECCR through the NS block");
	fx_w(b, TZ_SECKEYR - TZ_S_REGS, 4, 0x12345678U);   /* ignored: no lock-up either */
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	cr_expect_eq(sim_board_read(b, TZ_SECCR, 4, &v), SIM_SWD_FAULT, "no secure alias");
	cr_expect_eq(sim_board_read(b, TZ_FLASH_S, 4, &v), SIM_SWD_FAULT, "no secure alias");
	sim_board_free(b);
}

/* ---- programming ----------------------------------------------------------------- */

Test(board_tz, u5_programs_quad_words_in_order_with_wdw_until_the_fourth)
{
	sim_board *b = tz_board("STM32U575ZI");
	const uint32_t w[4] = { 0x11111111U, 0x22222222U, 0x33333333U, 0x44444444U };
	int64_t t0;

	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	fx_w(b, TZ_NSCR, 4, TZ_PG);
	for (unsigned i = 0; i < 3; i++) {
		fx_w(b, FX_FLASH + 0x100U + 4U * i, 4, w[i]);
		cr_expect_eq(fx_r(b, TZ_NSSR, 4) & (TZ_WDW | TZ_BSY), TZ_WDW, "word %u buffered", i);
	}
	t0 = sim_board_now(b);
	fx_w(b, FX_FLASH + 0x10CU, 4, w[3]);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & (TZ_WDW | TZ_BSY), TZ_BSY, "programming");
	cr_expect_eq(tz_wait(b, TZ_NSSR) + (sim_board_now(b) - t0) >= 82000, 1);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & (TZ_ERRS | TZ_EOP), TZ_EOP);
	for (unsigned i = 0; i < 4; i++)
		cr_expect_eq(fx_r(b, FX_FLASH + 0x100U + 4U * i, 4), w[i]);
	sim_board_free(b);
}

Test(board_tz, u5_quad_word_errors_pgaerr_sizerr_pgserr)
{
	sim_board *b = tz_board("STM32U585AI");

	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	fx_w(b, FX_FLASH, 4, 0);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_PGSERR, "no PG");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	fx_w(b, TZ_NSCR, 4, TZ_PG);
	fx_w(b, FX_FLASH + 8U, 4, 0);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_PGAERR, "a quad word starts 16-aligned");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	fx_w(b, FX_FLASH, 4, 0);
	fx_w(b, FX_FLASH + 8U, 4, 0);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_PGAERR, "words in order");
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_WDW, 0, "the quad word was abandoned");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	fx_w(b, FX_FLASH, 2, 0);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_SIZERR, "half-word store");
	fx_w(b, FX_FLASH + 0x20U, 4, 0);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_SIZERR | TZ_PGSERR,
		     "an uncleared error refuses the next store");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "nothing was programmed");
	sim_board_free(b);
}

Test(board_tz, programming_over_data_is_progerr_unless_all_zero)
{
	sim_board *b = tz_board("STM32L552ZE");
	const uint32_t d[2] = { 0x12345678U, 0x9ABCDEF0U }, z[2] = { 0, 0 };

	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x40U, d, 2);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x44U, 4), 0x9ABCDEF0U, "L5: a double word");
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x40U, d, 2);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_PROGERR);
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x40U, z, 2);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, 0, "zeros may go over data");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40U, 4), 0);
	sim_board_free(b);
}

Test(board_tz, u5_burst_writes_eight_quad_words)
{
	sim_board *b = tz_board("STM32U575ZI");
	uint32_t w[32];
	int64_t t;

	for (unsigned i = 0; i < 32; i++)
		w[i] = 0xA5000000U | i;
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	fx_w(b, TZ_NSCR, 4, TZ_PG | TZ_BWR);
	for (unsigned i = 0; i < 31; i++)
		fx_w(b, FX_FLASH + 0x400U + 4U * i, 4, w[i]);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & (TZ_WDW | TZ_BSY), TZ_WDW);
	fx_w(b, FX_FLASH + 0x47CU, 4, w[31]);
	t = tz_wait(b, TZ_NSSR);
	cr_expect(t >= 8 * 82000 - 20000 && t <= 8 * 82000 + 10000, "burst time %lld", (long long)t);
	for (unsigned i = 0; i < 32; i++)
		cr_expect_eq(fx_r(b, FX_FLASH + 0x400U + 4U * i, 4), w[i]);
	fx_w(b, TZ_NSCR, 4, TZ_PG | TZ_BWR);
	fx_w(b, FX_FLASH + 0x810U, 4, 0);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_PGAERR, "a burst starts 128-aligned");
	sim_board_free(b);
}

/* ---- erase --------------------------------------------------------------------- */

static int64_t tz_erase(sim_board *b, uint32_t cr, uint32_t sr, uint32_t bits)
{
	fx_w(b, cr, 4, bits);
	fx_w(b, cr, 4, bits | TZ_STRT);
	cr_expect(fx_r(b, sr, 4) & TZ_BSY, "erase running");
	return tz_wait(b, sr);
}

Test(board_tz, u5_page_erase_per_bank_takes_the_page_time)
{
	sim_board *b = tz_board("STM32U575ZI");
	const uint32_t z[4] = { 0 };
	int64_t t;

	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 3U * 8192U, z, 4);              /* bank 1 page 3 */
	tz_wait(b, TZ_NSSR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x100000U + 3U * 8192U, z, 4);  /* bank 2 page 3 */
	tz_wait(b, TZ_NSSR);
	t = tz_erase(b, TZ_NSCR, TZ_NSSR, TZ_PER | 3U << 3 | TZ_BKER);
	cr_expect(t >= 22 * FX_MS && t < 23 * FX_MS, "page erase %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x100000U + 3U * 8192U, 4), 0xFFFFFFFFU, "bank 2 page 3 erased");
	cr_expect_eq(fx_r(b, FX_FLASH + 3U * 8192U, 4), 0, "bank 1 page 3 kept");
	fx_w(b, TZ_NSCR, 4, TZ_PER | TZ_MER1 | TZ_STRT);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_PGSERR, "PER and MER together");
	sim_board_free(b);
}

Test(board_tz, mass_erase_mer1_mer2_erases_each_bank)
{
	sim_board *b = tz_board("STM32U585AI");
	const uint32_t z[4] = { 0 };
	int64_t t;

	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH, z, 4);
	tz_wait(b, TZ_NSSR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x1FFFF0U, z, 4);
	tz_wait(b, TZ_NSSR);
	t = tz_erase(b, TZ_NSCR, TZ_NSSR, TZ_MER2);
	cr_expect(t >= 22 * FX_MS && t < 23 * FX_MS, "bank erase %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x1FFFF0U, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0, "MER2 left bank 1");
	t = tz_erase(b, TZ_NSCR, TZ_NSSR, TZ_MER1 | TZ_MER2);
	cr_expect(t >= 44 * FX_MS && t < 45 * FX_MS, "two banks %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU);
	sim_board_free(b);
}

Test(board_tz, l5_dbank_selects_2_kib_pages_in_two_banks_or_4_kib_in_one)
{
	sim_board *b = tz_board("STM32L552ZE");
	const uint32_t z[2] = { 0 };

	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & (TZ_DBANK | 0xFFU), TZ_DBANK | 0xAAU, "DBANK = 1, RDP 0");
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x40800U, z, 2);   /* bank 2 page 1 (2 KiB) */
	tz_wait(b, TZ_NSSR);
	tz_erase(b, TZ_NSCR, TZ_NSSR, TZ_PER | 1U << 3 | TZ_BKER);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40800U, 4), 0xFFFFFFFFU);
	/* DBANK = 0: one bank of 128 pages of 4 KiB */
	tz_set_optr(b, fx_r(b, TZ_OPTR, 4) & ~TZ_DBANK);
	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & TZ_DBANK, 0, "in force after OBL_LAUNCH");
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x1800U, z, 2);    /* page 1 (4 KiB) */
	tz_wait(b, TZ_NSSR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x2000U, z, 2);    /* page 2 */
	tz_wait(b, TZ_NSSR);
	tz_erase(b, TZ_NSCR, TZ_NSSR, TZ_PER | 1U << 3);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x1800U, 4), 0xFFFFFFFFU, "4 KiB page 1 covers 0x1000-0x1FFF");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x2000U, 4), 0, "page 2 kept");
	sim_board_free(b);
}

/* ---- option bytes, WRP ---------------------------------------------------------- */

Test(board_tz, wrp_area_refuses_program_and_erase_and_persists)
{
	sim_board *b = tz_board_fw("STM32U575ZI", 0, ~0x0CU, NULL, 0);   /* pages 2-3 */
	const uint32_t z[4] = { 0 };

	cr_expect_eq(fx_r(b, TZ_WRP1AR, 4), 0x80030002U, "UNLOCK, PEND 3, PSTRT 2");
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 2U * 8192U, z, 4);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_WRPERR | TZ_PGSERR,
		     "WRPERR on the first word, PGSERR on the next ones (WRPERR not cleared)");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	fx_w(b, TZ_NSCR, 4, TZ_PER | 3U << 3 | TZ_STRT);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_WRPERR);
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	fx_w(b, TZ_NSCR, 4, TZ_MER1 | TZ_STRT);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_WRPERR, "the bank holds a protected page");
	sim_board_free(b);
}

Test(board_tz, u5_wrp_unlock_cleared_freezes_the_area_for_ever)
{
	sim_board *b = tz_board("STM32U575ZI");

	tz_optunlock(b);
	fx_w(b, TZ_WRP1BR, 4, 0x00050004U);   /* pages 4-5, UNLOCK = 0 */
	tz_ob_apply(b);
	cr_expect_eq(fx_r(b, TZ_WRP1BR, 4), 0x00050004U);
	tz_optunlock(b);
	fx_w(b, TZ_WRP1BR, 4, 0x8000007FU);   /* try to remove it */
	cr_expect_eq(fx_r(b, TZ_WRP1BR, 4), 0x00050004U, "the register does not take it");
	fx_w(b, TZ_OPTR, 4, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0xBBU);   /* level 1 */
	tz_ob_apply(b);
	/* regression to level 0: mass erase, the area stays */
	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0xAAU);
	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & 0xFFU, 0xAAU);
	cr_expect_eq(fx_r(b, TZ_WRP1BR, 4), 0x00050004U, "survives the regression");
	sim_board_free(b);
}

Test(board_tz, option_changes_persist_in_the_state_directory)
{
	sim_board *b = tz_board("STM32L552ZE");
	uint32_t optr;

	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0x700U) | 0x300U);   /* BOR_LEV 3 */
	optr = fx_r(b, TZ_OPTR, 4);
	cr_expect_eq(optr & 0x700U, 0x300U);
	sim_board_free(b);
	b = tz_board("STM32L552ZE");
	cr_expect_eq(fx_r(b, TZ_OPTR, 4), optr, "reloaded from option_bytes.bin");
	sim_board_free(b);
}

Test(board_tz, options_wait_for_obl_launch_or_reset)
{
	sim_board *b = tz_board("STM32U575ZI");
	uint32_t optr = fx_r(b, TZ_OPTR, 4), v;

	tz_optunlock(b);
	fx_w(b, TZ_OPTR, 4, (optr & ~0xFFU) | 0xBBU);
	fx_w(b, TZ_NSCR, 4, TZ_OPTSTRT);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_OK, "level 0 until reloaded");
	fx_system_reset(b);
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT, "level 1 after reset");
	sim_board_free(b);
}

/* ---- RDP and TrustZone ---------------------------------------------------------- */

Test(board_tz, rdp_1_to_0_regression_mass_erases)
{
	sim_board *b = tz_board_fw("STM32L552ZE", 1, 0xFFFFFFFFU, fx_fw_loop, sizeof(fx_fw_loop));
	uint32_t v;

	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT, "level 1: no flash");
	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & 0xFFU, 0xBBU);
	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0xAAU);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "the regression erased flash");
	sim_board_free(b);
}

Test(board_tz, rdp_2_is_final_and_kills_the_debug_port)
{
	sim_board *b = tz_board("STM32U575ZI");
	uint32_t id;

	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0xCCU);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "not even under reset");
	sim_board_free(b);
}

/* TZEN = 1 at level 0; watermarks: bank 1 pages 0-3 secure, the rest non-secure. */
static sim_board *tz_secure_board(const char *part)
{
	sim_board *b = tz_board(part);

	tz_optunlock(b);
	fx_w(b, TZ_SECWM1R1, 4, 0x00030000U);   /* PEND 3, PSTRT 0 */
	fx_w(b, TZ_SECWM2R1, 4, 0x0000007FU);   /* none */
	fx_w(b, TZ_OPTR, 4, fx_r(b, TZ_OPTR, 4) | TZ_TZEN);
	tz_ob_apply(b);
	cr_assert_eq(fx_r(b, TZ_OPTR, 4) & TZ_TZEN, TZ_TZEN);
	return b;
}

Test(board_tz, trustzone_secure_pages_need_the_secure_set_and_alias)
{
	sim_board *b = tz_secure_board("STM32U575ZI");
	const uint32_t w[4] = { 1, 2, 3, 4 };
	uint32_t page4 = 4U * 8192U;

	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_unlock(b, TZ_SECKEYR, TZ_SECCR);
	tz_prog(b, TZ_NSCR, FX_FLASH, w, 1);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_WRPERR, "secure page through the NS set");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	tz_prog(b, TZ_SECCR, TZ_FLASH_S, w, 4);
	tz_wait(b, TZ_SECSR);
	cr_expect_eq(fx_r(b, TZ_SECSR, 4) & (TZ_ERRS | TZ_EOP), TZ_EOP);
	cr_expect_eq(fx_r(b, TZ_FLASH_S + 12U, 4), 4U, "secure read of a secure page");
	cr_expect_eq(fx_r(b, FX_FLASH + 12U, 4), 0, "non-secure read of it: zero");
	tz_prog(b, TZ_SECCR, TZ_FLASH_S + page4, w, 1);
	cr_expect_eq(fx_r(b, TZ_SECSR, 4) & TZ_ERRS, TZ_WRPERR, "non-secure page through the secure set");
	tz_prog(b, TZ_NSCR, FX_FLASH + page4, w, 4);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, FX_FLASH + page4, 4), 1U);
	fx_w(b, TZ_NSCR, 4, TZ_MER1 | TZ_STRT);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_WRPERR, "a NS bank erase with secure pages");
	sim_board_free(b);
}

Test(board_tz, rdp_0_5_keeps_the_debugger_out_of_secure_state_only)
{
	sim_board *b = tz_secure_board("STM32L552ZE");
	const uint32_t w[2] = { 7, 8 };
	uint32_t v;

	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0x55U);
	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & (TZ_TZEN | 0xFFU), TZ_TZEN | 0x55U, "level 0.5");
	cr_expect_eq(sim_board_read(b, TZ_FLASH_S, 4, &v), SIM_SWD_FAULT, "secure flash");
	cr_expect_eq(sim_board_read(b, TZ_SRAM_S, 4, &v), SIM_SWD_FAULT, "secure SRAM");
	cr_expect_eq(sim_board_read(b, TZ_SECSR, 4, &v), SIM_SWD_FAULT, "secure registers");
	cr_expect_eq(sim_board_read(b, FX_SRAM, 4, &v), SIM_SWD_OK, "non-secure SRAM");
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x4000U, w, 2);   /* bank 1 page 8 (2 KiB): non-secure */
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x4004U, 4), 8U, "non-secure flash is the debugger's");
	sim_board_free(b);
}

Test(board_tz, tzen_is_set_only_at_level_0_and_cleared_only_by_regression)
{
	sim_board *b = tz_secure_board("STM32U575ZI");
	uint32_t optr = fx_r(b, TZ_OPTR, 4);

	tz_optunlock(b);
	fx_w(b, TZ_OPTR, 4, optr & ~TZ_TZEN);
	fx_w(b, TZ_NSCR, 4, TZ_OPTSTRT);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_OPTWERR, TZ_OPTWERR, "not at level 0");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	fx_w(b, TZ_OPTR, 4, (optr & ~0xFFU) | 0xBBU);   /* level 1, TZEN kept */
	tz_ob_apply(b);
	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~(0xFFU | TZ_TZEN)) | 0xAAU);
	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & (TZ_TZEN | 0xFFU), 0xAAU, "regression cleared TZEN");
	/* level 1 without TrustZone: setting TZEN is refused */
	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0xBBU);
	tz_optunlock(b);
	fx_w(b, TZ_OPTR, 4, fx_r(b, TZ_OPTR, 4) | TZ_TZEN);
	fx_w(b, TZ_NSCR, 4, TZ_OPTSTRT);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_OPTWERR, TZ_OPTWERR, "TZEN only at level 0");
	sim_board_free(b);
}

Test(board_tz, u5_oem1_key_blocks_the_legacy_regression)
{
	sim_board *b = tz_board("STM32U575ZI");
	uint32_t optr = fx_r(b, TZ_OPTR, 4);

	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_OEM1LOCK, 0, "no key provisioned");
	tz_optunlock(b);
	fx_w(b, TZ_OEM1R1, 4, 0x01234567U);
	fx_w(b, TZ_OEM1R1 + 4U, 4, 0x89ABCDEFU);
	fx_w(b, TZ_OPTR, 4, (optr & ~0xFFU) | 0xBBU);
	tz_ob_apply(b);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_OEM1LOCK, TZ_OEM1LOCK);
	cr_expect_eq(fx_r(b, TZ_OEM1R1, 4), 0, "keys are write-only");
	tz_optunlock(b);
	fx_w(b, TZ_OPTR, 4, optr);
	fx_w(b, TZ_NSCR, 4, TZ_OPTSTRT);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_OPTWERR, TZ_OPTWERR, "1 -> 0 needs the key");
	sim_board_free(b);
}

/* ---- the Cortex-M33 core ------------------------------------------------------- */

/*
 * Thumb-2 loader: r0 = source in SRAM, r1 = flash address, r2 = bytes
 * (a multiple of 16); NSCR = PG, one quad word per ldmia.w/stmia.w, wait
 * for BSY, stop on an error flag, NSCR = 0, bkpt.
 */
static const uint8_t tz_loader[56] = {
	0xdf, 0xf8, 0x30, 0x40, /* 00 ldr.w  r4, =0x40022000 */
	0x4f, 0xf0, 0x01, 0x05, /* 04 mov.w  r5, #1 */
	0xc4, 0xf8, 0x28, 0x50, /* 08 str.w  r5, [r4, #0x28]  NSCR = PG */
	0xb0, 0xe8, 0xe8, 0x00, /* 0c loop: ldmia.w r0!, {r3, r5, r6, r7} */
	0xa1, 0xe8, 0xe8, 0x00, /* 10 stmia.w r1!, {r3, r5, r6, r7} */
	0xd4, 0xf8, 0x20, 0x30, /* 14 wait: ldr.w r3, [r4, #0x20]  NSSR */
	0x13, 0xf4, 0x80, 0x3f, /* 18 tst.w  r3, #0x10000  BSY */
	0xfa, 0xd1,             /* 1c bne.n  wait */
	0x13, 0xf0, 0xfa, 0x0f, /* 1e tst.w  r3, #0xfa  errors */
	0x02, 0xd1,             /* 22 bne.n  done */
	0xb2, 0xf1, 0x10, 0x02, /* 24 subs.w r2, r2, #16 */
	0xf0, 0xdc,             /* 28 bgt.n  loop */
	0x4f, 0xf0, 0x00, 0x05, /* 2a done: mov.w r5, #0 */
	0xc4, 0xf8, 0x28, 0x50, /* 2e str.w  r5, [r4, #0x28] */
	0x00, 0xbe,             /* 32 bkpt   #0 */
	0x00, 0x20, 0x02, 0x40, /* 34 .word  0x40022000 */
};

Test(board_tz, a_thumb2_loader_in_sram_programs_quad_words_on_the_m33)
{
	sim_board *b = tz_board("STM32U585AI");
	uint32_t data[64];

	for (unsigned i = 0; i < 64; i++)
		data[i] = 0x5A000000U | (i * 0x10101U);
	fx_halt(b);
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	for (uint32_t i = 0; i < sizeof(tz_loader); i += 4)
		fx_w(b, FX_SRAM + i, 4, (uint32_t)tz_loader[i] | (uint32_t)tz_loader[i + 1] << 8 |
		     (uint32_t)tz_loader[i + 2] << 16 | (uint32_t)tz_loader[i + 3] << 24);
	for (uint32_t i = 0; i < 64; i++)
		fx_w(b, FX_SRAM + 0x100U + 4U * i, 4, data[i]);
	fx_set_reg(b, 0, FX_SRAM + 0x100U);
	fx_set_reg(b, 1, FX_FLASH + 0x2000U);
	fx_set_reg(b, 2, sizeof(data));
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DFSR, 4, 0x1F);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);   /* run */
	/* 16 quad words need at least 16 x 82 us */
	sim_board_advance(b, sim_board_now(b) + 16 * 82000 - 5000);
	cr_expect(sim_board_core_running(b), "still programming");
	sim_board_advance(b, sim_board_now(b) + 2 * FX_MS);
	cr_assert_not(sim_board_core_running(b));
	cr_expect_eq(fx_r(b, FX_DFSR, 4) & 0x2U, 0x2U, "BKPT");
	cr_expect_eq(fx_get_reg(b, 15), FX_SRAM + 0x32U);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, 0);
	for (unsigned i = 0; i < 64; i++)
		cr_expect_eq(fx_r(b, FX_FLASH + 0x2000U + 4U * i, 4), data[i], "word %u", i);
	sim_board_free(b);
}

/* ---- clock ---------------------------------------------------------------------- */

Test(board_tz, hsi16_needs_one_wait_state_after_reset_and_the_pll_needs_the_voltage_range)
{
	static const struct { const char *part; uint32_t rcc, cfgr; } runs[] = {
		{ "STM32L552ZE", 0x40021000U, 0x40021008U },
		{ "STM32U575ZI", 0x46020C00U, 0x46020C1CU },
	};
	const uint32_t w[4] = { 0x01234567U, 0x89ABCDEFU, 0x02468ACEU, 0x13579BDFU };

	for (size_t i = 0; i < 2; i++) {
		sim_board *b = tz_board(runs[i].part);
		tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
		tz_prog(b, TZ_NSCR, FX_FLASH, w, 4);
		tz_wait(b, TZ_NSSR);
		cr_expect_eq(fx_r(b, runs[i].cfgr, 4) & 0xFU, 0, "%s: MSI after reset", runs[i].part);
		fx_w(b, runs[i].rcc, 4, fx_r(b, runs[i].rcc, 4) | 0x100U);   /* HSION */
		cr_expect_eq(fx_r(b, runs[i].rcc, 4) & 0x400U, 0x400U, "%s: HSIRDY", runs[i].part);
		fx_w(b, runs[i].cfgr, 4, 1U);                                /* SW = HSI16 */
		cr_expect_eq(fx_r(b, runs[i].cfgr, 4) & 0xFU, 0x5U, "%s: SWS = HSI16", runs[i].part);
		cr_expect_neq(fx_r(b, FX_FLASH, 4), w[0], "%s: 16 MHz at 0 WS reads garbage", runs[i].part);
		fx_w(b, TZ_ACR, 4, 1U);
		cr_expect_eq(fx_r(b, FX_FLASH, 4), w[0], "%s: 1 WS", runs[i].part);
		sim_board_free(b);
		fx_teardown();
		fx_setup();
	}
}

/* U5: 160 MHz from the PLL needs range 1 (PWR_VOSR.VOS = 11) and 4 wait states. */
Test(board_tz, u5_pll_at_160_mhz_reads_right_only_in_range_1_with_4_wait_states)
{
	sim_board *b = tz_board("STM32U575ZI");
	const uint32_t w[4] = { 0xCAFEF00DU, 1, 2, 3 };

	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH, w, 4);
	tz_wait(b, TZ_NSSR);
	fx_w(b, TZ_ACR, 4, 4U);
	fx_w(b, 0x46020C28U, 4, 0x00040009U);   /* PLL1: MSIS /1, R output on */
	fx_w(b, 0x46020C34U, 4, 0x0101024FU);   /* N 80, R /2: 160 MHz */
	fx_w(b, 0x46020C00U, 4, fx_r(b, 0x46020C00U, 4) | 0x01000000U);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_eq(fx_r(b, 0x46020C00U, 4) & 0x02000000U, 0x02000000U, "PLL1RDY");
	fx_w(b, 0x46020C1CU, 4, 3U);
	cr_expect_eq(fx_r(b, 0x46020C1CU, 4) & 0xCU, 0xCU, "SWS = PLL");
	cr_expect_neq(fx_r(b, FX_FLASH, 4), w[0], "range 4 tops out at 25 MHz");
	fx_w(b, 0x4602080CU, 4, 0x00030000U);   /* VOS range 1 */
	cr_expect_eq(fx_r(b, 0x4602080CU, 4) & 0x8000U, 0x8000U, "VOSRDY");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), w[0], "range 1, 4 WS");
	fx_w(b, TZ_ACR, 4, 3U);
	cr_expect_neq(fx_r(b, FX_FLASH, 4), w[0], "3 WS are too few at 160 MHz");
	sim_board_free(b);
}

/* ---- the seed failures: SWD cut by firmware ---------------------------------------- */

/* Firmware: vectors, RCC AHB2 enable |= GPIOAEN, GPIOA_MODER = 0 (PA13/PA14 inputs), b . */
static void tz_fw_moder(uint8_t *fw, uint32_t ahb2enr)
{
	static const uint8_t code[] = {
		0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
		0x03, 0x48,             /* 08 ldr  r0, =AHB2ENR */
		0x01, 0x21,             /* 0a movs r1, #1 */
		0x01, 0x60,             /* 0c str  r1, [r0] */
		0x03, 0x48,             /* 0e ldr  r0, =0x42020000  GPIOA_MODER */
		0x00, 0x21,             /* 10 movs r1, #0 */
		0x01, 0x60,             /* 12 str  r1, [r0] */
		0xfe, 0xe7,             /* 14 b . */
		0x00, 0xbf,             /* 16 nop */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x42,
	};
	memcpy(fw, code, sizeof(code));
	memcpy(fw + 24, &ahb2enr, 4);
}

Test(board_tz, firmware_taking_pa13_pa14_out_of_af_cuts_swd_until_nrst)
{
	static const struct { const char *part; uint32_t ahb2enr; } runs[] = {
		{ "STM32L552ZE", 0x4002104CU }, { "STM32U575ZI", 0x46020C8CU },
	};
	uint8_t fw[32];
	uint32_t id;

	for (size_t i = 0; i < 2; i++) {
		tz_fw_moder(fw, runs[i].ahb2enr);
		sim_board *b = tz_board_fw(runs[i].part, 0, 0xFFFFFFFFU, fw, sizeof(fw));
		cr_expect_eq(fx_r(b, 0x42020000U, 4), 0xABFFFFFFU, "%s: MODER reset value", runs[i].part);
		sim_board_advance(b, FX_MS);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "%s", runs[i].part);
		sim_board_set_nrst(b, true);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s: NRST gives the pins back",
			     runs[i].part);
		/* connect under reset: halt on the reset vector, the firmware never runs */
		fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
		fx_w(b, FX_DEMCR, 4, 0x01000001U);
		sim_board_set_nrst(b, false);
		sim_board_advance(b, sim_board_now(b) + FX_MS);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s halted", runs[i].part);
		cr_expect_eq(fx_get_reg(b, 15), 0x08000008U, "%s", runs[i].part);
		sim_board_free(b);
		fx_teardown();
		fx_setup();
	}
}

/* Firmware: vectors, SCB_SCR = SLEEPDEEP, wfi (loop): Stop 0 with PWR_CR1.LPMS at reset. */
static const uint8_t tz_fw_stop[] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
	0x02, 0x48,             /* 08 ldr  r0, =0xE000ED10  SCB_SCR */
	0x04, 0x21,             /* 0a movs r1, #4            SLEEPDEEP */
	0x01, 0x60,             /* 0c str  r1, [r0] */
	0x30, 0xbf,             /* 0e wfi */
	0xfd, 0xe7,             /* 10 b 0x0e */
	0x00, 0xbf,             /* 12 nop */
	0x10, 0xed, 0x00, 0xe0,
};

Test(board_tz, stop_without_dbg_stop_silences_the_port_and_dbgmcu_at_0xe0044004_keeps_it)
{
	static const char *const parts[] = { "STM32L552ZE", "STM32U585AI" };
	uint32_t id;

	for (size_t i = 0; i < 2; i++) {
		sim_board *b = tz_board_fw(parts[i], 0, 0xFFFFFFFFU, tz_fw_stop, sizeof(tz_fw_stop));
		cr_expect_eq(fx_r(b, 0xE0044000U, 4) & 0xFFFU, i == 0 ? 0x472U : 0x482U, "DBGMCU_IDCODE");
		sim_board_advance(b, FX_MS);
		cr_expect_not(sim_board_core_running(b), "%s asleep", parts[i]);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "%s", parts[i]);
		sim_board_set_nrst(b, true);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s under reset", parts[i]);
		fx_w(b, 0xE0044004U, 4, 0x6U);   /* DBG_STOP | DBG_STANDBY, as OpenOCD writes */
		fx_w(b, 0xE0044008U, 4, 0x1800U);   /* APB1FZR1: WWDG and IWDG stop */
		cr_expect_eq(fx_r(b, 0xE0044008U, 4), 0x1800U, "%s: APB1FZR1", parts[i]);
		sim_board_set_nrst(b, false);
		sim_board_advance(b, sim_board_now(b) + FX_MS);
		cr_expect_not(sim_board_core_running(b), "%s asleep again", parts[i]);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "%s: DBG_STOP keeps the port",
			     parts[i]);
		cr_expect_eq(fx_r(b, 0xE0044008U, 4), 0x1800U, "%s: survives system reset", parts[i]);
		sim_board_free(b);
		fx_teardown();
		fx_setup();
	}
}

/* LPMS = 011 selects Standby: DBG_STOP alone does not keep the port (RM0438 §8.3.6). */
Test(board_tz, standby_by_lpms_needs_dbg_standby)
{
	static const struct { const char *part; uint32_t pwr; } runs[] = {
		{ "STM32L552ZE", 0x40007000U }, { "STM32U575ZI", 0x46020800U },
	};
	uint32_t id;

	for (size_t i = 0; i < 2; i++) {
		for (uint32_t keep = 2U; keep <= 4U; keep += 2U) {
			sim_board *b = tz_board_fw(runs[i].part, 0, 0xFFFFFFFFU, tz_fw_stop, sizeof(tz_fw_stop));
			sim_board_set_nrst(b, true);
			cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
			fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
			fx_w(b, FX_DEMCR, 4, 0x01000001U);
			fx_w(b, 0xE0044004U, 4, keep);
			sim_board_set_nrst(b, false);
			fx_w(b, runs[i].pwr, 4, (fx_r(b, runs[i].pwr, 4) & ~7U) | 3U);   /* LPMS Standby */
			fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
			sim_board_advance(b, sim_board_now(b) + FX_MS);
			cr_expect_eq(sim_board_dp_connect(b, &id), keep == 4U ? SIM_SWD_OK : SIM_SWD_NOACK,
				     "%s DBGMCU_CR %u", runs[i].part, keep);
			sim_board_free(b);
			fx_teardown();
			fx_setup();
		}
	}
}

/* ---- OTP and block-based security ---------------------------------------------------- */

Test(board_tz, otp_at_0x0bfa0000_programs_quad_words_once)
{
	sim_board *b = tz_board("STM32U575ZI");
	const uint32_t w[4] = { 0x11223344U, 0x55667788U, 0x99AABBCCU, 0xDDEEFF00U };
	uint32_t v;

	cr_expect_eq(fx_r(b, 0x0BFA0000U, 4), 0xFFFFFFFFU, "erased OTP");
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, 0x0BFA0010U, w, 4);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, 0);
	cr_expect_eq(fx_r(b, 0x0BFA001CU, 4), 0xDDEEFF00U);
	tz_prog(b, TZ_NSCR, 0x0BFA0010U, w, 4);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_PROGERR, "programmed twice");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	fx_w(b, TZ_NSCR, 4, TZ_MER1 | TZ_MER2 | TZ_STRT);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, 0x0BFA0010U, 4), 0x11223344U, "a mass erase leaves the OTP");
	cr_expect_eq(sim_board_read(b, 0x0BFA0700U, 4, &v), SIM_SWD_OK, "UID");
	cr_expect_eq(fx_r(b, 0x0BFA07A0U, 2), 2048U, "flash size register");
	sim_board_free(b);
}

Test(board_tz, secbb_bits_make_pages_secure_at_run_time_and_reset_clears_them)
{
	sim_board *b = tz_board("STM32L552ZE");
	const uint32_t w[2] = { 0xA5A5A5A5U, 0x5A5A5A5AU };
	uint32_t secbb2r1 = 0x400220A0U + TZ_S_REGS;

	tz_optunlock(b);
	fx_w(b, TZ_SECWM1R1, 4, 0x0000007FU);   /* no watermark area: every page non-secure */
	fx_w(b, TZ_SECWM2R1, 4, 0x0000007FU);
	fx_w(b, TZ_OPTR, 4, fx_r(b, TZ_OPTR, 4) | TZ_TZEN);
	tz_ob_apply(b);
	fx_w(b, secbb2r1 - TZ_S_REGS, 4, 0x4U);   /* non-secure write: ignored */
	cr_expect_eq(fx_r(b, secbb2r1, 4), 0);
	fx_w(b, secbb2r1, 4, 0x4U);                /* bank 2 page 2 secure */
	cr_expect_eq(fx_r(b, secbb2r1, 4), 0x4U);
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x40000U + 2U * 2048U, w, 1);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_ERRS, TZ_WRPERR, "SECBB page via the NS set");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x40000U + 3U * 2048U, w, 2);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40000U + 3U * 2048U, 4), w[0], "page 3 stays non-secure");
	fx_system_reset(b);
	cr_expect_eq(fx_r(b, secbb2r1, 4), 0, "SECBB resets");
	sim_board_free(b);
}

Test(board_tz, rdp_1_with_trustzone_shuts_the_debugger_out_of_flash_and_secure_state)
{
	sim_board *b = tz_secure_board("STM32U575ZI");
	uint32_t v;

	cr_expect_eq(sim_board_read(b, TZ_FLASH_S, 4, &v), SIM_SWD_OK, "level 0: secure flash is open");
	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0xBBU);
	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & (TZ_TZEN | 0xFFU), TZ_TZEN | 0xBBU, "level 1, TZEN kept");
	cr_expect_eq(sim_board_read(b, TZ_FLASH_S, 4, &v), SIM_SWD_FAULT, "secure flash");
	cr_expect_eq(sim_board_read(b, FX_FLASH + 0x10000U, 4, &v), SIM_SWD_FAULT, "non-secure flash");
	cr_expect_eq(sim_board_read(b, TZ_SECSR, 4, &v), SIM_SWD_FAULT, "secure registers");
	cr_expect_eq(sim_board_read(b, FX_SRAM, 4, &v), SIM_SWD_OK, "non-secure SRAM");
	sim_board_free(b);
}

Test(board_tz, power_lost_while_a_quad_word_programs_leaves_it_unprogrammed)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;
	const uint32_t w[4] = { 0, 0, 0, 0 };

	c.part = sim_part_find("STM32U575ZI");
	c.timing.t_prog_ns = 0;
	c.timing.core_hz = 0;
	c.power_loss_at_ns = 50 * FX_MS;
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	sim_board_advance(b, 50 * FX_MS - 20000);   /* 20 us before the cut */
	fx_w(b, TZ_NSCR, 4, TZ_PG);
	for (unsigned i = 0; i < 4; i++)
		fx_w(b, FX_FLASH + 0x40U + 4U * i, 4, w[i]);
	sim_board_advance(b, 51 * FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "no power");
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40U, 4), 0xFFFFFFFFU, "cut early: the old cells");
	sim_board_free(b);
}

/* Level 0.5 -> 0 is a regression too: the flash is erased; TZEN may stay or go with it. */
Test(board_tz, rdp_0_5_to_0_regression_erases_and_may_clear_tzen)
{
	sim_board *b = tz_secure_board("STM32L552ZE");
	const uint32_t w[2] = { 0x12345678U, 0x9ABCDEF0U };

	tz_unlock(b, TZ_NSKEYR, TZ_NSCR);
	tz_prog(b, TZ_NSCR, FX_FLASH + 0x4000U, w, 2);   /* non-secure page 8 */
	tz_wait(b, TZ_NSSR);
	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0x55U);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x4000U, 4), w[0], "level 0.5 keeps the data");
	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~(0xFFU | TZ_TZEN)) | 0xAAU);
	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & (TZ_TZEN | 0xFFU), 0xAAU, "level 0, TrustZone off");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x4000U, 4), 0xFFFFFFFFU, "the regression erased the flash");
	sim_board_free(b);
}

/*
 * SECWMxR2 holds HDPxEN (b31) and HDPx_PEND (b22:16) only; with TrustZone
 * on it takes secure writes only, and what OPTSTRT programmed is in force
 * after OBL_LAUNCH and kept in the state directory (RM0438 §6.9, RM0456
 * §7.9 FLASH_SECWMxR2).
 */
Test(board_tz, secwm_r2_holds_the_hdp_bits_through_obl_launch_and_a_new_session)
{
	sim_board *b = tz_secure_board("STM32L552ZE");

	cr_expect_eq(fx_r(b, TZ_SECWM1R2, 4), 0U, "no HDP area from the factory");
	tz_optunlock(b);
	fx_w(b, TZ_SECWM1R2, 4, 0x80020000U);
	cr_expect_eq(fx_r(b, TZ_SECWM1R2, 4), 0U, "a non-secure write is ignored with TrustZone on");
	fx_w(b, TZ_SECWM1R2 + TZ_S_REGS, 4, 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, TZ_SECWM1R2, 4), 0x807F0000U, "only HDP1EN and HDP1_PEND exist");
	fx_w(b, TZ_SECWM1R2 + TZ_S_REGS, 4, 0x80020000U);
	fx_w(b, TZ_SECWM2R2 + TZ_S_REGS, 4, 0x00050000U);
	tz_ob_apply(b);
	cr_expect_eq(fx_r(b, TZ_SECWM1R2, 4), 0x80020000U, "in force after OBL_LAUNCH");
	cr_expect_eq(fx_r(b, TZ_SECWM2R2, 4), 0x00050000U);
	sim_board_free(b);
	b = tz_board("STM32L552ZE");
	cr_expect_eq(fx_r(b, TZ_SECWM1R2, 4), 0x80020000U, "reloaded from option_bytes.bin");
	cr_expect_eq(fx_r(b, TZ_SECWM1R1, 4), 0x00030000U, "SECWM1R1 with it");
	sim_board_free(b);
}

/* AN5347 "TrustZone deactivation": from level 0.5 on the L5 only; a U5 leaves 0.5 for 0 keeping TZEN. */
Test(board_tz, u5_clears_tzen_only_from_level_1_not_from_0_5)
{
	sim_board *b = tz_secure_board("STM32U575ZI");
	uint32_t optr;

	tz_set_optr(b, (fx_r(b, TZ_OPTR, 4) & ~0xFFU) | 0x55U);
	optr = fx_r(b, TZ_OPTR, 4);
	cr_assert_eq(optr & (TZ_TZEN | 0xFFU), TZ_TZEN | 0x55U, "level 0.5");
	tz_optunlock(b);
	fx_w(b, TZ_OPTR, 4, (optr & ~(0xFFU | TZ_TZEN)) | 0xAAU);
	fx_w(b, TZ_NSCR, 4, TZ_OPTSTRT);
	tz_wait(b, TZ_NSSR);
	cr_expect_eq(fx_r(b, TZ_NSSR, 4) & TZ_OPTWERR, TZ_OPTWERR, "TZEN = 0 from 0.5 on a U5");
	fx_w(b, TZ_NSSR, 4, TZ_W1C);
	fx_w(b, TZ_OPTR, 4, (optr & ~0xFFU) | 0xAAU);
	tz_ob_apply(b);
	cr_expect_eq(fx_r(b, TZ_OPTR, 4) & (TZ_TZEN | 0xFFU), TZ_TZEN | 0xAAU, "level 0, TrustZone still on");
	sim_board_free(b);
}
