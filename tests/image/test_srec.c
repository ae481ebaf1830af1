/*
 * test_srec.c — Motorola S-record loader: S0 header, S1/S2/S3 data,
 * S5/S6 counts, S7/S8/S9 start addresses, and a table of malformed files.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "image/image.h"
#include "image_test_util.h"

TestSuite(image_srec, .timeout = 20);

static gang_image *load_text(const char *text)
{
	return itu_load_ok(itu_write_text("t.srec", text), GANG_IMAGE_AUTO, 0);
}

Test(image_srec, s1_records_with_header_count_and_s9_load_and_merge)
{
	gang_image *img = load_text("S0030000FC\nS105000055AAFB\nS5030001FB\nS9030000FC\n");

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0);
	cr_expect_eq(img->seg[0].len, 2);
	cr_expect_eq(img->seg[0].data[0], 0x55);
	cr_expect_eq(img->seg[0].data[1], 0xAA);
	gang_image_free(img);
}

Test(image_srec, s2_records_use_24_bit_addresses_and_s8_sets_the_entry)
{
	gang_image *img = load_text("S206123456AABBF8\nS8041234565F\n");

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x123456U);
	cr_expect_eq(img->seg[0].len, 2);
	cr_expect_eq(img->entry, 0x123456U);
	gang_image_free(img);
}

Test(image_srec, s3_records_use_32_bit_addresses_and_s7_sets_the_entry)
{
	gang_image *img = load_text("S30908000000DEADBEEFB6\nS70508000045AD\n");

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x08000000U);
	cr_expect_eq(img->seg[0].data[3], 0xEF);
	cr_expect_eq(img->entry, 0x08000045U);
	gang_image_free(img);
}

Test(image_srec, a_record_count_alone_ends_the_file_as_srec_cat_writes_it)
{
	gang_image *img = load_text("S105000055AAFB\nS5030001FB\n");

	cr_expect_eq(gang_image_size(img), 2);
	cr_expect_eq(img->entry, 0);
	gang_image_free(img);
}

Test(image_srec, s6_24_bit_count_is_checked_like_s5)
{
	gang_image *img = load_text("S105000055AAFB\nS604000001FA\n");

	cr_expect_eq(gang_image_size(img), 1 + 1);
	gang_image_free(img);
}

Test(image_srec, lower_case_and_crlf_are_accepted)
{
	gang_image *img = load_text("S105000055aafb\r\nS9030000fc\r\n");

	cr_expect_eq(img->seg[0].data[1], 0xAA);
	gang_image_free(img);
}

Test(image_srec, last_byte_of_the_address_space_is_accepted)
{
	gang_image *img = load_text("S306FFFFFFFF11EC\nS5030001FB\n");

	cr_expect_eq(img->seg[0].addr, 0xFFFFFFFFU);
	gang_image_free(img);
}

/* Arrays, not pointers: Criterion may run each parameter in a fresh process image. */
typedef struct bad_case {
	char name[32];
	char text[128];
	char msg[200]; /* after "path:" */
} bad_case;

static bad_case srec_bad[] = {
	{ "bad checksum", "S105000055AAFC\nS9030000FC\n", "1: bad checksum: expected 0xFB, found 0xFC" },
	{ "non-hex char", "S1050000X5AAFB\nS9030000FC\n", "1: non-hex character 'X' at column 9" },
	{ "odd digits", "S105000055AAF\nS9030000FC\n", "1: odd number of hex digits (11)" },
	{ "no count", "S1\nS9030000FC\n", "1: truncated record: no byte count" },
	{ "count beyond data", "S106000055AAFB\nS9030000FC\n", "1: truncated record: count says 6 bytes, only 5 present" },
	{ "data beyond count", "S104000055AAFB\nS9030000FC\n",
	  "1: record length mismatch: count says 4 bytes, record holds 5" },
	{ "count below address", "S10200FD\nS9030000FC\n",
	  "1: record length mismatch: count 2 too small for S1 (2 address bytes and a checksum)" },
	{ "data in S9", "S105000055AAFB\nS904000055A6\n",
	  "2: record length mismatch: S9 carries no data, but has 1 data bytes" },
	{ "unknown type S4", "S105000055AAFB\nS4030000FC\n", "2: unknown record type S4" },
	{ "type letter", "S105000055AAFB\nSX030000FC\n", "2: unknown record type SX" },
	{ "no S", "S105000055AAFB\n:9030000FC\n", "2: expected 'S' at start of record" },
	{ "count mismatch", "S105000055AAFB\nS5030002FA\nS9030000FC\n",
	  "2: record count mismatch: S5 says 2 data records, file has 1" },
	{ "missing EOF", "S105000055AAFB\nS104000255A4\n",
	  "2: missing EOF: no termination record (S7, S8 or S9) nor record count (S5/S6)" },
	{ "data after S9", "S105000055AAFB\nS9030000FC\nS104000155A5\n",
	  "3: data after termination record (S9 at line 2)" },
	{ "no data", "S0030000FC\nS9030000FC\n", "2: no data records" },
	{ "empty file", "", "1: empty file" },
	{ "overlap", "S105000055AAFB\nS104000155A5\nS9030000FC\n",
	  "2: overlapping data at 0x00000001: 0x00000001..0x00000001 overlaps 0x00000000..0x00000001 loaded earlier" },
	{ "overflow", "S307FFFFFFFF1122C9\nS5030001FB\n",
	  "1: address overflow: 2 bytes at 0xFFFFFFFF pass the end of the 4 GiB address space" },
};

ParameterizedTestParameters(image_srec, malformed_file_is_refused_with_line_and_reason)
{
	return cr_make_param_array(bad_case, srec_bad, sizeof(srec_bad) / sizeof(srec_bad[0]));
}

ParameterizedTest(bad_case *c, image_srec, malformed_file_is_refused_with_line_and_reason)
{
	const char *path = itu_write_text("bad.s19", c->text);
	char want[GANG_DIAG_LEN];

	snprintf(want, sizeof(want), "%s:%s", path, c->msg);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_AUTO, 0, GANG_EIMAGE), want, "case %s", c->name);
}
