/*
 * fuzz_bin.c — libFuzzer target for the raw-binary loader, with an exact
 * oracle: the first 4 input bytes are the base address (little-endian),
 * the rest is the file. A non-empty file that fits below 4 GiB must load
 * as exactly one segment at base holding the file's bytes; an empty file
 * or one passing the end of the address space must fail with GANG_EIMAGE
 * and a message naming the file.
 * References: src/image/image.h (gang_image_load, base for binaries),
 * src/image/image_load.c (load_bin).
 */
#include "fuzz_image.h"

#include <string.h>

#define FUZZ_BIN_HDR 4U

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_path("input.bin");
	return 0;
}

static void fuzz_bin_expect(const gang_image *img, uint32_t base, const uint8_t *body, size_t len)
{
	FUZZ_CHECK(img->n_seg == 1, "%zu segments for one binary", img->n_seg);
	FUZZ_CHECK(img->seg[0].addr == base, "segment at 0x%08X, base 0x%08X", img->seg[0].addr, base);
	FUZZ_CHECK(img->seg[0].len == len, "segment of %u bytes, file of %zu", img->seg[0].len, len);
	FUZZ_CHECK(memcmp(img->seg[0].data, body, len) == 0, "segment bytes differ from the file");
	FUZZ_CHECK(img->entry == 0, "raw binary with entry 0x%08X", img->entry);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_tmp_path("input.bin");
	const uint8_t *body = data + FUZZ_BIN_HDR;
	size_t len = size - FUZZ_BIN_HDR;
	gang_image *img = NULL;
	gang_diag d = { 0 };
	uint32_t base;
	int rc;

	if (size < FUZZ_BIN_HDR)
		return 0;
	base = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
	fuzz_tmp_write(path, body, len);
	rc = gang_image_load(&img, path, GANG_IMAGE_BIN, base, &d);
	fuzz_check_image_load(rc, img, &d, path);
	if (len == 0 || (uint64_t)base + len > 0x100000000ULL)
		FUZZ_CHECK(rc == GANG_EIMAGE, "%zu bytes at 0x%08X: got %d, want GANG_EIMAGE", len, base, rc);
	else {
		FUZZ_CHECK(rc == GANG_OK, "%zu bytes at 0x%08X refused: %s", len, base, d.msg);
		fuzz_bin_expect(img, base, body, len);
	}
	gang_image_free(img);
	return 0;
}
