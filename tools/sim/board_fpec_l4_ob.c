/*
 * board_fpec_l4_ob.c — the family table of the double-word controller
 * (G0, C0, G4, L4, L4+, WB, WL), its option registers and option page,
 * the bank layout the option bytes select, and the ECC marks of double
 * words left half-programmed.
 *
 * Facts: RM0351 §3.4 (L4 option bytes: each 32-bit option with its
 * complement in a double word from 0x1FFF7800; loaded at power-on and by
 * OBL_LAUNCH; WRPxyR active when start <= end), §3.7.8-§3.7.12 (OPTR,
 * PCROP1SR/ER, WRP1AR/BR; bank 2 at 0x44-0x50); RM0432 §3.4 (L4+ DBANK
 * b22: 256 pages of 8 KiB on one bank, 4 KiB on two); RM0440 §5.4 (G4
 * DBANK b22: 4 KiB pages on one bank, 2 KiB on two); RM0444 §3.4 and
 * §3.7 (G0: DUAL_BANK b21, PCROPxA/B and WRPxA/B at 0x24-0x38, bank 2 at
 * 0x44-0x58, bank-2 pages numbered from 256); RM0490 §3 (C0: G0 bank 1
 * only); RM0434 §3.4, §3.10 (WB: SFR.SFSA, SRRVR, IPCCBR); RM0461 §3 (WL).
 * Factory values: L4/G4 OPTR 0xFFEFF8AA and WRPxyR 0x000000FF / G4
 * 0xFF00FFFF, G0 OPTR 0xFFFFFEAA (BMP defaults tables); the C0, WB and WL
 * OPTR values below are unverified (plausible factory states: RDP 0xAA,
 * BOR off, watchdogs in software, boot from main flash).
 * Timings (stm32-families.md §3): L4 page erase 22.02 ms typ, mass erase
 * 22.13 ms, fast row 1.91 ms (DS10198); G4, L4+, WB, WL take the L4
 * figures (unverified); G0/C0 page 22 ms typ (unverified), mass erase
 * taken equal to the page erase (unverified).
 */
#include <string.h>

#include "board_fpec_l4.h"

#define MS 1000000ULL
#define US 1000ULL

/* PCROP start/end and WRP registers: start <= end is an active area. */
#define OPT_PCROP_L4 { 0x24U, 0x0000FFFFU, 0xFFFFFFFFU, false }, \
		     { 0x28U, 0x8000FFFFU, 0x00000000U, false }
#define OPT_PCROP2_L4 { 0x44U, 0x0000FFFFU, 0xFFFFFFFFU, true }, \
		      { 0x48U, 0x0000FFFFU, 0x00000000U, true }
#define OPT_WRP(o, m, d, b2) { (o), (m), (d), (b2) }, { (o) + 4U, (m), (d), (b2) }
/* G0-style PCROPxA start/end, WRPxA/B, PCROPxB start/end */
#define OPT_BANK_G0(o, wm, b2) \
	{ (o), 0x000001FFU, 0xFFFFFFFFU, (b2) }, { (o) + 4U, 0x800001FFU, 0x00000000U, (b2) }, \
	OPT_WRP((o) + 8U, (wm), 0x000000FFU, (b2)), \
	{ (o) + 16U, 0x000001FFU, 0xFFFFFFFFU, (b2) }, { (o) + 20U, 0x000001FFU, 0x00000000U, (b2) }

/*
 * OPTR writable bits per family (the RMs' OPTR register maps; reserved
 * bits keep their factory value): L4 RDP, BOR_LEV, nRST_*, IWDG_*,
 * WWDG_SW, BFB2, DUALBANK, nBOOT1, SRAM2_*, nSWBOOT0, nBOOT0; L4+ adds
 * DB1M/DBANK; G4 DBANK, NRST_MODE, IRHEN; G0 BOR/BORR/BORF, nRST_*,
 * IWDG_*, WWDG_SW, nSWAP_BANK, DUAL_BANK, RAM_PARITY, nBOOT_SEL, nBOOT1,
 * nBOOT0, NRST_MODE, IRHEN; WB/WL BOR_LEV[11:9], ESE (read-only), AGC_TRIM
 * / BOOT_LOCK.
 */
static const dw_opt dw_opts_l4[] = {
	{ DW_OPTR, 0x0FBF77FFU, 0xFFEFF8AAU, false }, OPT_PCROP_L4,
	OPT_WRP(0x2CU, 0x00FF00FFU, 0x000000FFU, false), OPT_PCROP2_L4,
	OPT_WRP(0x4CU, 0x00FF00FFU, 0x000000FFU, true),
};
static const dw_opt dw_opts_l4p[] = {
	{ DW_OPTR, 0x0FFF77FFU, 0xFFEFF8AAU, false }, OPT_PCROP_L4,
	OPT_WRP(0x2CU, 0x00FF00FFU, 0x000000FFU, false), OPT_PCROP2_L4,
	OPT_WRP(0x4CU, 0x00FF00FFU, 0x000000FFU, true),
};
static const dw_opt dw_opts_g4[] = {
	{ DW_OPTR, 0x7FDF77FFU, 0xFFEFF8AAU, false }, OPT_PCROP_L4,
	OPT_WRP(0x2CU, 0x007F007FU, 0xFF00FFFFU, false), OPT_PCROP2_L4,
	OPT_WRP(0x4CU, 0x007F007FU, 0xFF00FFFFU, true),
};
static const dw_opt dw_opts_g0[] = {
	{ DW_OPTR, 0x3F7FFFFFU, 0xFFFFFEAAU, false },
	OPT_BANK_G0(0x24U, 0x007F007FU, false), OPT_BANK_G0(0x44U, 0x007F007FU, true),
};
static const dw_opt dw_opts_c0[] = {
	{ DW_OPTR, 0x3F4FFFFFU, 0xFFFFFEAAU, false },   /* factory value unverified */
	OPT_BANK_G0(0x24U, 0x000F000FU, false),
};
/* WB: SFR and SRRVR are CPU2's (mask 0 here); SFSA 0xF4: FUS only (unverified, see dw_fam_wb) */
static const dw_opt dw_opts_wb[] = {
	{ DW_OPTR, 0xEF8F7EFFU, 0x3DFFF1AAU, false },   /* factory value unverified */
	OPT_BANK_G0(0x24U, 0x00FF00FFU, false),
	{ 0x3CU, 0x00003FFFU, 0xFFFFFFFFU, false },     /* IPCCBR */
	{ DW_SFR, 0U, 0xFFFFE0F4U, false },
	{ 0x84U, 0U, 0x20000000U, false },              /* SRRVR */
};
static const dw_opt dw_opts_wl[] = {
	{ DW_OPTR, 0xCF8F7EFFU, 0x3FEFF0AAU, false },   /* factory value unverified */
	OPT_BANK_G0(0x24U, 0x007F007FU, false),
};

#define DW_OPTS(t) (t), (unsigned)(sizeof(t) / sizeof((t)[0]))

/*
 * name, PNB mask, BKER, PDKEYR, CFGBSY, RDERRIE, bank option bit, bank-2
 * first PNB, single bank doubles the page, secure area, PCROP unit (L4
 * double words, RM0351 §3.7.9; G0/C0 512-byte blocks, RM0444 §3.7.9;
 * WB/WL 2 KiB, unverified), LATENCY mask, ACR reset, page / mass erase /
 * fast row times, options.
 */
static const dw_family dw_fam_g0 = { "G0", 0x3FFU, 1U << 13, false, true, false, 1U << 21, 256U,
	false, false, 512U, 0x7U, 0x00000600U, 22 * MS, 22 * MS, 1910 * US, DW_OPTS(dw_opts_g0) };
static const dw_family dw_fam_c0 = { "C0", 0xFU, 0U, false, false, false, 0U, 0U,
	false, false, 512U, 0x7U, 0x00000600U, 22 * MS, 22 * MS, 1910 * US, DW_OPTS(dw_opts_c0) };
static const dw_family dw_fam_g4 = { "G4", 0x7FU, 1U << 11, true, false, true, 1U << 22, 0U,
	true, false, 8U, 0xFU, 0x00000600U, 22020 * US, 22130 * US, 1910 * US, DW_OPTS(dw_opts_g4) };
/* L47x 1 MiB parts are always two banks; DUALBANK (b21) matters on 256/512 KiB parts only */
static const dw_family dw_fam_l4 = { "L4", 0xFFU, 1U << 11, true, false, true, 0U, 0U,
	false, false, 8U, 0x7U, 0x00000600U, 22020 * US, 22130 * US, 1910 * US, DW_OPTS(dw_opts_l4) };
static const dw_family dw_fam_l4p = { "L4+", 0xFFU, 1U << 11, true, false, true, 1U << 22, 0U,
	true, false, 8U, 0xFU, 0x00000600U, 22020 * US, 22130 * US, 1910 * US, DW_OPTS(dw_opts_l4p) };
static const dw_family dw_fam_wb = { "WB", 0xFFU, 0U, false, true, true, 0U, 0U,
	false, true, 2048U, 0x7U, 0x00000600U, 22020 * US, 22130 * US, 1910 * US, DW_OPTS(dw_opts_wb) };
static const dw_family dw_fam_wl = { "WL", 0x7FU, 0U, false, true, false, 0U, 0U,
	false, false, 2048U, 0x7U, 0x00000600U, 22020 * US, 22130 * US, 1910 * US, DW_OPTS(dw_opts_wl) };

bool dw_has_empty(const sim_board *b)
{
	return b->part->flash_ctl == SIM_FLASH_G0 || b->part->flash_ctl == SIM_FLASH_C0;
}

const dw_family *dw_fam(const sim_board *b)
{
	switch (b->part->flash_ctl) {
	case SIM_FLASH_G0: return &dw_fam_g0;
	case SIM_FLASH_C0: return &dw_fam_c0;
	case SIM_FLASH_G4: return &dw_fam_g4;
	case SIM_FLASH_L4P: return &dw_fam_l4p;
	case SIM_FLASH_WB: return &dw_fam_wb;
	case SIM_FLASH_WL: return &dw_fam_wl;
	default: return &dw_fam_l4;
	}
}

/* ---- option registers -------------------------------------------------------------- */

static bool dw_dual_capable(const sim_board *b)
{
	return b->part->regions[b->part->n_regions - 1].bank != 0;
}

uint32_t dw_slot(uint32_t off)
{
	return (off - DW_OPTR) / 4U;
}

const dw_opt *dw_opt_find(const sim_board *b, uint32_t off)
{
	const dw_family *f = dw_fam(b);

	for (unsigned i = 0; i < f->n_opts; i++)
		if (f->opts[i].off == off && (!f->opts[i].bank2 || dw_dual_capable(b)))
			return &f->opts[i];
	return NULL;
}

/* cfg->wrp bit n clear protects page n: WRP1A covers the first to the last such page. */
static uint32_t dw_wrp_from_cfg(const sim_board *b, uint32_t dflt)
{
	uint32_t clear = ~b->cfg.wrp, first = 0, last = 31;

	if (clear == 0)
		return dflt;
	while (!(clear & (1U << first)))
		first++;
	while (!(clear & (1U << last)))
		last--;
	return (dflt & 0xFF00FF00U) | last << 16 | first;
}

/* A new board: factory values, RDP from cfg->rdp (0xBB: level 1), WRP1A from cfg->wrp. */
void dw_ob_new(const sim_board *b, uint8_t *img)
{
	const dw_family *f = dw_fam(b);

	memset(img, 0xFF, DW_OB_LEN);
	for (unsigned i = 0; i < f->n_opts; i++) {
		uint32_t v = f->opts[i].dflt;
		if (f->opts[i].off == DW_OPTR && b->cfg.rdp)
			v = (v & ~0xFFU) | 0xBBU;
		if (f->opts[i].off == 0x2CU)
			v = dw_wrp_from_cfg(b, v);
		board_le_put(img + 4U * dw_slot(f->opts[i].off), 4, v);
	}
}

/* BOR level bits of OPTR, which a failed load forces to 0 (RM0351 §3.4.2). */
static uint32_t dw_bor_mask(const sim_board *b)
{
	switch (b->part->flash_ctl) {
	case SIM_FLASH_G0:
	case SIM_FLASH_C0: return 0x00001F00U;   /* BOR_EN, BORR_LEV, BORF_LEV */
	case SIM_FLASH_WB:
	case SIM_FLASH_WL: return 0x00000E00U;   /* BOR_LEV[11:9] */
	default: return 0x00000700U;             /* BOR_LEV[10:8] */
	}
}

/*
 * The option page left half-written (a power loss during OPTSTRT) fails
 * its value/complement check at load: OPTVERR, and the options forced to
 * RDP level 1, no WRP, user options all 1 with BOR level 0 (RM0351 §3.4.2,
 * RM0440 §5.4.2). PCROP would be forced "all protected": not modelled, it
 * keeps the page's value.
 */
static void dw_load_failed(sim_board *b)
{
	const dw_family *f = dw_fam(b);
	board_fpecdw *d = &b->dw;

	for (unsigned i = 0; i < f->n_opts; i++) {
		const dw_opt *o = &f->opts[i];
		if (o->off == DW_OPTR)
			d->live[dw_slot(o->off)] = (0xFFFFFFFFU & ~dw_bor_mask(b) & ~0xFFU) | 0xFFU;
		else if (o->off == 0x2CU || o->off == 0x30U || o->off == 0x4CU || o->off == 0x50U)
			d->live[dw_slot(o->off)] = o->dflt;   /* the factory value: no area */
	}
}

/* The layout the options in force select (RM0432 §3.3.1, RM0440 §5.3.1, RM0444 §3.3.1). */
static void dw_layout(sim_board *b)
{
	const dw_family *f = dw_fam(b);
	board_fpecdw *d = &b->dw;
	uint32_t optr = d->live[dw_slot(DW_OPTR)];

	d->dual = dw_dual_capable(b) && (f->bank_bit == 0 || (optr & f->bank_bit));
	d->page = b->part->regions[0].unit;
	if (!d->dual && dw_dual_capable(b) && f->single_doubles_page)
		d->page *= 2U;
}

/*
 * System reset. The option bytes load at power-on and with OBL_LAUNCH
 * (RM0351 §3.4.2); a plain reset puts the option registers back to the
 * values loaded then. The registers reset (RM0351 §3.7: CR 0xC0000000).
 */
void dw_reset(sim_board *b)
{
	const dw_family *f = dw_fam(b);
	board_fpecdw *d = &b->dw;

	if (!d->loaded) {
		for (unsigned i = 0; i < BOARD_DW_OPT_N; i++)
			d->live[i] = board_le_get(b->ob + 4U * i, 4);
		/* G0/C0: the first word of main flash erased at load (RM0444 §3.7.1 EMPTY) */
		d->empty = board_le_get(b->flash, 4) == 0xFFFFFFFFU;
		d->load_failed = board_le_get(b->ob + DW_OB_BROKEN, 4) != 0xFFFFFFFFU;
		if (d->load_failed)
			dw_load_failed(b);
		d->loaded = true;
	}
	memcpy(d->opt, d->live, sizeof(d->opt));
	uint32_t rdp = d->live[dw_slot(DW_OPTR)] & 0xFFU;
	d->rdp_level = rdp == DW_RDP_L0 ? 0 : rdp == DW_RDP_L2 ? 2 : 1;
	dw_layout(b);
	d->acr = f->acr_reset | (dw_has_empty(b) && d->empty ? DW_ACR_EMPTY : 0U);
	d->cr = DW_CR_LOCK | DW_CR_OPTLOCK;
	d->sr = d->load_failed ? DW_SR_OPTVERR : 0U;
	d->eccr = 0;
	d->key_stage = d->optkey_stage = d->pdkey_stage = 0;
	d->key_dead = false;
	d->half = false;
	d->mass_erased = false;
}

/* OPTSTRT done: the registers become the option page (the file); in force after OBL. */
void dw_ob_commit(sim_board *b)
{
	const dw_family *f = dw_fam(b);

	for (unsigned i = 0; i < f->n_opts; i++) {
		uint32_t s = dw_slot(f->opts[i].off);
		if (dw_opt_find(b, f->opts[i].off) != NULL)
			board_le_put(b->ob + 4U * s, 4, b->dw.opt[s]);
	}
	board_le_put(b->ob + DW_OB_BROKEN, 4, 0xFFFFFFFFU);
}

void dw_ob_cut(sim_board *b)
{
	board_le_put(b->ob + DW_OB_BROKEN, 4, 0);
}

/*
 * The OTP area as programmed, and the option page in the memory map (RM0351 §3.4.1 Table 13): from
 * ob_base one double word per option register in register order, the
 * value then its complement; what is programmed, not what is in force.
 */
board_bus dw_opt_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	uint32_t rel = addr - b->fm->ob_base, off = DW_OPTR + (rel / 8U) * 4U;
	uint32_t v = 0xFFFFFFFFU, word;
	uint8_t img[8];

	if (b->fm->otp_size != 0 && addr >= b->fm->otp_base && addr - b->fm->otp_base < b->fm->otp_size) {
		*val = board_le_get(b->otp + (addr - b->fm->otp_base), size);
		return BOARD_BUS_OK;
	}

	if (dw_opt_find(b, off) != NULL)
		v = board_le_get(b->ob + 4U * dw_slot(off), 4);
	board_le_put(img, 4, v);
	board_le_put(img + 4, 4, dw_opt_find(b, off) != NULL ? ~v : 0xFFFFFFFFU);
	word = board_le_get(img + (rel & 7U & ~(size - 1U)), size);
	*val = word;
	return BOARD_BUS_OK;
}


/* ---- geometry and protection in force ---------------------------------------------- */

uint32_t dw_bank_size(const sim_board *b)
{
	return b->dw.dual ? b->flash_size / 2U : b->flash_size;
}

/* PNB (and BKER) to a flash offset; false when no such page (RM0444 §3.3.7: bank 2 from 256). */
bool dw_page_of_pnb(const sim_board *b, uint32_t pnb, bool bker, uint32_t *off)
{
	uint32_t pages = dw_bank_size(b) / b->dw.page, first = 0;

	if (bker && !b->dw.dual)
		return false;
	if (bker)
		first = dw_fam(b)->bank2_no;
	if (pnb < first || pnb - first >= pages)
		return false;
	*off = (bker ? dw_bank_size(b) : 0U) + (pnb - first) * b->dw.page;
	return true;
}

/* PCROP areas of the bank (start/end registers at sr, sr + 4): start..end when start <= end. */
static bool dw_pcrop(const sim_board *b, uint32_t bank_off, uint32_t sr)
{
	const dw_opt *o = dw_opt_find(b, sr);
	uint32_t unit = dw_fam(b)->pcrop_unit, start, end;

	if (o == NULL)
		return false;
	start = b->dw.live[dw_slot(sr)] & o->mask;
	end = b->dw.live[dw_slot(sr + 4U)] & o->mask;
	return start <= end && bank_off / unit >= start && bank_off / unit <= end;
}

/*
 * WRPxA/WRPxB of the bank holding off (pages start..end when start <=
 * end, RM0351 §3.5.2) and its PCROP areas (RM0351 §3.6.1): a program or
 * erase there is refused with WRPERR.
 */
bool dw_protected(const sim_board *b, uint32_t off)
{
	const board_fpecdw *d = &b->dw;
	bool bank2 = d->dual && off >= dw_bank_size(b);
	uint32_t bank_off = off - (bank2 ? dw_bank_size(b) : 0U);
	uint32_t page = bank_off / d->page;
	uint32_t base = bank2 ? 0x4CU : 0x2CU;

	if (dw_pcrop(b, bank_off, bank2 ? 0x44U : 0x24U) || dw_pcrop(b, bank_off, bank2 ? 0x54U : 0x34U))
		return true;

	for (uint32_t r = base; r <= base + 4U; r += 4U) {
		const dw_opt *o = dw_opt_find(b, r);
		if (o == NULL)
			continue;
		uint32_t v = d->live[dw_slot(r)], fm = o->mask & 0xFFFFU;
		uint32_t start = v & fm, end = (v >> 16) & fm;
		if (start <= end && page >= start && page <= end)
			return true;
	}
	return false;
}

/* WB: pages from SFR.SFSA up belong to CPU2 (RM0434 §3.3.3). */
bool dw_secure(const sim_board *b, uint32_t off)
{
	if (!dw_fam(b)->secure_area)
		return false;
	return off / b->dw.page >= (b->dw.live[dw_slot(DW_SFR)] & 0xFFU);
}

/* ---- ECC marks ------------------------------------------------------------------------ */

static uint8_t *dw_ecc_slot(const sim_board *b, unsigned i)
{
	return b->ob + DW_OB_SLOTS_LEN + 4U * i;
}

void dw_ecc_mark(sim_board *b, uint32_t off)
{
	for (unsigned i = 0; i < DW_ECC_MARKS; i++) {
		if (board_le_get(dw_ecc_slot(b, i), 4) == 0xFFFFFFFFU) {
			board_le_put(dw_ecc_slot(b, i), 4, off & ~7U);
			return;
		}
	}
}

void dw_ecc_clear(sim_board *b, uint32_t off, uint32_t len)
{
	for (unsigned i = 0; i < DW_ECC_MARKS; i++) {
		uint32_t m = board_le_get(dw_ecc_slot(b, i), 4);
		if (m != 0xFFFFFFFFU && m >= off && m - off < len)
			board_le_put(dw_ecc_slot(b, i), 4, 0xFFFFFFFFU);
	}
}

bool dw_ecc_marked(const sim_board *b, uint32_t off)
{
	for (unsigned i = 0; i < DW_ECC_MARKS; i++)
		if (board_le_get(dw_ecc_slot(b, i), 4) == (off & ~7U))
			return true;
	return false;
}
