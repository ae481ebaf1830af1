/*
 * test_clients.c — stock clients nobody here wrote, run through
 * tools/gangsim against the virtual bench: st-info --probe, st-flash
 * write/read/erase (stlink-tools 1.7.0, incl. --connect-under-reset on a
 * board whose firmware disabled SWD) and OpenOCD 0.12 program+verify.
 * They keep the simulator honest. Also tools/gangsim ctl. Needs
 * build/libgangsim.so (make) and runs from the repository root.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client_util.h"

#define FIX "tests/fixtures/benches/"

TestSuite(sim_clients, .init = cl_setup, .fini = cl_teardown, .timeout = 180);


static void tc_random_file(const char *name, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cl_dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (size_t i = 0; i < len; i++)
		fputc(rand() & 0xFF, f);
	fclose(f);
}

/* Compare the first n bytes (st-flash reads whole words). */
static int tc_cmp(const char *a, const char *b, size_t n)
{
	return cl_run("cmp -n %zu %s/%s %s/%s", n, cl_dir, a, cl_dir, b);
}

#define GS "tools/gangsim --state %s/state --bench "

Test(sim_clients, st_info_probe_lists_every_probe_with_chip_flash_and_sram)
{
	cl_need("st-info");
	cr_assert_eq(cl_run(GS FIX "models.cfg -- st-info --probe", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Found 3 stlink programmers"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "serial:     392905012612344D314B4E00"), "clone serial hex-encoded:\n%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "serial:     0669FF555052836687031939"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "serial:     002F00293137510F33333639"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "flash:      65536 (pagesize: 1024)\n  sram:       20480\n  chipid:     0x0410"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "flash:      262144 (pagesize: 2048)\n  sram:       65536\n  chipid:     0x0414"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "flash:      524288 (pagesize: 2048)"), "%s", cl_out);
}

Test(sim_clients, st_flash_write_read_and_erase_round_trip_random_data)
{
	const char *s = "066DFF485457725187084919";

	cl_need("st-flash");
	tc_random_file("fw.bin", 100 * 1024 + 6);
	cr_assert_eq(cl_run(GS FIX "single-v2.cfg -- st-flash --serial %s write %s/fw.bin 0x08000000",
			    cl_dir, s, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Flash written and verified"), "%s", cl_out);
	cr_assert_eq(cl_run(GS FIX "single-v2.cfg -- st-flash --serial %s read %s/back.bin 0x08000000 %d",
			    cl_dir, s, cl_dir, 100 * 1024 + 6), 0, "%s", cl_out);
	cr_expect_eq(tc_cmp("fw.bin", "back.bin", 100 * 1024 + 6), 0, "read back differs: %s", cl_out);
	cr_assert_eq(cl_run(GS FIX "single-v2.cfg -- st-flash --serial %s erase", cl_dir, s), 0, "%s", cl_out);
	cr_assert_eq(cl_run(GS FIX "single-v2.cfg -- st-flash --serial %s read %s/blank.bin 0x08000000 4096",
			    cl_dir, s, cl_dir), 0, "%s", cl_out);
	cr_expect_eq(cl_run("tr -d '\\377' < %s/blank.bin | wc -c | grep -qx 0", cl_dir), 0, "erased flash is not all 0xFF");
}

Test(sim_clients, st_flash_with_a_wrong_serial_finds_no_probe)
{
	cl_need("st-flash");
	cr_expect_neq(cl_run(GS FIX "single-v2.cfg -- st-flash --serial 000000000000000000000000 erase",
			     cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "Couldn't find any ST-Link devices"), "%s", cl_out);
}

Test(sim_clients, connect_under_reset_reaches_a_board_whose_firmware_disabled_swd)
{
	cl_need("st-flash");
	tc_random_file("fw.bin", 8192);
	cr_expect_neq(cl_run(GS FIX "swd-disabled.cfg -- st-flash read %s/x.bin 0x08000000 1024", cl_dir, cl_dir), 0,
		      "plain st-flash must fail: %s", cl_out);
	cr_expect_not_null(strstr(cl_out, "connect under reset"), "%s", cl_out);
	cr_assert_eq(cl_run(GS FIX "swd-disabled.cfg -- st-flash --connect-under-reset write %s/fw.bin 0x08000000",
			    cl_dir, cl_dir), 0, "%s", cl_out);
	cr_assert_eq(cl_run(GS FIX "swd-disabled.cfg -- st-flash --connect-under-reset read %s/back.bin 0x08000000 8192",
			    cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_eq(tc_cmp("fw.bin", "back.bin", 8192), 0, "%s", cl_out);
}

Test(sim_clients, openocd_programs_and_verifies_through_the_async_api)
{
	cl_need("openocd");
	tc_random_file("fw.bin", 64 * 1024);
	cr_assert_eq(cl_run(GS "tools/sim/benches/quad-f103.cfg --stats %s/stats.json -- openocd "
			    "-c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' "
			    "-f interface/stlink.cfg -f target/stm32f1x.cfg -c 'adapter serial 57FF6B064966545232401287' "
			    "-c 'program %s/fw.bin 0x08000000 verify reset exit'", cl_dir, cl_dir, cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "** Verified OK **"), "%s", cl_out);
	cr_assert_eq(cl_run("cat %s/stats.json", cl_dir), 0);
	cr_expect_not_null(strstr(cl_out, "{\"serial\": \"57FF6B064966545232401287\", \"usb_commands\": "), "%s", cl_out);
}

Test(sim_clients, wrapper_explains_itself_and_refuses_bad_input_before_running)
{
	cr_assert_eq(cl_run("tools/gangsim --help"), 0);
	cr_expect_not_null(strstr(cl_out, "GANGSIM_BENCH"), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "--realtime"), "%s", cl_out);
	cr_expect_eq(cl_run("tools/gangsim --bench " FIX "bad-model.cfg -- touch %s/ran", cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "bad-model.cfg:4: key 'model'"), "%s", cl_out);
	{
		char ran[128];

		snprintf(ran, sizeof(ran), "%s/ran", cl_dir);
		cr_expect_neq(access(ran, F_OK), 0, "the command ran on a bad bench");
	}
	cr_expect_eq(cl_run("tools/gangsim --bench " FIX "single-v2.cfg"), 2, "no command");
	cr_expect_eq(cl_run("tools/gangsim --frobnicate -- true"), 2);
	cr_expect_eq(cl_run("tools/gangsim --realtime fast -- true"), 2);
	cr_expect_eq(cl_run("tools/gangsim -- sh -c 'exit 7'"), 7, "the command's status is passed on");
}

#define CTL "tools/gangsim ctl --state %s "

Test(sim_clients, ctl_explains_itself_and_refuses_bad_input_with_one_line)
{
	cr_assert_eq(cl_run("tools/gangsim ctl --help"), 0);
	cr_expect_not_null(strstr(cl_out, "FIXTURE is S<n>"), "%s", cl_out);
	cr_expect_eq(cl_run("tools/gangsim ctl S1 insert"), 2);
	cr_expect_not_null(strstr(cl_out, "ctl needs --state DIR"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "S1 insert", "/nonexistent/gangsim-state"), 2);
	cr_expect_not_null(strstr(cl_out, "no state directory /nonexistent/gangsim-state"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL, cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "ctl: no command given"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "'S1 x' insert", cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "'S1 x' is neither a fixture nor a command"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "--frob S1 insert", cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "ctl: unknown option '--frob'"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "--bench %s/none.cfg S1 insert", cl_dir, cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "cannot read bench file"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "S1 insert", cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "holds no bench yet (no process has loaded one with this state "
				       "directory): give --bench FILE"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "--bench " FIX "bad-model.cfg status", cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "bad-model.cfg:4: key 'model'"), "%s", cl_out);
}

Test(sim_clients, ctl_names_fixtures_and_commands_it_does_not_know)
{
	char state[128];

	snprintf(state, sizeof(state), "%s/state", cl_dir);
	cr_assert_eq(cl_run(GS FIX "single-v2.cfg -- st-info --probe", cl_dir), 0, "%s", cl_out);
	cr_expect_eq(cl_run(CTL "S2 insert", state), 2);
	cr_expect_not_null(strstr(cl_out, "gangsim ctl: no fixture 'S2' on bench "), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "single-v2.cfg: name it S1..S1 or by its probe's serial"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "S0 insert", state), 2);
	cr_expect_eq(cl_run(CTL "S1 dance", state), 2);
	cr_expect_not_null(strstr(cl_out, "gangsim ctl: unknown command 'dance' (insert, remove, swap or status)"),
			   "%s", cl_out);
	cr_expect_eq(cl_run(CTL "S1", state), 2);
	cr_expect_not_null(strstr(cl_out, "expected 'status' or 'FIXTURE insert|remove|swap|status'"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "S1 insert now", state), 2);
	cr_expect_eq(cl_run(CTL "066dff485457725187084919 status", state), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "S1 066DFF485457725187084919 V2   board 1/1 (UID "), "%s", cl_out);
}

/* Refusals change nothing: the status before and after is the same. */
Test(sim_clients, ctl_refuses_what_a_person_at_the_fixture_could_not_do)
{
	char *before;

	cr_assert_eq(cl_run(CTL "--bench " FIX "single-v2.cfg status", cl_dir), 0, "%s", cl_out);
	before = strdup(cl_out);
	cr_assert_not_null(before);
	cr_expect_eq(cl_run(CTL "--bench " FIX "single-v2.cfg S1 insert", cl_dir), 1);
	cr_expect_not_null(strstr(cl_out, "gangsim ctl: S1: cannot insert: board 1/1 (UID "), "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, ") is in the fixture (remove it first, or swap)"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "--bench " FIX "single-v2.cfg S1 swap", cl_dir), 1);
	cr_expect_not_null(strstr(cl_out, "S1: cannot swap: no board left in the tray (all 1 used)"), "%s", cl_out);
	cr_assert_eq(cl_run(CTL "--bench " FIX "single-v2.cfg status", cl_dir), 0, "%s", cl_out);
	cr_expect_str_eq(cl_out, before, "a refused command changed the fixture");
	free(before);
	cr_expect_eq(cl_run(CTL "--bench " FIX "single-v2.cfg S1 remove", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, ") removed; the fixture is empty"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "--bench " FIX "single-v2.cfg S1 remove", cl_dir), 1);
	cr_expect_not_null(strstr(cl_out, "S1: cannot remove: the fixture is empty"), "%s", cl_out);
	cr_expect_eq(cl_run(CTL "--bench " FIX "single-v2.cfg S1 insert", cl_dir), 1);
	cr_expect_not_null(strstr(cl_out, "S1: cannot insert: no board left in the tray (all 1 used)"), "%s", cl_out);
	cr_assert_eq(cl_run(CTL "--bench " FIX "single-v2.cfg status", cl_dir), 0, "%s", cl_out);
	cr_expect_str_eq(cl_out, "S1 066DFF485457725187084919 V2   empty, 0 boards left in the tray\n");
}

/* Seven people swapping at once on a tray of eight: every swap takes its own next board. */
Test(sim_clients, ctl_commands_at_the_same_moment_lose_no_swap)
{
	cr_assert_eq(cl_run("for i in 1 2 3 4 5 6 7; do " CTL "--bench tools/sim/benches/quad-f103.cfg S1 swap & done; wait",
			    cl_dir), 0, "%s", cl_out);
	cr_assert_eq(cl_run(CTL "--bench tools/sim/benches/quad-f103.cfg S1 status", cl_dir), 0, "%s", cl_out);
	cr_expect_not_null(strstr(cl_out, "V2-1 board 8/8 (UID "), "a swap was lost: %s", cl_out);
	cr_expect_eq(cl_run(CTL "--bench tools/sim/benches/quad-f103.cfg S1 swap", cl_dir), 1, "%s", cl_out);
}

/* The library's ctl mode without the wrapper, and a state directory it cannot use. */
Test(sim_clients, ctl_says_why_it_cannot_use_the_state_directory)
{
	const char *lib = "GANGSIM_BENCH=" FIX "single-v2.cfg LD_PRELOAD=build/libgangsim.so";

	cr_expect_eq(cl_run("GANGSIM_CTL=status GANGSIM_STATE= %s /bin/true", lib), 2);
	cr_expect_not_null(strstr(cl_out, "gangsim ctl: the state directory of the running bench is needed (--state DIR)"),
			   "%s", cl_out);
	cr_expect_eq(cl_run("GANGSIM_CTL=status GANGSIM_STATE=%s/none %s /bin/true", cl_dir, lib), 2);
	cr_expect_not_null(strstr(cl_out, "/none: No such file or directory"), "%s", cl_out);
	cr_assert_eq(cl_run("mkdir %s/tray-066DFF485457725187084919.lock", cl_dir), 0);
	cr_expect_eq(cl_run(CTL "--bench " FIX "single-v2.cfg S1 remove", cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "gangsim ctl: S1: cannot lock "), "%s", cl_out);
	cr_assert_eq(cl_run("rmdir %s/tray-066DFF485457725187084919.lock && mkdir %s/tray-066DFF485457725187084919",
			    cl_dir, cl_dir), 0);
	cr_expect_eq(cl_run(CTL "--bench " FIX "single-v2.cfg S1 remove", cl_dir), 2);
	cr_expect_not_null(strstr(cl_out, "gangsim ctl: S1: cannot write "), "%s", cl_out);
}

/* st-info --probe of stlink 1.7.0 pulses NRST and resets the core: to the operator that is work on the board. */
Test(sim_clients, st_info_probe_resets_the_board_so_the_operator_swaps_it)
{
	char state[128];

	cl_need("st-info");
	snprintf(state, sizeof(state), "%s/state", cl_dir);
	cr_assert_eq(cl_run(GS FIX "tray-swap.cfg -- st-info --probe", cl_dir), 0, "%s", cl_out);
	cr_assert_eq(cl_run(CTL "S1 status", state), 0, "%s", cl_out);
	cr_expect_str_eq(cl_out, "S1 066DFF485457725187084919 V2   board 1/3 (UID 0102030405060708090A0B0C), "
			 "released: the operator swaps it\n");
}
