/*
 * test_bench.c — bench files: every key of tools/sim/benches/README.md is
 * parsed with its default, UIDs are derived deterministically, and every
 * kind of bad input is refused with file, line and key. Also the library's
 * check mode the wrapper relies on.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define FIX "tests/fixtures/benches/"

static char tb_dir[64];
static char tb_err[1024];

static void tb_setup(void)
{
	snprintf(tb_dir, sizeof(tb_dir), "/tmp/gangsim-tb-XXXXXX");
	cr_assert_not_null(mkdtemp(tb_dir));
	tb_err[0] = '\0';
}

static void tb_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tb_dir);
	(void)system(cmd);
}

TestSuite(sim_bench, .init = tb_setup, .fini = tb_teardown, .timeout = 20);

/* Write text to tb_dir/name and return its path (static buffer). */
static const char *tb_file(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tb_dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static sim_bench *tb_load_ok(const char *path)
{
	sim_bench *b = NULL;

	cr_assert_eq(sim_bench_load(&b, path, tb_err, sizeof(tb_err)), 0, "%s", tb_err);
	return b;
}

static void tb_expect_error(const char *text, const char *needle)
{
	const char *path = tb_file("bad.cfg", text);
	sim_bench *b = (sim_bench *)1;
	char want[256];

	cr_assert_eq(sim_bench_load(&b, path, tb_err, sizeof(tb_err)), -1, "accepted: %s", text);
	cr_expect_null(b);
	snprintf(want, sizeof(want), "%s:%s", path, needle);
	cr_expect_not_null(strstr(tb_err, want), "error \"%s\" lacks \"%s\"", tb_err, want);
}

#define PROBE(extra) "probes = ( { serial = \"066DFF485457725187084919\"; target = \"STM32F103RC\"; " extra " } );\n"

Test(sim_bench, example_bench_loads_two_probes_of_eight_distinct_boards)
{
	sim_bench *b = tb_load_ok("tools/sim/benches/quad-f103.cfg");

	cr_assert_eq(b->n_probes, 2);
	cr_expect_eq(b->probes[0].model, SIM_MODEL_V2_1);
	cr_expect_eq(b->probes[1].model, SIM_MODEL_V2);
	cr_expect_str_eq(b->probes[0].fw.text, "V2J37M26");
	cr_expect_str_eq(b->probes[1].fw.text, "V2J37S7");
	cr_expect_eq(b->probes[0].swap_s, 2.5);
	cr_expect_eq(b->probes[1].swap_s, 2.0);
	for (size_t p = 0; p < 2; p++) {
		cr_assert_eq(b->probes[p].n_boards, 8);
		for (size_t i = 0; i < 8; i++)
			for (size_t k = 0; k < i; k++)
				cr_expect_neq(memcmp(b->probes[p].boards[i].cfg.uid, b->probes[p].boards[k].cfg.uid, 12), 0);
	}
	cr_expect_neq(memcmp(b->probes[0].boards[0].cfg.uid, b->probes[1].boards[0].cfg.uid, 12), 0);
	sim_bench_free(b);
}

Test(sim_bench, uids_are_derived_deterministically_from_the_serial)
{
	sim_bench *a = tb_load_ok("tools/sim/benches/quad-f103.cfg");
	sim_bench *b = tb_load_ok("tools/sim/benches/quad-f103.cfg");
	uint8_t uid[12];

	cr_expect_eq(memcmp(a->probes[1].boards[5].cfg.uid, b->probes[1].boards[5].cfg.uid, 12), 0);
	sim_bench_derive_uid(uid, "57FF6B064966545232401287", 5);
	cr_expect_eq(memcmp(uid, a->probes[1].boards[5].cfg.uid, 12), 0);
	sim_bench_free(a);
	sim_bench_free(b);
}

Test(sim_bench, defaults_follow_the_model_and_the_datasheet)
{
	sim_bench *b = tb_load_ok(FIX "models.cfg");
	const sim_board_cfg *c = &b->probes[0].boards[0].cfg;

	cr_expect(b->probes[0].clone);
	cr_expect_eq(b->probes[0].usb_rtt_ns, 1000000);
	cr_expect_eq(b->probes[2].usb_rtt_ns, 250000, "V3 is high speed");
	cr_expect_eq(b->probes[2].usb_bytes_per_s, 40e6);
	cr_expect_eq(b->probes[0].swd_clocks_per_word, 46);
	cr_expect_eq(b->probes[2].fw.j, 7);
	cr_expect_eq(b->probes[2].fw.b, 5);
	cr_expect_str_eq(c->part->name, "STM32F103C8");
	cr_expect_eq(c->timing.t_prog_ns, 52500);
	cr_expect_eq(c->timing.t_page_erase_ns, 30000000);
	cr_expect_eq(c->timing.core_hz, 8000000);
	cr_expect(c->nrst_wired);
	cr_expect_eq(c->rdp, 0);
	cr_expect_eq(c->wrp, 0xFFFFFFFFU);
	cr_expect_eq(c->power_loss_at_ns, -1);
	cr_expect_null(c->firmware);
	sim_bench_free(b);
}

Test(sim_bench, tray_entries_override_probe_defaults)
{
	const char *text = "probes = ( { serial = \"066DFF485457725187084919\"; target = \"STM32F103RE\";\n"
			   "  firmware = \"fw.bin\"; rdp = 1; nrst_wired = false; swap_s = 1.5; t_prog_us = 60;\n"
			   "  stuck = ( { addr = 0x08000010; mask = 0x01; value = 0; } );\n"
			   "  tray = ( { uid = \"0102030405060708090A0B0C\"; }, { rdp = 0; swd_wait_rate = 0.25; } ); } );\n";
	sim_bench *b;
	const sim_bench_board *t;

	tb_file("fw.bin", "0123456789abcdef");
	b = tb_load_ok(tb_file("tray.cfg", text));
	t = b->probes[0].boards;
	cr_assert_eq(b->probes[0].n_boards, 2);
	cr_expect_eq(t[0].cfg.uid[0], 0x01);
	cr_expect_eq(t[0].cfg.uid[11], 0x0C);
	cr_expect_eq(t[0].cfg.rdp, 1);
	cr_expect_eq(t[1].cfg.rdp, 0);
	cr_expect_eq(t[1].cfg.swd_wait_rate, 0.25);
	cr_expect_not(t[1].cfg.nrst_wired);
	cr_expect_eq(t[1].cfg.timing.t_prog_ns, 60000);
	cr_expect_eq(t[1].cfg.n_stuck, 1);
	cr_expect_eq(t[1].cfg.stuck[0].addr, 0x08000010U);
	cr_assert_not_null(t[1].cfg.firmware);
	cr_expect_not_null(strstr(t[1].cfg.firmware, "/fw.bin"), "path relative to the bench file");
	cr_expect_eq(access(t[1].cfg.firmware, R_OK), 0);
	sim_bench_free(b);
}

Test(sim_bench, probe_firmware_version_is_told_apart_from_an_image)
{
	sim_bench *b = tb_load_ok(tb_file("fw.cfg", PROBE("model = \"V2\"; firmware = \"V2J29S7\";")));
	sim_fw_version v;

	cr_expect_eq(b->probes[0].fw.j, 29);
	cr_expect_eq(b->probes[0].fw.s, 7);
	cr_expect_null(b->probes[0].boards[0].cfg.firmware);
	sim_bench_free(b);
	cr_expect_eq(sim_bench_parse_fw(&v, "V2J37M26", SIM_MODEL_V2_1), 0);
	cr_expect_eq(v.m, 26);
	cr_expect_eq(sim_bench_parse_fw(&v, "V2J37M26", SIM_MODEL_V2), -1, "V2 reports S, not M");
	cr_expect_eq(sim_bench_parse_fw(&v, "V3J7M3", SIM_MODEL_V3), -1);
	cr_expect_eq(sim_bench_parse_fw(&v, "V2J37S7x", SIM_MODEL_V2), -1);
}

Test(sim_bench, bad_model_names_file_line_and_key)
{
	sim_bench *b = NULL;

	cr_assert_eq(sim_bench_load(&b, FIX "bad-model.cfg", tb_err, sizeof(tb_err)), -1);
	cr_expect_not_null(strstr(tb_err, "bad-model.cfg:4: key 'model': \"V4\""), "%s", tb_err);
}

Test(sim_bench, syntax_errors_name_the_line)
{
	tb_expect_error("probes = (\n  { serial = ; }\n);\n", "2: syntax error");
}

Test(sim_bench, missing_file_is_reported)
{
	sim_bench *b = NULL;

	cr_expect_eq(sim_bench_load(&b, "/nonexistent/bench.cfg", tb_err, sizeof(tb_err)), -1);
	cr_expect_not_null(strstr(tb_err, "/nonexistent/bench.cfg: cannot read"), "%s", tb_err);
}

Test(sim_bench, every_bad_value_is_refused_with_its_key)
{
	tb_expect_error("probez = ();\n", "1: key 'probez': unknown key");
	tb_expect_error("probes = 3;\n", "1: key 'probes': missing or not a list");
	tb_expect_error("probes = ( { target = \"STM32F103RC\"; } );\n", "1: key 'serial': missing");
	tb_expect_error("probes = ( { serial = \"066DFF48545772518708491\"; target = \"STM32F103RC\"; } );\n",
			"1: key 'serial': \"066DFF48545772518708491\" is not 24 hex digits");
	tb_expect_error("probes = ( { serial = \"066DFF485457725187084919\"; } );\n", "1: key 'target': missing");
}

Test(sim_bench, duplicate_serials_and_unknown_parts_are_refused)
{
	tb_expect_error("probes = (\n" "  { serial = \"066DFF485457725187084919\"; target = \"STM32F103RC\"; },\n"
			"  { serial = \"066dff485457725187084919\"; target = \"STM32F103RC\"; }\n);\n",
			"3: key 'serial': \"066dff485457725187084919\" is used by two probes");
	tb_expect_error("probes = ( { serial = \"066DFF485457725187084919\";\n target = \"STM32F999ZZ\"; } );\n",
			"2: key 'target': unknown part \"STM32F999ZZ\"");
}

Test(sim_bench, ranges_and_types_are_checked)
{
	tb_expect_error(PROBE("\nrdp = 2;"), "2: key 'rdp': 2 is outside 0..1");
	tb_expect_error(PROBE("\nswd_wait_rate = 1.5;"), "2: key 'swd_wait_rate': 1.5 is outside 0..1");
	tb_expect_error(PROBE("\nboards = 0;"), "2: key 'boards': 0 is outside");
	tb_expect_error(PROBE("\nclone = 1;"), "2: key 'clone': must be true or false");
	tb_expect_error(PROBE("\nmodel = V2;"), "2: syntax error");
	tb_expect_error(PROBE("\nusb_rtt_us = \"fast\";"), "2: key 'usb_rtt_us': must be a number");
	tb_expect_error(PROBE("\nswapp_s = 2.0;"), "2: key 'swapp_s': unknown key");
	tb_expect_error(PROBE("\nfirmware = \"V2J37M26\";"), "2: key 'firmware': \"V2J37M26\" is not a V2 firmware");
}

Test(sim_bench, board_layout_errors_are_refused)
{
	tb_expect_error(PROBE("boards = 2;\n tray = ( { } );"), "2: key 'tray': give either boards");
	tb_expect_error(PROBE("\ntray = ( { uid = \"12\"; } );"), "2: key 'uid': \"12\" is not 24 hex digits");
	tb_expect_error(PROBE("\ntray = ( { colour = 1; } );"), "2: key 'colour': unknown key");
	tb_expect_error(PROBE("\ntray = ( );"), "2: key 'tray': must be a non-empty list");
	tb_expect_error(PROBE("\nfirmware = \"nope.bin\";"), "2: key 'firmware': cannot read file");
	tb_expect_error(PROBE("\nswd_disabled = true;"), "2: key 'swd_disabled': needs a firmware image");
	tb_expect_error(PROBE("\nstuck = ( { mask = 1; } );"), "2: key 'addr': missing in stuck entry 0");
	tb_expect_error(PROBE("\nstuck = ( { addr = 0x08000000; mask = 0x100; } );"), "2: key 'mask'");
}

Test(sim_bench, an_image_larger_than_flash_is_refused)
{
	static char big[65 * 1024 + 1];
	char text[256];

	memset(big, 'x', sizeof(big) - 1);
	tb_file("big.bin", big);
	snprintf(text, sizeof(text), "probes = ( { serial = \"066DFF485457725187084919\";\n"
		 " target = \"STM32F103C8\"; firmware = \"big.bin\"; } );\n");
	tb_expect_error(text, "2: key 'firmware'");
	cr_expect_not_null(strstr(tb_err, "does not fit 64 KiB of flash"), "%s", tb_err);
}
