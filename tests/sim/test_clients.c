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

#define FIX "tests/fixtures/benches/"
#define OUT_MAX (256 * 1024)

static char tc_dir[64];
static char tc_out[OUT_MAX];

static void tc_setup(void)
{
	snprintf(tc_dir, sizeof(tc_dir), "/tmp/gangsim-tc-XXXXXX");
	cr_assert_not_null(mkdtemp(tc_dir));
	cr_assert_eq(access("build/libgangsim.so", R_OK), 0, "build/libgangsim.so missing: run make");
}

static void tc_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tc_dir);
	(void)system(cmd);
}

TestSuite(sim_clients, .init = tc_setup, .fini = tc_teardown, .timeout = 180);

static void tc_need(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (system(cmd) != 0)
		cr_skip_test("%s is not installed", tool);
}

/* Run a shell command line, capture stdout+stderr in tc_out; returns the exit status. */
__attribute__((format(printf, 1, 2)))
static int tc_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *p;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(tc_out, 1, sizeof(tc_out) - 1, p);
	tc_out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void tc_random_file(const char *name, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tc_dir, name);
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
	return tc_run("cmp -n %zu %s/%s %s/%s", n, tc_dir, a, tc_dir, b);
}

#define GS "tools/gangsim --state %s/state --bench "

Test(sim_clients, st_info_probe_lists_every_probe_with_chip_flash_and_sram)
{
	tc_need("st-info");
	cr_assert_eq(tc_run(GS FIX "models.cfg -- st-info --probe", tc_dir), 0, "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "Found 3 stlink programmers"), "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "serial:     392905012612344D314B4E00"), "clone serial hex-encoded:\n%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "serial:     0669FF555052836687031939"), "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "serial:     002F00293137510F33333639"), "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "flash:      65536 (pagesize: 1024)\n  sram:       20480\n  chipid:     0x0410"), "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "flash:      262144 (pagesize: 2048)\n  sram:       65536\n  chipid:     0x0414"), "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "flash:      524288 (pagesize: 2048)"), "%s", tc_out);
}

Test(sim_clients, st_flash_write_read_and_erase_round_trip_random_data)
{
	const char *s = "066DFF485457725187084919";

	tc_need("st-flash");
	tc_random_file("fw.bin", 100 * 1024 + 6);
	cr_assert_eq(tc_run(GS FIX "single-v2.cfg -- st-flash --serial %s write %s/fw.bin 0x08000000",
			    tc_dir, s, tc_dir), 0, "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "Flash written and verified"), "%s", tc_out);
	cr_assert_eq(tc_run(GS FIX "single-v2.cfg -- st-flash --serial %s read %s/back.bin 0x08000000 %d",
			    tc_dir, s, tc_dir, 100 * 1024 + 6), 0, "%s", tc_out);
	cr_expect_eq(tc_cmp("fw.bin", "back.bin", 100 * 1024 + 6), 0, "read back differs: %s", tc_out);
	cr_assert_eq(tc_run(GS FIX "single-v2.cfg -- st-flash --serial %s erase", tc_dir, s), 0, "%s", tc_out);
	cr_assert_eq(tc_run(GS FIX "single-v2.cfg -- st-flash --serial %s read %s/blank.bin 0x08000000 4096",
			    tc_dir, s, tc_dir), 0, "%s", tc_out);
	cr_expect_eq(tc_run("tr -d '\\377' < %s/blank.bin | wc -c | grep -qx 0", tc_dir), 0, "erased flash is not all 0xFF");
}

Test(sim_clients, st_flash_with_a_wrong_serial_finds_no_probe)
{
	tc_need("st-flash");
	cr_expect_neq(tc_run(GS FIX "single-v2.cfg -- st-flash --serial 000000000000000000000000 erase",
			     tc_dir), 0, "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "Couldn't find any ST-Link devices"), "%s", tc_out);
}

Test(sim_clients, connect_under_reset_reaches_a_board_whose_firmware_disabled_swd)
{
	tc_need("st-flash");
	tc_random_file("fw.bin", 8192);
	cr_expect_neq(tc_run(GS FIX "swd-disabled.cfg -- st-flash read %s/x.bin 0x08000000 1024", tc_dir, tc_dir), 0,
		      "plain st-flash must fail: %s", tc_out);
	cr_expect_not_null(strstr(tc_out, "connect under reset"), "%s", tc_out);
	cr_assert_eq(tc_run(GS FIX "swd-disabled.cfg -- st-flash --connect-under-reset write %s/fw.bin 0x08000000",
			    tc_dir, tc_dir), 0, "%s", tc_out);
	cr_assert_eq(tc_run(GS FIX "swd-disabled.cfg -- st-flash --connect-under-reset read %s/back.bin 0x08000000 8192",
			    tc_dir, tc_dir), 0, "%s", tc_out);
	cr_expect_eq(tc_cmp("fw.bin", "back.bin", 8192), 0, "%s", tc_out);
}

Test(sim_clients, openocd_programs_and_verifies_through_the_async_api)
{
	tc_need("openocd");
	tc_random_file("fw.bin", 64 * 1024);
	cr_assert_eq(tc_run(GS "tools/sim/benches/quad-f103.cfg --stats %s/stats.json -- openocd "
			    "-c 'gdb_port disabled' -c 'tcl_port disabled' -c 'telnet_port disabled' "
			    "-f interface/stlink.cfg -f target/stm32f1x.cfg -c 'adapter serial 57FF6B064966545232401287' "
			    "-c 'program %s/fw.bin 0x08000000 verify reset exit'", tc_dir, tc_dir, tc_dir), 0, "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "** Verified OK **"), "%s", tc_out);
	cr_assert_eq(tc_run("cat %s/stats.json", tc_dir), 0);
	cr_expect_not_null(strstr(tc_out, "{\"serial\": \"57FF6B064966545232401287\", \"usb_commands\": "), "%s", tc_out);
}

Test(sim_clients, wrapper_explains_itself_and_refuses_bad_input_before_running)
{
	cr_assert_eq(tc_run("tools/gangsim --help"), 0);
	cr_expect_not_null(strstr(tc_out, "GANGSIM_BENCH"), "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "--realtime"), "%s", tc_out);
	cr_expect_eq(tc_run("tools/gangsim --bench " FIX "bad-model.cfg -- touch %s/ran", tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "bad-model.cfg:4: key 'model'"), "%s", tc_out);
	{
		char ran[128];

		snprintf(ran, sizeof(ran), "%s/ran", tc_dir);
		cr_expect_neq(access(ran, F_OK), 0, "the command ran on a bad bench");
	}
	cr_expect_eq(tc_run("tools/gangsim --bench " FIX "single-v2.cfg"), 2, "no command");
	cr_expect_eq(tc_run("tools/gangsim --frobnicate -- true"), 2);
	cr_expect_eq(tc_run("tools/gangsim --realtime fast -- true"), 2);
	cr_expect_eq(tc_run("tools/gangsim -- sh -c 'exit 7'"), 7, "the command's status is passed on");
}

#define CTL "tools/gangsim ctl --state %s "

Test(sim_clients, ctl_explains_itself_and_refuses_bad_input_with_one_line)
{
	cr_assert_eq(tc_run("tools/gangsim ctl --help"), 0);
	cr_expect_not_null(strstr(tc_out, "FIXTURE is S<n>"), "%s", tc_out);
	cr_expect_eq(tc_run("tools/gangsim ctl S1 insert"), 2);
	cr_expect_not_null(strstr(tc_out, "ctl needs --state DIR"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "S1 insert", "/nonexistent/gangsim-state"), 2);
	cr_expect_not_null(strstr(tc_out, "no state directory /nonexistent/gangsim-state"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL, tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "ctl: no command given"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "'S1 x' insert", tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "'S1 x' is neither a fixture nor a command"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "--frob S1 insert", tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "ctl: unknown option '--frob'"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "--bench %s/none.cfg S1 insert", tc_dir, tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "cannot read bench file"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "S1 insert", tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "holds no bench yet (no process has loaded one with this state "
				       "directory): give --bench FILE"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "--bench " FIX "bad-model.cfg status", tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "bad-model.cfg:4: key 'model'"), "%s", tc_out);
}

Test(sim_clients, ctl_names_fixtures_and_commands_it_does_not_know)
{
	char state[128];

	snprintf(state, sizeof(state), "%s/state", tc_dir);
	cr_assert_eq(tc_run(GS FIX "single-v2.cfg -- st-info --probe", tc_dir), 0, "%s", tc_out);
	cr_expect_eq(tc_run(CTL "S2 insert", state), 2);
	cr_expect_not_null(strstr(tc_out, "gangsim ctl: no fixture 'S2' on bench "), "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "single-v2.cfg: name it S1..S1 or by its probe's serial"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "S0 insert", state), 2);
	cr_expect_eq(tc_run(CTL "S1 dance", state), 2);
	cr_expect_not_null(strstr(tc_out, "gangsim ctl: unknown command 'dance' (insert, remove, swap or status)"),
			   "%s", tc_out);
	cr_expect_eq(tc_run(CTL "S1", state), 2);
	cr_expect_not_null(strstr(tc_out, "expected 'status' or 'FIXTURE insert|remove|swap|status'"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "S1 insert now", state), 2);
	cr_expect_eq(tc_run(CTL "066dff485457725187084919 status", state), 0, "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "S1 066DFF485457725187084919 V2   board 1/1 (UID "), "%s", tc_out);
}

/* Refusals change nothing: the status before and after is the same. */
Test(sim_clients, ctl_refuses_what_a_person_at_the_fixture_could_not_do)
{
	char *before;

	cr_assert_eq(tc_run(CTL "--bench " FIX "single-v2.cfg status", tc_dir), 0, "%s", tc_out);
	before = strdup(tc_out);
	cr_assert_not_null(before);
	cr_expect_eq(tc_run(CTL "--bench " FIX "single-v2.cfg S1 insert", tc_dir), 1);
	cr_expect_not_null(strstr(tc_out, "gangsim ctl: S1: cannot insert: board 1/1 (UID "), "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, ") is in the fixture (remove it first, or swap)"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "--bench " FIX "single-v2.cfg S1 swap", tc_dir), 1);
	cr_expect_not_null(strstr(tc_out, "S1: cannot swap: no board left in the tray (all 1 used)"), "%s", tc_out);
	cr_assert_eq(tc_run(CTL "--bench " FIX "single-v2.cfg status", tc_dir), 0, "%s", tc_out);
	cr_expect_str_eq(tc_out, before, "a refused command changed the fixture");
	free(before);
	cr_expect_eq(tc_run(CTL "--bench " FIX "single-v2.cfg S1 remove", tc_dir), 0, "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, ") removed; the fixture is empty"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "--bench " FIX "single-v2.cfg S1 remove", tc_dir), 1);
	cr_expect_not_null(strstr(tc_out, "S1: cannot remove: the fixture is empty"), "%s", tc_out);
	cr_expect_eq(tc_run(CTL "--bench " FIX "single-v2.cfg S1 insert", tc_dir), 1);
	cr_expect_not_null(strstr(tc_out, "S1: cannot insert: no board left in the tray (all 1 used)"), "%s", tc_out);
	cr_assert_eq(tc_run(CTL "--bench " FIX "single-v2.cfg status", tc_dir), 0, "%s", tc_out);
	cr_expect_str_eq(tc_out, "S1 066DFF485457725187084919 V2   empty, 0 boards left in the tray\n");
}

/* Seven people swapping at once on a tray of eight: every swap takes its own next board. */
Test(sim_clients, ctl_commands_at_the_same_moment_lose_no_swap)
{
	cr_assert_eq(tc_run("for i in 1 2 3 4 5 6 7; do " CTL "--bench tools/sim/benches/quad-f103.cfg S1 swap & done; wait",
			    tc_dir), 0, "%s", tc_out);
	cr_assert_eq(tc_run(CTL "--bench tools/sim/benches/quad-f103.cfg S1 status", tc_dir), 0, "%s", tc_out);
	cr_expect_not_null(strstr(tc_out, "V2-1 board 8/8 (UID "), "a swap was lost: %s", tc_out);
	cr_expect_eq(tc_run(CTL "--bench tools/sim/benches/quad-f103.cfg S1 swap", tc_dir), 1, "%s", tc_out);
}

/* The library's ctl mode without the wrapper, and a state directory it cannot use. */
Test(sim_clients, ctl_says_why_it_cannot_use_the_state_directory)
{
	const char *lib = "GANGSIM_BENCH=" FIX "single-v2.cfg LD_PRELOAD=build/libgangsim.so";

	cr_expect_eq(tc_run("GANGSIM_CTL=status GANGSIM_STATE= %s /bin/true", lib), 2);
	cr_expect_not_null(strstr(tc_out, "gangsim ctl: the state directory of the running bench is needed (--state DIR)"),
			   "%s", tc_out);
	cr_expect_eq(tc_run("GANGSIM_CTL=status GANGSIM_STATE=%s/none %s /bin/true", tc_dir, lib), 2);
	cr_expect_not_null(strstr(tc_out, "/none: No such file or directory"), "%s", tc_out);
	cr_assert_eq(tc_run("mkdir %s/tray-066DFF485457725187084919.lock", tc_dir), 0);
	cr_expect_eq(tc_run(CTL "--bench " FIX "single-v2.cfg S1 remove", tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "gangsim ctl: S1: cannot lock "), "%s", tc_out);
	cr_assert_eq(tc_run("rmdir %s/tray-066DFF485457725187084919.lock && mkdir %s/tray-066DFF485457725187084919",
			    tc_dir, tc_dir), 0);
	cr_expect_eq(tc_run(CTL "--bench " FIX "single-v2.cfg S1 remove", tc_dir), 2);
	cr_expect_not_null(strstr(tc_out, "gangsim ctl: S1: cannot write "), "%s", tc_out);
}

/* st-info --probe of stlink 1.7.0 pulses NRST and resets the core: to the operator that is work on the board. */
Test(sim_clients, st_info_probe_resets_the_board_so_the_operator_swaps_it)
{
	char state[128];

	tc_need("st-info");
	snprintf(state, sizeof(state), "%s/state", tc_dir);
	cr_assert_eq(tc_run(GS FIX "tray-swap.cfg -- st-info --probe", tc_dir), 0, "%s", tc_out);
	cr_assert_eq(tc_run(CTL "S1 status", state), 0, "%s", tc_out);
	cr_expect_str_eq(tc_out, "S1 066DFF485457725187084919 V2   board 1/3 (UID 0102030405060708090A0B0C), "
			 "released: the operator swaps it\n");
}
