/*
 * fuzz_patch.c — libFuzzer target for gang_image_patch (serial-number
 * injection) against a byte-map model. The input builds an image from one
 * buffer in a 4 KiB window, then applies patches; after each one the image
 * must hold exactly the model's bytes as maximal runs (sorted, disjoint,
 * adjacent merged), a refused patch (overlap without overlay, past 4 GiB)
 * must change nothing, and a clone must equal the result.
 * Input: [window] [off16 len8 data...] then per patch [flags off16 len8 data...];
 * window bit 0 picks 0x08000000 (flash) or 0xFFFFF000 (the window ends at
 * 4 GiB, so patches can run past the address space).
 * References: src/image/image.h (gang_image_patch, gang_image_from_buffer).
 */
#include "fuzz_image.h"

#include <stdbool.h>
#include <string.h>

#define PATCH_WIN 4096U
#define PATCH_BASE_FLASH 0x08000000U
#define PATCH_BASE_TOP 0xFFFFF000U
#define PATCH_MAX_OPS 64U

typedef struct patch_model {
	uint32_t base;
	size_t count;              /* bytes present */
	uint8_t val[PATCH_WIN];
	bool present[PATCH_WIN];
} patch_model;

/* Input cursor. */
typedef struct patch_in {
	const uint8_t *p;
	size_t left;
} patch_in;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static bool patch_take(patch_in *in, uint8_t *out, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

/* Every image byte is a model byte, and the counts match: then runs are exact. */
static void patch_compare(const gang_image *img, const patch_model *m)
{
	fuzz_check_image(img);
	FUZZ_CHECK(gang_image_size(img) == m->count, "image holds %zu bytes, model %zu", gang_image_size(img),
		   m->count);
	for (size_t i = 0; i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];

		FUZZ_CHECK(s->addr >= m->base && (uint64_t)s->addr + s->len <= (uint64_t)m->base + PATCH_WIN,
			   "segment 0x%08X+%u outside the window", s->addr, s->len);
		for (uint32_t k = 0; k < s->len; k++) {
			uint32_t o = s->addr - m->base + k;

			FUZZ_CHECK(m->present[o] && m->val[o] == s->data[k], "byte at 0x%08X: image 0x%02X, model %s 0x%02X",
				   s->addr + k, s->data[k], m->present[o] ? "has" : "lacks", m->val[o]);
		}
	}
}

/* Expected outcome of a patch of len bytes at offset off of the window. */
static int patch_expect(const patch_model *m, uint32_t off, size_t len, bool overlay)
{
	if (len == 0)
		return GANG_OK;
	if ((uint64_t)m->base + off + len > 0x100000000ULL)
		return GANG_EIMAGE;
	for (size_t i = 0; i < len && !overlay; i++)
		if (m->present[off + i])
			return GANG_EIMAGE;
	return GANG_OK;
}

static void patch_apply(gang_image *img, patch_model *m, uint8_t flags, uint32_t off, const uint8_t *bytes,
			size_t len)
{
	bool overlay = flags & 1U;
	int want = patch_expect(m, off, len, overlay);
	gang_diag d = { 0 };
	int rc = gang_image_patch(img, m->base + off, bytes, len, overlay, &d);

	FUZZ_CHECK(rc == want, "patch %zu bytes at 0x%08X overlay %d: got %d, model says %d (%s)", len,
		   m->base + off, (int)overlay, rc, want, d.msg);
	if (rc < 0) {
		FUZZ_CHECK(d.code == rc && d.msg[0] != '\0', "refused patch without a message");
		return;
	}
	for (size_t i = 0; i < len; i++) {
		m->count += !m->present[off + i];
		m->present[off + i] = true;
		m->val[off + i] = bytes[i];
	}
}

/* Next patch from the input: false at the end. Lengths stay inside the window
 * except where the window ends at 4 GiB (there, running past is the test). */
static bool patch_next(gang_image *img, patch_model *m, patch_in *in)
{
	uint8_t hdr[4], bytes[256];
	uint32_t off;
	size_t len;

	if (!patch_take(in, hdr, sizeof(hdr)))
		return false;
	off = ((uint32_t)hdr[1] | (uint32_t)hdr[2] << 8) % PATCH_WIN;
	len = hdr[3];
	if (m->base != PATCH_BASE_TOP && len > PATCH_WIN - off)
		len = PATCH_WIN - off;
	if (!patch_take(in, bytes, len))
		return false;
	if ((uint64_t)off + len > PATCH_WIN) {
		/* Runs past 4 GiB: must be refused, model untouched. */
		gang_diag d = { 0 };

		FUZZ_CHECK(gang_image_patch(img, m->base + off, bytes, len, 1, &d) == GANG_EIMAGE,
			   "patch past 4 GiB accepted at 0x%08X+%zu", m->base + off, len);
		return true;
	}
	patch_apply(img, m, hdr[0], off, bytes, len);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	patch_model m;
	patch_in in = { data, size };
	gang_image *img = NULL, *copy = NULL;
	uint8_t hdr[4], first[256];
	uint32_t off;

	memset(&m, 0, sizeof(m));
	if (!patch_take(&in, hdr, sizeof(hdr)))
		return 0;
	m.base = (hdr[0] & 1U) ? PATCH_BASE_TOP : PATCH_BASE_FLASH;
	off = ((uint32_t)hdr[1] | (uint32_t)hdr[2] << 8) % (PATCH_WIN - 256U);
	if (hdr[3] == 0 || !patch_take(&in, first, hdr[3]))
		return 0;
	FUZZ_CHECK(gang_image_from_buffer(&img, m.base + off, first, hdr[3]) == GANG_OK, "from_buffer failed");
	memcpy(m.val + off, first, hdr[3]);
	memset(m.present + off, 1, hdr[3]);
	m.count = hdr[3];
	for (unsigned n = 0; n < PATCH_MAX_OPS && patch_next(img, &m, &in); n++)
		patch_compare(img, &m);
	patch_compare(img, &m);
	FUZZ_CHECK(gang_image_clone(&copy, img) == GANG_OK, "clone failed");
	fuzz_check_same_image(img, copy);
	gang_image_free(copy);
	gang_image_free(img);
	return 0;
}
