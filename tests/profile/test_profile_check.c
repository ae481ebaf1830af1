/*
 * test_profile_check.c — gang_profile_validate against an STM32F103RC's
 * flash (0x08000000, 256 KiB, 2 KiB pages; DS5792, RM0008) and
 * hand-built images, and the plan `gang check` prints for the demo profile.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flash/ob.h"
#include "profile/profile.h"

#define F1_BASE 0x08000000U
#define F1_SIZE (256U * 1024U)
#define F1_PAGE 2048U

/* STM32F103RC: 128 pages of 2 KiB; a geometry with no regions; two regions with a hole. */
static const gang_flash_region chk_rc_pages[] = { { F1_BASE, F1_PAGE, F1_SIZE / F1_PAGE, 0, 0 } };
static const gang_flash_region chk_gap_pages[] = { { F1_BASE, F1_PAGE, 4, 0, 0 }, { F1_BASE + 0x4000U, F1_PAGE, 4, 4, 0 } };
static const gang_flash_geom chk_rc = { chk_rc_pages, 1, 2, 0xFFU };
static const gang_flash_geom chk_none = { NULL, 0, 2, 0xFFU };
static const gang_flash_geom chk_gap = { chk_gap_pages, 2, 2, 0xFFU };

static char tmp_dir[64];
static char tmp_cfg[128];
static uint8_t blob[8192];

static void chk_setup(void)
{
	strcpy(tmp_dir, "/tmp/gang-profchk-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp_dir));
	snprintf(tmp_cfg, sizeof(tmp_cfg), "%s/c.cfg", tmp_dir);
	memset(blob, 0x5A, sizeof(blob));
}

static void chk_teardown(void)
{
	remove(tmp_cfg);
	cr_expect_eq(rmdir(tmp_dir), 0);
}

TestSuite(profile_check, .init = chk_setup, .fini = chk_teardown, .timeout = 10);

#define BASE \
	"name = \"t\";\n" \
	"target = \"STM32F103RC\";\n" \
	"image = { file = \"fw.hex\"; };\n" \
	"erase = \"pages\";\n" \
	"verify = \"crc\";\n"

static gang_profile *load_text(const char *text)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	FILE *fp = fopen(tmp_cfg, "w");

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	cr_assert_eq(gang_profile_load(&p, tmp_cfg, &d), GANG_OK, "%s", d.msg);
	return p;
}

/* An image of up to 4 segments over the static blob. */
typedef struct chk_img {
	gang_segment seg[4];
	gang_image img;
} chk_img;

static void chk_img_add(chk_img *ci, uint32_t addr, uint32_t len)
{
	cr_assert(ci->img.n_seg < 4 && len <= sizeof(blob));
	ci->seg[ci->img.n_seg++] = (gang_segment){ addr, len, blob };
	ci->img.seg = ci->seg;
	strcpy(ci->img.sha256, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
}

static void expect_invalid(const gang_profile *p, const gang_image *img, int code, const char *tail)
{
	gang_diag d = { 0 };
	char want[GANG_DIAG_LEN];

	cr_assert_eq(gang_profile_validate(p, &chk_rc, img, &d), code, "%s", d.msg);
	snprintf(want, sizeof(want), "%s:%s", tmp_cfg, tail);
	cr_expect_str_eq(d.msg, want);
}

static void expect_valid(const gang_profile *p, const gang_image *img)
{
	gang_diag d = { 0 };

	cr_expect_eq(gang_profile_validate(p, &chk_rc, img, &d), GANG_OK, "%s", d.msg);
}

Test(profile_check, image_outside_flash_is_an_image_error)
{
	gang_profile *p = load_text(BASE);
	chk_img ci = { 0 };
	char tail[300];

	chk_img_add(&ci, F1_BASE, 1024);
	expect_valid(p, &ci.img);
	chk_img_add(&ci, 0x0803FF00U, 512);
	snprintf(tail, sizeof(tail),
		 "3: image.file: %s/fw.hex has data at 0x0803FF00-0x080400FF outside flash "
		 "0x08000000-0x0803FFFF (256 KiB)", tmp_dir);
	expect_invalid(p, &ci.img, GANG_EIMAGE, tail);
	gang_profile_free(p);
}

Test(profile_check, serial_must_lie_inside_flash)
{
	gang_profile *p = load_text(BASE "serial = { pool = \"p\";\n address = 0x0803FFFE;\n"
				    " format = \"u32le\"; start = 1; end = 2; };\n");

	expect_invalid(p, NULL, GANG_EPROFILE,
		       "7: serial.address: serial bytes 0x0803FFFE-0x08040001 lie outside flash "
		       "0x08000000-0x0803FFFF");
	gang_profile_free(p);
	p = load_text(BASE "serial = { pool = \"p\"; address = 0x07FFFFFE;"
			   " format = \"u32le\"; start = 1; end = 2; };\n");
	expect_invalid(p, NULL, GANG_EPROFILE,
		       "6: serial.address: serial bytes 0x07FFFFFE-0x08000001 lie outside flash "
		       "0x08000000-0x0803FFFF");
	gang_profile_free(p);
}

Test(profile_check, serial_must_not_overlap_image_data_unless_overlay)
{
	gang_profile *p = load_text(BASE "serial = { pool = \"p\"; address = 0x08000FFE;"
				    " format = \"u32le\"; guard = \"complement\"; start = 1; end = 2; };\n");
	chk_img ci = { 0 };

	chk_img_add(&ci, F1_BASE, 0x1000);
	expect_invalid(p, &ci.img, GANG_EPROFILE,
		       "6: serial.address: serial bytes 0x08000FFE-0x08001005 overlap image data at "
		       "0x08000FFE-0x08000FFF (set serial.overlay = true if the image reserves this space)");
	gang_profile_free(p);
	p = load_text(BASE "serial = { pool = \"p\"; address = 0x08000FFE; overlay = true;"
			   " format = \"u32le\"; guard = \"complement\"; start = 1; end = 2; };\n");
	expect_valid(p, &ci.img);
	gang_profile_free(p);
}

Test(profile_check, serial_right_after_image_data_is_fine)
{
	gang_profile *p = load_text(BASE "serial = { pool = \"p\"; address = 0x08001000;"
				    " format = \"u64le\"; start = 1; end = 2; };\n");
	chk_img ci = { 0 };

	chk_img_add(&ci, F1_BASE, 0x1000);
	chk_img_add(&ci, 0x08001008U, 16);
	expect_valid(p, &ci.img);
	gang_profile_free(p);
}

Test(profile_check, write_protected_pages_must_exist)
{
	gang_profile *p = load_text(BASE "option_bytes = {\n wrp_pages = [ 0, 127, 128 ];\n};\n");

	expect_invalid(p, NULL, GANG_EPROFILE,
		       "7: option_bytes.wrp_pages: page 128 does not exist: the part has 128 pages "
		       "(0-127) of 2048 bytes");
	gang_profile_free(p);
}

Test(profile_check, a_flash_geometry_with_no_regions_or_a_hole_is_a_caller_bug)
{
	gang_profile *p = load_text(BASE);
	gang_diag d = { 0 };

	cr_expect_eq(gang_profile_validate(p, &chk_none, NULL, &d), GANG_ERR);
	cr_expect_eq(gang_profile_validate(p, &chk_gap, NULL, &d), GANG_ERR);
	cr_expect_str_eq(d.msg, "flash geometry: no regions, or regions that are empty or not contiguous");
	cr_expect_eq(gang_profile_plan(stdout, p, NULL, &chk_none, NULL), GANG_ERR);
	gang_profile_free(p);
}

/* Run the plan into a string (caller frees). */
static char *plan_text(const gang_profile *p, const gang_image *img, const char *pool)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	cr_assert_eq(gang_profile_plan(fp, p, img, &chk_rc, pool), GANG_OK);
	fclose(fp);
	return buf;
}

Test(profile_check, demo_plan_lists_every_step_in_order)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	chk_img ci = { 0 };
	char want[2048], *got;

	cr_assert_eq(gang_profile_load(&p, "profiles/demo-f103.cfg", &d), GANG_OK, "%s", d.msg);
	chk_img_add(&ci, F1_BASE, 0x1234);
	chk_img_add(&ci, 0x08002000U, 0x100);
	snprintf(want, sizeof(want),
		 "profile   demo-f103  profiles/demo-f103.cfg\n"
		 "          sha256 %s\n"
		 "target    STM32F103RC: flash 0x08000000-0x0803FFFF, 128 pages of 2048 bytes\n"
		 "image     profiles/firmware/demo-f103.hex\n"
		 "          sha256 %s\n"
		 "          0x08000000-0x080020FF\n"
		 "\n"
		 "steps\n"
		 "  connect       auto: normal attach, under reset if the chip does not answer, SWD 4000 kHz\n"
		 "  serial        pool demo (1000-999999) at 0x0803F800: u32le, 4 bytes\n"
		 "                first value 1000 -> e8 03 00 00\n"
		 "  unprotect     only on a read-protected chip (RDP 1): mass erase by the RDP regression\n"
		 "  erase         mass erase\n"
		 "  program       4916 bytes in 2 segments\n"
		 "                skipped with the erase on a board that already holds the image\n"
		 "  verify        CRC-32 of each programmed segment, computed on the chip\n"
		 "  option bytes  rdp=0 (unprotected; RDP 1->0 regression allowed: mass-erases)\n"
		 "  pass          recorded (serial burned), then the board is released\n"
		 "  after         reset and run the firmware\n"
		 "  retries       1\n"
		 "\n"
		 "pages to erase    all 128 (mass erase)\n"
		 "bytes to program  4920 (image 4916 + serial 4)\n"
		 "serial pool       demo: 17 used, next 1017\n",
		 p->sha256, ci.img.sha256);
	got = plan_text(p, &ci.img, "demo: 17 used, next 1017");
	cr_expect_str_eq(got, want);
	free(got);
	gang_profile_free(p);
}

Test(profile_check, page_erase_plan_lists_exactly_the_pages_written)
{
	gang_profile *p = load_text(BASE "serial = { pool = \"p\"; address = 0x0803F800;"
				    " format = \"bcd\"; length = 4; start = 1; end = 2; };\n");
	chk_img ci = { 0 };
	char *got;

	chk_img_add(&ci, F1_BASE, 0x1801);       /* pages 0-3 */
	chk_img_add(&ci, 0x08010000U, 16);       /* page 32 */
	got = plan_text(p, &ci.img, NULL);
	cr_expect_not_null(strstr(got, "  erase         only the pages or sectors written (listed below)\n"), "%s", got);
	cr_expect_not_null(strstr(got, "\npages to erase    6 (12288 bytes): 0-3, 32, 127\n"), "%s", got);
	cr_expect_not_null(strstr(got, "\nbytes to program  6165 (image 6161 + serial 4)\n"), "%s", got);
	cr_expect_not_null(strstr(got, "first value 1 -> 00 00 00 01\n"), "%s", got);
	cr_expect_not_null(strstr(got, "\nserial pool       not checked (no database)\n"), "%s", got);
	free(got);
	gang_profile_free(p);
}

Test(profile_check, plan_counts_overlaid_serial_bytes_once_and_shows_options)
{
	gang_profile *p = load_text("name = \"t\"; target = \"STM32F103RC\"; image = { file = \"a.hex\"; };\n"
				    "erase = \"none\"; verify = \"none\"; after = \"halt\"; retries = 0;\n"
				    "serial = { pool = \"p\"; address = 0x08000FFE; overlay = true;"
				    " format = \"u32be\"; start = 1; end = 2; };\n"
				    "option_bytes = { rdp = 1; user = { wdg_sw = true; }; data1 = 0x7F;"
				    " wrp_pages = \"0-3,5\"; };\n");
	chk_img ci = { 0 };
	char *got;

	chk_img_add(&ci, F1_BASE, 0x1000);
	got = plan_text(p, &ci.img, NULL);
	cr_expect_not_null(strstr(got, "\nbytes to program  4098 (image 4096 + serial 2)\n"), "%s", got);
	cr_expect_not_null(strstr(got, "erase         none (flash must already be blank where written)\n"), "%s", got);
	cr_expect_not_null(strstr(got, "\npages to erase    none\n"), "%s", got);
	cr_expect_not_null(strstr(got, "verify        none (boards are NOT verified)\n"), "%s", got);
	cr_expect_not_null(strstr(got, "option bytes  rdp=1 (read-protected after the next power cycle)"
				       " WDG_SW=1 Data1=0x7F wrp=0-3,5\n"), "%s", got);
	cr_expect_not_null(strstr(got, "after         leave the core halted\n"), "%s", got);
	cr_expect_not_null(strstr(got, "u32be, 4 bytes, may overwrite image data\n"), "%s", got);
	free(got);
	gang_profile_free(p);
}

Test(profile_check, plan_shows_the_ascii_serial_as_text_and_bytes)
{
	gang_profile *p = load_text(BASE "serial = { pool = \"p\"; address = 0x0803F800; format = \"ascii\";"
				    " template = \"SN{serial:04}\"; length = 8; pad = 0x20; guard = \"crc16\";"
				    " start = 7; end = 9999; };\n");
	char *got = plan_text(p, NULL, NULL), want[128];
	uint16_t crc = gang_serial_crc16((const uint8_t *)"SN0007  ", 8);

	/* "SN0007" + two pad bytes, then CRC-16/CCITT-FALSE of those 8 bytes. */
	snprintf(want, sizeof(want), "first value SN0007 -> 53 4e 30 30 30 37 20 20 %02x %02x\n",
		 crc & 0xFFU, crc >> 8);
	cr_expect_not_null(strstr(got, "ascii, 10 bytes with crc16\n"), "%s", got);
	cr_expect_not_null(strstr(got, want), "%s", got);
	cr_expect_not_null(strstr(got, "  program       (image not loaded)\n"), "%s", got);
	free(got);
	gang_profile_free(p);
}

Test(profile_check, demo_profile_fits_its_firmware_when_the_firmware_exists)
{
	gang_profile *p = NULL;
	gang_image *img = NULL;
	gang_diag d = { 0 };

	if (access("profiles/firmware/demo-f103.hex", R_OK) != 0)
		cr_skip_test("profiles/firmware/demo-f103.hex not built yet (owned by the firmware task)");
	cr_assert_eq(gang_profile_load(&p, "profiles/demo-f103.cfg", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_profile_load_image(&img, p, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_profile_validate(p, &chk_rc, img, &d), GANG_OK, "%s", d.msg);
	gang_image_free(img);
	gang_profile_free(p);
}

/* Prepare a profile for target with option_bytes body ob (an image at 0x08000000 beside it). */
static int chk_prepare(gang_diag *d, const char *target, const char *ob)
{
	char hex[160], text[512];
	gang_profile *p = NULL;
	gang_image *img = NULL;
	const gang_part *part = NULL;
	FILE *fp;
	int rc;

	snprintf(hex, sizeof(hex), "%s/fw.hex", tmp_dir);
	fp = fopen(hex, "w");
	cr_assert_not_null(fp);
	fputs(":020000040800F2\n:0400000000000008F4\n:00000001FF\n", fp);
	fclose(fp);
	snprintf(text, sizeof(text), "name = \"t\";\ntarget = \"%s\";\nimage = { file = \"fw.hex\"; };\n"
		 "erase = \"pages\";\nverify = \"crc\";\noption_bytes = {\n%s\n};\n", target, ob);
	fp = fopen(tmp_cfg, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	rc = gang_profile_prepare(&p, &img, &part, tmp_cfg, d);
	gang_image_free(img);
	gang_profile_free(p);
	remove(hex);
	return rc;
}

Test(profile_check, an_option_byte_the_family_lacks_is_named_with_those_it_has)
{
	gang_diag d = { 0 };
	char want[512];

	cr_assert_eq(chk_prepare(&d, "STM32F103RC", "  user = { nboot1 = true; };"), GANG_EPROFILE, "%s", d.msg);
	snprintf(want, sizeof(want), "%s:7: option_bytes.user.nboot1: the F1 family has no such user option "
		 "byte (it has WDG_SW, nRST_STOP, nRST_STDBY, Data0, Data1)", tmp_cfg);
	cr_expect_str_eq(d.msg, want);
	cr_expect_eq(chk_prepare(&d, "STM32F030R8", "  user = { nboot1 = true; };"), GANG_OK, "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32F103RC", "  user = { wdg_sw = false; nrst_stop = true; };"), GANG_OK,
		     "%s", d.msg);
}

/*
 * The double-word families name their FLASH_OPTR bits as their own manual
 * does (RM0444 §3.7.8 G0: nBOOT_SEL, BORR_LEV; RM0351 §3.7.8 L4: BOR_LEV,
 * DUALBANK; RM0434 WB: BOR_LEV at b9): a name another family has is
 * refused at load, naming the family.
 */
Test(profile_check, double_word_families_take_only_their_own_option_names)
{
	gang_diag d = { 0 };

	cr_expect_eq(chk_prepare(&d, "STM32G071RB", "  user = { nBOOT_SEL = true; BORR_LEV = 2; NRST_MODE = 3; };"),
		     GANG_OK, "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32G071RB", "  user = { BOR_LEV = 1; };"), GANG_EPROFILE);
	cr_expect(strstr(d.msg, "the G0 family has no such user option byte") != NULL, "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32L476RG", "  user = { BOR_LEV = 4; nRST_STOP = true; DUALBANK = true; };"),
		     GANG_OK, "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32L476RG", "  user = { nBOOT_SEL = true; };"), GANG_EPROFILE);
	cr_expect(strstr(d.msg, "the L4 family has no such user option byte") != NULL, "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32L476RG", "  user = { BOR_LEV = 8; };"), GANG_EPROFILE);
	cr_expect_eq(chk_prepare(&d, "STM32G474RE", "  user = { DBANK = true; nSWBOOT0 = false; };"), GANG_OK,
		     "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32L4R5ZI", "  user = { DBANK = true; DB1M = false; };"), GANG_OK, "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32WB55RG", "  user = { ESE = true; };"), GANG_EPROFILE,
		     "CPU2's security bit stays out of reach");
	cr_expect_eq(chk_prepare(&d, "STM32C031C6", "  user = { DUAL_BANK = true; };"), GANG_EPROFILE);
	cr_expect_eq(chk_prepare(&d, "STM32G0B1RE", "  user = { WRP1A = 0x0700; };"), GANG_OK, "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32G0B1RE", "  wrp_pages = \"0-3\";"), GANG_EPROFILE,
		     "page bits are not how these parts protect: WRP1A/WRP1B areas are");
}

Test(profile_check, serial_lease_is_read_as_a_count)
{
	gang_profile *p = load_text(BASE "serial = { pool = \"p\"; address = 0x08030000; format = \"u32le\";"
					 " start = 1; end = 900; lease = 50; };\n");

	cr_expect_eq(p->serial.lease, 50U);
	gang_profile_free(p);
}

/*
 * RM0433/RM0468 single core vs RM0399 dual core: the H745's boot
 * addresses are BOOT_CM7_ADD0/1 and BOOT_CM4_ADD0/1, the H743's and
 * H723's BOOT_ADD0/1; a name of the other core count, or SWAP_BANK_OPT on
 * the one-bank H723 (§4.3.13), is refused at load, naming the part.
 */
Test(profile_check, h7_option_names_of_the_other_core_count_are_refused_naming_the_part)
{
	gang_diag d = { 0 };
	char want[512];

	cr_expect_eq(chk_prepare(&d, "STM32H745ZI", "  user = { BOOT_CM4_ADD0 = 0x0810; BCM4 = true; "
				 "BOOT_CM7_ADD0 = 0x0800; SWAP_BANK_OPT = true; };"), GANG_OK, "%s", d.msg);
	cr_expect_eq(chk_prepare(&d, "STM32H743ZI", "  user = { BOOT_ADD0 = 0x0800; SWAP_BANK_OPT = false; };"),
		     GANG_OK, "%s", d.msg);
	cr_assert_eq(chk_prepare(&d, "STM32H743ZI", "  user = { BOOT_CM4_ADD0 = 0x0810; };"), GANG_EPROFILE);
	snprintf(want, sizeof(want), "%s:7: option_bytes.user.BOOT_CM4_ADD0: option byte BOOT_CM4_ADD0 exists "
		 "only on the dual-core H745/H747/H755/H757, not on the STM32H743ZI (it has RDP, BOR_LEV, IWDG1_SW, "
		 "NRST_STOP_D1, NRST_STBY_D1, FZ_IWDG_STOP, FZ_IWDG_SDBY, IO_HSLV, SWAP_BANK_OPT, BOOT_ADD0, "
		 "BOOT_ADD1, WRPSN)", tmp_cfg);
	cr_expect_str_eq(d.msg, want);
	cr_assert_eq(chk_prepare(&d, "STM32H745ZI", "  user = { BOOT_ADD1 = 0x1FF0; };"), GANG_EPROFILE);
	cr_expect(strstr(d.msg, "BOOT_ADD1 exists only on the single-core H742/H743/H750/H753 and H72x/H73x, not "
			 "on the STM32H745ZI") != NULL, "%s", d.msg);
	cr_assert_eq(chk_prepare(&d, "STM32H723ZG", "  user = { SWAP_BANK_OPT = true; };"), GANG_EPROFILE);
	cr_expect(strstr(d.msg, "SWAP_BANK_OPT exists only on the two-bank") != NULL, "%s", d.msg);
	cr_expect(strstr(d.msg, "not on the STM32H723ZG") != NULL, "%s", d.msg);
}

/* RM0456 §7.6.2: rdp = 0.5 on a U5 loads as level 0.5 and the plan says what it means. */
Test(profile_check, plan_shows_rdp_0_5_on_a_u5)
{
	gang_profile *p = load_text("name = \"t\"; target = \"STM32U575ZI\"; image = { file = \"a.hex\"; };\n"
				    "erase = \"pages\"; verify = \"crc\";\n"
				    "option_bytes = { rdp = 0.5; user = { BOR_LEV = 1; }; };\n");
	char *got;

	cr_expect_eq(p->ob.rdp, GANG_OB_RDP_LEVEL05);
	got = plan_text(p, NULL, NULL);
	cr_expect_not_null(strstr(got, "option bytes  rdp=0.5 (TrustZone: the debugger reaches non-secure memory only "
				       "after the reload) BOR_LEV=1\n"), "%s", got);
	free(got);
	gang_profile_free(p);
	/* a blank chip in one run: TZEN with 0.5 loads (two option writes on the board) */
	p = load_text("name = \"t\"; target = \"STM32U575ZI\"; image = { file = \"a.hex\"; };\n"
		      "erase = \"pages\"; verify = \"crc\";\n"
		      "option_bytes = { rdp = 0.5; user = { TZEN = true; }; confirm_permanent_lock = "
		      "\"I understand this locks the chip forever\"; };\n");
	cr_expect_eq(p->ob.rdp, GANG_OB_RDP_LEVEL05);
	gang_profile_free(p);
}

/* RM0433 §4.3.13: a profile that swaps the H743's banks is told, in the plan, where each bank will answer. */
Test(profile_check, plan_says_where_the_banks_answer_when_the_profile_swaps_them)
{
	gang_profile *p = load_text("name = \"t\"; target = \"STM32H743ZI\"; image = { file = \"a.hex\"; };\n"
				    "erase = \"sectors\"; verify = \"crc\";\n"
				    "option_bytes = { user = { SWAP_BANK_OPT = true; }; };\n");
	gang_profile *q = load_text("name = \"t\"; target = \"STM32H743ZI\"; image = { file = \"a.hex\"; };\n"
				    "erase = \"sectors\"; verify = \"crc\";\n"
				    "option_bytes = { user = { BOR_LEV = 1; }; };\n");
	char *got = plan_text(p, NULL, NULL), *plain = plan_text(q, NULL, NULL);

	cr_expect_not_null(strstr(got, "SWAP_BANK_OPT=1\n                NOTE banks swapped: bank 2 answers at "
				       "0x08000000 (the boot address), bank 1 at 0x08100000"), "%s", got);
	cr_expect_null(strstr(plain, "NOTE"), "no swap, no note: %s", plain);
	free(got);
	free(plain);
	gang_profile_free(p);
	gang_profile_free(q);
}
