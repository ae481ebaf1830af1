/*
 * test_plan.c — pure flash planning: pages an image touches, word-aligned
 * program runs with 0xFF padding and gap joining, the host CRC-32/MPEG-2
 * (check value 0x0376E6E7) and its STM32 CRC-unit word order, mode names.
 * References: PM0075 and RM0091 §3 (erase units), RM0008 §4 (CRC unit).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "flash/flash.h"

TestSuite(plan, .timeout = 10);

/* STM32F103RC: 128 pages of 2 KiB; STM32F103C8: 64 pages of 1 KiB (PM0075). */
static const gang_flash_region pl_rc_pages[] = { { 0x08000000U, 2048U, 128U, 0, 0 } };
static const gang_flash_region pl_c8_pages[] = { { 0x08000000U, 1024U, 64U, 0, 0 } };
static const gang_flash_geom pl_rc = { pl_rc_pages, 1, 2, 0xFFU };
static const gang_flash_geom pl_c8 = { pl_c8_pages, 1, 2, 0xFFU };

static gang_image *pl_image(uint32_t addr, size_t len, uint8_t fill)
{
	uint8_t *b = malloc(len);
	gang_image *img = NULL;

	memset(b, fill, len);
	cr_assert_eq(gang_image_from_buffer(&img, addr, b, len), GANG_OK);
	free(b);
	return img;
}

static void pl_add(gang_image *img, uint32_t addr, size_t len, uint8_t fill)
{
	uint8_t *b = malloc(len);

	memset(b, fill, len);
	cr_assert_eq(gang_image_patch(img, addr, b, len, 0, NULL), GANG_OK);
	free(b);
}

Test(plan, pages_cover_exactly_the_pages_an_image_touches)
{
	gang_image *img = pl_image(0x08000FFFU, 2, 0x11);   /* straddles pages 1 and 2 (2 KiB) */
	gang_flash_range *r = NULL;
	size_t n = 0;

	pl_add(img, 0x08003000U, 1, 0x22);                   /* page 6 */
	pl_add(img, 0x08003800U, 0x800, 0x33);               /* page 7, exactly */
	cr_assert_eq(gang_flash_plan_units(&r, &n, img, &pl_rc, NULL), GANG_OK);
	cr_assert_eq(n, 2U);
	cr_assert_eq(r[0].addr, 0x08000800U);
	cr_assert_eq(r[0].len, 0x1000U);
	cr_assert_eq(r[1].addr, 0x08003000U);
	cr_assert_eq(r[1].len, 0x1000U, "pages 6 and 7 merge");
	free(r);
	gang_image_free(img);
}

Test(plan, pages_of_an_image_outside_the_flash_are_refused_with_the_address)
{
	gang_image *img = pl_image(0x0803FFFEU, 4, 0x11);
	gang_flash_range *r = NULL;
	size_t n = 7;
	gang_diag d;

	gang_diag_clear(&d);
	cr_assert_eq(gang_flash_plan_units(&r, &n, img, &pl_rc, &d), GANG_EIMAGE);
	cr_assert_null(r);
	cr_assert_eq(n, 0U);
	cr_assert(strstr(d.msg, "0x08040000") != NULL, "%s", d.msg);
	gang_image_free(img);
}

Test(plan, an_empty_image_needs_no_pages_and_no_runs)
{
	gang_image empty = { NULL, 0, 0, "" };
	gang_flash_range *r = NULL;
	gang_flash_run *runs = NULL;
	size_t n = 9;

	cr_assert_eq(gang_flash_plan_units(&r, &n, &empty, &pl_c8, NULL), GANG_OK);
	cr_assert_eq(n, 0U);
	free(r);
	cr_assert_eq(gang_flash_plan_runs(&runs, &n, &empty, 256U, 0xFFU, 2U), GANG_OK);
	cr_assert_eq(n, 0U);
	gang_flash_runs_free(runs, n);
}

Test(plan, runs_are_word_aligned_and_padded_with_erased_bytes)
{
	gang_image *img = pl_image(0x08000101U, 6, 0x5A);
	gang_flash_run *runs = NULL;
	size_t n = 0;
	const uint8_t want[8] = { 0xFF, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0xFF };

	cr_assert_eq(gang_flash_plan_runs(&runs, &n, img, 0, 0xFFU, 2U), GANG_OK);
	cr_assert_eq(n, 1U);
	cr_assert_eq(runs[0].addr, 0x08000100U);
	cr_assert_eq(runs[0].len, 8U);
	cr_assert_arr_eq(runs[0].data, want, 8);
	gang_flash_runs_free(runs, n);
	gang_image_free(img);
}

/* RM0377 §3.3.4: L0/L1 flash erases to 0x00, so padding and joined gaps are 0x00 there, never 0xFF. */
Test(plan, l0_runs_are_padded_and_joined_with_zeros)
{
	gang_image *img = pl_image(0x08000101U, 6, 0x5A);
	gang_flash_run *runs = NULL;
	size_t n = 0;
	const uint8_t want[8] = { 0x00, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x00 };

	pl_add(img, 0x08000120U, 4, 0x07);
	cr_assert_eq(gang_flash_plan_runs(&runs, &n, img, 64U, 0x00U, 4U), GANG_OK);
	cr_assert_eq(n, 1U);
	cr_assert_eq(runs[0].addr, 0x08000100U);
	cr_assert_eq(runs[0].len, 0x24U);
	cr_assert_arr_eq(runs[0].data, want, 8);
	for (uint32_t i = 8; i < 0x20U; i++)
		cr_assert_eq(runs[0].data[i], 0x00, "gap byte %u", i);
	cr_assert_eq(runs[0].data[0x20], 0x07);
	gang_flash_runs_free(runs, n);
	gang_image_free(img);
}

Test(plan, small_gaps_join_runs_and_big_gaps_split_them)
{
	gang_image *img = pl_image(0x08000000U, 16, 0x01);
	gang_flash_run *runs = NULL;
	size_t n = 0;

	pl_add(img, 0x08000020U, 4, 0x02);    /* 16-byte gap */
	pl_add(img, 0x08001000U, 4, 0x03);    /* far away */
	cr_assert_eq(gang_flash_plan_runs(&runs, &n, img, 64U, 0xFFU, 2U), GANG_OK);
	cr_assert_eq(n, 2U);
	cr_assert_eq(runs[0].addr, 0x08000000U);
	cr_assert_eq(runs[0].len, 0x24U);
	cr_assert_eq(runs[0].data[0x10], 0xFF, "gap filled with the erased value");
	cr_assert_eq(runs[0].data[0x20], 0x02);
	cr_assert_eq(runs[1].addr, 0x08001000U);
	gang_flash_runs_free(runs, n);
	cr_assert_eq(gang_flash_plan_runs(&runs, &n, img, 0, 0xFFU, 2U), GANG_OK);
	cr_assert_eq(n, 3U);
	gang_flash_runs_free(runs, n);
	gang_image_free(img);
}

/*
 * The double-word controller programs 8 bytes at once and a double word
 * only once (RM0351 §3.3.7: PROGERR, ECC): a serial number sharing a double
 * word with image bytes must land in the same run, and every run covers
 * whole double words.
 */
Test(plan, a_serial_sharing_a_double_word_with_the_image_is_one_run)
{
	gang_image *img = pl_image(0x08000000U, 3, 0x01);
	gang_flash_run *runs = NULL;
	size_t n = 0;
	const uint8_t want[8] = { 0x01, 0x01, 0x01, 0xFF, 0xFF, 0x02, 0x02, 0xFF };

	pl_add(img, 0x08000005U, 2, 0x02);    /* the serial, in the image's first double word */
	pl_add(img, 0x0800010CU, 4, 0x03);    /* a data word in the second half of a double word */
	cr_assert_eq(gang_flash_plan_runs(&runs, &n, img, 0, 0xFFU, 8U), GANG_OK);
	cr_assert_eq(n, 2U);
	cr_assert_eq(runs[0].addr, 0x08000000U);
	cr_assert_eq(runs[0].len, 8U);
	cr_assert_arr_eq(runs[0].data, want, 8);
	cr_assert_eq(runs[1].addr, 0x08000108U);
	cr_assert_eq(runs[1].len, 8U);
	cr_assert_eq(runs[1].data[3], 0xFF);
	cr_assert_eq(runs[1].data[4], 0x03);
	gang_flash_runs_free(runs, n);
	/* the same image in words: the word after the serial's is a run of its own */
	cr_assert_eq(gang_flash_plan_runs(&runs, &n, img, 0, 0xFFU, 4U), GANG_OK);
	cr_assert_eq(n, 2U);
	cr_assert_eq(runs[1].addr, 0x0800010CU);
	cr_assert_eq(runs[1].len, 4U);
	gang_flash_runs_free(runs, n);
	gang_image_free(img);
}

Test(plan, double_word_runs_never_share_a_double_word)
{
	gang_image *img = pl_image(0x08000001U, 1, 0x11);
	gang_flash_run *runs = NULL;
	size_t n = 0;

	for (uint32_t a = 0x08000013U; a < 0x08000400U; a += 37U)
		pl_add(img, a, 3, (uint8_t)a);
	cr_assert_eq(gang_flash_plan_runs(&runs, &n, img, 0, 0xFFU, 8U), GANG_OK);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(runs[i].addr % 8U, 0U, "run %zu at 0x%08X", i, (unsigned)runs[i].addr);
		cr_assert_eq(runs[i].len % 8U, 0U, "run %zu of %u bytes", i, (unsigned)runs[i].len);
		cr_assert(i == 0 || runs[i].addr >= runs[i - 1].addr + runs[i - 1].len, "runs %zu and %zu overlap",
			  i - 1, i);
	}
	for (uint32_t a = 0x08000013U; a < 0x08000400U; a += 37U) {
		size_t i = 0;

		while (i < n && !(a >= runs[i].addr && a < runs[i].addr + runs[i].len))
			i++;
		cr_assert_lt(i, n, "0x%08X is in no run", (unsigned)a);
		cr_assert_eq(runs[i].data[a - runs[i].addr], (uint8_t)a);
	}
	gang_flash_runs_free(runs, n);
	gang_image_free(img);
}

Test(plan, crc32_mpeg2_check_value)
{
	cr_assert_eq(gang_crc32_mpeg2(0xFFFFFFFFU, (const uint8_t *)"123456789", 9), 0x0376E6E7U);
	cr_assert_eq(gang_crc32_mpeg2(0xFFFFFFFFU, NULL, 0), 0xFFFFFFFFU);
}

/* The CRC unit: crc ^= word, 32 shifts MSB first (RM0008 §4 behaviour). */
static uint32_t pl_unit(uint32_t crc, uint32_t word)
{
	crc ^= word;
	for (int i = 0; i < 32; i++)
		crc = (crc & 0x80000000U) ? (crc << 1) ^ 0x04C11DB7U : crc << 1;
	return crc;
}

Test(plan, stm32_crc_feeds_little_endian_words_and_pads_with_ff)
{
	const uint8_t mem[7] = { 0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC };
	uint32_t want = pl_unit(pl_unit(0xFFFFFFFFU, 0x76543210U), 0xFFDCBA98U);

	cr_assert_eq(gang_crc32_stm32(mem, 7), want);
	cr_assert_eq(gang_crc32_stm32(mem, 4), pl_unit(0xFFFFFFFFU, 0x76543210U));
	cr_assert_neq(gang_crc32_stm32(mem, 4), gang_crc32_mpeg2(0xFFFFFFFFU, mem, 4),
		      "byte order matters");
}

/* The byte table against the bit-serial unit: 1000 pseudo-random bytes, every length up to them (tails of 1-3 bytes). */
Test(plan, stm32_crc_matches_the_bit_serial_unit_at_every_length)
{
	uint8_t mem[1000];
	uint32_t seed = 12345U;

	for (size_t i = 0; i < sizeof(mem); i++) {
		seed = seed * 1103515245U + 12345U;
		mem[i] = (uint8_t)(seed >> 16);
	}
	for (size_t len = 0; len <= sizeof(mem); len++) {
		uint32_t want = 0xFFFFFFFFU;

		for (size_t i = 0; i < len; i += 4) {
			uint32_t w = 0;

			for (unsigned k = 0; k < 4; k++)
				w |= (uint32_t)(i + k < len ? mem[i + k] : 0xFFU) << (8 * k);
			want = pl_unit(want, w);
		}
		cr_assert_eq(gang_crc32_stm32(mem, len), want, "length %zu", len);
	}
}

Test(plan, mode_names_round_trip_and_unknown_names_fail)
{
	cr_assert_eq(gang_erase_mode_parse("mass"), GANG_ERASE_MASS);
	cr_assert_eq(gang_erase_mode_parse("PAGES"), GANG_ERASE_PAGES);
	cr_assert_eq(gang_erase_mode_parse("none"), GANG_ERASE_NONE);
	cr_assert_eq(gang_erase_mode_parse("chip"), -1);
	cr_assert_eq(gang_verify_mode_parse("readback"), GANG_VERIFY_READBACK);
	cr_assert_eq(gang_verify_mode_parse("crc"), GANG_VERIFY_CRC);
	cr_assert_eq(gang_verify_mode_parse("md5"), -1);
	cr_assert_str_eq(gang_erase_mode_name(GANG_ERASE_MASS), "mass");
	cr_assert_str_eq(gang_verify_mode_name(GANG_VERIFY_NONE), "none");
	cr_assert_str_eq(gang_verify_mode_name((gang_verify_mode)7), "?");
}
