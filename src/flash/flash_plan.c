/*
 * flash_plan.c — the pure half of the flash layer: which erase units an
 * image touches (flash/geom.h), how its segments become word-aligned
 * program runs filled with the erased value, the host CRC-32/MPEG-2 that
 * the STM32 CRC unit reproduces, and mode names.
 *
 * Facts: PM0075 and RM0091 §3 (erase unit = page; half-word programming;
 * an erased half-word needs no programming), RM0008 §4 (CRC unit =
 * CRC-32/MPEG-2 over little-endian words fed MSB first, tail padded with
 * 0xFF; check value 0x0376E6E7 for "123456789").
 */
#include "flash/flash.h"
#include "flash/geom.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PLAN_CRC_INIT 0xFFFFFFFFU
#define PLAN_WORD     4U

static const char *const plan_erase_names[] = { "pages", "mass", "none" };
static const char *const plan_verify_names[] = { "crc", "readback", "none" };

static int plan_parse(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; s != NULL && i < n; i++)
		if (strcasecmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *gang_erase_mode_name(gang_erase_mode m)
{
	return (unsigned)m < 3U ? plan_erase_names[m] : "?";
}

int gang_erase_mode_parse(const char *s)
{
	/* F2/F4/F7 erase units are sectors (RM0090 §3.3): the same mode by their name */
	if (s != NULL && strcasecmp(s, "sectors") == 0)
		return GANG_ERASE_PAGES;
	return plan_parse(plan_erase_names, 3U, s);
}

const char *gang_verify_mode_name(gang_verify_mode m)
{
	return (unsigned)m < 3U ? plan_verify_names[m] : "?";
}

int gang_verify_mode_parse(const char *s)
{
	return plan_parse(plan_verify_names, 3U, s);
}

int gang_flash_plan_units(gang_flash_range **out, size_t *n_out, const gang_image *img,
			  const gang_flash_geom *g, gang_diag *d)
{
	gang_flash_range *r;
	gang_flash_unit lo, hi;
	unsigned first, last;
	size_t n = 0;
	int err;

	*out = NULL;
	*n_out = 0;
	err = gang_image_check_range(img, gang_geom_base(g), (uint32_t)gang_geom_end(g), "flash", d);
	if (err < 0)
		return err;
	r = calloc(img->n_seg ? img->n_seg : 1, sizeof(*r));
	if (r == NULL)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory planning the erase");
	for (size_t i = 0; i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];
		if (!gang_geom_span(&first, &last, g, s->addr, s->len))
			continue;   /* empty: the range check above refused anything outside */
		gang_geom_unit(&lo, g, first);
		gang_geom_unit(&hi, g, last);
		if (n > 0 && lo.addr <= (uint64_t)r[n - 1].addr + r[n - 1].len) {
			r[n - 1].len = hi.addr + hi.size - r[n - 1].addr;   /* shares or abuts a unit */
			continue;
		}
		r[n].addr = lo.addr;
		r[n].len = hi.addr + hi.size - lo.addr;
		n++;
	}
	*out = r;
	*n_out = n;
	return GANG_OK;
}

void gang_flash_runs_free(gang_flash_run *runs, size_t n)
{
	if (runs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(runs[i].data);
	free(runs);
}

/*
 * Spans of the segments aligned to align bytes (a power of two), merged
 * when gaps are at most join_gap or when they share an aligned unit: two
 * segments in one double word (a serial number next to image bytes) become
 * one run, so that double word is programmed once (RM0351 §3.3.7: a
 * second program of a double word is PROGERR, and its ECC would no longer
 * match).
 */
static size_t plan_spans(gang_flash_range *r, const gang_image *img, uint32_t join_gap, uint32_t align)
{
	size_t n = 0;

	for (size_t i = 0; i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];
		if (s->len == 0)
			continue;
		uint32_t lo = s->addr & ~(align - 1U);
		uint64_t hi = ((uint64_t)s->addr + s->len + align - 1U) & ~(uint64_t)(align - 1U);
		if (n > 0 && (uint64_t)lo <= (uint64_t)r[n - 1].addr + r[n - 1].len + join_gap) {
			r[n - 1].len = (uint32_t)(hi - r[n - 1].addr);
			continue;
		}
		r[n].addr = lo;
		r[n].len = (uint32_t)(hi - lo);
		n++;
	}
	return n;
}

static void plan_fill(gang_flash_run *run, const gang_image *img, uint8_t erased)
{
	memset(run->data, erased, run->len);
	for (size_t i = 0; i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];
		uint64_t lo = s->addr > run->addr ? s->addr : run->addr;
		uint64_t hi = (uint64_t)s->addr + s->len;
		if (hi > (uint64_t)run->addr + run->len)
			hi = (uint64_t)run->addr + run->len;
		if (lo < hi)
			memcpy(run->data + (lo - run->addr), s->data + (lo - s->addr), (size_t)(hi - lo));
	}
}

int gang_flash_plan_runs(gang_flash_run **out, size_t *n_out, const gang_image *img,
			 uint32_t join_gap, uint8_t erased, uint32_t unit)
{
	uint32_t align = unit > PLAN_WORD ? unit : PLAN_WORD;
	gang_flash_range *spans = calloc(img->n_seg ? img->n_seg : 1, sizeof(*spans));
	gang_flash_run *runs = NULL;
	size_t n = 0, i;

	*out = NULL;
	*n_out = 0;
	if (spans == NULL)
		return GANG_ENOMEM;
	n = plan_spans(spans, img, join_gap, align);
	runs = calloc(n ? n : 1, sizeof(*runs));
	if (runs == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		runs[i].addr = spans[i].addr;
		runs[i].len = spans[i].len;
		if ((runs[i].data = malloc(spans[i].len)) == NULL)
			goto fail;
		plan_fill(&runs[i], img, erased);
	}
	free(spans);
	*out = runs;
	*n_out = n;
	return GANG_OK;
fail:
	free(spans);
	gang_flash_runs_free(runs, n);
	return GANG_ENOMEM;
}

/*
 * The polynomial 0x04C11DB7 shifted through four bits for each top nibble: the CRC
 * takes a nibble per step instead of a bit. The host computes it over the
 * whole image between the loader's result and the release, time the board
 * waits for (bit by bit, ~8 ms for 256 KiB on the bench's host).
 */
static const uint32_t plan_crc_nibble[16] = {
	0x00000000U, 0x04C11DB7U, 0x09823B6EU, 0x0D4326D9U, 0x130476DCU, 0x17C56B6BU, 0x1A864DB2U, 0x1E475005U,
	0x2608EDB8U, 0x22C9F00FU, 0x2F8AD6D6U, 0x2B4BCB61U, 0x350C9B64U, 0x31CD86D3U, 0x3C8EA00AU, 0x384FBDBDU,
};

uint32_t gang_crc32_mpeg2(uint32_t crc, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint32_t)buf[i] << 24;
		crc = (crc << 4) ^ plan_crc_nibble[crc >> 28];
		crc = (crc << 4) ^ plan_crc_nibble[crc >> 28];
	}
	return crc;
}

uint32_t gang_crc32_stm32(const uint8_t *buf, size_t len)
{
	uint32_t crc = PLAN_CRC_INIT;
	uint8_t w[PLAN_WORD];

	for (size_t i = 0; i < len; i += PLAN_WORD) {
		for (unsigned k = 0; k < PLAN_WORD; k++)
			w[k] = i + k < len ? buf[i + k] : 0xFFU;
		/* the unit takes the word MSB first: bytes 3, 2, 1, 0 of memory */
		uint8_t be[PLAN_WORD] = { w[3], w[2], w[1], w[0] };
		crc = gang_crc32_mpeg2(crc, be, PLAN_WORD);
	}
	return crc;
}
