/*
 * image.c — operations on a loaded image (image.h): from a buffer, free,
 * size and span, range check against a part's flash, serial-number patching
 * and deep copy for the per-board clone the production loop patches.
 */
#include "image/image_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint64_t image_end(const gang_segment *s)
{
	return (uint64_t)s->addr + s->len;
}

int gang_image_from_buffer(gang_image **out, uint32_t addr, const uint8_t *data, size_t len)
{
	image_build b;
	image_clash clash;
	int err;

	*out = NULL;
	if ((uint64_t)addr + len > GANG_IMAGE_ADDR_END)
		return GANG_EIMAGE;
	gang_image_build_init(&b);
	if ((err = gang_image_build_add(&b, addr, data, len, &clash)) == GANG_OK)
		err = gang_image_build_finish(out, &b);
	gang_image_build_free(&b);
	return err;
}

void gang_image_free(gang_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->n_seg; i++)
		free(img->seg[i].data);
	free(img->seg);
	free(img);
}

size_t gang_image_size(const gang_image *img)
{
	size_t n = 0;

	for (size_t i = 0; i < img->n_seg; i++)
		n += img->seg[i].len;
	return n;
}

void gang_image_span(uint32_t *lo_out, uint32_t *hi_out, const gang_image *img)
{
	*lo_out = 0;
	*hi_out = 0;
	if (img->n_seg == 0)
		return;
	*lo_out = img->seg[0].addr;
	/* one past 0xFFFFFFFF does not fit: wraps to 0, as for an empty image */
	*hi_out = (uint32_t)image_end(&img->seg[img->n_seg - 1]);
}

int gang_image_check_range(const gang_image *img, uint32_t lo, uint32_t hi, const char *what, gang_diag *d)
{
	for (size_t i = 0; i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];
		uint32_t bad;

		if (s->addr >= lo && image_end(s) <= hi && lo < hi)
			continue;
		/* segments are sorted: the first one not inside holds the lowest address outside */
		bad = (s->addr < lo || s->addr >= hi || lo >= hi) ? s->addr : hi;
		return gang_diag_set(d, GANG_EIMAGE,
				     "image data at 0x%08" PRIX32 " lies outside %s (0x%08" PRIX32 "..0x%08" PRIX32 ")",
				     bad, what ? what : "the allowed range", lo, (uint32_t)(hi - 1U));
	}
	return GANG_OK;
}

/* Segments [*first, *last) touch or overlap [addr, end); *overlap gets the first one overlapping or -1. */
static void image_touching(size_t *first, size_t *last, long *overlap, const gang_image *img, uint32_t addr,
			   uint64_t end)
{
	size_t i = 0;

	*overlap = -1;
	while (i < img->n_seg && image_end(&img->seg[i]) < addr)
		i++;
	*first = i;
	for (; i < img->n_seg && img->seg[i].addr <= end; i++)
		if (*overlap < 0 && image_end(&img->seg[i]) > addr && img->seg[i].addr < end)
			*overlap = (long)i;
	*last = i;
}

/* Replace segments [first, last) by one segment covering them and [addr, end), then write bytes. */
static int image_splice(gang_image *img, size_t first, size_t last, uint32_t addr, const uint8_t *bytes,
			size_t len)
{
	uint64_t lo = addr, hi = (uint64_t)addr + len;
	uint8_t *data;

	if (first < last && img->seg[first].addr < lo)
		lo = img->seg[first].addr;
	if (first < last && image_end(&img->seg[last - 1]) > hi)
		hi = image_end(&img->seg[last - 1]);
	if (!(data = malloc((size_t)(hi - lo))))
		return GANG_ENOMEM;
	if (first == last) {
		gang_segment *seg = realloc(img->seg, (img->n_seg + 1) * sizeof(*seg));

		if (!seg) {
			free(data);
			return GANG_ENOMEM;
		}
		img->seg = seg;
		memmove(seg + first + 1, seg + first, (img->n_seg - first) * sizeof(*seg));
		img->n_seg++;
		last = first + 1;
		seg[first] = (gang_segment){ .addr = addr, .len = 0, .data = NULL };
	}
	/* gaps between touching segments lie inside [addr, end): the patch covers them */
	for (size_t i = first; i < last; i++) {
		if (img->seg[i].len > 0)
			memcpy(data + (img->seg[i].addr - lo), img->seg[i].data, img->seg[i].len);
		free(img->seg[i].data);
	}
	memcpy(data + (addr - lo), bytes, len);
	img->seg[first] = (gang_segment){ .addr = (uint32_t)lo, .len = (uint32_t)(hi - lo), .data = data };
	memmove(img->seg + first + 1, img->seg + last, (img->n_seg - last) * sizeof(*img->seg));
	img->n_seg -= last - first - 1;
	return GANG_OK;
}

int gang_image_patch(gang_image *img, uint32_t addr, const uint8_t *bytes, size_t len, int allow_overlay,
		     gang_diag *d)
{
	uint64_t end = (uint64_t)addr + len;
	size_t first, last;
	long ov;

	if (len == 0)
		return GANG_OK;
	if (end > GANG_IMAGE_ADDR_END)
		return gang_diag_set(d, GANG_EIMAGE,
				     "patch of %zu bytes at 0x%08" PRIX32 " passes the end of the 4 GiB address space",
				     len, addr);
	image_touching(&first, &last, &ov, img, addr, end);
	if (ov >= 0 && !allow_overlay) {
		const gang_segment *s = &img->seg[ov];

		return gang_diag_set(d, GANG_EIMAGE,
				     "patch 0x%08" PRIX32 "..0x%08" PRIX32 " overlaps image data 0x%08" PRIX32
				     "..0x%08" PRIX32 " (overlay not allowed)",
				     addr, (uint32_t)(end - 1U), s->addr, (uint32_t)(image_end(s) - 1U));
	}
	if (image_splice(img, first, last, addr, bytes, len) < 0)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory patching the image at 0x%08" PRIX32, addr);
	return GANG_OK;
}

int gang_image_clone(gang_image **out, const gang_image *img)
{
	gang_image *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return GANG_ENOMEM;
	*c = *img;
	c->seg = NULL;
	c->n_seg = 0;
	if (img->n_seg > 0 && !(c->seg = calloc(img->n_seg, sizeof(*c->seg))))
		goto fail;
	for (; c->n_seg < img->n_seg; c->n_seg++) {
		const gang_segment *s = &img->seg[c->n_seg];

		c->seg[c->n_seg] = *s;
		if (!(c->seg[c->n_seg].data = malloc(s->len ? s->len : 1U)))
			goto fail;
		memcpy(c->seg[c->n_seg].data, s->data, s->len);
	}
	*out = c;
	return GANG_OK;
fail:
	gang_image_free(c);
	return GANG_ENOMEM;
}

static bool image_seg_straddles(const gang_segment *s, uint32_t lo, uint32_t hi)
{
	uint64_t a = s->addr, b = (uint64_t)s->addr + s->len;

	return (a < lo && b > lo) || (a < hi && b > hi);
}

int gang_image_take(gang_image **out, gang_image *img, uint32_t lo, uint32_t hi, gang_diag *d)
{
	gang_image *t;
	size_t keep = 0, n = 0;

	*out = NULL;
	for (size_t i = 0; i < img->n_seg; i++) {
		if (image_seg_straddles(&img->seg[i], lo, hi))
			return gang_diag_set(d, GANG_EIMAGE, "image data 0x%08X..0x%08X straddles 0x%08X..0x%08X",
					     (unsigned)img->seg[i].addr, (unsigned)(img->seg[i].addr + img->seg[i].len - 1U),
					     (unsigned)lo, (unsigned)(hi - 1U));
		n += img->seg[i].addr >= lo && img->seg[i].addr < hi;
	}
	if (n == 0)
		return GANG_OK;
	if (!(t = calloc(1, sizeof(*t))) || !(t->seg = calloc(n, sizeof(*t->seg)))) {
		free(t);
		return gang_diag_set(d, GANG_ENOMEM, "out of memory splitting the image");
	}
	memcpy(t->sha256, img->sha256, sizeof(t->sha256));
	for (size_t i = 0; i < img->n_seg; i++) {
		if (img->seg[i].addr >= lo && img->seg[i].addr < hi)
			t->seg[t->n_seg++] = img->seg[i];
		else
			img->seg[keep++] = img->seg[i];
	}
	img->n_seg = keep;
	*out = t;
	return GANG_OK;
}
