/*
 * test_bench_l4.c — the double-word driver (flash/fpec_l4.c) against the
 * virtual bench's G0/C0/G4/L4/L4+/WB/WL boards: erase, program and CRC
 * verify on every bench part checked against the board's own state file,
 * fast rows after a mass erase with images that start and end inside a
 * row, images spanning both banks, the WB's CPU2 area refused, option bytes
 * by their RM names round-tripped through OPTSTRT and OBL_LAUNCH, a WRP
 * area refusing an erase, a board in the other bank layout refused with
 * a sentence, RDP 1 and its regression, OTP double words written once.
 * References: RM0351 §3.3 (L4: pages, banks, double words, fast
 * programming), §3.4 (option bytes, OBL_LAUNCH), §3.5.2 (WRP areas);
 * RM0444 §3.3 (G0B1 bank 2 from page 256), RM0440 (G4 DBANK), RM0432
 * (L4+ DBANK), RM0434 §3.3.8 (WB: SFSA, CPU2's pages).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flash/flash.h"
#include "flash/geom.h"
#include "flash/ob.h"
#include "bench_multi.h"
#include "stlink/stlink.h"
#include "target/target.h"

static const bench_board l4_cases[] = {
	{ "STM32G031K8", "066DFF48545772518708D001", "V2" }, { "STM32G071RB", "066DFF48545772518708D002", "V2" },
	{ "STM32G0B1RE", "003F00213137510A3938D003", "V3" }, { "STM32C031C6", "066DFF48545772518708D004", "V2" },
	{ "STM32G431KB", "066DFF48545772518708D005", "V2" }, { "STM32G474RE", "003F00213137510A3938D006", "V3" },
	{ "STM32L432KC", "066DFF48545772518708D007", "V2" }, { "STM32L476RG", "003F00213137510A3938D008", "V3" },
	{ "STM32L4R5ZI", "003F00213137510A3938D009", "V3" }, { "STM32WB55RG", "066DFF48545772518708D00A", "V2" },
	{ "STM32WLE5JC", "066DFF48545772518708D00B", "V2" },
};

static bench_session F;
static bench_multi M;

/* One bench with a board of every part (bench_multi.h). */
static void fx_init(void)
{
	bench_multi_open(&M, &F, l4_cases, sizeof(l4_cases) / sizeof(l4_cases[0]), sizeof(l4_cases[0]), "l4");
}

static void fx_fini(void)
{
	bench_multi_close(&M);
}

TestSuite(flash_bench_l4, .init = fx_init, .fini = fx_fini, .timeout = 120);

/* Double words with PG after a page erase, on every core (Cortex-M0+ on G0/C0: the loader is Thumb-1). */
Test(flash_bench_l4, every_double_word_part_erases_programs_and_verifies)
{
	for (size_t i = 0; i < sizeof(l4_cases) / sizeof(l4_cases[0]); i++) {
		gang_image *img = bench_image(0x08000404U, 6001, (unsigned)i + 40U);

		bench_multi_up(&M, l4_cases[i].part);
		bench_image_add(img, 0x08001C76U, 2, 7U);   /* a serial-sized piece in the image's last double word */
		bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
		gang_image_free(img);
	}
}

/* After a mass erase the driver programs rows with FSTPG: an image starting and ending inside rows. */
Test(flash_bench_l4, mass_erase_then_fast_rows_program_images_that_start_and_end_inside_a_row)
{
	static const char *const parts[] = { "STM32L476RG", "STM32G071RB", "STM32C031C6", "STM32G474RE" };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		gang_image *img = bench_image(0x08000010U, 20000, (unsigned)i + 60U);

		bench_multi_up(&M, parts[i]);
		bench_image_add(img, 0x08006F08U, 16, 3U);
		bench_image_add(img, 0x08007104U, 8, 4U);   /* the next row: shares no row with the first piece */
		bench_multi_program_check(&M, img, GANG_ERASE_MASS);
		gang_image_free(img);
	}
}

/* Both banks in one image: BKER pages on L4/G4/L4+ (numbered from 0), from page 256 on G0B1. */
Test(flash_bench_l4, images_spanning_both_banks_are_erased_programmed_and_verified)
{
	static const struct { const char *part; uint32_t bank2; } cases[] = {
		{ "STM32L476RG", 0x08080000U }, { "STM32G474RE", 0x08040000U }, { "STM32G0B1RE", 0x08040000U },
		{ "STM32L4R5ZI", 0x08100000U },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gang_image *img = bench_image(cases[i].bank2 - 5000U, 12000, (unsigned)i + 70U);

		bench_multi_up(&M, cases[i].part);
		bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
		gang_image_free(img);
		/* and after a mass erase, in fast rows on both sides of the bank boundary */
		img = bench_image(cases[i].bank2 - 4100U, 9000, (unsigned)i + 75U);
		bench_multi_program_check(&M, img, GANG_ERASE_MASS);
		gang_image_free(img);
		/* a mass erase empties both banks */
		cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", bench_multi_msg(&M));
		cr_assert_eq(gang_flash_blank_check(F.t, cases[i].bank2 - 8192U, 16384U), GANG_OK, "%s: %s",
			     cases[i].part, bench_multi_msg(&M));
	}
}

/* RM0434 §3.3.8: CPU1 and the debugger cannot touch CPU2's pages from SFR.SFSA, nor mass-erase. */
Test(flash_bench_l4, wb_refuses_an_image_reaching_cpu2s_area_and_erases_below_it_page_by_page)
{
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };
	uint32_t sfr = 0, start;
	gang_image *img, *low;
	char want[160];

	bench_multi_up(&M, "STM32WB55RG");
	cr_assert_eq(gang_stlink_read32(&sfr, F.sl, 0x58004080U), GANG_OK, "%s", bench_multi_msg(&M));
	start = 0x08000000U + (sfr & 0xFFU) * 4096U;
	cr_assert(!(sfr & 0x100U) && start > 0x08000000U && start < 0x08100000U,
		  "the bench WB has a CPU2 area (SFR=0x%08X)", (unsigned)sfr);
	img = bench_image(start - 4096U, 8192, 80U);
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED);
	snprintf(want, sizeof(want), "belongs to CPU2 and its wireless stack; neither CPU1 nor the debugger can "
		 "erase or program it: keep the image below 0x%08X", (unsigned)start);
	cr_assert_not_null(strstr(bench_multi_msg(&M), want), "%s", bench_multi_msg(&M));
	low = bench_image(0x08000000U, 10000, 81U);
	bench_multi_program_check(&M, low, GANG_ERASE_MASS);
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_flash_blank_check(F.t, 0x08000000U, 10000U), GANG_OK, "%s", bench_multi_msg(&M));
	gang_image_free(img);
	gang_image_free(low);
}

/* Named fields through OPTSTRT and OBL_LAUNCH on a factory board at RDP 0 (bench_multi.h). */
static void fx_ob_round_trip(const char *part, const char *name, int64_t value)
{
	bench_multi_ob_round_trip(&M, part, name, value, true);
}

Test(flash_bench_l4, option_bytes_round_trip_through_optstrt_and_obl_launch)
{
	fx_ob_round_trip("STM32G071RB", "BORR_LEV", 1);
	fx_ob_round_trip("STM32L476RG", "BOR_LEV", 2);
	fx_ob_round_trip("STM32G474RE", "nRST_STOP", 0);
	fx_ob_round_trip("STM32WB55RG", "IWDG_STOP", 0);
	fx_ob_round_trip("STM32C031C6", "nBOOT_SEL", 0);
}

/* RM0351 §3.5.2: a WRP1A area of pages 2-3 makes their erase fail with WRPERR, until the area is cleared. */
Test(flash_bench_l4, a_wrp_area_refuses_its_pages_until_cleared)
{
	const gang_family *f;
	gang_ob_want w;
	gang_diag d = { 0 };
	gang_image *img = bench_image(0x08001000U, 2048, 90U);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };

	bench_multi_up(&M, "STM32L476RG");
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP1A", 0x0302, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED, "%s", bench_multi_msg(&M));
	cr_assert_not_null(strstr(bench_multi_msg(&M), "WRPERR"), "%s", bench_multi_msg(&M));
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP1A", 0x00FF, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
	gang_image_free(img);
}

/*
 * The option bits of another bank layout, set behind gang's back (OPTKEYR,
 * OPTR, OPTSTRT, OBL_LAUNCH by hand): gang refuses to erase with a sentence
 * naming the bit, refuses to write a layout of its own choosing, and may
 * put the factory layout back.
 */
Test(flash_bench_l4, a_board_in_the_other_bank_layout_is_refused_until_dbank_is_restored)
{
	gang_stlink *sl;
	const gang_family *f;
	gang_ob_want w;
	gang_diag d = { 0 };
	uint32_t optr = 0, sr = 0;

	bench_multi_up(&M, "STM32G474RE");
	sl = F.sl;
	f = gang_target_part(F.t)->family;
	cr_assert_eq(gang_stlink_read32(&optr, sl, 0x40022020U), GANG_OK);
	cr_assert(optr & (1U << 22), "factory DBANK = 1 (OPTR 0x%08X)", (unsigned)optr);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "DBANK", 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_ENOTSUP, "gang must not pick another layout");
	cr_assert_eq(gang_stlink_write32(sl, 0x40022008U, 0x45670123U), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022008U, 0xCDEF89ABU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x4002200CU, 0x08192A3BU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x4002200CU, 0x4C5D6E7FU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022020U, optr & ~(1U << 22)), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022014U, 1U << 17), GANG_OK);   /* OPTSTRT */
	for (int i = 0; i < 200 && gang_stlink_read32(&sr, sl, 0x40022010U) == GANG_OK && (sr & (1U << 16)); i++)
		usleep(1000);
	gang_stlink_write32(sl, 0x40022014U, 1U << 27);   /* OBL_LAUNCH: the chip resets */
	gang_target_detach(F.t, GANG_DETACH_HALT);
	F.t = NULL;
	cr_assert_eq(bench_session_attach(&F, GANG_CONNECT_UNDER_RESET, "STM32G474RE"), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read32(&optr, F.sl, 0x40022020U), GANG_OK);
	cr_assert(!(optr & (1U << 22)), "the bench took DBANK = 0 (OPTR 0x%08X)", (unsigned)optr);
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_ENOTSUP);
	cr_assert_not_null(strstr(bench_multi_msg(&M), "the STM32G474RE's flash is in single-bank mode (FLASH_OPTR.DBANK = 0), "
				  "a layout gang does not program: set option byte DBANK = 1 (the factory setting) "
				  "first"), "%s", bench_multi_msg(&M));
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "DBANK", 1, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", bench_multi_msg(&M));
}

/*
 * RM0351 §3.5.1: RDP level 1 through OPTSTRT and OBL_LAUNCH blocks the
 * debugger's flash reads; going back to 0 needs the explicit permission,
 * and then the chip erases its flash itself.
 */
Test(flash_bench_l4, rdp1_then_back_to_0_only_when_allowed_and_the_chip_erases_itself)
{
	gang_image *img = bench_image(0x08000000U, 4096, 95U);
	gang_ob_write_opts allow = { true, NULL };
	gang_ob_want w;
	uint8_t back[16];

	bench_multi_up(&M, "STM32L476RG");
	bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
	gang_ob_want_init(&w);
	w.rdp_level = 1;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 1);
	cr_assert_eq(gang_flash_read(back, F.t, 0x08000000U, sizeof(back)), GANG_EREAD_PROTECTED);
	gang_ob_want_init(&w);
	w.rdp_level = 0;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_EREAD_PROTECTED, "a regression needs permission");
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, &allow), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 0);
	cr_assert_eq(gang_flash_blank_check(F.t, 0x08000000U, 4096U), GANG_OK, "the regression erased: %s", bench_multi_msg(&M));
	gang_image_free(img);
}

/*
 * RM0351 §3.3.1: OTP (1 KiB at 0x1FFF7000) is programmed in double words,
 * each once: bytes laid over a blank double word are written, the same
 * bytes again are nothing to do, other bytes over a written one are
 * refused naming the address.
 */
Test(flash_bench_l4, otp_double_words_are_written_once)
{
	uint8_t a[16], b[8], back[16];
	gang_image *img = NULL, *other = NULL;

	for (unsigned i = 0; i < 16; i++)
		a[i] = (uint8_t)(0x10U + i);
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(0x80U + i);
	bench_multi_up(&M, "STM32G071RB");
	cr_assert_eq(gang_image_from_buffer(&img, 0x1FFF7000U, a, 12), GANG_OK);
	cr_assert_eq(gang_flash_otp_program(F.t, img, GANG_OTP_CONFIRM), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read_mem(back, F.sl, 0x1FFF7000U, 16), GANG_OK);
	cr_assert_arr_eq(back, a, 12);
	cr_assert_eq(back[12], 0xFF, "the rest of the second double word stays erased");
	cr_assert_eq(gang_flash_otp_program(F.t, img, GANG_OTP_CONFIRM), GANG_OK, "the same bytes: %s", bench_multi_msg(&M));
	cr_assert_eq(gang_image_from_buffer(&other, 0x1FFF7008U, b, 8), GANG_OK);
	cr_assert_eq(gang_flash_otp_program(F.t, other, GANG_OTP_CONFIRM), GANG_EFLASH);
	cr_assert_not_null(strstr(bench_multi_msg(&M), "0x1FFF7008"), "%s", bench_multi_msg(&M));
	gang_image_free(img);
	gang_image_free(other);
}

/* RM0444 §3.7.8: b22 of the G0's OPTR is RAM_PARITY_CHECK, not a bank bit: it changes like any user bit. */
Test(flash_bench_l4, the_g0s_ram_parity_bit_is_no_bank_bit)
{
	fx_ob_round_trip("STM32G071RB", "RAM_PARITY_CHECK", 0);
	fx_ob_round_trip("STM32C031C6", "RAM_PARITY_CHECK", 0);
}
