/*
 * fuzz_image.c — the invariants every image loader result must pass
 * (fuzz_image.h), shared by the ihex, srec, elf, bin, auto and patch
 * targets.
 * References: src/image/image.h (segments sorted by address, non-overlapping,
 * adjacent ones merged; errors name "file:line" or "file: offset N"),
 * src/core/err.h (the failure's code is in the diag).
 */
#include "fuzz_image.h"

#include <string.h>

#include "core/sha256.h"

static int fuzz_is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Span as image.h defines it: lowest address, one past the highest (wrapping at 4 GiB). */
static void fuzz_check_span(const gang_image *img)
{
	uint32_t lo, hi;
	const gang_segment *last;

	gang_image_span(&lo, &hi, img);
	if (img->n_seg == 0) {
		FUZZ_CHECK(lo == 0 && hi == 0, "empty image span 0x%08X..0x%08X", lo, hi);
		return;
	}
	last = &img->seg[img->n_seg - 1];
	FUZZ_CHECK(lo == img->seg[0].addr, "span lo 0x%08X, first segment 0x%08X", lo, img->seg[0].addr);
	FUZZ_CHECK(hi == (uint32_t)((uint64_t)last->addr + last->len), "span hi 0x%08X", hi);
	/* Every byte lies in its own span; the range check must agree when hi did not wrap. */
	if (hi > lo)
		FUZZ_CHECK(gang_image_check_range(img, lo, hi, "span", NULL) == GANG_OK,
			   "check_range refuses the image's own span 0x%08X..0x%08X", lo, hi);
	if (hi > lo && hi - lo > 1U)
		FUZZ_CHECK(gang_image_check_range(img, lo + 1U, hi, "span", NULL) == GANG_EIMAGE,
			   "check_range accepts a range missing the first byte 0x%08X", lo);
}

void fuzz_check_image(const gang_image *img)
{
	uint64_t sum = 0, prev_end = 0;

	FUZZ_CHECK(img != NULL, "success without an image");
	FUZZ_CHECK(img->n_seg == 0 || img->seg != NULL, "%zu segments, NULL array", img->n_seg);
	for (size_t i = 0; i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];
		uint64_t end = (uint64_t)s->addr + s->len;

		FUZZ_CHECK(s->len > 0, "segment %zu at 0x%08X is empty", i, s->addr);
		FUZZ_CHECK(s->data != NULL, "segment %zu has no data", i);
		FUZZ_CHECK(end <= 0x100000000ULL, "segment %zu 0x%08X+%u passes 4 GiB", i, s->addr, s->len);
		/* Strictly after the previous end: sorted, disjoint, adjacent ones merged. */
		FUZZ_CHECK(i == 0 || s->addr > prev_end, "segment %zu at 0x%08X not after previous end 0x%llX", i,
			   s->addr, (unsigned long long)prev_end);
		sum += s->len;
		prev_end = end;
	}
	FUZZ_CHECK(sum == gang_image_size(img), "segments hold %llu bytes, gang_image_size says %zu",
		   (unsigned long long)sum, gang_image_size(img));
	fuzz_check_span(img);
}

void fuzz_check_image_load(int rc, const gang_image *img, const gang_diag *d, const char *path)
{
	if (rc == GANG_OK) {
		fuzz_check_image(img);
		FUZZ_CHECK(strlen(img->sha256) == 64 && fuzz_is_lower_hex(img->sha256, 64), "sha256 \"%.65s\"",
			   img->sha256);
		return;
	}
	FUZZ_CHECK(img == NULL, "error %d but an image was returned", rc);
	FUZZ_CHECK(rc == GANG_EIMAGE || rc == GANG_EFILE || rc == GANG_ENOMEM, "undocumented error %d (%s)", rc,
		   d->msg);
	fuzz_check_diag_names(rc, d, path);
}

void fuzz_check_same_image(const gang_image *a, const gang_image *b)
{
	FUZZ_CHECK(a->n_seg == b->n_seg, "%zu segments vs %zu", a->n_seg, b->n_seg);
	FUZZ_CHECK(a->entry == b->entry, "entry 0x%08X vs 0x%08X", a->entry, b->entry);
	for (size_t i = 0; i < a->n_seg; i++) {
		const gang_segment *x = &a->seg[i], *y = &b->seg[i];

		FUZZ_CHECK(x->addr == y->addr && x->len == y->len, "segment %zu: 0x%08X+%u vs 0x%08X+%u", i,
			   x->addr, x->len, y->addr, y->len);
		FUZZ_CHECK(x->data != y->data, "segment %zu data shared, not copied", i);
		FUZZ_CHECK(memcmp(x->data, y->data, x->len) == 0, "segment %zu bytes differ", i);
	}
}

/* Clone, explicit-format reload and hash of a successful load. */
static void fuzz_image_confirm(const gang_image *img, const uint8_t *data, size_t size, const char *path,
			       gang_image_format fmt, uint32_t base)
{
	char sha[GANG_SHA256_HEX_LEN + 1];
	gang_image *copy = NULL, *again = NULL;
	gang_diag d = { 0 };
	int rc;

	gang_sha256_hex(sha, data, size);
	FUZZ_CHECK(strcmp(sha, img->sha256) == 0, "image sha256 %s, file bytes hash to %s", img->sha256, sha);
	FUZZ_CHECK(gang_image_clone(&copy, img) == GANG_OK, "clone failed");
	fuzz_check_image(copy);
	fuzz_check_same_image(img, copy);
	rc = gang_image_load(&again, path, fmt, base, &d);
	FUZZ_CHECK(rc == GANG_OK, "loads by extension but not as format %d: %s", (int)fmt, d.msg);
	fuzz_check_same_image(img, again);
	gang_image_free(again);
	gang_image_free(copy);
}

void fuzz_image_loader(const uint8_t *data, size_t size, const char *name, gang_image_format fmt,
		       uint32_t base)
{
	const char *path = fuzz_tmp_path(name);
	gang_image *img = NULL;
	gang_diag d = { 0 };
	int rc;

	fuzz_tmp_write(path, data, size);
	rc = gang_image_load(&img, path, GANG_IMAGE_AUTO, base, &d);
	fuzz_check_image_load(rc, img, &d, path);
	if (rc == GANG_OK)
		fuzz_image_confirm(img, data, size, path, fmt, base);
	gang_image_free(img);
}
