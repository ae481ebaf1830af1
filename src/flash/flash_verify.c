/*
 * flash_verify.c — verify and blank check. CRC mode runs the family's CRC
 * stub over each program run and compares with the host's CRC of the same
 * bytes; only on a mismatch is that run read back, so the operator line
 * can name the first bad address. Read-back mode compares every image
 * byte. Blank check is a CRC of erased bytes (the part's erased value),
 * located the same way.
 *
 * Facts: RM0008 §4 (CRC-32/MPEG-2 equivalence, little-endian words fed
 * MSB first, 0xFF padding; CRC verify needs RDP 0), the ST-Link protocol
 * as OpenOCD 0.12 and stlink 1.7.0 use it (reads in 4 KiB TAR blocks; the
 * stock tools read everything back).
 */
#include "flash/flash.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flash/flash_ops.h"

#define VERIFY_CHUNK    4096U
#define VERIFY_JOIN_GAP 256U     /* same runs as programming used */

/* Compare the image bytes inside [lo, hi) with flash; GANG_EVERIFY at the first difference. */
static int verify_readback(gang_target *t, const gang_image *img, uint64_t lo, uint64_t hi,
			   const gang_flash_progress *p)
{
	uint8_t *buf = malloc(VERIFY_CHUNK);
	uint64_t done = 0;
	int err = buf ? GANG_OK : gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory");

	for (size_t i = 0; i < img->n_seg && err == GANG_OK; i++) {
		const gang_segment *s = &img->seg[i];
		uint64_t a = s->addr > lo ? s->addr : lo, end = (uint64_t)s->addr + s->len;
		end = end < hi ? end : hi;
		while (a < end && err == GANG_OK) {
			uint32_t n = VERIFY_CHUNK - (uint32_t)(a % VERIFY_CHUNK);
			n = (uint64_t)n > end - a ? (uint32_t)(end - a) : n;
			const uint8_t *want = s->data + (a - s->addr);
			if ((err = gang_target_stop_check(t, "verify", (uint32_t)a)) < 0 ||
			    (err = gang_flash_read(buf, t, (uint32_t)a, n)) < 0)
				break;
			for (uint32_t k = 0; k < n; k++)
				if (buf[k] != want[k]) {
					err = gang_diag_set_at(gang_target_diag(t), GANG_EVERIFY, (uint32_t)(a + k), "verify failed "
							    "at 0x%08" PRIX64 ": wrote 0x%02X read 0x%02X",
							    a + k, want[k], buf[k]);
					break;
				}
			a += n;
			done += n;
			gang_flash_progress_report(p, done);
		}
	}
	free(buf);
	return err;
}

static int verify_crc(gang_target *t, const gang_image *img, gang_flash_progress *p)
{
	const gang_flash_ops *ops = gang_flash_ops_of(gang_target_part(t)->family);
	gang_flash_run *runs = NULL;
	size_t n = 0;
	uint32_t got = 0, want;
	int err = gang_flash_plan_runs(&runs, &n, img, VERIFY_JOIN_GAP, gang_target_part(t)->geom.erased,
				       gang_target_part(t)->geom.write_unit);

	if (err < 0)
		return gang_diag_set(gang_target_diag(t), err, "out of memory planning verify");
	for (size_t i = 0; i < n; i++)
		p->total += runs[i].len;
	for (size_t i = 0; i < n && err == GANG_OK; i++) {
		want = gang_crc32_stm32(runs[i].data, runs[i].len);
		if ((err = gang_target_stop_check(t, "verify", runs[i].addr)) < 0 ||
		    (err = ops->crc(&got, t, runs[i].addr, runs[i].len)) < 0)
			break;
		/* a mismatch: read the run back so the operator gets an address */
		if (got != want)
			err = verify_readback(t, img, runs[i].addr,
					      (uint64_t)runs[i].addr + runs[i].len, NULL);
		p->base += runs[i].len;
		gang_flash_progress_report(p, 0);
	}
	gang_flash_runs_free(runs, n);
	return err;
}

static int verify_readable(gang_target *t)
{
	if (gang_target_info_get(t)->rdp_level < 1)
		return GANG_OK;
	return gang_diag_set(gang_target_diag(t), GANG_EREAD_PROTECTED, "cannot verify: the chip is "
			     "read-protected (RDP level %d)", gang_target_info_get(t)->rdp_level);
}

int gang_flash_same(bool *same_out, gang_target *t, const gang_image *img)
{
	const gang_flash_ops *ops = gang_flash_ops_of(gang_target_part(t)->family);
	gang_flash_run *runs = NULL;
	size_t n = 0;
	uint32_t got = 0;
	int err;

	*same_out = false;
	if ((err = verify_readable(t)) < 0)
		return err;
	if (gang_flash_plan_runs(&runs, &n, img, VERIFY_JOIN_GAP, gang_target_part(t)->geom.erased,
				       gang_target_part(t)->geom.write_unit) < 0)
		return gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory comparing the image");
	*same_out = n > 0;
	for (size_t i = 0; i < n && *same_out && err == GANG_OK; i++)
		if ((err = ops->crc(&got, t, runs[i].addr, runs[i].len)) == GANG_OK)
			*same_out = got == gang_crc32_stm32(runs[i].data, runs[i].len);
	gang_flash_runs_free(runs, n);
	if (err < 0)
		*same_out = false;
	return err;
}

int gang_flash_verify(gang_target *t, const gang_image *img, gang_verify_mode mode,
		      gang_progress_fn progress, void *user)
{
	gang_flash_progress p = { progress, user, "verify", 0, gang_image_size(img) };
	int err;

	if (mode == GANG_VERIFY_NONE)
		return GANG_OK;
	if ((err = verify_readable(t)) < 0)
		return err;
	if (mode == GANG_VERIFY_READBACK)
		return verify_readback(t, img, 0, (uint64_t)UINT32_MAX + 1U, &p);
	p.total = 0;   /* CRC progress counts run bytes (words, gaps filled) */
	return verify_crc(t, img, &p);
}

/* The first byte in [addr, addr + len) that is not the erased value. */
static int blank_locate(gang_target *t, uint32_t addr, uint32_t len)
{
	uint8_t erased = gang_target_part(t)->geom.erased;
	uint8_t buf[VERIFY_CHUNK];
	int err = GANG_OK;

	for (uint32_t off = 0; off < len && err == GANG_OK;) {
		uint32_t n = VERIFY_CHUNK - (addr + off) % VERIFY_CHUNK;
		n = n > len - off ? len - off : n;
		if ((err = gang_flash_read(buf, t, addr + off, n)) < 0)
			break;
		for (uint32_t k = 0; k < n; k++)
			if (buf[k] != erased)
				return gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, addr + off + k, "flash not blank "
						     "at 0x%08" PRIX32 ": reads 0x%02X", addr + off + k,
						     buf[k]);
		off += n;
	}
	return err;
}

int gang_flash_blank_check(gang_target *t, uint32_t addr, uint32_t len)
{
	const gang_flash_ops *ops = gang_flash_ops_of(gang_target_part(t)->family);
	uint32_t lo = addr & ~3U, hi = (uint32_t)(((uint64_t)addr + len + 3U) & ~3ULL);
	uint8_t *ff;
	uint32_t got = 0, want;
	int err;

	if (len == 0 || (err = verify_readable(t)) < 0)
		return len == 0 ? GANG_OK : err;
	if ((ff = malloc(hi - lo)) == NULL)
		return gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory");
	memset(ff, gang_target_part(t)->geom.erased, hi - lo);
	want = gang_crc32_stm32(ff, hi - lo);
	free(ff);
	if ((err = ops->crc(&got, t, lo, hi - lo)) < 0)
		return err;
	return got == want ? GANG_OK : blank_locate(t, lo, hi - lo);
}
