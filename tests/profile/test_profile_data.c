/*
 * test_profile_data.c — the data list of a profile (profiles/README.md
 * "Data items"): mac and list items load with their keys; every refusal
 * names file:line: key (a bad MAC, a missing byte_order, a key the format
 * does not use, overlapping addresses between items and with the serial
 * or the checksum word, one pool twice); validate keeps items inside
 * flash and clear of image data; the plan has a data step after serial.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/profile.h"

static char tmp_dir[64];
static char tmp_cfg[128];

static void data_setup(void)
{
	strcpy(tmp_dir, "/tmp/gang-profdata-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp_dir));
	snprintf(tmp_cfg, sizeof(tmp_cfg), "%s/d.cfg", tmp_dir);
}

static void data_teardown(void)
{
	remove(tmp_cfg);
	cr_expect_eq(rmdir(tmp_dir), 0);
}

TestSuite(profile_data, .init = data_setup, .fini = data_teardown, .timeout = 10);

/* Lines 1-6: a valid profile with a serial at 0x0803F800 (4 bytes); line 7 is "data = (". */
#define BASE \
	"name = \"t\";\n" \
	"target = \"STM32F103RC\";\n" \
	"image = { file = \"fw.hex\"; };\n" \
	"serial = { pool = \"sn\"; address = 0x0803F800; format = \"u32le\"; start = 1; end = 9; };\n" \
	"checksum = { address = 0x0803F7F0; over = [0x0803F800, 0x0803F900]; kind = \"crc32\"; };\n" \
	"erase = \"mass\"; verify = \"crc\";\n" \
	"data = (\n"
#define MAC(addr, extra) \
	"{ pool = \"mac\"; address = " addr "; format = \"mac\"; byte_order = \"msb-first\"; " \
	"start = \"00:80:E1:00:00:00\"; end = \"00:80:E1:00:FF:FF\"; " extra " }"
#define LIST(pool, addr, extra) \
	"{ pool = \"" pool "\"; address = " addr "; format = \"list\"; length = 16; " extra " }"

static int load(gang_profile **p, const char *text, gang_diag *d)
{
	FILE *fp = fopen(tmp_cfg, "w");

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	return gang_profile_load(p, tmp_cfg, d);
}

static void expect_error(const char *text, const char *tail)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char want[GANG_DIAG_LEN];

	cr_assert_eq(load(&p, text, &d), GANG_EPROFILE, "%s", d.msg);
	cr_expect_null(p);
	snprintf(want, sizeof(want), "%s:%s", tmp_cfg, tail);
	cr_expect_str_eq(d.msg, want);
}

Test(profile_data, a_mac_and_a_secret_list_load_and_the_plan_writes_them_after_the_serial)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(load(&p, BASE MAC("0x0803F810", "byte_order = \"lsb-first\";") ",\n"
			 LIST("keys", "0x0803F820", "secret = true; pad = 0xFF;") "\n);\n", &d),
		     GANG_EPROFILE, "byte_order given twice is a libconfig error");
	cr_assert_eq(load(&p, BASE "{ pool = \"mac\"; address = 0x0803F810; format = \"mac\"; byte_order = "
			 "\"lsb-first\"; start = \"00:80:E1:00:00:10\"; end = \"00:80:e1:00:00:1f\"; },\n"
			 LIST("keys", "0x0803F820", "secret = true; pad = 0xFF;") "\n);\n", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(p->n_data, 2);
	cr_expect_eq(p->data[0].kind, GANG_PDATA_MAC);
	cr_expect_eq(p->data[0].first, 0x0080E1000010ULL);
	cr_expect_eq(p->data[0].last, 0x0080E100001FULL);
	cr_expect_not(p->data[0].msb_first);
	cr_expect_eq(p->data[0].length, 6);
	cr_expect_eq(p->data[1].kind, GANG_PDATA_LIST);
	cr_expect(p->data[1].secret);
	cr_expect_eq(p->data[1].pad, 0xFF);
	cr_expect_eq(p->data[1].length, 16);
	cr_assert_geq(p->plan.n, 4);
	cr_expect_str_eq(p->plan.step[1].name, "serial");
	cr_expect_str_eq(p->plan.step[2].name, "data");
	cr_expect_str_eq(p->plan.step[3].name, "checksum", "the checksum covers the data");
	gang_profile_free(p);
}

Test(profile_data, a_profile_without_data_has_no_data_step)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(load(&p, "name = \"t\";\ntarget = \"STM32F103RC\";\nimage = { file = \"fw.hex\"; };\nerase = \"mass\";\nverify = \"crc\";\n",
			 &d),
		     GANG_OK, "%s", d.msg);
	for (size_t i = 0; i < p->plan.n; i++)
		cr_expect_str_neq(p->plan.step[i].name, "data");
	gang_profile_free(p);
}

Test(profile_data, refusals_name_file_line_and_key)
{
	expect_error(BASE "{ pool = \"mac\"; address = 0x0803F810; format = \"mac\"; byte_order = \"msb-first\";\n"
		     "start = \"00:80:E1:00:00\"; end = \"00:80:E1:00:FF:FF\"; }\n);\n",
		     "9: data[0].start: '00:80:E1:00:00' is not a MAC address like \"00:80:E1:00:00:00\"");
	expect_error(BASE "{ pool = \"mac\"; address = 0x0803F810; format = \"mac\";\n"
		     "start = \"00:80:E1:00:00:00\"; end = \"00:80:E1:00:FF:FF\"; }\n);\n",
		     "8: data[0].byte_order: missing (required)");
	expect_error(BASE MAC("0x0803F810", "\nlength = 6;") "\n);\n", "9: data[0].length: not used by format mac");
	expect_error(BASE LIST("keys", "0x0803F810", "\nstart = \"x\";") "\n);\n",
		     "9: data[0].start: not used by format list");
	expect_error(BASE "{ pool = \"mac\"; address = 0x0803F810; format = \"mac\"; byte_order = \"msb-first\"; "
		     "start = \"00:80:E1:00:00:09\";\nend = \"00:80:E1:00:00:01\"; }\n);\n", "9: data[0].end: is below start");
	expect_error(BASE LIST("keys", "0x0803F810", "format2 = 1;") "\n);\n",
		     "8: data[0].format2: unknown key (expected one of: pool, address, format, byte_order, start, "
		     "end, length, pad, secret, overlay)");
	expect_error(BASE "1\n);\n", "8: data[0]: expected a group { pool = ...; ... }");
}

Test(profile_data, overlapping_addresses_are_refused_naming_both)
{
	expect_error(BASE LIST("keys", "0x0803F7FC", "") "\n);\n",
		     "8: data[0].address: bytes 0x0803F7FC-0x0803F80B overlap the serial (pool 'sn') at "
		     "0x0803F800-0x0803F803");
	expect_error(BASE MAC("0x0803F7EE", "") "\n);\n",
		     "8: data[0].address: bytes 0x0803F7EE-0x0803F7F3 overlap the checksum word at 0x0803F7F0-0x0803F7F3");
	expect_error(BASE MAC("0x0803F810", "") ",\n" LIST("keys", "0x0803F815", "") "\n);\n",
		     "9: data[1].address: bytes 0x0803F815-0x0803F824 overlap data[0] (pool 'mac') at "
		     "0x0803F810-0x0803F815");
	expect_error(BASE LIST("keys", "0x0803F810", "") ",\n" LIST("keys", "0x0803F830", "") "\n);\n",
		     "9: data[1].pool: 'keys' is already data[0]'s pool (one item per pool)");
	expect_error(BASE LIST("sn", "0x0803F810", "") "\n);\n",
		     "8: data[0].pool: 'sn' is the serial's pool; a data pool needs a name of its own");
}

Test(profile_data, a_scan_group_loads_and_a_bad_pattern_names_file_line_and_key)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(load(&p, BASE LIST("keys", "0x0803F810", "") "\n);\nscan = { pattern = \"^PCB-[0-9]{8}$\"; };\n",
			 &d), GANG_OK, "%s", d.msg);
	cr_expect(p->scan.present && p->scan.required);
	cr_expect_str_eq(p->scan.pattern, "^PCB-[0-9]{8}$");
	cr_expect_str_eq(p->plan.step[1].name, "scan", "the label is bound before the serial is reserved");
	gang_profile_free(p);
	expect_error(BASE LIST("keys", "0x0803F810", "") "\n);\nscan = { required = false;\npattern = \"^PCB-[0-9\"; };\n",
		     "11: scan.pattern: \"^PCB-[0-9\" is not a POSIX extended regular expression: Unmatched [, [^, [:, "
		     "[., or [=");
	expect_error(BASE LIST("keys", "0x0803F810", "") "\n);\nscan = { required = true; };\n",
		     "10: scan.pattern: missing (required)");
}
