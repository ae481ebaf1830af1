/*
 * test_roundtrip.c — the same program written by arm-none-eabi-objcopy
 * (.elf/.bin/.hex/.srec) and srec_cat (S19/S28/S37, 8-byte records, 64 KiB
 * boundary, segment addressing, gaps) loads to identical segments. The
 * fixtures come from tools/firmware/make-fixtures.sh, committed.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image_test_util.h"

TestSuite(image_roundtrip, .timeout = 20);

static gang_image *bin_at(uint32_t base)
{
	return itu_load_ok(itu_fixture("prog.bin"), GANG_IMAGE_AUTO, base);
}

static void expect_same_as_bin(const char *fixture, uint32_t base)
{
	gang_image *want = bin_at(base);
	gang_image *got = itu_load_ok(itu_fixture(fixture), GANG_IMAGE_AUTO, 0);

	cr_assert_eq(want->n_seg, 1);
	itu_expect_same(got, want);
	gang_image_free(want);
	gang_image_free(got);
}

Test(image_roundtrip, binary_is_one_segment_at_the_given_base)
{
	gang_image *img = bin_at(0x08000000U);

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x08000000U);
	cr_expect_eq(img->seg[0].len, 0x108U);
	cr_expect_eq(img->entry, 0);
	gang_image_free(img);
}

Test(image_roundtrip, elf_equals_objcopy_binary) { expect_same_as_bin("prog.elf", 0x08000000U); }
Test(image_roundtrip, objcopy_hex_equals_objcopy_binary) { expect_same_as_bin("prog.hex", 0x08000000U); }
Test(image_roundtrip, objcopy_srec_equals_objcopy_binary) { expect_same_as_bin("prog.srec", 0x08000000U); }
Test(image_roundtrip, srec_cat_s19_at_0_equals_binary_at_0) { expect_same_as_bin("prog.s19", 0); }
Test(image_roundtrip, srec_cat_s28_equals_binary_at_8_mib) { expect_same_as_bin("prog.s28", 0x00800000U); }
Test(image_roundtrip, srec_cat_s37_equals_objcopy_binary) { expect_same_as_bin("prog.s37", 0x08000000U); }
Test(image_roundtrip, srec_cat_8_byte_records_equal_binary) { expect_same_as_bin("prog-8.hex", 0x08000000U); }
Test(image_roundtrip, lower_case_crlf_hex_equals_binary) { expect_same_as_bin("prog-lower-crlf.hex", 0x08000000U); }
Test(image_roundtrip, descending_records_equal_binary) { expect_same_as_bin("prog-reversed.hex", 0x08000000U); }

Test(image_roundtrip, hex_crossing_a_64k_boundary_uses_two_linear_records)
{
	expect_same_as_bin("prog-straddle.hex", 0x0800FF80U);
}

Test(image_roundtrip, segment_addressed_hex_equals_binary)
{
	expect_same_as_bin("prog-seg.hex", 0x0000FF80U);
}

Test(image_roundtrip, start_addresses_match_the_elf_entry)
{
	static const char *const names[] = { "prog.elf", "prog.hex", "prog.srec" };

	for (size_t i = 0; i < 3; i++) {
		gang_image *img = itu_load_ok(itu_fixture(names[i]), GANG_IMAGE_AUTO, 0);

		cr_expect_eq(img->entry, 0x08000045U, "%s", names[i]);
		gang_image_free(img);
	}
}

/* prog-gap.*: bytes 0..0x7F at 0x08000000 and 0x80.. at 0x08001080; the gap stays a gap. */
static void expect_gap(const char *fixture)
{
	gang_image *bin = bin_at(0x08000000U);
	gang_image *img = itu_load_ok(itu_fixture(fixture), GANG_IMAGE_AUTO, 0);

	cr_assert_eq(img->n_seg, 2, "%s", fixture);
	cr_expect_eq(img->seg[0].addr, 0x08000000U);
	cr_expect_eq(img->seg[0].len, 0x80U);
	cr_expect_eq(img->seg[1].addr, 0x08001080U);
	cr_assert_eq(img->seg[1].len, bin->seg[0].len - 0x80U);
	cr_expect_eq(memcmp(img->seg[0].data, bin->seg[0].data, 0x80), 0);
	cr_expect_eq(memcmp(img->seg[1].data, bin->seg[0].data + 0x80, img->seg[1].len), 0);
	gang_image_free(bin);
	gang_image_free(img);
}

Test(image_roundtrip, gapped_hex_keeps_two_segments) { expect_gap("prog-gap.hex"); }
Test(image_roundtrip, gapped_srec_keeps_two_segments) { expect_gap("prog-gap.srec"); }
