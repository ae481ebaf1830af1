/*
 * test_board_h7.c — the H7 two-bank flash controller model
 * (tools/sim/board_fpec_h7.c, board_fpec_h7_ob.c) rule by rule, driven as
 * a debugger would through the board API; the H7 debug topology (DBGMCU
 * on the AXI bus, not under reset) and the seed failures (PA13/PA14 out
 * of AF, Stop without DBGSTOP_D1) (RM0433 §4, §60.5.8).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "board_fixtures.h"

#define H7_BASE     0x52002000U
#define H7_ACR      (H7_BASE + 0x00U)
#define H7_KEYR     (H7_BASE + 0x04U)
#define H7_OPTKEYR  (H7_BASE + 0x08U)
#define H7_CR       (H7_BASE + 0x0CU)
#define H7_SR       (H7_BASE + 0x10U)
#define H7_CCR      (H7_BASE + 0x14U)
#define H7_OPTCR    (H7_BASE + 0x18U)
#define H7_OPTSR_CUR (H7_BASE + 0x1CU)
#define H7_OPTSR_PRG (H7_BASE + 0x20U)
#define H7_WPSN_CUR (H7_BASE + 0x38U)
#define H7_WPSN_PRG (H7_BASE + 0x3CU)
#define H7_ECC_FA   (H7_BASE + 0x60U)
#define H7_B2       0x100U
#define H7_LOCK     0x1U
#define H7_PG       0x2U
#define H7_SER      0x4U
#define H7_BER      0x8U
#define H7_X32      0x20U
#define H7_X64      0x30U
#define H7_FW       0x40U
#define H7_START    0x80U
#define H7_BSY      0x1U
#define H7_WBNE     0x2U
#define H7_QW       0x4U
#define H7_EOP      (1U << 16)
#define H7_WRPERR   (1U << 17)
#define H7_PGSERR   (1U << 18)
#define H7_STRBERR  (1U << 19)
#define H7_INCERR   (1U << 21)
#define H7_DBECCERR (1U << 26)
#define H7_ERRS     0x0FEE0000U
#define H7_BANK2    0x08100000U
#define H7_DBGMCU   0x5C001000U

TestSuite(board_h7, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

static sim_board *h7_board(const char *part, uint32_t wrp, int rdp)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find(part);
	cr_assert_not_null(c.part, "%s", part);
	c.timing.t_prog_ns = 130000;
	c.timing.t_ob_erase_ns = 300 * FX_MS;
	c.timing.core_hz = 0;   /* HSI 64 MHz */
	c.wrp = wrp;
	c.rdp = rdp;
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_assert_eq(id, 0x6BA02477U, "H7 SW-DP");
	return b;
}

static void h7_unlock(sim_board *b, uint32_t bank)
{
	fx_w(b, H7_KEYR + bank, 4, FX_KEY1);
	fx_w(b, H7_KEYR + bank, 4, FX_KEY2);
	cr_assert_eq(fx_r(b, H7_CR + bank, 4) & H7_LOCK, 0);
}

static void h7_wait(sim_board *b, uint32_t bank)
{
	while (fx_r(b, H7_SR + bank, 4) & (H7_BSY | H7_QW | H7_WBNE))
		sim_board_advance(b, sim_board_now(b) + FX_MS / 10);
}

/* One flash word of 8 words value v, v+1, ... at addr; PG left set. */
static void h7_word(sim_board *b, uint32_t bank, uint32_t addr, uint32_t v)
{
	fx_w(b, H7_CR + bank, 4, H7_PG | H7_X64);
	for (unsigned i = 0; i < 8; i++)
		fx_w(b, addr + 4 * i, 4, v + i);
}

/* Sector or bank erase; returns the virtual ns until BSY dropped. */
static int64_t h7_erase(sim_board *b, uint32_t bank, uint32_t cr)
{
	int64_t t0 = sim_board_now(b);

	fx_w(b, H7_CR + bank, 4, cr);
	fx_w(b, H7_CR + bank, 4, cr | H7_START);
	cr_assert(fx_r(b, H7_SR + bank, 4) & H7_BSY, "erase running");
	h7_wait(b, bank);
	return sim_board_now(b) - t0;
}

Test(board_h7, ids_answer_at_0x5c001000_and_the_core_is_a_cortex_m7)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	cr_expect_eq(fx_r(b, H7_DBGMCU, 4) & 0xFFFU, 0x450U);
	cr_expect_eq((fx_r(b, 0xE000ED00U, 4) >> 4) & 0xFFFU, 0xC27U, "Cortex-M7");
	cr_expect_eq(fx_r(b, 0x1FF1E880U, 2), 2048U, "flash size KiB");
	cr_expect_eq(fx_r(b, H7_OPTSR_CUR, 4) & 0xFF00U, 0xAA00U, "RDP level 0");
	cr_expect_eq(fx_r(b, H7_CR, 4), H7_LOCK);
	cr_expect_eq(fx_r(b, H7_CR + H7_B2, 4), H7_LOCK);
	cr_expect_eq(fx_r(b, H7_ACR, 4), 0x37U, "LATENCY 7, WRHIGHFREQ 3 after reset");
	sim_board_free(b);
	fx_teardown();
	fx_setup();
	b = h7_board("STM32H723ZG", 0xFFFFFFFFU, 0);
	cr_expect_eq(fx_r(b, H7_DBGMCU, 4) & 0xFFFU, 0x483U);
	cr_expect_eq(fx_r(b, H7_CR + H7_B2, 4), 0U, "one bank: no bank 2 registers");
	sim_board_free(b);
}

Test(board_h7, a_wrong_key_or_a_second_unlock_locks_the_bank_until_reset)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	fx_w(b, H7_KEYR, 4, FX_KEY1);
	cr_expect_eq(sim_board_write(b, H7_KEYR, 4, 0x12345678U), SIM_SWD_FAULT);
	cr_expect_eq(sim_board_write(b, H7_KEYR, 4, FX_KEY1), SIM_SWD_FAULT, "dead until reset");
	fx_w(b, H7_CR, 4, H7_PG);
	cr_expect_eq(fx_r(b, H7_CR, 4), H7_LOCK, "CR writes ignored");
	h7_unlock(b, H7_B2);   /* bank 2 has its own key state */
	cr_expect_eq(sim_board_write(b, H7_KEYR + H7_B2, 4, FX_KEY1), SIM_SWD_FAULT,
		     "a second sequence on an unlocked bank locks it too");
	fx_system_reset(b);
	h7_unlock(b, 0);
	h7_unlock(b, H7_B2);
	sim_board_free(b);
}

Test(board_h7, a_flash_word_programs_when_its_eighth_word_arrives)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	h7_unlock(b, 0);
	fx_w(b, H7_CR, 4, H7_PG | H7_X32);
	for (unsigned i = 0; i < 7; i++)
		fx_w(b, FX_FLASH + 4 * i, 4, 0x11110000U + i);
	cr_expect_eq(fx_r(b, H7_SR, 4) & (H7_WBNE | H7_QW | H7_BSY), H7_WBNE,
		     "buffer filling: no operation queued yet");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "nothing programmed yet");
	int64_t t0 = sim_board_now(b);
	fx_w(b, FX_FLASH + 28, 4, 0x11110007U);
	cr_expect(fx_r(b, H7_SR, 4) & H7_BSY, "programming");
	h7_wait(b, 0);
	int64_t t = sim_board_now(b) - t0;
	cr_expect(t >= 130000 && t < 260000, "x32 word %lld ns", (long long)t);
	for (unsigned i = 0; i < 8; i++)
		cr_expect_eq(fx_r(b, FX_FLASH + 4 * i, 4), 0x11110000U + i);
	cr_expect_eq(fx_r(b, H7_SR, 4) & (H7_EOP | H7_ERRS), H7_EOP);
	sim_board_free(b);
}

Test(board_h7, psize_sets_the_time_of_a_flash_word)
{
	static const uint32_t psize[4] = { 0x00, 0x10, 0x20, 0x30 };
	static const int64_t us[4] = { 290, 180, 130, 100 };
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	h7_unlock(b, 0);
	for (unsigned p = 0; p < 4; p++) {
		uint32_t a = FX_FLASH + 0x100U * p;
		fx_w(b, H7_CR, 4, H7_PG | psize[p]);
		for (unsigned i = 0; i < 8; i++)
			fx_w(b, a + 4 * i, 4, i);
		int64_t t0 = sim_board_now(b);
		sim_board_advance(b, t0 + us[p] * 1000 - 1000);
		cr_expect(fx_r(b, H7_SR, 4) & H7_BSY, "x%u still busy", 8U << p);
		sim_board_advance(b, t0 + us[p] * 1000 + 1000);
		cr_expect_not(fx_r(b, H7_SR, 4) & H7_BSY, "x%u done", 8U << p);
	}
	sim_board_free(b);
}

Test(board_h7, write_buffer_errors_set_the_flags_silicon_sets)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	h7_unlock(b, 0);
	fx_w(b, FX_FLASH, 4, 0);   /* PG clear */
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_PGSERR, "write without PG");
	fx_w(b, H7_CCR, 4, H7_ERRS);
	fx_w(b, H7_CR, 4, H7_PG | H7_X64);
	fx_w(b, FX_FLASH, 4, 1);
	fx_w(b, FX_FLASH, 4, 2);
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_STRBERR, "same word of the buffer twice");
	fx_w(b, H7_CCR, 4, H7_ERRS);
	fx_w(b, FX_FLASH + 0x20, 4, 3);   /* the next flash word while the buffer holds one */
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_INCERR, "across a flash-word boundary");
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_WBNE, 0, "the buffer's data is lost");
	fx_w(b, H7_CCR, 4, H7_ERRS);
	fx_w(b, H7_CR, 4, H7_PG | H7_SER | H7_X64);
	fx_w(b, FX_FLASH, 4, 3);
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_PGSERR, "PG with SER");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "nothing programmed");
	sim_board_free(b);
}

Test(board_h7, fw_forces_a_partial_word_out_with_the_rest_erased)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	h7_unlock(b, 0);
	fx_w(b, H7_CR, 4, H7_PG | H7_X64);
	fx_w(b, FX_FLASH + 4, 4, 0xCAFEF00DU);
	fx_w(b, FX_FLASH + 8, 2, 0x1234U);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0xFFFFFFFFU, "held in the buffer");
	sim_board_advance(b, sim_board_now(b) + 10 * FX_MS);
	cr_expect_eq(fx_r(b, H7_SR, 4) & (H7_WBNE | H7_QW | H7_BSY), H7_WBNE,
		     "a partial word waits for ever: nothing queued");
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0xFFFFFFFFU, "still not programmed");
	fx_w(b, H7_CR, 4, H7_PG | H7_X64 | H7_FW);
	h7_wait(b, 0);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0xCAFEF00DU);
	cr_expect_eq(fx_r(b, FX_FLASH + 8, 4), 0xFFFF1234U);
	cr_expect_eq(fx_r(b, H7_CR, 4) & H7_FW, 0, "FW clears when done");
	cr_expect_eq(fx_r(b, H7_SR, 4) & (H7_ERRS | H7_WBNE), 0);
	sim_board_free(b);
}

Test(board_h7, a_word_programmed_twice_reads_as_a_double_ecc_error_until_erased)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	uint32_t v;

	h7_unlock(b, 0);
	h7_word(b, 0, FX_FLASH + 0x40, 0x0F0F0000U);
	h7_wait(b, 0);
	h7_word(b, 0, FX_FLASH + 0x40, 0x0F0F0000U);   /* the same data: ECC consistent */
	h7_wait(b, 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40, 4), 0x0F0F0000U);
	h7_word(b, 0, FX_FLASH + 0x40, 0x00FF0000U);   /* different data */
	h7_wait(b, 0);
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, 0, "no flag at programming");
	cr_expect_eq(sim_board_read(b, FX_FLASH + 0x44, 4, &v), SIM_SWD_FAULT, "bus error");
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_DBECCERR);
	cr_expect_eq(fx_r(b, H7_ECC_FA, 4), 2U, "third flash word of bank 1");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x60, 4), 0xFFFFFFFFU, "the next word reads");
	h7_word(b, 0, FX_FLASH + 0x80, 0x12345678U);
	h7_wait(b, 0);
	for (unsigned i = 0; i < 8; i++)   /* an all-zero rewrite stays consistent */
		fx_w(b, FX_FLASH + 0x80 + 4 * i, 4, 0);
	h7_wait(b, 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x80, 4), 0U);
	fx_w(b, H7_CCR, 4, H7_ERRS);
	h7_erase(b, 0, H7_SER | H7_X64);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x44, 4), 0xFFFFFFFFU, "erase clears the ECC error");
	sim_board_free(b);
}

Test(board_h7, sector_erase_takes_its_psize_time_and_erases_128_kib)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	int64_t t;

	h7_unlock(b, 0);
	h7_word(b, 0, FX_FLASH + 0x20000U, 0);   /* sector 1 */
	h7_word(b, 0, FX_FLASH + 0x40000U, 0);   /* sector 2 */
	h7_wait(b, 0);
	t = h7_erase(b, 0, H7_SER | 1U << 8 | H7_X32);
	cr_expect(t >= 1100 * FX_MS && t < 1101 * FX_MS, "x32 sector %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x20000U, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40000U, 4), 0U, "sector 2 untouched");
	t = h7_erase(b, 0, H7_SER | 2U << 8 | H7_X64);
	cr_expect(t >= 1000 * FX_MS && t < 1001 * FX_MS, "x64 sector %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, H7_SR, 4) & (H7_EOP | H7_ERRS), H7_EOP);
	fx_w(b, H7_CR, 4, H7_SER | H7_BER | H7_X64 | H7_START);
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_PGSERR, "SER and BER together");
	sim_board_free(b);
	fx_teardown();
	fx_setup();
	b = h7_board("STM32H750VB", 0xFFFFFFFFU, 0);
	h7_unlock(b, 0);
	fx_w(b, H7_CR, 4, H7_SER | 1U << 8 | H7_X64 | H7_START);
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_PGSERR, "H750: one sector only");
	sim_board_free(b);
}

Test(board_h7, both_banks_erase_and_program_at_the_same_time)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	int64_t t0;

	h7_unlock(b, 0);
	h7_unlock(b, H7_B2);
	t0 = sim_board_now(b);
	fx_w(b, H7_CR, 4, H7_SER | 3U << 8 | H7_X64 | H7_START);
	fx_w(b, H7_CR + H7_B2, 4, H7_SER | 3U << 8 | H7_X64 | H7_START);
	cr_expect(fx_r(b, H7_SR, 4) & H7_BSY);
	cr_expect(fx_r(b, H7_SR + H7_B2, 4) & H7_BSY);
	h7_wait(b, 0);
	h7_wait(b, H7_B2);
	cr_expect(sim_board_now(b) - t0 < 1010 * FX_MS, "both sectors in one sector time: %lld",
		  (long long)(sim_board_now(b) - t0));
	/* one word in each bank, both programming at once */
	h7_word(b, 0, FX_FLASH + 0x60000U, 0xA0);
	h7_word(b, H7_B2, H7_BANK2 + 0x60000U, 0xB0);
	cr_expect(fx_r(b, H7_SR, 4) & H7_BSY);
	cr_expect(fx_r(b, H7_SR + H7_B2, 4) & H7_BSY);
	h7_wait(b, 0);
	h7_wait(b, H7_B2);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x60000U, 4), 0xA0U);
	cr_expect_eq(fx_r(b, H7_BANK2 + 0x6001CU, 4), 0xB7U);
	sim_board_free(b);
}

Test(board_h7, a_bank_reads_while_the_other_erases)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	h7_unlock(b, H7_B2);
	fx_w(b, H7_CR + H7_B2, 4, H7_SER | H7_X64 | H7_START);
	int64_t t0 = sim_board_now(b);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x100U, 4), 0xFFFFFFFFU);
	cr_expect(sim_board_now(b) - t0 < FX_MS, "bank 1 answers at once");
	fx_r(b, H7_BANK2, 4);
	cr_expect(sim_board_now(b) - t0 >= 1000 * FX_MS, "bank 2 stalls until its erase ends");
	sim_board_free(b);
}

Test(board_h7, bank_erase_and_mass_erase_with_their_times)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	int64_t t;

	h7_unlock(b, 0);
	h7_unlock(b, H7_B2);
	h7_word(b, 0, FX_FLASH + 0xE0000U, 0);
	h7_word(b, H7_B2, H7_BANK2 + 0xE0000U, 0);
	h7_wait(b, 0);
	h7_wait(b, H7_B2);
	t = h7_erase(b, 0, H7_BER | H7_X64);
	cr_expect(t >= 5000 * FX_MS && t < 5001 * FX_MS, "bank erase x64 %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH + 0xE0000U, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, H7_BANK2 + 0xE0000U, 4), 0U, "bank 2 untouched");
	fx_w(b, H7_CR, 4, H7_X64);
	fx_w(b, H7_OPTKEYR, 4, 0x08192A3BU);
	fx_w(b, H7_OPTKEYR, 4, 0x4C5D6E7FU);
	int64_t t0 = sim_board_now(b);
	fx_w(b, H7_OPTCR, 4, 0x10U);   /* MER */
	cr_expect(fx_r(b, H7_SR, 4) & H7_BSY, "bank 1 busy");
	cr_expect(fx_r(b, H7_SR + H7_B2, 4) & H7_BSY, "bank 2 busy");
	h7_wait(b, 0);
	h7_wait(b, H7_B2);
	t = sim_board_now(b) - t0;
	cr_expect(t >= 5000 * FX_MS && t < 5010 * FX_MS, "both banks in parallel: %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, H7_BANK2 + 0xE0000U, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, H7_OPTCR, 4) & 0x10U, 0, "MER clears");
	sim_board_free(b);
}

Test(board_h7, a_protected_sector_refuses_program_and_erase)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFDU, 0);   /* bank 1 sector 1 */

	cr_expect_eq(fx_r(b, H7_WPSN_CUR, 4), 0xFDU);
	cr_expect_eq(fx_r(b, H7_WPSN_CUR + H7_B2, 4), 0xFFU);
	h7_unlock(b, 0);
	h7_word(b, 0, FX_FLASH + 0x20000U, 0);
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_WRPERR);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x20000U, 4), 0xFFFFFFFFU);
	fx_w(b, H7_CCR, 4, H7_ERRS);
	fx_w(b, H7_CR, 4, H7_SER | 1U << 8 | H7_X64 | H7_START);
	cr_expect_eq(fx_r(b, H7_SR, 4) & (H7_ERRS | H7_BSY), H7_WRPERR);
	fx_w(b, H7_CCR, 4, H7_ERRS);
	fx_w(b, H7_CR, 4, H7_BER | H7_X64 | H7_START);
	cr_expect_eq(fx_r(b, H7_SR, 4) & (H7_ERRS | H7_BSY), H7_WRPERR, "bank erase too");
	sim_board_free(b);
}

static void h7_opt_unlock(sim_board *b)
{
	fx_w(b, H7_OPTKEYR, 4, 0x08192A3BU);
	fx_w(b, H7_OPTKEYR, 4, 0x4C5D6E7FU);
	cr_assert_eq(fx_r(b, H7_OPTCR, 4) & 1U, 0);
}

/* OPTSTART and wait for OPT_BUSY; returns the ns it took. */
static int64_t h7_opt_start(sim_board *b)
{
	int64_t t0 = sim_board_now(b);

	fx_w(b, H7_OPTCR, 4, 0x2U);
	cr_assert(fx_r(b, H7_OPTSR_CUR, 4) & 1U, "OPT_BUSY");
	while (fx_r(b, H7_OPTSR_CUR, 4) & 1U)
		sim_board_advance(b, sim_board_now(b) + FX_MS);
	return sim_board_now(b) - t0;
}

Test(board_h7, optstart_applies_the_option_bytes_without_a_reset_and_they_persist)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	fx_w(b, H7_WPSN_PRG, 4, 0xFE);
	cr_expect_eq(fx_r(b, H7_WPSN_PRG, 4), 0xFFU, "PRG locked by OPTLOCK");
	h7_opt_unlock(b);
	fx_w(b, H7_WPSN_PRG, 4, 0xFE);
	fx_w(b, H7_WPSN_PRG + H7_B2, 4, 0x7F);
	cr_expect_eq(fx_r(b, H7_WPSN_CUR, 4), 0xFFU, "not yet in force");
	int64_t t = h7_opt_start(b);
	cr_expect(t >= 300 * FX_MS && t < 302 * FX_MS, "option change %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, H7_WPSN_CUR, 4), 0xFEU, "in force when OPT_BUSY clears");
	cr_expect_eq(fx_r(b, H7_WPSN_CUR + H7_B2, 4), 0x7FU);
	h7_unlock(b, 0);
	fx_w(b, H7_CR, 4, H7_SER | H7_X64 | H7_START);
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, H7_WRPERR, "sector 0 now protected");
	sim_board_free(b);
	/* a new process: the option bytes come from option_bytes.bin */
	c.part = sim_part_find("STM32H743ZI");
	c.timing.core_hz = 0;
	b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, H7_WPSN_CUR, 4), 0xFEU);
	cr_expect_eq(fx_r(b, H7_WPSN_CUR + H7_B2, 4), 0x7FU);
	sim_board_free(b);
}

Test(board_h7, rdp_1_blocks_flash_and_the_regression_erases_both_banks)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	uint32_t v;

	h7_unlock(b, 0);
	h7_unlock(b, H7_B2);
	h7_word(b, 0, FX_FLASH, 0x55);
	h7_word(b, H7_B2, H7_BANK2, 0x66);
	h7_wait(b, 0);
	h7_wait(b, H7_B2);
	h7_opt_unlock(b);
	fx_w(b, H7_OPTSR_PRG, 4, (fx_r(b, H7_OPTSR_PRG, 4) & ~0xFF00U) | 0xBB00U);
	h7_opt_start(b);
	cr_expect_eq(fx_r(b, H7_OPTSR_CUR, 4) & 0xFF00U, 0xBB00U);
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT, "level 1 at once, no reset");
	fx_w(b, H7_OPTSR_PRG, 4, (fx_r(b, H7_OPTSR_PRG, 4) & ~0xFF00U) | 0xAA00U);
	int64_t t = h7_opt_start(b);
	cr_expect(t >= 5300 * FX_MS, "the regression erases first: %lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, H7_BANK2, 4), 0xFFFFFFFFU);
	sim_board_free(b);
}

Test(board_h7, rdp_level_2_is_final_and_the_debug_port_goes)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	uint32_t id;

	h7_opt_unlock(b);
	fx_w(b, H7_OPTSR_PRG, 4, (fx_r(b, H7_OPTSR_PRG, 4) & ~0xFF00U) | 0xCC00U);
	fx_w(b, H7_OPTCR, 4, 0x2U);
	sim_board_advance(b, sim_board_now(b) + 400 * FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "not even under reset");
	sim_board_free(b);
}

Test(board_h7, swap_bank_takes_effect_at_the_next_reset)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	h7_unlock(b, 0);
	h7_word(b, 0, FX_FLASH, 0x1000);   /* physical bank 1 */
	h7_wait(b, 0);
	h7_opt_unlock(b);
	fx_w(b, H7_OPTSR_PRG, 4, fx_r(b, H7_OPTSR_PRG, 4) | 0x80000000U);
	h7_opt_start(b);
	cr_expect(fx_r(b, H7_OPTSR_CUR, 4) & 0x80000000U, "SWAP_BANK_OPT");
	cr_expect_eq(fx_r(b, H7_OPTCR, 4) & 0x80000000U, 0, "SWAP_BANK only after reset");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x1000U);
	/* bank 2 gets a vector table and "b ." the core can boot from once swapped */
	h7_unlock(b, H7_B2);
	fx_w(b, H7_CR + H7_B2, 4, H7_PG | H7_X64);
	fx_w(b, H7_BANK2, 4, 0x20001000U);
	fx_w(b, H7_BANK2 + 4, 4, 0x08000009U);
	fx_w(b, H7_BANK2 + 8, 4, 0xFFFFE7FEU);
	fx_w(b, H7_CR + H7_B2, 4, H7_PG | H7_X64 | H7_FW);
	h7_wait(b, H7_B2);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	fx_w(b, FX_DEMCR, 4, 0x01000001U);   /* halt on the reset vector */
	fx_system_reset(b);
	cr_expect(fx_r(b, H7_OPTCR, 4) & 0x80000000U, "swapped");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x20001000U, "bank 2 at 0x08000000");
	cr_expect_eq(fx_r(b, H7_BANK2, 4), 0x1000U, "bank 1 at 0x08100000");
	cr_expect_eq(fx_get_reg(b, 15), 0x08000008U, "the core boots from bank 2");
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);   /* run: "b ." in the swapped bank */
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	fx_halt(b);
	cr_expect_eq(fx_get_reg(b, 15), 0x08000008U, "still on its loop");
	sim_board_free(b);
}

Test(board_h7, dbgmcu_on_the_axi_bus_is_not_reachable_under_reset)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	uint32_t v, id;

	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(sim_board_read(b, H7_DBGMCU, 4, &v), SIM_SWD_FAULT, "AP0 under reset");
	cr_expect_eq(sim_board_read(b, 0xE000ED00U, 4, &v), SIM_SWD_OK, "the core's PPB answers");
	sim_board_set_nrst(b, false);
	cr_expect_eq(fx_r(b, H7_DBGMCU, 4) & 0xFFFU, 0x450U);
	sim_board_free(b);
}

Test(board_h7, the_freeze_registers_answer_once_the_debug_clocks_are_on)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	fx_w(b, H7_DBGMCU + 0x54U, 4, 1U << 18);
	cr_expect_eq(fx_r(b, H7_DBGMCU + 0x54U, 4), 0, "APB4FZ1 without D3DBGCKEN");
	fx_w(b, H7_DBGMCU + 4U, 4, 0x00600007U);
	cr_expect_eq(fx_r(b, H7_DBGMCU + 4U, 4), 0x00600007U);
	fx_w(b, H7_DBGMCU + 0x54U, 4, 1U << 18);
	cr_expect_eq(fx_r(b, H7_DBGMCU + 0x54U, 4), 1U << 18, "IWDG1 frozen");
	sim_board_free(b);
}

Test(board_h7, too_few_wait_states_read_garbage)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	h7_unlock(b, 0);
	h7_word(b, 0, FX_FLASH, 0x12345678U);
	h7_wait(b, 0);
	fx_w(b, H7_ACR, 4, 0x10U);   /* LATENCY 0: enough only up to 45 MHz at VOS3 */
	cr_expect_neq(fx_r(b, FX_FLASH, 4), 0x12345678U, "64 MHz with 0 wait states");
	fx_w(b, H7_ACR, 4, 0x11U);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x12345678U, "1 wait state is enough at 64 MHz");
	cr_expect_eq(fx_r(b, H7_ACR + H7_B2, 4), 0x11U, "bank 2's ACR is an alias");
	sim_board_free(b);
}

/* Firmware: vectors, RCC_AHB4ENR |= GPIOAEN, GPIOA_MODER = 0 (PA13/PA14 inputs), b . */
static const uint8_t h7_fw_moder[] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
	0x03, 0x48,             /* 08 ldr  r0, =0x580244E0 */
	0x01, 0x21,             /* 0a movs r1, #1 */
	0x01, 0x60,             /* 0c str  r1, [r0] */
	0x03, 0x48,             /* 0e ldr  r0, =0x58020000 */
	0x00, 0x21,             /* 10 movs r1, #0 */
	0x01, 0x60,             /* 12 str  r1, [r0] */
	0xfe, 0xe7,             /* 14 b . */
	0x00, 0xbf,             /* 16 nop */
	0xe0, 0x44, 0x02, 0x58, 0x00, 0x00, 0x02, 0x58,
};

Test(board_h7, firmware_taking_pa13_pa14_out_of_af_cuts_swd_until_reset)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find("STM32H743ZI");
	c.timing.core_hz = 0;
	c.firmware = fx_write_file("fw.bin", h7_fw_moder, sizeof(h7_fw_moder));
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, 0x58020000U, 4), 0xABFFFFFFU, "MODER reset value");
	sim_board_advance(b, FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "NRST gives the pins back");
	/* connect under reset: halt on the reset vector, the firmware never runs */
	fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
	fx_w(b, FX_DEMCR, 4, 0x01000001U);
	sim_board_set_nrst(b, false);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_get_reg(b, 15), 0x08000008U);
	sim_board_free(b);
}

/* Firmware: vectors, SCB_SCR = SLEEPDEEP, wfi (loop). */
static const uint8_t h7_fw_stop[] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
	0x02, 0x48,             /* 08 ldr  r0, =0xE000ED10  SCB_SCR */
	0x04, 0x21,             /* 0a movs r1, #4            SLEEPDEEP */
	0x01, 0x60,             /* 0c str  r1, [r0] */
	0x30, 0xbf,             /* 0e wfi */
	0xfd, 0xe7,             /* 10 b 0x0e */
	0x00, 0xbf,             /* 12 nop */
	0x10, 0xed, 0x00, 0xe0,
};

static sim_swd h7_stop_with(uint32_t dbgmcu_cr)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find("STM32H743ZI");
	c.timing.core_hz = 0;
	c.firmware = fx_write_file("fw.bin", h7_fw_stop, sizeof(h7_fw_stop));
	sim_board *b = fx_board(&c, 0);
	sim_board_set_nrst(b, true);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
	fx_w(b, FX_DEMCR, 4, 0x01000001U);
	sim_board_set_nrst(b, false);
	fx_w(b, H7_DBGMCU + 4U, 4, dbgmcu_cr);   /* AXI: only out of reset */
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_not(sim_board_core_running(b));
	sim_swd r = sim_board_dp_connect(b, &id);
	sim_board_free(b);
	fx_teardown();
	fx_setup();
	return r;
}

Test(board_h7, stop_without_dbgstop_d1_silences_the_debug_port)
{
	cr_expect_eq(h7_stop_with(0), SIM_SWD_NOACK);
	cr_expect_eq(h7_stop_with(0x00600002U), SIM_SWD_OK, "DBGSTOP_D1 keeps it");
}

Test(board_h7, ap2_reaches_the_dbgmcu_under_reset_and_the_h745_cm4_sits_on_ap3)
{
	sim_board *b = h7_board("STM32H745ZI", 0xFFFFFFFFU, 0);
	uint32_t v;

	cr_expect_eq(sim_board_ap_idr(b, 2), 0x54770002U, "APB-AP");
	cr_expect_neq(sim_board_ap_idr(b, 3), 0U, "the CM4's AHB-AP");
	cr_expect_eq(sim_board_ap_idr(b, 1), 0U, "AP1 not modelled");
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_read_ap(b, 2, 0xE00E1000U, 4, &v), SIM_SWD_OK);
	cr_expect_eq(v & 0xFFFU, 0x450U);
	cr_expect_eq(sim_board_write_ap(b, 2, 0xE00E1004U, 4, 0x00600000U), SIM_SWD_OK);
	sim_board_set_nrst(b, false);
	cr_expect_eq(fx_r(b, H7_DBGMCU + 4U, 4), 0x00600000U, "one register, two views");
	cr_expect_eq(sim_board_read_ap(b, 3, 0xE000ED00U, 4, &v), SIM_SWD_OK);
	cr_expect_eq((v >> 4) & 0xFFFU, 0xC24U, "Cortex-M4 on AP3");
	cr_expect_eq((fx_r(b, 0xE000ED00U, 4) >> 4) & 0xFFFU, 0xC27U, "Cortex-M7 on AP0");
	cr_expect_eq(fx_r(b, H7_OPTSR_CUR, 4) & 0x00C00000U, 0x00C00000U, "BCM4 and BCM7 set");
	cr_expect_eq(sim_board_read_ap(b, 2, 0x08000000U, 4, &v), SIM_SWD_FAULT, "APB-D only");
	sim_board_free(b);
	fx_teardown();
	fx_setup();
	b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	cr_expect_eq(sim_board_ap_idr(b, 3), 0U, "single core: no AP3");
	cr_expect_eq(sim_board_read_ap(b, 3, 0xE000ED00U, 4, &v), SIM_SWD_FAULT);
	cr_expect_eq(fx_r(b, H7_OPTSR_CUR, 4) & 0x00C00000U, 0U, "no BCMx bits");
	sim_board_free(b);
}

/* The H745's CM4 through AP3: DHCSR and DEMCR (DDI 0403E §C1.6.3, §C1.6.5), booted by BCM4 (RM0399 §4.9.9). */
#define CM4_DHCSR 0xE000EDF0U
#define CM4_DEMCR 0xE000EDFCU

static uint32_t cm4_r(sim_board *b, uint32_t addr)
{
	uint32_t v = 0;

	cr_assert_eq(sim_board_read_ap(b, 3, addr, 4, &v), SIM_SWD_OK);
	return v;
}

static void cm4_w(sim_board *b, uint32_t addr, uint32_t v)
{
	cr_assert_eq(sim_board_write_ap(b, 3, addr, 4, v), SIM_SWD_OK);
}

static void h7_sysreset(sim_board *b)
{
	fx_w(b, FX_AIRCR, 4, 0x05FA0004U);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
}

Test(board_h7, the_h745_cm4_runs_until_halted_through_ap3_and_a_reset_vector_catch_holds_it)
{
	sim_board *b = h7_board("STM32H745ZI", 0xFFFFFFFFU, 0);

	cr_expect_not(sim_board_cm4_halted(b), "BCM4: the CM4 boots with the system");
	cr_expect_eq(cm4_r(b, CM4_DHCSR) & (1U << 17), 0U, "S_HALT clear");
	h7_unlock(b, H7_B2);
	h7_erase(b, H7_B2, H7_SER | H7_X64);
	cr_expect_eq(sim_board_cm4_unheld_ops(b), 1U, "an erase while the CM4 runs is counted");
	cm4_w(b, CM4_DHCSR, 0x00000003U);
	cr_expect_not(sim_board_cm4_halted(b), "no DBGKEY: the write is ignored");
	cm4_w(b, CM4_DHCSR, 0xA05F0002U);
	cr_expect_not(sim_board_cm4_halted(b), "C_HALT without C_DEBUGEN does nothing");
	cm4_w(b, CM4_DHCSR, 0xA05F0003U);
	cr_expect(sim_board_cm4_halted(b));
	cr_expect_eq(cm4_r(b, CM4_DHCSR) & 0x00020003U, 0x00020003U, "S_HALT, C_HALT, C_DEBUGEN");
	h7_word(b, H7_B2, H7_BANK2, 0x11111111U);
	h7_wait(b, H7_B2);
	cr_expect_eq(sim_board_cm4_unheld_ops(b), 1U, "not counted while it is halted");
	h7_sysreset(b);
	cr_expect_not(sim_board_cm4_halted(b), "a reset without VC_CORERESET lets it run");
	cm4_w(b, CM4_DEMCR, 0x01000001U);
	cm4_w(b, CM4_DHCSR, 0xA05F0003U);
	h7_sysreset(b);
	cr_expect(sim_board_cm4_halted(b), "VC_CORERESET halts it on its reset vector");
	cr_expect_eq(cm4_r(b, CM4_DHCSR) & ((1U << 25) | (1U << 17)), (1U << 25) | (1U << 17), "S_RESET_ST once");
	cr_expect_eq(cm4_r(b, CM4_DHCSR) & (1U << 25), 0U, "S_RESET_ST cleared by the read");
	cr_expect_eq(cm4_r(b, CM4_DEMCR), 0x01000001U);
	cm4_w(b, CM4_DEMCR, 0);
	cm4_w(b, CM4_DHCSR, 0xA05F0000U);
	cr_expect_not(sim_board_cm4_halted(b), "released");
	sim_board_free(b);
}

Test(board_h7, an_h745_with_bcm4_cleared_keeps_its_cm4_gated_in_reset)
{
	sim_board *b = h7_board("STM32H745ZI", 0xFFFFFFFFU, 0);

	h7_opt_unlock(b);
	fx_w(b, H7_OPTSR_PRG, 4, fx_r(b, H7_OPTSR_PRG, 4) & ~(1U << 22));
	h7_opt_start(b);
	h7_sysreset(b);
	cr_expect_eq(fx_r(b, H7_OPTSR_CUR, 4) & (1U << 22), 0U, "BCM4 cleared in force");
	cr_expect_eq(cm4_r(b, CM4_DHCSR) & ((1U << 25) | (1U << 17)), 1U << 25, "held in reset, not halted");
	cr_expect_eq(cm4_r(b, CM4_DHCSR) & (1U << 25), 1U << 25, "and still in reset");
	cm4_w(b, CM4_DHCSR, 0xA05F0003U);
	cr_expect_not(sim_board_cm4_halted(b), "a gated core does not enter Debug state");
	h7_unlock(b, 0);
	h7_erase(b, 0, H7_SER | H7_X64);
	cr_expect_eq(sim_board_cm4_unheld_ops(b), 0U, "nothing runs on it");
	sim_board_free(b);
}

/* The CRC unit at 0x58024C00, clocked by RCC_AHB4ENR b19 (RM0433 §21, §8.7.43). */
Test(board_h7, the_crc_unit_sits_at_0x58024c00_behind_ahb4enr_b19)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	fx_w(b, 0x58024C00U, 4, 0x12345678U);
	cr_expect_eq(fx_r(b, 0x58024C00U, 4), 0, "clock off: reads 0");
	fx_w(b, 0x580244E0U, 4, 1U << 19);
	fx_w(b, 0x58024C08U, 4, 1U);   /* CR.RESET */
	fx_w(b, 0x58024C00U, 4, 0x12345678U);
	cr_expect_eq(fx_r(b, 0x58024C00U, 4), 0xDF8A8A2BU, "CRC-32/MPEG-2 of one word");
	cr_expect_eq(fx_r(b, 0x40023000U, 4), 0, "nothing at the F4 address");
	sim_board_free(b);
}

/*
 * IWDG1 at 0x58004800 (RM0433 §45.4): gang reloads it (KR 0xAAAA) from
 * the debugger and from its loader; PR/RLR/WINR take writes only after
 * KR 0x5555, any other key protects them again; SR reads 0; a system
 * reset brings the reset values back. The core reaches it too.
 */
static const uint16_t h7_iwdg_core[] = {
	0x4803,                 /* 00 ldr  r0, [pc, #12]  IWDG1 */
	0x4904,                 /* 02 ldr  r1, [pc, #16]  0x5555 */
	0x6001,                 /* 04 str  r1, [r0]       KR: access */
	0x2206,                 /* 06 movs r2, #6 */
	0x6042,                 /* 08 str  r2, [r0, #4]   PR = 6 */
	0x4903,                 /* 0a ldr  r1, [pc, #12]  0xAAAA */
	0x6001,                 /* 0c str  r1, [r0]       KR: reload */
	0xBE00,                 /* 0e bkpt #0 */
	0x4800, 0x5800,         /* 10 .word 0x58004800 */
	0x5555, 0x0000,         /* 14 .word 0x5555 */
	0xAAAA, 0x0000,         /* 18 .word 0xAAAA */
};

Test(board_h7, iwdg1_answers_at_0x58004800_for_the_debugger_and_the_core)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	const uint32_t kr = 0x58004800U, pr = kr + 4U, rlr = kr + 8U, sr = kr + 0xCU, winr = kr + 0x10U;
	uint32_t v = 0;

	cr_assert_eq(sim_board_write(b, kr, 4, 0xAAAAU), SIM_SWD_OK, "a reload is no fault");
	cr_expect_eq(fx_r(b, rlr, 4), 0xFFFU);
	cr_expect_eq(fx_r(b, winr, 4), 0xFFFU);
	cr_expect_eq(fx_r(b, pr, 4), 0U);
	cr_expect_eq(fx_r(b, sr, 4), 0U);
	cr_expect_eq(fx_r(b, kr, 4), 0U, "KR is write-only");
	fx_w(b, rlr, 4, 0x123U);
	cr_expect_eq(fx_r(b, rlr, 4), 0xFFFU, "protected until KR 0x5555");
	fx_w(b, kr, 4, 0x5555U);
	fx_w(b, rlr, 4, 0x123U);
	fx_w(b, pr, 4, 0xFFU);
	cr_expect_eq(fx_r(b, rlr, 4), 0x123U);
	cr_expect_eq(fx_r(b, pr, 4), 7U, "PR[2:0]");
	fx_w(b, kr, 4, 0xCCCCU);
	fx_w(b, rlr, 4, 0x456U);
	cr_expect_eq(fx_r(b, rlr, 4), 0x123U, "the start key protects them again");
	fx_w(b, kr, 2, 0xAAAAU);   /* half-word access, as RM0433 allows */
	cr_assert_eq(sim_board_read(b, kr + 0x3FCU, 4, &v), SIM_SWD_OK, "the whole 1 KiB window answers");
	fx_system_reset(b);
	cr_expect_eq(fx_r(b, rlr, 4), 0xFFFU, "reset values after a system reset");

	fx_halt(b);
	for (uint32_t i = 0; i < sizeof(h7_iwdg_core) / 2; i++)
		fx_w(b, FX_SRAM + 2 * i, 2, h7_iwdg_core[i]);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	while (sim_board_core_running(b))
		sim_board_advance(b, sim_board_now(b) + FX_MS / 10);
	cr_expect_eq(fx_get_reg(b, 15), FX_SRAM + 0xEU, "stopped at the bkpt, no fault on the way");
	cr_expect_eq(fx_r(b, pr, 4), 6U, "the core's PR write went through after its KR 0x5555");
	sim_board_free(b);
}

/*
 * Thumb, run by the M7 from SRAM: r0 = source, r1 = bank 1 destination,
 * r2 = bank 2 destination, r3 = flash words per bank. One flash word to
 * bank 1, one to bank 2, in turn, with no polling: a store that completes
 * a word while its bank still programs the previous one stalls the bus.
 */
static const uint16_t h7_two_bank_loader[] = {
	0xC8F0,                 /* 00 loop: ldmia r0!, {r4-r7} */
	0xC1F0,                 /* 02 stmia r1!, {r4-r7} */
	0xC8F0,                 /* 04 ldmia r0!, {r4-r7} */
	0xC1F0,                 /* 06 stmia r1!, {r4-r7}   bank 1 word complete */
	0xC8F0,                 /* 08 ldmia r0!, {r4-r7} */
	0xC2F0,                 /* 0a stmia r2!, {r4-r7} */
	0xC8F0,                 /* 0c ldmia r0!, {r4-r7} */
	0xC2F0,                 /* 0e stmia r2!, {r4-r7}   bank 2 word complete */
	0x3B01,                 /* 10 subs r3, #1 */
	0xD1F5,                 /* 12 bne  loop */
	0xBE00,                 /* 14 bkpt #0 */
};

Test(board_h7, a_loader_programming_both_banks_in_turn_takes_one_bank_s_time)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	const uint32_t words = 64, src = FX_SRAM + 0x1000U;

	fx_halt(b);
	h7_unlock(b, 0);
	h7_unlock(b, H7_B2);
	fx_w(b, H7_CR, 4, H7_PG | H7_X64);
	fx_w(b, H7_CR + H7_B2, 4, H7_PG | H7_X64);
	for (uint32_t i = 0; i < sizeof(h7_two_bank_loader) / 2; i++)
		fx_w(b, FX_SRAM + 2 * i, 2, h7_two_bank_loader[i]);
	for (uint32_t i = 0; i < words * 2 * 8; i++)
		fx_w(b, src + 4 * i, 4, 0xA5000000U + i);
	fx_set_reg(b, 0, src);
	fx_set_reg(b, 1, FX_FLASH + 0x20000U);
	fx_set_reg(b, 2, H7_BANK2 + 0x20000U);
	fx_set_reg(b, 3, words);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	int64_t t0 = sim_board_now(b);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	while (sim_board_core_running(b))
		sim_board_advance(b, sim_board_now(b) + FX_MS / 10);
	h7_wait(b, 0);
	h7_wait(b, H7_B2);
	int64_t t = sim_board_now(b) - t0;
	/* 64 words per bank at x64: 6.4 ms in parallel, 12.8 ms if one bank waited for the other */
	cr_expect(t >= 6400 * 1000 && t < 7000 * 1000, "two banks, 2 x 64 words: %lld ns", (long long)t);
	cr_expect_eq(fx_get_reg(b, 15), FX_SRAM + 0x14U, "stopped at the bkpt");
	for (uint32_t w = 0; w < words; w++) {
		cr_expect_eq(fx_r(b, FX_FLASH + 0x20000U + 32 * w, 4), 0xA5000000U + 16 * w);
		cr_expect_eq(fx_r(b, H7_BANK2 + 0x2001CU + 32 * w, 4), 0xA5000000U + 16 * w + 15);
	}
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_ERRS, 0);
	cr_expect_eq(fx_r(b, H7_SR + H7_B2, 4) & H7_ERRS, 0);
	sim_board_free(b);
}

Test(board_h7, power_loss_mid_sector_erase_leaves_part_of_the_sector_erased)
{
	static uint8_t zeros[0x40000];
	sim_board_cfg c = fx_cfg();
	uint32_t v;

	c.part = sim_part_find("STM32H743ZI");
	c.timing.core_hz = 0;
	c.firmware = fx_write_file("fw.bin", zeros, sizeof(zeros));
	c.power_loss_at_ns = 500 * FX_MS;
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &v), SIM_SWD_OK);
	h7_unlock(b, 0);
	int64_t t0 = sim_board_now(b);
	fx_w(b, H7_CR, 4, H7_SER | 1U << 8 | H7_X64 | H7_START);   /* 1 s */
	sim_board_advance(b, 600 * FX_MS);
	cr_expect_eq(sim_board_voltage_mv(b), 0);
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &v), SIM_SWD_OK);
	uint32_t cut = (uint32_t)(0x20000ULL * (uint64_t)(500 * FX_MS - t0) / (1000 * FX_MS)) & ~31U;
	cr_expect_eq(fx_r(b, FX_FLASH + 0x20000U, 4), 0xFFFFFFFFU, "start of sector 1 erased");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x20000U + cut - 32, 4), 0xFFFFFFFFU);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x20000U + cut + 32, 4), 0U, "the rest was not");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x1FFFCU, 4), 0U, "sector 0 untouched");
	sim_board_free(b);
}

Test(board_h7, power_loss_mid_program_leaves_a_word_with_a_double_ecc_error)
{
	sim_board_cfg c = fx_cfg();
	uint32_t v;

	c.part = sim_part_find("STM32H743ZI");
	c.timing.core_hz = 0;
	c.timing.t_prog_ns = 130000;
	c.power_loss_at_ns = 10000 + 50000;   /* half way through a 100 us x64 word */
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &v), SIM_SWD_OK);
	h7_unlock(b, 0);
	sim_board_advance(b, 10000);
	h7_word(b, 0, FX_FLASH + 0x100U, 0x11);
	sim_board_advance(b, FX_MS);
	cr_expect_eq(sim_board_voltage_mv(b), 0);
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &v), SIM_SWD_OK);
	cr_expect_eq(sim_board_read(b, FX_FLASH + 0x100U, 4, &v), SIM_SWD_FAULT, "ECC half written");
	cr_expect_eq(fx_r(b, H7_SR, 4) & H7_DBECCERR, H7_DBECCERR);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x120U, 4), 0xFFFFFFFFU, "the next word is fine");
	h7_unlock(b, 0);
	h7_erase(b, 0, H7_SER | H7_X64);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x100U, 4), 0xFFFFFFFFU, "an erase repairs it");
	sim_board_free(b);
}

/*
 * RM0399 §4.9 (dual core): FLASH_BOOT4_CURR at 0x52002048 holds
 * BOOT_CM4_ADD0/1, programmed through BOOT4_PRGR (0x4C) and OPTSTART like
 * the other option words, factory 0x10000810 (CM4 from bank 2); the
 * single-core H743 has no such register (RM0433): it reads 0 and ignores
 * writes, the stricter reading of a reserved offset.
 */
Test(board_h7, the_h745_keeps_the_cm4_boot_word_and_the_h743_has_none)
{
	sim_board *b = h7_board("STM32H745ZI", 0xFFFFFFFFU, 0);

	cr_expect_eq(fx_r(b, 0x52002048U, 4), 0x10000810U, "factory BOOT4");
	cr_expect_eq(fx_r(b, 0x52002040U, 4), 0x1FF00800U, "factory BOOT7");
	h7_opt_unlock(b);
	fx_w(b, 0x5200204CU, 4, 0x08000820U);
	cr_expect_eq(fx_r(b, 0x52002048U, 4), 0x10000810U, "not in force before OPTSTART");
	h7_opt_start(b);
	cr_expect_eq(fx_r(b, 0x52002048U, 4), 0x08000820U, "in force when OPT_BUSY clears");
	fx_system_reset(b);
	cr_expect_eq(fx_r(b, 0x52002048U, 4), 0x08000820U, "kept over a reset");
	sim_board_free(b);
	b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);
	cr_expect_eq(fx_r(b, 0x52002048U, 4), 0U, "no BOOT4 on a single core");
	h7_opt_unlock(b);
	fx_w(b, 0x5200204CU, 4, 0x08000820U);
	h7_opt_start(b);
	cr_expect_eq(fx_r(b, 0x52002048U, 4), 0U, "the write went nowhere");
	cr_expect_eq(fx_r(b, 0x5200204CU, 4), 0U);
	sim_board_free(b);
}

/*
 * RM0433 §4.3.13: swapped, CR2's sector erase clears the sector at
 * 0x08000000 (physical bank 2's sector 0), CR1's the one at 0x08100000:
 * each bank's registers act on their own bank wherever it is mapped.
 */
Test(board_h7, swapped_each_bank_s_registers_act_on_their_own_bank)
{
	sim_board *b = h7_board("STM32H743ZI", 0xFFFFFFFFU, 0);

	h7_unlock(b, 0);
	h7_unlock(b, H7_B2);
	h7_word(b, 0, FX_FLASH, 0x1000);          /* physical bank 1 */
	h7_wait(b, 0);
	h7_word(b, H7_B2, H7_BANK2, 0x2000);      /* physical bank 2 */
	h7_wait(b, H7_B2);
	h7_opt_unlock(b);
	fx_w(b, H7_OPTSR_PRG, 4, fx_r(b, H7_OPTSR_PRG, 4) | 0x80000000U);
	h7_opt_start(b);
	fx_system_reset(b);
	cr_assert(fx_r(b, H7_OPTCR, 4) & 0x80000000U, "swapped");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x2000U);
	h7_unlock(b, H7_B2);
	h7_erase(b, H7_B2, H7_SER | H7_X64);      /* CR2, SNB 0 */
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "bank 2's sector, at 0x08000000, erased");
	cr_expect_eq(fx_r(b, H7_BANK2, 4), 0x1000U, "bank 1's sector, at 0x08100000, kept");
	h7_unlock(b, 0);
	h7_word(b, 0, H7_BANK2 + 0x20U, 0x3000);  /* CR1's PG: a store at 0x08100020 goes to bank 1 */
	h7_wait(b, 0);
	cr_expect_eq(fx_r(b, H7_BANK2 + 0x20U, 4), 0x3000U);
	sim_board_free(b);
}
