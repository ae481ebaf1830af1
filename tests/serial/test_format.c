/*
 * test_format.c — serial-number encodings against known byte vectors:
 * u32le/u32be/u64le, packed BCD, ASCII templates with date codes at a fixed
 * instant (TZ=UTC), the complement and CRC-16/CCITT-FALSE guards (check
 * value 0x29B1 over "123456789"), and every refusal with its message.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serial/serial_format.h"

static void fmt_setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

TestSuite(serial_format, .init = fmt_setup, .timeout = 10);

/* 2026-11-25 12:00 UTC, a Wednesday in ISO week 48 of 2026. */
static time_t fmt_when(int y, int mo, int d)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = 12 };

	return timegm(&tm);
}

static gang_serial_fmt fmt_make(gang_serial_kind kind, gang_serial_guard guard, uint32_t length,
				const char *tmpl)
{
	gang_serial_fmt f = { .kind = kind, .guard = guard, .length = length };

	if (tmpl)
		strcpy(f.tmpl, tmpl);
	return f;
}

static void expect_bytes(const gang_serial_fmt *f, uint64_t v, time_t when, const uint8_t *want,
			 size_t n)
{
	uint8_t buf[GANG_SERIAL_BYTES_MAX];
	size_t len = 0;
	gang_diag d = { 0 };

	cr_assert_eq(gang_serial_encode(buf, &len, sizeof(buf), f, v, when, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(len, n, "length %zu, want %zu", len, n);
	cr_assert_eq(gang_serial_fmt_len(f), n);
	cr_assert_arr_eq(buf, want, n);
}

static void expect_refused(const gang_serial_fmt *f, uint64_t v, int code, const char *msg)
{
	uint8_t buf[GANG_SERIAL_BYTES_MAX];
	size_t len = 0;
	gang_diag d = { 0 };

	cr_assert_eq(gang_serial_encode(buf, &len, sizeof(buf), f, v, fmt_when(2026, 11, 25), &d), code);
	cr_assert_str_eq(d.msg, msg);
}

Test(serial_format, u32le_1000_is_e8_03_00_00)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_U32LE, GANG_SERIAL_GUARD_NONE, 0, NULL);

	expect_bytes(&f, 1000, 0, (const uint8_t[]){ 0xe8, 0x03, 0x00, 0x00 }, 4);
}

Test(serial_format, u32be_puts_the_most_significant_byte_first)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_U32BE, GANG_SERIAL_GUARD_NONE, 0, NULL);

	expect_bytes(&f, 0x12345678, 0, (const uint8_t[]){ 0x12, 0x34, 0x56, 0x78 }, 4);
}

Test(serial_format, u64le_writes_eight_bytes_least_significant_first)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_U64LE, GANG_SERIAL_GUARD_NONE, 0, NULL);

	expect_bytes(&f, 0x0102030405060708ULL, 0,
		     (const uint8_t[]){ 8, 7, 6, 5, 4, 3, 2, 1 }, 8);
}

Test(serial_format, u32_formats_refuse_values_above_0xffffffff)
{
	gang_serial_fmt le = fmt_make(GANG_SERIAL_U32LE, GANG_SERIAL_GUARD_NONE, 0, NULL);
	gang_serial_fmt be = fmt_make(GANG_SERIAL_U32BE, GANG_SERIAL_GUARD_NONE, 0, NULL);

	expect_bytes(&le, 0xFFFFFFFFULL, 0, (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff }, 4);
	expect_refused(&le, 0x100000000ULL, GANG_EPROFILE,
		       "serial 4294967296 does not fit u32le (largest 4294967295)");
	expect_refused(&be, 0x100000000ULL, GANG_EPROFILE,
		       "serial 4294967296 does not fit u32be (largest 4294967295)");
}

Test(serial_format, bcd_packs_two_digits_per_byte_most_significant_first)
{
	gang_serial_fmt f4 = fmt_make(GANG_SERIAL_BCD, GANG_SERIAL_GUARD_NONE, 4, NULL);
	gang_serial_fmt f3 = fmt_make(GANG_SERIAL_BCD, GANG_SERIAL_GUARD_NONE, 3, NULL);

	expect_bytes(&f4, 12345678, 0, (const uint8_t[]){ 0x12, 0x34, 0x56, 0x78 }, 4);
	expect_bytes(&f3, 1000, 0, (const uint8_t[]){ 0x00, 0x10, 0x00 }, 3);
	expect_bytes(&f3, 0, 0, (const uint8_t[]){ 0x00, 0x00, 0x00 }, 3);
}

Test(serial_format, bcd_refuses_values_needing_more_than_two_digits_per_byte)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_BCD, GANG_SERIAL_GUARD_NONE, 4, NULL);

	expect_bytes(&f, 99999999, 0, (const uint8_t[]){ 0x99, 0x99, 0x99, 0x99 }, 4);
	expect_refused(&f, 123456789, GANG_EPROFILE, "serial 123456789 has 9 digits; bcd length 4 holds 8");
}

Test(serial_format, ascii_template_renders_date_codes_and_pads_the_field)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 20,
				     "GNG-{yyyy}{ww}-{serial:06}");

	f.pad = 0xFF;
	expect_bytes(&f, 1000, fmt_when(2026, 11, 25),
		     (const uint8_t *)"GNG-202648-001000\xff\xff\xff", 20);
}

Test(serial_format, ascii_default_pad_is_zero)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 6, "S{serial}");

	expect_bytes(&f, 42, 0, (const uint8_t[]){ 'S', '4', '2', 0, 0, 0 }, 6);
}

Test(serial_format, ascii_month_day_and_two_digit_year_codes)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 16,
				     "{yy}{mm}{dd}/{serial:03}");

	expect_bytes(&f, 7, fmt_when(2026, 3, 9), (const uint8_t *)"260309/007\0\0\0\0\0\0", 16);
}

Test(serial_format, iso_week_year_differs_from_calendar_year_on_new_year)
{
	/* 2027-01-01 is a Friday: ISO week 53 of week-year 2026. */
	gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 16,
				     "{yyyy}{ww}{gggg}{gg}{serial}");
	char text[GANG_SERIAL_TEXT_MAX];

	cr_assert_eq(gang_serial_format_text(text, sizeof(text), &f, 1, fmt_when(2027, 1, 1)), GANG_OK);
	cr_expect_str_eq(text, "2027532026261");
}

Test(serial_format, braces_are_escaped_by_doubling)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 8, "{{{serial}}}");

	expect_bytes(&f, 5, 0, (const uint8_t *)"{5}\0\0\0\0\0", 8);
}

Test(serial_format, ascii_refuses_a_value_wider_than_its_field)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 20,
				     "GNG-{serial:04}");

	expect_refused(&f, 12345, GANG_EPROFILE, "serial 12345 is wider than the {serial:04} field (4 digits)");
}

Test(serial_format, ascii_refuses_text_longer_than_length)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 16,
				     "GNG-{yyyy}{ww}-{serial:06}");

	expect_refused(&f, 1000, GANG_EPROFILE,
		       "serial 1000 renders as 'GNG-202648-001000' (17 characters), longer than length 16");
}

Test(serial_format, template_errors_name_the_problem)
{
	static const struct {
		const char *tmpl, *msg;
	} cases[] = {
		{ "SN-{week}{serial}", "unknown field {week} (expected {serial}, {serial:0N}, {yyyy}, {yy}, "
				       "{gggg}, {gg}, {ww}, {mm}, {dd})" },
		{ "SN-{yyyy}", "template 'SN-{yyyy}' must contain {serial} exactly once" },
		{ "{serial}{serial}", "template '{serial}{serial}' must contain {serial} exactly once" },
		{ "SN-{serial", "unterminated '{' (write '{{' for a literal brace)" },
		{ "SN}{serial}", "stray '}' (write '}}' for a literal brace)" },
		{ "{serial:6}", "{serial:6}: width must be zero-padded digits 01-20, e.g. {serial:06}" },
		{ "{serial:021}", "{serial:021}: width must be zero-padded digits 01-20, e.g. {serial:06}" },
		{ "{serial:00}", "{serial:00}: width must be zero-padded digits 01-20, e.g. {serial:06}" },
		{ "SN\t{serial}", "byte 0x09 is not printable ASCII" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 32, cases[i].tmpl);
		gang_diag d = { 0 };

		cr_expect_eq(gang_serial_fmt_check(&f, &d), GANG_EPROFILE, "%s", cases[i].tmpl);
		cr_expect_str_eq(d.msg, cases[i].msg);
		expect_refused(&f, 1, GANG_EPROFILE, cases[i].msg);
	}
}

Test(serial_format, sized_formats_need_length_1_to_64)
{
	gang_serial_fmt bcd = fmt_make(GANG_SERIAL_BCD, GANG_SERIAL_GUARD_NONE, 0, NULL);
	gang_serial_fmt ascii = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 65, "{serial}");
	gang_diag d = { 0 };

	cr_expect_eq(gang_serial_fmt_check(&bcd, &d), GANG_EPROFILE);
	cr_expect_str_eq(d.msg, "length 0 out of range 1-64");
	cr_expect_eq(gang_serial_fmt_check(&ascii, &d), GANG_EPROFILE);
	cr_expect_str_eq(d.msg, "length 65 out of range 1-64");
}

Test(serial_format, complement_guard_follows_the_bytes_with_their_inverse)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_U32LE, GANG_SERIAL_GUARD_COMPLEMENT, 0, NULL);

	expect_bytes(&f, 1000, 0, (const uint8_t[]){ 0xe8, 0x03, 0x00, 0x00, 0x17, 0xfc, 0xff, 0xff }, 8);
}

Test(serial_format, crc16_ccitt_false_check_value_is_0x29b1)
{
	cr_assert_eq(gang_serial_crc16((const uint8_t *)"123456789", 9), 0x29B1);
	cr_assert_eq(gang_serial_crc16(NULL, 0), 0xFFFF);
}

Test(serial_format, crc16_guard_appends_the_crc_little_endian)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_CRC16, 9, "{serial:09}");

	expect_bytes(&f, 123456789, 0, (const uint8_t *)"123456789\xb1\x29", 11);
}

Test(serial_format, fmt_len_counts_the_guard)
{
	gang_serial_fmt a = fmt_make(GANG_SERIAL_U64LE, GANG_SERIAL_GUARD_COMPLEMENT, 0, NULL);
	gang_serial_fmt b = fmt_make(GANG_SERIAL_BCD, GANG_SERIAL_GUARD_CRC16, 5, NULL);
	gang_serial_fmt c = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 12, "{serial}");

	cr_expect_eq(gang_serial_fmt_len(&a), 16);
	cr_expect_eq(gang_serial_fmt_len(&b), 7);
	cr_expect_eq(gang_serial_fmt_len(&c), 12);
}

Test(serial_format, a_too_small_buffer_is_a_caller_bug)
{
	gang_serial_fmt f = fmt_make(GANG_SERIAL_U32LE, GANG_SERIAL_GUARD_CRC16, 0, NULL);
	uint8_t buf[5];
	size_t n = 99;
	gang_diag d = { 0 };

	cr_assert_eq(gang_serial_encode(buf, &n, sizeof(buf), &f, 1, 0, &d), GANG_ERR);
	cr_expect_str_eq(d.msg, "serial encode: 6 bytes needed, buffer has 5");
	cr_expect_eq(n, 99);
}

Test(serial_format, format_text_shows_the_template_or_the_decimal_value)
{
	gang_serial_fmt a = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_CRC16, 20,
				     "GNG-{yyyy}{ww}-{serial:06}");
	gang_serial_fmt u = fmt_make(GANG_SERIAL_U32LE, GANG_SERIAL_GUARD_NONE, 0, NULL);
	char text[GANG_SERIAL_TEXT_MAX];

	cr_assert_eq(gang_serial_format_text(text, sizeof(text), &a, 1000, fmt_when(2026, 11, 25)), GANG_OK);
	cr_expect_str_eq(text, "GNG-202648-001000");
	cr_assert_eq(gang_serial_format_text(text, sizeof(text), &u, 1000, 0), GANG_OK);
	cr_expect_str_eq(text, "1000");
	cr_expect_eq(gang_serial_format_text(text, sizeof(text), &u, 1ULL << 32, 0), GANG_EPROFILE);
	cr_expect_str_eq(text, "");
	cr_expect_eq(gang_serial_format_text(text, 4, &u, 1000, 0), GANG_ERR);
}

Test(serial_format, fits_checks_the_largest_value_of_a_pool)
{
	gang_serial_fmt a = fmt_make(GANG_SERIAL_ASCII, GANG_SERIAL_GUARD_NONE, 16,
				     "GNG-{yyyy}{ww}-{serial}");
	gang_serial_fmt b = fmt_make(GANG_SERIAL_BCD, GANG_SERIAL_GUARD_NONE, 2, NULL);
	gang_diag d = { 0 };

	cr_expect_eq(gang_serial_fmt_fits(&a, 99999, &d), GANG_OK);
	cr_expect_eq(gang_serial_fmt_fits(&a, 100000, &d), GANG_EPROFILE);
	cr_expect_str_eq(d.msg, "serial 100000 makes 'GNG-{yyyy}{ww}-{serial}' 17 characters long, "
				"more than length 16");
	cr_expect_eq(gang_serial_fmt_fits(&b, 9999, &d), GANG_OK);
	cr_expect_eq(gang_serial_fmt_fits(&b, 10000, &d), GANG_EPROFILE);
	cr_expect_str_eq(d.msg, "serial 10000 has 5 digits; bcd length 2 holds 4");
}

Test(serial_format, names_parse_and_unknown_names_are_listed)
{
	gang_serial_kind k;
	gang_serial_guard g;
	gang_diag d = { 0 };

	cr_assert_eq(gang_serial_kind_parse(&k, "u64le", &d), GANG_OK);
	cr_expect_eq(k, GANG_SERIAL_U64LE);
	cr_expect_str_eq(gang_serial_kind_name(GANG_SERIAL_BCD), "bcd");
	cr_expect_eq(gang_serial_kind_parse(&k, "u31le", &d), GANG_EPROFILE);
	cr_expect_str_eq(d.msg, "unknown format 'u31le' (expected u32le, u32be, u64le, bcd, ascii)");
	cr_assert_eq(gang_serial_guard_parse(&g, "crc16", &d), GANG_OK);
	cr_expect_eq(g, GANG_SERIAL_GUARD_CRC16);
	cr_expect_str_eq(gang_serial_guard_name(GANG_SERIAL_GUARD_COMPLEMENT), "complement");
	cr_expect_eq(gang_serial_guard_parse(&g, "crc32", &d), GANG_EPROFILE);
	cr_expect_str_eq(d.msg, "unknown guard 'crc32' (expected none, complement, crc16)");
}
