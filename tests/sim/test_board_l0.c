/*
 * test_board_l0.c — the L0/L1 PECR controller model
 * (tools/sim/board_pecr_l0.c) rule by rule, driven as a debugger would
 * through the board API: the key sequences and the lock until reset, word
 * and half-page programming with their error flags, page erase to 0x00,
 * data EEPROM, option words with complements, OBL_LAUNCH, the RDP
 * regression, the Cortex-M0+ of the L0 (RM0377 §3, RM0038 §3).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "board_fixtures.h"

#define L0_REGS    0x40022000U
#define L1_REGS    0x40023C00U
#define P_ACR      0x00U
#define P_PECR     0x04U
#define P_PEKEYR   0x0CU
#define P_PRGKEYR  0x10U
#define P_OPTKEYR  0x14U
#define P_SR       0x18U
#define P_OPTR     0x1CU
#define PELOCK     0x1U
#define PRGLOCK    0x2U
#define OPTLOCK    0x4U
#define PROG       0x8U
#define DATA       0x10U
#define ERASE      0x200U
#define FPRG       0x400U
#define OBL_LAUNCH 0x40000U
#define NZDISABLE  0x400000U
#define SR_BSY     0x1U
#define SR_EOP     0x2U
#define SR_READY   0x8U
#define WRPERR     0x100U
#define PGAERR     0x200U
#define SIZERR     0x400U
#define OPTVERR    0x800U
#define NOTZEROERR 0x10000U
#define FWWERR     0x20000U
#define L_OB       0x1FF80000U
#define L_EE       0x08080000U

TestSuite(board_l0, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

static uint32_t l_regs;

static sim_board *l_board(const char *part, int rdp)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find(part);
	cr_assert_not_null(c.part, "%s", part);
	c.timing.t_prog_ns = 0;      /* the model's default: 3.2 ms L0, 3.28 ms L1 */
	c.timing.core_hz = 0;        /* MSI after reset */
	c.rdp = rdp;
	c.uid[10] = (uint8_t)c.part->dev_id;   /* one state directory per part */
	c.uid[11] = (uint8_t)(c.part->dev_id >> 8);
	l_regs = c.part->flash_ctl == SIM_FLASH_L0 ? L0_REGS : L1_REGS;
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	return b;
}

static uint32_t l_r(sim_board *b, uint32_t off)
{
	return fx_r(b, l_regs + off, 4);
}

static void l_w(sim_board *b, uint32_t off, uint32_t val)
{
	fx_w(b, l_regs + off, 4, val);
}

static void l_unlock_pe(sim_board *b)
{
	l_w(b, P_PEKEYR, 0x89ABCDEFU);
	l_w(b, P_PEKEYR, 0x02030405U);
	cr_assert_eq(l_r(b, P_PECR) & PELOCK, 0);
}

static void l_unlock_prg(sim_board *b)
{
	l_unlock_pe(b);
	l_w(b, P_PRGKEYR, 0x8C9DAEBFU);
	l_w(b, P_PRGKEYR, 0x13141516U);
	cr_assert_eq(l_r(b, P_PECR) & PRGLOCK, 0);
}

static void l_unlock_opt(sim_board *b)
{
	l_unlock_pe(b);
	l_w(b, P_OPTKEYR, 0xFBEAD9C8U);
	l_w(b, P_OPTKEYR, 0x24252627U);
	cr_assert_eq(l_r(b, P_PECR) & OPTLOCK, 0);
}

/* Wait for BSY to drop; returns the virtual ns it took. */
static int64_t l_wait(sim_board *b)
{
	int64_t t0 = sim_board_now(b);

	while (l_r(b, P_SR) & SR_BSY)
		sim_board_advance(b, sim_board_now(b) + FX_MS / 10);
	return sim_board_now(b) - t0;
}

/* ---- keys --------------------------------------------------------------------- */

Test(board_l0, reset_state_is_locked_ready_and_erased_to_zero)
{
	sim_board *b = l_board("STM32L053R8", 0);

	cr_expect_eq(l_r(b, P_PECR), 0x7U, "PELOCK, PRGLOCK, OPTLOCK");
	cr_expect_eq(l_r(b, P_SR) & 0xFU, 0xCU, "READY and ENDHV, not BSY");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0U, "program memory erased to 0x00");
	cr_expect_eq(fx_r(b, FX_FLASH + 0xFFFC, 4), 0U);
	cr_expect_eq(fx_r(b, L_EE, 4), 0U, "data EEPROM erased to 0x00");
	cr_expect_eq(fx_r(b, 0x40015800U, 4) & 0xFFFU, 0x417U, "DBGMCU_IDCODE");
	cr_expect_eq(fx_r(b, 0x1FF8007CU, 2), 64U, "flash size register");
	sim_board_free(b);
}

/* U_ID[95:64] sits at offset 0x14, not 8 (RM0377 §28.2, RM0038 §31.2). */
Test(board_l0, uid_words_at_0_4_and_0x14)
{
	static const struct { const char *part; uint32_t uid; } k[2] = {
		{ "STM32L073RZ", 0x1FF80050U }, { "STM32L152RE", 0x1FF800D0U },
	};

	for (unsigned i = 0; i < 2; i++) {
		sim_board *b = l_board(k[i].part, 0);
		const uint8_t *u = sim_board_uid(b);
		uint32_t w[3];
		for (unsigned j = 0; j < 3; j++)
			w[j] = (uint32_t)u[4 * j] | (uint32_t)u[4 * j + 1] << 8 |
			       (uint32_t)u[4 * j + 2] << 16 | (uint32_t)u[4 * j + 3] << 24;
		cr_expect_eq(fx_r(b, k[i].uid, 4), w[0], "%s", k[i].part);
		cr_expect_eq(fx_r(b, k[i].uid + 4, 4), w[1], "%s", k[i].part);
		cr_expect_eq(fx_r(b, k[i].uid + 0x14, 4), w[2], "%s", k[i].part);
		cr_expect_neq(fx_r(b, k[i].uid + 8, 4), w[2], "%s: offset 8 is not the UID", k[i].part);
		sim_board_free(b);
	}
}

Test(board_l0, pekey_then_prgkey_and_optkey_unlock_in_order)
{
	sim_board *b = l_board("STM32L053R8", 0);

	l_unlock_prg(b);
	cr_expect_eq(l_r(b, P_PECR) & 0x7U, OPTLOCK);
	l_w(b, P_OPTKEYR, 0xFBEAD9C8U);
	l_w(b, P_OPTKEYR, 0x24252627U);
	cr_expect_eq(l_r(b, P_PECR) & 0x7U, 0U);
	l_w(b, P_PECR, PRGLOCK);
	cr_expect_eq(l_r(b, P_PECR) & 0x7U, PRGLOCK, "PRGLOCK set again by a write");
	l_w(b, P_PECR, PELOCK);
	cr_expect_eq(l_r(b, P_PECR) & 0x7U, 0x7U, "PELOCK relocks everything");
	l_w(b, P_PECR, PROG);
	cr_expect_eq(l_r(b, P_PECR), 0x7U, "PECR read-only while PELOCK");
	sim_board_free(b);
}

Test(board_l0, prgkey_before_pelock_is_clear_is_a_bus_error_until_reset)
{
	sim_board *b = l_board("STM32L152RE", 0);

	cr_expect_eq(sim_board_write(b, l_regs + P_PRGKEYR, 4, 0x8C9DAEBFU), SIM_SWD_FAULT);
	cr_expect_eq(sim_board_write(b, l_regs + P_PEKEYR, 4, 0x89ABCDEFU), SIM_SWD_FAULT,
		     "locked until reset");
	fx_system_reset(b);
	l_unlock_prg(b);
	sim_board_free(b);
}

Test(board_l0, a_wrong_key_locks_until_reset)
{
	static const uint32_t regs[3] = { P_PEKEYR, P_PRGKEYR, P_OPTKEYR };

	for (unsigned i = 0; i < 3; i++) {
		sim_board *b = l_board("STM32L011K4", 0);
		if (regs[i] != P_PEKEYR)
			l_unlock_pe(b);
		cr_expect_eq(sim_board_write(b, l_regs + regs[i], 4, 0x12345678U), SIM_SWD_FAULT);
		cr_expect_eq(l_r(b, P_PECR) & 0x7U, 0x7U, "everything locked again");
		cr_expect_eq(sim_board_write(b, l_regs + P_PEKEYR, 4, 0x89ABCDEFU), SIM_SWD_FAULT);
		fx_system_reset(b);
		l_unlock_prg(b);
		sim_board_free(b);
	}
}

/* ---- program memory --------------------------------------------------------------- */

Test(board_l0, word_program_takes_3_2_ms_and_needs_prglock_clear)
{
	sim_board *b = l_board("STM32L053R8", 0);

	l_unlock_pe(b);
	fx_w(b, FX_FLASH + 0x100, 4, 0x12345678U);
	cr_expect_eq(l_r(b, P_SR) & WRPERR, WRPERR, "PRGLOCK still set");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x100, 4), 0U);
	l_w(b, P_SR, WRPERR);
	l_unlock_prg(b);
	fx_w(b, FX_FLASH + 0x100, 4, 0x12345678U);
	cr_expect(l_r(b, P_SR) & SR_BSY);
	int64_t t = l_wait(b);
	cr_expect(t >= 3100000 && t <= 3300000, "%lld ns", (long long)t);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x100, 4), 0x12345678U);
	cr_expect_eq(l_r(b, P_SR) & SR_EOP, SR_EOP);
	fx_w(b, FX_FLASH + 0x104, 2, 0x1234U);
	cr_expect_eq(l_r(b, P_SR) & SIZERR, SIZERR, "half-word into program memory");
	sim_board_free(b);
}

Test(board_l0, l0_notzeroerr_unless_nzdisable)
{
	sim_board *b = l_board("STM32L053R8", 0);

	l_unlock_prg(b);
	fx_w(b, FX_FLASH, 4, 0x0000FFFFU);
	l_wait(b);
	fx_w(b, FX_FLASH, 4, 0xFFFF0000U);
	cr_expect_eq(l_r(b, P_SR) & NOTZEROERR, NOTZEROERR);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x0000FFFFU, "not written");
	l_w(b, P_SR, NOTZEROERR);
	cr_expect_eq(l_r(b, P_SR) & NOTZEROERR, 0, "write 1 to clear");
	l_w(b, P_PECR, NZDISABLE);
	fx_w(b, FX_FLASH, 4, 0xFFFF0000U);
	l_wait(b);
	cr_expect_eq(l_r(b, P_SR) & NOTZEROERR, 0);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0xFFFFFFFFU);
	sim_board_free(b);
}

static void l_half_page(sim_board *b, uint32_t addr, unsigned words, uint32_t seed)
{
	l_w(b, P_PECR, FPRG);
	l_w(b, P_PECR, FPRG | PROG);
	for (unsigned i = 0; i < words; i++)
		fx_w(b, addr + 4U * i, 4, seed + i);
}

Test(board_l0, half_page_programs_16_words_on_l0_and_32_on_l1)
{
	static const struct { const char *part; unsigned words; } k[2] = {
		{ "STM32L073RZ", 16 }, { "STM32L152RE", 32 },
	};

	for (unsigned n = 0; n < 2; n++) {
		sim_board *b = l_board(k[n].part, 0);
		l_unlock_prg(b);
		l_half_page(b, FX_FLASH + 4U * k[n].words, k[n].words - 1, 0x100U);
		cr_expect_eq(l_r(b, P_SR) & SR_BSY, 0, "%s: not started before the last word",
			     k[n].part);
		fx_w(b, FX_FLASH + 4U * k[n].words + 4U * (k[n].words - 1), 4, 0x100U + k[n].words - 1);
		cr_expect(l_r(b, P_SR) & SR_BSY);
		int64_t t = l_wait(b);
		cr_expect(t >= 3100000 && t <= 3400000, "one half page: %lld ns", (long long)t);
		for (unsigned i = 0; i < k[n].words; i++)
			cr_expect_eq(fx_r(b, FX_FLASH + 4U * (k[n].words + i), 4), 0x100U + i);
		cr_expect_eq(l_r(b, P_SR) & 0x30F00U, 0, "no error flag");
		sim_board_free(b);
	}
}

Test(board_l0, half_page_misaligned_out_of_page_narrow_or_interrupted_sets_flags)
{
	sim_board *b = l_board("STM32L053R8", 0);
	uint32_t v;

	l_unlock_prg(b);
	l_half_page(b, FX_FLASH + 4, 1, 1);
	cr_expect_eq(l_r(b, P_SR) & PGAERR, PGAERR, "first word off the half-page boundary");
	l_w(b, P_SR, PGAERR);
	l_half_page(b, FX_FLASH, 2, 1);
	fx_w(b, FX_FLASH + 0x40, 4, 9);
	cr_expect_eq(l_r(b, P_SR) & PGAERR, PGAERR, "word outside the half page");
	l_w(b, P_SR, PGAERR);
	l_half_page(b, FX_FLASH, 2, 1);
	fx_w(b, FX_FLASH + 8, 2, 9);
	cr_expect_eq(l_r(b, P_SR) & FWWERR, FWWERR, "a half-word interrupts the burst");
	cr_expect_eq(l_r(b, P_SR) & SIZERR, SIZERR, "and is refused");
	l_w(b, P_SR, FWWERR | SIZERR);
	l_half_page(b, FX_FLASH, 3, 1);
	cr_expect_eq(sim_board_read(b, FX_FLASH, 4, &v), SIM_SWD_OK);
	fx_w(b, FX_FLASH + 12, 4, 9);
	cr_expect_eq(l_r(b, P_SR) & FWWERR, FWWERR, "a flash read interrupts the burst");
	l_wait(b);
	for (unsigned i = 0; i < 16; i++)
		cr_expect_eq(fx_r(b, FX_FLASH + 4U * i, 4), 0U, "nothing programmed");
	sim_board_free(b);
}

Test(board_l0, page_erase_clears_one_page_to_zero)
{
	sim_board *b = l_board("STM32L152RE", 0);

	l_unlock_prg(b);
	l_half_page(b, FX_FLASH + 0x100, 32, 0xA5A50000U);
	l_wait(b);
	l_half_page(b, FX_FLASH + 0x180, 32, 0x5A5A0000U);
	l_wait(b);
	l_w(b, P_PECR, ERASE);
	l_w(b, P_PECR, ERASE | PROG);
	fx_w(b, FX_FLASH + 0x100, 4, 0);
	int64_t t = l_wait(b);
	cr_expect(t >= 3200000 && t <= 3400000, "%lld ns", (long long)t);
	for (uint32_t a = 0x100; a < 0x200; a += 4)
		cr_expect_eq(fx_r(b, FX_FLASH + a, 4), 0U, "256-byte page erased to 0x00");
	cr_expect_eq(l_r(b, P_SR) & SR_EOP, SR_EOP);
	sim_board_free(b);
}

Test(board_l0, writes_to_flash_stall_while_busy)
{
	sim_board *b = l_board("STM32L011K4", 0);

	l_unlock_prg(b);
	int64_t t0 = sim_board_now(b);
	fx_w(b, FX_FLASH, 4, 1);
	fx_w(b, FX_FLASH + 4, 4, 2);   /* held until the first program ends */
	cr_expect(sim_board_now(b) - t0 >= 3200000, "stalled");
	l_wait(b);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 2U);
	sim_board_free(b);
}

/* ---- data EEPROM --------------------------------------------------------------- */

Test(board_l0, eeprom_byte_half_word_writes_and_word_erase)
{
	sim_board *b = l_board("STM32L053R8", 0);
	uint32_t v;

	fx_w(b, L_EE, 1, 0x11);
	cr_expect_eq(l_r(b, P_SR) & WRPERR, WRPERR, "PELOCK set");
	l_w(b, P_SR, WRPERR);
	l_unlock_pe(b);
	fx_w(b, L_EE, 1, 0x11);
	fx_w(b, L_EE + 2, 2, 0x2233);
	fx_w(b, L_EE + 4, 4, 0x44556677U);
	fx_w(b, L_EE + 0x7FC, 4, 0xCAFEF00DU);
	l_wait(b);
	cr_expect_eq(fx_r(b, L_EE, 4), 0x22330011U);
	cr_expect_eq(fx_r(b, L_EE + 4, 4), 0x44556677U);
	cr_expect_eq(fx_r(b, L_EE + 0x7FC, 4), 0xCAFEF00DU, "the last word of 2 KiB");
	cr_expect_eq(sim_board_read(b, L_EE + 0x800, 4, &v), SIM_SWD_FAULT, "past 2 KiB");
	fx_w(b, L_EE + 4, 4, 0x01020304U);
	l_wait(b);
	cr_expect_eq(fx_r(b, L_EE + 4, 4), 0x01020304U, "a written word is rewritten");
	l_w(b, P_PECR, ERASE | DATA);
	fx_w(b, L_EE + 4, 4, 0);
	l_wait(b);
	cr_expect_eq(fx_r(b, L_EE + 4, 4), 0U, "word erased");
	cr_expect_eq(fx_r(b, L_EE, 4), 0x22330011U, "its neighbour kept");
	sim_board_free(b);
}

Test(board_l0, eeprom_sizes_per_part_and_persistence)
{
	static const struct { const char *part; uint32_t size; } k[4] = {
		{ "STM32L011K4", 512 }, { "STM32L053R8", 2048 },
		{ "STM32L073RZ", 6144 }, { "STM32L152RE", 16384 },
	};

	for (unsigned i = 0; i < 4; i++) {
		sim_board *b = l_board(k[i].part, 0);
		uint32_t v;
		l_unlock_pe(b);
		fx_w(b, L_EE + k[i].size - 4, 4, 0x5EB1A100U + i);
		l_wait(b);
		cr_expect_eq(sim_board_read(b, L_EE + k[i].size, 4, &v), SIM_SWD_FAULT, "%s", k[i].part);
		sim_board_free(b);
		b = l_board(k[i].part, 0);
		cr_expect_eq(fx_r(b, L_EE + k[i].size - 4, 4), 0x5EB1A100U + i, "kept in the state");
		sim_board_free(b);
		fx_teardown();
		fx_setup();
	}
}

/* ---- option words, OBL_LAUNCH, RDP ------------------------------------------------- */

Test(board_l0, option_words_read_with_complements)
{
	sim_board *b = l_board("STM32L073RZ", 0);

	cr_expect_eq(fx_r(b, L_OB, 4), 0xFF5500AAU, "RDP level 0");
	uint32_t user = fx_r(b, L_OB + 4, 4);
	cr_expect_eq(user >> 16, (~user) & 0xFFFFU, "USER complemented");
	cr_expect_eq(l_r(b, P_OPTR) & 0xFFU, 0xAAU);
	cr_expect_eq(l_r(b, P_OPTR) >> 16, user & 0xFFFFU, "OPTR[31:16] = USER");
	cr_expect_eq(fx_r(b, L_OB + 8, 4), 0xFFFF0000U, "WRP1: nothing protected");
	sim_board_free(b);
}

/* OBL_LAUNCH from the debugger: the chip resets under the write, which gets no ACK. */
static void l_obl_launch(sim_board *b)
{
	cr_expect_eq(sim_board_write(b, l_regs + P_PECR, 4, OBL_LAUNCH), SIM_SWD_FAULT);
}

Test(board_l0, obl_launch_reloads_and_a_bad_complement_sets_optverr)
{
	sim_board *b = l_board("STM32L053R8", 0);

	l_unlock_opt(b);
	fx_w(b, L_OB + 8, 4, 0x00000001U);   /* WRP1 = 1 with a complement that does not match */
	l_wait(b);
	cr_expect_eq(fx_r(b, L_OB + 8, 4), 1U, "stored as written");
	cr_expect_eq(fx_r(b, l_regs + 0x20, 4), 0U, "in force after the reload only");
	l_obl_launch(b);
	cr_expect_eq(l_r(b, P_PECR), 0x7U, "reset: locked");
	cr_expect_eq(l_r(b, P_SR) & OPTVERR, OPTVERR);
	cr_expect_eq(fx_r(b, l_regs + 0x20, 4), 0xFFFFU, "strict: every sector protected");
	l_unlock_prg(b);
	fx_w(b, FX_FLASH, 4, 1);
	cr_expect_eq(l_r(b, P_SR) & WRPERR, WRPERR);
	l_w(b, P_SR, WRPERR | OPTVERR);
	l_unlock_opt(b);
	fx_w(b, L_OB + 8, 4, 0xFFFE0001U);   /* sector 0 only, proper complement */
	l_wait(b);
	l_obl_launch(b);
	cr_expect_eq(l_r(b, P_SR) & OPTVERR, 0);
	cr_expect_eq(fx_r(b, l_regs + 0x20, 4), 1U);
	l_unlock_prg(b);
	fx_w(b, FX_FLASH + 0x1000, 4, 7);
	l_wait(b);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x1000, 4), 7U, "sector 1 writable");
	sim_board_free(b);
}

/* A USER word without its complement: OPTVERRUSR on L1, OPTVERR on L0. */
Test(board_l0, a_bad_user_word_sets_optverrusr_on_l1_and_optverr_on_l0)
{
	static const struct { const char *part; uint32_t flag; } k[2] = {
		{ "STM32L152RE", 0x1000U }, { "STM32L073RZ", OPTVERR },
	};

	for (unsigned i = 0; i < 2; i++) {
		sim_board *b = l_board(k[i].part, 0);
		l_unlock_opt(b);
		fx_w(b, L_OB + 4, 4, 0x00000078U);
		l_wait(b);
		l_obl_launch(b);
		cr_expect_eq(l_r(b, P_SR) & (OPTVERR | 0x1000U), k[i].flag, "%s", k[i].part);
		cr_expect_eq(l_r(b, P_OPTR) >> 16, 0xFFFFU, "%s: strict USER", k[i].part);
		sim_board_free(b);
	}
}

Test(board_l0, obl_launch_needs_optlock_clear)
{
	sim_board *b = l_board("STM32L053R8", 0);

	l_unlock_prg(b);
	l_w(b, P_PECR, OBL_LAUNCH);
	cr_expect_eq(l_r(b, P_PECR) & OBL_LAUNCH, 0);
	cr_expect_eq(l_r(b, P_PECR) & PELOCK, 0, "no reset happened");
	sim_board_free(b);
}

Test(board_l0, rdp_regression_erases_flash_and_eeprom)
{
	sim_board *b = l_board("STM32L053R8", 0);
	uint32_t v, id;

	l_unlock_prg(b);
	fx_w(b, FX_FLASH + 0x80, 4, 0xDEADBEEFU);
	fx_w(b, L_EE, 4, 0x12345678U);
	l_wait(b);
	l_unlock_opt(b);
	fx_w(b, L_OB, 4, 0xFFFF0000U);   /* level 1, what OpenOCD writes */
	l_wait(b);
	l_obl_launch(b);
	cr_expect_eq(sim_board_read(b, FX_FLASH + 0x80, 4, &v), SIM_SWD_FAULT, "level 1");
	cr_expect_eq(sim_board_read(b, L_EE, 4, &v), SIM_SWD_FAULT, "EEPROM too");
	l_unlock_opt(b);
	fx_w(b, L_OB, 4, 0xFF5500AAU);
	l_wait(b);
	l_obl_launch(b);
	cr_expect_eq(fx_r(b, FX_FLASH + 0x80, 4), 0U, "program memory erased");
	cr_expect_eq(fx_r(b, L_EE, 4), 0U, "data EEPROM erased");
	cr_expect_eq(l_r(b, P_OPTR) & 0xFFU, 0xAAU);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	sim_board_free(b);
}

/* ---- every WRP word, and L0 PCROP ------------------------------------------------------ */

#define RDERR  0x2000U
#define SECTOR 4096U

static uint32_t l_pair(uint16_t v)
{
	return (uint32_t)(uint16_t)~v << 16 | v;
}

/* Program option word off with value v (complement added), and check the flags it left. */
static uint32_t l_ob_word(sim_board *b, uint32_t off, uint16_t v)
{
	uint32_t sr;

	fx_w(b, L_OB + off, 4, l_pair(v));
	l_wait(b);
	sr = l_r(b, P_SR) & (WRPERR | SIZERR);
	l_w(b, P_SR, WRPERR | SIZERR | SR_EOP);
	return sr;
}

/* A word program at addr and an erase of its page: both refused with WRPERR, or both done. */
static void l_expect_locked(sim_board *b, uint32_t addr, bool locked, const char *what)
{
	l_unlock_prg(b);
	l_w(b, P_PECR, 0);
	fx_w(b, addr, 4, 0x5AU);
	l_wait(b);
	cr_expect_eq(l_r(b, P_SR) & WRPERR, locked ? WRPERR : 0U, "%s: program", what);
	l_w(b, P_SR, WRPERR | SR_EOP);
	l_w(b, P_PECR, ERASE);
	l_w(b, P_PECR, ERASE | PROG);
	fx_w(b, addr, 4, 0);
	l_wait(b);
	cr_expect_eq(l_r(b, P_SR) & WRPERR, locked ? WRPERR : 0U, "%s: erase", what);
	l_w(b, P_SR, WRPERR | SR_EOP);
	l_w(b, P_PECR, 0);
}

Test(board_l0, l073_wrprot2_protects_sectors_32_to_47)
{
	sim_board *b = l_board("STM32L073RZ", 0);

	l_unlock_opt(b);
	cr_assert_eq(l_ob_word(b, 0x10, 0x8001U), 0U, "WRPROT2: sectors 32 and 47");
	l_obl_launch(b);
	cr_expect_eq(fx_r(b, l_regs + 0x80, 4), 0x8001U, "FLASH_WRPROT2");
	l_expect_locked(b, FX_FLASH + 32 * SECTOR, true, "sector 32");
	l_expect_locked(b, FX_FLASH + 47 * SECTOR + 0xF80, true, "sector 47, last page");
	l_expect_locked(b, FX_FLASH + 31 * SECTOR, false, "sector 31");
	l_expect_locked(b, FX_FLASH + 33 * SECTOR, false, "sector 33");
	sim_board_free(b);
}

Test(board_l0, l152re_wrp4_at_0x1ff80084_protects_sector_127)
{
	sim_board *b = l_board("STM32L152RE", 0);

	cr_expect_eq(fx_r(b, L_OB + 0x84, 4), 0xFFFF0000U, "a new part: WRP4 words with complements");
	l_unlock_opt(b);
	cr_assert_eq(l_ob_word(b, 0x84, 0x8000U), 0U, "sector 127");
	cr_assert_eq(l_ob_word(b, 0x18, 0x0001U), 0U, "sector 64 (WRP3)");
	l_obl_launch(b);
	cr_expect_eq(fx_r(b, l_regs + 0x88, 4), 0x80000000U, "FLASH_WRPR4");
	cr_expect_eq(fx_r(b, l_regs + 0x84, 4), 0x1U, "FLASH_WRPR3");
	l_expect_locked(b, FX_FLASH + 127 * SECTOR + 0xF00, true, "sector 127");
	l_expect_locked(b, FX_FLASH + 64 * SECTOR, true, "sector 64");
	l_expect_locked(b, FX_FLASH + 126 * SECTOR, false, "sector 126");
	l_expect_locked(b, FX_FLASH + 96 * SECTOR, false, "sector 96");
	sim_board_free(b);
}

/* L0 at level `rdp`, WPRMOD = 1 and sector 0 PCROP (a 0 bit protects in this mode). */
static sim_board *l_pcrop_board(int rdp)
{
	sim_board *b = l_board("STM32L053R8", 0);

	l_unlock_opt(b);
	cr_assert_eq(l_ob_word(b, 0x08, 0xFFFEU), 0U);
	cr_assert_eq(l_ob_word(b, 0x00, rdp ? 0x1BBU : 0x1AAU), 0U);
	l_obl_launch(b);
	cr_assert_eq(l_r(b, P_OPTR) & 0x1FFU, rdp ? 0x1BBU : 0x1AAU, "WPRMOD in OPTR b8");
	return b;
}

Test(board_l0, a_pcrop_sector_faults_debugger_reads_with_rderr_and_refuses_writes)
{
	sim_board *b = l_pcrop_board(0);
	uint32_t v;

	cr_expect_eq(sim_board_read(b, FX_FLASH + 0x40, 4, &v), SIM_SWD_FAULT, "sector 0: PCROP");
	cr_expect_eq(l_r(b, P_SR) & RDERR, RDERR);
	l_w(b, P_SR, RDERR);
	cr_expect_eq(sim_board_read(b, FX_FLASH + SECTOR, 4, &v), SIM_SWD_OK, "sector 1 readable");
	cr_expect_eq(l_r(b, P_SR) & RDERR, 0U);
	l_expect_locked(b, FX_FLASH, true, "PCROP sector 0");
	l_expect_locked(b, FX_FLASH + SECTOR, false, "sector 1: a 1 bit is no protection with WPRMOD = 1");
	sim_board_free(b);
}

Test(board_l0, pcrop_in_force_refuses_wprmod_off_and_removed_sectors_but_takes_more)
{
	sim_board *b = l_pcrop_board(0);

	l_unlock_opt(b);
	cr_expect_eq(l_ob_word(b, 0x00, 0xAAU), WRPERR, "WPRMOD 1 -> 0 without a regression");
	cr_expect_eq(fx_r(b, L_OB, 4), l_pair(0x1AAU), "word 0 unchanged");
	cr_expect_eq(l_ob_word(b, 0x08, 0xFFFFU), WRPERR, "sector 0 out of PCROP");
	cr_expect_eq(l_ob_word(b, 0x08, 0xFFFCU), 0U, "sector 1 into PCROP");
	l_obl_launch(b);
	l_expect_locked(b, FX_FLASH + SECTOR, true, "sector 1 now PCROP");
	sim_board_free(b);
}

Test(board_l0, the_rdp_regression_lifts_pcrop)
{
	sim_board *b = l_pcrop_board(1);

	l_unlock_opt(b);
	cr_expect_eq(l_ob_word(b, 0x08, 0xFFFFU), WRPERR, "before the regression: sector 0 stays PCROP");
	cr_expect_eq(l_ob_word(b, 0x00, 0x1AAU), 0U, "regression, WPRMOD written as 1");
	cr_expect_eq(fx_r(b, L_OB, 4), l_pair(0xAAU), "the regression clears WPRMOD");
	cr_expect_eq(l_ob_word(b, 0x08, 0xFFFFU), 0U, "after it the PCROP bit may come back to 1");
	cr_expect_eq(l_ob_word(b, 0x08, 0x0000U), 0U, "and WRPROT be written for WPRMOD = 0");
	l_obl_launch(b);
	cr_expect_eq(l_r(b, P_OPTR) & 0x1FFU, 0xAAU);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0U, "readable, erased");
	l_expect_locked(b, FX_FLASH, false, "sector 0");
	sim_board_free(b);
}

/* Option word 0 stored as raw (complement or not), then loaded by OBL_LAUNCH. */
static void l_word0_load(sim_board *b, uint32_t raw)
{
	l_unlock_opt(b);
	fx_w(b, L_OB, 4, raw);
	l_wait(b);
	l_obl_launch(b);
}

Test(board_l0, a_broken_word_0_loads_wprmod_and_every_sector_pcrop)
{
	sim_board *b = l_board("STM32L053R8", 0);
	uint32_t v;

	l_word0_load(b, 0x000000AAU);
	cr_expect_eq(l_r(b, P_SR) & OPTVERR, OPTVERR);
	cr_expect_eq(l_r(b, P_OPTR) & 0x100U, 0x100U, "WPRMOD 1 (RM0367 §3.8.2)");
	cr_expect_eq(fx_r(b, l_regs + 0x20, 4), 0U, "WRPROT1 zeros: every sector PCROP");
	cr_expect_eq(sim_board_read(b, FX_FLASH + 15 * SECTOR, 4, &v), SIM_SWD_FAULT);
	sim_board_free(b);
}

Test(board_l0, rdp_level_2_kills_the_debug_port)
{
	sim_board *b = l_board("STM32L152RE", 0);
	uint32_t id;

	l_word0_load(b, 0xFF3300CCU);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK);
	sim_board_set_nrst(b, true);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "not even under reset");
	sim_board_free(b);
}

/* ---- the core ----------------------------------------------------------------- */

/* the half-page loader (Thumb-1): r0 source, r1 destination, r2 words, r3 register base */
static const uint8_t l_hp_loader[36] = {
	0x07, 0x4d,             /* 00 ldr  r5, =0x408 */
	0x5d, 0x60,             /* 02 str  r5, [r3, #4]   PECR = FPRG | PROG */
	0x05, 0x68,             /* 04 loop: ldr r5, [r0] */
	0x0d, 0x60,             /* 06 str  r5, [r1] */
	0x04, 0x30,             /* 08 adds r0, #4 */
	0x04, 0x31,             /* 0a adds r1, #4 */
	0x01, 0x3a,             /* 0c subs r2, #1 */
	0xf9, 0xd1,             /* 0e bne  loop */
	0x9d, 0x69,             /* 10 wait: ldr r5, [r3, #24]  SR */
	0x01, 0x26,             /* 12 movs r6, #1 */
	0x35, 0x42,             /* 14 tst  r5, r6 */
	0xfb, 0xd1,             /* 16 bne  wait */
	0x00, 0x25,             /* 18 movs r5, #0 */
	0x5d, 0x60,             /* 1a str  r5, [r3, #4] */
	0x00, 0xbe,             /* 1c bkpt #0 */
	0x00, 0x00,
	0x08, 0x04, 0x00, 0x00, /* 20 .word 0x408 */
};

static void l_put_code(sim_board *b, uint32_t at, const uint8_t *code, size_t len, bool flash)
{
	for (size_t i = 0; i + 3 < len; i += 4) {
		uint32_t w = (uint32_t)code[i] | (uint32_t)code[i + 1] << 8 |
			     (uint32_t)code[i + 2] << 16 | (uint32_t)code[i + 3] << 24;
		fx_w(b, at + (uint32_t)i, 4, w);
		if (flash)
			l_wait(b);
	}
}

static void l_run(sim_board *b, uint32_t pc, uint32_t src, uint32_t dst, uint32_t n)
{
	fx_set_reg(b, 0, src);
	fx_set_reg(b, 1, dst);
	fx_set_reg(b, 2, n);
	fx_set_reg(b, 3, l_regs);
	fx_set_reg(b, 15, pc);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DFSR, 4, 0x1F);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	sim_board_advance(b, sim_board_now(b) + 20 * FX_MS);
}

Test(board_l0, half_page_from_sram_code_programs_and_from_flash_code_is_refused)
{
	sim_board *b = l_board("STM32L053R8", 0);

	fx_halt(b);
	l_unlock_prg(b);
	l_put_code(b, FX_SRAM, l_hp_loader, sizeof(l_hp_loader), false);
	for (unsigned i = 0; i < 16; i++)
		fx_w(b, FX_SRAM + 0x100 + 4U * i, 4, 0xC0DE0000U + i);
	l_run(b, FX_SRAM, FX_SRAM + 0x100, FX_FLASH + 0x400, 16);
	cr_expect_eq(fx_r(b, FX_DFSR, 4) & 2U, 2U, "stopped at the bkpt");
	for (unsigned i = 0; i < 16; i++)
		cr_expect_eq(fx_r(b, FX_FLASH + 0x400 + 4U * i, 4), 0xC0DE0000U + i);
	/* the same loader copied into flash: its burst is refused */
	l_put_code(b, FX_FLASH + 0x800, l_hp_loader, sizeof(l_hp_loader), true);
	l_run(b, FX_FLASH + 0x800, FX_SRAM + 0x100, FX_FLASH + 0xC00, 16);
	cr_expect_eq(fx_r(b, FX_DFSR, 4) & 2U, 2U, "stopped at the bkpt");
	cr_expect_eq(l_r(b, P_SR) & FWWERR, FWWERR);
	cr_expect_eq(fx_r(b, FX_FLASH + 0xC00, 4), 0U, "nothing programmed");
	sim_board_free(b);
}

/* mov.w r0, #0x04000000 (Thumb-2); bkpt */
static const uint8_t l_thumb2[8] = { 0x4f, 0xf0, 0x80, 0x60, 0x00, 0xbe, 0x00, 0xbf };

Test(board_l0, cortex_m0plus_faults_on_thumb2_and_the_l1_m3_runs_it)
{
	sim_board *b = l_board("STM32L053R8", 0);

	cr_expect_eq(fx_r(b, 0xE000ED00U, 4) >> 4 & 0xFFFU, 0xC60U, "Cortex-M0+");
	fx_halt(b);
	l_put_code(b, FX_SRAM, l_thumb2, sizeof(l_thumb2), false);
	fx_set_reg(b, 0, 0);
	l_run(b, FX_SRAM, 0, 0, 0);
	cr_expect_neq(fx_get_reg(b, 0), 0x04000000U, "not executed");
	cr_expect_eq(fx_r(b, FX_DFSR, 4) & 2U, 0U, "never reached the bkpt");
	sim_board_free(b);

	b = l_board("STM32L152RE", 0);
	cr_expect_eq(fx_r(b, 0xE000ED00U, 4) >> 4 & 0xFFFU, 0xC23U, "Cortex-M3");
	fx_halt(b);
	l_put_code(b, FX_SRAM, l_thumb2, sizeof(l_thumb2), false);
	l_run(b, FX_SRAM, 0, 0, 0);
	cr_expect_eq(fx_get_reg(b, 0), 0x04000000U);
	cr_expect_eq(fx_r(b, FX_DFSR, 4) & 2U, 2U);
	sim_board_free(b);
}

/* ---- clock tree and wait states ----------------------------------------------------- */

#define L0_RCC_CR   0x40021000U
#define L0_RCC_CFGR 0x4002100CU
#define L1_RCC_CR   0x40023800U
#define L1_RCC_CFGR 0x40023808U

Test(board_l0, l0_resets_on_msi_switches_to_hsi16_and_the_pll_needs_a_wait_state)
{
	sim_board *b = l_board("STM32L053R8", 0);

	l_unlock_prg(b);
	fx_w(b, FX_FLASH, 4, 0x600DF00DU);
	l_wait(b);
	cr_expect_eq(fx_r(b, L0_RCC_CR, 4) & 0x305U, 0x300U, "MSION, MSIRDY; HSI16 off");
	cr_expect_eq(fx_r(b, L0_RCC_CFGR, 4) & 0xFU, 0U, "SW = SWS = MSI");
	fx_w(b, L0_RCC_CFGR, 4, 1U);
	cr_expect_eq(fx_r(b, L0_RCC_CFGR, 4) & 0xCU, 0U, "HSI16 off: no switch");
	fx_w(b, L0_RCC_CR, 4, 0x101U);
	cr_expect_eq(fx_r(b, L0_RCC_CR, 4) & 0x4U, 0x4U, "HSI16RDYF");
	cr_expect_eq(fx_r(b, L0_RCC_CFGR, 4) & 0xCU, 0x4U, "SWS = HSI16");
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x600DF00DU, "16 MHz with 0 wait states");
	fx_w(b, L0_RCC_CR, 4, 0x100U);
	cr_expect_eq(fx_r(b, L0_RCC_CR, 4) & 0x1U, 0x1U, "HSI16 stays on while it is SYSCLK");
	/* PLL: HSI16 x4 / 2 = 32 MHz (PLLMUL code 1, PLLDIV code 1) */
	fx_w(b, L0_RCC_CFGR, 4, 1U | 1U << 18 | 1U << 22);
	fx_w(b, L0_RCC_CR, 4, 0x01000101U);
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	cr_expect_eq(fx_r(b, L0_RCC_CR, 4) & 0x02000000U, 0x02000000U, "PLLRDY");
	fx_w(b, L0_RCC_CFGR, 4, 3U | 1U << 18 | 1U << 22);
	cr_expect_eq(fx_r(b, L0_RCC_CFGR, 4) & 0xCU, 0xCU, "SWS = PLL");
	cr_expect_neq(fx_r(b, FX_FLASH, 4), 0x600DF00DU, "32 MHz with 0 wait states: garbage");
	l_w(b, P_ACR, 1U);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0x600DF00DU, "one wait state");
	sim_board_free(b);
}

Test(board_l0, l1_latency_needs_acc64_first)
{
	sim_board *b = l_board("STM32L152RE", 0);

	l_w(b, P_ACR, 1U);
	cr_expect_eq(l_r(b, P_ACR), 0U, "LATENCY refused without ACC64");
	l_w(b, P_ACR, 4U);
	l_w(b, P_ACR, 5U);
	cr_expect_eq(l_r(b, P_ACR), 5U, "ACC64 then LATENCY");
	l_w(b, P_ACR, 1U);
	cr_expect_eq(l_r(b, P_ACR), 5U, "ACC64 cannot drop under LATENCY");
	fx_w(b, L1_RCC_CR, 4, 0x101U);
	fx_w(b, L1_RCC_CFGR, 4, 1U);
	cr_expect_eq(fx_r(b, L1_RCC_CR, 4) & 0x2U, 0x2U, "HSIRDY");
	cr_expect_eq(fx_r(b, L1_RCC_CFGR, 4) & 0xCU, 0x4U, "SWS = HSI");
	sim_board_free(b);
}

/* ---- the seed failures: SWD pins reassigned, Stop without DBGMCU ---------------------- */

/* L0: IOPENR |= GPIOAEN; GPIOA_MODER = 0xC3FFFCFF (PA13/PA14 input); b . */
static const uint8_t l_fw_moder_l0[36] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0x03, 0x48, 0x01, 0x21,
	0x01, 0x60, 0x03, 0x48, 0x03, 0x49, 0x01, 0x60, 0xfe, 0xe7, 0xc0, 0x46,
	0x2c, 0x10, 0x02, 0x40, 0x00, 0x00, 0x00, 0x50, 0xff, 0xfc, 0xff, 0xc3,
};
/* L1: AHBENR = GPIOAEN; GPIOA_MODER = 0x80000000 (PA13/PA14 input); b . */
static const uint8_t l_fw_moder_l1[36] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0x03, 0x48, 0x01, 0x21,
	0x01, 0x60, 0x03, 0x48, 0x03, 0x49, 0x01, 0x60, 0xfe, 0xe7, 0xc0, 0x46,
	0x1c, 0x38, 0x02, 0x40, 0x00, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, 0x80,
};
/* SCB_SCR = SLEEPDEEP; wfi; b . */
static const uint8_t l_fw_stop[24] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0x02, 0x48, 0x04, 0x21,
	0x01, 0x60, 0x30, 0xbf, 0xfe, 0xe7, 0xc0, 0x46, 0x10, 0xed, 0x00, 0xe0,
};

static sim_board *l_fw_board(const char *part, const uint8_t *fw, size_t len)
{
	sim_board_cfg c = fx_cfg();

	c.part = sim_part_find(part);
	c.firmware = fx_write_file("fw.bin", fw, len);
	c.timing.t_prog_ns = 0;
	c.timing.core_hz = 0;
	l_regs = c.part->flash_ctl == SIM_FLASH_L0 ? L0_REGS : L1_REGS;
	return fx_board(&c, 0);
}

/* Connect under reset: halt on the reset vector, release NRST; the port answers again. */
static void l_connect_under_reset(sim_board *b)
{
	uint32_t id;

	sim_board_set_nrst(b, true);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK, "under NRST");
	fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
	fx_w(b, FX_DEMCR, 4, 0x01000001U);
	sim_board_set_nrst(b, false);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_assert_not(sim_board_core_running(b), "halted on the reset vector");
}

Test(board_l0, firmware_taking_pa13_pa14_silences_swd_until_connect_under_reset)
{
	static const struct { const char *part; const uint8_t *fw; } k[2] = {
		{ "STM32L053R8", l_fw_moder_l0 }, { "STM32L152RE", l_fw_moder_l1 },
	};

	for (unsigned i = 0; i < 2; i++) {
		uint32_t id;
		sim_board *b = l_fw_board(k[i].part, k[i].fw, 36);
		sim_board_advance(b, 5 * FX_MS);
		cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "%s", k[i].part);
		cr_expect_eq(sim_board_write(b, FX_AIRCR, 4, 0x05FA0004U), SIM_SWD_NOACK,
			     "no soft reset either");
		l_connect_under_reset(b);
		cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0x08000009U, "%s: flash readable", k[i].part);
		sim_board_free(b);
		fx_teardown();
		fx_setup();
	}
}

/* Stop with DBG_CR as the debugger managed to set it: does the port survive? */
static sim_swd l_stop_with(bool dbgen)
{
	uint32_t id;
	sim_board *b = l_fw_board("STM32L053R8", l_fw_stop, sizeof(l_fw_stop));

	sim_board_set_nrst(b, true);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
	fx_w(b, FX_DEMCR, 4, 0x01000001U);
	fx_w(b, 0x40015804U, 4, 0x7U);        /* under reset: DBGEN is off, lost */
	sim_board_set_nrst(b, false);
	cr_expect_eq(fx_r(b, 0x40015804U, 4), 0U, "DBG_CR write without DBGEN has no effect");
	if (dbgen) {
		fx_w(b, 0x40021034U, 4, 1U << 22);   /* RCC_APB2ENR.DBGEN */
		fx_w(b, 0x40015804U, 4, 0x7U);
		cr_expect_eq(fx_r(b, 0x40015804U, 4), 0x7U);
	}
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);       /* run into Stop */
	sim_board_advance(b, sim_board_now(b) + FX_MS);
	sim_swd r = sim_board_dp_connect(b, &id);
	sim_board_free(b);
	fx_teardown();
	fx_setup();
	return r;
}

Test(board_l0, stop_without_dbg_stop_silences_swd_and_dbg_cr_needs_dbgen)
{
	uint32_t id;
	sim_board *b = l_fw_board("STM32L053R8", l_fw_stop, sizeof(l_fw_stop));

	sim_board_advance(b, 5 * FX_MS);
	cr_expect_eq(sim_board_dp_connect(b, &id), SIM_SWD_NOACK, "in Stop");
	l_connect_under_reset(b);
	sim_board_free(b);
	fx_teardown();
	fx_setup();
	cr_expect_eq(l_stop_with(false), SIM_SWD_NOACK, "DBG_CR never took the write");
	cr_expect_eq(l_stop_with(true), SIM_SWD_OK, "DBGEN, then DBG_STOP keeps the port");
}

/* The supply drops half way through a page erase: part of the page is erased. */
Test(board_l0, power_loss_leaves_a_page_erase_half_done)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find("STM32L053R8");
	c.timing.t_prog_ns = 0;
	c.timing.core_hz = 0;
	c.power_loss_at_ns = 100 * FX_MS;
	l_regs = L0_REGS;
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	l_unlock_prg(b);
	l_half_page(b, FX_FLASH, 16, 0x11110000U);
	l_wait(b);
	l_half_page(b, FX_FLASH + 0x40, 16, 0x22220000U);
	l_wait(b);
	sim_board_advance(b, 100 * FX_MS - 1600000);
	l_w(b, P_PECR, ERASE | PROG);
	fx_w(b, FX_FLASH, 4, 0);
	sim_board_advance(b, 200 * FX_MS);
	cr_expect_eq(sim_board_voltage_mv(b), 0U);
	sim_board_free(b);
	c.power_loss_at_ns = -1;
	b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	cr_expect_eq(fx_r(b, FX_FLASH, 4), 0U, "the start of the page erased");
	cr_expect_eq(fx_r(b, FX_FLASH + 0x7C, 4), 0x2222000FU, "the end not yet");
	sim_board_free(b);
}
