/*
 * test_bench.c — the flash layer against the virtual bench
 * (build/libgangsim.so stands in for libusb): program + verify round trips
 * checked against the board's own state file (STATE/<UID>/flash.bin), page
 * vs mass erase, skipping of erased half-words, PGERR and write-protection
 * errors with addresses, read protection (refused, or lifted with the
 * chip's mass erase when allowed), stuck bits found by both verify modes,
 * blank check, progress, and the F0/F3 families.
 * References: PM0075 and RM0091 §3 (FPEC, option bytes), DS5792 flash
 * timing table, RM0008 §4 (CRC unit).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flash/flash.h"
#include "flash/ob.h"
#include "bench_multi.h"
#include "bench_session.h"
#include "stlink/stlink.h"
#include "target/target.h"
#include "usb/usb.h"


typedef bench_session fx;

static fx F;

static void fx_fini(void)
{
	bench_session_close(&F);
}

/* Bench and a fresh state directory, then open the probe. */
static void fx_open(const char *bench)
{
	bench_session_open(&F, bench, "flash");
}

static int fx_attach(gang_connect_mode mode, const char *part)
{
	return bench_session_attach(&F, mode, part);
}

static void fx_up(const char *bench)
{
	fx_open(bench);
	cr_assert_eq(fx_attach(GANG_CONNECT_AUTO, NULL), GANG_OK, "%s", F.d.msg);
}

static const char *fx_msg(void)
{
	return gang_stlink_diag(F.sl)->msg;
}

/* The board's flash as the bench stores it, independent of gang. */
static uint8_t *fx_board_flash(size_t *len_out)
{
	char path[256];
	FILE *fp;
	uint8_t *buf = malloc(1024 * 1024);

	snprintf(path, sizeof(path), "%s/%s/flash.bin", F.state, gang_target_info_get(F.t)->uid);
	fp = fopen(path, "rb");
	cr_assert_not_null(fp, "bench state %s missing", path);
	*len_out = fread(buf, 1, 1024 * 1024, fp);
	fclose(fp);
	return buf;
}

static void fx_program(const gang_image *img, gang_erase_mode em)
{
	gang_program_opts o = { em, false, NULL, NULL };

	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_OK, "%s", fx_msg());
}

TestSuite(flash_bench, .fini = fx_fini, .timeout = 60);

Test(flash_bench, program_then_crc_verify_leaves_exactly_the_image_in_flash)
{
	gang_image *img = bench_image(0x08000000U, 10000, 1);
	size_t n;
	uint8_t *fl, back[10000];

	fx_up("flash-f103rc.cfg");
	fx_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(F.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_flash_verify(F.t, img, GANG_VERIFY_READBACK, NULL, NULL), GANG_OK, "%s",
		     fx_msg());
	cr_assert_eq(gang_flash_read(back, F.t, 0x08000000U, sizeof(back)), GANG_OK, "%s", fx_msg());
	cr_assert_arr_eq(back, img->seg[0].data, sizeof(back));
	fl = fx_board_flash(&n);
	cr_assert_eq(n, 256U * 1024U);
	cr_assert_arr_eq(fl, img->seg[0].data, 10000);
	for (size_t i = 10000; i < n; i++)
		cr_assert_eq(fl[i], 0xFF, "byte at offset %zu is 0x%02X after the image", i, fl[i]);
	free(fl);
	gang_image_free(img);
}

Test(flash_bench, unaligned_segments_with_a_gap_are_programmed_and_the_gap_stays_erased)
{
	gang_image *img = bench_image(0x08000801U, 333, 2), *b = bench_image(0x08000A03U, 5, 3);
	size_t n;
	uint8_t *fl;

	cr_assert_eq(gang_image_patch(img, 0x08000A03U, b->seg[0].data, 5, 0, NULL), GANG_OK);
	fx_up("flash-f103rc.cfg");
	fx_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(F.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", fx_msg());
	fl = fx_board_flash(&n);
	cr_assert_eq(fl[0x800], 0xFF);
	cr_assert_arr_eq(fl + 0x801, img->seg[0].data, 333);
	for (uint32_t a = 0x801 + 333; a < 0xA03; a++)
		cr_assert_eq(fl[a], 0xFF, "gap byte 0x%X programmed", a);
	cr_assert_arr_eq(fl + 0xA03, b->seg[0].data, 5);
	cr_assert_eq(fl[0xA08], 0xFF);
	free(fl);
	gang_image_free(img);
	gang_image_free(b);
}

Test(flash_bench, page_erase_keeps_other_pages_and_mass_erase_clears_them)
{
	gang_image *old = bench_image(0x08010000U, 2048, 4), *img = bench_image(0x08000000U, 3000, 5);
	size_t n;
	uint8_t *fl;

	fx_up("flash-f103rc.cfg");
	fx_program(old, GANG_ERASE_PAGES);
	fx_program(img, GANG_ERASE_PAGES);
	fl = fx_board_flash(&n);
	cr_assert_arr_eq(fl + 0x10000, old->seg[0].data, 2048, "page erase touched another page");
	free(fl);
	fx_program(img, GANG_ERASE_MASS);
	fl = fx_board_flash(&n);
	for (uint32_t a = 0x10000; a < 0x10800; a++)
		cr_assert_eq(fl[a], 0xFF, "mass erase left byte 0x%X", a);
	cr_assert_arr_eq(fl, img->seg[0].data, 3000);
	free(fl);
	gang_image_free(old);
	gang_image_free(img);
}

Test(flash_bench, erased_halfwords_are_skipped_so_programming_over_them_needs_no_erase)
{
	gang_image *img = bench_image(0x08002000U, 64, 6);
	uint8_t ff[64];
	gang_image *blank = NULL;
	size_t n;
	uint8_t *fl;

	memset(ff, 0xFF, sizeof(ff));
	cr_assert_eq(gang_image_from_buffer(&blank, 0x08002000U, ff, sizeof(ff)), GANG_OK);
	fx_up("flash-f103rc.cfg");
	fx_program(img, GANG_ERASE_PAGES);
	/* writing 0xFFFF over programmed cells would be a PGERR on the FPEC: it must be skipped */
	fx_program(blank, GANG_ERASE_NONE);
	fl = fx_board_flash(&n);
	cr_assert_arr_eq(fl + 0x2000, img->seg[0].data, 64);
	free(fl);
	gang_image_free(img);
	gang_image_free(blank);
}

Test(flash_bench, programming_over_data_without_erase_is_a_pgerr_naming_the_address)
{
	gang_image *a = bench_image(0x08003000U, 256, 7), *b = bench_image(0x08003000U, 256, 8);
	gang_program_opts o = { GANG_ERASE_NONE, false, NULL, NULL };

	fx_up("flash-f103rc.cfg");
	fx_program(a, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_program_image(F.t, b, &o), GANG_EFLASH);
	cr_assert(strstr(fx_msg(), "PGERR at 0x08003000") != NULL, "%s", fx_msg());
	cr_assert(strstr(fx_msg(), "FLASH_SR=0x") != NULL, "%s", fx_msg());
	cr_assert(gang_stlink_diag(F.sl)->has_addr, "the diagnosis carries the address");
	cr_assert_eq(gang_stlink_diag(F.sl)->addr, 0x08003000U);
	gang_image_free(a);
	gang_image_free(b);
}

Test(flash_bench, write_protected_page_is_refused_before_erase_with_its_address)
{
	gang_image *img = bench_image(0x08000800U, 0x1000, 9);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };

	fx_up("flash-wrp.cfg");
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED);
	cr_assert(strstr(fx_msg(), "0x08001000") != NULL, "%s", fx_msg());
	cr_assert(gang_stlink_diag(F.sl)->has_addr);
	cr_assert_eq(gang_stlink_diag(F.sl)->addr, 0x08001000U);
	o.erase = GANG_ERASE_MASS;
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED);
	gang_image_free(img);
}

Test(flash_bench, write_protected_halfword_stops_the_loader_with_its_address)
{
	gang_image *img = bench_image(0x08000FF0U, 64, 10);
	gang_program_opts o = { GANG_ERASE_NONE, false, NULL, NULL };
	size_t n;
	uint8_t *fl;

	fx_up("flash-wrp.cfg");
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED);
	cr_assert(strstr(fx_msg(), "0x08001000") != NULL, "%s", fx_msg());
	cr_assert(strstr(fx_msg(), "WRPRTERR") != NULL, "%s", fx_msg());
	fl = fx_board_flash(&n);
	cr_assert_arr_eq(fl + 0xFF0, img->seg[0].data, 16, "the half-words before the page");
	cr_assert_eq(fl[0x1000], 0xFF);
	free(fl);
	gang_image_free(img);
}

static void fx_stuck(gang_verify_mode mode)
{
	gang_image *img = bench_image(0x08000100U, 64, 11);

	img->seg[0].data[0x23] |= 0x04;   /* the stuck-at-0 bit must be 1 in the image */
	fx_up("flash-stuck.cfg");
	fx_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(F.t, img, mode, NULL, NULL), GANG_EVERIFY);
	cr_assert(strstr(fx_msg(), "verify failed at 0x08000123: wrote 0x") != NULL, "%s", fx_msg());
	cr_assert(gang_stlink_diag(F.sl)->has_addr);
	cr_assert_eq(gang_stlink_diag(F.sl)->addr, 0x08000123U);
	gang_image_free(img);
}

Test(flash_bench, stuck_bit_fails_crc_verify_at_its_address)
{
	fx_stuck(GANG_VERIFY_CRC);
}

Test(flash_bench, stuck_bit_fails_readback_verify_at_its_address)
{
	fx_stuck(GANG_VERIFY_READBACK);
}

Test(flash_bench, rdp1_board_is_refused_unless_unprotect_is_allowed)
{
	gang_image *img = bench_image(0x08000000U, 4096, 12);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };
	uint8_t buf[16];

	fx_up("flash-rdp1.cfg");
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 1);
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EREAD_PROTECTED);
	cr_assert_eq(gang_flash_read(buf, F.t, 0x08000000U, sizeof(buf)), GANG_EREAD_PROTECTED);
	cr_assert_eq(gang_flash_verify(F.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_EREAD_PROTECTED);
	gang_image_free(img);
}

Test(flash_bench, rdp1_board_with_unprotect_allowed_is_mass_erased_then_programmed)
{
	gang_image *img = bench_image(0x08001000U, 4096, 13);
	gang_program_opts o = { GANG_ERASE_PAGES, true, NULL, NULL };
	gang_ob ob;
	size_t n;
	uint8_t *fl;

	fx_up("flash-rdp1.cfg");
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 0);
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(ob.rdp, 0xA5);
	cr_assert_eq(gang_flash_verify(F.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", fx_msg());
	fl = fx_board_flash(&n);
	for (uint32_t a = 0; a < 0x1000; a++)   /* the old firmware at 0x08000000 is gone */
		cr_assert_eq(fl[a], 0xFF, "byte 0x%X survived the regression", a);
	cr_assert_arr_eq(fl + 0x1000, img->seg[0].data, 4096);
	free(fl);
	gang_image_free(img);
}

Test(flash_bench, blank_check_passes_on_erased_flash_and_names_the_first_programmed_byte)
{
	gang_image *img = bench_image(0x08004006U, 2, 14);

	fx_up("flash-f103rc.cfg");
	cr_assert_eq(gang_flash_blank_check(F.t, 0x08004000U, 0x800), GANG_OK, "%s", fx_msg());
	fx_program(img, GANG_ERASE_NONE);
	cr_assert_eq(gang_flash_blank_check(F.t, 0x08004000U, 0x800), GANG_EFLASH);
	cr_assert(strstr(fx_msg(), "not blank at 0x08004006") != NULL, "%s", fx_msg());
	cr_assert_eq(gang_flash_erase_range(F.t, 0x08004006U, 2), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_flash_blank_check(F.t, 0x08004000U, 0x800), GANG_OK, "%s", fx_msg());
	gang_image_free(img);
}

Test(flash_bench, mass_erase_leaves_all_flash_blank)
{
	gang_image *img = bench_image(0x0803F000U, 4096, 15);

	fx_up("flash-f103rc.cfg");
	fx_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_flash_blank_check(F.t, 0x08000000U, 256U * 1024U), GANG_OK, "%s", fx_msg());
	gang_image_free(img);
}

typedef struct fx_prog {
	uint64_t last_done, total;
	unsigned calls;
	int went_back;
} fx_prog;

static void fx_progress(void *user, const char *step, uint64_t done, uint64_t total)
{
	fx_prog *p = user;

	if (strcmp(step, "program") != 0)
		return;
	p->went_back |= done < p->last_done;
	p->last_done = done;
	p->total = total;
	p->calls++;
}

Test(flash_bench, progress_reports_program_bytes_up_to_the_total)
{
	gang_image *img = bench_image(0x08000000U, 12288, 16);
	fx_prog pr = { 0 };
	gang_program_opts o = { GANG_ERASE_PAGES, false, fx_progress, &pr };

	fx_up("flash-f103rc.cfg");
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_OK, "%s", fx_msg());
	cr_assert_gt(pr.calls, 1U);
	cr_assert_eq(pr.total, 12288U);
	cr_assert_eq(pr.last_done, 12288U);
	cr_assert_eq(pr.went_back, 0);
	gang_image_free(img);
}

Test(flash_bench, image_outside_the_parts_flash_is_refused)
{
	gang_image *img = bench_image(0x0803FFF0U, 32, 17);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };
	uint8_t buf[4];

	fx_up("flash-f103rc.cfg");
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EIMAGE);
	cr_assert_eq(gang_flash_read(buf, F.t, 0x08040000U, sizeof(buf)), GANG_EUSAGE);
	cr_assert(strstr(fx_msg(), "0x08040000") != NULL, "%s", fx_msg());
	gang_image_free(img);
}

static void fx_family(const char *bench, const char *part)
{
	gang_image *img = bench_image(0x08000400U, 6000, 18);
	size_t n;
	uint8_t *fl;

	fx_open(bench);
	cr_assert_eq(fx_attach(GANG_CONNECT_AUTO, part), GANG_OK, "%s", fx_msg());
	fx_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(F.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", fx_msg());
	fl = fx_board_flash(&n);
	cr_assert_arr_eq(fl + 0x400, img->seg[0].data, 6000);
	free(fl);
	gang_image_free(img);
}

Test(flash_bench, f030_cortex_m0_part_programs_and_verifies)
{
	fx_family("flash-f030.cfg", "STM32F030R8");
}

Test(flash_bench, f303_part_programs_and_verifies)
{
	fx_family("flash-f303.cfg", "STM32F303CC");
}

/* ---- option bytes on the bench ---------------------------------------------- */

Test(flash_bench, option_bytes_write_reads_back_and_an_equal_write_is_skipped)
{
	gang_ob_want w;
	gang_ob ob;
	bool changed = false;

	fx_up("flash-f103rc.cfg");
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(ob.rdp_level, 0);
	gang_ob_want_init(&w);
	w.user = 0x06;   /* hardware watchdog, reset on stop */
	w.data0 = 0x12;
	w.data1 = 0x34;
	cr_assert_eq(gang_ob_write(&changed, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert(changed);
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(ob.user, 0x06);
	cr_assert_eq(ob.data0, 0x12);
	cr_assert_eq(ob.data1, 0x34);
	cr_assert_eq(ob.rdp_level, 0);
	cr_assert(!ob.opterr);
	cr_assert_eq(gang_ob_write(&changed, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert(!changed, "equal option bytes must not be rewritten");
}

Test(flash_bench, wrp_written_in_option_bytes_protects_its_pages_until_cleared)
{
	gang_image *img = bench_image(0x08000000U, 1024, 19);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };
	gang_ob_want w;

	fx_up("flash-f103rc.cfg");
	gang_ob_want_init(&w);
	w.wrp = 0xFFFFFFFEL;   /* pages 0-1 */
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED);
	cr_assert(strstr(fx_msg(), "0x08000000") != NULL, "%s", fx_msg());
	w.wrp = 0xFFFFFFFFL;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_OK, "%s", fx_msg());
	gang_image_free(img);
}

Test(flash_bench, rdp1_set_by_option_bytes_blocks_reads_and_regression_needs_permission)
{
	gang_image *img = bench_image(0x08000000U, 512, 20);
	gang_ob_want w;
	gang_ob_write_opts allow = { true, NULL };
	uint8_t buf[8];
	size_t n;
	uint8_t *fl;

	fx_up("flash-f103rc.cfg");
	fx_program(img, GANG_ERASE_PAGES);
	gang_ob_want_init(&w);
	w.rdp_level = 1;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 1);
	cr_assert_eq(gang_flash_read(buf, F.t, 0x08000000U, sizeof(buf)), GANG_EREAD_PROTECTED);
	w.rdp_level = 0;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_EREAD_PROTECTED);
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 1, "refused: nothing may change");
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, &allow), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 0);
	fl = fx_board_flash(&n);
	for (uint32_t a = 0; a < 512; a++)
		cr_assert_eq(fl[a], 0xFF, "regression must mass-erase (byte 0x%X)", a);
	free(fl);
	gang_image_free(img);
}

Test(flash_bench, rdp_level2_is_refused_on_f1_which_has_none)
{
	gang_ob_want w;
	gang_ob_write_opts o = { false, GANG_OB_LEVEL2_CONFIRM };

	fx_up("flash-f103rc.cfg");
	gang_ob_want_init(&w);
	w.rdp_level = 2;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, &o), GANG_ENOTSUP);
}

Test(flash_bench, rdp_level2_is_refused_on_f0_without_the_sentence)
{
	gang_ob_want w;
	gang_ob_write_opts o = { false, "yes" };
	gang_ob ob;

	gang_ob_want_init(&w);
	w.rdp_level = 2;
	fx_up("flash-f030.cfg");
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, &o), GANG_ELOCKED_FOREVER);
	cr_assert(strstr(fx_msg(), GANG_OB_LEVEL2_CONFIRM) != NULL, "%s", fx_msg());
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(ob.rdp, 0xAA, "nothing written");
}

Test(flash_bench, confirmed_rdp_level2_on_f0_leaves_the_debug_port_dead)
{
	gang_ob_want w;
	gang_ob_write_opts o = { false, GANG_OB_LEVEL2_CONFIRM };
	bool changed = false;

	fx_up("flash-f030.cfg");
	gang_ob_want_init(&w);
	w.rdp_level = 2;
	cr_assert_eq(gang_ob_write(&changed, F.t, &w, &o), GANG_OK, "%s", fx_msg());
	cr_assert(changed);
	gang_target_detach(F.t, GANG_DETACH_HALT);
	F.t = NULL;
	cr_assert_eq(fx_attach(GANG_CONNECT_NORMAL, NULL), GANG_ETARGET_NOSWD);
}

Test(flash_bench, f030_option_bytes_reload_through_obl_launch)
{
	gang_ob_want w;
	gang_ob ob;

	fx_up("flash-f030.cfg");
	gang_ob_want_init(&w);
	w.data0 = 0x5C;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(ob.data0, 0x5C);
	cr_assert_eq(ob.rdp, 0xAA);
}

Test(flash_bench, detach_run_after_programming_starts_the_new_firmware_from_reset)
{
	/* SP 0x20001000, reset vector 0x08000009, then "b ." at 0x08000008 */
	const uint8_t fw[10] = { 0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08, 0xFE, 0xE7 };
	gang_image *img = NULL;
	uint32_t pc = 0;

	cr_assert_eq(gang_image_from_buffer(&img, 0x08000000U, fw, sizeof(fw)), GANG_OK);
	fx_up("flash-f103rc.cfg");
	fx_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_target_detach(F.t, GANG_DETACH_RUN), GANG_OK, "%s", fx_msg());
	F.t = NULL;
	cr_assert_eq(fx_attach(GANG_CONNECT_HOT_PLUG, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_stlink_read_reg(&pc, F.sl, 15), GANG_OK, "%s", fx_msg());
	cr_assert_eq(pc, 0x08000008U, "core at 0x%08X, not in the new firmware's loop", pc);
	gang_image_free(img);
}

/* ---- faults ------------------------------------------------------------------ */

Test(flash_bench, wait_answers_on_the_swd_link_do_not_corrupt_programming)
{
	gang_image *img = bench_image(0x08000000U, 8192, 21);

	fx_up("flash-faults.cfg");
	fx_program(img, GANG_ERASE_PAGES);
	cr_assert_eq(gang_flash_verify(F.t, img, GANG_VERIFY_READBACK, NULL, NULL), GANG_OK, "%s",
		     fx_msg());
	gang_image_free(img);
}

Test(flash_bench, power_loss_while_programming_fails_without_hanging)
{
	gang_image *img = bench_image(0x08000000U, 65536, 22);
	gang_program_opts o = { GANG_ERASE_MASS, false, NULL, NULL };
	int err;

	fx_up("flash-powerloss.cfg");
	err = gang_flash_program_image(F.t, img, &o);
	cr_assert_lt(err, 0, "programming a board that lost power cannot succeed");
	cr_assert(err == GANG_ETARGET_NOSWD || err == GANG_ETARGET_FAULT || err == GANG_EFLASH,
		  "unexpected %d: %s", err, fx_msg());
	gang_image_free(img);
}
