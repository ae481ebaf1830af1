/*
 * board_clock_dw.c — the clock tree of the double-word families (G0, C0,
 * G4, L4, L4+, WB, WL) as far as the core and the flash see it; board_clock.c
 * hands these families over here.
 *
 * Modelled: the reset clock (RM0444 §5.2.3 G0 HSISYS = HSI16; RM0490 §6.2
 * C0 HSISYS = HSI48 / 4 = 12 MHz; RM0440 §7.2 G4 HSI16; RM0351 §6.2.3
 * L4/L4+/WB/WL MSI 4 MHz, RCC_CR.MSIRANGE = 6), the switch to HSI16 (L4
 * style: RCC_CR.HSION, then CFGR.SW = 01; the switch happens once HSIRDY,
 * here at once), HSIDIV on G0/C0 (RCC_CR[13:11]: /1../128, C0 48 MHz at
 * /1), HPRE (CFGR[7:4]; G0/C0 CFGR[11:8]); the oscillator in use cannot be
 * switched off (RM0351 §6.4.1); the main PLL from HSI16 (or MSI) through
 * RCC_PLLCFGR (0x0C: PLLSRC[1:0], PLLM[6:4] (G4 [7:4]), PLLN[14:8], PLLR
 * with PLLREN: L4/L4+/G4 [26:25] / b24 as /2../8, G0/WB/WL [31:29] / b28 as
 * /(R+1)), PLLON/PLLRDY in RCC_CR (b24/b25), locking DW_PLL_LOCK_NS after
 * PLLON (unverified) when VCO input is 2.66-16 MHz, VCO 64-344 MHz and the
 * output at most the family's SYSCLK (L4 80, L4+ 120, G4 170, G0/WB 64, WL
 * 48 MHz; RM0351 §6.4.4, RM0444 §5.4.4, RM0440 §7.4.4); other settings
 * never lock (strict). The PLL setting is frozen while PLLON (RM0351
 * §6.4.4). C0 has no PLL. Not modelled: MSIRANGE changes, HSE (never
 * ready), the voltage ranges (range 1 assumed; G4 in boost mode).
 * Wait states (HCLK per wait state, range 1): L4 16 MHz (RM0351 §3.3.3
 * Table 11), L4+ 20 MHz (RM0432 §3.3.3, boost), G4 34 MHz (RM0440 §5.3.3,
 * boost mode, unverified), G0 24 MHz (RM0444 §3.3.4), C0 24 MHz (RM0490
 * §3.3.4), WB/WL 18 MHz (RM0434 §3.3.4, RM0461 §3.3.4); with fewer wait
 * states a flash read returns garbage (board_clock.c).
 */
#include "board_internal.h"

#define DW_MHZ          1000000ULL
#define DW_HSI16_HZ     16000000ULL
#define DW_CR_MSION     (1U << 0)
#define DW_CR_MSIRDY    (1U << 1)
#define DW_CR_HSION     (1U << 8)
#define DW_CR_HSIRDY    (1U << 10)
#define DW_CR_HSIDIV_SH 11U
#define DW_CR_RO        0x02020402U   /* MSIRDY, HSIRDY, HSERDY, PLLRDY */
#define DW_SRC_MSI      0U            /* L4 style; G0/C0: 0 = HSISYS */
#define DW_SRC_HSI      1U
#define DW_NEVER        INT64_MAX
#define DW_CR_PLLON     (1U << 24)
#define DW_CR_PLLRDY    (1U << 25)
#define DW_PLLCFGR      0x0CU
#define DW_PLL_LOCK_NS  40000         /* PLL lock time (DS10198 t_LOCK, unverified) */

typedef struct clock_dw {
	bool hsisys;          /* G0/C0: SW[2:0] 000 = HSISYS, SWS[5:3], HPRE[11:8] */
	bool msi;             /* L4 style: MSI after reset */
	uint32_t cr_reset, cfgr_reset;
	unsigned hsidiv_reset;   /* log2 of the HSISYS divider after reset */
	uint32_t ws_mhz;
	unsigned sw_pll;      /* CFGR.SW selecting the PLL; 0: no PLL (C0) */
	bool pllr_hi;         /* PLLR[31:29] and PLLREN b28 (G0/WB/WL); else [26:25], b24 */
	uint32_t pllm_mask;   /* PLLM field after >> 4 */
	uint32_t max_mhz;
} clock_dw;

static const clock_dw clock_g0 = { true, false, 0x00000500U, 0U, 0U, 24U, 2U, true, 7U, 64U };
static const clock_dw clock_c0 = { true, false, 0x00001500U, 0U, 2U, 24U, 0U, false, 0U, 48U };
static const clock_dw clock_g4 = { false, false, 0x00000500U, 0x00000001U, 0U, 34U, 3U, false, 0xFU, 170U };
static const clock_dw clock_l4 = { false, true, 0x00000063U, 0U, 0U, 16U, 3U, false, 7U, 80U };
static const clock_dw clock_l4p = { false, true, 0x00000063U, 0U, 0U, 20U, 3U, false, 7U, 120U };
static const clock_dw clock_wb = { false, true, 0x00000063U, 0U, 0U, 18U, 3U, true, 7U, 64U };
static const clock_dw clock_wl = { false, true, 0x00000063U, 0U, 0U, 18U, 3U, true, 7U, 48U };

bool board_clock_is_dw(const sim_board *b)
{
	return b->part->flash_ctl >= SIM_FLASH_G0 && b->part->flash_ctl <= SIM_FLASH_WL;   /* not L0/L1/H7 */
}

static const clock_dw *clock_dw_fam(const sim_board *b)
{
	switch (b->part->flash_ctl) {
	case SIM_FLASH_G0: return &clock_g0;
	case SIM_FLASH_C0: return &clock_c0;
	case SIM_FLASH_G4: return &clock_g4;
	case SIM_FLASH_L4P: return &clock_l4p;
	case SIM_FLASH_WB: return &clock_wb;
	case SIM_FLASH_WL: return &clock_wl;
	default: return &clock_l4;
	}
}

static unsigned dw_sw(const sim_board *b)
{
	return b->clock.cfgr & (clock_dw_fam(b)->hsisys ? 7U : 3U);
}

/* The PLL's R output for the setting in RCC_PLLCFGR; 0: it never locks. */
static uint64_t dw_pll_hz(const sim_board *b)
{
	const clock_dw *f = clock_dw_fam(b);
	uint32_t r = b->clock.pllcfgr, src = r & 3U, m = ((r >> 4) & f->pllm_mask) + 1U;
	uint32_t n = (r >> 8) & 0x7FU;
	uint32_t div = f->pllr_hi ? (r >> 29) + 1U : (((r >> 25) & 3U) + 1U) * 2U;
	bool ren = (r & (f->pllr_hi ? 1U << 28 : 1U << 24)) != 0;
	uint64_t hsi16 = f->msi ? DW_HSI16_HZ : b->cfg.timing.core_hz << f->hsidiv_reset;
	uint64_t in = src == 2U ? hsi16 : src == 1U && f->msi ? b->cfg.timing.core_hz : 0U;
	uint64_t vin = in / m, vco = vin * n;

	if (f->sw_pll == 0 || !ren || in == 0 || n < 8U || div < 2U)
		return 0;
	if (src == 2U && !(b->clock.cr & DW_CR_HSION))
		return 0;
	if (vin < 2660000U || vin > 16U * DW_MHZ || vco < 64U * DW_MHZ || vco > 344U * DW_MHZ)
		return 0;
	return vco / div > f->max_mhz * DW_MHZ ? 0U : vco / div;
}

/* The source's frequency; 0: not ready. cfg core_hz is the reset clock. */
static uint64_t dw_src_hz(const sim_board *b, unsigned src)
{
	const clock_dw *f = clock_dw_fam(b);
	uint32_t cr = b->clock.cr;

	if (f->sw_pll != 0 && src == f->sw_pll)
		return (cr & DW_CR_PLLON) && board_time(b) >= b->clock.pll_lock_at ? dw_pll_hz(b) : 0U;
	if (f->hsisys) {
		uint64_t hsi = b->cfg.timing.core_hz << f->hsidiv_reset;
		return src == 0U ? hsi >> ((cr >> DW_CR_HSIDIV_SH) & 7U) : 0U;
	}
	if (src == DW_SRC_MSI && f->msi && (cr & DW_CR_MSION))
		return b->cfg.timing.core_hz;
	if (src == DW_SRC_HSI && (cr & DW_CR_HSION))
		return f->msi ? DW_HSI16_HZ : b->cfg.timing.core_hz;
	return 0;
}

static unsigned dw_hpre_shift(const sim_board *b)
{
	static const unsigned shift[8] = { 1U, 2U, 3U, 4U, 6U, 7U, 8U, 9U };
	unsigned h = (b->clock.cfgr >> (clock_dw_fam(b)->hsisys ? 8U : 4U)) & 0xFU;

	return h < 8U ? 0U : shift[h - 8U];
}

static void dw_update_hz(sim_board *b)
{
	board_clock *k = &b->clock;

	k->sysclk_hz = dw_src_hz(b, k->sws);
	k->hclk_hz = k->sysclk_hz >> dw_hpre_shift(b);
	board_core_reclock(b, k->hclk_hz);
	board_clock_flash_changed(b);
}

void board_clock_dw_reset(sim_board *b)
{
	const clock_dw *f = clock_dw_fam(b);
	board_clock *k = &b->clock;

	k->cr = f->cr_reset;
	k->cfgr = f->cfgr_reset;
	k->pllcfgr = 0x00001000U;   /* PLLN = 16 */
	k->pll_lock_at = DW_NEVER;
	k->sw_at = 0;
	k->sws = dw_sw(b);
	dw_update_hz(b);
}

int64_t board_clock_dw_switch_at(const sim_board *b)
{
	const clock_dw *f = clock_dw_fam(b);
	unsigned sw = dw_sw(b);

	if (sw == b->clock.sws)
		return DW_NEVER;
	if (f->sw_pll != 0 && sw == f->sw_pll) {   /* once the PLL locks */
		if (!(b->clock.cr & DW_CR_PLLON) || dw_pll_hz(b) == 0)
			return DW_NEVER;
		return b->clock.pll_lock_at > b->clock.sw_at ? b->clock.pll_lock_at : b->clock.sw_at;
	}
	if (dw_src_hz(b, sw) == 0)
		return DW_NEVER;
	return b->clock.sw_at;
}

void board_clock_dw_sync(sim_board *b, int64_t t)
{
	if (board_clock_dw_switch_at(b) > t)
		return;
	b->clock.sws = dw_sw(b);
	dw_update_hz(b);
}

bool board_clock_dw_read(sim_board *b, uint32_t off, uint32_t *val)
{
	const board_clock *k = &b->clock;
	bool hsisys = clock_dw_fam(b)->hsisys;

	board_clock_dw_sync(b, board_time(b));
	if (off == 0U) {
		*val = k->cr | ((k->cr & DW_CR_MSION) && clock_dw_fam(b)->msi ? DW_CR_MSIRDY : 0U) |
		       ((k->cr & DW_CR_HSION) || hsisys ? DW_CR_HSIRDY : 0U) |
		       ((k->cr & DW_CR_PLLON) && board_time(b) >= k->pll_lock_at ? DW_CR_PLLRDY : 0U);
	} else if (off == DW_PLLCFGR && clock_dw_fam(b)->sw_pll != 0) {
		*val = k->pllcfgr;
	} else if (off == b->part->io->rcc_cfgr_off) {
		*val = k->cfgr | k->sws << (hsisys ? 3U : 2U);
	} else {
		return false;
	}
	return true;
}

/* RCC_CR: the oscillator feeding SYSCLK (or the PLL in use) stays on (RM0351 §6.4.1). */
static void dw_write_cr(sim_board *b, uint32_t val, int64_t t)
{
	const clock_dw *f = clock_dw_fam(b);
	board_clock *k = &b->clock;
	bool pll_sys = f->sw_pll != 0 && k->sws == f->sw_pll, was_on = (k->cr & DW_CR_PLLON) != 0;

	val &= ~DW_CR_RO;
	if (f->hsisys || k->sws == DW_SRC_HSI || (pll_sys && (k->pllcfgr & 3U) == 2U))
		val |= DW_CR_HSION;
	if (f->msi && (k->sws == DW_SRC_MSI || (pll_sys && (k->pllcfgr & 3U) == 1U)))
		val |= DW_CR_MSION;
	if (pll_sys)
		val |= DW_CR_PLLON;
	k->cr = val;
	if (!(val & DW_CR_PLLON))
		k->pll_lock_at = DW_NEVER;
	else if (!was_on)
		k->pll_lock_at = dw_pll_hz(b) != 0 ? t + DW_PLL_LOCK_NS : DW_NEVER;
}

bool board_clock_dw_write(sim_board *b, uint32_t off, uint32_t val)
{
	const clock_dw *f = clock_dw_fam(b);
	board_clock *k = &b->clock;
	int64_t t = board_time(b);

	board_clock_dw_sync(b, t);
	if (off == 0U) {
		dw_write_cr(b, val, t);
	} else if (off == DW_PLLCFGR && f->sw_pll != 0) {
		if (!(k->cr & DW_CR_PLLON))
			k->pllcfgr = val;   /* frozen while the PLL runs (RM0351 §6.4.4) */
	} else if (off == b->part->io->rcc_cfgr_off) {
		k->cfgr = val & ~(f->hsisys ? 0x38U : 0x0CU);
		k->sw_at = t;
	} else {
		return false;
	}
	dw_update_hz(b);   /* HSIDIV and HPRE take effect at once */
	board_clock_dw_sync(b, t);
	return true;
}

bool board_clock_dw_flash_ok(const sim_board *b)
{
	return b->clock.hclk_hz <= clock_dw_fam(b)->ws_mhz * DW_MHZ * (b->fm->latency(b) + 1U);
}
