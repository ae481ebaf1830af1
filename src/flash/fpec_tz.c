/*
 * fpec_tz.c — the L5/U5 flash driver (the TrustZone controller: the
 * non-secure register set at 0x40022000, the secure set at 0x50022000):
 * unlock and lock, page erase per bank and mass erase, the bank layout the
 * option bytes select, what TrustZone and RDP let a debugger reach,
 * programming, CRC verify, option bytes with OPTSTRT and OBL_LAUNCH, and
 * OTP.
 *
 * With TrustZone off (OPTR.TZEN = 0) all flash is non-secure: the
 * non-secure registers erase, and gang's streaming loader programs double
 * words (L5) or quad words (U5) through the ring (tools/loader/loader_mw.S).
 * With TrustZone on, gang runs no code on the core (whether its SRAM is
 * secure, and which state the core halts in, is the firmware's business:
 * GTZC and the SAU), so the host writes the units through the debug port
 * (up to 1 KiB of them per transfer) and verifies by reading back (both
 * slower than the loader; watermarks only: SECBBxRy block-based security,
 * zero after reset, is not read): at RDP level 0 the secure pages (the
 * secure watermarks SECWMx) through the secure registers and the secure
 * flash alias 0x0C000000, the rest through the non-secure ones; at level
 * 0.5 the debugger reaches non-secure flash only, so an image or an erase
 * touching a secure page is refused with its sentence (GANG_ETZ_SECURE).
 *
 * Facts: RM0438 §6.3.5-6.3.7 and RM0456 §7.3.5-7.3.7 (unlock with
 * KEY1/KEY2 into NSKEYR or SECKEYR, a wrong key locks until reset; page
 * erase PER + PNB + BKER + STRT, mass erase MER1 | MER2 + STRT; a double
 * word (L5) or quad word (U5) programmed with PG, starting after its last
 * word), §6.4 and §7.4 (option bytes: OPTKEYR after NSCR is unlocked,
 * OPTSTRT, OBL_LAUNCH reloads them with a reset), §6.5 and §7.5
 * (watermark-based security, secure accesses to secure pages through the
 * secure alias), §6.6.2 and §7.6.2 (RDP 0.5: the debugger reaches only
 * non-secure memory); the stock OpenOCD stm32l4x driver and stm32x5x
 * script do the same (secure registers with TZEN = 1 at level 0). The
 * bank-swap mapping (SWAP_BANK = 1: the bank at 0x08000000 is bank 2,
 * erased with BKER, its watermark in SECWM2) is as RM0456 §7.3.3 describes
 * it (unverified on silicon, and not modelled by the bench). Erase times:
 * see TZ_PAGE_MS.
 */
#include "flash/fpec_tz.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "flash/ctrl.h"
#include "flash/geom.h"
#include "flash/loader_ring.h"
#include "flash/loaders.inc"

#define TZ_POLL_US           250U
#define TZ_ERASE_TIMEOUT_MS  250U
#define TZ_OB_EXPECT_US      25000U
#define TZ_OB_TIMEOUT_MS     40000U     /* with an RDP regression it erases the whole flash */
#define TZ_OBL_HALT_MS       500U
#define TZ_UNIT_MAX          16U
#define TZ_READ_CHUNK        4096U
#define TZ_DIRECT_MAX        1024U      /* bytes of units one host transfer programs (TrustZone on) */

/*
 * Typical erase times (unverified: DS12736 (L552) and DS13086 (U575/585)
 * were not at hand): the L4's (DS10198: page 22 ms, 22.1 ms per bank for
 * a mass erase) for both families, as target/part.c takes the L4 double
 * word for their program unit.
 */
#define TZ_PAGE_MS           22U
#define TZ_BANK_MS           22U

/* What TrustZone and RDP allow now, from FLASH_OPTR and the watermarks. */
typedef struct tz_state {
	uint32_t optr;
	bool tzen;                 /* TrustZone on */
	bool half;                 /* RDP level 0.5: non-secure flash only */
	bool swap;                 /* SWAP_BANK: bank 2 at 0x08000000 */
	uint32_t wm[2];            /* SECWM1R1, SECWM2R1 (physical banks) */
} tz_state;

static uint32_t tz_reg(gang_target *t, uint32_t off)
{
	return gang_target_part(t)->family->flash.base + off;
}

static int tz_rd(uint32_t *v, gang_target *t, uint32_t off)
{
	return gang_stlink_read32(v, gang_target_stlink(t), tz_reg(t, off));
}

static int tz_wr(gang_target *t, uint32_t off, uint32_t v)
{
	return gang_stlink_write32(gang_target_stlink(t), tz_reg(t, off), v);
}

/*
 * FLASH_OPTR as read with RDP at attach, after the last reset or after
 * OBL_LAUNCH (target/fam_rdp.c keeps it in gang_target_info.opt_reg): the
 * option bytes in force change only then (RM0438 §6.4, RM0456 §7.4),
 * so no operation reads OPTR again over the link. The watermarks are read
 * where TrustZone is on.
 */
static int tz_state_read(tz_state *st, gang_target *t)
{
	int err;

	memset(st, 0, sizeof(*st));
	st->optr = gang_target_info_get(t)->opt_reg;
	st->tzen = st->optr & TZ_OPTR_TZEN;
	st->half = st->tzen && (st->optr & TZ_OPTR_RDP) == TZ_RDP_LEVEL05;
	st->swap = st->optr & TZ_OPTR_SWAP_BANK;
	if (st->tzen && ((err = tz_rd(&st->wm[0], t, TZ_FLASH_SECWM1R1)) < 0 ||
			 (err = tz_rd(&st->wm[1], t, TZ_FLASH_SECWM2R1)) < 0))
		return err;
	return GANG_OK;
}

/* The physical bank of geometry unit u (1 = bank 2: BKER, SECWM2). */
static unsigned tz_bank(const tz_state *st, const gang_flash_unit *u)
{
	return (u->bank ? 1U : 0U) ^ (st->swap ? 1U : 0U);
}

/* True when u lies in its bank's secure watermark area (start <= page <= end). */
static bool tz_secure(const tz_state *st, const gang_flash_unit *u, const gang_family *f)
{
	uint32_t m = gang_fpec_tz_page_mask(f), wm = st->wm[tz_bank(st, u)];

	return st->tzen && (wm & m) <= u->no && u->no <= ((wm >> TZ_AREA_END_SHIFT) & m);
}

static const gang_flash_ctrl_regs tz_ns_regs = {
	TZ_FLASH_NSKEYR, TZ_FLASH_NSSR, TZ_FLASH_NSCR, TZ_SR_BSY, TZ_SR_CLEAR, TZ_CR_LOCK, TZ_POLL_US,
};
static const gang_flash_ctrl_regs tz_sec_regs = {
	TZ_SEC_REGS + TZ_FLASH_SECKEYR, TZ_SEC_REGS + TZ_FLASH_SECSR, TZ_SEC_REGS + TZ_FLASH_SECCR, TZ_SR_BSY,
	TZ_SR_CLEAR, TZ_CR_LOCK, TZ_POLL_US,
};

static const gang_flash_ctrl_regs *tz_regs(bool secure)
{
	return secure ? &tz_sec_regs : &tz_ns_regs;
}

/* SR error bits after an operation, in words an engineer can act on (RM0456 §7.9.5). */
static const gang_flash_sr_errs tz_errs = {
	TZ_SR_WRPERR, "page", "WRPERR: a WRP area, or a secure page reached through the non-secure registers",
	{ { TZ_SR_PROGERR, "the unit was not erased (PROGERR)" },
	  { TZ_SR_PGAERR, "misaligned, or outside one program unit (PGAERR)" },
	  { TZ_SR_SIZERR, "not a whole word (SIZERR)" },
	  { TZ_SR_PGSERR, "sequence error (PGSERR)" },
	  { TZ_SR_OPTWERR, "option-byte write error (OPTWERR)" },
	  { TZ_SR_OPERR, "operation error (OPERR)" } },
};

static int tz_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr)
{
	return gang_flash_ctrl_check(t, sr, what, addr, &tz_errs);
}

/*
 * The L552 row in parts.def has two banks of 2 KiB pages, the factory
 * DBANK = 1 (RM0438 §6.3.1); with DBANK = 0 pages are 4 KiB in one bank.
 */
static int tz_layout_check(gang_target *t, const tz_state *st)
{
	const gang_part *p = gang_target_part(t);

	if (gang_fpec_tz_has_unlock(p->family) || (st->optr & TZ_OPTR_DBANK_L5))
		return GANG_OK;
	return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "the %s's flash is in single-bank mode "
			     "(FLASH_OPTR.DBANK = 0, 4 KiB pages), a layout gang does not program: set option byte "
			     "DBANK = 1 (the factory setting) first", p->name);
}

/* The operator's refusal for secure flash at RDP 0.5. */
static int tz_refuse_secure(gang_target *t, const char *what, uint32_t addr)
{
	return gang_diag_set_at(gang_target_diag(t), GANG_ETZ_SECURE, addr, "%s at 0x%08" PRIX32 ": the page "
			     "is secure (inside a SECWMx watermark area) and the %s is at RDP level 0.5, where a "
			     "debugger reaches non-secure flash only", what, addr, gang_target_part(t)->name);
}

static int tz_unlock(gang_target *t)
{
	tz_state st;
	int err;

	if ((err = tz_state_read(&st, t)) < 0 || (err = tz_layout_check(t, &st)) < 0 ||
	    (err = gang_flash_ctrl_unlock(t, &tz_ns_regs)) < 0)
		return err;
	return (st.tzen && !st.half) ? gang_flash_ctrl_unlock(t, &tz_sec_regs) : GANG_OK;
}

/* LOCK (and OPTLOCK) in NSCR; SECCR too where the secure set was unlocked. */
static int tz_lock(gang_target *t)
{
	tz_state st;
	int err = tz_state_read(&st, t);

	if (err == GANG_OK && st.tzen && !st.half)
		err = tz_wr(t, TZ_SEC_REGS + TZ_FLASH_SECCR, TZ_CR_LOCK);
	tz_wr(t, TZ_FLASH_NSCR, TZ_CR_LOCK | TZ_CR_OPTLOCK);
	return err;
}

static gang_loader tz_loader(gang_target *t);

/*
 * One erase: CR = mode, then | STRT, the overlapped work (once), wait,
 * check, clear. last: nothing else is erased before programming (a mass
 * erase), so staging may let the loader go at its end: the loader then
 * waits out the erase and starts the first unit as BSY falls, and the
 * erase's end and status come from the loader's control block (the
 * controller's BSY is the loader's from then on).
 */
static int tz_erase_op(gang_target *t, bool secure, uint32_t mode, uint32_t addr, unsigned typ_ms,
		       const char *what, gang_flash_overlap *ov, bool last)
{
	const gang_flash_ctrl_regs *r = tz_regs(secure);
	uint64_t expect = (uint64_t)typ_ms * 900U, spent = 0;
	uint32_t sr = 0;
	unsigned left;
	int err, oerr;

	if ((err = tz_wr(t, r->cr, mode)) < 0 || (err = tz_wr(t, r->cr, mode | TZ_CR_STRT)) < 0)
		return err;
	/*
	 * The staging may fill the whole typical erase (it keeps its own
	 * margin): what it leaves out, the loader later waits for while the
	 * host writes a 4 KiB block; the wait below still wakes at 90 %.
	 */
	if (ov != NULL)
		ov->last = last;
	oerr = gang_flash_overlap_run(&spent, ov, (uint64_t)typ_ms * 1000U);
	left = spent < expect ? (unsigned)(expect - spent) : 0U;
	if (ov != NULL && ov->started) {
		gang_loader l = tz_loader(t);

		err = gang_loader_erase_wait(&sr, t, &l, left, TZ_ERASE_TIMEOUT_MS + typ_ms, what);
	} else {
		err = gang_flash_ctrl_wait(&sr, t, r, left, TZ_ERASE_TIMEOUT_MS + typ_ms, what);
	}
	if (err < 0)
		return err;
	err = oerr < 0 ? oerr : tz_check(t, sr, what, addr);
	/* EOP alone may stay: only the error flags stop the next operation (PGSERR, RM0456 §7.3.7) */
	if (sr & TZ_SR_ERRORS)
		tz_wr(t, r->sr, TZ_SR_CLEAR);
	return err;
}

/* Page erase of unit u through the set its security calls for. */
static int tz_erase_page(gang_target *t, const tz_state *st, const gang_flash_unit *u, gang_flash_overlap *ov)
{
	bool secure = tz_secure(st, u, gang_target_part(t)->family);
	uint32_t mode = TZ_CR_PER | (uint32_t)u->no << TZ_CR_PNB_SHIFT | (tz_bank(st, u) ? TZ_CR_BKER : 0U);

	if (secure && st->half)
		return tz_refuse_secure(t, "page erase", u->addr);
	return tz_erase_op(t, secure, mode, u->addr, TZ_PAGE_MS, "page erase", ov, false);
}

static int tz_erase_units(gang_target *t, unsigned first, unsigned count, const gang_flash_progress *p,
			  gang_flash_overlap *ov)
{
	const gang_flash_geom *g = &gang_target_part(t)->geom;
	gang_flash_unit u;
	uint64_t done = 0;
	tz_state st;
	int err = tz_state_read(&st, t);

	for (unsigned i = first; i < first + count && err == GANG_OK; i++) {
		if (!gang_geom_unit(&u, g, i))
			return gang_diag_set(gang_target_diag(t), GANG_ERR, "erase: page %u does not exist", i);
		err = tz_erase_page(t, &st, &u, ov);
		done += u.size;
		gang_flash_progress_report(p, done);
	}
	return err;
}

/*
 * TrustZone off: MER1 | MER2 through the non-secure set. On: page by page,
 * each through its own set (whether a mass erase from either set reaches
 * pages of the other security is not stated plainly in RM0456 §7.3.6);
 * at level 0.5 a mass erase would leave the secure pages, so it is refused.
 */
static int tz_mass_erase(gang_target *t, gang_flash_overlap *ov)
{
	const gang_part *p = gang_target_part(t);
	gang_flash_unit u;
	tz_state st;
	int err = tz_state_read(&st, t);

	if (err < 0)
		return err;
	if (!st.tzen)
		return tz_erase_op(t, false, TZ_CR_MER1 | TZ_CR_MER2, GANG_FLASH_BASE, 2U * TZ_BANK_MS,
				   "mass erase", ov, true);
	for (unsigned i = 0; st.half && gang_geom_unit(&u, &p->geom, i); i++)
		if (tz_secure(&st, &u, p->family))
			return gang_diag_set_at(gang_target_diag(t), GANG_ETZ_SECURE, u.addr, "mass erase: the "
					     "%s's flash from page 0x%08" PRIX32 " is secure (SECWMx) and the chip is at "
					     "RDP level 0.5, where a debugger erases non-secure pages only", p->name,
					     u.addr);
	return tz_erase_units(t, 0, gang_geom_unit_count(&p->geom), NULL, ov);
}

/* The loader for TrustZone off: double words (L5) or quad words (U5) with NSCR.PG. */
static gang_loader tz_loader(gang_target *t)
{
	unsigned unit = gang_target_part(t)->geom.write_unit;

	gang_loader l = { .code = loader_tz_u64_prog, .code_len = sizeof(loader_tz_u64_prog),
			  .start_off = TZ_FLASH_NSCR, .start_val = 0 /* the loader sets PG */, .sr_off = TZ_FLASH_NSSR,
			  .busy = TZ_SR_BSY, .errs = TZ_SR_ERRORS, .unit = 8U, .check = tz_check,
			  .waits_erase = true, .crc_cycles = 5U /* ldm, 2 str, cmp, bne */ };

	if (unit == 16U) {
		l.code = loader_tz_u128_prog;
		l.code_len = sizeof(loader_tz_u128_prog);
		l.unit = 16U;
		l.crc_cycles = 7U;   /* ldm, 4 str, cmp, bne */
	}
	return l;
}

/*
 * Units from the host: PG in the set's CR, then len bytes of whole units
 * in one transfer, then wait and check. A store to flash while the
 * previous unit programs waits on the bus (RM0456 §7.3.7 (unverified
 * wording), as the bench models it), so the units need no poll between
 * them; no code runs on the core.
 */
static int tz_direct_write(gang_target *t, bool secure, uint32_t addr, const uint8_t *data, uint32_t len)
{
	const gang_flash_ctrl_regs *r = tz_regs(secure);
	uint32_t sr = 0;
	int err;

	if ((err = tz_wr(t, r->cr, TZ_CR_PG)) < 0 ||
	    (err = gang_stlink_write_mem(gang_target_stlink(t), addr | (secure ? TZ_SEC_FLASH : 0U), data,
					 len)) < 0 ||
	    (err = gang_flash_ctrl_wait(&sr, t, r, 0, 100U, "program")) < 0)
		return err;
	if ((err = tz_check(t, sr, "program", addr)) < 0)
		tz_wr(t, r->sr, TZ_SR_CLEAR);
	return err;
}

static bool tz_blank(const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i] != 0xFFU)
			return false;
	return true;
}

/* Bytes from off of the run's units that are not blank, within page u, at most TZ_DIRECT_MAX. */
static uint32_t tz_direct_span(const gang_flash_run *run, uint32_t off, const gang_flash_unit *u, unsigned unit)
{
	uint32_t n = 0, end = u->addr + u->size - run->addr;

	while (off + n < run->len && off + n < end && n < TZ_DIRECT_MAX && !tz_blank(run->data + off + n, unit))
		n += unit;
	return n;
}

/* TrustZone on: the run's units from the host, through the set each page's security calls for. */
static int tz_direct_run(gang_target *t, const tz_state *st, const gang_flash_run *run, const gang_flash_progress *p,
			 uint64_t base)
{
	const gang_part *part = gang_target_part(t);
	unsigned unit = part->geom.write_unit;
	gang_flash_unit u = { 0 };
	uint32_t n;
	int err = GANG_OK;

	for (uint32_t off = 0; off < run->len && err == GANG_OK; off += n) {
		uint32_t a = run->addr + off;

		if (!gang_geom_unit_at(&u, &part->geom, a))
			return gang_diag_set_at(gang_target_diag(t), GANG_ERR, a, "program: 0x%08" PRIX32
					     " is not flash", a);
		if ((n = tz_direct_span(run, off, &u, unit)) == 0) {
			n = unit;   /* blank: nothing to program */
			continue;
		}
		if (tz_secure(st, &u, part->family) && st->half)
			return tz_refuse_secure(t, "program", a);
		/* a stop of the run is heard between two transfers, as the loader ring hears it between blocks */
		if ((err = gang_target_stop_check(t, "program", a)) < 0)
			return err;
		err = tz_direct_write(t, tz_secure(st, &u, part->family), a, run->data + off, n);
		gang_flash_progress_report(p, base + off + n);
	}
	return err;
}

/* At level 0.5, refuse before anything is written when a run reaches a secure page. */
static int tz_runs_allowed(gang_target *t, const tz_state *st, const gang_flash_run *runs, size_t n)
{
	const gang_part *part = gang_target_part(t);
	gang_flash_unit u;

	for (size_t i = 0; i < n && st->half; i++)
		for (uint32_t a = runs[i].addr; a < runs[i].addr + runs[i].len; a = u.addr + u.size)
			if (!gang_geom_unit_at(&u, &part->geom, a) || tz_secure(st, &u, part->family))
				return tz_refuse_secure(t, "program", a);
	return GANG_OK;
}

static int tz_program_stage(gang_flash_stage *st, gang_target *t, const gang_flash_run *runs, size_t n,
			    uint64_t budget_us, uint64_t *used_us)
{
	gang_loader l = tz_loader(t);
	tz_state s;
	int err = tz_state_read(&s, t);

	st->staged = false;
	*used_us = 0;
	if (err < 0 || s.tzen)
		return err;   /* TrustZone on: nothing to stage, the host programs */
	return gang_loader_stage(st, used_us, t, &l, runs, n, budget_us);
}

static int tz_program(gang_target *t, const gang_flash_run *runs, size_t n, const gang_flash_progress *p,
		      const gang_flash_stage *st)
{
	gang_loader l = tz_loader(t);
	uint64_t base = 0;
	tz_state s;
	int err;

	if ((err = tz_state_read(&s, t)) < 0)
		return err;
	if (!s.tzen)
		return gang_loader_program(t, &l, runs, n, p, st);   /* the caller locks: that ends PG */
	if ((err = tz_runs_allowed(t, &s, runs, n)) < 0)
		return err;
	for (size_t i = 0; i < n && err == GANG_OK; i++) {
		err = tz_direct_run(t, &s, &runs[i], p, base);
		base += runs[i].len;
	}
	tz_wr(t, TZ_FLASH_NSCR, 0);
	if (s.tzen && !s.half)
		tz_wr(t, TZ_SEC_REGS + TZ_FLASH_SECCR, 0);
	return err;
}

/* The CRC the STM32 CRC unit would give, over flash read back through the debug port (secure alias where secure). */
static int tz_crc_readback(uint32_t *crc_out, gang_target *t, const tz_state *st, uint32_t addr, uint32_t len)
{
	const gang_part *part = gang_target_part(t);
	uint8_t buf[TZ_READ_CHUNK];
	uint32_t crc = 0xFFFFFFFFU;
	gang_flash_unit u;
	int err = GANG_OK;

	for (uint32_t off = 0, n = 0; off < len && err == GANG_OK; off += n) {
		uint32_t a = addr + off;
		bool secure = gang_geom_unit_at(&u, &part->geom, a) && tz_secure(st, &u, part->family);

		if (secure && st->half)
			return tz_refuse_secure(t, "verify", a);
		/* one read never leaves the page: the next one may be of the other security */
		n = len - off < sizeof(buf) ? len - off : (uint32_t)sizeof(buf);
		if (gang_geom_is_flash(&part->geom, a, 1) && u.addr + u.size - a < n)
			n = u.addr + u.size - a;
		err = gang_stlink_read_mem(buf, gang_target_stlink(t), a | (secure ? TZ_SEC_FLASH : 0U), n);
		for (uint32_t i = 0; i < n; i += 4U) {
			/* the unit takes each little-endian word MSB first (flash/flash.h gang_crc32_stm32) */
			uint8_t be[4] = { buf[i + 3U], buf[i + 2U], buf[i + 1U], buf[i] };

			crc = gang_crc32_mpeg2(crc, be, sizeof(be));
		}
	}
	*crc_out = crc;
	return err;
}

static int tz_crc(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len)
{
	tz_state st;
	int err = tz_state_read(&st, t);

	if (err < 0)
		return err;
	if (!st.tzen)
		return gang_loader_crc(crc_out, t, addr, len);
	return tz_crc_readback(crc_out, t, &st, addr, len);
}

/* OPTR and the six area registers as the block (flash/fpec_tz.h TZ_RAW_*). */
static int tz_ob_read(uint8_t *raw, size_t *len_out, gang_target *t)
{
	const gang_family *f = gang_target_part(t)->family;
	uint32_t optr = 0, reg = 0;
	int err = tz_rd(&optr, t, TZ_FLASH_OPTR);

	memset(raw, 0, GANG_OB_RAW_LEN);
	for (unsigned i = 0; i < 4U; i++)
		raw[TZ_RAW_OPTR + i] = (uint8_t)(optr >> (8U * i));
	for (unsigned i = 0; i < TZ_AREAS && err == GANG_OK; i++) {
		uint16_t h;

		if ((err = tz_rd(&reg, t, gang_fpec_tz_area_regs[i])) < 0)
			break;
		h = gang_fpec_tz_area_field(reg, f);
		if (i < TZ_WRP_AREAS && (reg & TZ_WRP_UNLOCK))
			h |= TZ_RAW_UNLOCK;
		raw[TZ_RAW_AREA + 2U * i] = (uint8_t)h;
		raw[TZ_RAW_AREA + 2U * i + 1U] = (uint8_t)(h >> 8);
	}
	for (unsigned i = 0; i < TZ_HDP_AREAS && err == GANG_OK; i++) {
		uint16_t h;

		if ((err = tz_rd(&reg, t, gang_fpec_tz_hdp_regs[i])) < 0)
			break;
		h = gang_fpec_tz_hdp_half(reg, f);
		raw[TZ_RAW_HDP + 2U * i] = (uint8_t)h;
		raw[TZ_RAW_HDP + 2U * i + 1U] = (uint8_t)(h >> 8);
	}
	*len_out = TZ_OB_RAW;
	return err;
}

/* NSCR unlocked, then OPTKEYR unless unlocked already; GANG_EFLASH when OPTLOCK stays set. */
static int tz_ob_unlock(gang_target *t)
{
	uint32_t cr = 0;
	int err;

	if ((err = gang_flash_ctrl_unlock(t, &tz_ns_regs)) < 0 || (err = tz_rd(&cr, t, TZ_FLASH_NSCR)) < 0)
		return err;
	if ((cr & TZ_CR_OPTLOCK) && ((err = tz_wr(t, TZ_FLASH_OPTKEYR, TZ_OPT_KEY1)) < 0 ||
				     (err = tz_wr(t, TZ_FLASH_OPTKEYR, TZ_OPT_KEY2)) < 0 ||
				     (err = tz_rd(&cr, t, TZ_FLASH_NSCR)) < 0))
		return err;
	if (cr & TZ_CR_OPTLOCK)
		return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "option bytes stay locked after the "
				     "OPTKEYR sequence (FLASH_NSCR=0x%08" PRIX32 ")", cr);
	return GANG_OK;
}

/* Area register i with the block's start, end (and U5 UNLOCK), its other bits kept. */
static int tz_ob_area(gang_target *t, const uint8_t *raw, unsigned i)
{
	const gang_family *f = gang_target_part(t)->family;
	uint32_t m = gang_fpec_tz_page_mask(f), keep = ~(m | m << TZ_AREA_END_SHIFT), cur = 0, optr = 0, v, sec;
	uint16_t h = (uint16_t)(raw[TZ_RAW_AREA + 2U * i] | raw[TZ_RAW_AREA + 2U * i + 1U] << 8);
	int err;

	if (i < TZ_WRP_AREAS && gang_fpec_tz_has_unlock(f))
		keep &= ~TZ_WRP_UNLOCK;
	if ((err = tz_rd(&cur, t, gang_fpec_tz_area_regs[i])) < 0 || (err = tz_rd(&optr, t, TZ_FLASH_OPTR)) < 0)
		return err;
	v = (cur & keep) | gang_fpec_tz_area_reg(h, f);
	if (i < TZ_WRP_AREAS && gang_fpec_tz_has_unlock(f) && (h & TZ_RAW_UNLOCK))
		v |= TZ_WRP_UNLOCK;
	/* with TrustZone on, the watermarks take secure writes only (RM0456 §7.9.16): the secure alias */
	sec = i >= TZ_WRP_AREAS && (optr & TZ_OPTR_TZEN) ? TZ_SEC_REGS : 0U;
	return v == cur ? GANG_OK : tz_wr(t, sec + gang_fpec_tz_area_regs[i], v);
}

/* SECWMxR2 with the block's HDPxEN and HDPx_PEND, its other bits kept; secure writes with TrustZone on. */
static int tz_ob_hdp(gang_target *t, const uint8_t *raw, unsigned i)
{
	const gang_family *f = gang_target_part(t)->family;
	uint16_t h = (uint16_t)(raw[TZ_RAW_HDP + 2U * i] | raw[TZ_RAW_HDP + 2U * i + 1U] << 8);
	uint32_t keep = ~gang_fpec_tz_hdp_reg(0xFFFFU, f), cur = 0, optr = 0, v;
	int err;

	if ((err = tz_rd(&cur, t, gang_fpec_tz_hdp_regs[i])) < 0 || (err = tz_rd(&optr, t, TZ_FLASH_OPTR)) < 0)
		return err;
	v = (cur & keep) | gang_fpec_tz_hdp_reg(h, f);
	return v == cur ? GANG_OK : tz_wr(t, ((optr & TZ_OPTR_TZEN) ? TZ_SEC_REGS : 0U) + gang_fpec_tz_hdp_regs[i], v);
}

/*
 * The layout gang programs stays: the L5's DBANK and either family's
 * SWAP_BANK may change only with the whole flash's meaning, which gang
 * does not follow mid-run (the next attach reads them again).
 */
static int tz_ob_refuse(gang_target *t, uint32_t optr, uint32_t cur)
{
	const gang_part *p = gang_target_part(t);

	if (!gang_fpec_tz_has_unlock(p->family) && ((optr ^ cur) & TZ_OPTR_DBANK_L5) && !(optr & TZ_OPTR_DBANK_L5))
		return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "DBANK = 0 gives the %s one bank of "
				     "4 KiB pages, a layout gang does not program; it keeps the factory DBANK = 1",
				     p->name);
	return GANG_OK;
}

/* New values into OPTR and the area registers, OPTSTRT, wait, check. */
static int tz_ob_program(gang_target *t, const uint8_t *raw)
{
	uint32_t keep = ~(gang_fpec_tz_user_mask(gang_target_part(t)->family) | TZ_OPTR_RDP);
	uint32_t cur = 0, sr = 0, optr = 0;
	int err;

	for (unsigned i = 0; i < 4U; i++)
		optr |= (uint32_t)raw[TZ_RAW_OPTR + i] << (8U * i);
	if ((err = tz_rd(&cur, t, TZ_FLASH_OPTR)) < 0)
		return err;
	optr = (cur & keep) | (optr & ~keep);
	if ((err = tz_ob_refuse(t, optr, cur)) < 0 || (err = tz_ob_unlock(t)) < 0 ||
	    (err = gang_flash_ctrl_wait(&sr, t, &tz_ns_regs, 0, 1000U, "option-byte write")) < 0)
		return err;
	for (unsigned i = 0; i < TZ_AREAS; i++)
		if ((err = tz_ob_area(t, raw, i)) < 0)
			return err;
	for (unsigned i = 0; i < TZ_HDP_AREAS; i++)
		if ((err = tz_ob_hdp(t, raw, i)) < 0)
			return err;
	if ((err = tz_wr(t, TZ_FLASH_OPTR, optr)) < 0 || (err = tz_wr(t, TZ_FLASH_NSCR, TZ_CR_OPTSTRT)) < 0 ||
	    (err = gang_flash_ctrl_wait(&sr, t, &tz_ns_regs, TZ_OB_EXPECT_US, TZ_OB_TIMEOUT_MS,
					"option-byte write")) < 0)
		return err;
	err = tz_check(t, sr, "option-byte write", tz_reg(t, TZ_FLASH_OPTR));
	tz_wr(t, TZ_FLASH_NSSR, TZ_SR_CLEAR);
	return err;
}

/*
 * OBL_LAUNCH reloads the option bytes with a system reset (RM0456 §7.4.2;
 * the probe's reply to that write may be cut short): the reset vector
 * catch halts the core again, and nothing gang left in SRAM survives it.
 */
static int tz_obl_launch(gang_target *t)
{
	int err;

	if ((err = gang_target_arm_reset_catch(t)) < 0)
		return err;
	tz_wr(t, TZ_FLASH_NSCR, TZ_CR_OBL_LAUNCH);
	*gang_target_sram_note(t) = 0;
	gang_target_crc_memo_clear(t);
	if ((err = gang_target_wait_halt(t, TZ_OBL_HALT_MS, 1000U, GANG_ETARGET_NOHALT,
					 "the core after OBL_LAUNCH")) < 0)
		return err;
	return gang_target_read_rdp(t);
}

static int tz_ob_write(gang_target *t, const uint8_t *raw, size_t len)
{
	int err;

	if (len < TZ_OB_RAW)
		return gang_diag_set(gang_target_diag(t), GANG_ERR, "option-byte block of %zu bytes, want %u",
				     len, TZ_OB_RAW);
	if ((err = tz_ob_program(t, raw)) < 0) {
		tz_wr(t, TZ_FLASH_NSCR, TZ_CR_LOCK | TZ_CR_OPTLOCK);
		return err;
	}
	return tz_obl_launch(t);
}

/*
 * OTP (512 bytes at 0x0BFA0000, RM0438 §6.3.1, RM0456 §7.3.1): programmed
 * like main flash in the family's unit through the non-secure set, never
 * erased; a unit already written and asked to change is refused, one
 * asked for nothing new is skipped.
 */
static int tz_otp_unit(gang_target *t, uint32_t at, unsigned unit, const uint8_t *data, uint32_t addr, size_t len)
{
	uint8_t cur[TZ_UNIT_MAX], want[TZ_UNIT_MAX];
	int err = gang_stlink_read_mem(cur, gang_target_stlink(t), at, unit);

	memcpy(want, cur, unit);
	for (uint32_t k = 0; k < unit; k++)
		if (at + k >= addr && at + k < addr + len)
			want[k] = data[at + k - addr];
	if (err < 0 || memcmp(cur, want, unit) == 0)
		return err;
	if (!tz_blank(cur, unit))
		return gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, at, "OTP unit at 0x%08" PRIX32 " is "
				     "written already: each takes one write, ever", at);
	return tz_direct_write(t, false, at, want, unit);
}

static int tz_otp_write(gang_target *t, uint32_t addr, const uint8_t *data, size_t len)
{
	unsigned unit = gang_target_part(t)->geom.write_unit;
	int err = GANG_OK;

	for (uint32_t at = addr & ~(unit - 1U); at < addr + len && err == GANG_OK; at += unit)
		err = tz_otp_unit(t, at, unit, data, addr, len);
	tz_wr(t, TZ_FLASH_NSCR, 0);
	return err;
}

const gang_flash_ops gang_flash_ops_tz = {
	.name = "stm32l5/u5 trustzone controller",
	.unlock = tz_unlock,
	.lock = tz_lock,
	.mass_erase = tz_mass_erase,
	.erase_units = tz_erase_units,
	.program_stage = tz_program_stage,
	.program = tz_program,
	.crc = tz_crc,
	.ob_read = tz_ob_read,
	.ob_write = tz_ob_write,
	.ob_fields = gang_fpec_tz_ob_fields,
	.ob_decode = gang_fpec_tz_ob_decode,
	.ob_encode = gang_fpec_tz_ob_encode,
	.ob_rdp_byte = gang_fpec_tz_ob_rdp_byte,
	.otp_write = tz_otp_write,
	.ob_policy = gang_fpec_tz_ob_policy,
	.ob_want_check = gang_fpec_tz_ob_want_check,
	.ob_stage = gang_fpec_tz_ob_stage,
};
