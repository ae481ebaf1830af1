/*
 * test_connect.c — connect strategies and identification against the
 * virtual bench: normal / auto / hot-plug on a healthy board, a board
 * whose firmware disables SWD (auto recovers under reset with the note,
 * normal fails pointing at under-reset), NRST not wired (with SWD off, and
 * with SWD on), no board, wrong part, unknown part name, watchdog freeze,
 * detach leaving the core running, reset or halted, and the read-only peek
 * a waiting slot uses (no halt, no reset, no write).
 * References: RM0008 identification and debug support (SWJ_CFG, DBGMCU_CR,
 * connect under reset); ARMv7-M ARM C1.6; the ST-Link protocol as
 * OpenOCD 0.12 and stlink 1.7.0 use it (connect sequences).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_session.h"
#include "stlink/stlink.h"
#include "target/target.h"
#include "usb/usb.h"

#define DHCSR 0xE000EDF0U
#define DHCSR_S_HALT (1U << 17)

typedef bench_session cx;

static cx C;

static void cx_fini(void)
{
	bench_session_close(&C);
}

/* Bench and a fresh state directory, then open the probe. */
static void cx_open(const char *bench)
{
	bench_session_open(&C, bench, "target");
}

static int cx_attach(gang_connect_mode mode, const char *part)
{
	return bench_session_attach(&C, mode, part);
}

static const char *cx_msg(void)
{
	return gang_stlink_diag(C.sl)->msg;
}

static int cx_halted(void)
{
	uint32_t v = 0;

	cr_assert_eq(gang_stlink_read32(&v, C.sl, DHCSR), GANG_OK, "%s", cx_msg());
	return (v & DHCSR_S_HALT) != 0;
}

TestSuite(connect, .fini = cx_fini, .timeout = 30);

Test(connect, normal_connect_identifies_an_f103rc_and_halts_it)
{
	const gang_target_info *i;
	char dir[128];

	cx_open("flash-f103rc.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_NORMAL, "STM32F103RC"), GANG_OK, "%s", cx_msg());
	i = gang_target_info_get(C.t);
	cr_assert_str_eq(i->part->name, "STM32F103RC");
	cr_assert_eq(i->dev_id, 0x414);
	cr_assert_eq(i->rev, 0x1001);
	cr_assert_eq(i->flash_kib, 256U);
	cr_assert_eq(i->dpidr, 0x1BA01477U);
	cr_assert_eq(i->cpuid, 0x411FC231U);
	cr_assert_eq(i->mode, GANG_CONNECT_NORMAL);
	cr_assert_eq(i->rdp_level, 0);
	cr_assert_gt(i->target_mv, 3000U);
	cr_assert_str_empty(i->note);
	cr_assert_eq(strlen(i->uid), 24U);
	snprintf(dir, sizeof(dir), "%s/%s", C.state, i->uid);   /* the bench names the board by UID */
	cr_assert_eq(access(dir, F_OK), 0, "no bench state for UID %s", i->uid);
	cr_assert(cx_halted());
}

Test(connect, attach_freezes_the_watchdogs_and_keeps_debug_in_low_power)
{
	uint32_t cr = 0;

	cx_open("flash-f103rc.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, NULL), GANG_OK, "%s", cx_msg());
	cr_assert_eq(gang_stlink_read32(&cr, C.sl, 0xE0042004U), GANG_OK);
	cr_assert_eq(cr & 0x307U, 0x307U, "DBGMCU_CR=0x%08X", cr);
}

Test(connect, auto_recovers_a_board_whose_firmware_disables_swd_and_says_so)
{
	const gang_target_info *i;

	cx_open("flash-swdoff.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, "STM32F103RC"), GANG_OK, "%s", cx_msg());
	i = gang_target_info_get(C.t);
	cr_assert_eq(i->mode, GANG_CONNECT_UNDER_RESET);
	cr_assert_str_eq(i->headline, "SWD disabled by firmware — recovered under reset");
	cr_assert_str_eq(i->note, "the debug port was silent (firmware turned the SWD pins into GPIO or put the chip "
				  "to sleep); connected under reset");
	cr_assert(cx_halted());
}

Test(connect, normal_connect_to_swd_disabled_firmware_fails_pointing_at_under_reset)
{
	cx_open("flash-swdoff.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_NORMAL, NULL), GANG_ETARGET_NOSWD);
	cr_assert_null(C.t);
	cr_assert(strstr(cx_msg(), "connect under reset") != NULL, "%s", cx_msg());
	cr_assert(strstr(gang_strerror(GANG_ETARGET_NOSWD), "under reset") != NULL);
}

Test(connect, explicit_under_reset_halts_before_the_firmware_runs)
{
	uint32_t pc = 0, vec = 0;

	cx_open("flash-swdoff.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_UNDER_RESET, NULL), GANG_OK, "%s", cx_msg());
	cr_assert_eq(gang_target_info_get(C.t)->mode, GANG_CONNECT_UNDER_RESET);
	cr_assert_eq(gang_stlink_read_reg(&pc, C.sl, 15), GANG_OK, "%s", cx_msg());
	cr_assert_eq(gang_stlink_read32(&vec, C.sl, 0x08000004U), GANG_OK, "%s", cx_msg());
	cr_assert_eq(pc, vec & ~1U, "PC 0x%08X is not the reset vector 0x%08X", pc, vec);
}

Test(connect, swd_disabled_board_without_nrst_fails_as_nrst_unwired)
{
	cx_open("flash-nrst-unwired.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, NULL), GANG_ENRST_UNWIRED);
	cr_assert(strstr(cx_msg(), "under-reset is impossible on this fixture") != NULL, "%s", cx_msg());
	gang_diag_clear(gang_stlink_diag(C.sl));
	cr_assert_eq(cx_attach(GANG_CONNECT_UNDER_RESET, NULL), GANG_ENRST_UNWIRED);
}

Test(connect, under_reset_notices_an_nrst_line_that_never_resets_the_chip)
{
	cx_open("flash-nrst-unwired-swdok.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_UNDER_RESET, NULL), GANG_ENRST_UNWIRED);
	cr_assert(strstr(cx_msg(), "S_RESET_ST never read set") != NULL, "%s", cx_msg());
	gang_diag_clear(gang_stlink_diag(C.sl));
	/* the same board is fine with a connect that needs no NRST */
	cr_assert_eq(cx_attach(GANG_CONNECT_NORMAL, NULL), GANG_OK, "%s", cx_msg());
}

Test(connect, empty_fixture_is_no_board)
{
	cx_open("flash-absent.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, NULL), GANG_ENO_BOARD);
	cr_assert(strstr(cx_msg(), "below 1.5 V") != NULL, "%s", cx_msg());
}

Test(connect, wrong_part_is_refused_naming_both_parts)
{
	cx_open("flash-c8.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, "STM32F103RC"), GANG_EWRONG_PART);
	cr_assert_str_eq(cx_msg(), "board has STM32F103C8 (0x410, 64 KiB), profile wants STM32F103RC");
	cr_assert_null(C.t);
}

Test(connect, unknown_expected_part_name_is_a_profile_error)
{
	cx_open("flash-f103rc.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, "STM32F999"), GANG_EPROFILE);
	cr_assert(strstr(cx_msg(), "'STM32F999'") != NULL, "%s", cx_msg());
	cr_assert(strstr(cx_msg(), "STM32F103RC") != NULL, "the known parts are listed: %s", cx_msg());
}

Test(connect, cortex_m0_f030_is_identified_through_its_apb_dbgmcu)
{
	const gang_target_info *i;

	cx_open("flash-f030.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, NULL), GANG_OK, "%s", cx_msg());
	i = gang_target_info_get(C.t);
	cr_assert_str_eq(i->part->name, "STM32F030x8");
	cr_assert_eq(i->dev_id, 0x440);
	cr_assert_eq(i->flash_kib, 64U);
	cr_assert_eq(i->dpidr, 0x0BB11477U);
}

Test(connect, hot_plug_halts_without_reset)
{
	cx_open("flash-f103rc.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_HOT_PLUG, NULL), GANG_OK, "%s", cx_msg());
	cr_assert_eq(gang_target_info_get(C.t)->mode, GANG_CONNECT_HOT_PLUG);
	cr_assert(cx_halted());
}

Test(connect, detach_with_halt_leaves_the_core_halted_and_with_run_lets_it_go)
{
	cx_open("flash-f103rc.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, NULL), GANG_OK, "%s", cx_msg());
	cr_assert_eq(gang_target_detach(C.t, GANG_DETACH_HALT), GANG_OK, "%s", cx_msg());
	C.t = NULL;
	cr_assert_eq(gang_stlink_enter_swd(C.sl), GANG_OK, "%s", cx_msg());
	cr_assert(cx_halted());
	cr_assert_eq(cx_attach(GANG_CONNECT_HOT_PLUG, NULL), GANG_OK, "%s", cx_msg());
	cr_assert_eq(gang_target_detach(C.t, GANG_DETACH_RESET), GANG_OK, "%s", cx_msg());
	C.t = NULL;
	cr_assert_eq(gang_stlink_enter_swd(C.sl), GANG_OK, "%s", cx_msg());
	cr_assert(!cx_halted(), "the core should run after detach(reset)");
}

/* Make the bench trace every command to a fresh file (before the bench loads). */
static void cx_trace_path(char *path, size_t cap)
{
	snprintf(path, cap, "/tmp/gang-peek-trace-%d", (int)getpid());
	unlink(path);
	setenv("GANGSIM_TRACE", path, 1);
}

static char *cx_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	cr_assert_not_null(f, "%s", path);
	cr_assert_not_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(connect, peek_reads_the_uid_of_a_running_board_without_halting_resetting_or_writing)
{
	gang_target_info info;
	char path[96], *trace;

	cx_trace_path(path, sizeof(path));
	cx_open("flash-f103rc.cfg");
	cr_assert_eq(gang_target_peek(&info, C.sl, 0), GANG_OK, "%s", cx_msg());
	cr_expect_eq(strlen(info.uid), 24);
	cr_expect_str_eq(info.part->name, "STM32F103RC");
	trace = cx_slurp(path);
	cr_expect_null(strstr(trace, "WRITE"), "a peek wrote:\n%s", trace);
	cr_expect_null(strstr(trace, "DRIVE_NRST"), "a peek drove NRST:\n%s", trace);
	cr_expect_null(strstr(trace, "RESETSYS"), "a peek reset:\n%s", trace);
	cr_expect_not_null(strstr(trace, "DEBUG_EXIT"), "a peek leaves debug mode:\n%s", trace);
	free(trace);
	unlink(path);
	/* the same UID as a full attach reads, and the core was running all along */
	cr_assert_eq(cx_attach(GANG_CONNECT_HOT_PLUG, NULL), GANG_OK, "%s", cx_msg());
	cr_expect_str_eq(gang_target_info_get(C.t)->uid, info.uid);
}

Test(connect, peek_at_a_board_whose_firmware_disables_swd_is_silence)
{
	gang_target_info info;

	cx_open("flash-swdoff.cfg");
	cr_expect_eq(gang_target_peek(&info, C.sl, 0), GANG_ETARGET_NOSWD);
	cr_expect_str_eq(info.uid, "");
}

Test(connect, peek_at_an_empty_fixture_is_no_board)
{
	gang_target_info info;

	cx_open("flash-absent.cfg");
	cr_expect_eq(gang_target_peek(&info, C.sl, 0), GANG_ENO_BOARD);
}

/*
 * Firmware that enters Stop at once without DBGMCU_CR.DBG_STOP (RM0008
 * §31.16.3): the debug port is silent to a normal attach, as on silicon;
 * auto connect reaches it under reset and says so in the operator's sentence.
 */
Test(connect, auto_recovers_a_board_whose_firmware_sleeps_in_stop)
{
	const gang_target_info *i;

	cx_open("flash-stop.cfg");
	cr_assert_eq(cx_attach(GANG_CONNECT_NORMAL, "STM32F103RC"), GANG_ETARGET_NOSWD, "%s", cx_msg());
	cr_assert_eq(cx_attach(GANG_CONNECT_AUTO, "STM32F103RC"), GANG_OK, "%s", cx_msg());
	i = gang_target_info_get(C.t);
	cr_assert_eq(i->mode, GANG_CONNECT_UNDER_RESET);
	cr_assert_str_eq(i->headline, "SWD disabled by firmware — recovered under reset");
	cr_assert(cx_halted());
}
