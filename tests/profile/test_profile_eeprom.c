/*
 * test_profile_eeprom.c — the eeprom group and EEPROM addresses in
 * profiles, checked against a part by gang_profile_prepare: an STM32L053R8
 * (64 KiB flash at 0x08000000, 2 KiB data EEPROM at 0x08080000: DS10152,
 * RM0377 §3.3.1) and an STM32F103RC, which has none.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/profile.h"

static char ee_dir[64];
static char ee_path[3][128];   /* c.cfg, fw.hex, cal.bin */

static void ee_write(const char *path, const void *bytes, size_t len)
{
	FILE *fp = fopen(path, "wb");

	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(bytes, 1, len, fp), len);
	fclose(fp);
}

static void ee_setup(void)
{
	static const char *const names[] = { "c.cfg", "fw.hex", "cal.bin" };
	static const char hex[] = ":020000040800F2\n:0400000000000008F4\n:00000001FF\n";

	strcpy(ee_dir, "/tmp/gang-profee-XXXXXX");
	cr_assert_not_null(mkdtemp(ee_dir));
	for (int i = 0; i < 3; i++)
		snprintf(ee_path[i], sizeof(ee_path[i]), "%s/%s", ee_dir, names[i]);
	ee_write(ee_path[1], hex, strlen(hex));
}

static void ee_teardown(void)
{
	for (int i = 0; i < 3; i++)
		remove(ee_path[i]);
	cr_expect_eq(rmdir(ee_dir), 0);
}

TestSuite(profile_eeprom, .init = ee_setup, .fini = ee_teardown, .timeout = 10);

/* Prepare a profile for target whose lines after verify are extra; cal.bin holds cal_len bytes of 0xC5. */
static int ee_prepare(gang_diag *d, gang_image **img_out, const char *target, const char *extra, size_t cal_len)
{
	uint8_t cal[4096];
	char text[1024];
	gang_profile *p = NULL;
	const gang_part *part = NULL;
	int rc;

	memset(cal, 0xC5, sizeof(cal));
	cr_assert(cal_len <= sizeof(cal));
	ee_write(ee_path[2], cal, cal_len);
	snprintf(text, sizeof(text), "name = \"t\";\ntarget = \"%s\";\nimage = { file = \"fw.hex\"; };\n"
		 "erase = \"pages\";\nverify = \"crc\";\n%s", target, extra);
	ee_write(ee_path[0], text, strlen(text));
	rc = gang_profile_prepare(&p, img_out, &part, ee_path[0], d);
	gang_profile_free(p);
	return rc;
}

Test(profile_eeprom, a_calibration_file_and_the_serial_go_into_the_l053s_data_eeprom)
{
	gang_image *img = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(ee_prepare(&d, &img, "STM32L053R8",
				"eeprom = { file = \"cal.bin\"; address = 0x08080000; };\n"
				"serial = { pool = \"p\"; address = 0x08080100; format = \"u32le\"; start = 1; end = 9; };\n",
				64), GANG_OK, "%s", d.msg);
	cr_assert_eq(img->n_seg, 2U);
	cr_expect_eq(img->seg[1].addr, 0x08080000U);
	cr_expect_eq(img->seg[1].len, 64U);
	cr_expect_eq(img->seg[1].data[63], 0xC5);
	gang_image_free(img);
}

Test(profile_eeprom, a_file_larger_than_the_eeprom_names_its_key_and_the_range)
{
	gang_image *img = NULL;
	gang_diag d = { 0 };
	char want[512];

	cr_assert_eq(ee_prepare(&d, &img, "STM32L053R8", "eeprom = { file = \"cal.bin\"; address = 0x08080400; };\n",
				1028), GANG_EPROFILE);
	snprintf(want, sizeof(want), "%s:6: eeprom.file: %s puts data at 0x08080400-0x08080803 outside the "
		 "STM32L053R8's data EEPROM 0x08080000-0x080807FF (2048 bytes)", ee_path[0], ee_path[2]);
	cr_expect_str_eq(d.msg, want);
	cr_expect_null(img);
}

Test(profile_eeprom, a_part_without_eeprom_refuses_the_group)
{
	gang_image *img = NULL;
	gang_diag d = { 0 };
	char want[512];

	cr_assert_eq(ee_prepare(&d, &img, "STM32F103RC", "eeprom = { file = \"cal.bin\"; address = 0x08080000; };\n",
				16), GANG_EPROFILE);
	snprintf(want, sizeof(want), "%s:6: eeprom: the STM32F103RC has no data EEPROM", ee_path[0]);
	cr_expect_str_eq(d.msg, want);
}

Test(profile_eeprom, a_serial_past_the_eeprom_names_flash_and_eeprom)
{
	gang_image *img = NULL;
	gang_diag d = { 0 };
	char want[512];

	cr_assert_eq(ee_prepare(&d, &img, "STM32L053R8",
				"serial = { pool = \"p\"; address = 0x080807FE; format = \"u32le\"; start = 1; end = 9; };\n",
				16), GANG_EPROFILE);
	snprintf(want, sizeof(want), "%s:6: serial.address: serial bytes 0x080807FE-0x08080801 lie outside flash "
		 "0x08000000-0x0800FFFF and the data EEPROM 0x08080000-0x080807FF", ee_path[0]);
	cr_expect_str_eq(d.msg, want);
}

Test(profile_eeprom, a_checksum_word_may_live_in_eeprom_but_not_its_range)
{
	gang_image *img = NULL;
	gang_diag d = { 0 };

	cr_expect_eq(ee_prepare(&d, &img, "STM32L053R8",
				"checksum = { address = 0x08080010; over = [0x08000000, 0x08000100]; };\n", 16),
		     GANG_OK, "%s", d.msg);
	gang_image_free(img);
	img = NULL;
	cr_expect_eq(ee_prepare(&d, &img, "STM32L053R8",
				"checksum = { address = 0x08000200; over = [0x08080000, 0x08080100]; };\n", 16),
		     GANG_EPROFILE);
	cr_expect_not_null(strstr(d.msg, "checksum.over"), "%s", d.msg);
}
