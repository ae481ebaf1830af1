/*
 * pecr_l0.c — the L0/L1 flash driver (the PECR controller at 0x40022000
 * on L0, 0x40023C00 on L1): the two-stage unlock, page erase by an
 * on-target loop, programming by half pages through the streaming loader
 * (tools/loader/loader_hp.S), CRC verify, data EEPROM word writes, and the
 * option words with OBL_LAUNCH.
 *
 * Facts: RM0377 §3.3.4 (unlock: PEKEY1/PEKEY2 into PEKEYR clears PELOCK,
 * then PRGKEY1/PRGKEY2 into PRGKEYR clears PRGLOCK or OPTKEY1/OPTKEY2 into
 * OPTKEYR clears OPTLOCK; a wrong key locks until the next reset; page
 * erase = PECR.ERASE|PROG then a 0x00000000 word written into the page;
 * half page = PECR.FPRG then |PROG, then 16 words (L0) written back to back
 * from SRAM; data EEPROM words written with only PELOCK cleared; option
 * words written directly, loaded by PECR.OBL_LAUNCH which resets the chip;
 * an erased byte reads 0x00), RM0038 §3.9 (L1: the same sequences,
 * 32-word half pages), RM0377 §3.3.1 and RM0038 §3.3.1 (data EEPROM at
 * 0x08080000); DS10152/STM32L0 datasheets and Zephyr's STM32L0 driver
 * (3.2 ms per word, half page or page erase; the L1's 3.28 ms is
 * unverified). OpenOCD's stm32lx driver does the same sequences.
 */
#include "flash/pecr_l0.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flash/ctrl.h"
#include "flash/geom.h"
#include "flash/loader_abi.h"
#include "flash/loader_ring.h"
#include "flash/loaders.inc"

#define L0_POLL_US           500U
#define L0_OB_TIMEOUT_MS     30000U    /* an RDP regression erases flash and EEPROM (OpenOCD waits 30 s) */
#define L0_WORD_TIMEOUT_MS   100U
#define L0_ERASE_STUB        (GANG_SRAM_BASE + 0x200U)   /* above the loader's control block */
#define L0_ERASE_MAX_PAGES   512U      /* one stub run: about 1.6 s on L0, progress reported after each */
#define L0_STOP_CHECK_US     100000U   /* a stop heard within 0.1 s while the erase loop runs */
#define L0_RING_MIN_KIB      8U        /* loader_ring.c needs 4 KiB head + a 4 KiB ring */
#define L0_BATCH_CTRL        (GANG_SRAM_BASE + 0x100U)
#define L0_BATCH_BUF         (GANG_SRAM_BASE + 0x200U)
#define L0_BATCH_BYTES       1024U     /* fits the L011's 2 KiB of SRAM with the loader */

/* The two instances of the controller (RM0377 §3.7.7, RM0038 §3.9.7: FLASH_SR). */
static const gang_pecr_family l0_families[] = {
	{ 0x40022000U, L0_SR_WRPERR | L0_SR_PGAERR | L0_SR_SIZERR | L0_SR_NOTZEROERR | L0_SR_FWWERR,
	  L0_SR_EOP | L0_SR_WRPERR | L0_SR_PGAERR | L0_SR_SIZERR | L0_SR_OPTVERR | L0_SR_RDERR |
	  L0_SR_NOTZEROERR | L0_SR_FWWERR, true },
	{ 0x40023C00U, L0_SR_WRPERR | L0_SR_PGAERR | L0_SR_SIZERR,
	  L0_SR_EOP | L0_SR_WRPERR | L0_SR_PGAERR | L0_SR_SIZERR | L0_SR_OPTVERR | L0_SR_OPTVERRUSR, false },
};

/*
 * Data EEPROM per part (DEV_ID, flash KiB): STM32L011x4 512 B, STM32L053x8
 * 2 KiB, STM32L073xZ 6 KiB in two banks (CMSIS stm32l073xx.h
 * DATA_EEPROM_BANK2_END 0x080817FF), STM32L152xE 16 KiB (CMSIS
 * stm32l152xe.h); the sizes as the parts' datasheets give them and the
 * bench models them (the datasheet numbers DS11451/DS10152/DS10685/DS10240
 * are from memory, unverified).
 */
static const struct l0_eeprom {
	uint16_t dev_id;
	uint32_t flash_kib;
	uint32_t bytes;
} l0_eeproms[] = {
	{ 0x457U, 16U, 512U }, { 0x417U, 64U, 2048U }, { 0x447U, 192U, 6144U }, { 0x437U, 512U, 16384U },
};

const gang_pecr_family *gang_pecr_l0_family(const gang_family *f)
{
	for (size_t i = 0; i < sizeof(l0_families) / sizeof(l0_families[0]); i++)
		if (l0_families[i].base == f->flash.base)
			return &l0_families[i];
	return NULL;
}

bool gang_pecr_l0_eeprom(uint32_t *lo, uint32_t *hi, const gang_part *p)
{
	for (size_t i = 0; i < sizeof(l0_eeproms) / sizeof(l0_eeproms[0]); i++)
		if (l0_eeproms[i].dev_id == p->dev_id && l0_eeproms[i].flash_kib == p->flash_kib) {
			*lo = L0_EEPROM_BASE;
			*hi = L0_EEPROM_BASE + l0_eeproms[i].bytes;
			return true;
		}
	return false;
}

static const gang_pecr_family *l0_fam(gang_target *t)
{
	const gang_pecr_family *pf = gang_pecr_l0_family(gang_target_part(t)->family);

	return pf != NULL ? pf : &l0_families[0];
}

static uint32_t l0_reg(gang_target *t, uint32_t off)
{
	return gang_target_part(t)->family->flash.base + off;
}

static int l0_wr(gang_target *t, uint32_t off, uint32_t v)
{
	return gang_stlink_write32(gang_target_stlink(t), l0_reg(t, off), v);
}

/* The unlock stages (RM0377 §3.3.4): PEKEYR, then PRGKEYR for program memory or OPTKEYR for options. */
#define L0_SR_CLEAR_COMMON (L0_SR_EOP | L0_SR_WRPERR | L0_SR_PGAERR | L0_SR_SIZERR | L0_SR_OPTVERR)
static const gang_flash_ctrl_regs l0_prg_stage = {
	L0_FLASH_PRGKEYR, L0_FLASH_SR, L0_FLASH_PECR, L0_SR_BSY, L0_SR_CLEAR_COMMON, L0_PECR_PRGLOCK, L0_POLL_US,
	0U, 0U, L0_PRGKEY1, L0_PRGKEY2, NULL,
};
static const gang_flash_ctrl_regs l0_opt_stage = {
	L0_FLASH_OPTKEYR, L0_FLASH_SR, L0_FLASH_PECR, L0_SR_BSY, L0_SR_CLEAR_COMMON, L0_PECR_OPTLOCK, L0_POLL_US,
	0U, 0U, L0_OPTKEY1, L0_OPTKEY2, NULL,
};
static const gang_flash_ctrl_regs l0_pe_prg = {
	L0_FLASH_PEKEYR, L0_FLASH_SR, L0_FLASH_PECR, L0_SR_BSY, L0_SR_CLEAR_COMMON, L0_PECR_PELOCK, L0_POLL_US,
	0U, 0U, L0_PEKEY1, L0_PEKEY2, &l0_prg_stage,
};
static const gang_flash_ctrl_regs l0_pe_opt = {
	L0_FLASH_PEKEYR, L0_FLASH_SR, L0_FLASH_PECR, L0_SR_BSY, L0_SR_CLEAR_COMMON, L0_PECR_PELOCK, L0_POLL_US,
	0U, 0U, L0_PEKEY1, L0_PEKEY2, &l0_opt_stage,
};
static const gang_flash_ctrl_regs l0_pe_only = {
	L0_FLASH_PEKEYR, L0_FLASH_SR, L0_FLASH_PECR, L0_SR_BSY, L0_SR_CLEAR_COMMON, L0_PECR_PELOCK, L0_POLL_US,
	0U, 0U, L0_PEKEY1, L0_PEKEY2, NULL,
};

/* Clear every stale status bit of this instance (the family's own error bits too). */
static int l0_clear(gang_target *t)
{
	return l0_wr(t, L0_FLASH_SR, l0_fam(t)->sr_clear);
}

static int l0_unlock_with(gang_target *t, const gang_flash_ctrl_regs *r)
{
	int err = gang_flash_ctrl_unlock(t, r);

	return err < 0 ? err : l0_clear(t);
}

static int l0_unlock(gang_target *t)
{
	return l0_unlock_with(t, &l0_pe_prg);
}

/* PELOCK locks PECR and with it program memory, data EEPROM and options (RM0377 §3.7.2). */
static int l0_lock(gang_target *t)
{
	return l0_wr(t, L0_FLASH_PECR, L0_PECR_PELOCK | L0_PECR_PRGLOCK | L0_PECR_OPTLOCK);
}

/* SR error bits after an operation, in words an engineer can act on (RM0377 §3.7.5). */
static const gang_flash_sr_errs l0_errs = {
	L0_SR_WRPERR, "sector", "WRPERR",
	{ { L0_SR_PGAERR, "misaligned or outside the half page (PGAERR)" },
	  { L0_SR_SIZERR, "wrong access size (SIZERR)" },
	  { L0_SR_NOTZEROERR, "the target was not erased (NOTZEROERR)" },
	  { L0_SR_FWWERR, "the half-page burst was interrupted (FWWERR)" } },
};

/*
 * WRPERR in a sector that L0 PCROP guards is no write protection: say what
 * it is and what lifts it (RM0367 §3.4.4), so nobody looks for WRP bits.
 */
static int l0_explain_pcrop(gang_target *t, uint32_t addr, int err)
{
	const gang_part *part = gang_target_part(t);
	const gang_ob_field *lo = gang_ob_field_find(part->family, "PCROP");
	const gang_ob_field *hi = gang_ob_field_find(part->family, "PCROP2");
	uint32_t sector = (addr - GANG_FLASH_BASE) / (L0_OB_SECTOR_KIB * 1024U);
	gang_ob ob;
	uint64_t pcrop;

	if (lo == NULL || hi == NULL || addr < GANG_FLASH_BASE || sector >= part->flash_kib / L0_OB_SECTOR_KIB ||
	    gang_ob_read(&ob, t) < 0)
		return err;
	pcrop = (uint64_t)gang_ob_field_get(&ob, lo) | (uint64_t)gang_ob_field_get(&ob, hi) << 32;
	if (!(pcrop >> sector & 1U))
		return err;
	return gang_diag_set_at(gang_target_diag(t), GANG_EWRITE_PROTECTED, addr, "sector %" PRIu32 " at 0x%08"
				PRIX32 " is PCROP read-protected (WPRMOD = 1): it cannot be programmed or erased "
				"until an RDP regression from level 1 to 0 lifts PCROP (RM0367 §3.4.4)", sector,
				addr);
}

static int l0_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr)
{
	/* only the bits this family has (L1 has no NOTZEROERR or FWWERR) */
	int err = gang_flash_ctrl_check(t, sr & l0_fam(t)->sr_errs, what, addr, &l0_errs);

	return err == GANG_EWRITE_PROTECTED ? l0_explain_pcrop(t, addr, err) : err;
}

static int l0_wait(uint32_t *sr_out, gang_target *t, unsigned expect_us, unsigned timeout_ms, const char *what)
{
	return gang_flash_ctrl_wait(sr_out, t, &l0_pe_only, expect_us, timeout_ms, what);
}

/*
 * A stop heard while the erase loop runs: halt the core between two of
 * its pages, wait out the page it started (the controller cannot be
 * interrupted), disarm PECR and report the stop at the first page not
 * known to be erased (r1: the loop advances it after starting a page).
 */
static int l0_erase_stop(gang_target *t, uint32_t addr)
{
	uint32_t at = addr, sr = 0;
	int err;

	if ((err = gang_target_halt(t)) < 0 || (err = gang_stlink_read_reg(&at, gang_target_stlink(t), 1)) < 0 ||
	    (err = l0_wait(&sr, t, 0U, L0_WORD_TIMEOUT_MS, "page erase")) < 0 ||
	    (err = l0_wr(t, L0_FLASH_PECR, 0)) < 0 || (err = l0_clear(t)) < 0)
		return err;
	return gang_target_stopped(t, "erase", at);
}

/*
 * Pages [addr, end) erased by the on-target loop (erase.S), PECR = ERASE |
 * PROG armed here. The host hears a stop every L0_STOP_CHECK_US while the
 * loop runs instead of restarting it in short steps (each restart is some
 * 20 USB commands, 20 ms on a V2).
 */
static int l0_erase_run(gang_target *t, uint32_t addr, uint32_t end, uint32_t page)
{
	const gang_family *f = gang_target_part(t)->family;
	gang_stlink *sl = gang_target_stlink(t);
	uint32_t regs[7] = { f->flash.base + L0_FLASH_SR, addr, end, page, L0_SR_BSY, l0_fam(t)->sr_errs,
			     f->iwdg_kr };
	uint64_t us = (uint64_t)(end - addr) / page * f->flash.t_prog_ns / 1000U;
	uint32_t sr = 0, at = 0, dfsr = 0;
	bool bkpt = false, stopped = false;
	int err;

	if ((err = gang_stlink_write_mem(sl, L0_ERASE_STUB, loader_page_erase, sizeof(loader_page_erase))) < 0 ||
	    (err = l0_wr(t, L0_FLASH_PECR, L0_PECR_ERASE | L0_PECR_PROG)) < 0 ||
	    (err = gang_target_run(t, L0_ERASE_STUB, regs, 7)) < 0 ||
	    (err = gang_target_wait_halt_or_stop(&stopped, t, (unsigned)(us / 500U) + 1000U, (unsigned)(us * 9U / 10U),
						 L0_STOP_CHECK_US, GANG_EFLASH, "page erase loop")) < 0)
		return err;
	if (stopped)
		return l0_erase_stop(t, addr);
	if ((err = gang_target_halt_reason(&bkpt, &dfsr, t)) < 0 ||
	    (err = gang_stlink_read_reg(&sr, sl, 7)) < 0 || (err = gang_stlink_read_reg(&at, sl, 1)) < 0)
		return err;
	l0_wr(t, L0_FLASH_PECR, 0);
	if (!bkpt)
		return gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, addr, "page erase loop at 0x%08" PRIX32
				     " faulted (DFSR=0x%08" PRIX32 ")", addr, dfsr);
	/* the loop stops on the first status error, r1 one page past the page that failed */
	if ((sr & l0_fam(t)->sr_errs) || at != end)
		return (err = l0_check(t, sr, "page erase", at - page)) < 0 ? err :
		       gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, at - page, "page erase at 0x%08" PRIX32
				     " failed (FLASH_SR=0x%08" PRIX32 ")", at - page, sr);
	return l0_clear(t);
}

/*
 * Pages first..first+count-1 in stub runs of up to L0_ERASE_MAX_PAGES
 * (progress reported after each), a stop heard before each run and while
 * it runs (the core is busy: nothing overlaps).
 */
static int l0_erase_pages(gang_target *t, unsigned first, unsigned count, const gang_flash_progress *p)
{
	const gang_flash_geom *g = &gang_target_part(t)->geom;
	gang_flash_unit lo, hi;
	uint64_t done = 0;
	int err = GANG_OK;

	for (unsigned i = first; i < first + count && err == GANG_OK;) {
		unsigned n = first + count - i < L0_ERASE_MAX_PAGES ? first + count - i : L0_ERASE_MAX_PAGES;

		if (!gang_geom_unit(&lo, g, i) || !gang_geom_unit(&hi, g, i + n - 1U))
			return gang_diag_set(gang_target_diag(t), GANG_ERR, "erase: page %u does not exist", i);
		if ((err = gang_target_stop_check(t, "erase", lo.addr)) < 0)
			break;
		err = l0_erase_run(t, lo.addr, hi.addr + hi.size, lo.size);
		done += (uint64_t)hi.addr + hi.size - lo.addr;
		gang_flash_progress_report(p, done);
		i += n;
	}
	return err;
}

static int l0_erase_units(gang_target *t, unsigned first, unsigned count, const gang_flash_progress *p,
			  gang_flash_overlap *ov)
{
	(void)ov;
	return l0_erase_pages(t, first, count, p);
}

/* The PECR controller has no mass erase short of an RDP regression: every page, by the loop. */
static int l0_mass_erase(gang_target *t, gang_flash_overlap *ov)
{
	(void)ov;
	return l0_erase_pages(t, 0, gang_geom_unit_count(&gang_target_part(t)->geom), NULL);
}

static uint32_t l0_half_page(gang_target *t)
{
	return gang_geom_uniform_unit(&gang_target_part(t)->geom) / 2U;
}

/* The loader for the part's half page (RM0377 §3.3.4: 16 words; RM0038 §3.9.5: 32 words). */
static const gang_loader l0_loader_hp64 = {
	loader_hp64_prog, sizeof(loader_hp64_prog), L0_FLASH_PECR, L0_PECR_FPRG | L0_PECR_PROG, L0_FLASH_SR,
	L0_SR_BSY, 0U, 64U, 0U, l0_check,
};
static const gang_loader l0_loader_hp128 = {
	loader_hp128_prog, sizeof(loader_hp128_prog), L0_FLASH_PECR, L0_PECR_FPRG | L0_PECR_PROG, L0_FLASH_SR,
	L0_SR_BSY, 0U, 128U, 0U, l0_check,
};

/* The loader with this instance's error bits (the tables above leave them to the family). */
static gang_loader l0_loader(gang_target *t)
{
	gang_loader l = l0_half_page(t) == 128U ? l0_loader_hp128 : l0_loader_hp64;

	l.errs = l0_fam(t)->sr_errs;
	return l;
}

/*
 * The runs widened to whole half pages, filled with 0x00 (erased: writing
 * it changes nothing in an erased page); runs that come to share a half
 * page merge.
 */
static int l0_runs_widen(gang_flash_run **out, size_t *n_out, const gang_flash_run *runs, size_t n, uint32_t hp)
{
	gang_flash_run *w = calloc(n ? n : 1, sizeof(*w));
	size_t m = 0;

	*out = w;
	*n_out = 0;
	if (w == NULL)
		return GANG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t lo = runs[i].addr & ~(hp - 1U);
		uint32_t hi = (runs[i].addr + runs[i].len + hp - 1U) & ~(hp - 1U);
		uint32_t from = m > 0 && lo < w[m - 1].addr + w[m - 1].len ? w[m - 1].addr : lo;
		uint8_t *d = realloc(m > 0 && from == w[m - 1].addr ? w[m - 1].data : NULL, hi - from);

		if (d == NULL)
			return GANG_ENOMEM;
		if (m == 0 || from != w[m - 1].addr) {
			memset(d, 0, hi - from);
			w[m++].addr = from;
		} else {
			memset(d + w[m - 1].len, 0, hi - from - w[m - 1].len);
		}
		memcpy(d + (runs[i].addr - from), runs[i].data, runs[i].len);
		w[m - 1].data = d;
		w[m - 1].len = hi - from;
		*n_out = m;
	}
	return GANG_OK;
}

static void l0_ctrl_word(uint8_t *b, unsigned off, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t l0_ctrl_get(const uint8_t *b, unsigned off)
{
	return (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 | (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
}

/*
 * One batch for a part too small for the ring (the L011's 2 KiB): the
 * bytes in SRAM, the control block saying they are all there (a ring one
 * half page longer than the batch, wp at its end), the loader run to its
 * bkpt.
 */
static int l0_batch(gang_target *t, const gang_loader *l, uint32_t addr, const uint8_t *data, uint32_t len)
{
	const gang_family *f = gang_target_part(t)->family;
	gang_stlink *sl = gang_target_stlink(t);
	uint8_t b[GANG_LDR_BYTES] = { 0 };
	uint32_t r0 = L0_BATCH_CTRL;
	uint64_t us = (uint64_t)len / l->unit * f->flash.t_prog_ns / 1000U;
	int err;

	l0_ctrl_word(b, GANG_LDR_WP, L0_BATCH_BUF + len);
	l0_ctrl_word(b, GANG_LDR_RP, L0_BATCH_BUF);
	l0_ctrl_word(b, GANG_LDR_SR_REG, f->flash.base + l->sr_off);
	l0_ctrl_word(b, GANG_LDR_DST, addr);
	l0_ctrl_word(b, GANG_LDR_DST_END, addr + len);
	l0_ctrl_word(b, GANG_LDR_RING, L0_BATCH_BUF);
	l0_ctrl_word(b, GANG_LDR_RING_END, L0_BATCH_BUF + len + l->unit);
	l0_ctrl_word(b, GANG_LDR_IWDG_KR, f->iwdg_kr);
	l0_ctrl_word(b, GANG_LDR_RELOAD, GANG_IWDG_KEY_RELOAD);
	l0_ctrl_word(b, GANG_LDR_BUSY, l->busy);
	l0_ctrl_word(b, GANG_LDR_ERRS, l->errs);
	if ((err = gang_stlink_write_mem(sl, L0_BATCH_BUF, data, len)) < 0 ||
	    (err = gang_stlink_write_mem(sl, L0_BATCH_CTRL, b, sizeof(b))) < 0 ||
	    (err = l0_wr(t, l->start_off, l->start_val)) < 0 ||
	    (err = gang_target_run(t, GANG_SRAM_BASE, &r0, 1)) < 0 ||
	    (err = gang_target_wait_halt(t, (unsigned)(us / 500U) + 500U, (unsigned)(us * 9U / 10U), GANG_EFLASH,
					 "half-page loader")) < 0 ||
	    (err = gang_stlink_read_mem(b, sl, L0_BATCH_CTRL, sizeof(b))) < 0)
		return err;
	if (l0_ctrl_get(b, GANG_LDR_STATE) == GANG_LDR_STATE_OK)
		return GANG_OK;
	err = l->check(t, l0_ctrl_get(b, GANG_LDR_SR), "program", l0_ctrl_get(b, GANG_LDR_ADDR));
	return err < 0 ? err : gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, addr, "half-page loader "
						"stopped in state %" PRIu32, l0_ctrl_get(b, GANG_LDR_STATE));
}

static int l0_program_batches(gang_target *t, const gang_loader *l, const gang_flash_run *runs, size_t n,
			      const gang_flash_progress *p)
{
	uint64_t done = 0;
	int err = gang_stlink_write_mem(gang_target_stlink(t), GANG_SRAM_BASE, l->code, l->code_len);

	for (size_t i = 0; i < n && err == GANG_OK; i++)
		for (uint32_t off = 0; off < runs[i].len && err == GANG_OK;) {
			uint32_t len = runs[i].len - off < L0_BATCH_BYTES ? runs[i].len - off : L0_BATCH_BYTES;

			err = l0_batch(t, l, runs[i].addr + off, runs[i].data + off, len);
			off += len;
			done += len;
			gang_flash_progress_report(p, done);
		}
	return err;
}

/*
 * L1: FLASH_ACR.ACC64 before the loader clock's LATENCY (RM0038 §3.9.1:
 * LATENCY can be set only once ACC64 is), added to what ACR holds; not on
 * a hot-plugged board, whose clock gang leaves alone.
 */
static int l0_acc64(gang_target *t)
{
	uint32_t acr = 0;
	int err;

	if (l0_fam(t)->l0_optr || gang_target_part(t)->family->clock.hz == 0 ||
	    gang_target_info_get(t)->mode == GANG_CONNECT_HOT_PLUG)
		return GANG_OK;
	if ((err = gang_stlink_read32(&acr, gang_target_stlink(t), l0_reg(t, L0_FLASH_ACR))) < 0)
		return err;
	return (acr & L0_ACR_ACC64) ? GANG_OK : l0_wr(t, L0_FLASH_ACR, acr | L0_ACR_ACC64);
}

/* PECR.FPRG first, then the loader start adds PROG (RM0377 §3.3.4 half-page sequence). */
static int l0_program(gang_target *t, const gang_flash_run *runs, size_t n, const gang_flash_progress *p,
		      const gang_flash_stage *st)
{
	gang_loader l = l0_loader(t);
	gang_flash_run *w = NULL;
	size_t m = 0;
	int err = l0_runs_widen(&w, &m, runs, n, l.unit);

	(void)st;   /* no staging: the erase loop holds the core */
	if (err < 0)
		err = gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory planning half pages");
	else if ((err = l0_acc64(t)) == GANG_OK && (err = l0_wr(t, L0_FLASH_PECR, L0_PECR_FPRG)) == GANG_OK)
		err = gang_target_part(t)->sram_kib >= L0_RING_MIN_KIB ? gang_loader_program(t, &l, w, m, p, NULL)
								      : l0_program_batches(t, &l, w, m, p);
	l0_wr(t, L0_FLASH_PECR, 0);   /* FPRG and PROG off; the caller locks */
	gang_flash_runs_free(w, m);
	return err;
}

static int l0_crc(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len)
{
	return gang_loader_crc(crc_out, t, addr, len);
}

/* ---- data EEPROM -------------------------------------------------------------- */

/* One word (PELOCK clear): the controller erases it first when needed (FIX = 0), about 3.2 ms. */
static int l0_eeprom_word(gang_target *t, uint32_t addr, uint32_t v)
{
	uint32_t sr = 0;
	int err;

	if ((err = gang_stlink_write32(gang_target_stlink(t), addr, v)) < 0 ||
	    (err = l0_wait(&sr, t, gang_target_part(t)->family->flash.t_prog_ns / 1000U, L0_WORD_TIMEOUT_MS,
			   "data EEPROM write")) < 0)
		return err;
	return l0_check(t, sr, "data EEPROM write", addr);
}

/* len bytes at addr (inside the EEPROM): words that already hold their bytes are not written. */
static int l0_eeprom_write(gang_target *t, uint32_t addr, const uint8_t *data, size_t len)
{
	uint32_t lo = addr & ~3U, hi = (uint32_t)((addr + len + 3U) & ~3U);
	uint8_t *cur = malloc(hi - lo), *want = malloc(hi - lo);
	int err = (cur && want) ? gang_stlink_read_mem(cur, gang_target_stlink(t), lo, hi - lo) : GANG_ENOMEM;

	if (err == GANG_OK) {
		memcpy(want, cur, hi - lo);
		memcpy(want + (addr - lo), data, len);
		err = l0_unlock_with(t, &l0_pe_only);
	}
	for (uint32_t off = 0; off < hi - lo && err == GANG_OK; off += 4U)
		if (memcmp(cur + off, want + off, 4) != 0)
			err = l0_eeprom_word(t, lo + off, l0_ctrl_get(want, off));
	if (err != GANG_ENOMEM)
		l0_lock(t);
	else
		err = gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory writing data EEPROM");
	free(cur);
	free(want);
	return err;
}

/* ---- option bytes ------------------------------------------------------------- */

/* The part's option words (its WRP half-words only: a word past them is not there to read or write). */
static int l0_ob_read(uint8_t *raw, size_t *len_out, gang_target *t)
{
	const gang_part *part = gang_target_part(t);
	unsigned n = gang_pecr_l0_ob_words(part), low = n < 8U ? n : 8U;
	int err;

	memset(raw, 0, L0_OB_RAW);
	*len_out = 4U * n;
	err = gang_stlink_read_mem(raw, gang_target_stlink(t), part->family->flash.ob_base, 4U * low);
	if (err == GANG_OK && n > low)
		err = gang_stlink_read_mem(raw + 4U * low, gang_target_stlink(t),
					   part->family->flash.ob_base + gang_pecr_l0_ob_off(low), 4U * (n - low));
	return err;
}

/*
 * Option word i when it differs from the chip's. RDP (word 0) goes last, so
 * protection changes once the rest is in; but a regression that lifts L0
 * PCROP goes first: silicon keeps PCROP sectors until the regression
 * removes them (RM0367 §3.4.4), and the WRPROT words come after.
 */
static int l0_ob_word_write(gang_target *t, unsigned i, const uint8_t *raw, const uint8_t *cur)
{
	uint32_t addr = gang_target_part(t)->family->flash.ob_base + gang_pecr_l0_ob_off(i), sr = 0;
	int err;

	if (memcmp(raw + 4U * i, cur + 4U * i, 4) == 0)
		return GANG_OK;
	if ((err = gang_stlink_write32(gang_target_stlink(t), addr, l0_ctrl_get(raw, 4U * i))) < 0 ||
	    (err = l0_wait(&sr, t, 0, i == 0 ? L0_OB_TIMEOUT_MS : 1000U, "option-byte write")) < 0)
		return err;
	return l0_check(t, sr, "option-byte write", addr);
}

static bool l0_ob_lifts_pcrop(const uint8_t *raw, const uint8_t *cur, const gang_family *f)
{
	uint32_t was = l0_ctrl_get(cur, 0), will = l0_ctrl_get(raw, 0);

	return gang_pecr_l0_family(f)->l0_optr && (was & L0_OB_WPRMOD) && (uint8_t)was != f->rdp_level0 &&
	       (uint8_t)will == f->rdp_level0;
}

static int l0_ob_program(gang_target *t, const uint8_t *raw, const uint8_t *cur)
{
	unsigned n = gang_pecr_l0_ob_words(gang_target_part(t));
	bool rdp_first = l0_ob_lifts_pcrop(raw, cur, gang_target_part(t)->family);
	int err = rdp_first ? l0_ob_word_write(t, 0, raw, cur) : GANG_OK;

	for (unsigned i = 1; i < n && err == GANG_OK; i++)
		err = l0_ob_word_write(t, i, raw, cur);
	return err < 0 || rdp_first ? err : l0_ob_word_write(t, 0, raw, cur);
}

/*
 * OBL_LAUNCH reloads the option words and resets the chip (RM0377 §3.7.2
 * PECR b18): the reply may be lost; the reset-halt catch stops the core,
 * then a clean reset-halt drops what the session knew of SRAM and rereads RDP.
 */
static int l0_ob_launch(gang_target *t)
{
	int err;

	if ((err = gang_target_arm_reset_catch(t)) < 0)
		return err;
	l0_wr(t, L0_FLASH_PECR, L0_PECR_OBL_LAUNCH);
	err = gang_target_wait_halt(t, 500U, 1000U, GANG_ETARGET_NOHALT, "the core after OBL_LAUNCH");
	return err < 0 ? err : gang_target_reset_halt(t);
}

static int l0_ob_write(gang_target *t, const uint8_t *raw, size_t len)
{
	uint8_t cur[L0_OB_RAW];
	size_t n = 0;
	int err;

	if (len < L0_OB_RAW)
		return gang_diag_set(gang_target_diag(t), GANG_ERR, "option-byte block of %zu bytes, want %u", len,
				     L0_OB_RAW);
	if ((err = l0_ob_read(cur, &n, t)) < 0 || (err = l0_unlock_with(t, &l0_pe_opt)) < 0 ||
	    (err = l0_ob_program(t, raw, cur)) < 0) {
		l0_lock(t);
		return err;
	}
	return l0_ob_launch(t);
}

const gang_flash_ops gang_flash_ops_l0 = {
	.name = "stm32l0/l1 pecr controller",
	.unlock = l0_unlock,
	.lock = l0_lock,
	.mass_erase = l0_mass_erase,
	.erase_units = l0_erase_units,
	.erase_steps_stop = true,
	.program = l0_program,
	.crc = l0_crc,
	.ob_read = l0_ob_read,
	.ob_write = l0_ob_write,
	.ob_fields = gang_pecr_l0_ob_fields,
	.ob_decode = gang_pecr_l0_ob_decode,
	.ob_encode = gang_pecr_l0_ob_encode,
	.ob_rdp_byte = gang_pecr_l0_ob_rdp_byte,
	.ob_policy = gang_pecr_l0_ob_policy,
	.eeprom_range = gang_pecr_l0_eeprom,
	.eeprom_write = l0_eeprom_write,
};
