/*
 * fpec_l4.c — the G0/G4/L4/L4+/WB/WL/C0 flash driver (the 64-bit
 * double-word controller at 0x40022000, 0x58004000 on WB/WL): unlock and
 * lock, page and mass erase through the debug port, the bank layout the
 * option bytes select, WB's CPU2 secure area, programming with the
 * streaming loaders (tools/loader/loader.S: double words with PG, or rows
 * of 32 double words with FSTPG right after a mass erase), option bytes
 * through FLASH_OPTR/WRP1AR/WRP1BR with OPTSTRT and OBL_LAUNCH, and OTP.
 *
 * Facts: RM0351 §3.3.5 (unlock KEY1/KEY2 into KEYR; a wrong key locks
 * the controller until reset), §3.3.6 (page erase PER + PNB + BKER +
 * STRT; mass erase MER1/MER2 + STRT), §3.3.7 (double-word programming;
 * fast programming FSTPG: rows of 32 double words, only after a mass
 * erase, HCLK at least 8 MHz, MISSERR/FASTERR), §3.4.2 (OPTKEYR, OPTSTRT,
 * OBL_LAUNCH reloads the option bytes with a reset; RDP 1 -> 0 erases the
 * flash); RM0444 §3.3 (G0: BKER b13, bank-2 pages from 256, CFGBSY);
 * RM0434 §3.3.7-3.3.8 (WB: pages from SFR.SFSA belong to CPU2 and the
 * wireless stack, CPU1 can neither erase nor program them, mass erase from
 * CPU1 is refused); DS10198 "Flash memory characteristics" (L476: page
 * erase 22.02 ms typical, 24.47 ms maximum, mass erase 22.13 ms, double
 * word 81.69 us, a 32-double-word row 2.61 ms standard and 1.91 ms fast);
 * G0 from the STM32G030 datasheet (page 22 ms typical, 40 ms maximum). The
 * fast-row time of the other families is taken from L476 (unverified).
 */
#include "flash/fpec_l4.h"
#include "core/bytes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash/ctrl.h"
#include "flash/geom.h"
#include "flash/loader_ring.h"
#include "flash/loaders.inc"

#define L4_POLL_US           250U       /* erases of about 22 ms: a late poll costs a noticeable share */
#define L4_PAGE_MS           22U        /* typical page erase (DS10198; G030 datasheet) */
#define L4_MASS_MS           23U        /* typical mass erase, both banks at once */
#define L4_ERASE_TIMEOUT_MS  250U       /* 10 x the maximum; OpenOCD waits as long */
#define L4_OB_EXPECT_US      25000U     /* OPTSTRT: the option page erased and written again */
#define L4_OB_TIMEOUT_MS     40000U     /* with an RDP regression it erases the whole flash */
#define L4_OBL_HALT_MS       500U
#define L4_FAST_MIN_HZ       8000000U   /* FSTPG needs HCLK >= 8 MHz (RM0351 §3.3.7) */
#define L4_ROW               256U       /* 32 double words */
#define L4_ROW_FAST_PERMILLE 731U       /* fast row / 32 standard double words: 1.91 / 2.61 ms (DS10198) */
#define L4_NOTE_MASSED       (1U << 8)  /* gang_target_sram_note: a mass erase left the flash blank */
#define L4_OTP_DW            8U

static uint32_t l4_reg(gang_target *t, uint32_t off)
{
	return gang_target_part(t)->family->flash.base + off;
}

static int l4_rd(uint32_t *v, gang_target *t, uint32_t off)
{
	return gang_stlink_read32(v, gang_target_stlink(t), l4_reg(t, off));
}

static int l4_wr(gang_target *t, uint32_t off, uint32_t v)
{
	return gang_stlink_write32(gang_target_stlink(t), l4_reg(t, off), v);
}

static uint32_t l4_flags(gang_target *t)
{
	return gang_target_part(t)->family->flash.flags;
}

/* True when the part's geometry has a second bank (the factory layout of its row in parts.def). */
static bool l4_dual(const gang_part *p)
{
	return p->geom.n_regions > 0 && p->geom.regions[p->geom.n_regions - 1].bank > 0;
}

/* The shared unlock and BSY wait (RM0351 §3.3.5); CFGBSY too where the family has it (RM0444 §3.7.4). */
static const gang_flash_ctrl_regs l4_regs = {
	L4_FLASH_KEYR, L4_FLASH_SR, L4_FLASH_CR, L4_SR_BSY | L4_SR_BSY2, L4_SR_CLEAR, L4_CR_LOCK, L4_POLL_US,
};
static const gang_flash_ctrl_regs l4_regs_cfgbsy = {
	L4_FLASH_KEYR, L4_FLASH_SR, L4_FLASH_CR, L4_SR_BSY | L4_SR_BSY2 | L4_SR_CFGBSY, L4_SR_CLEAR, L4_CR_LOCK,
	L4_POLL_US,
};

static const gang_flash_ctrl_regs *l4_ctrl(gang_target *t)
{
	return (l4_flags(t) & GANG_CTRL_L4_CFGBSY) ? &l4_regs_cfgbsy : &l4_regs;
}

static int l4_wait(uint32_t *sr_out, gang_target *t, unsigned expect_us, unsigned timeout_ms, const char *what)
{
	return gang_flash_ctrl_wait(sr_out, t, l4_ctrl(t), expect_us, timeout_ms, what);
}

/* SR error bits after an operation, in words an engineer can act on (RM0351 §3.7.5). */
static const gang_flash_sr_errs l4_errs = {
	L4_SR_WRPERR, "page", "WRPERR: a WRP or PCROP area",
	{ { L4_SR_PROGERR, "the double word was not erased (PROGERR)" },
	  { L4_SR_PGAERR, "misaligned, or outside one double word or row (PGAERR)" },
	  { L4_SR_SIZERR, "not a whole word (SIZERR)" },
	  { L4_SR_PGSERR, "sequence error (PGSERR)" },
	  { L4_SR_MISSERR, "fast programming missed a double word (MISSERR)" },
	  { L4_SR_FASTERR, "fast programming interrupted (FASTERR)" },
	  { L4_SR_OPERR, "operation error (OPERR)" } },
};

static int l4_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr)
{
	return gang_flash_ctrl_check(t, sr, what, addr, &l4_errs);
}

/*
 * The option bits that choose the bank layout: DUAL_BANK and nSWAP_BANK
 * (G0), DBANK (G4, L4+) with DB1M (L4+), DUALBANK (L4); b22 is
 * RAM_PARITY_CHECK on G0/C0, no bank bit.
 */
static uint32_t l4_bank_bits(gang_target *t)
{
	uint32_t mask = gang_fpec_l4_user_mask(gang_target_part(t)->family);

	if (l4_flags(t) & GANG_CTRL_L4_DUAL_BANK)
		return L4_OPTR_DUAL_BANK | L4_OPTR_nSWAP_BANK;
	if (l4_flags(t) & GANG_CTRL_L4_DBANK)
		return (L4_OPTR_DUAL_BANK | L4_OPTR_DBANK) & mask;
	return L4_OPTR_DUAL_BANK & mask;
}

/* The OPTR bank bits the part's row in parts.def assumes set, or 0 when the row does not depend on them. */
static uint32_t l4_layout_bits(gang_target *t)
{
	if (!l4_dual(gang_target_part(t)))
		return 0;
	if (l4_flags(t) & GANG_CTRL_L4_DBANK)
		return L4_OPTR_DBANK;
	if (l4_flags(t) & GANG_CTRL_L4_DUAL_BANK)
		return L4_OPTR_DUAL_BANK | L4_OPTR_nSWAP_BANK;
	return 0;   /* a 1 MiB L47x has two banks whatever DUALBANK says (RM0351 §3.3.1) */
}

/*
 * Refuse a board whose option bytes select another bank layout than the
 * one gang knows for the part (its factory setting: RM0440 DBANK = 1 on
 * the 512 KiB G4, RM0432 DBANK = 1 on the 2 MiB L4+, RM0444 DUAL_BANK = 1
 * and nSWAP_BANK = 1 on G0B1): pages would sit at other addresses.
 */
static int l4_layout_check(gang_target *t, uint32_t optr)
{
	const gang_part *p = gang_target_part(t);
	uint32_t want = l4_layout_bits(t);

	if ((optr & want) == want)
		return GANG_OK;
	if ((want & L4_OPTR_nSWAP_BANK) && !(optr & L4_OPTR_nSWAP_BANK) && (optr & L4_OPTR_DUAL_BANK))
		return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "the %s's banks are swapped "
				     "(FLASH_OPTR.nSWAP_BANK = 0), a layout gang does not program: set option "
				     "byte nSWAP_BANK = 1 (the factory setting) first", p->name);
	return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "the %s's flash is in single-bank mode "
			     "(FLASH_OPTR.%s = 0), a layout gang does not program: set option byte %s = 1 (the "
			     "factory setting) first", p->name, (want & L4_OPTR_DBANK) ? "DBANK" : "DUAL_BANK",
			     (want & L4_OPTR_DBANK) ? "DBANK" : "DUAL_BANK");
}

/* FLASH_OPTR as read with RDP at attach or after the last reset or OBL_LAUNCH (target/fam_rdp.c). */
static int l4_unlock(gang_target *t)
{
	int err;

	if (l4_layout_bits(t) != 0 && (err = l4_layout_check(t, gang_target_info_get(t)->opt_reg)) < 0)
		return err;
	return gang_flash_ctrl_unlock(t, l4_ctrl(t));
}

/* LOCK; setting it sets OPTLOCK too (RM0351 §3.7.5). */
static int l4_lock(gang_target *t)
{
	return l4_wr(t, L4_FLASH_CR, L4_CR_LOCK | L4_CR_OPTLOCK);
}

/*
 * WB: the first address of CPU2's secure area, SFR.SFSA pages from the
 * flash base (RM0434 §3.7.18); the end of flash when SFR.FSD says the
 * flash is not secured (unverified wording).
 */
static int l4_cpu2_start(uint32_t *addr_out, gang_target *t)
{
	const gang_part *p = gang_target_part(t);
	uint32_t sfr = 0;
	int err;

	*addr_out = (uint32_t)gang_geom_end(&p->geom);
	if (!(l4_flags(t) & GANG_CTRL_L4_CPU2))
		return GANG_OK;
	if ((err = l4_rd(&sfr, t, L4_FLASH_SFR)) < 0)
		return err;
	if (!(sfr & L4_SFR_FSD) && (sfr & L4_SFR_SFSA) * gang_part_page_size(p) < p->flash_kib * 1024U)
		*addr_out = GANG_FLASH_BASE + (sfr & L4_SFR_SFSA) * gang_part_page_size(p);
	return GANG_OK;
}

/* GANG_EWRITE_PROTECTED when [addr, addr + len) reaches into WB's CPU2 area. */
static int l4_cpu2_check(gang_target *t, uint32_t addr, uint32_t len, const char *what)
{
	const gang_part *p = gang_target_part(t);
	uint32_t start = 0;
	int err = l4_cpu2_start(&start, t);

	if (err < 0 || (uint64_t)addr + len <= start)
		return err;
	return gang_diag_set_at(gang_target_diag(t), GANG_EWRITE_PROTECTED, addr, "%s at 0x%08" PRIX32 ": the "
			     "%s's flash from 0x%08" PRIX32 " (SFR.SFSA = page %" PRIu32 ") belongs to CPU2 and its "
			     "wireless stack; neither CPU1 nor the debugger can erase or program it: keep the image "
			     "below 0x%08" PRIX32, what, addr > start ? addr : start, p->name, start,
			     (start - GANG_FLASH_BASE) / gang_part_page_size(p), start);
}

/* One erase: CR = mode, then | STRT, the overlapped work (once), wait, check, clear. */
static int l4_erase_op(gang_target *t, uint32_t mode, uint32_t addr, unsigned typ_ms, const char *what,
		       gang_flash_overlap *ov)
{
	uint32_t sr = 0;
	uint64_t expect = (uint64_t)typ_ms * 900U, spent = 0;
	int err, oerr;

	if (((l4_flags(t) & GANG_CTRL_L4_CFGBSY) && (err = l4_wait(&sr, t, 0, L4_ERASE_TIMEOUT_MS, what)) < 0) ||
	    (err = l4_wr(t, L4_FLASH_CR, mode)) < 0 || (err = l4_wr(t, L4_FLASH_CR, mode | L4_CR_STRT)) < 0)
		return err;
	oerr = gang_flash_overlap_run(&spent, ov, expect);
	if ((err = l4_wait(&sr, t, spent < expect ? (unsigned)(expect - spent) : 0U, L4_ERASE_TIMEOUT_MS + typ_ms,
			   what)) < 0)
		return err;
	err = oerr < 0 ? oerr : l4_check(t, sr, what, addr);
	/* error flags left set would fail the next operation (PGSERR); the next one rewrites CR whole */
	if (sr & L4_SR_CLEAR)
		l4_wr(t, L4_FLASH_SR, L4_SR_CLEAR);
	return err;
}

static void l4_note_massed(gang_target *t, bool massed)
{
	uint32_t *note = gang_target_sram_note(t);

	*note = massed ? *note | L4_NOTE_MASSED : *note & ~L4_NOTE_MASSED;
}

/* PER with the page's number in PNB, BKER for bank 2 (b13 on G0, numbered from 256 there). */
static int l4_erase_units(gang_target *t, unsigned first, unsigned count, const gang_flash_progress *p,
			  gang_flash_overlap *ov)
{
	const gang_flash_geom *g = &gang_target_part(t)->geom;
	uint32_t bker = (l4_flags(t) & GANG_CTRL_L4_BKER13) ? L4_CR_BKER_G0 : L4_CR_BKER;
	gang_flash_unit u;
	uint64_t done = 0;
	int err = GANG_OK;

	l4_note_massed(t, false);
	for (unsigned i = first; i < first + count && err == GANG_OK; i++) {
		if (!gang_geom_unit(&u, g, i))
			return gang_diag_set(gang_target_diag(t), GANG_ERR, "erase: page %u does not exist", i);
		if ((err = l4_cpu2_check(t, u.addr, u.size, "page erase")) < 0)
			return err;
		err = l4_erase_op(t, L4_CR_PER | (uint32_t)u.no << L4_CR_PNB_SHIFT | (u.bank ? bker : 0U), u.addr,
				  L4_PAGE_MS, "page erase", ov);
		done += u.size;
		gang_flash_progress_report(p, done);
	}
	return err;
}

/* WB: CPU1 may not mass-erase (RM0434 §3.3.8), so every page below SFSA goes one by one. */
static int l4_erase_below_cpu2(gang_target *t, gang_flash_overlap *ov)
{
	const gang_part *p = gang_target_part(t);
	uint32_t start = 0;
	unsigned first = 0, last = 0;
	int err = l4_cpu2_start(&start, t);

	if (err < 0)
		return err;
	if (start <= GANG_FLASH_BASE || !gang_geom_span(&first, &last, &p->geom, GANG_FLASH_BASE,
							 start - GANG_FLASH_BASE))
		return gang_diag_set(gang_target_diag(t), GANG_EWRITE_PROTECTED, "the %s's whole flash belongs "
				     "to CPU2 (SFR.SFSA = 0): nothing is erasable from the debugger", p->name);
	return l4_erase_units(t, first, last - first + 1U, NULL, ov);
}

static int l4_mass_erase(gang_target *t, gang_flash_overlap *ov)
{
	uint32_t mode = L4_CR_MER1 | (l4_dual(gang_target_part(t)) ? L4_CR_MER2 : 0U);
	int err;

	if (l4_flags(t) & GANG_CTRL_L4_CPU2)
		return l4_erase_below_cpu2(t, ov);
	l4_note_massed(t, true);   /* before the overlap: staging picks the fast-row loader */
	if ((err = l4_erase_op(t, mode, GANG_FLASH_BASE, L4_MASS_MS, "mass erase", ov)) < 0)
		l4_note_massed(t, false);
	return err;
}

/*
 * The loader (RM0351 §3.3.7): double words with CR.PG, or, right after a
 * mass erase and with the core at 8 MHz or more, rows with CR.FSTPG (not
 * on WB, whose flash is never mass-erased from CPU1). *row_out tells
 * which; the clock goes up first where the family has a faster one.
 */
static int l4_loader(gang_loader *out, bool *row_out, gang_target *t)
{
	const gang_flash_ctrl_cfg *c = &gang_target_part(t)->family->flash;
	uint32_t busy = l4_ctrl(t)->sr_busy, hz = 0;
	int err = gang_loader_clock_up(&hz, t);

	*row_out = err == GANG_OK && (*gang_target_sram_note(t) & L4_NOTE_MASSED) && hz >= L4_FAST_MIN_HZ &&
		   !(c->flags & GANG_CTRL_L4_CPU2);
	if (*row_out)
		*out = (gang_loader){ loader_row_prog, sizeof(loader_row_prog), L4_FLASH_CR, L4_CR_FSTPG,
				      L4_FLASH_SR, busy, L4_SR_ERRORS, L4_ROW,
				      c->t_prog_ns / 1000U * (L4_ROW / 8U) * L4_ROW_FAST_PERMILLE, l4_check };
	else
		*out = (gang_loader){ loader_u64_prog, sizeof(loader_u64_prog), L4_FLASH_CR, L4_CR_PG,
				      L4_FLASH_SR, busy, L4_SR_ERRORS, 8U, 0U, l4_check };
	return err;
}

/*
 * Runs widened to whole rows, erased bytes around them (written as erased
 * double words, which leaves them erased), runs sharing a row merged.
 * *out is malloc'd (free with gang_flash_runs_free).
 */
static int l4_rows(gang_flash_run **out, size_t *n_out, const gang_flash_run *runs, size_t n)
{
	gang_flash_run *r = calloc(n ? n : 1, sizeof(*r));
	size_t m = 0;

	*out = r;
	*n_out = 0;
	if (r == NULL)
		return GANG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t lo = runs[i].addr & ~(L4_ROW - 1U);
		uint32_t hi = (runs[i].addr + runs[i].len + L4_ROW - 1U) & ~(L4_ROW - 1U);
		uint32_t base = (m > 0 && lo < r[m - 1].addr + r[m - 1].len) ? r[m - 1].addr : lo;
		uint8_t *d = realloc(m > 0 && base == r[m - 1].addr ? r[m - 1].data : NULL, hi - base);

		if (d == NULL)
			return GANG_ENOMEM;
		if (m > 0 && base == r[m - 1].addr) {
			memset(d + r[m - 1].len, 0xFF, hi - base - r[m - 1].len);
		} else {
			memset(d, 0xFF, hi - base);
			m++;
		}
		memcpy(d + (runs[i].addr - base), runs[i].data, runs[i].len);
		r[m - 1] = (gang_flash_run){ base, hi - base, d };
		*n_out = m;
	}
	return GANG_OK;
}

/* GANG_EWRITE_PROTECTED when a run reaches WB's CPU2 area. */
static int l4_runs_check(gang_target *t, const gang_flash_run *runs, size_t n)
{
	int err = GANG_OK;

	for (size_t i = 0; i < n && err == GANG_OK; i++)
		err = l4_cpu2_check(t, runs[i].addr, runs[i].len, "program");
	return err;
}

static int l4_program_stage(gang_flash_stage *st, gang_target *t, const gang_flash_run *runs, size_t n,
			    uint64_t budget_us, uint64_t *used_us)
{
	gang_flash_run *rows = NULL;
	gang_loader l;
	size_t m = 0;
	bool row = false;
	int err;

	st->staged = false;
	*used_us = 0;
	if ((err = l4_runs_check(t, runs, n)) < 0 || (err = l4_loader(&l, &row, t)) < 0)
		return err;
	if (!row)
		return gang_loader_stage(st, used_us, t, &l, runs, n, budget_us);
	if ((err = l4_rows(&rows, &m, runs, n)) == GANG_OK)
		err = gang_loader_stage(st, used_us, t, &l, rows, m, budget_us);
	gang_flash_runs_free(rows, m);
	return err == GANG_ENOMEM ? gang_diag_set(gang_target_diag(t), err, "out of memory staging rows") : err;
}

static int l4_program(gang_target *t, const gang_flash_run *runs, size_t n, const gang_flash_progress *p,
		      const gang_flash_stage *st)
{
	gang_flash_progress pr = p ? *p : (gang_flash_progress){ NULL, NULL, "program", 0, 0 };
	gang_flash_run *rows = NULL;
	gang_loader l;
	size_t m = 0;
	bool row = false;
	int err;

	if ((err = l4_runs_check(t, runs, n)) < 0 || (err = l4_loader(&l, &row, t)) < 0)
		return err;
	if (!row) {
		err = gang_loader_program(t, &l, runs, n, p, st);
	} else if ((err = l4_rows(&rows, &m, runs, n)) == GANG_OK) {
		pr.total = 0;
		for (size_t i = 0; i < m; i++)
			pr.total += rows[i].len;
		err = gang_loader_program(t, &l, rows, m, &pr, st);
	} else {
		err = gang_diag_set(gang_target_diag(t), err, "out of memory planning rows");
	}
	gang_flash_runs_free(rows, m);
	l4_note_massed(t, false);   /* programmed rows are no longer blank */
	return err;                 /* the caller locks: CR = LOCK | OPTLOCK ends PG/FSTPG too */
}

static int l4_crc(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len)
{
	return gang_loader_crc(crc_out, t, addr, len);
}

/* OPTR, WRP1AR and WRP1BR as the block. */
static int l4_ob_read(uint8_t *raw, size_t *len_out, gang_target *t)
{
	uint32_t optr = 0, wrpa = 0, wrpb = 0;
	int err;

	if ((err = l4_rd(&optr, t, L4_FLASH_OPTR)) == GANG_OK && (err = l4_rd(&wrpa, t, L4_FLASH_WRP1AR)) == GANG_OK)
		err = l4_rd(&wrpb, t, L4_FLASH_WRP1BR);
	for (unsigned i = 0; i < GANG_OB_RAW_LEN; i++)
		raw[i] = 0;
	gang_le32_put(raw, optr);
	gang_le32_put(raw + 4, wrpa);
	gang_le32_put(raw + 8, wrpb);
	*len_out = L4_OB_RAW;
	return err;
}

/*
 * Bank bits may only go back to the layout gang knows for the part
 * (l4_layout_bits); anything else would move pages under gang's feet.
 */
static int l4_ob_refuse(gang_target *t, uint32_t optr, uint32_t cur)
{
	const gang_part *p = gang_target_part(t);
	uint32_t bank = l4_bank_bits(t), want = l4_layout_bits(t);

	if (!((optr ^ cur) & bank) || (want != 0 && (optr & bank) == want))
		return GANG_OK;
	return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "the bank option bits (FLASH_OPTR 0x%08" PRIX32
			     " -> 0x%08" PRIX32 ") would give the %s a bank layout gang does not program; "
			     "it keeps the factory layout", cur & bank, optr & bank, p->name);
}

/* OPTKEYR unless unlocked already; GANG_EFLASH when OPTLOCK stays set. */
static int l4_ob_unlock(gang_target *t)
{
	uint32_t cr = 0;
	int err;

	if ((err = gang_flash_ctrl_unlock(t, l4_ctrl(t))) < 0 || (err = l4_rd(&cr, t, L4_FLASH_CR)) < 0)
		return err;
	if ((cr & L4_CR_OPTLOCK) && ((err = l4_wr(t, L4_FLASH_OPTKEYR, L4_OPT_KEY1)) < 0 ||
				     (err = l4_wr(t, L4_FLASH_OPTKEYR, L4_OPT_KEY2)) < 0 ||
				     (err = l4_rd(&cr, t, L4_FLASH_CR)) < 0))
		return err;
	if (cr & L4_CR_OPTLOCK)
		return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "option bytes stay locked after the "
				     "OPTKEYR sequence (FLASH_CR=0x%08" PRIX32 ")", cr);
	return GANG_OK;
}

/* New register values into OPTR/WRP1AR/WRP1BR (their other bits kept), OPTSTRT, wait, check. */
static int l4_ob_program(gang_target *t, const uint8_t *raw)
{
	uint32_t keep = ~(gang_fpec_l4_user_mask(gang_target_part(t)->family) | L4_OPTR_RDP);
	uint32_t wrp_keep = ~gang_fpec_l4_wrp_bits(gang_target_part(t)->family);
	uint32_t cur = 0, wa = 0, wb = 0, sr = 0, optr;
	int err;

	if ((err = l4_rd(&cur, t, L4_FLASH_OPTR)) < 0 || (err = l4_rd(&wa, t, L4_FLASH_WRP1AR)) < 0 ||
	    (err = l4_rd(&wb, t, L4_FLASH_WRP1BR)) < 0)
		return err;
	optr = (cur & keep) | (gang_le32_get(raw) & ~keep);
	if ((err = l4_ob_refuse(t, optr, cur)) < 0 || (err = l4_ob_unlock(t)) < 0 ||
	    (err = l4_wait(&sr, t, 0, 1000U, "option-byte write")) < 0 ||
	    (err = l4_wr(t, L4_FLASH_WRP1AR, (wa & wrp_keep) | (gang_le32_get(raw + 4) & ~wrp_keep))) < 0 ||
	    (err = l4_wr(t, L4_FLASH_WRP1BR, (wb & wrp_keep) | (gang_le32_get(raw + 8) & ~wrp_keep))) < 0 ||
	    (err = l4_wr(t, L4_FLASH_OPTR, optr)) < 0 || (err = l4_wr(t, L4_FLASH_CR, L4_CR_OPTSTRT)) < 0 ||
	    (err = l4_wait(&sr, t, L4_OB_EXPECT_US, L4_OB_TIMEOUT_MS, "option-byte write")) < 0)
		return err;
	err = l4_check(t, sr, "option-byte write", gang_target_part(t)->family->flash.ob_base);
	l4_wr(t, L4_FLASH_SR, L4_SR_CLEAR);
	return err;
}

/*
 * OBL_LAUNCH reloads the option bytes with a system reset (RM0351 §3.4.2;
 * the probe's reply to that write may be cut short): the reset vector
 * catch halts the core again, and nothing gang left in SRAM or the clock
 * tree survives it.
 */
static int l4_obl_launch(gang_target *t)
{
	int err;

	if ((err = gang_target_arm_reset_catch(t)) < 0)
		return err;
	l4_wr(t, L4_FLASH_CR, L4_CR_OBL_LAUNCH);
	*gang_target_sram_note(t) = 0;
	gang_target_crc_memo_clear(t);
	if ((err = gang_target_wait_halt(t, L4_OBL_HALT_MS, 1000U, GANG_ETARGET_NOHALT,
					 "the core after OBL_LAUNCH")) < 0)
		return err;
	return gang_target_read_rdp(t);
}

static int l4_ob_write(gang_target *t, const uint8_t *raw, size_t len)
{
	int err;

	if (len < L4_OB_RAW)
		return gang_diag_set(gang_target_diag(t), GANG_ERR, "option-byte block of %zu bytes, want %u",
				     len, L4_OB_RAW);
	if ((err = l4_ob_program(t, raw)) < 0) {
		l4_lock(t);
		return err;
	}
	return l4_obl_launch(t);
}

/*
 * OTP in double words, each written once (RM0351 §3.3.1: 1 KiB at
 * 0x1FFF7000, no lock bytes, never erased): the segment's bytes laid over
 * what the double word holds; a double word already written and asked to
 * change is refused, one asked for nothing new is skipped.
 */
static int l4_otp_dw(gang_target *t, uint32_t dw, const uint8_t *data, uint32_t addr, size_t len)
{
	uint8_t cur[L4_OTP_DW], want[L4_OTP_DW];
	uint32_t sr = 0;
	bool blank = true;
	int err = gang_stlink_read_mem(cur, gang_target_stlink(t), dw, L4_OTP_DW);

	memcpy(want, cur, L4_OTP_DW);
	for (uint32_t k = 0; k < L4_OTP_DW; k++) {
		blank = blank && cur[k] == 0xFFU;
		if (dw + k >= addr && dw + k < addr + len)
			want[k] = data[dw + k - addr];
	}
	if (err < 0 || memcmp(cur, want, L4_OTP_DW) == 0)
		return err;
	if (!blank)
		return gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, dw, "OTP double word at 0x%08" PRIX32
				     " is written already: each double word takes one write, ever", dw);
	if ((err = l4_wr(t, L4_FLASH_CR, L4_CR_PG)) < 0 ||
	    (err = gang_stlink_write32(gang_target_stlink(t), dw, gang_le32_get(want))) < 0 ||
	    (err = gang_stlink_write32(gang_target_stlink(t), dw + 4U, gang_le32_get(want + 4))) < 0 ||
	    (err = l4_wait(&sr, t, 0, 100U, "OTP program")) < 0)
		return err;
	return l4_check(t, sr, "OTP program", dw);
}

static int l4_otp_write(gang_target *t, uint32_t addr, const uint8_t *data, size_t len)
{
	int err = GANG_OK;

	for (uint32_t dw = addr & ~(L4_OTP_DW - 1U); dw < addr + len && err == GANG_OK; dw += L4_OTP_DW)
		err = l4_otp_dw(t, dw, data, addr, len);
	l4_wr(t, L4_FLASH_SR, L4_SR_CLEAR);
	l4_wr(t, L4_FLASH_CR, 0);
	return err;
}

const gang_flash_ops gang_flash_ops_l4 = {
	.name = "stm32g0/g4/l4/wb/wl/c0 double-word controller",
	.unlock = l4_unlock,
	.lock = l4_lock,
	.mass_erase = l4_mass_erase,
	.erase_units = l4_erase_units,
	.program_stage = l4_program_stage,
	.program = l4_program,
	.crc = l4_crc,
	.ob_read = l4_ob_read,
	.ob_write = l4_ob_write,
	.ob_fields = gang_fpec_l4_ob_fields,
	.ob_decode = gang_fpec_l4_ob_decode,
	.ob_encode = gang_fpec_l4_ob_encode,
	.ob_rdp_byte = gang_fpec_l4_ob_rdp_byte,
	.otp_write = l4_otp_write,
};
