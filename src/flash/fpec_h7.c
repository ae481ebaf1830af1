/*
 * fpec_h7.c — the STM32H7 flash driver (H72x-H75x: RM0433 §4, RM0468
 * §4): two banks, each with its own KEYR/CR/SR/CCR, programmed in 256-bit
 * flash words. Unlock and lock per bank (flash/ctrl.c with bank_off),
 * sector erase with SER/SNB/START in the bank's CR (sectors of both banks
 * erased at the same time), bank erase (BER, both banks at once) as mass
 * erase, option bytes through OPTSR_PRG/BOOT_PRG/WPSN_PRGx and OPTSTART,
 * and programming with tools/loader/loader_h7.S. With the banks swapped
 * (SWAP_BANK, RM0433 §4.3.13) every operation goes to the controller of
 * the physical bank holding the address (h7_swap).
 *
 * Programming both banks at once: each run is widened to whole flash
 * words (the padding is the erased value 0xFF, so no partial word and no
 * FW force-write is needed: an all-0xFF word is skipped, a padded one
 * programmed once), and a run crossing into bank 2 is laid out in the ring
 * with its flash words alternating between the banks (h7_interleave,
 * mirrored by the loader). One core, one ring, one link stream, but both
 * controllers program at the same time: while bank 1 programs a word the
 * loader gives bank 2 the next, so an image split over the banks takes
 * about half the flash time (RM0433 §4.3.9: each bank has its own write
 * buffer and queue). Two loader instances would need two cores; one
 * loader alternating by word keeps the ring, the pacing and the closing
 * CRC pass of loader_ring.c unchanged.
 *
 * Parallelism x64, as OpenOCD 0.12 uses on every H7 (the H7 has no VPP
 * pin; whether RM0433 ties x64 to a supply range was not checked:
 * unverified). Timings at x64 (unverified against DS12110): sector erase
 * about 1.0 s (1.1 s at x32 per ST staff quoting the datasheet; "< 1 s in
 * x64" in ChromiumOS EC), bank erase taken as five sectors (the
 * reference's "x64 about 5 s" mass erase), flash word 100 us (target/part.c).
 */
#include "flash/fpec_h7.h"
#include "core/bytes.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flash/ctrl.h"
#include "flash/geom.h"
#include "flash/loader_ring.h"
#include "flash/loaders.inc"

#define H7_WORD              32U       /* bytes in a flash word (RM0433 §4.3.3) */
#define H7_POLL_US           2000U
#define H7_SECTOR_MS         1000U     /* 128 KiB sector at x64, typical (unverified) */
#define H7_BANK_MS           5000U     /* bank erase at x64 (unverified) */
#define H7_OB_EXPECT_US      20000U
#define H7_OB_TIMEOUT_MS     60000U    /* an RDP regression erases both banks first */
#define H7_CR_PROG           (H7_CR_PG | H7_CR_PSIZE_X64)

/* The controller's registers for the shared unlock and BSY wait, bank 2's at +0x100 (RM0433 §4.9). */
static const gang_flash_ctrl_regs h7_regs = {
	H7_FLASH_KEYR, H7_FLASH_SR, H7_FLASH_CR, H7_SR_BSY | H7_SR_QW, H7_SR_CLEAR, H7_CR_LOCK, H7_POLL_US,
	H7_FLASH_CCR, H7_BANK2,
};

static uint32_t h7_reg(gang_target *t, unsigned bank, uint32_t off)
{
	return gang_target_part(t)->family->flash.base + bank * H7_BANK2 + off;
}

static int h7_rd(uint32_t *v, gang_target *t, unsigned bank, uint32_t off)
{
	return gang_stlink_read32(v, gang_target_stlink(t), h7_reg(t, bank, off));
}

static int h7_wr(gang_target *t, unsigned bank, uint32_t off, uint32_t v)
{
	return gang_stlink_write32(gang_target_stlink(t), h7_reg(t, bank, off), v);
}

bool gang_fpec_h7_dual_bank(const gang_part *p)
{
	return p->geom.n_regions > 0 && p->geom.regions[p->geom.n_regions - 1].bank > 0;
}

static unsigned h7_banks(gang_target *t)
{
	return gang_flash_ctrl_banks(t, &h7_regs);
}

/* Bank 2's first address (the end of flash on a one-bank part). */
static uint32_t h7_split(const gang_part *p)
{
	for (unsigned i = 0; i < p->geom.n_regions; i++)
		if (p->geom.regions[i].bank > 0)
			return p->geom.regions[i].base;
	return (uint32_t)gang_geom_end(&p->geom);
}

/* SR error bits after an operation, in words an engineer can act on (RM0433 §4.9.5). */
static const gang_flash_sr_errs h7_errs = {
	H7_SR_WRPERR, "sector", "WRPERR",
	{ { H7_SR_STRBERR, "a flash word written twice or in pieces (STRBERR)" },
	  { H7_SR_INCERR, "writes to two flash words mixed in the write buffer (INCERR)" },
	  { H7_SR_PGSERR, "sequence error (PGSERR)" },
	  { H7_SR_OPERR, "operation error (OPERR)" } },
};

static int h7_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr)
{
	return gang_flash_ctrl_check(t, sr, what, addr, &h7_errs);
}

/*
 * With SWAP_BANK in force (FLASH_OPTCR b31, loaded from SWAP_BANK_OPT at
 * reset: RM0433 §4.3.13) bank 2 answers at 0x08000000 and bank 1 at
 * 0x08100000, while each bank's KEYR/CR/SR keep acting on their own
 * physical bank (RM0433 §4.3.13 says the register sets are not swapped;
 * the bench models it so, unverified on silicon). gang's geometry is the
 * bus map (bank 0: the bank at 0x08000000), so every operation asks which
 * controller holds that bus bank: this XOR. A one-bank part never swaps.
 */
static int h7_swap(unsigned *swap_out, gang_target *t)
{
	uint32_t cr = 0;
	int err = h7_banks(t) < 2U ? GANG_OK : h7_rd(&cr, t, 0, H7_FLASH_OPTCR);

	*swap_out = (cr & H7_OPTCR_SWAP_BANK) ? 1U : 0U;
	return err;
}

static int h7_unlock(gang_target *t)
{
	return gang_flash_ctrl_unlock(t, &h7_regs);
}

static int h7_lock(gang_target *t)
{
	int err = GANG_OK;

	for (unsigned b = 0; b < h7_banks(t) && err == GANG_OK; b++)
		err = h7_wr(t, b, H7_FLASH_CR, H7_CR_LOCK);
	return err;
}

/* One erase step: per bank an operation (CR value, 0: none) at addr[b]; all started, then waited for. */
typedef struct h7_erase_step {
	uint32_t cr[2];
	uint32_t addr[2];
	unsigned typ_ms;
	const char *what;
} h7_erase_step;

static int h7_erase_start(gang_target *t, const h7_erase_step *e)
{
	int err = GANG_OK;

	for (unsigned b = 0; b < 2U && err == GANG_OK; b++)
		if (e->cr[b] != 0 && (err = h7_wr(t, b, H7_FLASH_CR, e->cr[b])) == GANG_OK)
			err = h7_wr(t, b, H7_FLASH_CR, e->cr[b] | H7_CR_START);
	return err;
}

/* Start both banks' operations, run the overlapped work (once), wait for each bank, check, clear. */
static int h7_erase_run(gang_target *t, const h7_erase_step *e, gang_flash_overlap *ov)
{
	uint64_t expect = (uint64_t)e->typ_ms * 900U, spent = 0;
	uint32_t sr = 0;
	int err, oerr;

	if ((err = h7_erase_start(t, e)) < 0)
		return err;
	oerr = gang_flash_overlap_run(&spent, ov, expect);
	for (unsigned b = 0; b < 2U; b++) {
		int berr;

		if (e->cr[b] == 0)
			continue;
		berr = gang_flash_ctrl_wait_bank(&sr, t, &h7_regs, b, spent < expect ? (unsigned)(expect - spent) : 0U,
						 e->typ_ms * 4U + 1000U, e->what);
		spent = expect;   /* the other bank erased meanwhile */
		if (berr == GANG_OK)
			berr = h7_check(t, sr, e->what, e->addr[b]);
		h7_wr(t, b, H7_FLASH_CCR, H7_SR_CLEAR);
		h7_wr(t, b, H7_FLASH_CR, 0);
		err = err < 0 ? err : berr;   /* the first failure names what happened */
	}
	return err < 0 ? err : oerr;
}

/* Both banks at once with BER (RM0433 §4.3.10; OPTCR.MER would do the same through the option unit). */
static int h7_mass_erase(gang_target *t, gang_flash_overlap *ov)
{
	const gang_part *p = gang_target_part(t);
	h7_erase_step e = { { H7_CR_BER | H7_CR_PSIZE_X64, 0 }, { GANG_FLASH_BASE, h7_split(p) },
			    H7_BANK_MS, "bank erase" };
	unsigned swap = 0;
	int err = h7_swap(&swap, t);

	if (err < 0)
		return err;
	if (swap) {   /* physical bank 1 answers at bank 2's place: its errors name that address */
		e.addr[0] = h7_split(p);
		e.addr[1] = GANG_FLASH_BASE;
	}
	if (h7_banks(t) > 1U)
		e.cr[1] = e.cr[0];
	return h7_erase_run(t, &e, ov);
}

/*
 * SER with the sector's number (0-7 in its bank) in the bank's SNB; the
 * i-th sector of each bank in the range erased together.
 */
static int h7_erase_units(gang_target *t, unsigned first, unsigned count, const gang_flash_progress *p,
			  gang_flash_overlap *ov)
{
	const gang_flash_geom *g = &gang_target_part(t)->geom;
	unsigned idx[2][16], n[2] = { 0, 0 }, swap = 0;
	gang_flash_unit u;
	uint64_t done = 0;
	int err = h7_swap(&swap, t);

	for (unsigned i = first; i < first + count && err == GANG_OK; i++) {
		if (!gang_geom_unit(&u, g, i) || u.bank > 1U || n[u.bank ^ swap] >= 16U)
			return gang_diag_set(gang_target_diag(t), GANG_ERR, "erase: sector %u does not exist", i);
		idx[u.bank ^ swap][n[u.bank ^ swap]++] = i;   /* by the controller that holds it */
	}
	for (unsigned k = 0; err == GANG_OK && (k < n[0] || k < n[1]); k++) {
		h7_erase_step e = { { 0, 0 }, { 0, 0 }, H7_SECTOR_MS, "sector erase" };

		for (unsigned b = 0; b < 2U; b++) {
			if (k >= n[b] || !gang_geom_unit(&u, g, idx[b][k]))
				continue;
			e.cr[b] = H7_CR_SER | H7_CR_PSIZE_X64 | (uint32_t)u.no << H7_CR_SNB_SHIFT;
			e.addr[b] = u.addr;
			done += u.size;
		}
		/* a stop lands between two steps; a step once started is waited out (flash/flash.c) */
		if ((err = gang_target_stop_check(t, "erase", e.addr[e.cr[0] ? 0 : 1])) < 0 ||
		    (err = h7_erase_run(t, &e, ov)) < 0)
			break;
		gang_flash_progress_report(p, done);
	}
	return err;
}

/* Units per bank part of [addr, addr + len) cut at split (bank 1's part first). */
static void h7_parts(uint32_t *n1, uint32_t *n2, uint32_t addr, uint32_t len, uint32_t split)
{
	uint32_t end = addr + len, s = split < addr ? addr : split > end ? end : split;

	*n1 = (s - addr) / H7_WORD;
	*n2 = (end - s) / H7_WORD;
}

/*
 * The ring order of a run crossing into bank 2: flash words alternate,
 * bank 1 first, the longer part's rest at the end (loader_h7.S takes them
 * in this order).
 */
static void h7_interleave(uint8_t *dst, const uint8_t *src, uint32_t n1, uint32_t n2)
{
	uint32_t i1 = 0, i2 = 0, o = 0;

	while (i1 < n1 || i2 < n2) {
		bool one = i2 >= n2 || (i1 < n1 && i1 <= i2);
		uint32_t from = one ? i1++ : n1 + i2++;

		memcpy(dst + (size_t)o++ * H7_WORD, src + (size_t)from * H7_WORD, H7_WORD);
	}
}

/* Run r widened to whole flash words (padded with 0xFF) and laid out for the loader, into *out. */
static int h7_run_prepare(gang_flash_run *out, const gang_flash_run *r, uint32_t split)
{
	uint32_t lo = r->addr & ~(H7_WORD - 1U), hi = (r->addr + r->len + H7_WORD - 1U) & ~(H7_WORD - 1U);
	uint32_t n1, n2;
	uint8_t *flat = malloc(hi - lo);

	out->addr = lo;
	out->len = hi - lo;
	out->data = malloc(hi - lo);
	if (flat == NULL || out->data == NULL) {
		free(flat);
		return GANG_ENOMEM;
	}
	memset(flat, 0xFF, hi - lo);
	memcpy(flat + (r->addr - lo), r->data, r->len);
	h7_parts(&n1, &n2, lo, hi - lo, split);
	h7_interleave(out->data, flat, n1, n2);
	free(flat);
	return GANG_OK;
}

/* The runs as the H7 loader takes them (*out malloc'd, gang_flash_runs_free). */
static int h7_runs(gang_flash_run **out, gang_target *t, const gang_flash_run *runs, size_t n)
{
	gang_flash_run *x = calloc(n ? n : 1, sizeof(*x));
	uint32_t split = h7_split(gang_target_part(t));
	int err = x == NULL ? GANG_ENOMEM : GANG_OK;

	for (size_t i = 0; i < n && err == GANG_OK; i++)
		err = h7_run_prepare(&x[i], &runs[i], split);
	if (err < 0) {
		gang_flash_runs_free(x, n);
		*out = NULL;
		return gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory laying out flash words");
	}
	*out = x;
	return GANG_OK;
}

/*
 * The loader: PG | PSIZE in FLASH_CR1 by the ring (CR2 by h7_program),
 * QW and BSY mean "still programming" (RM0433 §4.3.9), split at bank 2.
 * Its status register is the one of the controller holding the bank at
 * 0x08000000 (SR2 with the banks swapped); loader_h7.S reaches the other
 * by flipping the +0x100 bank offset.
 */
static int h7_loader(gang_loader *out, gang_target *t)
{
	unsigned swap = 0;
	int err = h7_swap(&swap, t);
	gang_loader l = {
		loader_h7_prog, sizeof(loader_h7_prog), H7_FLASH_CR, H7_CR_PROG, H7_FLASH_SR + swap * H7_BANK2,
		H7_SR_BSY | H7_SR_QW, H7_SR_ERRORS, H7_WORD, 0U, h7_check, h7_split(gang_target_part(t)),
	};

	*out = l;
	return err;
}

static int h7_program_stage(gang_flash_stage *st, gang_target *t, const gang_flash_run *runs, size_t n,
			    uint64_t budget_us, uint64_t *used_us)
{
	gang_loader l;
	gang_flash_run *x = NULL;
	int err;

	*used_us = 0;
	st->staged = false;
	if ((err = h7_loader(&l, t)) < 0 || (err = h7_runs(&x, t, runs, n)) < 0)
		return err;
	err = gang_loader_stage(st, used_us, t, &l, x, n, budget_us);
	gang_flash_runs_free(x, n);
	return err;
}

static int h7_program(gang_target *t, const gang_flash_run *runs, size_t n, const gang_flash_progress *p,
		      const gang_flash_stage *st)
{
	gang_loader l;
	gang_flash_progress q = p ? *p : (gang_flash_progress){ NULL, NULL, "program", 0, 0 };
	gang_flash_run *x = NULL;
	int err;

	if ((err = h7_loader(&l, t)) < 0 || (err = h7_runs(&x, t, runs, n)) < 0)
		return err;
	q.total = q.base;
	for (size_t i = 0; i < n; i++)
		q.total += x[i].len;   /* whole flash words */
	if (h7_banks(t) > 1U)
		err = h7_wr(t, 1, H7_FLASH_CR, H7_CR_PROG);
	if (err == GANG_OK)
		err = gang_loader_program(t, &l, x, n, &q, st);
	for (unsigned b = 0; b < h7_banks(t); b++)
		h7_wr(t, b, H7_FLASH_CR, 0);   /* PG off; the caller locks */
	gang_flash_runs_free(x, n);
	return err;
}

static int h7_crc(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len)
{
	return gang_loader_crc(crc_out, t, addr, len);
}

/*
 * WRPSN of both physical banks (bank 1 in bits 0-7) <-> bus order (the
 * bank at 0x08000000 in bits 0-7), by the SWAP_BANK_OPT of the option
 * word they go with: the protection bits stay with their physical bank
 * (each bank's WPSN register, RM0433 §4.9.17), the sector numbers gang
 * counts follow the map (§4.3.13). An exchange is its own inverse.
 */
static uint32_t h7_wrpsn_order(gang_target *t, uint32_t optsr, uint32_t wrpsn)
{
	if (!(optsr & H7_SWAP_BANK_OPT) || h7_banks(t) < 2U)
		return wrpsn;
	return (wrpsn & H7_WRPSN_BITS) << H7_BANK_SECTORS | (wrpsn >> H7_BANK_SECTORS & H7_WRPSN_BITS);
}

/*
 * OPTSR_CUR, BOOT_CUR, both WPSN_CUR in bus order, BOOT4_CUR on a
 * dual-core part; a one-bank part reads as "nothing protected in bank 2".
 */
static int h7_ob_read(uint8_t *raw, size_t *len_out, gang_target *t)
{
	uint32_t v[4] = { 0, 0, 0, 0 }, w1 = 0, w2 = H7_WRPSN_BITS;
	int err = h7_rd(&v[0], t, 0, H7_FLASH_OPTSR_CUR);

	if (err == GANG_OK)
		err = h7_rd(&v[1], t, 0, H7_FLASH_BOOT_CUR);
	if (err == GANG_OK)
		err = h7_rd(&w1, t, 0, H7_FLASH_WPSN_CUR);
	if (err == GANG_OK && h7_banks(t) > 1U)
		err = h7_rd(&w2, t, 1, H7_FLASH_WPSN_CUR);
	if (err == GANG_OK && gang_part_h7_dual_core(gang_target_part(t)))
		err = h7_rd(&v[3], t, 0, H7_FLASH_BOOT4_CUR);
	v[2] = h7_wrpsn_order(t, v[0], (w1 & H7_WRPSN_BITS) | (w2 & H7_WRPSN_BITS) << H7_BANK_SECTORS);
	for (unsigned i = 0; i < 4; i++)
		gang_le32_put(raw + 4 * i, v[i]);
	*len_out = H7_OB_RAW;
	return err;
}

/* OPTKEYR unless unlocked; GANG_EFLASH when OPTLOCK stays set. */
static int h7_ob_unlock(gang_target *t)
{
	uint32_t cr = 0;
	int err;

	if ((err = h7_rd(&cr, t, 0, H7_FLASH_OPTCR)) < 0)
		return err;
	if ((cr & H7_OPTCR_OPTLOCK) &&
	    ((err = h7_wr(t, 0, H7_FLASH_OPTKEYR, H7_OPT_KEY1)) < 0 ||
	     (err = h7_wr(t, 0, H7_FLASH_OPTKEYR, H7_OPT_KEY2)) < 0 || (err = h7_rd(&cr, t, 0, H7_FLASH_OPTCR)) < 0))
		return err;
	if (cr & H7_OPTCR_OPTLOCK)
		return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "option bytes stay locked after the "
				     "OPTKEYR sequence (FLASH_OPTCR=0x%08" PRIX32 ")", cr);
	return GANG_OK;
}

/* Poll OPTSR_CUR until OPT_BUSY clears; *optsr_out the last value. */
static int h7_ob_wait(uint32_t *optsr_out, gang_target *t, unsigned expect_us)
{
	uint64_t waited = expect_us;
	int err;

	if (expect_us)
		gang_target_sleep_us(expect_us);
	for (;;) {
		if ((err = h7_rd(optsr_out, t, 0, H7_FLASH_OPTSR_CUR)) < 0)
			return err;
		if (!(*optsr_out & H7_OPTSR_OPT_BUSY))
			return GANG_OK;
		if (waited / 1000U > H7_OB_TIMEOUT_MS)
			return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "option-byte write: still busy "
					     "after %u ms (FLASH_OPTSR_CUR=0x%08" PRIX32 ")", H7_OB_TIMEOUT_MS,
					     *optsr_out);
		gang_target_sleep_us(H7_POLL_US);
		waited += H7_POLL_US;
	}
}

/* The _PRG registers (BOOT4_PRGR on dual core), OPTCHANGEERR cleared, OPTSTART, wait, check (RM0433 §4.4.3). */
static int h7_ob_program(gang_target *t, const uint8_t *raw)
{
	uint32_t optsr = gang_le32_get(raw), prg = 0, cur = 0;
	uint32_t wrpsn = h7_wrpsn_order(t, optsr, gang_le32_get(raw + 8));   /* physical again */
	bool dual = gang_part_h7_dual_core(gang_target_part(t));
	int err;

	if ((err = h7_ob_wait(&cur, t, 0)) < 0 || (err = h7_rd(&prg, t, 0, H7_FLASH_OPTSR_PRG)) < 0)
		return err;
	prg = (prg & ~(H7_USER_MASK | 0xFF00U)) | optsr;   /* reserved bits as they are */
	if ((err = h7_wr(t, 0, H7_FLASH_OPTSR_PRG, prg)) < 0 ||
	    (err = h7_wr(t, 0, H7_FLASH_BOOT_PRG, gang_le32_get(raw + 4))) < 0 ||
	    (err = h7_wr(t, 0, H7_FLASH_WPSN_PRG, wrpsn & H7_WRPSN_BITS)) < 0 ||
	    (h7_banks(t) > 1U && (err = h7_wr(t, 1, H7_FLASH_WPSN_PRG, wrpsn >> H7_BANK_SECTORS)) < 0) ||
	    (dual && (err = h7_wr(t, 0, H7_FLASH_BOOT4_PRG, gang_le32_get(raw + 12))) < 0) ||
	    (err = h7_wr(t, 0, H7_FLASH_OPTCCR, H7_OPTCCR_CLR_CHANGEERR)) < 0 ||
	    (err = h7_wr(t, 0, H7_FLASH_OPTCR, H7_OPTCR_OPTSTART)) < 0 ||
	    (err = h7_ob_wait(&cur, t, H7_OB_EXPECT_US)) < 0)
		return err;
	if (cur & H7_OPTSR_CHANGEERR)
		return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "the option bytes refused the change "
				     "(OPTCHANGEERR, FLASH_OPTSR_CUR=0x%08" PRIX32 ")", cur);
	return GANG_OK;
}

/*
 * The change applies when OPT_BUSY clears (no OBL_LAUNCH, RM0433 §4.4.3);
 * the core is reset and halted again all the same, so RDP and the flash
 * are read as a fresh start sees them.
 */
static int h7_ob_write(gang_target *t, const uint8_t *raw, size_t len)
{
	int err;

	if (len < H7_OB_RAW)
		return gang_diag_set(gang_target_diag(t), GANG_ERR, "option-byte block of %zu bytes, "
				     "want %u", len, H7_OB_RAW);
	if ((err = h7_ob_unlock(t)) == GANG_OK)
		err = h7_ob_program(t, raw);
	h7_wr(t, 0, H7_FLASH_OPTCR, H7_OPTCR_OPTLOCK);
	if (err < 0)
		return err;
	gang_target_crc_memo_clear(t);
	return gang_target_reset_halt(t);
}

const gang_flash_ops gang_flash_ops_h7 = {
	.name = "stm32h7 two-bank controller",
	.unlock = h7_unlock,
	.lock = h7_lock,
	.mass_erase = h7_mass_erase,
	.erase_units = h7_erase_units,
	.erase_steps_stop = true,
	.program_stage = h7_program_stage,
	.program = h7_program,
	.crc = h7_crc,
	.ob_read = h7_ob_read,
	.ob_write = h7_ob_write,
	.ob_fields = gang_fpec_h7_ob_fields,
	.ob_part_class = gang_fpec_h7_ob_part_class,
	.ob_classes = gang_fpec_h7_ob_classes,
	.ob_note = gang_fpec_h7_ob_note,
	.ob_policy = gang_fpec_h7_ob_policy,
	.ob_decode = gang_fpec_h7_ob_decode,
	.ob_encode = gang_fpec_h7_ob_encode,
	.ob_rdp_byte = gang_fpec_h7_ob_rdp_byte,
};
