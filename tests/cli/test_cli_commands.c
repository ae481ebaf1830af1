/*
 * test_cli_commands.c — what the engineer's commands do on the virtual
 * bench (build/gang through tools/gangsim): gang read of every memory the
 * help promises and its refusals, --probe optional with one ST-Link and
 * the list of them with several, exit 3 without an ST-Link for every
 * command that needs one and 6 for an output file that cannot be written,
 * the read-protection message, gang probes' sentences and columns,
 * gang parts, the unknown-part suggestion, and the wording of erase,
 * check, run and trace.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_help.h"
#include "cli_util.h"
#include "core/err.h"
#include "target/part.h"

#define BENCH_ONE   "tools/sim/benches/default.cfg"  /* one V2, one STM32F103RC */
#define BENCH_FOUR  "tools/sim/benches/demo.cfg"     /* four probes, one with V3 firmware */
#define BENCH_RDP1  "tests/fixtures/benches/flash-rdp1.cfg"
#define BENCH_NOSWD "tests/fixtures/benches/swd-disabled.cfg"

TestSuite(cli_cmd, .init = cli_setup, .fini = cli_teardown, .timeout = 60);

/* cli_tmp/name into out. */
static void cmd_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", cli_tmp, name);
}

/* The bytes of a file read by gang (test fails when it is missing or not `want` bytes long). */
static unsigned char *cmd_read_back(const char *path, size_t want)
{
	struct stat st;
	unsigned char *buf;
	FILE *f;

	cr_assert_eq(stat(path, &st), 0, "%s was not written", path);
	cr_assert_eq((size_t)st.st_size, want, "%s has %lld bytes, want %zu", path, (long long)st.st_size, want);
	buf = malloc(want + 1);
	f = fopen(path, "rb");
	cr_assert_not_null(f);
	cr_assert_eq(fread(buf, 1, want, f), want);
	fclose(f);
	return buf;
}

/* ---- gang read ----------------------------------------------------------- */

Test(cli_cmd, read_takes_sram_without_probe_when_one_st_link_is_attached)
{
	char file[96];
	cli_out r;

	cmd_path(file, sizeof(file), "sram.bin");
	r = cli_on_bench(BENCH_ONE, "read", file, "--address", "0x20000000", "--size", "64");
	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	free(cmd_read_back(file, 64));
	cli_free(&r);
}

Test(cli_cmd, read_takes_the_option_bytes_to_the_end_of_their_block)
{
	char file[96];
	unsigned char *b;
	cli_out r;

	cmd_path(file, sizeof(file), "ob.bin");
	r = cli_on_bench(BENCH_ONE, "read", file, "--address", "0x1FFFF800", NULL, NULL);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	b = cmd_read_back(file, 16);
	/* RDP 0xA5 = unprotected on F1, then its complement (RM0008 option bytes) */
	cr_expect(b[0] == 0xA5 && b[1] == 0x5A, "RDP half-word %02X %02X", b[0], b[1]);
	free(b);
	cli_free(&r);
}

Test(cli_cmd, read_takes_system_memory_with_the_flash_size_register)
{
	char file[96];
	unsigned char *b;
	cli_out r;

	cmd_path(file, sizeof(file), "fsize.bin");
	r = cli_on_bench(BENCH_ONE, "read", file, "--address", "0x1FFFF7E0", "--size", "2");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	b = cmd_read_back(file, 2);
	cr_expect_eq(b[0] | b[1] << 8, 256, "flash size register says %u KiB", b[0] | b[1] << 8);
	free(b);
	cli_free(&r);
}

Test(cli_cmd, read_past_the_end_of_flash_is_refused_naming_the_first_address_that_is_no_memory)
{
	char file[96];
	cli_out r;

	cmd_path(file, sizeof(file), "past.bin");
	r = cli_on_bench(BENCH_ONE, "read", file, "--address", "0x0803FFF0", "--size", "0x20");
	cli_expect_usage_error(&r, "0x08040000 is not memory on STM32F103RC", "read past the flash");
	cr_expect_eq(access(file, F_OK), -1, "nothing may be written");
	cli_free(&r);
	r = cli_on_bench(BENCH_ONE, "read", file, "--address", "0x30000000", "--size", "4");
	cli_expect_usage_error(&r, "0x30000000 is not memory", "read of a hole in the map");
	cli_free(&r);
	r = cli_on_bench(BENCH_ONE, "read", file, "--size", "0xFFFFFFFF", NULL, NULL);
	cli_expect_usage_error(&r, "0x08040000 is not memory", "read of 4 GiB");
	cli_free(&r);
}

Test(cli_cmd, several_st_links_and_no_probe_named_is_refused_listing_them)
{
	static const char *const serials[] = { "066DFF485457725187084919", "57FF6B064966545232401287",
					       "543F72067577574934311230", "003F00213137510A39383538" };
	char file[96];
	cli_out r;

	cmd_path(file, sizeof(file), "x.bin");
	r = cli_on_bench(BENCH_FOUR, "read", file, NULL, NULL, NULL, NULL);
	cli_expect_usage_error(&r, "--probe", "read with four probes");
	for (size_t i = 0; i < 4; i++)
		cr_expect_not_null(strstr(r.err, serials[i]), "the error does not list %s: %s", serials[i], r.err);
	cr_expect_not_null(strstr(r.err, "1-1.4"), "the error does not list the port paths: %s", r.err);
	cli_free(&r);
}

/* ---- exit codes -------------------------------------------------------------- */

Test(cli_cmd, no_st_link_exits_3_for_every_command_that_needs_one)
{
	static const char *const cmds[][3] = { { "probes", NULL, NULL }, { "probes", "--json", NULL },
					       { "flash", "profiles/firmware/demo-f103.hex", NULL },
					       { "read", "x.bin", NULL }, { "erase", NULL, NULL },
					       { "options", "show", NULL } };
	const char *env[] = { "LD_PRELOAD=build/libgangsim.so", NULL };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *argv[] = { GANG, cmds[i][0], cmds[i][1], cmds[i][2], NULL };
		cli_out r = cli_spawn(argv, env);

		cr_expect_eq(r.status, GANG_EXIT_PROBE, "gang %s %s: exit %d: %s", cmds[i][0],
			     cmds[i][1] ? cmds[i][1] : "", r.status, r.err);
		cr_expect_not_null(strstr(r.err, gang_strerror(GANG_EPROBE_NONE)), "gang %s: %s", cmds[i][0], r.err);
		cli_free(&r);
	}
}

Test(cli_cmd, read_into_a_file_that_cannot_be_written_exits_6_not_2)
{
	char file[96];
	cli_out r;

	cmd_path(file, sizeof(file), "no-such-dir/x.bin");
	r = cli_on_bench(BENCH_ONE, "read", file, "--address", "0x20000000", "--size", "4");
	cr_expect_eq(r.status, GANG_EXIT_OUTPUT, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.err, "no-such-dir/x.bin"), "the error names the file: %s", r.err);
	cr_expect_eq(cli_lines(r.err), 1, "%s", r.err);
	cli_free(&r);
}

/* ---- read protection ----------------------------------------------------------- */

static int cmd_count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(cli_cmd, a_read_protected_chip_names_the_flag_that_unprotects_it_once)
{
	cli_out r = cli_on_bench(BENCH_RDP1, "flash", "profiles/firmware/demo-f103.hex", NULL, NULL, NULL, NULL);

	cr_expect_eq(r.status, GANG_EXIT_FAILED, "exit %d: %s", r.status, r.err);
	cr_expect_eq(cli_lines(r.err), 1, "%s", r.err);
	cr_expect_eq(cmd_count(r.err, "read-protected"), 1, "the sentence must appear once: %s", r.err);
	cr_expect_not_null(strstr(r.err, "--allow-unprotect"), "the flag is not named: %s", r.err);
	cli_free(&r);
}

Test(cli_cmd, read_of_a_read_protected_flash_names_the_command_that_unprotects_it)
{
	char file[96];
	cli_out r;

	cmd_path(file, sizeof(file), "rdp.bin");
	r = cli_on_bench(BENCH_RDP1, "read", file, NULL, NULL, NULL, NULL);
	cr_expect_eq(r.status, GANG_EXIT_FAILED, "exit %d: %s", r.status, r.err);
	cr_expect_eq(cmd_count(r.err, "read-protected"), 1, "%s", r.err);
	cr_expect_not_null(strstr(r.err, "gang options set --rdp 0 --allow-unprotect"), "%s", r.err);
	cli_free(&r);
}

/* ---- gang probes --------------------------------------------------------------------- */

Test(cli_cmd, probes_shows_the_operator_sentence_and_keeps_the_protocol_text_for_verbose_and_json)
{
	cli_out r = cli_on_bench(BENCH_NOSWD, "probes", NULL, NULL, NULL, NULL, NULL);

	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.out, gang_strerror(GANG_ETARGET_NOSWD)), "%s", r.out);
	cr_expect_null(strstr(r.out, "status 0x"), "protocol text in the listing: %s", r.out);
	cli_free(&r);
	r = cli_on_bench(BENCH_NOSWD, "probes", "--verbose", NULL, NULL, NULL, NULL);
	cr_expect_not_null(strstr(r.out, "status 0x09"), "--verbose lacks the probe's answer: %s", r.out);
	cli_free(&r);
	r = cli_on_bench(BENCH_NOSWD, "probes", "--json", NULL, NULL, NULL, NULL);
	cr_expect_not_null(strstr(r.out, "\"detail\":\"APIV2_ENTER SWD: status 0x09"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, gang_strerror(GANG_ETARGET_NOSWD)), "%s", r.out);
	cli_free(&r);
}

/* Column of the first occurrence of `what` in the line of text that starts at `line`. */
static long cmd_column(const char *line, const char *what)
{
	const char *end = strchr(line, '\n'), *p = strstr(line, what);

	return p && (!end || p < end) ? (long)(p - line) : -1;
}

Test(cli_cmd, probes_columns_line_up_whatever_the_firmware_name_length)
{
	cli_out r = cli_on_bench(BENCH_FOUR, "probes", NULL, NULL, NULL, NULL, NULL);
	long usb, part;
	int rows = 0;

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	usb = cmd_column(r.out, "USB");
	part = cmd_column(r.out, "PART");
	for (const char *l = strchr(r.out, '\n'); l && l[1]; l = strchr(l + 1, '\n'), rows++) {
		cr_expect_eq(cmd_column(l + 1, "1-1."), usb, "USB column misaligned:\n%s", r.out);
		cr_expect_eq(cmd_column(l + 1, "STM32"), part, "PART column misaligned:\n%s", r.out);
	}
	cr_expect_eq(rows, 4);
	cli_free(&r);
}

/* ---- gang parts, unknown parts ------------------------------------------------------------ */

Test(cli_cmd, parts_lists_every_part_with_family_dev_id_flash_sram_and_erase_units)
{
	cli_out r = cli_gang("parts", NULL, NULL), j = cli_gang("parts", "--json", NULL);
	char want[256];

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(j.status, 0, "%s", j.err);
	cr_expect_eq(cli_lines(r.out), (int)gang_part_count() + 1);
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);

		snprintf(want, sizeof(want), "%-12s  %-6s  0x%03X   %9u  %8u  ", p->name, p->family->name,
			 (unsigned)p->dev_id, (unsigned)p->flash_kib, (unsigned)p->sram_kib);
		cr_expect_not_null(strstr(r.out, want), "gang parts lacks: %s", want);
		snprintf(want, sizeof(want),
			 "{\"name\":\"%s\",\"family\":\"%s\",\"dev_id\":\"0x%03X\",\"flash_kib\":%u,\"sram_kib\":%u,"
			 "\"page_size\":%u,\"write_unit\":%u,",
			 p->name, p->family->name, (unsigned)p->dev_id, (unsigned)p->flash_kib, (unsigned)p->sram_kib,
			 (unsigned)gang_part_page_size(p), (unsigned)p->geom.write_unit);
		cr_expect_not_null(strstr(j.out, want), "gang parts --json lacks: %s", want);
	}
	/* RM0090 §3.3 Table 6: two banks of 4 x 16 + 64 + 7 x 128 KiB; RM0008: 128 pages of 2 KiB */
	cr_expect_not_null(strstr(r.out, "STM32F429ZI   F4      0x419        2048       256  4 x 16K + 64K + "
					 "7 x 128K | 4 x 16K + 64K + 7 x 128K\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "  128 x 2K\n"), "%s", r.out);
	/* pages under a KiB in bytes (RM0377 §3.3.1: 512 pages of 128 B; RM0038: 2048 of 256 B), never "0K" */
	cr_expect_not_null(strstr(r.out, "STM32L053R8   L0      0x417          64         8  512 x 128B\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "  2048 x 256B\n"), "%s", r.out);
	cr_expect_null(strstr(r.out, "x 0K"), "%s", r.out);
	cr_expect_not_null(strstr(j.out, "{\"base\":\"0x08100000\",\"unit\":16384,\"count\":4,\"first\":12,"
					 "\"bank\":1}"), "%s", j.out);
	cli_free(&r);
	cli_free(&j);
}

Test(cli_cmd, suggestions_name_the_closest_parts_or_point_to_gang_parts)
{
	char hint[256];

	gang_part_suggest_text(hint, sizeof(hint), "STM32F103C9");
	cr_expect_str_eq(hint, " (did you mean STM32F103C8 or STM32F103CB?)");
	gang_part_suggest_text(hint, sizeof(hint), "stm32f103rf");
	cr_expect_str_eq(hint, " (did you mean STM32F103RB, STM32F103RC, STM32F103RD or STM32F103RE?)");
	gang_part_suggest_text(hint, sizeof(hint), "STM32MP157C");
	cr_expect_str_eq(hint, " (not supported: 'gang parts' lists the supported parts)");
	gang_part_suggest_text(hint, 12, "STM32F103C9");
	cr_expect_eq(strlen(hint), 11, "a short buffer is cut, not overrun");
}

Test(cli_cmd, an_unknown_target_in_a_profile_names_file_line_and_the_closest_parts)
{
	char path[96], cwd[512], want[256];
	const char *argv[] = { GANG, "check", path, NULL };
	FILE *f;
	cli_out r;

	cmd_path(path, sizeof(path), "typo.cfg");
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "name = \"typo\";\ntarget = \"STM32F103C9\";\n"
		   "image = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\nerase = \"mass\";\nverify = \"crc\";\n",
		getcwd(cwd, sizeof(cwd)));
	fclose(f);
	r = cli_spawn(argv, NULL);
	snprintf(want, sizeof(want),
		 "%s:2: target: unknown part 'STM32F103C9' (did you mean STM32F103C8 or STM32F103CB?)", path);
	cli_expect_usage_error(&r, want, "gang check typo.cfg");
	cli_free(&r);
}

Test(cli_cmd, an_unknown_target_option_is_refused_before_any_probe_is_touched)
{
	cli_out r = cli_gang("erase", "--target", "STM32F103C9");

	cli_expect_usage_error(&r, "unknown part 'STM32F103C9' (did you mean STM32F103C8 or STM32F103CB?)",
			       "gang erase --target STM32F103C9");
	cli_free(&r);
}

/* ---- wording -------------------------------------------------------------------------------- */

Test(cli_cmd, help_help_prints_the_help_of_help)
{
	cli_out r = cli_gang("help", "--help", NULL);

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, GANG_HELP_HELP);
	cli_free(&r);
}

Test(cli_cmd, erase_of_a_range_says_how_many_pages_and_where)
{
	cli_out r = cli_on_bench(BENCH_ONE, "erase", "--address", "0x08000400", "--size", "1", NULL);

	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_str_eq(r.out, "erased 1 page at 0x08000000-0x080007FF\n"); /* F103RC: 2 KiB pages */
	cli_free(&r);
	r = cli_on_bench(BENCH_ONE, "erase", "--address", "0x08000800", "--size", "0x1001", NULL);
	cr_expect_str_eq(r.out, "erased 3 pages at 0x08000800-0x08001FFF\n");
	cli_free(&r);
}

Test(cli_cmd, check_names_the_profile_sha256_once)
{
	char db[96], prefix[17];
	const char *argv[] = { GANG, "check", "profiles/demo-f103.cfg", "--db", db, NULL };
	const char *sha;
	cli_out r;

	cmd_path(db, sizeof(db), "none.sqlite");
	r = cli_spawn(argv, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	sha = strstr(r.out, "sha256 ");
	cr_assert_not_null(sha, "%s", r.out);
	snprintf(prefix, sizeof(prefix), "%s", sha + 7);
	cr_expect_eq(cmd_count(r.out, prefix), 1, "the profile's SHA-256 is printed more than once:\n%s", r.out);
	cli_free(&r);
}

Test(cli_cmd, one_board_run_says_1_board_and_1_attempt_and_its_report_into_no_dir_exits_6)
{
	char db[96], report[96];
	const char *run[] = { "tools/gangsim", "--bench", BENCH_ONE, "--", GANG, "run", "profiles/demo-f103.cfg",
			      "--boards", "1", "--plain", "--db", db, NULL };
	const char *trace[] = { GANG, "trace", "1000", "--db", db, NULL };
	const char *rep[] = { GANG, "report", "--db", db, "--out", report, NULL };
	cli_out r;

	cmd_path(db, sizeof(db), "run.sqlite");
	cmd_path(report, sizeof(report), "no-such-dir/report.txt");
	r = cli_spawn(run, NULL);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.out, ": 1 board, 1 passed"), "%s", r.out);
	cr_expect_null(strstr(r.out, ": 1 boards,"), "%s", r.out); /* the rate may read "...1 boards/h" */
	cli_free(&r);
	r = cli_spawn(trace, NULL);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_not_null(strstr(r.out, ", 1 attempt\n"), "%s", r.out);
	cli_free(&r);
	r = cli_spawn(rep, NULL);
	cr_expect_eq(r.status, GANG_EXIT_OUTPUT, "report --out into a missing directory: exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.err, "no-such-dir/report.txt"), "%s", r.err);
	cli_free(&r);
}

Test(cli_cmd, the_man_page_traces_a_board_serial_not_a_probe_serial)
{
	char *man = cli_slurp(MAN), *ex = cli_man_section(man, "EXAMPLES"), *bench = cli_slurp(BENCH_FOUR);
	const char *t = strstr(ex, "gang trace ");
	char arg[64] = "", quoted[80];

	cr_assert_not_null(t, "EXAMPLES has no gang trace");
	sscanf(t + 11, "%63s", arg);
	snprintf(quoted, sizeof(quoted), "serial = \"%s\"", arg);
	cr_expect_null(strstr(bench, quoted), "the trace example uses the probe serial %s", arg);
	cr_expect(strspn(arg, "0123456789") == strlen(arg), "the example should trace a serial number, not '%s'", arg);
	free(bench);
	free(ex);
	free(man);
}

/* ---- option bytes as named fields --------------------------------------------------------- */

Test(cli_cmd, options_set_of_a_field_the_family_lacks_names_it_and_lists_the_familys)
{
	cli_out r = cli_on_bench(BENCH_ONE, "options", "set", "--set", "nBOOT1=1", NULL, NULL);

	cr_expect_eq(r.status, GANG_EXIT_USAGE, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.err, "option byte nBOOT1 does not exist on the F1 family (it has RDP, WDG_SW, "
					 "nRST_STOP, nRST_STDBY, Data0, Data1, WRP)"), "%s", r.err);
	cli_free(&r);
	r = cli_on_bench(BENCH_ONE, "options", "set", "--set", "nBOOT1", NULL, NULL);
	cr_expect_eq(r.status, GANG_EXIT_USAGE, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.err, "--set takes NAME=VALUE"), "%s", r.err);
	cli_free(&r);
}

/* L073 (RM0377 §3.4.1): sectors 32-47 in WRPROT2, shown with WRP; PCROP by its own name. */
Test(cli_cmd, options_on_an_l073_reach_wrprot2_and_name_pcrop_apart)
{
	cli_out r = cli_on_bench("tests/fixtures/benches/flash-l073rz.cfg", "options", "set", "--wrp",
				 "1280-1311", NULL, NULL);   /* pages of sector 40: 0x08028000.. */

	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.out, "WRP        0xFFFFFFFF 0xFFFFFEFF, write-protected pages: 1280-1311"),
			   "%s", r.out);
	cr_expect_not_null(strstr(r.out, "WPRMOD=0"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "PCROP=0x00"), "%s", r.out);
	cli_free(&r);
}

/* A profile's wrp_pages past sector 31 (L073 WRPROT2) is written by gang run and read back by options show. */
Test(cli_cmd, a_profile_protects_l073_sector_40_through_wrprot2)
{
	char prof[96], db[96];
	const char *run[] = { "tools/gangsim", "--bench", "tests/fixtures/benches/flash-l073rz.cfg", "--state", NULL,
			      "--", GANG, "run", prof, "--boards", "1", "--plain", "--db", db, NULL };
	char state[96], cwd[160];
	FILE *fp;
	cli_out r;

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cmd_path(prof, sizeof(prof), "l073-wrp.cfg");
	cmd_path(db, sizeof(db), "l073.sqlite");
	snprintf(state, sizeof(state), "%s/state", cli_tmp);
	run[4] = state;
	fp = fopen(prof, "w");
	cr_assert_not_null(fp);
	fprintf(fp, "name = \"l073-wrp\";\ntarget = \"STM32L073RZ\";\n"
		"image = { file = \"%s/profiles/firmware/demo-l053.hex\"; };\nerase = \"pages\";\n"
		"verify = \"crc\";\noption_bytes = { wrp_pages = \"1280-1311\"; };\n", cwd);
	fclose(fp);
	r = cli_spawn(run, NULL);
	cr_assert_eq(r.status, 0, "exit %d: %s %s", r.status, r.out, r.err);
	cli_free(&r);
	r = cli_on_bench("tests/fixtures/benches/flash-l073rz.cfg", "options", "show", NULL, NULL, NULL, NULL);
	cr_expect_not_null(strstr(r.out, "0xFFFFFFFF 0xFFFFFEFF, write-protected pages: 1280-1311"), "%s", r.out);
	cli_free(&r);
}

Test(cli_cmd, options_set_by_field_name_and_by_todays_flag_write_the_same_bit)
{
	cli_out r = cli_on_bench(BENCH_ONE, "options", "set", "--set", "nrst_stdby=0", NULL, NULL);

	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.out, "nRST_STDBY=0"), "%s", r.out);
	cli_free(&r);
	r = cli_on_bench(BENCH_ONE, "options", "set", "--nrst-stdby", "0", NULL, NULL);
	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.out, "already as asked: nothing written"), "%s", r.out);
	cli_free(&r);
}

/* RM0456 §7.6.2: level 0.5 needs TZEN = 1, shows as 0.5 (text and JSON), and leaves for 0 only when allowed. */
Test(cli_cmd, options_rdp_0_5_on_a_u575_needs_trustzone_and_shows_as_0_5)
{
	const char *u5 = "tests/fixtures/benches/flash-u575zi.cfg";
	cli_out r = cli_on_bench(u5, "options", "set", "--rdp", "0.5", NULL, NULL);

	cr_expect_neq(r.status, 0, "%s", r.out);
	cr_expect_not_null(strstr(r.err, "RDP level 0.5 exists only with TrustZone on (TZEN = 1), and this chip has "
					 "TZEN = 0"), "%s", r.err);
	cli_free(&r);
	r = cli_on_bench(u5, "options", "set", "--set", "TZEN=1", "--confirm", "I understand this locks the chip forever");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cli_free(&r);
	r = cli_on_bench(u5, "options", "set", "--set", "rdp=0.5", NULL, NULL);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.out, "RDP        level 0.5 (0x55)\n"), "%s", r.out);
	cli_free(&r);
	r = cli_on_bench(u5, "options", "show", "--json", NULL, NULL, NULL);
	cr_expect_not_null(strstr(r.out, "\"rdp_level\":0.5,\"rdp\":\"0x55\""), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "\"hdp1en\":0,\"hdp1_pend\":0"), "%s", r.out);
	cli_free(&r);
	r = cli_on_bench(u5, "options", "show", "--log-level", "info", NULL, NULL);
	cr_expect_not_null(strstr(r.err, "UID "), "%s", r.err);
	cr_expect_not_null(strstr(r.err, ", RDP 0.5, connected"), "the attach log tells 0.5 apart: %s", r.err);
	cr_expect_not_null(strstr(r.out, "RDP        level 0.5 (0x55)\n"), "%s", r.out);
	cli_free(&r);
	r = cli_on_bench(u5, "options", "set", "--rdp", "0", NULL, NULL);
	cr_expect_neq(r.status, 0, "%s", r.out);
	cr_expect_not_null(strstr(r.err, "--allow-unprotect"), "%s", r.err);
	cli_free(&r);
	r = cli_on_bench(u5, "options", "set", "--rdp", "0", "--allow-unprotect", NULL);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_not_null(strstr(r.out, "RDP        level 0 (0xAA)\n"), "%s", r.out);
	cli_free(&r);
	r = cli_on_bench(BENCH_ONE, "options", "set", "--rdp", "0.5", NULL, NULL);
	cr_expect_neq(r.status, 0, "%s", r.out);
	cr_expect_not_null(strstr(r.err, "RDP level 0.5 exists only on the L5 and U5 families, with TrustZone on "
					 "(TZEN = 1), not on the F1 family"), "%s", r.err);
	cli_free(&r);
}
