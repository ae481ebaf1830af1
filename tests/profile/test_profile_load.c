/*
 * test_profile_load.c — loading production profiles: the demo profile, a
 * fixture setting every key, the SHA-256 of the file's bytes, relative image
 * paths, and every rejection with its exact "file:line: key: what" message.
 * Tests run from the repository root (make test / tools/run-tests).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/profile.h"

static char tmp_dir[64];
static char tmp_cfg[128];

static void load_setup(void)
{
	strcpy(tmp_dir, "/tmp/gang-profile-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp_dir));
	snprintf(tmp_cfg, sizeof(tmp_cfg), "%s/p.cfg", tmp_dir);
}

static void load_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(profile_load, .init = load_setup, .fini = load_teardown, .timeout = 10);

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");

	cr_assert_not_null(fp, "cannot write %s", path);
	cr_assert_eq(fwrite(text, 1, len, fp), len);
	fclose(fp);
}

/* Lines 1-5 of a minimal valid profile; error cases append from line 6. */
#define BASE \
	"name = \"t\";\n" \
	"target = \"STM32F103RC\";\n" \
	"image = { file = \"fw.hex\"; };\n" \
	"erase = \"mass\";\n" \
	"verify = \"crc\";\n"

static gang_profile *load_ok(const char *text)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	write_file(tmp_cfg, text, strlen(text));
	cr_assert_eq(gang_profile_load(&p, tmp_cfg, &d), GANG_OK, "%s", d.msg);
	return p;
}

Test(profile_load, demo_profile_loads_with_the_documented_values)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_profile_load(&p, "profiles/demo-f103.cfg", &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(p->name, "demo-f103");
	cr_expect_str_eq(p->target, "STM32F103RC");
	cr_expect_str_eq(p->image_path, "profiles/firmware/demo-f103.hex");
	cr_expect_eq(p->image_format, GANG_IMAGE_IHEX);
	cr_expect_not(p->image_has_address);
	cr_expect_eq(p->connect, GANG_CONNECT_AUTO);
	cr_expect_eq(p->swd_khz, 4000);
	cr_expect_eq(p->erase, GANG_ERASE_MASS);
	cr_expect_eq(p->verify, GANG_VERIFY_CRC);
	cr_expect(p->serial.present);
	cr_expect_str_eq(p->serial.pool, "demo");
	cr_expect_eq(p->serial.address, 0x0803F800U);
	cr_expect_eq(p->serial.fmt.kind, GANG_SERIAL_U32LE);
	cr_expect_eq(p->serial.start, 1000);
	cr_expect_eq(p->serial.end, 999999);
	cr_expect_not(p->serial.overlay);
	cr_expect_eq(p->serial.lease, 0);
	cr_expect(p->ob.present);
	cr_expect_eq(p->ob.rdp, 0);
	cr_expect_eq(p->ob.n_fields, 0);
	cr_expect_not(p->ob.wrp_set);
	cr_expect_eq(p->after, GANG_AFTER_RUN);
	cr_expect_eq(p->retries, 1);
	gang_profile_free(p);
}

Test(profile_load, every_key_of_the_full_fixture_lands_in_its_field)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_profile_load(&p, "tests/fixtures/profiles/full.cfg", &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(p->target, "STM32F103RC");
	cr_expect_str_eq(p->station, "line-2.bench_A");
	cr_expect_str_eq(p->description, "all keys, non-default values");
	cr_expect_str_eq(p->image_path, "tests/fixtures/profiles/fw/app.bin");
	cr_expect_eq(p->image_format, GANG_IMAGE_BIN);
	cr_expect(p->image_has_address);
	cr_expect_eq(p->image_address, 0x08004000U);
	cr_expect_eq(p->connect, GANG_CONNECT_UNDER_RESET);
	cr_expect_eq(p->swd_khz, 1800);
	cr_expect_eq(p->erase, GANG_ERASE_PAGES);
	cr_expect_eq(p->verify, GANG_VERIFY_READBACK);
	cr_expect_eq(p->after, GANG_AFTER_HALT);
	cr_expect_eq(p->retries, 3);
	gang_profile_free(p);
}

Test(profile_load, full_fixture_serial_and_option_bytes)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_profile_load(&p, "tests/fixtures/profiles/full.cfg", &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(p->serial.pool, "full-2026");
	cr_expect_eq(p->serial.address, 0x0803F000U);
	cr_expect_eq(p->serial.fmt.kind, GANG_SERIAL_ASCII);
	cr_expect_str_eq(p->serial.fmt.tmpl, "GNG-{yyyy}{ww}-{serial:010}");
	cr_expect_eq(p->serial.fmt.length, 24);
	cr_expect_eq(p->serial.fmt.pad, 0xFF);
	cr_expect_eq(p->serial.fmt.guard, GANG_SERIAL_GUARD_CRC16);
	cr_expect_eq(p->serial.start, 5000000000ULL);
	cr_expect_eq(p->serial.end, 5000999999ULL);
	cr_expect(p->serial.overlay);
	cr_expect_eq(p->ob.rdp, 0);
	cr_expect(p->ob.allow_unprotect);
	cr_assert_eq(p->ob.n_fields, 5);
	cr_expect_str_eq(p->ob.fields[0].name, "WDG_SW");
	cr_expect_eq(p->ob.fields[0].value, 1);
	cr_expect_str_eq(p->ob.fields[1].name, "nRST_STOP");
	cr_expect_eq(p->ob.fields[1].value, 0);
	cr_expect_str_eq(p->ob.fields[2].name, "nRST_STDBY");
	cr_expect_eq(p->ob.fields[2].value, 1);
	cr_expect_str_eq(p->ob.fields[3].name, "Data0");
	cr_expect_eq(p->ob.fields[3].value, 0x5A);
	cr_expect_str_eq(p->ob.fields[4].key, "data1");
	cr_expect_eq(p->ob.fields[4].value, 255);
	cr_assert_eq(p->ob.n_wrp, 5);
	cr_expect_arr_eq(p->ob.wrp_pages, ((uint32_t[]){ 0, 1, 2, 3, 8 }), 5 * sizeof(uint32_t));
	gang_profile_free(p);
}

Test(profile_load, rdp_2_is_accepted_with_the_exact_confirmation)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_profile_load(&p, "tests/fixtures/profiles/lock-forever.cfg", &d), GANG_OK,
		     "%s", d.msg);
	cr_expect_eq(p->ob.rdp, 2);
	cr_expect(p->ob.confirm_lock);
	cr_expect_eq(p->ob.n_wrp, 4);
	cr_expect_not(p->serial.present);
	gang_profile_free(p);
}

Test(profile_load, defaults_apply_to_optional_keys)
{
	gang_profile *p = load_ok(BASE);

	cr_expect_eq(p->connect, GANG_CONNECT_AUTO);
	cr_expect_eq(p->swd_khz, 4000);
	cr_expect_eq(p->after, GANG_AFTER_RUN);
	cr_expect_eq(p->retries, 1);
	cr_expect_not(p->serial.present);
	cr_expect_not(p->ob.present);
	cr_expect_eq(p->ob.rdp, -1);
	cr_expect_eq(p->ob.n_fields, 0);
	cr_expect_str_eq(p->station, "");
	gang_profile_free(p);
}

Test(profile_load, sha256_covers_the_file_bytes)
{
	char cmd[256], want[65] = "";
	gang_profile *p = load_ok(BASE "# a comment changes the hash, not the meaning\n");
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", tmp_cfg);
	fp = popen(cmd, "r");
	cr_assert_not_null(fp);
	cr_assert_eq(fscanf(fp, "%64s", want), 1);
	pclose(fp);
	cr_expect_str_eq(p->sha256, want);
	gang_profile_free(p);
}

Test(profile_load, image_paths_resolve_against_the_profile_directory)
{
	char sub[128], path[160], want[200];
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	const char *text = BASE;

	snprintf(sub, sizeof(sub), "%s/sub", tmp_dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/p.cfg", sub);
	write_file(path, text, strlen(text));
	cr_assert_eq(gang_profile_load(&p, path, &d), GANG_OK, "%s", d.msg);
	snprintf(want, sizeof(want), "%s/fw.hex", sub);
	cr_expect_str_eq(p->image_path, want);
	gang_profile_free(p);
}

Test(profile_load, absolute_image_paths_are_kept)
{
	gang_profile *p = load_ok("name = \"t\"; target = \"STM32F103RC\"; erase = \"mass\";\n"
				  "verify = \"crc\"; image = { file = \"/opt/fw/a.elf\"; };\n");

	cr_expect_str_eq(p->image_path, "/opt/fw/a.elf");
	cr_expect_eq(p->image_format, GANG_IMAGE_ELF);
	gang_profile_free(p);
}

Test(profile_load, a_profile_in_the_current_directory_keeps_the_path_as_written)
{
	char cwd[256];
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	write_file(tmp_cfg, BASE, strlen(BASE));
	cr_assert_eq(chdir(tmp_dir), 0);
	cr_assert_eq(gang_profile_load(&p, "p.cfg", &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(p->image_path, "fw.hex");
	gang_profile_free(p);
	cr_assert_eq(chdir(cwd), 0);
}

Test(profile_load, image_format_override_and_extension_detection)
{
	gang_profile *p = load_ok("name = \"t\"; target = \"STM32F103RC\"; erase = \"mass\";\n"
				  "verify = \"crc\";\n"
				  "image = { file = \"fw.dat\"; format = \"srec\"; };\n");

	cr_expect_eq(p->image_format, GANG_IMAGE_SREC);
	gang_profile_free(p);
	p = load_ok("name = \"t\"; target = \"STM32F103RC\"; erase = \"mass\"; verify = \"crc\";\n"
		    "image = { file = \"FW.S19\"; };\n");
	cr_expect_eq(p->image_format, GANG_IMAGE_SREC);
	gang_profile_free(p);
}

Test(profile_load, load_image_reads_a_raw_binary_at_its_address)
{
	static const uint8_t fw[] = { 0x00, 0x50, 0x00, 0x20, 0x41, 0x01, 0x00, 0x08 };
	char bin[160];
	gang_profile *p;
	gang_image *img = NULL;
	gang_diag d = { 0 };

	snprintf(bin, sizeof(bin), "%s/fw.bin", tmp_dir);
	write_file(bin, (const char *)fw, sizeof(fw));
	p = load_ok("name = \"t\"; target = \"STM32F103RC\"; erase = \"mass\"; verify = \"crc\";\n"
		    "image = { file = \"fw.bin\"; address = 0x08002000; };\n");
	cr_assert_eq(gang_profile_load_image(&img, p, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x08002000U);
	cr_assert_eq(img->seg[0].len, sizeof(fw));
	cr_expect_arr_eq(img->seg[0].data, fw, sizeof(fw));
	gang_image_free(img);
	gang_profile_free(p);
}

Test(profile_load, load_image_failure_names_the_profile_line)
{
	gang_profile *p = load_ok(BASE);
	gang_image *img = (gang_image *)1;
	gang_diag d = { 0 };
	char want[200];

	cr_assert_eq(gang_profile_load_image(&img, p, &d), GANG_EFILE);
	cr_expect_null(img);
	snprintf(want, sizeof(want), "%s:3: image.file: ", tmp_cfg);
	cr_expect_eq(strncmp(d.msg, want, strlen(want)), 0, "got %s", d.msg);
	cr_expect_neq(strstr(d.msg, "fw.hex"), NULL, "got %s", d.msg);
	gang_profile_free(p);
}

Test(profile_load, a_missing_file_is_a_file_error)
{
	gang_profile *p = (gang_profile *)1;
	gang_diag d = { 0 };

	cr_assert_eq(gang_profile_load(&p, "/nonexistent/x.cfg", &d), GANG_EFILE);
	cr_expect_null(p);
	cr_expect_str_eq(d.msg, "/nonexistent/x.cfg: No such file or directory");
}

Test(profile_load, a_nul_byte_is_refused)
{
	gang_profile *p = (gang_profile *)1;
	gang_diag d = { 0 };
	char want[200];

	write_file(tmp_cfg, "name = \"t\";\0", 12);
	cr_assert_eq(gang_profile_load(&p, tmp_cfg, &d), GANG_EPROFILE);
	snprintf(want, sizeof(want), "%s: offset 11: NUL byte (not a text file)", tmp_cfg);
	cr_expect_str_eq(d.msg, want);
}

Test(profile_load, free_null_is_a_no_op)
{
	gang_profile_free(NULL);
}

Test(profile_load, names_of_the_modes)
{
	cr_expect_str_eq(gang_profile_connect_name(GANG_CONNECT_UNDER_RESET), "under-reset");
	cr_expect_str_eq(gang_profile_connect_name(GANG_CONNECT_HOT_PLUG), "hot-plug");
	cr_expect_str_eq(gang_profile_erase_name(GANG_ERASE_PAGES), "pages");
	cr_expect_str_eq(gang_profile_verify_name(GANG_VERIFY_READBACK), "readback");
	cr_expect_str_eq(gang_profile_after_name(GANG_AFTER_HALT), "halt");
	cr_expect_str_eq(gang_profile_after_name((gang_after_mode)9), "?");
}

Test(profile_load, every_shipped_profile_loads)
{
	static const char *const shipped[] = {
		"profiles/demo-f103.cfg",
		"profiles/example-f103-ascii.cfg",
		"profiles/example-f103c8-bcd.cfg",
		"profiles/example-f407.cfg",
		"profiles/example-f429.cfg",
		"profiles/example-f103-steps.cfg",
		"profiles/l053.cfg",
		"profiles/g071.cfg",
		"profiles/l476.cfg",
		"profiles/h743.cfg",
	};

	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		gang_profile *p = NULL;
		gang_image *img = NULL;
		const gang_part *part = NULL;
		gang_diag d = { 0 };

		/* loaded, image read and checked against the part's flash layout, as gang check does */
		cr_expect_eq(gang_profile_prepare(&p, &img, &part, shipped[i], &d), GANG_OK, "%s", d.msg);
		gang_image_free(img);
		gang_profile_free(p);
	}
}

/* RM0090 §3.9.10: the F4 examples name BOR_LEV, nRST_STOP, BFB2 as the manual does. */
Test(profile_load, f4_examples_set_their_familys_fields_and_sectors)
{
	gang_profile *a = NULL, *b = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_profile_load(&a, "profiles/example-f407.cfg", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_profile_load(&b, "profiles/example-f429.cfg", &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(a->ob.fields[0].name, "BOR_LEV");
	cr_expect_eq(a->ob.n_wrp, 3);
	cr_expect_eq(a->erase, GANG_ERASE_PAGES, "\"sectors\" is the erase-what-is-written mode");
	cr_expect_str_eq(b->ob.fields[0].name, "BFB2");
	cr_expect_eq(b->serial.address, 0x08100000U, "bank 2, sector 12");
	gang_profile_free(a);
	gang_profile_free(b);
}

/* RM0433 §4.9.9: the H7 example names BOR_LEV, IWDG1_SW, FZ_IWDG_STOP; its serial is bank 2's sector 0. */
Test(profile_load, h7_example_sets_its_familys_fields_and_spans_both_banks)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_profile_load(&p, "profiles/h743.cfg", &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(p->ob.fields[0].name, "BOR_LEV");
	cr_expect_str_eq(p->ob.fields[1].name, "IWDG1_SW");
	cr_expect_eq(p->serial.address, 0x08100000U, "bank 2, sector 0");
	cr_expect_eq(p->erase, GANG_ERASE_PAGES);
	gang_profile_free(p);
}

Test(profile_load, example_profiles_use_their_documented_features)
{
	gang_profile *a = NULL, *b = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_profile_load(&a, "profiles/example-f103-ascii.cfg", &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_profile_load(&b, "profiles/example-f103c8-bcd.cfg", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(a->image_format, GANG_IMAGE_BIN);
	cr_expect_eq(a->image_address, 0x08004000U);
	cr_expect_eq(a->serial.fmt.guard, GANG_SERIAL_GUARD_CRC16);
	cr_expect_eq(a->ob.n_wrp, 8);
	cr_expect_eq(b->serial.fmt.kind, GANG_SERIAL_BCD);
	cr_expect(!b->serial.overlay);
	cr_expect_eq(b->ob.rdp, 1);
	cr_expect_eq(b->connect, GANG_CONNECT_AUTO);
	gang_profile_free(a);
	gang_profile_free(b);
}
