/*
 * test_bench_l0.c — the L0/L1 driver (flash/pecr_l0.c) against the
 * virtual bench's PECR controller: erase, half-page program and CRC/
 * read-back verify on every L0/L1 bench part (the L011's 2 KiB of SRAM
 * through the batch path), unaligned data widened to half pages with the
 * erased value 0x00 around it, data EEPROM writes, option words by name
 * with OBL_LAUNCH, write protection in every WRP word (L073 WRPROT2, L152RE
 * WRP4) and L0 PCROP, each checked against the board's own state file
 * (STATE/<UID>/flash.bin) or its option words.
 * References: RM0377 §3.3 (L0: 128-byte pages, 16-word half pages, data
 * EEPROM, option words, OBL_LAUNCH), RM0038 §3 (L1: 256-byte pages,
 * 32-word half pages), DS10152 (L053: 2 KiB EEPROM).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flash/flash.h"
#include "flash/geom.h"
#include "flash/ob.h"
#include "flash/pecr_l0.h"
#include "bench_session.h"
#include "stlink/stlink.h"
#include "target/target.h"

static bench_session L;

static void l0_fini(void)
{
	bench_session_close(&L);
}

TestSuite(flash_l0, .fini = l0_fini, .timeout = 120);

static void l0_up(const char *bench)
{
	bench_session_open(&L, bench, "flash-l0");
	cr_assert_eq(bench_session_attach(&L, GANG_CONNECT_AUTO, NULL), GANG_OK, "%s", L.d.msg);
}

static const char *l0_msg(void)
{
	return gang_stlink_diag(L.sl)->msg;
}

/* A file of the board's state directory, as the bench stores it. */
static uint8_t *l0_board_file(size_t *len_out, const char *name)
{
	char path[256];
	FILE *fp;
	uint8_t *buf = malloc(1024 * 1024);

	snprintf(path, sizeof(path), "%s/%s/%s", L.state, gang_target_info_get(L.t)->uid, name);
	fp = fopen(path, "rb");
	cr_assert_not_null(fp, "bench state %s missing", path);
	*len_out = fread(buf, 1, 1024 * 1024, fp);
	fclose(fp);
	return buf;
}

/* Pseudo-random bytes without 0x00, so every half page is really programmed. */
static gang_image *l0_image(uint32_t addr, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);
	gang_image *img = NULL;

	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245U + 12345U;
		b[i] = (uint8_t)(1U + (seed >> 16) % 255U);
	}
	cr_assert_eq(gang_image_from_buffer(&img, addr, b, len), GANG_OK);
	free(b);
	return img;
}

static void l0_program(const gang_image *img, gang_erase_mode em)
{
	gang_program_opts o = { em, false, NULL, NULL };

	cr_assert_eq(gang_flash_program_image(L.t, img, &o), GANG_OK, "%s", l0_msg());
}

/* Program len bytes at the base, verify both ways, and find exactly them (then 0x00) in the board's flash. */
static void l0_round_trip(const char *bench, const char *part, size_t len, size_t flash_bytes)
{
	gang_image *img = l0_image(0x08000000U, len, 7);
	size_t n = 0;
	uint8_t *fl;

	l0_up(bench);
	cr_assert_str_eq(gang_target_part(L.t)->name, part);
	l0_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(L.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s: %s", part, l0_msg());
	cr_assert_eq(gang_flash_verify(L.t, img, GANG_VERIFY_READBACK, NULL, NULL), GANG_OK, "%s: %s", part,
		     l0_msg());
	fl = l0_board_file(&n, "flash.bin");
	cr_assert_geq(n, len, "%s", part);
	cr_assert_leq(n, flash_bytes, "%s", part);
	cr_assert_arr_eq(fl, img->seg[0].data, len, "%s", part);
	for (size_t i = len; i < n; i++)
		cr_assert_eq(fl[i], 0x00, "%s: byte at offset %zu is 0x%02X after the image", part, i, fl[i]);
	free(fl);
	gang_image_free(img);
}

/* One part per test: each opens its own bench (the L011 through the batch path: 2 KiB of SRAM). */
Test(flash_l0, l011k4_erases_programs_and_verifies_through_sram_batches)
{
	l0_round_trip("flash-l011k4.cfg", "STM32L011K4", 16U * 1024U, 16U * 1024U);
}

Test(flash_l0, l053r8_erases_programs_and_verifies)
{
	l0_round_trip("flash-l053r8.cfg", "STM32L053R8", 20000U, 64U * 1024U);
}

Test(flash_l0, l073rz_erases_programs_and_verifies)
{
	l0_round_trip("flash-l073rz.cfg", "STM32L073RZ", 20000U, 192U * 1024U);
}

Test(flash_l0, l152re_erases_programs_and_verifies_with_32_word_half_pages)
{
	l0_round_trip("flash-l152re.cfg", "STM32L152RE", 20000U, 512U * 1024U);
}

Test(flash_l0, unaligned_data_is_widened_to_half_pages_of_zeros)
{
	gang_image *img = l0_image(0x08000123U, 77, 3), *b = l0_image(0x080001F0U, 5, 4);
	size_t n = 0;
	uint8_t *fl;

	cr_assert_eq(gang_image_patch(img, 0x080001F0U, b->seg[0].data, 5, 0, NULL), GANG_OK);
	l0_up("flash-l053r8.cfg");
	l0_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(L.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", l0_msg());
	fl = l0_board_file(&n, "flash.bin");
	cr_assert_arr_eq(fl + 0x123, img->seg[0].data, 77);
	cr_assert_arr_eq(fl + 0x1F0, b->seg[0].data, 5);
	for (uint32_t a = 0x100; a < 0x240; a++)
		if (!((a >= 0x123 && a < 0x123 + 77) || (a >= 0x1F0 && a < 0x1F5)))
			cr_assert_eq(fl[a], 0x00, "byte 0x%X around the data is 0x%02X", a, fl[a]);
	cr_assert_eq(gang_flash_blank_check(L.t, 0x08000200U, 0x1000U), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_flash_blank_check(L.t, 0x08000100U, 0x100U), GANG_EFLASH);
	free(fl);
	gang_image_free(img);
	gang_image_free(b);
}

Test(flash_l0, page_erase_keeps_other_pages_and_mass_erase_clears_them)
{
	gang_image *a = l0_image(0x08000000U, 256, 5), *b = l0_image(0x08000400U, 128, 6);
	size_t n = 0;
	uint8_t *fl;

	l0_up("flash-l053r8.cfg");
	l0_program(a, GANG_ERASE_PAGES);
	l0_program(b, GANG_ERASE_PAGES);
	fl = l0_board_file(&n, "flash.bin");
	cr_assert_arr_eq(fl, a->seg[0].data, 256, "page erase of 0x08000400 kept the first pages");
	cr_assert_arr_eq(fl + 0x400, b->seg[0].data, 128);
	free(fl);
	cr_assert_eq(gang_flash_erase_mass(L.t), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_flash_blank_check(L.t, 0x08000000U, 64U * 1024U), GANG_OK, "%s", l0_msg());
	gang_image_free(a);
	gang_image_free(b);
}

static double l0_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The operator's stop for the next test: asked from l0_stop_at (wall seconds) on; 0: never. */
static double l0_stop_at;

static bool l0_should_stop(void *user)
{
	(void)user;
	return l0_stop_at > 0 && l0_wall_s() >= l0_stop_at;
}

/*
 * 64 KiB of L053 pages are one run of the on-target erase loop (1.6 s): a
 * stop 0.4 s into it is heard while the loop runs, the page in progress is
 * waited out, and the step ends with the pages before the named address
 * erased and those after it untouched; the board programs whole afterwards.
 */
Test(flash_l0, a_stop_inside_the_page_erase_loop_ends_it_between_two_pages)
{
	gang_connect_opts o = { GANG_CONNECT_AUTO, 0, NULL, l0_should_stop, NULL };
	gang_image *img = l0_image(0x08000000U, 64U * 1024U, 9);
	uint32_t at = 0, sr = 0, off;
	double heard;
	size_t n = 0;
	uint8_t *fl;
	int err;

	bench_session_open(&L, "flash-l053r8.cfg", "flash-l0");
	cr_assert_eq(gang_target_attach(&L.t, L.sl, &o), GANG_OK, "%s", L.d.msg);
	l0_program(img, GANG_ERASE_PAGES);
	l0_stop_at = l0_wall_s() + 0.4;
	err = gang_flash_erase_range(L.t, 0x08000000U, 64U * 1024U);
	heard = l0_wall_s() - l0_stop_at;
	l0_stop_at = 0;
	cr_assert_eq(err, GANG_ECANCELLED, "%s", l0_msg());
	cr_assert_eq(sscanf(l0_msg(), "stopped by the operator during erase at 0x%08X", &at), 1, "%s", l0_msg());
	cr_assert(at > 0x08000000U && at < 0x08010000U && at % 128U == 0, "stopped at 0x%08X", at);
	cr_expect_lt(heard, 0.5, "the erase went on %.2f s after the stop", heard);
	cr_assert_eq(gang_stlink_read32(&sr, L.sl, 0x40022000U + L0_FLASH_SR), GANG_OK);
	cr_assert_eq(sr & L0_SR_BSY, 0, "FLASH_SR=0x%08X after the stop", sr);

	fl = l0_board_file(&n, "flash.bin");
	off = at - 0x08000000U;
	cr_assert_geq(n, 64U * 1024U);
	for (uint32_t i = 0; i < off; i++)
		cr_assert_eq(fl[i], 0x00, "byte 0x%X below the stop at 0x%08X not erased", i, at);
	cr_assert_arr_eq(fl + off + 128U, img->seg[0].data + off + 128U, 64U * 1024U - off - 128U,
			 "pages past the stop at 0x%08X were erased", at);
	free(fl);

	l0_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(L.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", l0_msg());
	gang_image_free(img);
}

Test(flash_l0, data_eeprom_is_written_word_by_word_and_read_back)
{
	gang_image *img = l0_image(0x08000000U, 1000, 8), *ee = l0_image(0x08080002U, 37, 9);
	uint8_t back[48];

	cr_assert_eq(gang_image_patch(img, 0x08080002U, ee->seg[0].data, 37, 0, NULL), GANG_OK);
	l0_up("flash-l053r8.cfg");
	l0_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(L.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_flash_verify(L.t, img, GANG_VERIFY_READBACK, NULL, NULL), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_stlink_read_mem(back, L.sl, 0x08080000U, sizeof(back)), GANG_OK);
	cr_assert_eq(back[0], 0x00);
	cr_assert_eq(back[1], 0x00);
	cr_assert_arr_eq(back + 2, ee->seg[0].data, 37);
	cr_assert_eq(back[39], 0x00);
	/* the same bytes again: nothing to write, still verified */
	l0_program(img, GANG_ERASE_PAGES);
	gang_image_free(img);
	gang_image_free(ee);
}

Test(flash_l0, data_beyond_the_eeprom_is_refused_naming_its_range)
{
	gang_image *img = l0_image(0x080807F0U, 32, 10);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };

	l0_up("flash-l053r8.cfg");
	cr_assert_eq(gang_flash_program_image(L.t, img, &o), GANG_EIMAGE, "%s", l0_msg());
	cr_assert_not_null(strstr(l0_msg(), "0x08080000..0x080807FF"), "%s", l0_msg());
	gang_image_free(img);
}

static void l0_ob_set(const char *name, int64_t v, bool *changed)
{
	gang_ob_want w;
	gang_ob_write_opts o = { false, NULL };

	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, gang_target_part(L.t)->family, name, v, NULL), GANG_OK);
	cr_assert_eq(gang_ob_write(changed, L.t, &w, &o), GANG_OK, "%s", l0_msg());
}

Test(flash_l0, option_words_round_trip_through_obl_launch_and_an_equal_write_is_skipped)
{
	const gang_family *f;
	gang_ob ob;
	bool changed = false;

	l0_up("flash-l053r8.cfg");
	f = gang_target_part(L.t)->family;
	l0_ob_set("BOR_LEV", 9, &changed);
	cr_assert(changed);
	l0_ob_set("nRST_STOP", 0, &changed);
	cr_assert(changed);
	cr_assert_eq(gang_ob_read(&ob, L.t), GANG_OK, "%s", l0_msg());
	cr_assert(!ob.opterr);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "BOR_LEV")), 9);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "nRST_STOP")), 0);
	cr_assert_eq(ob.rdp_level, 0);
	l0_ob_set("BOR_LEV", 9, &changed);
	cr_assert(!changed, "an equal write touches nothing");
	cr_assert_eq(gang_target_info_get(L.t)->rdp_level, 0);
	/* the chip still programs after the reload */
	gang_image *img = l0_image(0x08000000U, 512, 11);
	l0_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(L.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", l0_msg());
	gang_image_free(img);
}

Test(flash_l0, a_write_protected_sector_is_refused_with_its_address)
{
	gang_image *img = l0_image(0x08001100U, 64, 12);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };
	bool changed = false;

	l0_up("flash-l053r8.cfg");
	l0_ob_set("WRP", 0xFFFFFFFDU, &changed);   /* sector 1: 0x08001000-0x08001FFF */
	cr_assert(changed);
	cr_assert_eq(gang_flash_program_image(L.t, img, &o), GANG_EWRITE_PROTECTED, "%s", l0_msg());
	cr_assert_not_null(strstr(l0_msg(), "page at 0x08001100 is write-protected"), "%s", l0_msg());
	l0_ob_set("WRP", 0xFFFFFFFFU, &changed);
	l0_program(img, GANG_ERASE_PAGES);
	gang_image_free(img);
}

Test(flash_l0, rdp1_blocks_reads_and_regression_erases_flash_and_eeprom_when_allowed)
{
	gang_image *img = l0_image(0x08000000U, 256, 13), *ee = l0_image(0x08080000U, 16, 14);
	gang_program_opts o = { GANG_ERASE_PAGES, true, NULL, NULL };
	gang_ob_want w;
	gang_ob_write_opts oo = { false, NULL };
	uint8_t back[16];

	cr_assert_eq(gang_image_patch(img, 0x08080000U, ee->seg[0].data, 16, 0, NULL), GANG_OK);
	l0_up("flash-l053r8.cfg");
	l0_program(img, GANG_ERASE_PAGES);
	gang_ob_want_init(&w);
	w.rdp_level = 1;
	cr_assert_eq(gang_ob_write(NULL, L.t, &w, &oo), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_target_info_get(L.t)->rdp_level, 1);
	cr_assert_eq(gang_flash_read(back, L.t, 0x08000000U, 16), GANG_EREAD_PROTECTED);
	gang_image_free(img);
	img = l0_image(0x08000000U, 128, 15);
	cr_assert_eq(gang_flash_program_image(L.t, img, &o), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_target_info_get(L.t)->rdp_level, 0);
	cr_assert_eq(gang_stlink_read_mem(back, L.sl, 0x08080000U, 16), GANG_OK);
	for (int i = 0; i < 16; i++)
		cr_assert_eq(back[i], 0x00, "EEPROM byte %d survived the regression", i);
	cr_assert_eq(gang_flash_verify(L.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", l0_msg());
	gang_image_free(img);
	gang_image_free(ee);
}

/* ---- every WRP word, and L0 PCROP (RM0377 §3.4.1, RM0038 §3.8.1, RM0367 §3.4.4) ---------- */

/* Write-protect the sector holding addr (and nothing else) through the family's WRP words. */
static void l0_protect_sector_of(uint32_t addr)
{
	const gang_part *p = gang_target_part(L.t);
	gang_ob_wrp_bits b;
	gang_ob_want w;
	gang_ob_write_opts o = { false, NULL };
	bool changed = false;

	gang_ob_wrp_none(&b, p->family);
	gang_ob_wrp_protect(&b, (addr - 0x08000000U) / gang_geom_uniform_unit(&p->geom), p);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_wrp(&w, &b, p->family, NULL), GANG_OK);
	cr_assert_eq(gang_ob_write(&changed, L.t, &w, &o), GANG_OK, "%s", l0_msg());
	cr_assert(changed);
}

static void l0_expect_refused_at(uint32_t addr, const char *says)
{
	gang_image *img = l0_image(addr, 64, 16);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };

	cr_assert_eq(gang_flash_program_image(L.t, img, &o), GANG_EWRITE_PROTECTED, "%s", l0_msg());
	cr_assert_not_null(strstr(l0_msg(), says), "%s", l0_msg());
	gang_image_free(img);
}

Test(flash_l0, l073_sector_40_is_protected_through_wrprot2)
{
	gang_image *img = l0_image(0x08027000U, 64, 17);

	l0_up("flash-l073rz.cfg");
	l0_protect_sector_of(0x08028000U);
	l0_expect_refused_at(0x08028000U, "page at 0x08028000 is write-protected");
	cr_assert_not_null(strstr(l0_msg(), "word 2"), "%s", l0_msg());
	l0_program(img, GANG_ERASE_PAGES);   /* sector 39 stays writable */
	gang_image_free(img);
}

Test(flash_l0, l152re_sector_127_is_protected_through_wrp4_at_0x1ff80084)
{
	uint32_t w = 0;

	l0_up("flash-l152re.cfg");
	l0_protect_sector_of(0x0807F000U);
	cr_assert_eq(gang_stlink_read_mem((uint8_t *)&w, L.sl, 0x1FF80084U, 4), GANG_OK);
	cr_assert_eq(w, 0x7FFF8000U, "WRP4 high half-word: bit 15 = sector 127");
	l0_expect_refused_at(0x0807FF00U, "page at 0x0807FF00 is write-protected");
	cr_assert_not_null(strstr(l0_msg(), "word 4"), "%s", l0_msg());
}

static int l0_ob_try(const char *const *names, const int64_t *vals, size_t n, const gang_ob_write_opts *o)
{
	const gang_family *f = gang_target_part(L.t)->family;
	gang_ob_want w;

	gang_ob_want_init(&w);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(gang_ob_want_set(&w, f, names[i], vals[i], NULL), GANG_OK, "%s", names[i]);
	return gang_ob_write(NULL, L.t, &w, o);
}

Test(flash_l0, pcrop_is_confirmed_shown_by_name_and_lifted_only_by_the_regression)
{
	static const char *const on[] = { "WPRMOD", "PCROP" };
	static const int64_t onv[] = { 1, 0x4 };
	static const char *const off[] = { "WPRMOD", "PCROP" };
	static const int64_t offv[] = { 0, 0 };
	static const char *const lvl1[] = { "RDP" };
	static const int64_t lvl1v[] = { 1 };
	gang_ob_write_opts plain = { false, NULL }, sure = { false, GANG_OB_LEVEL2_CONFIRM };
	const gang_family *f;
	gang_ob ob;
	uint8_t back[16];

	l0_up("flash-l053r8.cfg");
	f = gang_target_part(L.t)->family;
	cr_assert_eq(l0_ob_try(on, onv, 2, &plain), GANG_ELOCKED_FOREVER, "%s", l0_msg());
	cr_assert_eq(gang_ob_read(&ob, L.t), GANG_OK);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "WPRMOD")), 0, "nothing written");
	cr_assert_eq(l0_ob_try(on, onv, 2, &sure), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_ob_read(&ob, L.t), GANG_OK);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "PCROP")), 0x4);
	cr_assert_eq(ob.wrp, 0xFFFFFFFFU, "PCROP is not write protection");
	cr_assert_eq(gang_stlink_read_mem(back, L.sl, 0x08002000U, 16), GANG_ETARGET_FAULT,
		     "sector 2 is read-protected from the debugger");
	cr_assert_eq(gang_stlink_read_mem(back, L.sl, 0x08001000U, 16), GANG_OK);
	l0_expect_refused_at(0x08002080U, "sector 2 at 0x08002080 is PCROP read-protected (WPRMOD = 1)");
	cr_assert_eq(l0_ob_try(off, offv, 2, &plain), GANG_EREAD_PROTECTED, "%s", l0_msg());
	cr_assert_not_null(strstr(l0_msg(), "set rdp = 1 first"), "%s", l0_msg());
	cr_assert_eq(l0_ob_try(lvl1, lvl1v, 1, &plain), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_flash_unprotect(L.t), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_ob_read(&ob, L.t), GANG_OK);
	cr_assert_eq(ob.rdp_level, 0);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "WPRMOD")), 0);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "PCROP")), 0);
	cr_assert_eq(ob.wrp, 0xFFFFFFFFU, "WRPROT rewritten to zeros: nothing write-protected");
	cr_assert_eq(gang_stlink_read_mem(back, L.sl, 0x08002000U, 16), GANG_OK);
}

Test(flash_l0, the_regression_that_lifts_pcrop_goes_first_so_new_wrp_bits_can_follow)
{
	static const char *const on[] = { "WPRMOD", "PCROP", "RDP" };
	static const int64_t onv[] = { 1, 0x4, 1 };
	static const char *const swap[] = { "RDP", "WPRMOD", "PCROP", "WRP" };
	static const int64_t swapv[] = { 0, 0, 0, 0xFFFFFFFBU };   /* the PCROP sector 2, now write-protected */
	gang_ob_write_opts sure = { false, GANG_OB_LEVEL2_CONFIRM }, allow = { true, NULL };
	gang_ob ob;

	l0_up("flash-l053r8.cfg");
	cr_assert_eq(l0_ob_try(on, onv, 3, &sure), GANG_OK, "%s", l0_msg());
	/* silicon refuses a PCROP bit back to 1 before the regression: RDP must be programmed first */
	cr_assert_eq(l0_ob_try(swap, swapv, 4, &allow), GANG_OK, "%s", l0_msg());
	cr_assert_eq(gang_ob_read(&ob, L.t), GANG_OK);
	cr_assert_eq(ob.rdp_level, 0);
	cr_assert_eq(ob.wrp, 0xFFFFFFFBU);
	l0_expect_refused_at(0x08002000U, "page at 0x08002000 is write-protected");
}
