/*
 * flash.c — the generic flash layer over a family driver: range and
 * protection checks with operator-readable errors, the erase plan, program
 * through the driver's loader, verify by CRC (read-back only to name the
 * first bad address) or by full read-back, read-out, blank check, and the
 * RDP 1 -> 0 unprotect used by "allow_unprotect".
 *
 * Facts: PM0075 and RM0091 §3 (mass erase refused when a page is
 * WRP-protected, WRPR bit = 0 protected; pages per WRP bit; option bytes:
 * RDP 1 makes debugger flash reads fail, regression mass-erases),
 * RM0008 §4 (CRC verify, and it must happen before RDP is set); the
 * ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use it (reads in
 * 4 KiB TAR blocks).
 */
#include "flash/flash.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flash/flash_ops.h"
#include "flash/geom.h"
#include "flash/ob.h"

#define FLASH_JOIN_GAP   256U    /* fill gaps up to this with erased bytes: cheaper than a loader restart */
#define FLASH_READ_CHUNK 4096U   /* one TAR block */

void gang_flash_progress_report(const gang_flash_progress *p, uint64_t done)
{
	if (p != NULL && p->fn != NULL)
		p->fn(p->user, p->step, p->base + done, p->total);
}

uint64_t gang_flash_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

int gang_flash_overlap_run(uint64_t *spent_us, gang_flash_overlap *ov, uint64_t budget_us)
{
	uint64_t t0 = gang_flash_now_us(), used = 0, wall;
	int err;

	*spent_us = 0;
	if (ov == NULL || ov->done || ov->fn == NULL)
		return GANG_OK;
	ov->done = true;
	err = ov->fn(ov->ctx, budget_us, &used);
	wall = gang_flash_now_us() - t0;
	*spent_us = wall > used ? wall : used;
	return err;
}

static const gang_flash_ops *flash_ops(gang_target *t)
{
	return gang_flash_ops_of(gang_target_part(t)->family);
}

static const gang_flash_geom *flash_geom(gang_target *t)
{
	return &gang_target_part(t)->geom;
}

static int flash_check_readable(gang_target *t)
{
	if (gang_target_info_get(t)->rdp_level < 1)
		return GANG_OK;
	return gang_diag_set(gang_target_diag(t), GANG_EREAD_PROTECTED, "the chip is read-protected "
			     "(RDP level %d, FLASH_OBR.RDPRT set): flash cannot be read or written "
			     "until RDP is lowered, which mass-erases it",
			     gang_target_info_get(t)->rdp_level);
}

static int flash_check_range(gang_target *t, uint32_t addr, size_t len, const char *what)
{
	const gang_flash_geom *g = flash_geom(t);
	uint32_t lo, hi;

	if (gang_geom_is_flash(g, addr, len))
		return GANG_OK;
	/* data EEPROM (L0/L1) reads like flash: verify's read-back goes through here */
	if (gang_flash_eeprom_range(&lo, &hi, gang_target_part(t)) && addr >= lo && (uint64_t)addr + len <= hi)
		return GANG_OK;
	return gang_diag_set(gang_target_diag(t), GANG_EUSAGE, "%s of %zu bytes at 0x%08" PRIX32
			     " is outside the flash of %s (0x%08" PRIX32 "..0x%08" PRIX64 ")", what, len,
			     addr, gang_target_part(t)->name, gang_geom_base(g), gang_geom_end(g) - 1U);
}

int gang_flash_read(uint8_t *buf, gang_target *t, uint32_t addr, size_t len)
{
	int err;

	if ((err = flash_check_range(t, addr, len, "read")) < 0 || (err = flash_check_readable(t)) < 0)
		return err;
	while (len > 0 && err == GANG_OK) {
		size_t n = FLASH_READ_CHUNK - addr % FLASH_READ_CHUNK;
		if (n > len)
			n = len;
		if ((err = gang_target_stop_check(t, "read", addr)) < 0)
			break;
		err = gang_stlink_read_mem(buf, gang_target_stlink(t), addr, n);
		buf += n;
		addr += (uint32_t)n;
		len -= n;
	}
	return err;
}

/* GANG_EWRITE_PROTECTED naming the first protected page or sector of the ranges (WRP bit = 0). */
static int flash_check_wrp(gang_target *t, const gang_flash_range *r, size_t n)
{
	const gang_part *part = gang_target_part(t);
	gang_ob ob = { 0 };
	gang_ob_wrp_bits wrp;
	gang_flash_unit u;
	unsigned first, last;
	int err = gang_ob_read(&ob, t);

	gang_ob_wrp_of(&wrp, &ob, part->family);
	for (size_t i = 0; i < n && err == GANG_OK; i++) {
		if (!gang_geom_span(&first, &last, &part->geom, r[i].addr, r[i].len))
			continue;
		for (unsigned k = first; k <= last && gang_geom_unit(&u, &part->geom, k); k++) {
			if (!gang_ob_wrp_protects(&wrp, k, part))
				continue;
			return gang_diag_set_at(gang_target_diag(t), GANG_EWRITE_PROTECTED, u.addr,
					     "%s at 0x%08" PRIX32 " is write-protected (WRP option "
					     "bytes 0x%08" PRIX32 " word %u); clear WRP in the option bytes",
					     gang_geom_uniform_unit(&part->geom) ? "page" : "sector", u.addr,
					     wrp.w[k / part->wrp_pages_per_bit / 32U % GANG_OB_WRP_WORDS],
					     k / part->wrp_pages_per_bit / 32U + 1U);
		}
	}
	return err;
}

/*
 * The controller refuses to erase a write-protected page or sector
 * (WRPRTERR/WRPERR, PM0075 §2.4, RM0090 §3.6.3): the option bytes are read
 * only then, to name the first protected unit instead of the status bit.
 */
static int flash_explain_wrp(gang_target *t, const gang_flash_range *r, size_t n, int err)
{
	if (err != GANG_EWRITE_PROTECTED)
		return err;
	return flash_check_wrp(t, r, n) < 0 ? gang_target_diag(t)->code : err;
}

/*
 * Units first..last one at a time, so that a stop lands between two of
 * them: a unit's erase, once started, is always waited out (the FPEC
 * cannot be interrupted), then the caller locks the FPEC. A driver that
 * erases several units at once (erase_steps_stop: H7's two banks, L0/L1's
 * on-target page loop) takes the whole span and hears the stop between
 * its own steps.
 */
static int flash_erase_units(gang_target *t, unsigned first, unsigned last, gang_flash_progress *p,
			     gang_flash_overlap *ov)
{
	gang_flash_unit u;
	int err = GANG_OK;

	if (flash_ops(t)->erase_steps_stop) {
		err = flash_ops(t)->erase_units(t, first, last - first + 1U, p, ov);
		for (unsigned k = first; k <= last && gang_geom_unit(&u, flash_geom(t), k); k++)
			p->base += u.size;
		return err;
	}

	for (unsigned k = first; k <= last && err == GANG_OK && gang_geom_unit(&u, flash_geom(t), k); k++) {
		if ((err = gang_target_stop_check(t, "erase", u.addr)) == GANG_OK)
			err = flash_ops(t)->erase_units(t, k, 1U, p, ov);
		p->base += u.size;
	}
	return err;
}

static int flash_erase_ranges(gang_target *t, const gang_flash_range *r, size_t n,
			      gang_flash_progress *p, gang_flash_overlap *ov)
{
	int err = GANG_OK;

	p->total = 0;
	for (size_t i = 0; i < n; i++)
		p->total += r[i].len;
	p->base = 0;
	for (size_t i = 0; i < n && err == GANG_OK; i++) {
		unsigned first, last;

		if (gang_geom_span(&first, &last, flash_geom(t), r[i].addr, r[i].len))
			err = flash_erase_units(t, first, last, p, ov);
	}
	return flash_explain_wrp(t, r, n, err);
}

static int flash_mass(gang_target *t, gang_flash_progress *p, gang_flash_overlap *ov)
{
	const gang_flash_geom *g = flash_geom(t);
	gang_flash_range all = { gang_geom_base(g), (uint32_t)(gang_geom_end(g) - gang_geom_base(g)) };
	int err;

	p->total = all.len;
	/* a mass erase cannot be stopped once started: a stop is heard before it, then after it */
	if ((err = gang_target_stop_check(t, "erase", all.addr)) < 0)
		return err;
	err = flash_explain_wrp(t, &all, 1, flash_ops(t)->mass_erase(t, ov));
	if (err == GANG_OK)
		gang_flash_progress_report(p, all.len);
	return err;
}

/* Unlock, run op, lock again whatever happened. */
static int flash_unlocked(gang_target *t, int err)
{
	int lerr = flash_ops(t)->lock(t);

	return err < 0 ? err : lerr;
}

int gang_flash_erase_mass(gang_target *t)
{
	gang_flash_progress p = { NULL, NULL, "erase", 0, 0 };
	int err;

	gang_target_crc_memo_clear(t);
	if ((err = flash_ops(t)->unlock(t)) < 0)
		return err;
	return flash_unlocked(t, flash_mass(t, &p, NULL));
}

int gang_flash_erase_range(gang_target *t, uint32_t addr, uint32_t len)
{
	gang_flash_progress p = { NULL, NULL, "erase", 0, 0 };
	gang_flash_unit lo, hi;
	unsigned first, last;
	gang_flash_range r;
	int err;

	gang_target_crc_memo_clear(t);
	if ((err = flash_check_range(t, addr, len, "erase")) < 0)
		return err;
	if (!gang_geom_span(&first, &last, flash_geom(t), addr, len))
		return GANG_OK;   /* nothing to erase in an empty range */
	gang_geom_unit(&lo, flash_geom(t), first);
	gang_geom_unit(&hi, flash_geom(t), last);
	r.addr = lo.addr;
	r.len = hi.addr + hi.size - lo.addr;
	if ((err = flash_ops(t)->unlock(t)) < 0)
		return err;
	return flash_unlocked(t, flash_erase_ranges(t, &r, 1, &p, NULL));
}

static int flash_erase_for(gang_target *t, const gang_image *img, const gang_program_opts *o,
			   gang_flash_overlap *ov)
{
	gang_flash_progress p = { o->progress, o->user, "erase", 0, 0 };
	gang_flash_range *r = NULL;
	size_t n = 0;
	int err;

	if (o->erase == GANG_ERASE_NONE)
		return GANG_OK;
	if (o->erase == GANG_ERASE_MASS)
		return flash_mass(t, &p, ov);
	err = gang_flash_plan_units(&r, &n, img, flash_geom(t), gang_target_diag(t));
	if (err == GANG_OK)
		err = flash_erase_ranges(t, r, n, &p, ov);
	free(r);
	return err;
}

/* The runs to program, staged by the driver while the erase runs. */
typedef struct flash_stage_ctx {
	gang_target *t;
	const gang_flash_run *runs;
	size_t n;
	gang_flash_stage *st;
	gang_flash_overlap *ov;
} flash_stage_ctx;

static int flash_stage_fn(void *ctx, uint64_t budget_us, uint64_t *used_us)
{
	flash_stage_ctx *c = ctx;
	int err;

	c->st->may_start = c->ov->last;
	err = flash_ops(c->t)->program_stage(c->st, c->t, c->runs, c->n, budget_us, used_us);
	c->ov->started = c->st->started;
	return err;
}

/* Erase as asked, staging the program in SRAM meanwhile, then program. */
static int flash_erase_program(gang_target *t, const gang_image *img, const gang_program_opts *o)
{
	gang_flash_progress p = { o->progress, o->user, "program", 0, 0 };
	gang_flash_run *runs = NULL;
	gang_flash_stage st = { false, 0, false, false };
	size_t n = 0;
	int err = gang_flash_plan_runs(&runs, &n, img, FLASH_JOIN_GAP, flash_geom(t)->erased,
				       flash_geom(t)->write_unit);
	gang_flash_overlap ov = { flash_stage_fn, NULL, false, false, false };
	flash_stage_ctx c = { t, runs, n, &st, &ov };

	ov.ctx = &c;

	if (err < 0)
		return gang_diag_set(gang_target_diag(t), err, "out of memory planning the program");
	err = flash_erase_for(t, img, o, (n > 0 && flash_ops(t)->program_stage) ? &ov : NULL);
	for (size_t i = 0; i < n; i++)
		p.total += runs[i].len;
	if (err == GANG_OK && n > 0)
		err = flash_ops(t)->program(t, runs, n, &p, &st);
	gang_flash_runs_free(runs, n);
	return err;
}

int gang_flash_unprotect(gang_target *t)
{
	/* the L0 regression deletes PCROP too (RM0367 §3.4.4): ask for what the chip will hold */
	static const char *const lifted[] = { "WPRMOD", "PCROP", "PCROP2" };
	const gang_family *f = gang_target_part(t)->family;
	gang_ob_want w;
	gang_ob_write_opts o = { true, NULL };
	int err = GANG_OK;

	gang_ob_want_init(&w);
	w.rdp_level = 0;
	for (size_t i = 0; i < sizeof(lifted) / sizeof(lifted[0]) && err == GANG_OK; i++)
		if (gang_ob_field_find(f, lifted[i]) != NULL)
			err = gang_ob_want_set(&w, f, lifted[i], 0, gang_target_diag(t));
	return err < 0 ? err : gang_ob_write(NULL, t, &w, &o);
}

/* RDP 1 board: refuse, or regress (mass erase by the chip) when allowed. */
static int flash_prepare_rdp(gang_target *t, const gang_program_opts *o)
{
	int err;

	if (gang_target_info_get(t)->rdp_level < 1)
		return GANG_OK;
	if (!o->allow_unprotect)
		return flash_check_readable(t);
	gang_flash_progress_report(&(gang_flash_progress){ o->progress, o->user, "unprotect", 0, 1 }, 0);
	if ((err = gang_flash_unprotect(t)) < 0)
		return err;
	if (gang_target_info_get(t)->rdp_level != 0)
		return gang_diag_set(gang_target_diag(t), GANG_EREAD_PROTECTED, "RDP is still level %d "
				     "after lowering it; power-cycle the board",
				     gang_target_info_get(t)->rdp_level);
	return GANG_OK;
}

static int flash_program_main(gang_target *t, const gang_image *img, const gang_program_opts *o)
{
	int err;

	err = gang_image_check_range(img, gang_geom_base(flash_geom(t)), (uint32_t)gang_geom_end(flash_geom(t)),
				     "flash", gang_target_diag(t));
	if (err < 0 || (err = flash_prepare_rdp(t, o)) < 0)
		return err;
	gang_target_crc_memo_clear(t);
	if ((err = flash_ops(t)->unlock(t)) < 0)
		return err;
	return flash_unlocked(t, flash_erase_program(t, img, o));
}

/* True when img has bytes in the part's data EEPROM, [*lo, *hi) then. */
static bool flash_has_eeprom(uint32_t *lo, uint32_t *hi, gang_target *t, const gang_image *img)
{
	if (!gang_flash_eeprom_range(lo, hi, gang_target_part(t)))
		return false;
	for (size_t i = 0; i < img->n_seg; i++)
		if (img->seg[i].addr < *hi && (uint64_t)img->seg[i].addr + img->seg[i].len > *lo)
			return true;
	return false;
}

int gang_flash_program_image(gang_target *t, const gang_image *img, const gang_program_opts *o)
{
	gang_program_opts def = { GANG_ERASE_PAGES, false, NULL, NULL };
	gang_image *rest = NULL, *ee = NULL;
	uint32_t lo, hi;
	int err;

	o = o ? o : &def;
	if (!flash_has_eeprom(&lo, &hi, t, img))
		return flash_program_main(t, img, o);
	/* the flash first (it may lower RDP), then the data EEPROM segments (L0/L1) */
	if ((err = gang_image_clone(&rest, img)) < 0 ||
	    (err = gang_image_take(&ee, rest, lo, hi, gang_target_diag(t))) < 0)
		goto out;
	err = flash_program_main(t, rest, o);
	if (err == GANG_OK && ee != NULL) {
		gang_flash_progress_report(&(gang_flash_progress){ o->progress, o->user, "eeprom", 0,
								   gang_image_size(ee) }, 0);
		err = gang_flash_eeprom_program(t, ee);
	}
out:
	if (err == GANG_ENOMEM)
		err = gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory splitting the data EEPROM off");
	gang_image_free(ee);
	gang_image_free(rest);
	return err;
}

/* ---- one-time-programmable area ------------------------------------------------ */

bool gang_flash_otp_range(uint32_t *lo, uint32_t *hi, const gang_part *part)
{
	const gang_flash_ctrl_cfg *c = &part->family->flash;

	if (c->otp_base == 0 || gang_flash_ops_of(part->family)->otp_write == NULL)
		return false;
	*lo = c->otp_base;
	*hi = c->otp_base + c->otp_bytes + c->otp_lock_bytes;
	return true;
}

/* How many bytes of segment s must be written; GANG_EFLASH at a byte that holds something else. */
static int flash_otp_plan(size_t *n_out, gang_target *t, const gang_segment *s, uint8_t *cur)
{
	int err = gang_stlink_read_mem(cur, gang_target_stlink(t), s->addr, s->len);

	*n_out = 0;
	for (uint32_t i = 0; i < s->len && err == GANG_OK; i++) {
		if (cur[i] == s->data[i])
			continue;
		if (cur[i] != 0xFFU)
			return gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, s->addr + i, "OTP byte at 0x%08"
					     PRIX32 " already holds 0x%02X, not 0x%02X: OTP is written once",
					     s->addr + i, cur[i], s->data[i]);
		(*n_out)++;
	}
	return err;
}

/* Write the segments that need it, then read every one back. */
static int flash_otp_write(gang_target *t, const gang_image *img, uint8_t *buf)
{
	const gang_flash_ops *ops = flash_ops(t);
	int err = ops->unlock(t);

	for (size_t i = 0; i < img->n_seg && err == GANG_OK; i++)
		err = ops->otp_write(t, img->seg[i].addr, img->seg[i].data, img->seg[i].len);
	err = flash_unlocked(t, err);
	for (size_t i = 0; i < img->n_seg && err == GANG_OK; i++) {
		const gang_segment *s = &img->seg[i];

		if ((err = gang_stlink_read_mem(buf, gang_target_stlink(t), s->addr, s->len)) < 0)
			break;
		for (uint32_t k = 0; k < s->len; k++)
			if (buf[k] != s->data[k])
				return gang_diag_set_at(gang_target_diag(t), GANG_EVERIFY, s->addr + k, "OTP verify "
						     "failed at 0x%08" PRIX32 ": wrote 0x%02X read 0x%02X",
						     s->addr + k, s->data[k], buf[k]);
	}
	return err;
}

int gang_flash_otp_program(gang_target *t, const gang_image *img, const char *confirm)
{
	const gang_part *part = gang_target_part(t);
	uint32_t lo, hi;
	size_t to_write = 0, n;
	uint8_t *buf;
	int err;

	if (!gang_flash_otp_range(&lo, &hi, part))
		return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "the %s has no one-time-programmable "
				     "area gang can write", part->name);
	if ((err = gang_image_check_range(img, lo, hi, "OTP", gang_target_diag(t))) < 0)
		return err;
	if (!(buf = malloc(hi - lo)))
		return gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory reading OTP");
	for (size_t i = 0; i < img->n_seg && (err = flash_otp_plan(&n, t, &img->seg[i], buf)) == GANG_OK; i++)
		to_write += n;
	if (err == GANG_OK && to_write > 0 && (confirm == NULL || strcmp(confirm, GANG_OTP_CONFIRM) != 0))
		err = gang_diag_set(gang_target_diag(t), GANG_ELOCKED_FOREVER, "writing %zu OTP byte%s of the %s "
				    "is permanent: they can never be erased or changed; confirm with exactly \"%s\"",
				    to_write, to_write == 1 ? "" : "s", part->name, GANG_OTP_CONFIRM);
	if (err == GANG_OK && to_write > 0)
		err = flash_otp_write(t, img, buf);
	free(buf);
	return err;
}
