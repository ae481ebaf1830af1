/*
 * test_ihex.c — Intel HEX loader: every record type, upper/lower case,
 * CRLF/LF, and a table of malformed files, each with its exact message.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "image/image.h"
#include "image_test_util.h"

TestSuite(image_ihex, .timeout = 20);

static gang_image *load_text(const char *text)
{
	return itu_load_ok(itu_write_text("t.hex", text), GANG_IMAGE_AUTO, 0);
}

Test(image_ihex, data_records_land_at_their_offsets_and_merge_when_adjacent)
{
	gang_image *img = load_text(":0100000055AA\n:0100010055A9\n:00000001FF\n");

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0);
	cr_expect_eq(img->seg[0].len, 2);
	cr_expect_eq(img->seg[0].data[1], 0x55);
	cr_expect_eq(img->entry, 0);
	gang_image_free(img);
}

Test(image_ihex, gaps_between_records_stay_separate_segments)
{
	gang_image *img = load_text(":010010007778\n:0100000055AA\n:00000001FF\n");

	cr_assert_eq(img->n_seg, 2);
	cr_expect_eq(img->seg[0].addr, 0x0);
	cr_expect_eq(img->seg[1].addr, 0x10);
	cr_expect_eq(img->seg[1].data[0], 0x77);
	cr_expect_eq(gang_image_size(img), 2);
	gang_image_free(img);
}

Test(image_ihex, extended_linear_address_record_sets_the_upper_16_bits)
{
	gang_image *img = load_text(":020000041000EA\n:0100000055AA\n:00000001FF\n");

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x10000000U);
	gang_image_free(img);
}

Test(image_ihex, extended_segment_address_record_adds_paragraphs_of_16_bytes)
{
	gang_image *img = load_text(":02000002F0000C\n:0100000055AA\n:00000001FF\n");

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x000F0000U);
	gang_image_free(img);
}

Test(image_ihex, start_linear_address_record_sets_the_entry)
{
	gang_image *img = load_text(":0100000055AA\n:0400000508000045AA\n:00000001FF\n");

	cr_expect_eq(img->entry, 0x08000045U);
	gang_image_free(img);
}

Test(image_ihex, start_segment_address_record_sets_entry_to_cs_times_16_plus_ip)
{
	gang_image *img = load_text(":0100000055AA\n:0400000312345678E5\n:00000001FF\n");

	cr_expect_eq(img->entry, 0x1234U * 16U + 0x5678U);
	gang_image_free(img);
}

Test(image_ihex, lower_case_crlf_blank_lines_and_trailing_blanks_are_accepted)
{
	gang_image *img = load_text("\r\n:0200000055aaff \r\n\r\n:00000001ff\r\n\r\n");

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].data[1], 0xAA);
	gang_image_free(img);
}

Test(image_ihex, last_byte_of_the_address_space_is_accepted)
{
	gang_image *img = load_text(":02000004FFFFFC\n:01FFFF0055AC\n:00000001FF\n");

	cr_expect_eq(img->seg[0].addr, 0xFFFFFFFFU);
	cr_expect_eq(img->seg[0].len, 1);
	gang_image_free(img);
}

Test(image_ihex, records_in_descending_order_merge_into_one_segment)
{
	gang_image *img = load_text(":0100010055A9\n:0100000055AA\n:00000001FF\n");

	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0);
	cr_expect_eq(img->seg[0].len, 2);
	gang_image_free(img);
}

/* Arrays, not pointers: Criterion may run each parameter in a fresh process image. */
typedef struct bad_case {
	char name[32];
	char text[128];
	char msg[200]; /* after "path:" */
	size_t len;    /* bytes of text when it holds a NUL, else 0 */
} bad_case;

static bad_case ihex_bad[] = {
	{ "bad checksum", ":0100000055AB\n:00000001FF\n", "1: bad checksum: expected 0xAA, found 0xAB" },
	{ "non-hex char", ":01000000G5AA\n:00000001FF\n", "1: non-hex character 'G' at column 10" },
	{ "NUL byte", ":01\0", "1: non-hex character 0x00 at column 4", 4 },
	{ "odd digits", ":0100000055A\n:00000001FF\n", "1: odd number of hex digits (11)" },
	{ "short record", ":0000\n", "1: truncated record: 2 bytes, a record has at least 5" },
	{ "count beyond data", ":0200000055A9\n", "1: truncated record: byte count says 2 data bytes, only 1 present" },
	{ "data beyond count", ":01000000555566\n",
	  "1: record length mismatch: byte count says 1 data bytes, record holds 2" },
	{ "type 04 length", ":03000004080000F1\n",
	  "1: record length mismatch: type 04 record needs 2 data bytes, has 3" },
	{ "type 01 length", ":0100000055AA\n:0100000100FE\n",
	  "2: record length mismatch: type 01 record needs 0 data bytes, has 1" },
	{ "unknown type", ":0100000055AA\n:00000006FA\n", "2: unknown record type 06" },
	{ "missing EOF", ":0100000055AA\n:0100010055A9\n", "2: missing EOF record (type 01)" },
	{ "data after EOF", ":0100000055AA\n:00000001FF\n\n:0100010055A9\n",
	  "4: data after EOF record (EOF at line 2)" },
	{ "no colon", ":0100000055AA\n0100010055A9\n", "2: expected ':' at start of record" },
	{ "only EOF", ":00000001FF\n", "1: no data records before EOF" },
	{ "empty file", "", "1: empty file" },
	{ "overlap", ":0200000055AAFF\n:0100010055A9\n:00000001FF\n",
	  "2: overlapping data at 0x00000001: 0x00000001..0x00000001 overlaps 0x00000000..0x00000001 loaded earlier" },
	{ "overflow", ":02000004FFFFFC\n:02FFFF00555556\n:00000001FF\n",
	  "2: address overflow: 2 bytes at 0xFFFFFFFF pass the end of the 4 GiB address space" },
};

ParameterizedTestParameters(image_ihex, malformed_file_is_refused_with_line_and_reason)
{
	return cr_make_param_array(bad_case, ihex_bad, sizeof(ihex_bad) / sizeof(ihex_bad[0]));
}

ParameterizedTest(bad_case *c, image_ihex, malformed_file_is_refused_with_line_and_reason)
{
	const char *path = itu_write("bad.hex", c->text, c->len ? c->len : strlen(c->text));
	char want[GANG_DIAG_LEN];

	snprintf(want, sizeof(want), "%s:%s", path, c->msg);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_AUTO, 0, GANG_EIMAGE), want, "case %s", c->name);
}

Test(image_ihex, explicit_format_overrides_the_extension)
{
	const char *path = itu_write_text("firmware.bin", ":0100000055AA\n:00000001FF\n");
	gang_image *img = itu_load_ok(path, GANG_IMAGE_IHEX, 0);

	cr_expect_eq(gang_image_size(img), 1);
	gang_image_free(img);
}
