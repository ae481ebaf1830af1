/*
 * test_profile_errors.c — every way a profile is refused, each with its
 * exact message: "file:line: key: what" (syntax errors keep libconfig's
 * line). Lines 1-5 of each case are a valid minimal profile (BASE).
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

static void err_setup(void)
{
	strcpy(tmp_dir, "/tmp/gang-proferr-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp_dir));
	snprintf(tmp_cfg, sizeof(tmp_cfg), "%s/x.cfg", tmp_dir);
}

static void err_teardown(void)
{
	remove(tmp_cfg);
	cr_expect_eq(rmdir(tmp_dir), 0);
}

TestSuite(profile_errors, .init = err_setup, .fini = err_teardown, .timeout = 10);

#define BASE \
	"name = \"t\";\n" \
	"target = \"STM32F103RC\";\n" \
	"image = { file = \"fw.hex\"; };\n" \
	"erase = \"mass\";\n" \
	"verify = \"crc\";\n"

/* A serial group on line 6 with the given extra members. */
#define SERIAL(extra) BASE "serial = { pool = \"p\"; address = 0x08030000; " extra " };\n"
#define SERIAL_U32(extra) SERIAL("format = \"u32le\"; start = 1; end = 9; " extra)
#define OB(extra) BASE "option_bytes = { " extra " };\n"

static void expect_error(const char *text, int code, const char *tail)
{
	gang_profile *p = (gang_profile *)1;
	gang_diag d = { 0 };
	char want[GANG_DIAG_LEN];
	FILE *fp = fopen(tmp_cfg, "w");

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	cr_assert_eq(gang_profile_load(&p, tmp_cfg, &d), code, "got %d: %s", d.code, d.msg);
	cr_expect_null(p);
	snprintf(want, sizeof(want), "%s:%s", tmp_cfg, tail);
	cr_expect_str_eq(d.msg, want);
}

Test(profile_errors, syntax_errors_keep_libconfig_line)
{
	expect_error(BASE "\nretries = ;\n", GANG_EPROFILE, "7: syntax error");
}

Test(profile_errors, duplicate_keys_are_refused)
{
	expect_error(BASE "erase = \"pages\";\n", GANG_EPROFILE, "6: duplicate setting name");
}

Test(profile_errors, include_is_refused_because_the_hash_would_not_cover_it)
{
	expect_error(BASE "  @include \"other.cfg\"\n", GANG_EPROFILE,
		     "6: @include: not allowed (the profile's SHA-256 must cover everything it configures)");
}

Test(profile_errors, a_misspelt_top_level_key_is_not_ignored)
{
	expect_error(BASE "retires = 1;\n", GANG_EPROFILE,
		     "6: retires: unknown key (expected one of: name, target, station, description, image, "
		     "eeprom, connect, erase, verify, serial, option_bytes, after, retries, checksum, program, steps, data, scan)");
}

Test(profile_errors, required_top_level_keys)
{
	expect_error("target = \"STM32F103RC\";\n", GANG_EPROFILE, "1: name: missing (required)");
	expect_error("name = \"t\";\nimage = { file = \"a.hex\"; };\n", GANG_EPROFILE,
		     "1: target: missing (required)");
	expect_error("name = \"t\";\ntarget = \"STM32F103RC\";\n", GANG_EPROFILE,
		     "1: image: missing (required)");
	expect_error("name = \"t\";\ntarget = \"STM32F103RC\";\nimage = { file = \"a.hex\"; };\n",
		     GANG_EPROFILE, "1: erase: missing (required)");
	expect_error("name = \"t\";\ntarget = \"STM32F103RC\";\nimage = { file = \"a.hex\"; };\n"
		     "erase = \"mass\";\n", GANG_EPROFILE, "1: verify: missing (required)");
}

Test(profile_errors, name_station_and_description)
{
	expect_error("name = \"demo f103\";\n", GANG_EPROFILE,
		     "1: name: 'demo f103' may contain only letters, digits, '.', '_' and '-'");
	expect_error("name = \"\";\n", GANG_EPROFILE, "1: name: must not be empty");
	expect_error("name = 5;\n", GANG_EPROFILE, "1: name: expected a string in double quotes, got an integer");
	expect_error(BASE "station = \"line/2\";\n", GANG_EPROFILE,
		     "6: station: 'line/2' may contain only letters, digits, '.', '_' and '-'");
	expect_error("name = \"t\";\ntarget = \"STM32F103RC\";\ndescription = true;\n", GANG_EPROFILE,
		     "3: description: expected a string in double quotes, got a boolean");
}

Test(profile_errors, target_must_be_an_stm32_part_number)
{
	expect_error("name = \"t\";\ntarget = \"ATmega328P\";\n", GANG_EPROFILE,
		     "2: target: 'ATmega328P' is not an STM32 part number (e.g. STM32F103RC)");
	expect_error("name = \"t\";\ntarget = \"STM32 F103\";\n", GANG_EPROFILE,
		     "2: target: 'STM32 F103' is not an STM32 part number (e.g. STM32F103RC)");
}

Test(profile_errors, an_unknown_target_names_the_line_and_the_closest_supported_parts)
{
	expect_error("name = \"t\";\ntarget = \"STM32F103C9\";\n", GANG_EPROFILE,
		     "2: target: unknown part 'STM32F103C9' (did you mean STM32F103C8 or STM32F103CB?)");
	expect_error("name = \"t\";\ntarget = \"stm32mp157c\";\n", GANG_EPROFILE,
		     "2: target: unknown part 'STM32MP157C' (not supported: 'gang parts' lists the supported parts)");
}

Test(profile_errors, image_group_keys)
{
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = \"fw.hex\";\n", GANG_EPROFILE,
		     "2: image: expected a group { ... }, got a string");
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = {\n fromat = \"ihex\";\n};\n",
		     GANG_EPROFILE, "3: image.fromat: unknown key (expected one of: file, address, format)");
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = { };\n", GANG_EPROFILE,
		     "2: image.file: missing (required)");
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = { file = \"\"; };\n",
		     GANG_EPROFILE, "2: image.file: must not be empty");
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = { file = \"a.hex\"; format = \"hex\"; };\n",
		     GANG_EPROFILE, "2: image.format: unknown value 'hex' (expected auto, bin, ihex, elf, srec)");
}

Test(profile_errors, raw_binaries_need_an_address_and_others_refuse_one)
{
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = {\n file = \"fw.bin\";\n};\n",
		     GANG_EPROFILE, "2: image.address: missing (required for a raw binary: where does 'fw.bin' go?)");
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = {\n file = \"fw.hex\";\n"
		     " address = 0x08000000;\n};\n",
		     GANG_EPROFILE, "4: image.address: only for raw binaries; a ihex file carries its own addresses");
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = { file = \"fw.dat\"; };\n",
		     GANG_EPROFILE, "2: image.file: cannot tell the format of 'fw.dat' from its extension; "
				    "set image.format (bin, ihex, elf, srec)");
	expect_error("name = \"t\"; target = \"STM32F103RC\";\nimage = { file = \"fw.bin\"; address = -1; };\n",
		     GANG_EPROFILE, "2: image.address: -1 out of range 0-4294967295");
}

Test(profile_errors, connect_mode_and_speed)
{
	expect_error(BASE "connect = { mode = \"under_reset\"; };\n", GANG_EPROFILE,
		     "6: connect.mode: unknown value 'under_reset' (expected auto, normal, under-reset, hot-plug)");
	expect_error(BASE "connect = { swd_khz = 30000; };\n", GANG_EPROFILE,
		     "6: connect.swd_khz: 30000 out of range 5-24000");
	expect_error(BASE "connect = { swd_khz = 4000.0; };\n", GANG_EPROFILE,
		     "6: connect.swd_khz: expected an integer, got a float");
	expect_error(BASE "connect = { speed = 4000; };\n", GANG_EPROFILE,
		     "6: connect.speed: unknown key (expected one of: mode, swd_khz)");
}

Test(profile_errors, erase_verify_after_retries)
{
	expect_error("name = \"t\"; target = \"STM32F103RC\"; image = { file = \"a.hex\"; };\n"
		     "erase = \"chip\";\n", GANG_EPROFILE,
		     "2: erase: unknown value 'chip' (expected mass, pages, sectors, none)");
	expect_error("name = \"t\"; target = \"STM32F103RC\"; image = { file = \"a.hex\"; };\n"
		     "erase = \"mass\"; verify = \"crc32\";\n", GANG_EPROFILE,
		     "2: verify: unknown value 'crc32' (expected crc, readback, none)");
	expect_error(BASE "after = \"go\";\n", GANG_EPROFILE,
		     "6: after: unknown value 'go' (expected run, reset, halt)");
	expect_error(BASE "retries = 11;\n", GANG_EPROFILE, "6: retries: 11 out of range 0-10");
	expect_error(BASE "retries = -1;\n", GANG_EPROFILE, "6: retries: -1 out of range 0-10");
	expect_error(BASE "retries = \"1\";\n", GANG_EPROFILE,
		     "6: retries: expected an integer, got a string");
}

Test(profile_errors, unknown_serial_format_is_named_with_the_valid_ones)
{
	expect_error(BASE "serial = {\n pool = \"demo\"; address = 0x0803F800;\n format = \"u31le\";\n};\n", GANG_EPROFILE,
		     "8: serial.format: unknown format 'u31le' (expected u32le, u32be, u64le, bcd, ascii)");
}

Test(profile_errors, serial_required_keys)
{
	expect_error(BASE "serial = { address = 0x08030000; };\n", GANG_EPROFILE,
		     "6: serial.pool: missing (required)");
	expect_error(BASE "serial = { pool = \"p\"; };\n", GANG_EPROFILE,
		     "6: serial.address: missing (required)");
	expect_error(SERIAL(""), GANG_EPROFILE, "6: serial.format: missing (required)");
	expect_error(SERIAL("format = \"u32le\";"), GANG_EPROFILE, "6: serial.start: missing (required)");
	expect_error(SERIAL("format = \"u32le\"; start = 1;"), GANG_EPROFILE,
		     "6: serial.end: missing (required)");
	expect_error(SERIAL("format = \"bcd\"; start = 1; end = 2;"), GANG_EPROFILE,
		     "6: serial.length: missing (required)");
	expect_error(SERIAL("format = \"ascii\"; length = 8; start = 1; end = 2;"), GANG_EPROFILE,
		     "6: serial.template: missing (required)");
}

Test(profile_errors, serial_pool_range)
{
	expect_error(SERIAL("format = \"u32le\"; start = 10; end = 9;"), GANG_EPROFILE,
		     "6: serial.end: 9 is below start 10");
	expect_error(SERIAL("format = \"u32le\"; start = -1; end = 9;"), GANG_EPROFILE,
		     "6: serial.start: -1 out of range 0-9223372036854775806");
	expect_error(SERIAL("format = \"u64le\"; start = 1; end = 4294967296;"), GANG_EPROFILE,
		     "6: serial.end: 4294967296 needs more than 32 bits; write it with an L suffix (4294967296L)");
	expect_error(SERIAL("format = \"u32le\"; start = 1; end = 4294967296L;"), GANG_EPROFILE,
		     "6: serial.end: the pool's largest serial cannot be written: serial 4294967296 does "
		     "not fit u32le (largest 4294967295)");
	expect_error(SERIAL("format = \"bcd\"; length = 2; start = 1; end = 10000;"), GANG_EPROFILE,
		     "6: serial.end: the pool's largest serial cannot be written: serial 10000 has 5 "
		     "digits; bcd length 2 holds 4");
}

Test(profile_errors, hex_addresses_above_2_gib_need_the_l_suffix)
{
	expect_error(BASE "serial = { pool = \"p\"; address = 0x80000000; };\n", GANG_EPROFILE,
		     "6: serial.address: 0x80000000 needs more than 32 bits; write it with an L suffix "
		     "(0x80000000L)");
}

Test(profile_errors, ascii_serial_too_long_for_the_pool_is_caught_at_check_time)
{
	expect_error(SERIAL("format = \"ascii\"; template = \"GNG-{yyyy}{ww}-{serial:06}\"; length = 16;"
			    " start = 1; end = 999999;"),
		     GANG_EPROFILE,
		     "6: serial.end: the pool's largest serial cannot be written: serial 999999 makes "
		     "'GNG-{yyyy}{ww}-{serial:06}' 17 characters long, more than length 16");
	expect_error(SERIAL("format = \"ascii\"; template = \"SN{serial:04}\"; length = 16;"
			    " start = 1; end = 10000;"),
		     GANG_EPROFILE,
		     "6: serial.end: the pool's largest serial cannot be written: serial 10000 is wider "
		     "than the {serial:04} field (4 digits)");
}

Test(profile_errors, serial_keys_that_the_format_does_not_use)
{
	expect_error(SERIAL_U32("length = 4;"), GANG_EPROFILE, "6: serial.length: not used by format u32le");
	expect_error(SERIAL_U32("template = \"{serial}\";"), GANG_EPROFILE,
		     "6: serial.template: not used by format u32le");
	expect_error(SERIAL("format = \"bcd\"; length = 4; pad = 0; start = 1; end = 2;"), GANG_EPROFILE,
		     "6: serial.pad: not used by format bcd");
}

Test(profile_errors, serial_template_guard_pad_and_overlay)
{
	expect_error(SERIAL("format = \"ascii\"; length = 8; template = \"{week}{serial}\"; start = 1; end = 2;"),
		     GANG_EPROFILE,
		     "6: serial.template: unknown field {week} (expected {serial}, {serial:0N}, {yyyy}, "
		     "{yy}, {gggg}, {gg}, {ww}, {mm}, {dd})");
	expect_error(SERIAL_U32("guard = \"crc32\";"), GANG_EPROFILE,
		     "6: serial.guard: unknown guard 'crc32' (expected none, complement, crc16)");
	expect_error(SERIAL("format = \"ascii\"; length = 8; template = \"{serial}\"; pad = 256; start = 1; end = 2;"),
		     GANG_EPROFILE, "6: serial.pad: 256 out of range 0-255");
	expect_error(SERIAL("format = \"bcd\"; length = 65; start = 1; end = 2;"), GANG_EPROFILE,
		     "6: serial.length: 65 out of range 1-64");
	expect_error(SERIAL_U32("overlay = 1;"), GANG_EPROFILE,
		     "6: serial.overlay: expected true or false, got an integer");
	expect_error(SERIAL_U32("adress = 1;"), GANG_EPROFILE,
		     "6: serial.adress: unknown key (expected one of: pool, address, format, start, end, "
		     "length, pad, template, guard, overlay, lease)");
	expect_error(BASE "serial = { pool = \"a b\"; address = 0x08030000; format = \"u32le\"; start = 1; end = 2; };\n",
		     GANG_EPROFILE, "6: serial.pool: 'a b' may contain only letters, digits, '.', '_' and '-'");
}

Test(profile_errors, serial_lease_is_a_count_of_1_to_a_million)
{
	expect_error(SERIAL_U32("lease = 0;"), GANG_EPROFILE, "6: serial.lease: 0 out of range 1-1000000");
	expect_error(SERIAL_U32("lease = 1000001;"), GANG_EPROFILE, "6: serial.lease: 1000001 out of range 1-1000000");
	expect_error(SERIAL_U32("lease = \"50\";"), GANG_EPROFILE, "6: serial.lease: expected an integer, got a string");
}

Test(profile_errors, rdp_2_without_the_sentence_would_lock_forever)
{
	expect_error(OB("rdp = 2;"), GANG_ELOCKED_FOREVER,
		     "6: option_bytes.rdp: level 2 locks the chip forever; add confirm_permanent_lock = "
		     "\"I understand this locks the chip forever\"");
	expect_error(OB("rdp = 2; confirm_permanent_lock = \"yes\";"), GANG_ELOCKED_FOREVER,
		     "6: option_bytes.confirm_permanent_lock: must be exactly \"I understand this locks "
		     "the chip forever\"");
	expect_error(OB("rdp = 1; confirm_permanent_lock = \"I understand this locks the chip forever\";"),
		     GANG_EPROFILE, "6: option_bytes.confirm_permanent_lock: only applies with rdp = 2");
	expect_error(OB("rdp = 3;"), GANG_EPROFILE, "6: option_bytes.rdp: 3 out of range 0-2");
}

Test(profile_errors, allow_unprotect_only_with_rdp_0)
{
	expect_error(OB("rdp = 1; allow_unprotect = true;"), GANG_EPROFILE,
		     "6: option_bytes.allow_unprotect: only applies with rdp = 0");
	expect_error(OB("allow_unprotect = true;"), GANG_EPROFILE,
		     "6: option_bytes.allow_unprotect: only applies with rdp = 0");
}

Test(profile_errors, option_byte_user_bits_and_data)
{
	expect_error(OB("user = { wdg_sw = 1; };"), GANG_EPROFILE,
		     "6: option_bytes.user.wdg_sw: expected true or false, got an integer");
	expect_error(OB("user = { nboot0 = true; };"), GANG_EPROFILE,
		     "6: option_bytes.user.nboot0: the F1 family has no such user option byte (it has WDG_SW, "
		     "nRST_STOP, nRST_STDBY, Data0, Data1)");
	expect_error(OB("user = { nBOOT1 = true; };"), GANG_EPROFILE,
		     "6: option_bytes.user.nBOOT1: the F1 family has no such user option byte (it has WDG_SW, "
		     "nRST_STOP, nRST_STDBY, Data0, Data1)");
	expect_error(OB("user = { Data0 = 300; };"), GANG_EPROFILE,
		     "6: option_bytes.user.Data0: 300 out of range 0-255");
	expect_error(OB("data0 = 256;"), GANG_EPROFILE, "6: option_bytes.data0: 256 out of range 0-255");
	expect_error(OB("data1 = -1;"), GANG_EPROFILE, "6: option_bytes.data1: -1 out of range 0-255");
	expect_error(OB(""), GANG_EPROFILE,
		     "6: option_bytes: empty group (remove it, or set rdp, user, data0, data1, wrp_pages)");
	expect_error(OB("rdp = 0; bor = 3;"), GANG_EPROFILE,
		     "6: option_bytes.bor: unknown key (expected one of: rdp, allow_unprotect, "
		     "confirm_permanent_lock, user, data0, data1, wrp_pages)");
}

/* RM0090 §3.9.10: BOR_LEV is two bits; BFB2 exists on the F4 family; an F2 has neither bank bit. */
#define F4_BASE(part) \
	"name = \"t\";\n" \
	"target = \"" part "\";\n" \
	"image = { file = \"fw.hex\"; };\n" \
	"erase = \"sectors\";\n" \
	"verify = \"crc\";\n"
Test(profile_errors, option_bytes_take_the_families_own_field_names)
{
	expect_error(F4_BASE("STM32F407VG") "option_bytes = { user = { BOR_LEV = 4; }; };\n", GANG_EPROFILE,
		     "6: option_bytes.user.BOR_LEV: 4 out of range 0-3");
	expect_error(F4_BASE("STM32F407VG") "option_bytes = { user = { BOR_LEV = true; }; };\n", GANG_EPROFILE,
		     "6: option_bytes.user.BOR_LEV: expected a number 0-3");
	expect_error(F4_BASE("STM32F205RG") "option_bytes = { user = { BFB2 = true; }; };\n", GANG_EPROFILE,
		     "6: option_bytes.user.BFB2: the F2 family has no such user option byte (it has BOR_LEV, "
		     "WDG_SW, nRST_STOP, nRST_STDBY)");
	expect_error(F4_BASE("STM32F407VG") "option_bytes = { data0 = 1; };\n", GANG_EPROFILE,
		     "6: option_bytes.data0: the F4 family has no option byte Data0 (it has BOR_LEV, BFB2, "
		     "WDG_SW, nRST_STOP, nRST_STDBY, DB1M)");
}

Test(profile_errors, wrp_pages_syntax)
{
	expect_error(OB("wrp_pages = \"5-3\";"), GANG_EPROFILE,
		     "6: option_bytes.wrp_pages: bad page or range 5-3 (pages are 0-65535, low-high)");
	expect_error(OB("wrp_pages = \"1,,2\";"), GANG_EPROFILE,
		     "6: option_bytes.wrp_pages: '1,,2' is not \"none\" or a page list like \"0-3,8\"");
	expect_error(OB("wrp_pages = \"all\";"), GANG_EPROFILE,
		     "6: option_bytes.wrp_pages: 'all' is not \"none\" or a page list like \"0-3,8\"");
	expect_error(OB("wrp_pages = ( 1, \"2\" );"), GANG_EPROFILE,
		     "6: option_bytes.wrp_pages: element 2: expected a page number");
	expect_error(OB("wrp_pages = [ 1, 70000 ];"), GANG_EPROFILE,
		     "6: option_bytes.wrp_pages: bad page or range 70000-70000 (pages are 0-65535, low-high)");
	expect_error(OB("wrp_pages = 3;"), GANG_EPROFILE,
		     "6: option_bytes.wrp_pages: expected \"none\", a page list string or [page, ...]");
}

Test(profile_errors, wrp_pages_none_unprotects_everything)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	FILE *fp = fopen(tmp_cfg, "w");

	cr_assert_not_null(fp);
	fputs(OB("wrp_pages = \"none\";"), fp);
	fclose(fp);
	cr_assert_eq(gang_profile_load(&p, tmp_cfg, &d), GANG_OK, "%s", d.msg);
	cr_expect(p->ob.wrp_set);
	cr_expect_eq(p->ob.n_wrp, 0);
	gang_profile_free(p);
}

/* libconfig clamps an L literal beyond 64 bits to INT64_MAX; check used to accept it, run refused it. */
Test(profile_errors, serial_end_beyond_64_bits_or_the_pool_limit_is_refused_at_load)
{
	expect_error(SERIAL("format = \"u64le\"; start = 1; end = 18446744073709551615L;"), GANG_EPROFILE,
		     "6: serial.end: 18446744073709551615 is out of range 0-9223372036854775806");
	expect_error(SERIAL("format = \"u64le\"; start = 1; end = 0xFFFFFFFFFFFFFFFFFL;"), GANG_EPROFILE,
		     "6: serial.end: 0xFFFFFFFFFFFFFFFFF is out of range 0-9223372036854775806");
	expect_error(SERIAL("format = \"u64le\"; start = 1; end = 9223372036854775807L;"), GANG_EPROFILE,
		     "6: serial.end: 9223372036854775807 out of range 0-9223372036854775806");
}

Test(profile_errors, text_with_control_characters_or_bad_utf8_is_refused_naming_the_byte)
{
	expect_error(BASE "description = \"ok\\x1b[2J\";\n", GANG_EPROFILE,
		     "6: description: byte 3 is a control character (U+001B)");
	expect_error(BASE "description = \"caf\xe9\";\n", GANG_EPROFILE,
		     "6: description: byte 4 (0xE9) is not UTF-8");
	expect_error(BASE "description = \"bidi \xe2\x80\xae\";\n", GANG_EPROFILE,
		     "6: description: byte 6 is a control character (U+202E)");
	expect_error(BASE "serial = { pool = \"a\\nb\"; address = 0x08030000; format = \"u32le\"; start = 1; end = 9; };\n",
		     GANG_EPROFILE, "6: serial.pool: byte 2 is a control character (U+000A)");
}

Test(profile_errors, an_image_path_with_a_control_character_is_refused)
{
	expect_error("name = \"t\";\ntarget = \"STM32F103RC\";\nimage = { file = \"fw\\x07.hex\"; };\n"
		     "erase = \"mass\";\nverify = \"crc\";\n",
		     GANG_EPROFILE, "3: image.file: byte 3 is a control character (U+0007)");
}

Test(profile_errors, a_fifo_as_profile_is_refused_without_blocking)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char fifo[128], want[GANG_DIAG_LEN];

	snprintf(fifo, sizeof(fifo), "%s/fifo.cfg", tmp_dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_expect_eq(gang_profile_load(&p, fifo, &d), GANG_EFILE);
	snprintf(want, sizeof(want), "%s: is a FIFO (named pipe), not a regular file", fifo);
	cr_expect_str_eq(d.msg, want);
	cr_expect_null(p);
	remove(fifo);
}

Test(profile_errors, a_directory_or_device_as_profile_is_named_for_what_it_is)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_expect_eq(gang_profile_load(&p, tmp_dir, &d), GANG_EFILE);
	cr_expect(strstr(d.msg, ": is a directory, not a regular file") != NULL, "%s", d.msg);
	cr_expect_eq(gang_profile_load(&p, "/dev/zero", &d), GANG_EFILE);
	cr_expect_str_eq(d.msg, "/dev/zero: is a character device, not a regular file");
}

/* L0 PCROP is undone only by a regression that erases the chip: the sentence confirms it too. */
Test(profile_errors, the_lock_sentence_confirms_l0_pcrop_and_nothing_else_there)
{
	static const char l0[] = "name = \"t\";\ntarget = \"STM32L053R8\";\nimage = { file = \"fw.hex\"; };\n"
				 "erase = \"mass\";\nverify = \"crc\";\n";
	char text[512];
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	FILE *fp = fopen(tmp_cfg, "w");

	snprintf(text, sizeof(text), "%soption_bytes = { user = { WPRMOD = true; PCROP = 4; }; "
		 "confirm_permanent_lock = \"I understand this locks the chip forever\"; };\n", l0);
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	cr_assert_eq(gang_profile_load(&p, tmp_cfg, &d), GANG_OK, "%s", d.msg);
	gang_profile_free(p);
	snprintf(text, sizeof(text), "%soption_bytes = { user = { nRST_STOP = true; }; "
		 "confirm_permanent_lock = \"I understand this locks the chip forever\"; };\n", l0);
	expect_error(text, GANG_EPROFILE, "6: option_bytes.confirm_permanent_lock: only applies with rdp = 2");
}

/* RDP level 0.5 (RM0438 §6.6.2, RM0456 §7.6.2): L5/U5 only, a level not a number, TrustZone set earlier. */
#define U5_BASE \
	"name = \"t\";\n" \
	"target = \"STM32U575ZI\";\n" \
	"image = { file = \"fw.hex\"; };\n" \
	"erase = \"pages\";\n" \
	"verify = \"crc\";\n"
Test(profile_errors, rdp_0_5_only_on_l5_u5_and_never_with_tzen_false)
{
	expect_error(OB("rdp = 0.5;"), GANG_EPROFILE,
		     "6: option_bytes.rdp: level 0.5 exists only on the L5 and U5 families (TrustZone), and the "
		     "STM32F103RC is of the F1 family: use 0, 1 or 2");
	expect_error(F4_BASE("STM32F407VG") "option_bytes = { rdp = 0.5; };\n", GANG_EPROFILE,
		     "6: option_bytes.rdp: level 0.5 exists only on the L5 and U5 families (TrustZone), and the "
		     "STM32F407VG is of the F4 family: use 0, 1 or 2");
	expect_error(U5_BASE "option_bytes = { rdp = 1.5; };\n", GANG_EPROFILE,
		     "6: option_bytes.rdp: 1.5 is not an RDP level (0, 1, 2, or 0.5 on the L5 and U5)");
	expect_error(U5_BASE "option_bytes = {\n  user = { TZEN = false; };\n  rdp = 0.5;\n};\n", GANG_EPROFILE,
		     "8: option_bytes.rdp: level 0.5 exists only with TrustZone on, and user.TZEN = false here");
	expect_error(U5_BASE "option_bytes = { rdp = 0.5; allow_unprotect = true; };\n", GANG_EPROFILE,
		     "6: option_bytes.allow_unprotect: only applies with rdp = 0");
	expect_error(U5_BASE "option_bytes = { user = { HDP1_PEND = 128; }; };\n", GANG_EPROFILE,
		     "6: option_bytes.user.HDP1_PEND: 128 out of range 0-127");
}
