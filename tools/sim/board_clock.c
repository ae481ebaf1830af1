/*
 * board_clock.c — the clock tree of the virtual board as far as the core
 * and the flash interface see it: RCC_CR (HSION/HSIRDY, HSEON/HSERDY,
 * PLLON/PLLRDY), RCC_CFGR (on F0/F1/F3 PLLSRC/PLLMUL; HPRE, SW/SWS) and on
 * F2/F4/F7 RCC_PLLCFGR (PLLM/N/P/Q/SRC); the SYSCLK source and the SYSCLK
 * and HCLK frequencies in force, which the core's cycle-to-time conversion
 * follows (board_run.c); and FLASH_ACR.LATENCY against that clock: with
 * too few wait states every read of flash returns garbage.
 *
 * What is modelled, and how strictly:
 * - HSI is the only oscillator: it cannot be switched off while it feeds
 *   SYSCLK directly or through the PLL (RM0008 §7.3.1 HSION), which on the
 *   bench is always, so HSION stays set. The boards have no crystal: HSEON
 *   is kept but HSERDY never sets, so SW = HSE or a PLL fed from HSE never
 *   takes effect.
 * - PLLON starts the PLL; PLLRDY sets CLOCK_PLL_LOCK_NS later (DS5792 PLL
 *   characteristics, t_LOCK 200 us; taken for every family). A setting
 *   the RM forbids makes the PLL never lock (silicon's behaviour is
 *   undefined; the bench takes the stricter): F0/F1/F3 PLL output outside
 *   16 MHz..the part's maximum SYSCLK (DS5792 f_PLL_OUT 16-72 MHz; F0
 *   48 MHz), F2/F4/F7 PLLM < 2, PLLQ < 2, VCO input outside 1-2 MHz, VCO
 *   output outside 100 (F2: 192)-432 MHz, PLL output above the part's
 *   maximum SYSCLK (RM0090 §6.3.2, RM0033 §5.3.2, RM0410 §5.3.2).
 * - The PLL configuration (F0/F1/F3 CFGR PLLSRC/PLLXTPRE/PLLMUL, F2/F4/F7
 *   PLLCFGR) can be written only while the PLL is off (RM0008 §7.3.2,
 *   RM0090 §6.3.2): writes while PLLON=1 leave it unchanged. PLLON cannot
 *   be cleared while the PLL is SYSCLK (RM0008 §7.3.1).
 * - SW selects SYSCLK; a source that is not ready is switched to when it
 *   becomes ready (RM0008 §7.2.6, RM0090 §6.2.6), and SWS follows.
 * - HCLK = SYSCLK / HPRE (RM0008 §7.3.2, RM0090 §6.3.3); the APB
 *   prescalers are stored only.
 * - Wait states: F0/F1/F3 one per 24 MHz of SYSCLK (RM0008 §3.3.3,
 *   RM0091 §3.5.1, RM0316 §4.5.1); F2/F4/F7 per HCLK and supply: F4
 *   RM0090 §3.5.1 Table 10 and F7 RM0410 §3.3.2 Table 7 30/24/22/20 MHz per
 *   wait state at 2.7-3.6/2.4-2.7/2.1-2.4/1.8-2.1 V, F2 RM0033 §2.3.4
 *   Table 3 30/24/18/16 MHz. More wait states than needed are fine.
 * - L0/L1 (RM0377 §7.3.1-2, RM0038 §6.3.1-2): the reset source is MSI
 *   (2.097 MHz, the part's core_hz), SW = 01 selects HSI16 once
 *   RCC_CR.HSI16ON/HSION (b0) is set, its ready flag (L0 HSI16RDYF b2,
 *   L1 HSIRDY b1) follows at once (the few-us start-up is not modelled);
 *   the source feeding SYSCLK cannot be switched off. SW = 11 selects
 *   the PLL: HSI16 x PLLMUL (3, 4, 6, 8, 12, 16, 24, 32, 48) / PLLDIV (2,
 *   3, 4), CFGR b16/b21:18/b23:22, locking CLOCK_PLL_LOCK_NS after PLLON
 *   when HSI16 is on, the VCO at most 96 MHz and the output at most
 *   32 MHz (RM0377 §7.2.4, RM0038 §6.2.5; stricter choice: anything else
 *   never locks). HSE is not modelled: selecting it never takes effect. Wait
 *   states: one per 16 MHz of HCLK, the voltage range 1 figures (RM0377
 *   §3.3.3 Table 13, RM0038 §3.3.3): PWR_CR.VOS is not modelled, and the
 *   stock OpenOCD stm32l0.cfg/stm32l1.cfg run HSI16 with LATENCY 0 at the
 *   reset range 2 (8 MHz per wait state on paper) and verify on
 *   silicon, so the bench takes the range that matches what parts do.
 * - All of it resets to HSI (L0/L1: MSI), 0 wait states, at system reset.
 * - L5/U5 (RM0438 §9, RM0456 §11): SYSCLK resets to MSI 4 MHz (the
 *   part's core_hz); SW = 01 selects HSI16 once RCC_CR.HSION (b8) is set
 *   (HSIRDY b10 reads set with it: the oscillator's start-up of a few
 *   microseconds is not modelled); HSE (SW = 10) never becomes ready; SW =
 *   11 selects the PLL once locked: L5 RCC_PLLCFGR (0x0C: PLLSRC[1:0],
 *   PLLM[7:4] + 1, PLLN[14:8], PLLREN b24, PLLR[26:25] = /2,/4,/6,/8), U5
 *   RCC_PLL1CFGR (0x28: PLL1SRC[1:0], PLL1M[11:8] + 1, PLL1REN b18) and
 *   RCC_PLL1DIVR (0x34: PLL1N[8:0] + 1, PLL1R[30:24] + 1), RCC_CR.PLLON
 *   b24 / PLLRDY b25, lock after CLOCK_PLL_LOCK_NS; a PLL from HSE, without
 *   its R output, or above the family's maximum (L5 110 MHz, U5 160 MHz)
 *   never locks; the VCO input/output ranges and the U5 EPOD booster are
 *   not judged, and the PLL registers are not frozen while it runs
 *   (unverified, lenient). HPRE: L5 RCC_CFGR[7:4]; U5 keeps it in
 *   RCC_CFGR2, stored only (HCLK = SYSCLK). Wait states against HCLK at
 *   the voltage range in force: L5 PWR_CR1.VOS[10:9] (00 range 0, 01
 *   range 1, 10 range 2 = reset), 20 MHz per wait state in ranges 0 and 1
 *   (up to 110 / 80 MHz), 8 MHz in range 2 (up to 26 MHz) (RM0438 §6.3.3);
 *   U5 PWR_VOSR.VOS[17:16] (11 range 1 ... 00 range 4 = reset), 32, 30, 24
 *   and 12 MHz per wait state up to 160, 110, 55 and 25 MHz (RM0456
 *   §7.3.3). Above the range's maximum every flash read is garbage. The
 *   range switch itself is instant (VOSRDY always set). So HSI16 needs
 *   FLASH_ACR.LATENCY >= 1 after reset on both. (Figures and the L5/U5
 *   sub-section numbers unverified.)
 * The double-word families (G0/C0/G4/L4/L4+/WB/WL) have their own tree in
 * board_clock_dw.c; the public functions below hand them over.
 */
#include "board_internal.h"

#define CLOCK_NEVER          INT64_MAX
#define CLOCK_PLL_LOCK_NS    200000   /* t_LOCK, DS5792 PLL characteristics */
#define CLOCK_MHZ            1000000ULL

#define RCC_CR               0x00U
#define RCC_PLLCFGR          0x04U     /* F2/F4/F7 */
#define RCC_CR_HSION         (1U << 0)
#define RCC_CR_HSIRDY        (1U << 1)
#define RCC_CR_PLLON         (1U << 24)
#define RCC_CR_PLLRDY        (1U << 25)
#define RCC_CR_RESET         0x00000083U   /* HSION, HSIRDY, HSITRIM = 16 */
#define RCC_CR_H7_HSIRDY     0x00000024U   /* H7: HSIRDY b2, HSIDIVF b5 (RM0433 §8.7.2) */
/* read-only: HSIRDY, HSICAL, HSERDY, PLLRDY, PLLI2SRDY, PLLSAIRDY */
#define RCC_CR_RO            0x2A02FF02U
#define RCC_CFGR_SW          0x3U
#define RCC_CFGR_SWS         (0x3U << 2)
#define RCC_SRC_HSI          0U        /* L0/L1: MSI */
#define RCC_SRC_HSI16        1U        /* L0/L1 only (F0/F1/F3/F2/F4/F7: HSE) */
#define RCC_SRC_PLL          2U        /* L0/L1: HSE (not modelled) */
#define RCC_SRC_PLL_L        3U        /* L0/L1 */
#define L_CFGR_PLL           0x00FD0000U   /* PLLSRC b16, PLLMUL[21:18], PLLDIV[23:22] */
#define RCC_CR_MSION         (1U << 8)
#define CLOCK_HSI16_HZ       16000000ULL
/* F0/F1/F3 CFGR: PLLSRC (b16, F0/F3 b15 too), PLLXTPRE b17, PLLMUL[21:18] */
#define FPEC_CFGR_PLL        0x003F8000U
#define FPEC_CFGR_PLLSRC     (3U << 15)
/*
 * F2/F4/F7 PLLCFGR: PLLM[5:0], PLLN[14:6], PLLP[17:16], PLLSRC b22,
 * PLLQ[27:24]; bits 30:28 (reserved, "keep at reset value" in RM0090;
 * PLLR on F446 and F76x) are stored as written and not judged.
 */
#define SECT_PLLCFGR_MASK    0x7F437FFFU
#define SECT_PLLCFGR_RESET   0x24003010U
#define SECT_PLLCFGR_HSE     (1U << 22)

/* L5/U5 RCC_CR (RM0438 §9.8.1, RM0456 §11.8.1) and the SW encoding */
#define TZ_RCC_CR_HSION      (1U << 8)
#define TZ_RCC_CR_HSIRDY     (1U << 10)
#define TZ_RCC_CR_L5_RESET   0x00000063U   /* MSION, MSIRDY, MSIRANGE 6 (4 MHz) */
#define TZ_RCC_CR_U5_RESET   0x00000035U   /* MSISON, MSISRDY, MSIKON, MSIKRDY */
#define TZ_RCC_CR_L5_RO      0x02020402U   /* PLLRDY, HSERDY, HSIRDY, MSIRDY */
#define TZ_RCC_CR_U5_RO      0x2A02A424U   /* PLLxRDY, HSERDY, SHSIRDY, HSI48RDY, HSIRDY, MSIxRDY */
#define TZ_SRC_MSI           0U
#define TZ_SRC_HSI16         1U
#define TZ_SRC_PLL           3U
#define TZ_HSI16_HZ          16000000U

/* What differs between the clock trees of the families. */
typedef struct clock_family {
	bool tz;                  /* L5/U5: MSI, HSI16 (TZ_SRC_*) */
	bool sect;                /* F2/F4/F7 RCC with PLLCFGR; else F0/F1/F3 */
	bool msi;                 /* L0/L1: MSI after reset, SW = 01 is HSI16, no PLL model */
	uint32_t hsi_rdy;         /* RCC_CR ready flag of the HSI (HSI16 on L0) */
	uint32_t cr_reset;
	uint32_t cr_ro;           /* read-only RCC_CR bits */
	bool h7;                  /* H7: HSI only (no PLL model), HSIRDY at b2, no HPRE in CFGR */
	bool ws_on_sysclk;        /* F0/F1/F3: LATENCY is set against SYSCLK, else HCLK */
	uint32_t max_mhz;         /* SYSCLK maximum unless the part says otherwise */
	uint32_t vco_min_mhz;     /* F2/F4/F7 */
	uint32_t ws_mhz[4];       /* MHz per wait state at >= 2.7, 2.4, 2.1 V and below;
				   * L5/U5: per voltage range (clock_tz_range) */
	uint32_t range_max_mhz[4];/* L5/U5: HCLK maximum per voltage range */
} clock_family;

#define CLOCK_F_CR  .hsi_rdy = RCC_CR_HSIRDY, .cr_reset = RCC_CR_RESET, .cr_ro = RCC_CR_RO
static const clock_family clock_fpec = { CLOCK_F_CR, .ws_on_sysclk = true, .max_mhz = 72U, .ws_mhz = { 24U, 24U, 24U, 24U } };
static const clock_family clock_f2 = { .sect = true, CLOCK_F_CR, .max_mhz = 120U, .vco_min_mhz = 192U,
				       .ws_mhz = { 30U, 24U, 18U, 16U } };
static const clock_family clock_f4 = { .sect = true, CLOCK_F_CR, .max_mhz = 168U, .vco_min_mhz = 100U,
				       .ws_mhz = { 30U, 24U, 22U, 20U } };
static const clock_family clock_f7 = { .sect = true, CLOCK_F_CR, .max_mhz = 216U, .vco_min_mhz = 100U,
				       .ws_mhz = { 30U, 24U, 22U, 20U } };
/* L0: CR reset MSION|MSIRDY; RO HSI16RDYF b2, HSI16DIVF b4, MSIRDY b9, HSERDY b17, PLLRDY b25 */
static const clock_family clock_l0 = { .msi = true, .hsi_rdy = 1U << 2, .cr_reset = 0x300U, .cr_ro = 0x02020214U,
				       .max_mhz = 32U, .ws_mhz = { 16U, 16U, 16U, 16U } };
/* L1: RO HSIRDY b1, MSIRDY b9, HSERDY b17, PLLRDY b25 */
static const clock_family clock_l1 = { .msi = true, .hsi_rdy = 1U << 1, .cr_reset = 0x300U, .cr_ro = 0x02020202U,
				       .max_mhz = 32U, .ws_mhz = { 16U, 16U, 16U, 16U } };
/* L5/U5: RCC_CR is read and written by the TZ paths (clock_write_cr_tz); cr_reset per part below */
static const clock_family clock_l5 = { .tz = true, CLOCK_F_CR, .max_mhz = 110U, .ws_mhz = { 20U, 20U, 8U, 8U },
				       .range_max_mhz = { 110U, 80U, 26U, 26U } };
static const clock_family clock_u5 = { .tz = true, CLOCK_F_CR, .max_mhz = 160U, .ws_mhz = { 32U, 30U, 24U, 12U },
				       .range_max_mhz = { 160U, 110U, 55U, 25U } };
/*
 * H7 after reset: VOS3, where the AXI clock allows 45 MHz per wait state
 * (RM0433 §4.3.8 Table 17; unverified, from memory); the bench keeps VOS3
 * (PWR_D3CR is not modelled) and the supply does not enter. CR resets to
 * HSION, HSIRDY b2 and HSIDIVF b5 read as set.
 */
static const clock_family clock_h7 = { .hsi_rdy = RCC_CR_H7_HSIRDY, .cr_reset = RCC_CR_HSION, .cr_ro = RCC_CR_RO,
				       .h7 = true, .max_mhz = 480U, .ws_mhz = { 45U, 45U, 45U, 45U } };

/* Parts whose maximum SYSCLK differs from their family's (the parts' datasheets, §1). */
static const struct { uint16_t dev_id; uint32_t mhz; } clock_part_max[] = {
	{ 0x440U, 48U },    /* STM32F030x8, DS9773 */
	{ 0x431U, 100U },   /* STM32F411, DS10314 */
	{ 0x419U, 180U },   /* STM32F429, DS9405 */
	{ 0x421U, 180U },   /* STM32F446, DS10693 */
};

static const clock_family *clock_fam(const sim_board *b)
{
	switch (b->part->flash_ctl) {
	case SIM_FLASH_F2: return &clock_f2;
	case SIM_FLASH_F4: return &clock_f4;
	case SIM_FLASH_F7: return &clock_f7;
	case SIM_FLASH_L5: return &clock_l5;
	case SIM_FLASH_U5: return &clock_u5;
	case SIM_FLASH_L0: return &clock_l0;
	case SIM_FLASH_L1: return &clock_l1;
	case SIM_FLASH_H7: return &clock_h7;
	default: return &clock_fpec;
	}
}

static uint64_t clock_max_hz(const sim_board *b)
{
	for (size_t i = 0; i < sizeof(clock_part_max) / sizeof(clock_part_max[0]); i++)
		if (clock_part_max[i].dev_id == b->part->dev_id)
			return clock_part_max[i].mhz * CLOCK_MHZ;
	return clock_fam(b)->max_mhz * CLOCK_MHZ;
}

static uint64_t clock_hsi(const sim_board *b)
{
	return b->cfg.timing.core_hz;
}

/* F0/F1/F3 PLL output from HSI/2 (RM0008 §7.3.2 PLLMUL: x2..x16); 0: never locks. */
static uint64_t clock_pll_fpec(const sim_board *b)
{
	uint32_t cfgr = b->clock.cfgr, mul = ((cfgr >> 18) & 0xFU) + 2U;
	uint64_t out = clock_hsi(b) / 2U * (mul > 16U ? 16U : mul);

	if (cfgr & FPEC_CFGR_PLLSRC)
		return 0;   /* HSE (or HSI/PREDIV on F0/F3 parts that have it): not modelled */
	if (out < 16U * CLOCK_MHZ || out > clock_max_hz(b))
		return 0;
	return out;
}

/* F2/F4/F7 main PLL output: HSI / PLLM x PLLN / PLLP (RM0090 §6.3.2); 0: never locks. */
static uint64_t clock_pll_sect(const sim_board *b)
{
	uint32_t r = b->clock.pllcfgr, m = r & 0x3FU, n = (r >> 6) & 0x1FFU;
	uint32_t p = (((r >> 16) & 3U) + 1U) * 2U, q = (r >> 24) & 0xFU;
	uint64_t hsi = clock_hsi(b), vco;

	if ((r & SECT_PLLCFGR_HSE) || m < 2U || q < 2U)
		return 0;
	if (hsi < m * CLOCK_MHZ || hsi > 2U * m * CLOCK_MHZ)
		return 0;   /* VCO input outside 1-2 MHz */
	vco = hsi * n / m;
	if (vco < clock_fam(b)->vco_min_mhz * CLOCK_MHZ || vco > 432U * CLOCK_MHZ)
		return 0;
	return vco / p > clock_max_hz(b) ? 0 : vco / p;
}

static uint32_t clock_rcc(const sim_board *b, uint32_t off)
{
	return b->periph.rcc[off / 4U];
}

/* L5/U5 PLL (R output) from MSI or HSI16; 0: never locks. */
static uint64_t clock_pll_tz(const sim_board *b)
{
	bool u5 = b->part->flash_ctl == SIM_FLASH_U5;
	uint32_t cfg = clock_rcc(b, u5 ? 0x28U : 0x0CU), div = clock_rcc(b, 0x34U);
	uint32_t src = cfg & 3U, m, n, r;
	uint64_t in, out;

	if (u5) {
		m = ((cfg >> 8) & 0xFU) + 1U;
		n = (div & 0x1FFU) + 1U;
		r = ((div >> 24) & 0x7FU) + 1U;
	} else {
		m = ((cfg >> 4) & 0xFU) + 1U;
		n = (cfg >> 8) & 0x7FU;
		r = (((cfg >> 25) & 3U) + 1U) * 2U;
	}
	if (!(cfg & (u5 ? (1U << 18) : (1U << 24))))
		return 0;   /* the R output (SYSCLK) is not enabled */
	if (src == 1U)
		in = clock_hsi(b);
	else if (src == 2U && (b->clock.cr & TZ_RCC_CR_HSION))
		in = TZ_HSI16_HZ;
	else
		return 0;   /* none or HSE */
	out = in * n / m / r;
	return out == 0 || out > clock_max_hz(b) ? 0 : out;
}

/* L0/L1 PLL from HSI16 (RM0377 §7.3.3 PLLMUL/PLLDIV); 0: never locks. */
static uint64_t clock_pll_l(const sim_board *b)
{
	static const uint8_t mul[16] = { 3, 4, 6, 8, 12, 16, 24, 32, 48 };
	uint32_t cfgr = b->clock.cfgr, m = mul[(cfgr >> 18) & 0xFU], d = (cfgr >> 22) & 3U;
	uint64_t vco = CLOCK_HSI16_HZ * m;

	if ((cfgr & (1U << 16)) || m == 0 || d == 0 || !(b->clock.cr & RCC_CR_HSION))
		return 0;   /* HSE source, a reserved PLLMUL/PLLDIV, or HSI16 off */
	if (vco > 96U * CLOCK_MHZ || vco / (d + 1U) > 32U * CLOCK_MHZ)
		return 0;
	return vco / (d + 1U);
}

/*
 * H7: RCC_PLLCKSELR/PLL1DIVR are not modelled, so PLL1 never locks and
 * SYSCLK stays on HSI 64 MHz (HSIDIV not modelled either).
 */
static uint64_t clock_pll_hz(const sim_board *b)
{
	if (clock_fam(b)->h7)
		return 0;
	if (clock_fam(b)->tz)
		return clock_pll_tz(b);
	if (clock_fam(b)->msi)
		return clock_pll_l(b);
	return clock_fam(b)->sect ? clock_pll_sect(b) : clock_pll_fpec(b);
}

/* SYSCLK for a source in force: the HSI (MSI on L5/U5), HSI16 or the PLL. */
static uint64_t clock_src_hz(const sim_board *b, unsigned src)
{
	if (clock_fam(b)->tz && src == TZ_SRC_PLL)
		return clock_pll_hz(b);
	if (clock_fam(b)->tz)
		return src == TZ_SRC_HSI16 ? TZ_HSI16_HZ : clock_hsi(b);
	return src == RCC_SRC_PLL ? clock_pll_hz(b) : clock_hsi(b);
}

/* HPRE[7:4]: 0xxx /1, 1000 /2 ... 1011 /16, 1100 /64 ... 1111 /512 (RM0008 §7.3.2). */
static unsigned clock_hpre_shift(uint32_t cfgr)
{
	static const unsigned shift[8] = { 1U, 2U, 3U, 4U, 6U, 7U, 8U, 9U };
	unsigned h = (cfgr >> 4) & 0xFU;

	return h < 8U ? 0U : shift[h - 8U];
}

/* The frequencies for the source in force; the core's clock follows HCLK. */
static void clock_update_hz(sim_board *b)
{
	board_clock *k = &b->clock;

	if (clock_fam(b)->msi)
		k->sysclk_hz = k->sws == RCC_SRC_HSI16 ? CLOCK_HSI16_HZ :
			       k->sws == RCC_SRC_PLL_L ? clock_pll_hz(b) : clock_hsi(b);
	else
		k->sysclk_hz = clock_src_hz(b, k->sws);
	/* H7: HPRE is in RCC_D1CFGR (not modelled); CFGR[7:4] hold other fields; U5 keeps HPRE in CFGR2 */
	k->hclk_hz = k->sysclk_hz >> (clock_fam(b)->h7 || b->part->flash_ctl == SIM_FLASH_U5 ? 0U :
				      clock_hpre_shift(k->cfgr));
	board_core_reclock(b, k->hclk_hz);
	board_clock_flash_changed(b);
}

void board_clock_reset(sim_board *b)
{
	board_clock *k = &b->clock;

	if (board_clock_is_dw(b)) {
		board_clock_dw_reset(b);
		return;
	}
	k->cr = clock_fam(b)->cr_reset;
	if (clock_fam(b)->tz)
		k->cr = b->part->flash_ctl == SIM_FLASH_U5 ? TZ_RCC_CR_U5_RESET : TZ_RCC_CR_L5_RESET;
	k->cfgr = 0;
	k->pllcfgr = clock_fam(b)->sect ? SECT_PLLCFGR_RESET : 0U;
	k->pll_lock_at = CLOCK_NEVER;
	k->sw_at = 0;
	k->sws = RCC_SRC_HSI;
	clock_update_hz(b);
}

/* When the source SW selects is ready: HSI always, the PLL once locked, HSE never. */
static int64_t clock_ready_at(const sim_board *b, unsigned src)
{
	if (clock_fam(b)->tz) {
		if (src == TZ_SRC_MSI || (src == TZ_SRC_HSI16 && (b->clock.cr & TZ_RCC_CR_HSION)))
			return INT64_MIN;
		if (src == TZ_SRC_PLL && (b->clock.cr & RCC_CR_PLLON))
			return b->clock.pll_lock_at;
		return CLOCK_NEVER;
	}
	if (src == RCC_SRC_HSI)
		return INT64_MIN;
	if (clock_fam(b)->msi && src == RCC_SRC_HSI16)
		return (b->clock.cr & RCC_CR_HSION) ? INT64_MIN : CLOCK_NEVER;
	if (clock_fam(b)->msi && src == RCC_SRC_PLL_L && (b->clock.cr & RCC_CR_PLLON))
		return b->clock.pll_lock_at;
	if (clock_fam(b)->msi)
		return CLOCK_NEVER;   /* HSE */
	if (src == RCC_SRC_PLL && (b->clock.cr & RCC_CR_PLLON))
		return b->clock.pll_lock_at;
	return CLOCK_NEVER;
}

int64_t board_clock_switch_at(const sim_board *b)
{
	const board_clock *k = &b->clock;
	unsigned sw = k->cfgr & RCC_CFGR_SW;
	int64_t ready;

	if (board_clock_is_dw(b))
		return board_clock_dw_switch_at(b);
	if (sw == k->sws)
		return CLOCK_NEVER;
	ready = clock_ready_at(b, sw);
	return ready > k->sw_at ? ready : k->sw_at;
}

void board_clock_sync(sim_board *b, int64_t t)
{
	if (board_clock_is_dw(b)) {
		board_clock_dw_sync(b, t);
		return;
	}
	if (board_clock_switch_at(b) > t)
		return;
	b->clock.sws = b->clock.cfgr & RCC_CFGR_SW;
	clock_update_hz(b);
}

static uint32_t clock_read_cr(const sim_board *b, int64_t t)
{
	const board_clock *k = &b->clock;
	const clock_family *f = clock_fam(b);
	uint32_t v = k->cr | (f->msi ? 0U : f->hsi_rdy);

	if (f->msi && (k->cr & RCC_CR_MSION))
		v |= RCC_CR_MSION << 1;   /* MSIRDY */
	if (f->msi && (k->cr & RCC_CR_HSION))
		v |= f->hsi_rdy;

	if ((k->cr & RCC_CR_PLLON) && t >= k->pll_lock_at)
		v |= RCC_CR_PLLRDY;
	return v;
}

bool board_clock_read(sim_board *b, uint32_t off, uint32_t *val)
{
	const board_clock *k = &b->clock;
	int64_t t = board_time(b);

	if (board_clock_is_dw(b))
		return board_clock_dw_read(b, off, val);
	if (off == RCC_CR && clock_fam(b)->tz) {
		*val = k->cr | ((k->cr & TZ_RCC_CR_HSION) ? TZ_RCC_CR_HSIRDY : 0U);
		if ((k->cr & RCC_CR_PLLON) && t >= k->pll_lock_at)
			*val |= RCC_CR_PLLRDY;
	} else if (off == RCC_CR) {
		*val = clock_read_cr(b, t);
	} else if (off == b->part->io->rcc_cfgr_off) {
		unsigned sws = board_clock_switch_at(b) <= t ? (k->cfgr & RCC_CFGR_SW) : k->sws;
		*val = k->cfgr | sws << 2;
	} else if (off == RCC_PLLCFGR && clock_fam(b)->sect) {
		*val = k->pllcfgr;
	} else {
		return false;
	}
	return true;
}

static void clock_write_cr(sim_board *b, uint32_t val, int64_t t)
{
	board_clock *k = &b->clock;
	bool was_on = (k->cr & RCC_CR_PLLON) != 0;

	if (was_on && k->sws == (clock_fam(b)->msi ? RCC_SRC_PLL_L : RCC_SRC_PLL))
		val |= RCC_CR_PLLON;   /* cannot be reset while the PLL is SYSCLK */
	if (!clock_fam(b)->msi || k->sws != RCC_SRC_HSI)
		val |= RCC_CR_HSION;   /* HSI (L0/L1 HSI16) feeds SYSCLK directly or through the PLL */
	else
		val |= RCC_CR_MSION;   /* L0/L1: MSI is SYSCLK */
	k->cr = val & ~clock_fam(b)->cr_ro;
	if (!(val & RCC_CR_PLLON))
		k->pll_lock_at = CLOCK_NEVER;
	else if (!was_on)
		k->pll_lock_at = clock_pll_hz(b) != 0 ? t + CLOCK_PLL_LOCK_NS : CLOCK_NEVER;
}

/* L5/U5: MSI and HSI16 cannot be switched off while they are SYSCLK (RM0438 §9.8.1). */
static void clock_write_cr_tz(sim_board *b, uint32_t val, int64_t t)
{
	board_clock *k = &b->clock;
	bool was_on = (k->cr & RCC_CR_PLLON) != 0;
	bool u5 = b->part->flash_ctl == SIM_FLASH_U5;
	uint32_t ro = u5 ? TZ_RCC_CR_U5_RO : TZ_RCC_CR_L5_RO;
	uint32_t rdy = u5 ? 0x24U : 0x02U;   /* MSI(S/K)RDY: MSI runs for ever on the bench */

	if (k->sws == TZ_SRC_HSI16)
		val |= TZ_RCC_CR_HSION;
	if (k->sws == TZ_SRC_MSI)
		val |= 1U;   /* MSION / MSISON */
	if (k->sws == TZ_SRC_PLL)
		val |= RCC_CR_PLLON;
	k->cr = (val & ~ro & ~TZ_RCC_CR_HSIRDY) | rdy;
	if (!(val & RCC_CR_PLLON))
		k->pll_lock_at = CLOCK_NEVER;
	else if (!was_on)
		k->pll_lock_at = clock_pll_hz(b) != 0 ? t + CLOCK_PLL_LOCK_NS : CLOCK_NEVER;
}

static void clock_write_cfgr(sim_board *b, uint32_t val, int64_t t)
{
	board_clock *k = &b->clock;
	uint32_t keep = RCC_CFGR_SWS;

	if (!clock_fam(b)->sect && !clock_fam(b)->tz && (k->cr & RCC_CR_PLLON))   /* frozen while it runs */
		keep |= clock_fam(b)->msi ? L_CFGR_PLL : FPEC_CFGR_PLL;
	k->cfgr = (k->cfgr & keep) | (val & ~keep);
	k->cfgr &= ~RCC_CFGR_SWS;
	k->sw_at = t;
	clock_update_hz(b);   /* HPRE takes effect at once */
}

/* A switch the write made pending ends the core's run there, in the old clock. */
static void clock_stop_core_at_switch(sim_board *b)
{
	int64_t at = board_clock_switch_at(b);

	if (at != CLOCK_NEVER)
		board_core_stop_by(b, at);
}

bool board_clock_write(sim_board *b, uint32_t off, uint32_t val)
{
	int64_t t = board_time(b);

	if (board_clock_is_dw(b)) {
		bool handled = board_clock_dw_write(b, off, val);
		clock_stop_core_at_switch(b);
		return handled;
	}
	board_clock_sync(b, t);
	if (off == RCC_CR && clock_fam(b)->tz)
		clock_write_cr_tz(b, val, t);
	else if (off == RCC_CR)
		clock_write_cr(b, val, t);
	else if (off == b->part->io->rcc_cfgr_off)
		clock_write_cfgr(b, val, t);
	else if (off == RCC_PLLCFGR && clock_fam(b)->sect && !(b->clock.cr & RCC_CR_PLLON))
		b->clock.pllcfgr = val & SECT_PLLCFGR_MASK;
	else if (off != RCC_PLLCFGR || !clock_fam(b)->sect)
		return false;
	board_clock_sync(b, t);   /* a source already ready is switched to at once */
	clock_stop_core_at_switch(b);
	return true;
}

/* ---- flash wait states ------------------------------------------------------ */

/* L5/U5 voltage range in force as a table index: L5 range 0..2, U5 range 1..4 as 0..3. */
static unsigned clock_tz_range(const sim_board *b)
{
	unsigned v;

	if (b->part->flash_ctl == SIM_FLASH_U5)
		return 3U - ((b->periph.pwr_vosr >> 16) & 3U);
	v = (b->periph.pwr_cr >> 9) & 3U;
	return v > 2U ? 2U : v;   /* 11 is reserved: taken as range 2 */
}

static uint64_t clock_ws_hz(const sim_board *b)
{
	const clock_family *f = clock_fam(b);
	unsigned mv = b->cfg.vdd_mv, i = mv >= 2700U ? 0U : mv >= 2400U ? 1U : mv >= 2100U ? 2U : 3U;

	if (f->tz)
		i = clock_tz_range(b);
	return f->ws_mhz[i] * CLOCK_MHZ;
}

bool board_clock_flash_ok(const sim_board *b)
{
	const board_clock *k = &b->clock;
	uint64_t hz = clock_fam(b)->ws_on_sysclk ? k->sysclk_hz : k->hclk_hz;

	if (board_clock_is_dw(b))
		return board_clock_dw_flash_ok(b);
	if (clock_fam(b)->tz && hz > clock_fam(b)->range_max_mhz[clock_tz_range(b)] * CLOCK_MHZ)
		return false;   /* above the voltage range's maximum */
	return hz <= clock_ws_hz(b) * (b->fm->latency(b) + 1U);
}

/*
 * Silicon returns undefined data when the flash is read with too few wait
 * states; the bench returns every bit inverted, deterministic and wrong in
 * every bit, so a verify, a CRC or a blank check over any data fails.
 * A core instruction fetch from flash in that state is a fault
 * (board_core.c maps flash as MMIO, which the core cannot execute from):
 * the bench does not execute garbage.
 */
uint32_t board_clock_garble(uint32_t v, unsigned size)
{
	return size == 4 ? ~v : ~v & ((1U << (8U * size)) - 1U);
}

void board_clock_flash_changed(sim_board *b)
{
	board_core *c = &b->core;
	bool ok = board_clock_flash_ok(b);

	if (!c->flash_mapped && !c->flash_garbled)
		return;   /* blocked by RDP 1: stays unmapped */
	if (ok == c->flash_mapped)
		return;
	if (c->in_emu)
		board_core_stop_by(b, board_core_now(b));   /* remapped before the next run */
	else
		board_core_map_flash(b);
}
