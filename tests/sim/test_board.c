/*
 * test_board.c — the virtual STM32 board (tools/sim/board*.c) against the
 * silicon rules it models: FPEC key sequence, program/erase rules and
 * timing, option bytes, RDP, the CRC unit, the Thumb core running a flash
 * loader, debug halt/reset, the seed failure (SWD cut by firmware), state
 * persistence and injected faults.
 *
 * Facts: PM0075 (FPEC, option bytes, RDP), DS5792 Table 29 (timings),
 * RM0008 §9.4.2 (SWJ_CFG), §4 (CRC), ARMv7-M ARM C1.6 (halt/reset).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "board_fixtures.h"

TestSuite(sim_board, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

/* ---- FPEC keys and CR ---------------------------------------------------- */

Test(sim_board, key_sequence_unlocks_the_fpec)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	cr_expect_eq(fx_r(b, FX_FPEC_CR, 4), FX_CR_LOCK, "CR resets to LOCK");
	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	cr_expect_eq(fx_r(b, FX_FPEC_CR, 4), FX_CR_PG);
	sim_board_free(b);
}

Test(sim_board, wrong_key_faults_and_locks_until_reset)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_w(b, FX_FPEC_KEYR, 4, FX_KEY1);
	cr_expect_eq(sim_board_write(b, FX_FPEC_KEYR, 4, 0x12345678U), SIM_SWD_FAULT);
	/* even the right sequence is refused now */
	cr_expect_eq(sim_board_write(b, FX_FPEC_KEYR, 4, FX_KEY1), SIM_SWD_FAULT);
	cr_expect_eq(fx_r(b, FX_FPEC_CR, 4) & FX_CR_LOCK, FX_CR_LOCK);
	fx_system_reset(b);
	fx_unlock(b);
	sim_board_free(b);
}

Test(sim_board, key2_first_is_a_wrong_key)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	cr_expect_eq(sim_board_write(b, FX_FPEC_KEYR, 4, FX_KEY2), SIM_SWD_FAULT);
	sim_board_free(b);
}

Test(sim_board, lock_makes_cr_read_only)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_MER);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_MER | FX_CR_LOCK);
	fx_w(b, FX_FPEC_CR, 4, 0);   /* st-flash clears MER after LOCK: ignored */
	cr_expect_eq(fx_r(b, FX_FPEC_CR, 4), FX_CR_MER | FX_CR_LOCK);
	sim_board_free(b);
}

/* ---- programming ---------------------------------------------------------------- */

Test(sim_board, program_sets_bsy_for_t_prog_then_eop)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	fx_w(b, FX_FLASH + 0x100, 2, 0x1234);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_BSY);
	sim_board_advance(b, 52499);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_BSY);
	sim_board_advance(b, 52500);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_EOP);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x100, 4), 0xFFFF1234U);
	fx_w(b, FX_FPEC_SR, 4, FX_SR_EOP);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), 0, "EOP is write-1-to-clear");
	sim_board_free(b);
}

Test(sim_board, flash_read_while_bsy_stalls_to_the_deadline)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	fx_w(b, FX_FLASH, 2, 0xBEEF);
	cr_expect_eq(fx_r(b, FX_FLASH, 2), 0xBEEF);
	cr_expect_eq(sim_board_now(b), 52500);
	sim_board_free(b);
}

Test(sim_board, pgerr_on_non_erased_half_word_except_zero)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	fx_w(b, FX_FLASH, 2, 0x00F0);
	sim_board_advance(b, FX_MS);
	fx_w(b, FX_FPEC_SR, 4, FX_SR_EOP);
	fx_w(b, FX_FLASH, 2, 0x00FF);   /* would only clear bits: still refused */
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_PGERR);
	cr_expect_eq(fx_r(b, FX_FLASH, 2), 0x00F0);
	fx_w(b, FX_FPEC_SR, 4, FX_SR_PGERR);
	fx_w(b, FX_FLASH, 2, 0x0000);
	sim_board_advance(b, 2 * FX_MS);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_EOP);
	cr_expect_eq(fx_r(b, FX_FLASH, 2), 0x0000);
	sim_board_free(b);
}

Test(sim_board, word_write_and_write_without_pg_are_bus_faults)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	cr_expect_eq(sim_board_write(b, FX_FLASH, 2, 0x1111), SIM_SWD_FAULT, "PG=0");
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	cr_expect_eq(sim_board_write(b, FX_FLASH, 4, 0x11111111U), SIM_SWD_FAULT, "word");
	cr_expect_eq(sim_board_write(b, FX_FLASH, 1, 0x11), SIM_SWD_FAULT, "byte");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU);
	sim_board_free(b);
}

Test(sim_board, wrprterr_on_write_protected_page)
{
	sim_board_cfg c = fx_cfg();
	c.wrp = 0xFFFFFFFEU;   /* bit 0: pages 0-1 of the F103RC (2 KiB, 2 per bit) */
	sim_board *b = fx_board(&c, 0);

	cr_expect_eq(fx_r(b, FX_FPEC_WRPR, 4), 0xFFFFFFFEU);
	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	fx_w(b, FX_FLASH + 0x0FFE, 2, 0x1234);   /* page 1 */
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_WRPRTERR);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x0FFE, 2), 0xFFFF);
	fx_w(b, FX_FPEC_SR, 4, FX_SR_WRPRTERR);
	fx_w(b, FX_FLASH + 0x1000, 2, 0x1234);   /* page 2 is free */
	sim_board_advance(b, FX_MS);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_EOP);
	/* page erase of a protected page is refused too */
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER);
	fx_w(b, FX_FPEC_AR, 4, FX_FLASH);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER | FX_CR_STRT);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_WRPRTERR | FX_SR_EOP);
	sim_board_free(b);
}

/* ---- erase ------------------------------------------------------------------------ */

static void fx_program(sim_board *b, uint32_t addr, uint16_t v)
{
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	fx_w(b, addr, 2, v);
	sim_board_advance(b, sim_board_now(b) + 100000);
	fx_w(b, FX_FPEC_SR, 4, FX_SR_EOP);
}

Test(sim_board, page_erase_is_busy_until_t_page_erase)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_program(b, FX_FLASH + 0x800, 0x1111);
	fx_program(b, FX_FLASH + 0x1000, 0x2222);
	int64_t t0 = sim_board_now(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER);
	fx_w(b, FX_FPEC_AR, 4, FX_FLASH + 0x0FFE);   /* any address in page 1 */
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER | FX_CR_STRT);
	fx_w(b, FX_FPEC_AR, 4, FX_FLASH + 0x1000);    /* ignored while BSY */
	sim_board_advance(b, t0 + 30 * FX_MS - 1);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4) & FX_SR_BSY, FX_SR_BSY);
	cr_expect_eq(fx_r(b, FX_FPEC_AR, 4), FX_FLASH + 0x0FFE);
	sim_board_advance(b, t0 + 30 * FX_MS);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_EOP);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x800, 2), 0xFFFF);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x1000, 2), 0x2222, "page 2 untouched");
	sim_board_free(b);
}

Test(sim_board, mass_erase_takes_t_mass_erase_and_keeps_option_bytes)
{
	sim_board_cfg c = fx_cfg();
	c.timing.t_mass_erase_ns = 40 * FX_MS;
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_program(b, FX_FLASH + 0x3FFFE, 0x5555);
	int64_t t0 = sim_board_now(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_MER);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_MER | FX_CR_STRT);
	sim_board_advance(b, t0 + 40 * FX_MS - 1);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_BSY);
	/* a CR write while BSY stalls until the erase ends */
	fx_w(b, FX_FPEC_CR, 4, 0);
	cr_expect_eq(sim_board_now(b), t0 + 40 * FX_MS);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_EOP);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x3FFFE, 2), 0xFFFF);
	cr_expect_eq(fx_r(b, 0x1FFFF800U, 4), 0x00FF5AA5U, "RDP/USER untouched");
	sim_board_free(b);
}

/* ---- option bytes and RDP -------------------------------------------------------------- */

static void fx_ob_unlock(sim_board *b)
{
	fx_unlock(b);
	fx_w(b, FX_FPEC_OPTKEYR, 4, FX_KEY1);
	fx_w(b, FX_FPEC_OPTKEYR, 4, FX_KEY2);
	cr_assert(fx_r(b, FX_FPEC_CR, 4) & FX_CR_OPTWRE);
}

static void fx_ob_erase(sim_board *b)
{
	fx_w(b, FX_FPEC_CR, 4, FX_CR_OPTER | FX_CR_OPTWRE);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_OPTER | FX_CR_STRT | FX_CR_OPTWRE);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4) & FX_SR_BSY, FX_SR_BSY);
	sim_board_advance(b, sim_board_now(b) + 100 * FX_MS);
	fx_w(b, FX_FPEC_SR, 4, FX_SR_EOP);
}

static void fx_ob_program(sim_board *b, uint32_t off, uint16_t v)
{
	fx_w(b, FX_FPEC_CR, 4, FX_CR_OPTPG | FX_CR_OPTWRE);
	fx_w(b, 0x1FFFF800U + off, 2, v);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
}

Test(sim_board, option_bytes_erase_program_complement_and_reload_at_reset)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	cr_expect_eq(fx_r(b, FX_FPEC_OBR, 4), 0x03FFFFFCU, "USER/DATA 0xFF, RDPRT 0");
	fx_ob_unlock(b);
	fx_ob_erase(b);
	cr_expect_eq(fx_r(b, 0x1FFFF800U, 4), 0xFFFFFFFFU);
	fx_ob_program(b, 0, 0x00A5);
	fx_ob_program(b, 2, 0x00FE);           /* USER: WDG_SW = 0 */
	fx_ob_program(b, 8, 0x00F0);           /* WRP0: pages 0-7 */
	cr_expect_eq(fx_r(b, 0x1FFFF800U, 4), 0x01FE5AA5U, "complements by hardware");
	cr_expect_eq(fx_r(b, 0x1FFFF808U, 2), 0x0FF0U);
	fx_ob_program(b, 8, 0x0000);           /* not erased: refused */
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4) & FX_SR_WRPRTERR, FX_SR_WRPRTERR);
	cr_expect_eq(fx_r(b, FX_FPEC_WRPR, 4), 0xFFFFFFFFU, "not loaded before reset");
	fx_system_reset(b);
	/* WRP1-3 were left erased: a pair without its complement reads 0xFF, OPTERR */
	cr_expect_eq(fx_r(b, FX_FPEC_WRPR, 4), 0xFFFFFFF0U);
	cr_expect_eq(fx_r(b, FX_FPEC_OBR, 4), 0x03FFFFF9U, "OPTERR, RDPRT 0, USER 0xFE");
	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	fx_w(b, FX_FLASH + 0x1C00, 2, 0x1234);   /* page 3: bit 1 of WRP0 */
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_WRPRTERR, "protection is live");
	sim_board_free(b);
}

Test(sim_board, rdp1_blocks_debugger_flash_reads_and_regression_mass_erases)
{
	sim_board_cfg c = fx_cfg();
	c.rdp = 1;
	c.firmware = fx_write_file("fw.bin", fx_fw_loop, sizeof(fx_fw_loop));
	sim_board *b = fx_board(&c, 0);
	uint32_t id;

	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, FX_FPEC_OBR, 4) & 2U, 2U, "RDPRT");
	uint32_t v;
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT);
	cr_expect_eq(fx_r(b, 0x1FFFF800U, 2), 0xFF00, "option bytes stay readable");
	fx_w(b, FX_SRAM, 4, 0xCAFEF00DU);
	cr_expect_eq(fx_r(b, FX_SRAM, 4), 0xCAFEF00DU, "SRAM stays readable");
	/* program and erase of main flash are refused with WRPRTERR */
	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_MER);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_MER | FX_CR_STRT);
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4), FX_SR_WRPRTERR);
	fx_w(b, FX_FPEC_SR, 4, FX_SR_WRPRTERR);
	/* unlock: erase the option bytes (mass erase first), program RDP 0xA5 */
	fx_w(b, FX_FPEC_CR, 4, 0);
	fx_ob_unlock(b);
	fx_ob_erase(b);
	fx_ob_program(b, 0, 0x00A5);
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_FAULT, "until reset");
	fx_system_reset(b);
	cr_expect_eq(fx_r(b, FX_FPEC_OBR, 4) & 2U, 0);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "main flash was mass-erased");
	cr_expect_eq(fx_r(b, FX_FLASH + 8, 2), 0xFFFF);
	sim_board_free(b);
}

/* ---- CRC ------------------------------------------------------------------------------- */

/* Reference: CRC-32/MPEG-2 bit by bit over bytes (poly 0x04C11DB7, init ~0, no reflection). */
static uint32_t ref_crc_bytes(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFU;

	for (size_t i = 0; i < n; i++) {
		crc ^= (uint32_t)p[i] << 24;
		for (int k = 0; k < 8; k++)
			crc = (crc & 0x80000000U) ? (crc << 1) ^ 0x04C11DB7U : crc << 1;
	}
	return crc;
}

Test(sim_board, crc_unit_matches_crc32_mpeg2_of_words_fed_msb_first)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);
	const uint8_t msg[12] = "123456789\xff\xff\xff";   /* padded with 0xFF: the F1 CRC unit takes whole words (RM0008 §4) */
	uint8_t be[12];

	cr_assert_eq(ref_crc_bytes((const uint8_t *)"123456789", 9), 0x0376E6E7U,
		     "the reference itself gives the published check value");
	fx_w(b, 0x40023000U, 4, 0x11111111U);
	cr_expect_eq(fx_r(b, 0x40023000U, 4), 0, "CRC clock off: nothing happens");
	fx_w(b, 0x40021014U, 4, 0x14U | (1U << 6));
	fx_w(b, 0x40023008U, 4, 1);
	cr_expect_eq(fx_r(b, 0x40023000U, 4), 0xFFFFFFFFU);
	for (unsigned i = 0; i < 12; i += 4) {
		uint32_t w = (uint32_t)msg[i] | (uint32_t)msg[i + 1] << 8 |
			     (uint32_t)msg[i + 2] << 16 | (uint32_t)msg[i + 3] << 24;
		fx_w(b, 0x40023000U, 4, w);   /* little-endian flash word as the CPU loads it */
		be[i] = msg[i + 3];
		be[i + 1] = msg[i + 2];
		be[i + 2] = msg[i + 1];
		be[i + 3] = msg[i];
	}
	cr_expect_eq(fx_r(b, 0x40023000U, 4), ref_crc_bytes(be, sizeof(be)));
	sim_board_free(b);
}

/* ---- core ------------------------------------------------------------------------------ */

static void fx_run_loader(sim_board *b, uint32_t dst, const uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < sizeof(fx_loader); i += 2)
		fx_w(b, FX_SRAM + i, 2, (uint32_t)fx_loader[i] | (uint32_t)fx_loader[i + 1] << 8);
	for (uint32_t i = 0; i < len; i += 4)
		fx_w(b, FX_SRAM + 0x100 + i, 4, (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
		     (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24);
	fx_set_reg(b, 0, FX_SRAM + 0x100);
	fx_set_reg(b, 1, dst);
	fx_set_reg(b, 2, len);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DFSR, 4, 0x1F);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);   /* run */
}

Test(sim_board, thumb_loader_in_sram_programs_flash_and_stops_at_bkpt)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);
	uint8_t data[256];

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	fx_halt(b);
	fx_unlock(b);
	fx_run_loader(b, FX_FLASH + 0x400, data, sizeof(data));
	cr_expect(sim_board_core_running(b));
	/* 128 half-words need at least 128 x 52.5 us */
	sim_board_advance(b, sim_board_now(b) + 128 * 52500 - 1000);
	cr_expect(sim_board_core_running(b), "still programming");
	sim_board_advance(b, sim_board_now(b) + 2 * FX_MS);
	cr_assert_not(sim_board_core_running(b));
	uint32_t dhcsr = fx_r(b, FX_DHCSR, 4);
	cr_expect_eq(dhcsr & 0x00030002U, 0x00030002U, "S_HALT, S_REGRDY, C_HALT");
	cr_expect_eq(fx_r(b, FX_DFSR, 4) & 2U, 2U, "DFSR.BKPT");
	cr_expect_eq(fx_get_reg(b, 15), FX_SRAM + 0x24, "PC on the bkpt");
	cr_expect_eq(fx_get_reg(b, 2), 0, "r2 = 0: all bytes done");
	for (unsigned i = 0; i < sizeof(data); i++)
		cr_expect_eq(fx_r(b, FX_FLASH + 0x400 + i, 1), data[i], "byte %u", i);
	sim_board_free(b);
}

Test(sim_board, thumb_loader_stops_on_pgerr_and_leaves_flash_unchanged)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	fx_halt(b);
	fx_unlock(b);
	fx_program(b, FX_FLASH + 0x402, 0xAAAA);
	fx_w(b, FX_FPEC_CR, 4, 0);
	fx_run_loader(b, FX_FLASH + 0x400, data, sizeof(data));
	sim_board_advance(b, sim_board_now(b) + 2 * FX_MS);
	cr_assert_not(sim_board_core_running(b));
	cr_expect_eq(fx_r(b, FX_FPEC_SR, 4) & FX_SR_PGERR, FX_SR_PGERR);
	cr_expect_eq(fx_get_reg(b, 2), 6, "stopped after the second half-word");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x400, 4), 0xAAAA0201U);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x404, 4), 0xFFFFFFFFU);
	sim_board_free(b);
}

Test(sim_board, core_word_store_to_flash_is_a_bus_fault)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);
	/* str r1, [r0]; bkpt */
	fx_halt(b);
	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	fx_w(b, FX_SRAM, 4, 0xBE006001U);
	fx_set_reg(b, 0, FX_FLASH + 0x10);
	fx_set_reg(b, 1, 0x12345678U);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DEMCR, 4, 0x01000501U);   /* VC_HARDERR, VC_BUSERR, VC_CORERESET */
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_eq(fx_r(b, FX_DFSR, 4) & 8U, 8U, "vector catch");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x10, 4), 0xFFFFFFFFU, "store did not land");
	sim_board_free(b);
}

Test(sim_board, bus_fault_without_vector_catch_locks_up)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_halt(b);
	fx_w(b, FX_SRAM, 4, 0xBE006801U);   /* ldr r1, [r0]; bkpt */
	fx_set_reg(b, 0, 0x60000000U);       /* nothing there */
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_eq(fx_r(b, FX_DHCSR, 4) & (1U << 19), 1U << 19, "S_LOCKUP");
	cr_expect_not(sim_board_core_running(b));
	sim_board_free(b);
}

Test(sim_board, vc_corereset_halts_before_the_first_instruction)
{
	sim_board_cfg c = fx_cfg();
	c.firmware = fx_write_file("fw.bin", fx_fw_afio, sizeof(fx_fw_afio));
	sim_board *b = fx_board(&c, 0);

	fx_halt(b);
	fx_w(b, FX_DEMCR, 4, 0x01000001U);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);   /* C_DEBUGEN, run */
	fx_system_reset(b);
	cr_expect_not(sim_board_core_running(b));
	uint32_t dhcsr = fx_r(b, FX_DHCSR, 4);
	cr_expect_eq(dhcsr & (1U << 25), 1U << 25, "S_RESET_ST");
	cr_expect_eq(fx_r(b, FX_DHCSR, 4) & (1U << 25), 0, "sticky bit cleared by the read");
	cr_expect_eq(fx_r(b, FX_DFSR, 4) & 8U, 8U, "DFSR.VCATCH");
	cr_expect_eq(fx_get_reg(b, 15), 0x08000008U, "PC at the reset vector");
	cr_expect_eq(fx_get_reg(b, 13), 0x20001000U);
	sim_board_advance(b, 10 * FX_MS);
	uint32_t id;
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "firmware never ran");
	sim_board_free(b);
}

Test(sim_board, debug_registers_survive_nrst_but_not_power_on)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_w(b, FX_DEMCR, 4, 0x01000501U);
	fx_w(b, 0xE0042004U, 4, 0x307U);
	sim_board_set_nrst(b, true);
	cr_expect_eq(fx_r(b, 0xE0042000U, 4), 0x10010414U, "IDCODE readable in reset");
	uint32_t v;
	cr_expect_eq(sim_board_read(b, FX_SRAM, 4, &v), SIM_SWD_FAULT, "system bus in reset");
	sim_board_set_nrst(b, false);
	cr_expect_eq(fx_r(b, FX_DEMCR, 4), 0x01000501U);
	cr_expect_eq(fx_r(b, 0xE0042004U, 4), 0x307U);
	sim_board_free(b);
	b = fx_board(&c, 0);
	cr_expect_eq(fx_r(b, FX_DEMCR, 4), 0);
	cr_expect_eq(fx_r(b, 0xE0042004U, 4), 0);
	sim_board_free(b);
}

/* ---- SWD cut by firmware ----------------------------------------------------------------- */

Test(sim_board, seed_firmware_turns_swd_off_after_1ms_and_nrst_brings_it_back)
{
	sim_board_cfg c = fx_cfg();
	c.firmware = fx_write_file("fw.bin", fx_fw_loop, sizeof(fx_fw_loop));
	c.swd_disabled = true;
	sim_board *b = fx_board(&c, 0);
	uint32_t id = 0;

	sim_board_advance(b, FX_MS - 200);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "not yet");
	cr_expect_eq(id, 0x1BA01477U);
	sim_board_advance(b, FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	uint32_t v;
	cr_expect_eq(sim_board_read(b, 0xE000ED00U, 4, &v), SIM_SWD_NOACK);
	/* connect under reset: halt is pending when NRST is released */
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
	sim_board_set_nrst(b, false);
	sim_board_advance(b, 10 * FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_get_reg(b, 15), 0x08000008U, "halted on the reset vector");
	sim_board_free(b);
}

Test(sim_board, seed_marker_goes_with_page_0)
{
	sim_board_cfg c = fx_cfg();
	char marker[160];
	struct stat st;
	c.firmware = fx_write_file("fw.bin", fx_fw_loop, sizeof(fx_fw_loop));
	c.swd_disabled = true;
	sim_board *b = fx_board(&c, 0);

	snprintf(marker, sizeof(marker), "%s/303132333435363738393A3B/swd_disabled", fx_dir);
	cr_expect_eq(stat(marker, &st), 0, "marker created with the state");
	fx_halt(b);
	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER);
	fx_w(b, FX_FPEC_AR, 4, FX_FLASH);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER | FX_CR_STRT);
	sim_board_advance(b, 40 * FX_MS);
	cr_expect_neq(stat(marker, &st), 0, "marker removed by the page 0 erase");
	sim_board_free(b);
}

Test(sim_board, firmware_writing_afio_swj_cfg_100_turns_swd_off_until_reset)
{
	sim_board_cfg c = fx_cfg();
	c.firmware = fx_write_file("fw.bin", fx_fw_afio, sizeof(fx_fw_afio));
	sim_board *b = fx_board(&c, 0);
	uint32_t id;

	sim_board_advance(b, 100000);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "pins back to the debugger");
	sim_board_set_nrst(b, false);
	sim_board_advance(b, 200000);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "firmware ran again");
	sim_board_free(b);
}

Test(sim_board, nrst_does_nothing_when_not_wired)
{
	sim_board_cfg c = fx_cfg();
	c.firmware = fx_write_file("fw.bin", fx_fw_afio, sizeof(fx_fw_afio));
	c.nrst_wired = false;
	sim_board *b = fx_board(&c, 0);
	uint32_t id;

	sim_board_advance(b, 100000);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	sim_board_free(b);
}

Test(sim_board, erased_vector_table_locks_up_without_running)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, -100 * FX_MS);

	cr_expect_not(sim_board_core_running(b));
	cr_expect_eq(fx_r(b, FX_DHCSR, 4) & (1U << 19), 1U << 19);
	sim_board_free(b);
}

/* ---- persistence and faults --------------------------------------------------------------- */

Test(sim_board, state_persists_across_free_and_new)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_program(b, FX_FLASH + 0x20, 0x4242);
	sim_board_free(b);
	c.firmware = fx_write_file("fw.bin", fx_fw_loop, sizeof(fx_fw_loop));   /* ignored */
	b = fx_board(&c, 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x20, 2), 0x4242);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU, "existing state is reused as is");
	sim_board_free(b);
}

Test(sim_board, bad_state_file_size_is_a_clear_error)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);
	char path[160], err[256] = "";

	sim_board_free(b);
	snprintf(path, sizeof(path), "%s/303132333435363738393A3B/flash.bin", fx_dir);
	cr_assert_eq(truncate(path, 1000), 0);
	cr_expect_eq(sim_board_new(&b, &c, 0, err, sizeof(err)), -1);
	cr_expect_null(b);
	cr_expect_not_null(strstr(err, "flash.bin is 1000 bytes, expected 262144"), "%s", err);
}

Test(sim_board, missing_firmware_is_a_clear_error)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = NULL;
	char err[256] = "";

	c.firmware = "/nonexistent/fw.bin";
	cr_expect_eq(sim_board_new(&b, &c, 0, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "/nonexistent/fw.bin"), "%s", err);
}

Test(sim_board, power_loss_mid_erase_leaves_half_the_page_erased)
{
	sim_board_cfg c = fx_cfg();
	static const uint8_t zeros[4096];
	c.firmware = fx_write_file("fw.bin", zeros, sizeof(zeros));
	c.power_loss_at_ns = 20 * FX_MS;
	sim_board *b = fx_board(&c, 0);
	uint32_t v;

	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER);
	fx_w(b, FX_FPEC_AR, 4, FX_FLASH + 0x800);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER | FX_CR_STRT);
	sim_board_advance(b, 25 * FX_MS);   /* power lost at 20 ms of a 30 ms erase */
	cr_expect_eq(sim_board_voltage_mv(b), 0);
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_NOACK);
	cr_expect_eq(sim_board_dp_connect(b, &v), SIM_SWD_NOACK);
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = fx_board(&c, 0);
	uint32_t cut = 0x800U * 20 / 30;
	cr_expect_eq(fx_r(b, FX_FLASH + 0x800, 1), 0xFF, "start of the page erased");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x800 + cut - 1, 1), 0xFF);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x800 + cut, 1), 0x00, "the rest was not");
	cr_expect_eq(fx_r(b, FX_FLASH + 0xFFC, 4), 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x7FC, 4), 0, "page 0 untouched");
	sim_board_free(b);
}

Test(sim_board, power_loss_mid_program_leaves_the_half_word_partly_programmed)
{
	sim_board_cfg c = fx_cfg();
	c.power_loss_at_ns = 10000 + 52500 / 2;
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PG);
	sim_board_advance(b, 10000);
	fx_w(b, FX_FLASH + 0x10, 2, 0x0000);
	sim_board_advance(b, FX_MS);
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = fx_board(&c, 0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x10, 2), 0xFF00, "low 8 of 16 bits programmed");
	sim_board_free(b);
}

Test(sim_board, stuck_bit_shows_after_programming_not_after_erase)
{
	sim_board_cfg c = fx_cfg();
	c.stuck[0] = (sim_stuck_bit){ .addr = FX_FLASH + 0x41, .mask = 0x10, .value = 0x00 };
	c.n_stuck = 1;
	sim_board *b = fx_board(&c, 0);

	fx_unlock(b);
	fx_program(b, FX_FLASH + 0x40, 0xFFAB);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40, 2), 0xEFAB);
	fx_program(b, FX_FLASH + 0x42, 0x1234);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x42, 2), 0x1234, "other cells are fine");
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER);
	fx_w(b, FX_FPEC_AR, 4, FX_FLASH);
	fx_w(b, FX_FPEC_CR, 4, FX_CR_PER | FX_CR_STRT);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x40, 2), 0xFFFF);
	sim_board_free(b);
}

Test(sim_board, wait_and_fault_injection_is_deterministic_and_skips_the_write)
{
	sim_board_cfg c = fx_cfg();
	c.swd_wait_rate = 0.3;
	c.swd_fault_rate = 0.2;
	c.rng_seed = 42;
	sim_board *b = fx_board(&c, 0), *b2 = fx_board(&c, 0);
	unsigned waits = 0, faults = 0;

	for (uint32_t i = 0; i < 200; i++) {
		sim_swd s = sim_board_write(b, FX_SRAM + 4 * i, 4, 0x5A5A0000U | i);
		cr_expect_eq(sim_board_write(b2, FX_SRAM + 4 * i, 4, 0), s, "same sequence");
		waits += s == SIM_SWD_WAIT;
		faults += s == SIM_SWD_FAULT;
		uint32_t v = 0, v2 = 0;
		sim_swd r;
		do {
			r = sim_board_read(b, FX_SRAM + 4 * i, 4, &v);
			cr_assert_eq(sim_board_read(b2, FX_SRAM + 4 * i, 4, &v2), r);
		} while (r != SIM_SWD_OK);
		cr_expect_eq(v == (0x5A5A0000U | i), s == SIM_SWD_OK, "write %u", i);
	}
	cr_expect(waits > 30 && waits < 90, "waits %u", waits);
	cr_expect(faults > 15 && faults < 70, "faults %u", faults);
	sim_board_free(b);
	sim_board_free(b2);
}

Test(sim_board, busy_ns_spans_first_to_last_access)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, -100 * FX_MS);
	uint32_t id;

	cr_expect_eq(sim_board_busy_ns(b), 0);
	sim_board_advance(b, 5 * FX_MS);
	sim_board_dp_connect(b, &id);
	sim_board_advance(b, 12 * FX_MS);
	fx_r(b, 0xE000ED00U, 4);
	sim_board_advance(b, 20 * FX_MS);
	cr_expect_eq(sim_board_busy_ns(b), 7 * FX_MS);
	sim_board_free(b);
}

/* ---- performance (reported, loosely bounded) --------------------------------------------- */

Test(sim_board, bsy_polling_loader_costs_little_host_time_per_emulated_ms)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);
	static uint8_t data[2048];
	struct timespec t0, t1;

	memset(data, 0x5A, sizeof(data));
	fx_halt(b);
	fx_unlock(b);
	fx_run_loader(b, FX_FLASH, data, sizeof(data));
	int64_t start = sim_board_now(b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sim_board_core_running(b))
		sim_board_advance(b, sim_board_now(b) + 20000);   /* a USB round trip */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double host_us = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
	double emu_ms = (double)(sim_board_now(b) - start) / 1e6;
	cr_expect_geq(emu_ms, 1024 * 0.0525, "flash-bound: %.3f ms", emu_ms);
	cr_log_info("BSY-polling loader: %.1f host us per emulated ms (%.1f ms emulated)",
		    host_us / emu_ms, emu_ms);
	fprintf(stderr, "perf: %.1f host-us per emulated ms (%.1f ms emulated, %.0f us host)\n",
		host_us / emu_ms, emu_ms, host_us);
	cr_expect_lt(host_us / emu_ms, 2000.0);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x7FE, 2), 0x5A5A);
	sim_board_free(b);
}

/* ---- code rewritten by the debugger, other parts -------------------------------------------- */

static uint32_t fx_run_code(sim_board *b, uint32_t insns)
{
	fx_w(b, FX_SRAM, 4, insns);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	sim_board_advance(b, sim_board_now(b) + 100000);
	cr_assert_not(sim_board_core_running(b));
	return fx_get_reg(b, 0);
}

Test(sim_board, code_rewritten_in_sram_by_the_debugger_is_what_runs)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_halt(b);
	cr_expect_eq(fx_run_code(b, 0xBE002001U), 1, "movs r0, #1; bkpt");
	cr_expect_eq(fx_run_code(b, 0xBE002002U), 2, "movs r0, #2; bkpt");
	sim_board_free(b);
}

Test(sim_board, step_executes_one_instruction)
{
	sim_board_cfg c = fx_cfg();
	sim_board *b = fx_board(&c, 0);

	fx_halt(b);
	fx_w(b, FX_SRAM, 4, 0x20072005U);   /* movs r0, #5; movs r0, #7 */
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DHCSR, 4, 0xA05F0005U);   /* C_STEP */
	cr_expect_eq(fx_get_reg(b, 0), 5);
	cr_expect_eq(fx_get_reg(b, 15), FX_SRAM + 2);
	sim_board_free(b);
}

Test(sim_board, f030_and_f303_identify_at_their_family_addresses)
{
	sim_board_cfg c = fx_cfg();
	c.part = sim_part_find("stm32f030r8");
	cr_assert_not_null(c.part);
	sim_board *b = fx_board(&c, 0);
	uint32_t id;

	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(id, 0x0BB11477U);
	cr_expect_eq(fx_r(b, 0x40015800U, 4) & 0xFFFU, 0x440U);
	cr_expect_eq(fx_r(b, 0xE000ED00U, 4), 0x410CC200U);
	cr_expect_eq(fx_r(b, 0x1FFFF7CCU, 2), 64);
	cr_expect_eq(fx_r(b, FX_FPEC_OBR, 4) & 6U, 0, "RDP 0xAA: level 0");
	sim_board_free(b);
	c.part = sim_part_find("STM32F303CC");
	c.uid[0] = 0x99;
	b = fx_board(&c, 0);
	cr_expect_eq(fx_r(b, 0xE0042000U, 4) & 0xFFFU, 0x422U);
	cr_expect_eq(fx_r(b, 0x1FFFF7CCU, 2), 256);
	cr_expect_eq(fx_r(b, 0x1FFFF7ACU, 1), 0x99);
	cr_expect_null(sim_part_find("STM32F999"));
	sim_board_free(b);
}
