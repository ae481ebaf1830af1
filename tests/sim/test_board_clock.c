/*
 * test_board_clock.c — the board's clock tree (tools/sim/board_clock.c):
 * the SYSCLK switch to the PLL waits for PLLRDY, the core runs at the new
 * clock, the PLL setting is frozen while the PLL runs, settings the RM
 * forbids never lock, flash read with too few wait states is garbage (for
 * the debugger and the core), and a system reset brings back HSI and 0 WS.
 * The registers are written in the order gang's prog_clock_up writes them.
 *
 * Facts: RM0008 §7.2.6 (switch when the source is ready), §7.3.1-2 (RCC_CR,
 * RCC_CFGR: PLLMUL written only while the PLL is off), §3.3.3 (wait
 * states); RM0090 §6.3.2 (PLLCFGR ranges), §3.5.1 Table 10; DS5792 (PLL
 * lock time 200 us).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "board_fixtures.h"

#define CK_F1_CR       0x40021000U
#define CK_F1_CFGR     0x40021004U
#define CK_F1_ACR      0x40022000U
#define CK_F4_CR       0x40023800U
#define CK_F4_PLLCFGR  0x40023804U
#define CK_F4_CFGR     0x40023808U
#define CK_F4_ACR      0x40023C00U
#define CK_CR_PLL_ON   0x01000081U   /* PLLON, HSITRIM 16, HSION */
#define CK_CR_PLLRDY   (1U << 25)
#define CK_F1_CFGR_64  (14U << 18 | 4U << 8)   /* HSI/2 x16 = 64 MHz, APB1 /2 */
#define CK_F4_PLL_84   (16U | 336U << 6 | 1U << 16 | 7U << 24)   /* 16/16 x336 /4 = 84 MHz */
#define CK_F4_CFGR_84  (4U << 10)   /* APB1 /2 */
#define CK_SW_PLL      2U
#define CK_SWS(cfgr)   (((cfgr) >> 2) & 3U)
#define CK_US          1000LL
#define CK_S_LOCKUP    (1U << 19)

TestSuite(sim_board_clock, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

/* A board of the part with fx_fw_loop in flash ("b ." at 0x08000008), halted. */
static sim_board *ck_board(const char *part, uint64_t hsi, unsigned vdd_mv)
{
	sim_board_cfg c = fx_cfg();
	uint32_t id;

	c.part = sim_part_find(part);
	c.timing.core_hz = hsi;
	c.vdd_mv = vdd_mv;
	c.firmware = fx_write_file("fw.bin", fx_fw_loop, sizeof(fx_fw_loop));
	sim_board *b = fx_board(&c, 0);
	cr_assert_eq(sim_board_dp_connect(b, &id), SIM_SWD_OK);
	fx_halt(b);
	return b;
}

/* gang's order: wait states, the PLL, PLLON, then SW = PLL; no reads. */
static void ck_f1_clock_up(sim_board *b, uint32_t latency, uint32_t cfgr)
{
	fx_w(b, CK_F1_ACR, 4, 0x10U | latency);
	fx_w(b, CK_F1_CFGR, 4, cfgr);
	fx_w(b, CK_F1_CR, 4, CK_CR_PLL_ON);
	fx_w(b, CK_F1_CFGR, 4, cfgr | CK_SW_PLL);
}

static void ck_f4_clock_up(sim_board *b, uint32_t latency, uint32_t pllcfgr)
{
	fx_w(b, CK_F4_ACR, 4, 0x700U | latency);
	fx_w(b, CK_F4_PLLCFGR, 4, pllcfgr);
	fx_w(b, CK_F4_CFGR, 4, CK_F4_CFGR_84);
	fx_w(b, CK_F4_CR, 4, CK_CR_PLL_ON);
	fx_w(b, CK_F4_CFGR, 4, CK_F4_CFGR_84 | CK_SW_PLL);
}

static void ck_wait(sim_board *b, int64_t ns)
{
	sim_board_advance(b, sim_board_now(b) + ns);
}

/* The core reads the word at addr (ldr r1, [r0]; bkpt in SRAM) and returns r1. */
static uint32_t ck_core_read(sim_board *b, uint32_t addr)
{
	fx_w(b, FX_SRAM, 4, 0xBE006801U);
	fx_set_reg(b, 0, addr);
	fx_set_reg(b, 1, 0);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	ck_wait(b, 10 * CK_US);
	cr_assert_not(sim_board_core_running(b), "stopped on the bkpt");
	return fx_get_reg(b, 1);
}

/* Virtual ns a counted loop (subs r0, #1; bne; 2 cycles a turn) of n turns takes, in 1 us steps. */
static int64_t ck_loop_ns(sim_board *b, uint32_t n)
{
	fx_w(b, FX_SRAM, 4, 0xD1FD3801U);   /* subs r0, #1; bne . - 2 */
	fx_w(b, FX_SRAM + 4, 4, 0xBF00BE00U);   /* bkpt; nop */
	fx_set_reg(b, 0, n);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	int64_t t0 = sim_board_now(b);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	while (sim_board_core_running(b))
		ck_wait(b, CK_US);
	cr_assert_eq(fx_get_reg(b, 0), 0, "the loop ran to the end");
	return sim_board_now(b) - t0;
}

Test(sim_board_clock, switch_to_the_pll_happens_only_once_pllrdy_is_set)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);

	ck_f1_clock_up(b, 2, CK_F1_CFGR_64);
	cr_expect_eq(fx_r(b, CK_F1_CR, 4) & CK_CR_PLLRDY, 0, "PLL not locked yet");
	cr_expect_eq(CK_SWS(fx_r(b, CK_F1_CFGR, 4)), 0, "SYSCLK still HSI");
	cr_expect_eq(fx_r(b, CK_F1_CFGR, 4) & 3U, CK_SW_PLL, "SW reads back as written");
	ck_wait(b, 150 * CK_US);
	cr_expect_eq(CK_SWS(fx_r(b, CK_F1_CFGR, 4)), 0, "150 us: still HSI");
	ck_wait(b, 100 * CK_US);
	cr_expect_eq(fx_r(b, CK_F1_CR, 4) & CK_CR_PLLRDY, CK_CR_PLLRDY, "locked after 200 us");
	cr_expect_eq(CK_SWS(fx_r(b, CK_F1_CFGR, 4)), CK_SW_PLL, "SYSCLK is the PLL");
	sim_board_free(b);
}

Test(sim_board_clock, a_counted_loop_takes_an_eighth_of_the_time_at_64_mhz)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);
	int64_t hsi = ck_loop_ns(b, 100000);

	ck_f1_clock_up(b, 2, CK_F1_CFGR_64);
	ck_wait(b, 300 * CK_US);
	int64_t pll = ck_loop_ns(b, 100000);
	/* 200 000 cycles: 25 ms at 8 MHz, 3.125 ms at 64 MHz (1 us steps) */
	cr_expect(hsi >= 25000 * CK_US && hsi <= 25002 * CK_US, "HSI: %lld ns", (long long)hsi);
	cr_expect(pll >= 3125 * CK_US && pll <= 3127 * CK_US, "PLL: %lld ns", (long long)pll);
	sim_board_free(b);
}

Test(sim_board_clock, the_core_switches_clock_in_the_middle_of_a_run)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);

	/* the loop starts at HSI; the PLL locks 200 us later and the rest runs at 64 MHz */
	ck_f1_clock_up(b, 2, CK_F1_CFGR_64);
	int64_t t = ck_loop_ns(b, 100000);
	/* 200 us at 8 MHz = 1600 cycles, then 198 400 cycles at 64 MHz = 3100 us */
	cr_expect(t >= 3300 * CK_US && t <= 3302 * CK_US, "%lld ns", (long long)t);
	sim_board_free(b);
}

Test(sim_board_clock, pll_setting_written_while_pllon_is_ignored)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);

	ck_f1_clock_up(b, 2, CK_F1_CFGR_64);
	fx_w(b, CK_F1_CFGR, 4, 7U << 18 | CK_SW_PLL);   /* x9 while the PLL runs */
	cr_expect_eq(fx_r(b, CK_F1_CFGR, 4) & (0xFU << 18), 14U << 18, "PLLMUL kept");
	cr_expect_eq(fx_r(b, CK_F1_CFGR, 4) & (7U << 8), 0U, "PPRE1 is not PLL setting: written");
	ck_wait(b, 300 * CK_US);
	fx_w(b, CK_F1_CR, 4, 0x81U);   /* PLLON off while it is SYSCLK: refused */
	cr_expect_eq(fx_r(b, CK_F1_CR, 4) & (3U << 24), 3U << 24, "PLLON and PLLRDY stay");
	sim_board_free(b);
	fx_teardown();   /* another part: a new state directory */
	fx_setup();
	b = ck_board("STM32F407VG", 16000000, 3300);
	ck_f4_clock_up(b, 2, CK_F4_PLL_84);
	fx_w(b, CK_F4_PLLCFGR, 4, 8U | 336U << 6);
	cr_expect_eq(fx_r(b, CK_F4_PLLCFGR, 4), CK_F4_PLL_84, "PLLCFGR kept while PLLON");
	sim_board_free(b);
}

Test(sim_board_clock, f1_at_64_mhz_reads_garbage_below_two_wait_states)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);

	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0x08000009U, "HSI, 0 WS: right");
	ck_f1_clock_up(b, 0, CK_F1_CFGR_64);
	ck_wait(b, 300 * CK_US);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), ~0x08000009U, "0 WS: debugger reads garbage");
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 2), 0xFFF6U, "half-word too");
	cr_expect_eq(ck_core_read(b, FX_FLASH + 4), ~0x08000009U, "0 WS: the core reads garbage");
	fx_w(b, CK_F1_ACR, 4, 0x11U);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), ~0x08000009U, "1 WS: garbage");
	cr_expect_eq(ck_core_read(b, FX_FLASH + 4), ~0x08000009U, "1 WS: the core too");
	fx_w(b, CK_F1_ACR, 4, 0x12U);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0x08000009U, "2 WS: right");
	cr_expect_eq(ck_core_read(b, FX_FLASH + 4), 0x08000009U, "2 WS: the core too");
	fx_w(b, CK_F1_ACR, 4, 0x14U);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0x08000009U, "more wait states than needed: right");
	sim_board_free(b);
}

Test(sim_board_clock, core_running_from_flash_faults_when_the_wait_states_fall_short)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);

	fx_system_reset(b);   /* C_HALT kept: clear it and let "b ." run from flash */
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
	ck_wait(b, 100 * CK_US);
	cr_assert(sim_board_core_running(b));
	ck_f1_clock_up(b, 1, CK_F1_CFGR_64);
	ck_wait(b, 150 * CK_US);
	cr_expect(sim_board_core_running(b), "HSI until the PLL locks");
	ck_wait(b, 100 * CK_US);
	cr_expect_not(sim_board_core_running(b), "garbage fetched: the core stops");
	cr_expect_eq(fx_r(b, FX_DHCSR, 4) & CK_S_LOCKUP, CK_S_LOCKUP, "S_LOCKUP");
	sim_board_free(b);
}

Test(sim_board_clock, f4_at_84_mhz_needs_two_wait_states_at_3v3_four_at_2v)
{
	sim_board *b = ck_board("STM32F407VG", 16000000, 3300);

	ck_f4_clock_up(b, 1, CK_F4_PLL_84);
	ck_wait(b, 300 * CK_US);
	cr_expect_eq(CK_SWS(fx_r(b, CK_F4_CFGR, 4)), CK_SW_PLL, "SYSCLK is the PLL");
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), ~0x08000009U, "1 WS at 84 MHz: garbage");
	cr_expect_eq(ck_core_read(b, FX_FLASH + 4), ~0x08000009U, "the core too");
	fx_w(b, CK_F4_ACR, 4, 0x702U);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0x08000009U, "2 WS: right");
	cr_expect_eq(ck_core_read(b, FX_FLASH + 4), 0x08000009U, "the core too");
	sim_board_free(b);
	fx_teardown();
	fx_setup();
	/* RM0090 Table 10 at 1.8-2.1 V: 20 MHz per wait state, 84 MHz needs 4 */
	b = ck_board("STM32F407VG", 16000000, 2000);
	ck_f4_clock_up(b, 3, CK_F4_PLL_84);
	ck_wait(b, 300 * CK_US);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), ~0x08000009U, "3 WS at 2.0 V: garbage");
	fx_w(b, CK_F4_ACR, 4, 0x704U);
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0x08000009U, "4 WS at 2.0 V: right");
	sim_board_free(b);
}

Test(sim_board_clock, system_reset_returns_to_hsi_and_zero_wait_states)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);

	ck_f1_clock_up(b, 2, CK_F1_CFGR_64);
	ck_wait(b, 300 * CK_US);
	cr_assert_eq(CK_SWS(fx_r(b, CK_F1_CFGR, 4)), CK_SW_PLL);
	fx_system_reset(b);
	cr_expect_eq(fx_r(b, CK_F1_CFGR, 4), 0, "CFGR reset: SW = SWS = HSI");
	cr_expect_eq(fx_r(b, CK_F1_CR, 4), 0x83U, "CR reset: HSION, HSIRDY, no PLL");
	cr_expect_eq(fx_r(b, CK_F1_ACR, 4), 0x30U, "ACR reset: 0 WS");
	cr_expect_eq(fx_r(b, FX_FLASH + 4, 4), 0x08000009U, "flash reads right at HSI");
	fx_halt(b);
	int64_t t = ck_loop_ns(b, 10000);
	cr_expect(t >= 2500 * CK_US && t <= 2502 * CK_US, "8 MHz again: %lld ns", (long long)t);
	sim_board_free(b);
}

/* Thumb (arm-none-eabi-as, Cortex-M3): the core clocks itself up as gang does, then r0 turns. */
static const uint8_t ck_prog_clock_up[48] = {
	0x06, 0x49,             /* 00 ldr  r1, =0x40022000  FLASH_ACR */
	0x12, 0x22,             /* 02 movs r2, #0x12 */
	0x0a, 0x60,             /* 04 str  r2, [r1]         LATENCY 2, PRFTBE */
	0x06, 0x49,             /* 06 ldr  r1, =0x40021000  RCC */
	0x06, 0x4a,             /* 08 ldr  r2, =0x00380400 */
	0x4a, 0x60,             /* 0a str  r2, [r1, #4]     CFGR: x16, APB1 /2 */
	0x06, 0x4a,             /* 0c ldr  r2, =0x01000081 */
	0x0a, 0x60,             /* 0e str  r2, [r1]         CR: PLLON */
	0x06, 0x4a,             /* 10 ldr  r2, =0x00380402 */
	0x4a, 0x60,             /* 12 str  r2, [r1, #4]     SW = PLL */
	0x01, 0x38,             /* 14 loop: subs r0, #1 */
	0xfd, 0xd1,             /* 16 bne  loop */
	0x00, 0xbe,             /* 18 bkpt */
	0x00, 0x00,
	0x00, 0x20, 0x02, 0x40, 0x00, 0x10, 0x02, 0x40,
	0x00, 0x04, 0x38, 0x00, 0x81, 0x00, 0x00, 0x01, 0x02, 0x04, 0x38, 0x00,
};

/* Thumb: ACR = 0 WS; r3 = [r0]; ACR = 2 WS; r4 = [r0]; bkpt. */
static const uint8_t ck_prog_acr[20] = {
	0x03, 0x49,             /* 00 ldr  r1, =0x40022000 */
	0x10, 0x22,             /* 02 movs r2, #0x10 */
	0x0a, 0x60,             /* 04 str  r2, [r1]   LATENCY 0 */
	0x03, 0x68,             /* 06 ldr  r3, [r0] */
	0x12, 0x22,             /* 08 movs r2, #0x12 */
	0x0a, 0x60,             /* 0a str  r2, [r1]   LATENCY 2 */
	0x04, 0x68,             /* 0c ldr  r4, [r0] */
	0x00, 0xbe,             /* 0e bkpt */
	0x00, 0x20, 0x02, 0x40,
};

static void ck_start(sim_board *b, const uint8_t *prog, size_t len, uint32_t r0)
{
	for (size_t i = 0; i < len; i++)
		fx_w(b, FX_SRAM + (uint32_t)i, 1, prog[i]);
	fx_set_reg(b, 0, r0);
	fx_set_reg(b, 15, FX_SRAM);
	fx_set_reg(b, 16, 0x01000000U);
	fx_w(b, FX_DHCSR, 4, 0xA05F0001U);
}

Test(sim_board_clock, the_core_clocking_itself_up_switches_in_its_own_run)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);
	int64_t t0 = sim_board_now(b);

	ck_start(b, ck_prog_clock_up, sizeof(ck_prog_clock_up), 100000);
	/* PLLON after 8 instructions (1 us), locked 200 us later; 1600 cycles at 8 MHz, 198 400 at 64;
	 * one long advance: the run itself must stop at the switch and go on at 64 MHz */
	sim_board_advance(b, t0 + 3299 * CK_US);
	cr_expect(sim_board_core_running(b), "3299 us: still looping");
	sim_board_advance(b, t0 + 3303 * CK_US);
	cr_expect_not(sim_board_core_running(b), "3303 us: on the bkpt");
	cr_expect_eq(fx_get_reg(b, 0), 0);
	cr_expect_eq(CK_SWS(fx_r(b, CK_F1_CFGR, 4)), CK_SW_PLL);
	sim_board_free(b);
}

Test(sim_board_clock, the_core_lowering_the_wait_states_reads_garbage_at_once)
{
	sim_board *b = ck_board("STM32F103RC", 8000000, 3300);

	ck_f1_clock_up(b, 2, CK_F1_CFGR_64);
	ck_wait(b, 300 * CK_US);
	ck_start(b, ck_prog_acr, sizeof(ck_prog_acr), FX_FLASH + 4);
	ck_wait(b, 10 * CK_US);
	cr_assert_not(sim_board_core_running(b));
	cr_expect_eq(fx_get_reg(b, 3), ~0x08000009U, "0 WS at 64 MHz: garbage");
	cr_expect_eq(fx_get_reg(b, 4), 0x08000009U, "2 WS: right");
	sim_board_free(b);
}

/* Turn the PLL on with a setting and report whether it locked within 10 ms. */
static bool ck_locks(sim_board *b, bool f4, uint32_t setting)
{
	if (f4)
		ck_f4_clock_up(b, 7, setting);
	else
		ck_f1_clock_up(b, 2, setting);
	ck_wait(b, 10 * FX_MS);
	uint32_t cr = fx_r(b, f4 ? CK_F4_CR : CK_F1_CR, 4);
	uint32_t cfgr = fx_r(b, f4 ? CK_F4_CFGR : CK_F1_CFGR, 4);
	cr_expect_eq((cr & CK_CR_PLLRDY) != 0, CK_SWS(cfgr) == CK_SW_PLL, "switched iff locked");
	return (cr & CK_CR_PLLRDY) != 0;
}

Test(sim_board_clock, a_pll_setting_out_of_range_never_locks)
{
	struct { const char *part; uint64_t hsi; bool f4; uint32_t setting; bool locks; } rows[] = {
		{ "STM32F103RC", 8000000, false, CK_F1_CFGR_64, true },
		{ "STM32F103RC", 8000000, false, 0U << 18, false },          /* x2: 8 MHz < 16 */
		{ "STM32F103RC", 8000000, false, 1U << 16 | 7U << 18, false },   /* HSE: no crystal */
		{ "STM32F030x8", 8000000, false, 10U << 18, true },          /* x12: 48 MHz */
		{ "STM32F030x8", 8000000, false, CK_F1_CFGR_64, false },     /* 64 > 48 MHz */
		{ "STM32F407VG", 16000000, true, CK_F4_PLL_84, true },
		{ "STM32F407VG", 16000000, true, 4U | 84U << 6 | 7U << 24, false },   /* VCO in 4 MHz */
		{ "STM32F407VG", 16000000, true, 16U | 90U << 6 | 7U << 24, false },  /* VCO 90 MHz */
		{ "STM32F407VG", 16000000, true, 8U | 200U << 6 | 7U << 24, false },  /* 400/2 > 168 */
		{ "STM32F411RE", 16000000, true, 16U | 336U << 6 | 7U << 24, false }, /* 168 > 100 */
		{ "STM32F407VG", 16000000, true, 16U | 336U << 6 | 1U << 16 | 1U << 24, false }, /* Q 1 */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sim_board *b = ck_board(rows[i].part, rows[i].hsi, 3300);
		cr_expect_eq(ck_locks(b, rows[i].f4, rows[i].setting), rows[i].locks, "row %zu (%s)", i,
			     rows[i].part);
		sim_board_free(b);
		fx_teardown();
		fx_setup();
	}
}
