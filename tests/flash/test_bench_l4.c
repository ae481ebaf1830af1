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
#include "bench_session.h"
#include "stlink/stlink.h"
#include "target/target.h"
#include "usb/usb.h"

typedef struct l4_case {
	const char *part;
	const char *probe;
	const char *model;
} l4_case;

static const l4_case l4_cases[] = {
	{ "STM32G031K8", "066DFF48545772518708D001", "V2" }, { "STM32G071RB", "066DFF48545772518708D002", "V2" },
	{ "STM32G0B1RE", "003F00213137510A3938D003", "V3" }, { "STM32C031C6", "066DFF48545772518708D004", "V2" },
	{ "STM32G431KB", "066DFF48545772518708D005", "V2" }, { "STM32G474RE", "003F00213137510A3938D006", "V3" },
	{ "STM32L432KC", "066DFF48545772518708D007", "V2" }, { "STM32L476RG", "003F00213137510A3938D008", "V3" },
	{ "STM32L4R5ZI", "003F00213137510A3938D009", "V3" }, { "STM32WB55RG", "066DFF48545772518708D00A", "V2" },
	{ "STM32WLE5JC", "066DFF48545772518708D00B", "V2" },
};

static bench_session F;
static char bench_dir[64];

/* Probe and target of the current part; the bench (every part, one board each) and its state stay open. */
static void fx_part_close(void)
{
	gang_target_detach(F.t, GANG_DETACH_HALT);
	gang_stlink_close(F.sl);
	F.t = NULL;
	F.sl = NULL;
}

static void fx_fini(void)
{
	char path[128];

	bench_session_close(&F);
	if (bench_dir[0]) {
		snprintf(path, sizeof(path), "%s/bench.cfg", bench_dir);
		remove(path);
		rmdir(bench_dir);
		bench_dir[0] = '\0';
	}
}

/* One bench with a board of every part, written to a private directory (the bench is read once per process). */
static void fx_init(void)
{
	char path[128];
	FILE *fp;

	snprintf(bench_dir, sizeof(bench_dir), "/tmp/gang-l4bench-XXXXXX");
	cr_assert_not_null(mkdtemp(bench_dir));
	snprintf(path, sizeof(path), "%s/bench.cfg", bench_dir);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs("probes = (\n", fp);
	for (size_t i = 0; i < sizeof(l4_cases) / sizeof(l4_cases[0]); i++)
		fprintf(fp, "  { serial = \"%s\"; model = \"%s\"; target = \"%s\"; }%s\n", l4_cases[i].probe,
			l4_cases[i].model, l4_cases[i].part, i + 1 < sizeof(l4_cases) / sizeof(l4_cases[0]) ? "," : "");
	fputs(");\n", fp);
	fclose(fp);
	setenv("GANGSIM_BENCH", path, 1);
	snprintf(F.state, sizeof(F.state), "/tmp/gang-l4flash-XXXXXX");
	cr_assert_not_null(mkdtemp(F.state));
	setenv("GANGSIM_STATE", F.state, 1);
	cr_assert_eq(gang_usb_new(&F.usb, &F.d), GANG_OK, "%s", F.d.msg);
}

TestSuite(flash_bench_l4, .init = fx_init, .fini = fx_fini, .timeout = 120);

static const l4_case *fx_case(const char *part)
{
	for (size_t i = 0; i < sizeof(l4_cases) / sizeof(l4_cases[0]); i++)
		if (strcmp(l4_cases[i].part, part) == 0)
			return &l4_cases[i];
	cr_assert_fail("no bench case for %s", part);
	return NULL;
}

/* The probe of part's board opened and the board attached. */
static void fx_up(const char *part)
{
	fx_part_close();
	cr_assert_eq(gang_stlink_open(&F.sl, F.usb, fx_case(part)->probe, &F.d), GANG_OK, "%s", F.d.msg);
	cr_assert_eq(bench_session_attach(&F, GANG_CONNECT_AUTO, part), GANG_OK, "%s: %s", part,
		     gang_stlink_diag(F.sl)->msg);
}

static const char *fx_msg(void)
{
	return gang_stlink_diag(F.sl)->msg;
}

/* The board's main flash as the bench stores it, independent of gang (*len_out bytes). */
static uint8_t *fx_board_flash(size_t *len_out)
{
	size_t cap = gang_target_part(F.t)->flash_kib * 1024U;
	uint8_t *buf = malloc(cap);
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/flash.bin", F.state, gang_target_info_get(F.t)->uid);
	fp = fopen(path, "rb");
	cr_assert_not_null(fp, "bench state %s missing", path);
	*len_out = fread(buf, 1, cap, fp);
	fclose(fp);
	return buf;
}

/* Pseudo-random bytes without 0xFF, so every double word is really programmed. */
static gang_image *fx_image(uint32_t addr, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);
	gang_image *img = NULL;

	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245U + 12345U;
		b[i] = (uint8_t)((seed >> 16) % 255U);
	}
	cr_assert_eq(gang_image_from_buffer(&img, addr, b, len), GANG_OK);
	free(b);
	return img;
}

static void fx_add(gang_image *img, uint32_t addr, size_t len, unsigned seed)
{
	gang_image *b = fx_image(addr, len, seed);

	cr_assert_eq(gang_image_patch(img, addr, b->seg[0].data, len, 0, NULL), GANG_OK);
	gang_image_free(b);
}

/* Program img with erase mode em, CRC-verify it, and check every segment and one byte either side in flash.bin. */
static void fx_program_check(const gang_image *img, gang_erase_mode em)
{
	gang_program_opts o = { em, false, NULL, NULL };
	size_t n = 0;
	uint8_t *fl;

	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_OK, "%s: %s", gang_target_part(F.t)->name,
		     fx_msg());
	cr_assert_eq(gang_flash_verify(F.t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s", fx_msg());
	fl = fx_board_flash(&n);
	for (size_t i = 0; i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];
		uint32_t off = s->addr - GANG_FLASH_BASE;

		cr_assert_leq(off + s->len, n);
		cr_assert_arr_eq(fl + off, s->data, s->len, "%s: segment at 0x%08X", gang_target_part(F.t)->name,
				 (unsigned)s->addr);
		if (off > 0 && (i == 0 || img->seg[i - 1].addr + img->seg[i - 1].len < s->addr))
			cr_assert_eq(fl[off - 1], 0xFF, "byte before 0x%08X programmed", (unsigned)s->addr);
		if (off + s->len < n && (i + 1 == img->n_seg || img->seg[i + 1].addr > s->addr + s->len))
			cr_assert_eq(fl[off + s->len], 0xFF, "byte after 0x%08X..+%u programmed", (unsigned)s->addr,
				     (unsigned)s->len);
	}
	free(fl);
}

/* Double words with PG after a page erase, on every core (Cortex-M0+ on G0/C0: the loader is Thumb-1). */
Test(flash_bench_l4, every_double_word_part_erases_programs_and_verifies)
{
	for (size_t i = 0; i < sizeof(l4_cases) / sizeof(l4_cases[0]); i++) {
		gang_image *img = fx_image(0x08000404U, 6001, (unsigned)i + 40U);

		fx_up(l4_cases[i].part);
		fx_add(img, 0x08001C76U, 2, 7U);   /* a serial-sized piece in the image's last double word */
		fx_program_check(img, GANG_ERASE_PAGES);
		gang_image_free(img);
	}
}

/* After a mass erase the driver programs rows with FSTPG: an image starting and ending inside rows. */
Test(flash_bench_l4, mass_erase_then_fast_rows_program_images_that_start_and_end_inside_a_row)
{
	static const char *const parts[] = { "STM32L476RG", "STM32G071RB", "STM32C031C6", "STM32G474RE" };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		gang_image *img = fx_image(0x08000010U, 20000, (unsigned)i + 60U);

		fx_up(parts[i]);
		fx_add(img, 0x08006F08U, 16, 3U);
		fx_add(img, 0x08007104U, 8, 4U);   /* the next row: shares no row with the first piece */
		fx_program_check(img, GANG_ERASE_MASS);
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
		gang_image *img = fx_image(cases[i].bank2 - 5000U, 12000, (unsigned)i + 70U);

		fx_up(cases[i].part);
		fx_program_check(img, GANG_ERASE_PAGES);
		gang_image_free(img);
		/* and after a mass erase, in fast rows on both sides of the bank boundary */
		img = fx_image(cases[i].bank2 - 4100U, 9000, (unsigned)i + 75U);
		fx_program_check(img, GANG_ERASE_MASS);
		gang_image_free(img);
		/* a mass erase empties both banks */
		cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", fx_msg());
		cr_assert_eq(gang_flash_blank_check(F.t, cases[i].bank2 - 8192U, 16384U), GANG_OK, "%s: %s",
			     cases[i].part, fx_msg());
	}
}

/* RM0434 §3.3.8: CPU1 and the debugger cannot touch CPU2's pages from SFR.SFSA, nor mass-erase. */
Test(flash_bench_l4, wb_refuses_an_image_reaching_cpu2s_area_and_erases_below_it_page_by_page)
{
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };
	uint32_t sfr = 0, start;
	gang_image *img, *low;
	char want[160];

	fx_up("STM32WB55RG");
	cr_assert_eq(gang_stlink_read32(&sfr, F.sl, 0x58004080U), GANG_OK, "%s", fx_msg());
	start = 0x08000000U + (sfr & 0xFFU) * 4096U;
	cr_assert(!(sfr & 0x100U) && start > 0x08000000U && start < 0x08100000U,
		  "the bench WB has a CPU2 area (SFR=0x%08X)", (unsigned)sfr);
	img = fx_image(start - 4096U, 8192, 80U);
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED);
	snprintf(want, sizeof(want), "belongs to CPU2 and its wireless stack; neither CPU1 nor the debugger can "
		 "erase or program it: keep the image below 0x%08X", (unsigned)start);
	cr_assert_not_null(strstr(fx_msg(), want), "%s", fx_msg());
	low = fx_image(0x08000000U, 10000, 81U);
	fx_program_check(low, GANG_ERASE_MASS);
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_flash_blank_check(F.t, 0x08000000U, 10000U), GANG_OK, "%s", fx_msg());
	gang_image_free(img);
	gang_image_free(low);
}

/* Named fields through OPTSTRT and OBL_LAUNCH (the chip resets): read back, and an equal write is skipped. */
static void fx_ob_round_trip(const char *part, const char *name, int64_t value)
{
	const gang_family *f;
	gang_ob_want w;
	gang_ob ob;
	gang_diag d = { 0 };
	bool changed = false;

	fx_up(part);
	f = gang_target_part(F.t)->family;
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(ob.rdp_level, 0, "%s: a factory board is at RDP 0", part);
	cr_assert_neq(gang_ob_field_get(&ob, gang_ob_field_find(f, name)), value, "%s: %s already %lld", part, name,
		      (long long)value);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, name, value, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(&changed, F.t, &w, NULL), GANG_OK, "%s: %s", part, fx_msg());
	cr_assert(changed);
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, name)), value, "%s: %s after OBL_LAUNCH", part,
		     name);
	cr_assert_eq(gang_ob_write(&changed, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert(!changed, "%s: equal option bytes must not be rewritten", part);
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
	gang_image *img = fx_image(0x08001000U, 2048, 90U);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };

	fx_up("STM32L476RG");
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP1A", 0x0302, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED, "%s", fx_msg());
	cr_assert_not_null(strstr(fx_msg(), "WRPERR"), "%s", fx_msg());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP1A", 0x00FF, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	fx_program_check(img, GANG_ERASE_PAGES);
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

	fx_up("STM32G474RE");
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
	cr_assert_eq(bench_session_attach(&F, GANG_CONNECT_UNDER_RESET, "STM32G474RE"), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_stlink_read32(&optr, F.sl, 0x40022020U), GANG_OK);
	cr_assert(!(optr & (1U << 22)), "the bench took DBANK = 0 (OPTR 0x%08X)", (unsigned)optr);
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_ENOTSUP);
	cr_assert_not_null(strstr(fx_msg(), "the STM32G474RE's flash is in single-bank mode (FLASH_OPTR.DBANK = 0), "
				  "a layout gang does not program: set option byte DBANK = 1 (the factory setting) "
				  "first"), "%s", fx_msg());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "DBANK", 1, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", fx_msg());
}

/*
 * RM0351 §3.5.1: RDP level 1 through OPTSTRT and OBL_LAUNCH blocks the
 * debugger's flash reads; going back to 0 needs the explicit permission,
 * and then the chip erases its flash itself.
 */
Test(flash_bench_l4, rdp1_then_back_to_0_only_when_allowed_and_the_chip_erases_itself)
{
	gang_image *img = fx_image(0x08000000U, 4096, 95U);
	gang_ob_write_opts allow = { true, NULL };
	gang_ob_want w;
	uint8_t back[16];

	fx_up("STM32L476RG");
	fx_program_check(img, GANG_ERASE_PAGES);
	gang_ob_want_init(&w);
	w.rdp_level = 1;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 1);
	cr_assert_eq(gang_flash_read(back, F.t, 0x08000000U, sizeof(back)), GANG_EREAD_PROTECTED);
	gang_ob_want_init(&w);
	w.rdp_level = 0;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_EREAD_PROTECTED, "a regression needs permission");
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, &allow), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 0);
	cr_assert_eq(gang_flash_blank_check(F.t, 0x08000000U, 4096U), GANG_OK, "the regression erased: %s", fx_msg());
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
	fx_up("STM32G071RB");
	cr_assert_eq(gang_image_from_buffer(&img, 0x1FFF7000U, a, 12), GANG_OK);
	cr_assert_eq(gang_flash_otp_program(F.t, img, GANG_OTP_CONFIRM), GANG_OK, "%s", fx_msg());
	cr_assert_eq(gang_stlink_read_mem(back, F.sl, 0x1FFF7000U, 16), GANG_OK);
	cr_assert_arr_eq(back, a, 12);
	cr_assert_eq(back[12], 0xFF, "the rest of the second double word stays erased");
	cr_assert_eq(gang_flash_otp_program(F.t, img, GANG_OTP_CONFIRM), GANG_OK, "the same bytes: %s", fx_msg());
	cr_assert_eq(gang_image_from_buffer(&other, 0x1FFF7008U, b, 8), GANG_OK);
	cr_assert_eq(gang_flash_otp_program(F.t, other, GANG_OTP_CONFIRM), GANG_EFLASH);
	cr_assert_not_null(strstr(fx_msg(), "0x1FFF7008"), "%s", fx_msg());
	gang_image_free(img);
	gang_image_free(other);
}

/* RM0444 §3.7.8: b22 of the G0's OPTR is RAM_PARITY_CHECK, not a bank bit: it changes like any user bit. */
Test(flash_bench_l4, the_g0s_ram_parity_bit_is_no_bank_bit)
{
	fx_ob_round_trip("STM32G071RB", "RAM_PARITY_CHECK", 0);
	fx_ob_round_trip("STM32C031C6", "RAM_PARITY_CHECK", 0);
}
