/*
 * test_image.c — raw binaries, format detection, unreadable files, and the
 * image operations: from_buffer, size/span, check_range, patch, clone.
 * Also checks the committed demo firmware deliverables.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "image_test_util.h"

TestSuite(image, .timeout = 20);

static const char hex_text[] = ":0100000055AA\n:00000001FF\n";
static const char srec_text[] = "S104000055A6\nS9030000FC\n";

/* ---- raw binaries and detection ---- */

Test(image, binary_loads_at_the_base_address)
{
	const uint8_t data[] = { 1, 2, 3, 4, 5 };
	gang_image *img = itu_load_ok(itu_write("fw.bin", data, sizeof(data)), GANG_IMAGE_AUTO, 0x08004000U);

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x08004000U);
	cr_expect_eq(img->seg[0].len, 5);
	cr_expect_eq(memcmp(img->seg[0].data, data, 5), 0);
	gang_image_free(img);
}

Test(image, binary_past_4_gib_is_refused_at_the_first_byte_beyond)
{
	const uint8_t data[32] = { 0 };
	const char *path = itu_write("fw.bin", data, sizeof(data));
	char want[GANG_DIAG_LEN];

	snprintf(want, sizeof(want),
		 "%s: offset 16: address overflow: 32 bytes at base 0xFFFFFFF0 pass the end of the 4 GiB address space",
		 path);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_AUTO, 0xFFFFFFF0U, GANG_EIMAGE), want);
}

Test(image, empty_binary_is_refused)
{
	const char *path = itu_write("fw.bin", "", 0);
	char want[GANG_DIAG_LEN];

	snprintf(want, sizeof(want), "%s: offset 0: empty file", path);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_AUTO, 0, GANG_EIMAGE), want);
}

Test(image, missing_file_is_a_file_error_with_strerror)
{
	const char *path = itu_repo_path("tests/fixtures/images/no-such-file.hex");
	char want[GANG_DIAG_LEN];

	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_AUTO, 0, GANG_EFILE), want);
}

Test(image, directory_is_a_file_error)
{
	const char *path = itu_repo_path("tests/fixtures/images");
	char want[GANG_DIAG_LEN];

	snprintf(want, sizeof(want), "%s: is a directory, not a regular file", path);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_BIN, 0, GANG_EFILE), want);
}

/* A FIFO without a writer used to block the open (and `gang check`) forever. */
Test(image, a_fifo_is_refused_without_blocking, .timeout = 10)
{
	char dir[] = "/tmp/gang-img-fifo-XXXXXX", path[64], want[GANG_DIAG_LEN];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fw.bin", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	snprintf(want, sizeof(want), "%s: is a FIFO (named pipe), not a regular file", path);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_BIN, 0x08000000U, GANG_EFILE), want);
	remove(path);
	rmdir(dir);
}

Test(image, a_character_device_is_refused)
{
	cr_expect_str_eq(itu_load_fail("/dev/zero", GANG_IMAGE_BIN, 0x08000000U, GANG_EFILE),
			 "/dev/zero: is a character device, not a regular file");
}

/* Which loader ran shows in the result: hex/srec put 0x55 at 0, binary keeps the text. */
static void expect_detected(const char *name, const void *data, size_t len, int as_text_format)
{
	gang_image *img = itu_load_ok(itu_write(name, data, len), GANG_IMAGE_AUTO, 0x100U);

	if (as_text_format) {
		cr_expect_eq(img->seg[0].addr, 0, "%s", name);
		cr_expect_eq(img->seg[0].len, 1, "%s", name);
	} else {
		cr_expect_eq(img->seg[0].addr, 0x100U, "%s", name);
		cr_expect_eq(img->seg[0].len, len, "%s", name);
	}
	gang_image_free(img);
}

Test(image, auto_detects_by_extension_in_any_case)
{
	static const char *const hex_names[] = { "a.hex", "a.IHEX", "a.Hex" };
	static const char *const srec_names[] = { "a.srec", "a.s19", "a.S28", "a.s37", "a.mot" };

	for (size_t i = 0; i < 3; i++)
		expect_detected(hex_names[i], hex_text, strlen(hex_text), 1);
	for (size_t i = 0; i < 5; i++)
		expect_detected(srec_names[i], srec_text, strlen(srec_text), 1);
	/* a .bin extension wins over hex-looking content */
	expect_detected("a.bin", hex_text, strlen(hex_text), 0);
}

Test(image, auto_detects_by_content_without_a_known_extension)
{
	expect_detected("fw", hex_text, strlen(hex_text), 1);
	expect_detected("fw.dat", srec_text, strlen(srec_text), 1);
	expect_detected("fw.img", "\x01\x02\x03", 3, 0);
	expect_detected("fw.img2", "S!", 2, 0); /* 'S' without a record type digit is data */
}

Test(image, auto_detects_elf_by_magic_and_axf_by_extension)
{
	size_t len;
	uint8_t *elf = itu_read(&len, itu_fixture("prog.elf"));
	gang_image *a = itu_load_ok(itu_write("prog", elf, len), GANG_IMAGE_AUTO, 0);
	gang_image *b = itu_load_ok(itu_write("prog.axf", elf, len), GANG_IMAGE_AUTO, 0);

	cr_expect_eq(a->seg[0].addr, 0x08000000U);
	itu_expect_same(a, b);
	gang_image_free(a);
	gang_image_free(b);
	free(elf);
}

Test(image, elf_extension_with_wrong_content_names_the_format_error)
{
	const char *path = itu_write_text("fw.elf", hex_text);
	char want[GANG_DIAG_LEN];

	snprintf(want, sizeof(want), "%s: offset 0: bad magic: not an ELF file", path);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_AUTO, 0, GANG_EIMAGE), want);
}

/* ---- operations ---- */

static gang_image *two_segments(void)
{
	/* [0x1000,0x1004) = 00 01 02 03 and [0x1010,0x1014) = 10 11 12 13 */
	const uint8_t text[] = ":0410000000010203E6\n:041010001011121396\n:00000001FF\n";

	return itu_load_ok(itu_write("two.hex", text, sizeof(text) - 1), GANG_IMAGE_AUTO, 0);
}

Test(image, from_buffer_copies_the_bytes)
{
	uint8_t data[3] = { 7, 8, 9 };
	gang_image *img = NULL;

	cr_assert_eq(gang_image_from_buffer(&img, 0x20000000U, data, 3), GANG_OK);
	data[0] = 0;
	cr_expect_eq(img->seg[0].data[0], 7);
	cr_expect_eq(img->seg[0].addr, 0x20000000U);
	cr_expect_str_eq(img->sha256, "");
	gang_image_free(img);
}

Test(image, from_buffer_past_4_gib_is_refused)
{
	uint8_t data[2] = { 0 };
	gang_image *img = (gang_image *)data;

	cr_expect_eq(gang_image_from_buffer(&img, 0xFFFFFFFFU, data, 2), GANG_EIMAGE);
	cr_expect_null(img);
}

Test(image, free_of_null_is_a_no_op)
{
	gang_image_free(NULL);
}

Test(image, size_and_span_cover_all_segments)
{
	gang_image *img = two_segments();
	uint32_t lo, hi;

	cr_expect_eq(gang_image_size(img), 8);
	gang_image_span(&lo, &hi, img);
	cr_expect_eq(lo, 0x1000U);
	cr_expect_eq(hi, 0x1014U);
	gang_image_free(img);
}

Test(image, span_of_an_empty_image_is_zero)
{
	gang_image *img = NULL;
	uint32_t lo = 1, hi = 1;

	cr_assert_eq(gang_image_from_buffer(&img, 0x100U, NULL, 0), GANG_OK);
	cr_expect_eq(img->n_seg, 0);
	gang_image_span(&lo, &hi, img);
	cr_expect_eq(lo, 0);
	cr_expect_eq(hi, 0);
	gang_image_free(img);
}

Test(image, check_range_accepts_an_image_inside)
{
	gang_image *img = two_segments();
	gang_diag d = { 0 };

	cr_expect_eq(gang_image_check_range(img, 0x1000U, 0x1014U, "flash", &d), GANG_OK);
	gang_image_free(img);
}

Test(image, check_range_names_the_first_address_outside)
{
	gang_image *img = two_segments();
	gang_diag d = { 0 };

	cr_expect_eq(gang_image_check_range(img, 0x1000U, 0x1012U, "flash", &d), GANG_EIMAGE);
	cr_expect_str_eq(d.msg, "image data at 0x00001012 lies outside flash (0x00001000..0x00001011)");
	cr_expect_eq(gang_image_check_range(img, 0x1002U, 0x2000U, "flash", &d), GANG_EIMAGE);
	cr_expect_str_eq(d.msg, "image data at 0x00001000 lies outside flash (0x00001002..0x00001FFF)");
	cr_expect_eq(gang_image_check_range(img, 0x1004U, 0x1010U, NULL, &d), GANG_EIMAGE);
	cr_expect_str_eq(d.msg, "image data at 0x00001000 lies outside the allowed range (0x00001004..0x0000100F)");
	gang_image_free(img);
}

Test(image, patch_in_a_gap_adds_a_segment)
{
	gang_image *img = two_segments();
	const uint8_t sn[2] = { 0xAB, 0xCD };

	cr_assert_eq(gang_image_patch(img, 0x1008U, sn, 2, 0, NULL), GANG_OK);
	cr_assert_eq(img->n_seg, 3);
	cr_expect_eq(img->seg[1].addr, 0x1008U);
	cr_expect_eq(img->seg[1].data[1], 0xCD);
	cr_expect_eq(img->seg[2].addr, 0x1010U);
	gang_image_free(img);
}

Test(image, patch_after_the_last_segment_and_before_the_first_keeps_order)
{
	gang_image *img = two_segments();
	const uint8_t sn[4] = { 1, 2, 3, 4 };

	cr_assert_eq(gang_image_patch(img, 0x0803F800U, sn, 4, 0, NULL), GANG_OK);
	cr_assert_eq(gang_image_patch(img, 0x10U, sn, 4, 0, NULL), GANG_OK);
	cr_assert_eq(img->n_seg, 4);
	cr_expect_eq(img->seg[0].addr, 0x10U);
	cr_expect_eq(img->seg[3].addr, 0x0803F800U);
	cr_expect_eq(img->seg[3].data[3], 4);
	gang_image_free(img);
}

Test(image, patch_touching_both_neighbours_merges_them)
{
	gang_image *img = two_segments();
	uint8_t fill[12];

	memset(fill, 0xEE, sizeof(fill));
	cr_assert_eq(gang_image_patch(img, 0x1004U, fill, 12, 0, NULL), GANG_OK);
	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x1000U);
	cr_assert_eq(img->seg[0].len, 0x14U);
	cr_expect_eq(img->seg[0].data[3], 0x03);
	cr_expect_eq(img->seg[0].data[4], 0xEE);
	cr_expect_eq(img->seg[0].data[0x10], 0x10);
	gang_image_free(img);
}

Test(image, patch_overlapping_data_is_refused_unless_overlay_allowed)
{
	gang_image *img = two_segments();
	const uint8_t sn[4] = { 0xA1, 0xA2, 0xA3, 0xA4 };
	gang_diag d = { 0 };

	cr_expect_eq(gang_image_patch(img, 0x100EU, sn, 4, 0, &d), GANG_EIMAGE);
	cr_expect_str_eq(d.msg, "patch 0x0000100E..0x00001011 overlaps image data 0x00001010..0x00001013 (overlay not allowed)");
	cr_expect_eq(img->n_seg, 2, "a refused patch leaves the image unchanged");
	cr_expect_eq(img->seg[1].data[0], 0x10);
	cr_assert_eq(gang_image_patch(img, 0x100EU, sn, 4, 1, &d), GANG_OK);
	cr_assert_eq(img->n_seg, 2);
	cr_expect_eq(img->seg[1].addr, 0x100EU);
	cr_expect_eq(img->seg[1].len, 6);
	cr_expect_eq(img->seg[1].data[3], 0xA4);
	cr_expect_eq(img->seg[1].data[4], 0x12);
	gang_image_free(img);
}

Test(image, patch_spanning_a_whole_gap_overlay_fills_it)
{
	gang_image *img = two_segments();
	uint8_t all[0x14];

	memset(all, 0x5A, sizeof(all));
	cr_assert_eq(gang_image_patch(img, 0x1000U, all, sizeof(all), 1, NULL), GANG_OK);
	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].len, 0x14U);
	cr_expect_eq(img->seg[0].data[0x13], 0x5A);
	gang_image_free(img);
}

Test(image, patch_past_4_gib_is_refused)
{
	gang_image *img = two_segments();
	const uint8_t sn[4] = { 0 };
	gang_diag d = { 0 };

	cr_expect_eq(gang_image_patch(img, 0xFFFFFFFEU, sn, 4, 1, &d), GANG_EIMAGE);
	cr_expect_str_eq(d.msg, "patch of 4 bytes at 0xFFFFFFFE passes the end of the 4 GiB address space");
	gang_image_free(img);
}

Test(image, clone_is_deep_and_keeps_entry_and_hash)
{
	gang_image *img = itu_load_ok(itu_fixture("prog.hex"), GANG_IMAGE_AUTO, 0);
	gang_image *copy = NULL;
	const uint8_t sn[4] = { 0x78, 0x56, 0x34, 0x12 };

	cr_assert_eq(gang_image_clone(&copy, img), GANG_OK);
	itu_expect_same(copy, img);
	cr_expect_eq(copy->entry, img->entry);
	cr_expect_str_eq(copy->sha256, img->sha256);
	cr_assert_eq(gang_image_patch(copy, 0x08000000U, sn, 4, 1, NULL), GANG_OK);
	cr_expect_neq(memcmp(copy->seg[0].data, img->seg[0].data, 4), 0, "the original must not change");
	gang_image_free(copy);
	gang_image_free(img);
}

/* ---- committed demo firmware (tools/firmware/build.sh) ---- */

Test(image, demo_firmware_hex_and_bins_agree_and_leave_the_serial_slot_free)
{
	gang_image *hex = itu_load_ok(itu_repo_path("profiles/firmware/demo-f103.hex"), GANG_IMAGE_AUTO, 0);
	gang_image *bin = itu_load_ok(itu_repo_path("profiles/firmware/demo-f103.bin"), GANG_IMAGE_AUTO, 0x08000000U);
	gang_image *tool = itu_load_ok(itu_repo_path("tools/firmware/demo-f103.bin"), GANG_IMAGE_AUTO, 0x08000000U);
	gang_diag d = { 0 };

	itu_expect_same(hex, bin);
	itu_expect_same(tool, bin);
	cr_expect_eq(hex->entry & 1U, 1U, "Thumb entry");
	cr_expect_eq(gang_image_check_range(hex, 0x08000000U, 0x0803F800U, "flash below the serial slot", &d), GANG_OK,
		     "%s", d.msg);
	gang_image_free(hex);
	gang_image_free(bin);
	gang_image_free(tool);
}

static int has_word(const gang_image *img, uint32_t w)
{
	const uint8_t *p = img->seg[0].data;

	for (uint32_t i = 0; i + 4 <= img->seg[0].len; i += 4)
		if ((uint32_t)(p[i] | p[i + 1] << 8 | p[i + 2] << 16) == (w & 0xFFFFFFU) && p[i + 3] == w >> 24)
			return 1;
	return 0;
}

Test(image, swdoff_variant_alone_holds_the_afio_mapr_write)
{
	gang_image *on = itu_load_ok(itu_repo_path("tools/firmware/demo-f103.bin"), GANG_IMAGE_AUTO, 0x08000000U);
	gang_image *off = itu_load_ok(itu_repo_path("tools/firmware/demo-f103-swdoff.bin"), GANG_IMAGE_AUTO, 0x08000000U);

	/* literal pool holds the AFIO base (MAPR is written at +4); SWJ_CFG = 0b100 is an immediate */
	cr_expect(has_word(off, 0x40010000U));
	cr_expect_not(has_word(on, 0x40010000U));
	cr_expect_gt(gang_image_size(off), gang_image_size(on));
	gang_image_free(on);
	gang_image_free(off);
}

/* gang flash moves an image's OTP bytes (0x1FFF7800..) out of the main-flash program. */
Test(image, take_moves_the_segments_of_a_range_and_refuses_one_across_its_edge)
{
	static const uint8_t a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	gang_image *img = NULL, *otp = NULL, *none = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_image_from_buffer(&img, 0x08000000U, a, sizeof(a)), GANG_OK);
	cr_assert_eq(gang_image_patch(img, 0x1FFF7800U, a, 4, 0, &d), GANG_OK);
	cr_assert_eq(gang_image_take(&none, img, 0x1FFF7A10U, 0x1FFF7A20U, &d), GANG_OK);
	cr_assert_null(none, "nothing in that range");
	cr_assert_eq(gang_image_take(&otp, img, 0x1FFF7800U, 0x1FFF7A10U, &d), GANG_OK);
	cr_assert_not_null(otp);
	cr_assert_eq(otp->n_seg, 1);
	cr_assert_eq(otp->seg[0].addr, 0x1FFF7800U);
	cr_assert_eq(img->n_seg, 1);
	cr_assert_eq(img->seg[0].addr, 0x08000000U);
	gang_image_free(otp);
	cr_assert_eq(gang_image_take(&otp, img, 0x08000004U, 0x08001000U, &d), GANG_EIMAGE);
	cr_assert_null(otp);
	cr_assert_str_eq(d.msg, "image data 0x08000000..0x08000007 straddles 0x08000004..0x08000FFF");
	gang_image_free(img);
}
