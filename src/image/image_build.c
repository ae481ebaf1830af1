/*
 * image_build.c — the segment-list builder every loader feeds (see
 * image_internal.h). Keeps the image.h invariants: segments sorted by
 * address, never overlapping, adjacent ones merged; gaps are not filled.
 */
#include "image/image_internal.h"

#include <stdlib.h>
#include <string.h>

/* Segments start at this capacity and double, so ascending records append in amortised O(1). */
#define IMAGE_BUILD_MIN_CAP 256U

static uint64_t build_end(const gang_segment *s)
{
	return (uint64_t)s->addr + s->len;
}

void gang_image_build_init(image_build *b)
{
	memset(b, 0, sizeof(*b));
}

void gang_image_build_free(image_build *b)
{
	for (size_t i = 0; i < b->n_seg; i++)
		free(b->seg[i].data);
	free(b->seg);
	free(b->cap);
	gang_image_build_init(b);
}

/* Index of the first segment that ends after addr (n_seg if none). */
static size_t build_find(const image_build *b, uint32_t addr)
{
	size_t lo = 0, hi = b->n_seg;

	if (hi > 0 && build_end(&b->seg[hi - 1]) <= addr)
		return hi; /* fast path: appending past the last segment */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (build_end(&b->seg[mid]) > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Make room for need bytes in segment i. */
static int build_reserve(image_build *b, size_t i, uint64_t need)
{
	uint64_t cap = b->cap[i];
	uint8_t *p;

	if (need <= cap)
		return GANG_OK;
	if (cap < IMAGE_BUILD_MIN_CAP)
		cap = IMAGE_BUILD_MIN_CAP;
	while (cap < need)
		cap *= 2;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	if (need > cap || !(p = realloc(b->seg[i].data, (size_t)cap)))
		return GANG_ENOMEM;
	b->seg[i].data = p;
	b->cap[i] = (uint32_t)cap;
	return GANG_OK;
}

/* Insert an empty segment at index i. */
static int build_insert(image_build *b, size_t i, uint32_t addr)
{
	if (b->n_seg == b->alloc) {
		size_t n = b->alloc ? 2 * b->alloc : 8;
		gang_segment *seg = realloc(b->seg, n * sizeof(*seg));

		if (!seg)
			return GANG_ENOMEM;
		b->seg = seg;
		uint32_t *cap = realloc(b->cap, n * sizeof(*cap));
		if (!cap)
			return GANG_ENOMEM;
		b->cap = cap;
		b->alloc = n;
	}
	memmove(b->seg + i + 1, b->seg + i, (b->n_seg - i) * sizeof(*b->seg));
	memmove(b->cap + i + 1, b->cap + i, (b->n_seg - i) * sizeof(*b->cap));
	b->seg[i] = (gang_segment){ .addr = addr, .len = 0, .data = NULL };
	b->cap[i] = 0;
	b->n_seg++;
	return GANG_OK;
}

/* Append data to segment i, then absorb segment i+1 if the two now touch. */
static int build_append(image_build *b, size_t i, const uint8_t *data, size_t len)
{
	gang_segment *s = &b->seg[i];
	int join = i + 1 < b->n_seg && build_end(s) + len == b->seg[i + 1].addr;
	uint64_t need = (uint64_t)s->len + len + (join ? b->seg[i + 1].len : 0U);

	if (build_reserve(b, i, need) < 0)
		return GANG_ENOMEM;
	memcpy(s->data + s->len, data, len);
	s->len += (uint32_t)len;
	if (!join)
		return GANG_OK;
	memcpy(s->data + s->len, b->seg[i + 1].data, b->seg[i + 1].len);
	s->len += b->seg[i + 1].len;
	free(b->seg[i + 1].data);
	memmove(b->seg + i + 1, b->seg + i + 2, (b->n_seg - i - 2) * sizeof(*b->seg));
	memmove(b->cap + i + 1, b->cap + i + 2, (b->n_seg - i - 2) * sizeof(*b->cap));
	b->n_seg--;
	return GANG_OK;
}

/* Prepend data to segment i (records arriving in descending order). */
static int build_prepend(image_build *b, size_t i, const uint8_t *data, size_t len)
{
	gang_segment *s = &b->seg[i];

	if (build_reserve(b, i, (uint64_t)s->len + len) < 0)
		return GANG_ENOMEM;
	memmove(s->data + len, s->data, s->len);
	memcpy(s->data, data, len);
	s->len += (uint32_t)len;
	s->addr -= (uint32_t)len;
	return GANG_OK;
}

int gang_image_build_add(image_build *b, uint32_t addr, const uint8_t *data, size_t len, image_clash *clash)
{
	uint64_t end = (uint64_t)addr + len;
	size_t i;

	if (len == 0)
		return GANG_OK;
	if (end > GANG_IMAGE_ADDR_END)
		return GANG_ERR; /* callers check this first to name the record */
	i = build_find(b, addr);
	if (i < b->n_seg && b->seg[i].addr < end) {
		clash->addr = b->seg[i].addr > addr ? b->seg[i].addr : addr;
		clash->old_lo = b->seg[i].addr;
		clash->old_hi = (uint32_t)(build_end(&b->seg[i]) - 1U);
		return GANG_EIMAGE;
	}
	if (i > 0 && build_end(&b->seg[i - 1]) == addr)
		return build_append(b, i - 1, data, len);
	if (i < b->n_seg && b->seg[i].addr == end)
		return build_prepend(b, i, data, len);
	if (build_insert(b, i, addr) < 0)
		return GANG_ENOMEM;
	return build_append(b, i, data, len);
}

int gang_image_build_finish(gang_image **out, image_build *b)
{
	gang_image *img = calloc(1, sizeof(*img));

	*out = NULL;
	if (!img)
		return GANG_ENOMEM;
	img->seg = b->seg;
	img->n_seg = b->n_seg;
	img->entry = b->entry;
	if (img->n_seg == 0) {
		free(img->seg);
		img->seg = NULL;
	}
	free(b->cap);
	b->seg = NULL;
	b->cap = NULL;
	b->n_seg = b->alloc = 0;
	*out = img;
	return GANG_OK;
}
