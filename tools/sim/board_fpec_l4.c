/*
 * board_fpec_l4.c — the 64-bit double-word flash controller of G0, C0,
 * G4, L4, L4+, WB and WL (0x40022000; 0x58004000 on WB/WL) at register
 * level: unlocking, double-word and fast row programming, page and mass
 * erase, option programming and OBL_LAUNCH, ECC on reads. The family
 * table, the option registers and the bank layout are in
 * board_fpec_l4_ob.c.
 *
 * Facts: RM0351 §3.3.5 (KEYR/OPTKEYR: a wrong key is a bus error and
 * locks FLASH_CR until reset; LOCK set by software sets OPTLOCK too),
 * §3.3.6 (page erase PER/PNB/BKER, mass erase MER1/MER2, STRT; a
 * protected page aborts with WRPERR), §3.3.7 (programming: the two words
 * of a double word in order, programming starts with the second; fast
 * programming of a 32 double-word row after a mass erase, HCLK >= 8 MHz,
 * the next double word in time or MISSERR), §3.3.8 (errors: PROGERR when
 * the double word is not erased unless the data is all zeros, SIZERR for
 * byte/half-word stores, PGAERR for a misaligned or split double word,
 * PGSERR for data without PG or with an error flag still set, WRPERR for
 * WRP areas and RDP level 1 with the debugger; FASTERR with the error
 * that stopped a row; OPERR only with ERRIE), §3.3.1 (ECC: 8 bits per
 * double word, ECCD on a double error), §3.7.5 (EOP set only with
 * EOPIE), §3.5 (RDP 1 -> 0 erases the main flash); RM0440 §5.3 (G4, same
 * rules), RM0444 §3.3 (G0: BKER b13, CFGBSY), RM0434 §3.3.7 (WB: mass
 * erase from CPU1 is ignored with a bus error; pyOCD #811, Zephyr
 * #40201), §3.3.3 (pages from SFSA are CPU2's: the bench refuses program
 * and erase there with WRPERR, as for a write-protected page; the RM's
 * exact flag is unverified).
 * Where the manuals leave behaviour open the stricter choice is taken and
 * marked "strict".
 */
#include <string.h>

#include "board_fpec_l4.h"

#define DW_KEY1     0x45670123U
#define DW_KEY2     0xCDEF89ABU
#define DW_OPTKEY1  0x08192A3BU
#define DW_OPTKEY2  0x4C5D6E7FU
#define DW_PDKEY1   0x04152637U
#define DW_PDKEY2   0xFAFBFCFDU
#define DW_FAST_MIN_HZ 8000000ULL   /* fast programming needs HCLK >= 8 MHz (RM0351 §3.3.7) */

#define DW_ECCR_ADDR  0x0007FFFFU
#define DW_ECCR_BK    (1U << 19)
#define DW_ECCR_ECCC  (1U << 30)
#define DW_ECCR_ECCD  (1U << 31)

/* ---- state ----------------------------------------------------------------------- */

static bool dw_blocked(const sim_board *b)
{
	return b->dw.rdp_level >= 1 && b->dbg_attached;
}

static bool dw_dp_dead(const sim_board *b)
{
	return b->dw.rdp_level == 2;
}

static bool dw_busy(const sim_board *b)
{
	return b->dw.op != BOARD_OP_NONE;
}

/* A fast row still filling ends (MISSERR) when its last double word is programmed. */
static int64_t dw_busy_until(const sim_board *b)
{
	const board_fpecdw *d = &b->dw;

	if (d->op == BOARD_OP_FAST_ROW && d->row_n < DW_ROW_DWS)
		return d->row_last_end;
	return d->op_end;
}

/* Error flags; OPERR joins them only with ERRIE (RM0351 §3.7.5). */
static void dw_error(sim_board *b, uint32_t flags)
{
	board_fpecdw *d = &b->dw;

	d->sr |= flags | ((d->cr & DW_CR_ERRIE) ? DW_SR_OPERR : 0U);
	d->half = false;
}

static void dw_start(sim_board *b, board_op op, uint64_t dur_ns)
{
	board_fpecdw *d = &b->dw;

	d->op = op;
	d->op_start = board_time(b);
	d->op_end = d->op_start + (int64_t)dur_ns;
}

static void dw_erase_cells(sim_board *b, uint32_t off, uint32_t len)
{
	board_flash_erase(b, off, len);
	dw_ecc_clear(b, off, len);
}

/* The running operation completes at op_end; EOP only with EOPIE (RM0351 §3.7.5). */
static void dw_finish(sim_board *b)
{
	board_fpecdw *d = &b->dw;

	switch (d->op) {
	case BOARD_OP_PAGE_ERASE: dw_erase_cells(b, d->op_addr, d->op_len); break;
	case BOARD_OP_MASS_ERASE:
		dw_erase_cells(b, d->op_addr, d->op_len);
		d->mass_erased = true;
		break;
	case BOARD_OP_OB_PROG:
		if (d->op_regress)
			dw_erase_cells(b, 0, b->flash_size);
		dw_ob_commit(b);
		d->cr &= ~DW_CR_OPTSTRT;
		break;
	default: break;
	}
	d->op = BOARD_OP_NONE;
	d->cr &= ~DW_CR_STRT;
	if (d->cr & DW_CR_EOPIE)
		d->sr |= DW_SR_EOP;
}

static void dw_update(sim_board *b, int64_t t)
{
	board_fpecdw *d = &b->dw;

	if (d->op == BOARD_OP_FAST_ROW && d->row_n < DW_ROW_DWS) {
		if (t < d->row_last_end)
			return;
		/* the next double word did not come in time (RM0351 §3.3.8 MISSERR) */
		d->op = BOARD_OP_NONE;
		dw_error(b, DW_SR_MISSERR | DW_SR_FASTERR);
		return;
	}
	if (d->op != BOARD_OP_NONE && t >= d->op_end)
		dw_finish(b);
}

/* ---- erase ------------------------------------------------------------------------- */

static void dw_start_page_erase(sim_board *b)
{
	const dw_family *f = dw_fam(b);
	board_fpecdw *d = &b->dw;
	uint32_t pnb = (d->cr >> DW_CR_PNB_SH) & f->pnb_mask, off;

	if (!dw_page_of_pnb(b, pnb, f->bker && (d->cr & f->bker), &off)) {
		dw_error(b, DW_SR_PGSERR);   /* strict: no such page in the layout in force */
		return;
	}
	if (dw_protected(b, off) || dw_secure(b, off)) {
		dw_error(b, DW_SR_WRPERR);
		return;
	}
	d->op_addr = off;
	d->op_len = d->page;
	dw_start(b, BOARD_OP_PAGE_ERASE, f->t_page_ns);
}

static bool dw_any_protected(const sim_board *b, uint32_t off, uint32_t len)
{
	for (uint32_t o = off; o < off + len; o += b->dw.page)
		if (dw_protected(b, o))
			return true;
	return false;
}

/* MER1: bank 1 (all of a single bank), MER2: bank 2; both: all, in one mass-erase time (unverified). */
static void dw_start_mass_erase(sim_board *b)
{
	board_fpecdw *d = &b->dw;
	bool m1 = (d->cr & DW_CR_MER1) != 0, m2 = (d->cr & DW_CR_MER2) != 0;
	uint32_t half = dw_bank_size(b);

	if (!d->dual) {
		d->op_addr = 0;
		d->op_len = b->flash_size;
	} else {
		d->op_addr = m1 ? 0U : half;
		d->op_len = (m1 ? half : 0U) + (m2 ? half : 0U);
	}
	if (dw_any_protected(b, d->op_addr, d->op_len)) {
		dw_error(b, DW_SR_WRPERR);   /* any protected page aborts it (RM0351 §3.3.6) */
		return;
	}
	dw_start(b, BOARD_OP_MASS_ERASE, dw_fam(b)->t_mass_ns);
}

static void dw_start_erase(sim_board *b)
{
	board_fpecdw *d = &b->dw;
	uint32_t cr = d->cr;
	bool mer = (cr & (DW_CR_MER1 | DW_CR_MER2)) != 0, per = (cr & DW_CR_PER) != 0;

	if (d->sr & DW_SR_ERR)
		dw_error(b, DW_SR_PGSERR);   /* error flags must be cleared first (RM0351 §3.3.8) */
	else if ((cr & (DW_CR_PG | DW_CR_FSTPG)) || per == mer)
		dw_error(b, DW_SR_PGSERR);   /* strict: exactly one of PER and MER, no PG */
	else if (dw_blocked(b))
		dw_error(b, DW_SR_WRPERR);   /* RDP level 1 with the debugger (RM0351 §3.5.1) */
	else if (per)
		dw_start_page_erase(b);
	else
		dw_start_mass_erase(b);
	if (d->op == BOARD_OP_NONE)
		d->cr &= ~DW_CR_STRT;
}

/* ---- option programming and loading ------------------------------------------------ */

/* OPTSTRT: the option page is erased and reprogrammed (RM0351 §3.4.2; ~ page erase + row). */
static void dw_start_ob_prog(sim_board *b)
{
	const dw_family *f = dw_fam(b);
	board_fpecdw *d = &b->dw;
	uint32_t rdp_new = d->opt[dw_slot(DW_OPTR)] & 0xFFU;

	if (d->sr & DW_SR_ERR) {
		dw_error(b, DW_SR_PGSERR);
		d->cr &= ~DW_CR_OPTSTRT;
		return;
	}
	/* leaving level 1 for level 0 erases the main flash (RM0351 §3.5.1) */
	d->op_regress = d->rdp_level == 1 && rdp_new == DW_RDP_L0;
	dw_start(b, BOARD_OP_OB_PROG, f->t_page_ns + f->t_row_ns + (d->op_regress ? f->t_mass_ns : 0U));
}

/* ---- registers ------------------------------------------------------------------------ */

static uint32_t dw_sr_read(sim_board *b, bool core)
{
	board_fpecdw *d = &b->dw;
	uint32_t v = d->sr;

	if (d->op != BOARD_OP_NONE) {
		v |= DW_SR_BSY;
		if (core)
			board_core_spin(b, dw_busy_until(b));
	}
	if (dw_fam(b)->cfgbsy && (d->op != BOARD_OP_NONE || d->half))
		v |= DW_SR_CFGBSY;
	return v;
}

static board_bus dw_reg_read(sim_board *b, uint32_t off, uint32_t *val, bool core)
{
	board_fpecdw *d = &b->dw;

	dw_update(b, board_time(b));
	switch (off) {
	case DW_ACR: *val = d->acr; break;
	case DW_SR: *val = dw_sr_read(b, core); break;
	case DW_CR: *val = d->cr; break;
	case DW_ECCR: *val = d->eccr; break;
	default:
		*val = off >= DW_OPTR && dw_opt_find(b, off) != NULL ? d->opt[dw_slot(off)] : 0U;
		break;   /* the key registers are write-only and read 0 */
	}
	return BOARD_BUS_OK;
}

/* KEY1 then KEY2; anything else is a bus error and locks until reset (RM0351 §3.3.5). */
static board_bus dw_key(sim_board *b, unsigned *stage, uint32_t val, uint32_t k1, uint32_t k2)
{
	board_fpecdw *d = &b->dw;

	if (d->key_dead || val != (*stage == 0 ? k1 : k2)) {
		d->key_dead = true;
		*stage = 0;
		return BOARD_BUS_FAULT;
	}
	*stage = *stage == 0 ? 1U : 0U;
	return BOARD_BUS_OK;
}

static board_bus dw_write_keys(sim_board *b, uint32_t off, uint32_t val)
{
	board_fpecdw *d = &b->dw;
	board_bus r;

	/* a key while already unlocked is a wrong sequence too: the HAL checks LOCK first because
	 * of it (the RMs say "any wrong sequence"; that this is one is unverified) */
	if ((off == DW_KEYR && !(d->cr & DW_CR_LOCK)) || (off == DW_OPTKEYR && !(d->cr & DW_CR_OPTLOCK))) {
		d->key_dead = true;
		d->cr |= DW_CR_LOCK | DW_CR_OPTLOCK;
		return BOARD_BUS_FAULT;
	}
	if (off == DW_KEYR) {
		r = dw_key(b, &d->key_stage, val, DW_KEY1, DW_KEY2);
		if (r == BOARD_BUS_OK && d->key_stage == 0)
			d->cr &= ~DW_CR_LOCK;
		return r;
	}
	if (d->cr & DW_CR_LOCK)
		return BOARD_BUS_OK;   /* OPTLOCK clears only once CR is unlocked (RM0351 §3.4.2) */
	r = dw_key(b, &d->optkey_stage, val, DW_OPTKEY1, DW_OPTKEY2);
	if (r == BOARD_BUS_OK && d->optkey_stage == 0)
		d->cr &= ~DW_CR_OPTLOCK;
	return r;
}

/* PDKEYR (L4/L4+/G4): the run-powerdown keys; the low-power flash mode is not modelled. */
static void dw_write_pdkey(sim_board *b, uint32_t val)
{
	board_fpecdw *d = &b->dw;

	if (val == (d->pdkey_stage == 0 ? DW_PDKEY1 : DW_PDKEY2))
		d->pdkey_stage = d->pdkey_stage == 0 ? 1U : 0U;
	else
		d->pdkey_stage = 0;
}

static uint32_t dw_cr_writable(const sim_board *b)
{
	const dw_family *f = dw_fam(b);
	uint32_t w = DW_CR_PG | DW_CR_PER | DW_CR_MER1 | f->pnb_mask << DW_CR_PNB_SH | f->bker |
		     DW_CR_STRT | DW_CR_FSTPG | DW_CR_EOPIE | DW_CR_ERRIE;

	if (b->dw.dual || (f->bker && b->part->regions[b->part->n_regions - 1].bank))
		w |= DW_CR_MER2;
	if (f->rderrie)
		w |= DW_CR_RDERRIE;
	if (!(b->dw.cr & DW_CR_OPTLOCK))
		w |= DW_CR_OPTSTRT | DW_CR_OBL_LAUNCH;   /* only while options are unlocked */
	return w;
}

/* OBL_LAUNCH: the option bytes load with a reset; the debugger's access fails (RM0351 §3.4.2). */
static board_bus dw_obl_launch(sim_board *b, bool core)
{
	b->dw.loaded = false;
	if (core) {
		b->core.stop = BOARD_STOP_RESET;
		return BOARD_BUS_OK;
	}
	board_system_reset(b, board_time(b));
	return BOARD_BUS_FAULT;
}

static board_bus dw_write_cr(sim_board *b, uint32_t val, bool core)
{
	board_fpecdw *d = &b->dw;
	uint32_t w;

	if ((d->cr & DW_CR_LOCK) || d->key_dead)
		return BOARD_BUS_OK;   /* CR is read-only while locked (RM0351 §3.7.5) */
	w = dw_cr_writable(b);
	/* LOCK and OPTLOCK are set-only; LOCK sets OPTLOCK too */
	d->cr = (val & w) | (d->cr & (DW_CR_LOCK | DW_CR_OPTLOCK)) | (val & (DW_CR_LOCK | DW_CR_OPTLOCK));
	if (d->cr & DW_CR_LOCK)
		d->cr |= DW_CR_OPTLOCK;
	if (dw_fam(b)->secure_area && (d->cr & DW_CR_MER1)) {
		d->cr &= ~(DW_CR_MER1 | DW_CR_STRT);
		return BOARD_BUS_FAULT;   /* WB: mass erase from CPU1 ignored, bus error (RM0434 §3.3.7) */
	}
	if (d->cr & DW_CR_OBL_LAUNCH)
		return dw_obl_launch(b, core);
	if (d->cr & DW_CR_OPTSTRT)
		dw_start_ob_prog(b);
	else if (d->cr & DW_CR_STRT)
		dw_start_erase(b);
	if (d->cr & DW_CR_LOCK)
		d->half = false;
	return BOARD_BUS_OK;
}

static void dw_write_opt(sim_board *b, uint32_t off, uint32_t val)
{
	const dw_opt *o = dw_opt_find(b, off);
	board_fpecdw *d = &b->dw;
	uint32_t s = dw_slot(off);

	if (o == NULL || (d->cr & DW_CR_OPTLOCK))
		return;   /* option registers are read-only while OPTLOCK (RM0351 §3.4.2) */
	d->opt[s] = (val & o->mask) | (d->opt[s] & ~o->mask);
}

static board_bus dw_reg_write(sim_board *b, uint32_t off, uint32_t val, bool core)
{
	board_fpecdw *d = &b->dw;

	dw_update(b, board_time(b));
	if (d->op != BOARD_OP_NONE && (off == DW_CR || off >= DW_OPTR))
		return BOARD_BUS_STALL;   /* writes stall while BSY (RM0351 §3.3.5) */
	switch (off) {
	case DW_ACR: {
		uint32_t w = dw_fam(b)->latency_mask | (dw_has_empty(b) ? DW_ACR_EMPTY : 0U);
		d->acr = (d->acr & ~w) | (val & w);
		board_clock_flash_changed(b);
		break;
	}
	case DW_PDKEYR:
		if (dw_fam(b)->pdkeyr)
			dw_write_pdkey(b, val);
		break;
	case DW_KEYR:
	case DW_OPTKEYR: return dw_write_keys(b, off, val);
	case DW_SR: d->sr &= ~(val & DW_SR_W1C); break;
	case DW_CR: return dw_write_cr(b, val, core);
	case DW_ECCR: d->eccr &= ~(val & (DW_ECCR_ECCC | DW_ECCR_ECCD)); break;
	default:
		if (off >= DW_OPTR)
			dw_write_opt(b, off, val);
		break;
	}
	return BOARD_BUS_OK;
}

/* ---- programming ----------------------------------------------------------------------- */

static bool dw_erased(const uint8_t *p)
{
	for (unsigned i = 0; i < 8; i++)
		if (p[i] != 0xFFU)
			return false;
	return true;
}

/* Program the latched double word at half_off with (half_val, hi); false: PROGERR. */
static bool dw_program_cells(sim_board *b, uint32_t hi)
{
	board_fpecdw *d = &b->dw;
	uint8_t *p = (d->half_otp ? b->otp : b->flash) + d->half_off, data[8];
	bool zeros = d->half_val == 0 && hi == 0;

	if (!dw_erased(p) && !zeros)
		return false;   /* PROGERR (RM0351 §3.3.8): only all zeros may go over data */
	board_le_put(data, 4, d->half_val);
	board_le_put(data + 4, 4, hi);
	memcpy(d->op_old, p, 8);
	for (unsigned i = 0; i < 8; i++)
		p[i] = d->half_otp ? (uint8_t)(p[i] & data[i])
				   : board_flash_stuck(b, d->half_off + i, (uint8_t)(p[i] & data[i]));
	memcpy(d->op_new, p, 8);
	d->op_addr = d->half_off;
	d->op_len = 8;
	d->op_otp = d->half_otp;
	d->half = false;
	if (!d->op_otp)
		board_core_dirty_flash(b, d->op_addr, 8);
	return true;
}

/* Checks common to PG and FSTPG stores (main flash or OTP): 0 or the SR flags (RM0351 §3.3.8). */
static uint32_t dw_store_check(const sim_board *b, uint32_t off, unsigned size, bool otp)
{
	const board_fpecdw *d = &b->dw;

	if ((d->cr & DW_CR_LOCK) || !(d->cr & (DW_CR_PG | DW_CR_FSTPG)))
		return DW_SR_PGSERR;   /* data without PG */
	if ((d->cr & (DW_CR_PER | DW_CR_MER1 | DW_CR_MER2)) ||
	    (d->cr & (DW_CR_PG | DW_CR_FSTPG)) == (DW_CR_PG | DW_CR_FSTPG))
		return DW_SR_PGSERR;
	if (size != 4)
		return DW_SR_SIZERR;
	if (d->half && (off != d->half_off + 4U || d->half_otp != otp))
		return DW_SR_PGAERR;   /* the second word must follow in the same double word */
	if (!d->half && (off & 7U))
		return DW_SR_PGAERR;
	if (!d->half && (d->sr & DW_SR_ERR))
		return DW_SR_PGSERR;   /* error flags not cleared */
	/* the double word is judged when it is complete (its second word) */
	if (d->half && (dw_blocked(b) || (!otp && (dw_protected(b, off) || dw_secure(b, off)))))
		return DW_SR_WRPERR;
	return 0;
}

/* PG: the first word is latched, the second starts programming (t_prog). */
static void dw_store_pg(sim_board *b, uint32_t off, uint32_t val, bool otp)
{
	board_fpecdw *d = &b->dw;

	if (!d->half) {
		d->half = true;
		d->half_otp = otp;
		d->half_off = off;
		d->half_val = val;
		return;
	}
	if (!dw_program_cells(b, val)) {
		dw_error(b, DW_SR_PROGERR);
		return;
	}
	dw_start(b, BOARD_OP_PROG, b->cfg.timing.t_prog_ns);
}

/* FSTPG: the first double word of a row (256-byte aligned) starts it. */
static uint32_t dw_fast_row_check(const sim_board *b, uint32_t off)
{
	if (!b->dw.mass_erased)
		return DW_SR_PGSERR;   /* only after a mass erase (RM0351 §3.3.7) */
	if (off % DW_ROW)
		return DW_SR_PGAERR | DW_SR_FASTERR;
	if (b->clock.hclk_hz < DW_FAST_MIN_HZ)
		return DW_SR_MISSERR | DW_SR_FASTERR;   /* strict: too slow a clock misses data */
	return 0;
}

static void dw_store_fast(sim_board *b, uint32_t off, uint32_t val)
{
	board_fpecdw *d = &b->dw;
	uint64_t t_dw = dw_fam(b)->t_row_ns / DW_ROW_DWS;
	int64_t now = board_time(b), start;

	if (d->op != BOARD_OP_FAST_ROW) {
		uint32_t err = d->half ? 0U : dw_fast_row_check(b, off);
		if (err != 0) {
			dw_error(b, err);
			return;
		}
		if (!d->half) {
			d->half_otp = false;
			d->row_off = off;
			d->row_n = 0;
		}
	} else if (off != d->row_off + 8U * d->row_n + (d->half ? 4U : 0U)) {
		d->op = BOARD_OP_NONE;
		dw_error(b, DW_SR_PGAERR | DW_SR_FASTERR);
		return;
	}
	if (!d->half) {
		d->half = true;
		d->half_off = off;
		d->half_val = val;
		return;
	}
	if (!dw_program_cells(b, val)) {
		d->op = BOARD_OP_NONE;
		dw_error(b, DW_SR_PROGERR | DW_SR_FASTERR);
		return;
	}
	/* each double word takes t_row / 32; data that comes early waits in the buffer */
	start = d->op == BOARD_OP_FAST_ROW && d->row_last_end > now ? d->row_last_end : now;
	if (d->op != BOARD_OP_FAST_ROW) {
		d->op = BOARD_OP_FAST_ROW;
		d->op_start = now;
	}
	d->row_last_end = start + (int64_t)t_dw;
	if (++d->row_n == DW_ROW_DWS)
		d->op_end = d->row_last_end;
}

static board_bus dw_flash_write(sim_board *b, uint32_t off, unsigned size, uint32_t val)
{
	board_fpecdw *d = &b->dw;
	uint32_t err;

	dw_update(b, board_time(b));
	if (d->op != BOARD_OP_NONE && !(d->op == BOARD_OP_FAST_ROW && d->row_n < DW_ROW_DWS))
		return BOARD_BUS_STALL;
	err = dw_store_check(b, off, size, false);
	if (err != 0) {
		if (d->op == BOARD_OP_FAST_ROW || (d->cr & DW_CR_FSTPG))
			err |= err & (DW_SR_SIZERR | DW_SR_PGAERR | DW_SR_WRPERR) ? DW_SR_FASTERR : 0U;
		if (d->op == BOARD_OP_FAST_ROW)
			d->op = BOARD_OP_NONE;
		dw_error(b, err);
		return BOARD_BUS_OK;
	}
	if (d->cr & DW_CR_FSTPG)
		dw_store_fast(b, off, val);
	else
		dw_store_pg(b, off, val, false);
	return BOARD_BUS_OK;
}

/*
 * The OTP area (1 KiB at 0x1FFF7000, RM0351 §3.3.1): double words with PG
 * as in main flash, never erased; fast programming is main memory only
 * (PGSERR). The option page is programmed through the registers only: a
 * store there is a bus error.
 */
static board_bus dw_opt_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	board_fpecdw *d = &b->dw;
	uint32_t off = addr - b->fm->otp_base, err;

	if (b->fm->otp_size == 0 || addr < b->fm->otp_base || off >= b->fm->otp_size)
		return BOARD_BUS_FAULT;
	dw_update(b, board_time(b));
	if (d->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;
	err = (d->cr & DW_CR_FSTPG) ? DW_SR_PGSERR : dw_store_check(b, off, size, true);
	if (err != 0) {
		dw_error(b, err);
		return BOARD_BUS_OK;
	}
	dw_store_pg(b, off, val, true);
	return BOARD_BUS_OK;
}

/* ---- reads: ECC ------------------------------------------------------------------------ */

/*
 * A double word with a bad ECC (left half-programmed by a power loss):
 * ECCR.ECCD with its address (RM0351 §3.3.1, §3.7.6). The debugger reads
 * the cells as they are; the core takes the NMI, which the bench treats
 * as a fault (no handler is modelled). Reads of mapped flash by the core
 * bypass this check (the core's fast path).
 */
static board_bus dw_flash_read(sim_board *b, uint32_t off, unsigned size, bool core)
{
	board_fpecdw *d = &b->dw;
	uint32_t bank_off = off;

	(void)size;
	if (!dw_ecc_marked(b, off))
		return BOARD_BUS_OK;
	if (!(d->eccr & DW_ECCR_ECCD)) {
		bool bk2 = d->dual && off >= dw_bank_size(b);
		if (bk2)
			bank_off -= dw_bank_size(b);
		d->eccr = (d->eccr & ~(DW_ECCR_ADDR | DW_ECCR_BK)) | DW_ECCR_ECCD |
			  ((bank_off & ~7U) & DW_ECCR_ADDR) | (bk2 ? DW_ECCR_BK : 0U);
	}
	return core ? BOARD_BUS_FAULT : BOARD_BUS_OK;
}

static unsigned dw_latency(const sim_board *b)
{
	return b->dw.acr & dw_fam(b)->latency_mask;
}

/* ---- power loss --------------------------------------------------------------------------- */

/*
 * A double word being programmed keeps part of its new bits and fails its
 * ECC from then on; an erase covers part of its range; option programming
 * leaves the option page failing its check at the next load (OPTVERR, the
 * regression's erase partial).
 */
static void dw_power_loss(sim_board *b, int64_t t)
{
	board_fpecdw *d = &b->dw;
	int64_t done = t - d->op_start, total = d->op_end - d->op_start;
	uint64_t part = total > 0 ? (uint64_t)done * 256U / (uint64_t)total : 256U;

	dw_update(b, t);
	if (d->op == BOARD_OP_PROG) {
		uint8_t *p = (d->op_otp ? b->otp : b->flash) + d->op_addr;
		for (unsigned i = 0; i < 8; i++)
			p[i] = (uint8_t)(d->op_old[i] & (d->op_new[i] | (i >= 4U ? 0xFFU : 0x00U)));
		if (!d->op_otp) {
			dw_ecc_mark(b, d->op_addr);
			board_core_dirty_flash(b, d->op_addr, 8);
		}
	} else if (d->op == BOARD_OP_FAST_ROW && d->row_n > 0 && t < d->row_last_end) {
		/* the row's last double word was still being programmed */
		dw_ecc_mark(b, d->row_off + 8U * (d->row_n - 1U));
	} else if (d->op == BOARD_OP_PAGE_ERASE || d->op == BOARD_OP_MASS_ERASE) {
		dw_erase_cells(b, d->op_addr, (uint32_t)((uint64_t)d->op_len * part / 256U) & ~7U);
	} else if (d->op == BOARD_OP_OB_PROG) {
		if (d->op_regress)
			dw_erase_cells(b, 0, (uint32_t)((uint64_t)b->flash_size * part / 256U) & ~7U);
		dw_ob_cut(b);
	}
	d->op = BOARD_OP_NONE;
}

/* ---- the models ------------------------------------------------------------------------- */

#define DW_MODEL_OPS \
	.ob_file_len = DW_OB_LEN, \
	.ob_new = dw_ob_new, \
	.reset = dw_reset, \
	.update = dw_update, \
	.busy = dw_busy, \
	.busy_until = dw_busy_until, \
	.reg_read = dw_reg_read, \
	.reg_write = dw_reg_write, \
	.flash_write = dw_flash_write, \
	.opt_read = dw_opt_read, \
	.opt_write = dw_opt_write, \
	.blocked = dw_blocked, \
	.dp_dead = dw_dp_dead, \
	.latency = dw_latency, \
	.power_loss = dw_power_loss, \
	.flash_check = dw_flash_read

/* OTP: 1 KiB at 0x1FFF7000 on every family (RM0351 §3.3.1, RM0444 §3.3.1, RM0434 §3.3.1) */
#define DW_OTP .otp_base = 0x1FFF7000U, .otp_size = 1024U

/* DW program time typical: 81.69 us L4 (DS10198; G4/L4+/WB/WL unverified), 85 us G0 (C0 unverified) */
#define DW_T_L4 82000U
#define DW_T_G0 85000U

const board_flash_model board_fpec_dw_g0_model = {
	.name = "G0 double-word controller", .reg_base = 0x40022000U,
	.ob_base = 0x1FFF7800U, .ob_size = 0x38U, .t_prog_ns = DW_T_G0, DW_OTP, DW_MODEL_OPS,
};
const board_flash_model board_fpec_dw_c0_model = {
	.name = "C0 double-word controller", .reg_base = 0x40022000U,
	.ob_base = 0x1FFF7800U, .ob_size = 0x38U, .t_prog_ns = DW_T_G0, DW_OTP, DW_MODEL_OPS,
};
const board_flash_model board_fpec_dw_g4_model = {
	.name = "G4 double-word controller", .reg_base = 0x40022000U,
	.ob_base = 0x1FFF7800U, .ob_size = 0x30U, .t_prog_ns = DW_T_L4, DW_OTP, DW_MODEL_OPS,
};
const board_flash_model board_fpec_dw_l4_model = {
	.name = "L4 double-word controller", .reg_base = 0x40022000U,
	.ob_base = 0x1FFF7800U, .ob_size = 0x30U, .t_prog_ns = DW_T_L4, DW_OTP, DW_MODEL_OPS,
};
const board_flash_model board_fpec_dw_l4p_model = {
	.name = "L4+ double-word controller", .reg_base = 0x40022000U,
	.ob_base = 0x1FF00000U, .ob_size = 0x30U, .t_prog_ns = DW_T_L4, DW_OTP, DW_MODEL_OPS,
};
/*
 * Option pages: L4+ at 0x1FF00000 (RM0432 §3.4.1), WB at 0x1FFF8000
 * (RM0434 §3.4.1), both unverified; WL as L4 (unverified). The window is
 * as long as gang's option block (src/target/part.c: 48 bytes, 128 on
 * WB/WL); double words past the family's options read erased.
 */
const board_flash_model board_fpec_dw_wb_model = {
	.name = "WB double-word controller", .reg_base = 0x58004000U,
	.ob_base = 0x1FFF8000U, .ob_size = 0x80U, .t_prog_ns = DW_T_L4, DW_OTP, DW_MODEL_OPS,
};
const board_flash_model board_fpec_dw_wl_model = {
	.name = "WL double-word controller", .reg_base = 0x58004000U,
	.ob_base = 0x1FFF7800U, .ob_size = 0x80U, .t_prog_ns = DW_T_L4, DW_OTP, DW_MODEL_OPS,
};
