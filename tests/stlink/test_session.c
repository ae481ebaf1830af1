/*
 * test_session.c — the ST-Link driver against the virtual bench
 * (build/libgangsim.so stands in for libusb): open and version text per
 * model, mode clean-up, SWD entry and DPIDR, CPUID, memory round trips
 * across 4 KiB blocks with unaligned ends, core registers, NRST, target
 * voltage, SWD clock, firmware gating, and each fault the bench injects.
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use it;
 * tests/fixtures/benches/stlink-*.cfg.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stlink/stlink.h"
#include "stlink/stlink_cmd.h"

#define BENCH_DIR "tests/fixtures/benches/"
#define SRAM_BASE 0x20000000U
#define CPUID_ADDR 0xE000ED00U
#define DHCSR_ADDR 0xE000EDF0U
#define DHCSR_HALT 0xA05F0003U
#define DHCSR_S_HALT (1U << 17)
#define DHCSR_S_RESET_ST (1U << 25)
#define F103_DPIDR 0x1BA01477U
#define F103_CPUID 0x411FC231U

static char sl_state[64];
static gang_diag diag;
static gang_usb *usb;
static gang_stlink *sl;

static int sl_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void sl_fini(void)
{
	gang_stlink_close(sl);
	sl = NULL;
	gang_usb_free(usb);
	usb = NULL;
	if (sl_state[0])
		nftw(sl_state, sl_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(stlink_session, .fini = sl_fini, .timeout = 30);

/* Pick the bench and a fresh state dir, then create the USB context. */
static void sl_bench(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), BENCH_DIR "%s", name);
	cr_assert_eq(access(path, R_OK), 0, "bench file %s missing", path);
	setenv("GANGSIM_BENCH", path, 1);
	snprintf(sl_state, sizeof(sl_state), "/tmp/gang-stlink-XXXXXX");
	cr_assert_not_null(mkdtemp(sl_state));
	setenv("GANGSIM_STATE", sl_state, 1);
	gang_diag_clear(&diag);
	cr_assert_eq(gang_usb_new(&usb, &diag), GANG_OK, "%s", diag.msg);
}

static void sl_open(const char *bench, const char *selector)
{
	sl_bench(bench);
	cr_assert_eq(gang_stlink_open(&sl, usb, selector, &diag), GANG_OK, "open: %s", diag.msg);
}

/* Open, enter SWD and halt the core. */
static void sl_connect(const char *bench, const char *selector)
{
	sl_open(bench, selector);
	cr_assert_eq(gang_stlink_enter_swd(sl), GANG_OK, "enter: %s", diag.msg);
	cr_assert_eq(gang_stlink_write32(sl, DHCSR_ADDR, DHCSR_HALT), GANG_OK, "halt: %s", diag.msg);
}

Test(stlink_session, open_reports_the_version_text_of_each_model)
{
	static const char *const sel[3] = { "392905012612344D314B4E00", "0669FF555052836687031939",
					    "002F00293137510F33333639" };
	static const char *const text[3] = { "V2J37S7", "V2J37M26", "V3J7M3B5S1" };

	sl_bench("stlink-models.cfg");
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(gang_stlink_open(&sl, usb, sel[i], &diag), GANG_OK, "%s", diag.msg);
		cr_expect_str_eq(gang_stlink_get_version(sl)->text, text[i]);
		cr_expect_str_eq(gang_stlink_id(sl)->serial, sel[i]);
		cr_expect_eq(gang_stlink_diag(sl), &diag);
		gang_stlink_close(sl);
		sl = NULL;
	}
}

Test(stlink_session, enter_swd_reads_the_f103_dpidr_and_cpuid)
{
	uint32_t dpidr = 0, cpuid = 0;

	sl_open("stlink-v2.cfg", NULL);
	cr_assert_eq(gang_stlink_enter_swd(sl), GANG_OK, "%s", diag.msg);
	cr_expect_eq(gang_stlink_read_idcodes(&dpidr, sl), GANG_OK, "%s", diag.msg);
	cr_expect_eq(dpidr, F103_DPIDR, "DPIDR 0x%08X", dpidr);
	cr_expect_eq(gang_stlink_read32(&cpuid, sl, CPUID_ADDR), GANG_OK, "%s", diag.msg);
	cr_expect_eq(cpuid, F103_CPUID, "CPUID 0x%08X", cpuid);
}

Test(stlink_session, v3_and_v21_probes_reach_the_target_too)
{
	static const char *const sel[2] = { "0669FF555052836687031939", "002F00293137510F33333639" };
	uint32_t cpuid = 0;

	sl_bench("stlink-models.cfg");
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(gang_stlink_open(&sl, usb, sel[i], &diag), GANG_OK, "%s", diag.msg);
		cr_assert_eq(gang_stlink_enter_swd(sl), GANG_OK, "%s: %s", sel[i], diag.msg);
		cr_expect_eq(gang_stlink_read32(&cpuid, sl, CPUID_ADDR), GANG_OK, "%s", diag.msg);
		cr_expect_eq(cpuid, F103_CPUID);
		gang_stlink_close(sl);
		sl = NULL;
	}
}

static void sl_pattern(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((i * 7U + seed * 13U + (i >> 8)) ^ 0xA5U);
}

/* Write pattern at addr, read back from the same and an overlapping window. */
static void sl_round_trip(uint32_t addr, size_t len, unsigned seed)
{
	uint8_t *w = malloc(len), *r = calloc(1, len + 8);

	cr_assert(w && r);
	sl_pattern(w, len, seed);
	cr_assert_eq(gang_stlink_write_mem(sl, addr, w, len), GANG_OK, "write 0x%08X+%zu: %s",
		     addr, len, diag.msg);
	cr_assert_eq(gang_stlink_read_mem(r, sl, addr, len), GANG_OK, "read: %s", diag.msg);
	cr_expect_eq(memcmp(w, r, len), 0, "round trip at 0x%08X+%zu differs", addr, len);
	/* a window shifted by one: both ends unaligned in a different way */
	if (len > 2) {
		cr_assert_eq(gang_stlink_read_mem(r, sl, addr + 1, len - 2), GANG_OK, "%s", diag.msg);
		cr_expect_eq(memcmp(w + 1, r, len - 2), 0, "shifted read differs");
	}
	free(w);
	free(r);
}

Test(stlink_session, unaligned_write_and_read_round_trip_across_a_4k_boundary)
{
	sl_connect("stlink-v2.cfg", NULL);
	sl_round_trip(SRAM_BASE + 0xFFDU, 3 + 8192 + 3, 1);
	sl_round_trip(SRAM_BASE + 0x3001U, 7000, 2);
}

Test(stlink_session, short_accesses_of_one_to_seven_bytes_keep_their_neighbours)
{
	uint8_t base[16], got[16], one[7] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };

	sl_connect("stlink-v2.cfg", NULL);
	sl_pattern(base, sizeof(base), 3);
	for (size_t off = 0; off < 4; off++) {
		for (size_t n = 1; n <= 7; n++) {
			uint8_t want[16];

			memcpy(want, base, sizeof(want));
			memcpy(want + 4 + off, one, n);
			cr_assert_eq(gang_stlink_write_mem(sl, SRAM_BASE + 0x100U, base, 16), GANG_OK);
			cr_assert_eq(gang_stlink_write_mem(sl, SRAM_BASE + 0x104U + (uint32_t)off, one, n),
				     GANG_OK, "%s", diag.msg);
			cr_assert_eq(gang_stlink_read_mem(got, sl, SRAM_BASE + 0x100U, 16), GANG_OK);
			cr_expect_eq(memcmp(got, want, 16), 0, "offset %zu length %zu", off, n);
			memset(got, 0, sizeof(got));
			cr_assert_eq(gang_stlink_read_mem(got, sl, SRAM_BASE + 0x104U + (uint32_t)off, n),
				     GANG_OK, "%s", diag.msg);
			cr_expect_eq(memcmp(got, one, n), 0, "read offset %zu length %zu", off, n);
		}
	}
}

Test(stlink_session, zero_length_and_wrapping_ranges)
{
	uint8_t b[8] = { 0 };

	sl_connect("stlink-v2.cfg", NULL);
	cr_expect_eq(gang_stlink_read_mem(b, sl, SRAM_BASE, 0), GANG_OK);
	cr_expect_eq(gang_stlink_write_mem(sl, SRAM_BASE, b, 0), GANG_OK);
	cr_expect_eq(gang_stlink_read_mem(b, sl, 0xFFFFFFFCU, 8), GANG_ERR);
	cr_expect_neq(strstr(diag.msg, "0xFFFFFFFC"), NULL, "%s", diag.msg);
}

Test(stlink_session, write32_read32_and_write16_reach_sram)
{
	uint32_t v = 0;

	sl_connect("stlink-v2.cfg", NULL);
	cr_assert_eq(gang_stlink_write32(sl, SRAM_BASE + 0x40U, 0xDEADBEEFU), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_write16(sl, SRAM_BASE + 0x42U, 0x1234U), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_read32(&v, sl, SRAM_BASE + 0x40U), GANG_OK, "%s", diag.msg);
	cr_expect_eq(v, 0x1234BEEFU, "got 0x%08X", v);
	cr_expect_eq(gang_stlink_read32(&v, sl, SRAM_BASE + 0x41U), GANG_ERR);
	cr_expect_eq(gang_stlink_write32(sl, SRAM_BASE + 0x42U, 1), GANG_ERR);
	cr_expect_eq(gang_stlink_write16(sl, SRAM_BASE + 0x43U, 1), GANG_ERR);
	cr_expect_neq(strstr(diag.msg, "0x20000043"), NULL, "%s", diag.msg);
}

Test(stlink_session, core_registers_write_and_read_back_while_halted)
{
	uint32_t v = 0, dhcsr = 0;

	sl_connect("stlink-v2.cfg", NULL);
	cr_assert_eq(gang_stlink_read32(&dhcsr, sl, DHCSR_ADDR), GANG_OK);
	cr_expect(dhcsr & DHCSR_S_HALT, "DHCSR 0x%08X", dhcsr);
	cr_assert_eq(gang_stlink_write_reg(sl, 0, 0x12345678U), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_write_reg(sl, 15, 0x20000100U), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_read_reg(&v, sl, 0), GANG_OK, "%s", diag.msg);
	cr_expect_eq(v, 0x12345678U);
	cr_assert_eq(gang_stlink_read_reg(&v, sl, 15), GANG_OK, "%s", diag.msg);
	cr_expect_eq(v & ~1U, 0x20000100U, "PC 0x%08X", v);
	cr_expect_eq(gang_stlink_read_reg(&v, sl, 0x80U), GANG_ERR);
	cr_expect_eq(gang_stlink_write_reg(sl, 0x80U, 0), GANG_ERR);
}

Test(stlink_session, nrst_pulse_resets_the_core)
{
	uint32_t dhcsr = 0;

	sl_connect("stlink-v2.cfg", NULL);
	/* reading DHCSR clears the sticky S_RESET_ST left by power-up */
	cr_assert_eq(gang_stlink_read32(&dhcsr, sl, DHCSR_ADDR), GANG_OK);
	cr_assert_eq(gang_stlink_read32(&dhcsr, sl, DHCSR_ADDR), GANG_OK);
	cr_expect_not(dhcsr & DHCSR_S_RESET_ST, "DHCSR 0x%08X", dhcsr);
	cr_assert_eq(gang_stlink_drive_nrst(sl, true), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_drive_nrst(sl, false), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_read32(&dhcsr, sl, DHCSR_ADDR), GANG_OK);
	cr_expect(dhcsr & DHCSR_S_RESET_ST, "no reset seen: DHCSR 0x%08X", dhcsr);
}

Test(stlink_session, reset_sys_is_accepted)
{
	uint32_t dhcsr = 0;

	sl_connect("stlink-v2.cfg", NULL);
	cr_assert_eq(gang_stlink_read32(&dhcsr, sl, DHCSR_ADDR), GANG_OK);
	cr_expect_eq(gang_stlink_reset_sys(sl), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_read32(&dhcsr, sl, DHCSR_ADDR), GANG_OK);
	cr_expect(dhcsr & DHCSR_S_RESET_ST, "no reset seen: DHCSR 0x%08X", dhcsr);
}

Test(stlink_session, target_voltage_is_3v3_with_a_board)
{
	unsigned mv = 0;

	sl_open("stlink-v2.cfg", NULL);
	cr_assert_eq(gang_stlink_target_voltage(&mv, sl), GANG_OK, "%s", diag.msg);
	cr_expect(mv > 3200 && mv < 3400, "%u mV", mv);
}

Test(stlink_session, target_voltage_is_about_zero_on_an_empty_fixture)
{
	unsigned mv = 9999;

	sl_open("stlink-absent.cfg", NULL);
	cr_assert_eq(gang_stlink_target_voltage(&mv, sl), GANG_OK, "%s", diag.msg);
	cr_expect_lt(mv, 300, "%u mV", mv);
}

Test(stlink_session, empty_fixture_does_not_answer_on_swd)
{
	uint32_t v = 1;
	int err;

	sl_open("stlink-absent.cfg", NULL);
	err = gang_stlink_enter_swd(sl);
	if (err == GANG_OK)
		err = gang_stlink_read_idcodes(&v, sl);
	cr_expect_eq(err, GANG_ETARGET_NOSWD, "err %d: %s", err, diag.msg);
	cr_expect_eq(gang_stlink_read32(&v, sl, CPUID_ADDR), GANG_ETARGET_NOSWD, "%s", diag.msg);
	cr_expect_neq(strstr(diag.msg, "0xE000ED00"), NULL, "%s", diag.msg);
}

Test(stlink_session, swd_clock_on_v2_picks_the_divisor_table_entry)
{
	unsigned khz = 0;

	sl_open("stlink-v2.cfg", NULL);
	cr_expect_eq(gang_stlink_set_swd_khz(&khz, sl, 1000), GANG_OK, "%s", diag.msg);
	cr_expect_eq(khz, 950);
	cr_expect_eq(gang_stlink_set_swd_khz(&khz, sl, 4000), GANG_OK, "%s", diag.msg);
	cr_expect_eq(khz, 4000);
}

Test(stlink_session, swd_clock_on_v3_is_one_the_probe_lists_at_or_below)
{
	unsigned khz = 0;

	sl_open("stlink-models.cfg", "002F00293137510F33333639");
	cr_assert_eq(gang_stlink_set_swd_khz(&khz, sl, 1800), GANG_OK, "%s", diag.msg);
	cr_expect(khz > 0 && khz <= 1800, "%u kHz", khz);
	cr_assert_eq(gang_stlink_enter_swd(sl), GANG_OK, "%s", diag.msg);
}

Test(stlink_session, old_firmware_refuses_16bit_access_naming_v2j26)
{
	sl_connect("stlink-old.cfg", "48FF6E066772574857351925");
	cr_expect_str_eq(gang_stlink_get_version(sl)->text, "V2J25S4");
	cr_expect_eq(gang_stlink_write16(sl, SRAM_BASE, 0x1234U), GANG_EPROBE_FIRMWARE);
	cr_expect_neq(strstr(diag.msg, "V2J26"), NULL, "%s", diag.msg);
	/* the rest still works without INIT_AP (J28) */
	sl_round_trip(SRAM_BASE + 0x11U, 300, 4);
}

Test(stlink_session, firmware_without_swd_set_freq_is_refused_naming_v2j22)
{
	unsigned khz = 1;

	sl_open("stlink-old.cfg", "48FF6E066772574857351921");
	cr_expect_eq(gang_stlink_set_swd_khz(&khz, sl, 1000), GANG_EPROBE_FIRMWARE);
	cr_expect_eq(khz, 0);
	cr_expect_neq(strstr(diag.msg, "V2J22"), NULL, "%s", diag.msg);
}

Test(stlink_session, firmware_before_j15_uses_getlastrwstatus)
{
	sl_connect("stlink-old.cfg", "48FF6E066772574857351914");
	sl_round_trip(SRAM_BASE + 0xFFEU, 20, 5);
}

Test(stlink_session, firmware_before_j13_cannot_read_the_voltage)
{
	unsigned mv = 1;

	sl_open("stlink-old.cfg", "48FF6E066772574857351912");
	cr_expect_eq(gang_stlink_target_voltage(&mv, sl), GANG_EPROBE_FIRMWARE);
	cr_expect_neq(strstr(diag.msg, "V2J13"), NULL, "%s", diag.msg);
}

Test(stlink_session, api_v1_firmware_is_refused_at_open)
{
	sl_bench("stlink-old.cfg");
	cr_expect_eq(gang_stlink_open(&sl, usb, "48FF6E066772574857351910", &diag),
		     GANG_EPROBE_FIRMWARE);
	cr_expect_null(sl);
	cr_expect_neq(strstr(diag.msg, "V2J11"), NULL, "%s", diag.msg);
}

/* GET_CURRENT_MODE through a raw USB handle (the session must be closed). */
static uint8_t sl_raw_mode(void)
{
	static const uint8_t mode[1] = { STLINK_GET_CURRENT_MODE };
	gang_usb_handle *h;
	uint8_t in[2] = { 0xFF, 0xFF };

	cr_assert_eq(gang_usb_open(&h, usb, NULL, &diag), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_usb_xfer(h, mode, sizeof(mode), NULL, 0, in, 2, 3000, &diag), GANG_OK);
	gang_usb_close(h);
	return in[0];
}

Test(stlink_session, open_leaves_a_debug_session_a_previous_run_left_open)
{
	static const uint8_t enter[3] = { STLINK_DEBUG_COMMAND, STLINK_DEBUG_APIV2_ENTER,
					  STLINK_DEBUG_ENTER_SWD_NO_RESET };
	gang_usb_handle *h;
	uint8_t in[2] = { 0 };

	sl_bench("stlink-v2.cfg");
	cr_assert_eq(gang_usb_open(&h, usb, NULL, &diag), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_usb_xfer(h, enter, sizeof(enter), NULL, 0, in, 2, 3000, &diag), GANG_OK);
	cr_assert_eq(in[0], STLINK_DEBUG_ERR_OK);
	gang_usb_close(h); /* a crashed run: no DEBUG_EXIT */
	cr_assert_eq(sl_raw_mode(), STLINK_MODE_DEBUG);
	cr_assert_eq(gang_stlink_open(&sl, usb, NULL, &diag), GANG_OK, "%s", diag.msg);
	gang_stlink_close(sl);
	sl = NULL;
	cr_expect_eq(sl_raw_mode(), STLINK_MODE_MASS);
}

Test(stlink_session, open_takes_a_v2_out_of_dfu_mode)
{
	sl_bench("stlink-v2.cfg");
	/* a V2 powers up in DFU */
	cr_assert_eq(sl_raw_mode(), STLINK_MODE_DFU);
	cr_assert_eq(gang_stlink_open(&sl, usb, NULL, &diag), GANG_OK, "%s", diag.msg);
	gang_stlink_close(sl);
	sl = NULL;
	cr_expect_eq(sl_raw_mode(), STLINK_MODE_MASS);
}

Test(stlink_session, close_leaves_debug_mode)
{
	sl_open("stlink-v2.cfg", NULL);
	cr_assert_eq(gang_stlink_enter_swd(sl), GANG_OK, "%s", diag.msg);
	gang_stlink_close(sl);
	sl = NULL;
	cr_expect_eq(sl_raw_mode(), STLINK_MODE_MASS);
}

Test(stlink_session, wait_storm_becomes_a_target_fault_after_the_budget)
{
	uint32_t v;
	uint8_t b[8];
	int err;

	sl_open("stlink-faults.cfg", "22FF6B064966545232401201");
	err = gang_stlink_enter_swd(sl);
	if (err == GANG_OK)
		err = gang_stlink_read32(&v, sl, CPUID_ADDR);
	cr_expect_eq(err, GANG_ETARGET_FAULT, "err %d: %s", err, diag.msg);
	cr_expect_neq(strstr(diag.msg, "WAIT storm"), NULL, "%s", diag.msg);
	if (err == GANG_ETARGET_FAULT && strstr(diag.msg, "READDEBUGREG")) {
		cr_expect_eq(gang_stlink_read_mem(b, sl, SRAM_BASE + 1U, 6), GANG_ETARGET_FAULT);
		cr_expect_neq(strstr(diag.msg, "WAIT storm"), NULL, "%s", diag.msg);
	}
}

Test(stlink_session, swd_fault_names_the_address)
{
	uint8_t b[16];
	uint32_t v;

	sl_open("stlink-faults.cfg", "22FF6B064966545232401202");
	cr_assert_eq(gang_stlink_enter_swd(sl), GANG_OK, "%s", diag.msg);
	cr_expect_eq(gang_stlink_read32(&v, sl, SRAM_BASE + 0x80U), GANG_ETARGET_FAULT);
	cr_expect_neq(strstr(diag.msg, "0x20000080"), NULL, "%s", diag.msg);
	cr_expect_eq(gang_stlink_write_mem(sl, SRAM_BASE + 0x204U, b, sizeof(b)), GANG_ETARGET_FAULT);
	cr_expect_neq(strstr(diag.msg, "0x20000204"), NULL, "%s", diag.msg);
	cr_expect_eq(gang_stlink_read_mem(b, sl, SRAM_BASE + 0x301U, 3), GANG_ETARGET_FAULT);
	cr_expect_neq(strstr(diag.msg, "0x20000301"), NULL, "%s", diag.msg);
}

Test(stlink_session, lost_usb_commands_make_open_time_out)
{
	sl_bench("stlink-faults.cfg");
	cr_expect_eq(gang_stlink_open(&sl, usb, "22FF6B064966545232401203", &diag),
		     GANG_EPROBE_TIMEOUT);
	cr_expect_null(sl);
}

Test(stlink_session, unplugged_probe_is_gone)
{
	int err;

	sl_bench("stlink-faults.cfg");
	err = gang_stlink_open(&sl, usb, "22FF6B064966545232401204", &diag);
	if (err == GANG_OK)
		err = gang_stlink_enter_swd(sl);
	cr_expect_eq(err, GANG_EPROBE_GONE, "err %d: %s", err, diag.msg);
	cr_expect_null(sl);
}

Test(stlink_session, accesses_outside_debug_mode_are_refused)
{
	uint32_t v;

	/* the firmware answers a refused command with a 2-byte 0x81, not the 8 asked */
	sl_open("stlink-v2.cfg", NULL);
	cr_expect_eq(gang_stlink_read32(&v, sl, CPUID_ADDR), GANG_EPROBE_PROTOCOL);
	cr_expect_neq(strstr(diag.msg, "2 of 8 bytes"), NULL, "%s", diag.msg);
	cr_assert_eq(gang_stlink_enter_swd(sl), GANG_OK, "%s", diag.msg);
	cr_expect_eq(gang_stlink_read32(&v, sl, CPUID_ADDR), GANG_OK, "%s", diag.msg);
	cr_expect_eq(gang_stlink_exit_debug(sl), GANG_OK);
	cr_expect_eq(gang_stlink_read32(&v, sl, CPUID_ADDR), GANG_EPROBE_PROTOCOL);
}

Test(stlink_session, close_accepts_null)
{
	gang_stlink_close(NULL);
}

typedef struct sl_worker {
	const char *serial;
	gang_diag d;
	int err;
	bool same;
} sl_worker;

/* One slot thread: its own session and diag on the shared USB context. */
static void *sl_worker_run(void *arg)
{
	sl_worker *w = arg;
	gang_stlink *own = NULL;
	uint8_t out[2000], in[2000];

	sl_pattern(out, sizeof(out), (unsigned)w->serial[23]);
	w->err = gang_stlink_open(&own, usb, w->serial, &w->d);
	if (w->err == GANG_OK)
		w->err = gang_stlink_enter_swd(own);
	for (int i = 0; i < 5 && w->err == GANG_OK; i++) {
		w->err = gang_stlink_write_mem(own, SRAM_BASE + 0x801U, out, sizeof(out));
		if (w->err == GANG_OK)
			w->err = gang_stlink_read_mem(in, own, SRAM_BASE + 0x801U, sizeof(in));
	}
	w->same = w->err == GANG_OK && memcmp(in, out, sizeof(in)) == 0;
	gang_stlink_close(own);
	return NULL;
}

Test(stlink_session, slot_threads_drive_their_probes_in_parallel)
{
	sl_worker w[3] = { { .serial = "392905012612344D314B4E00" },
			   { .serial = "0669FF555052836687031939" },
			   { .serial = "002F00293137510F33333639" } };
	pthread_t th[3];

	sl_bench("stlink-models.cfg");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, sl_worker_run, &w[i]), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(w[i].err, GANG_OK, "%s: %s", w[i].serial, w[i].d.msg);
		cr_expect(w[i].same, "%s: data differs", w[i].serial);
	}
}

/*
 * Another access port (J28+: INIT_AP, then byte 8 of a memory command):
 * the H745's Cortex-M4 on AP3 (RM0399 §60.4), its DHCSR halts it; an
 * unaligned word and an AP past 255 are refused with a sentence, and so is
 * a J25 probe (below).
 */
Test(stlink_session, words_through_ap3_reach_the_h745_cm4)
{
	uint32_t v = 0;

	sl_connect("flash-h745zi.cfg", NULL);
	cr_assert_eq(gang_stlink_ap_open(sl, 3), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_read32_ap(&v, sl, 3, CPUID_ADDR), GANG_OK, "%s", diag.msg);
	cr_expect_eq((v >> 4) & 0xFFFU, 0xC24U, "Cortex-M4: 0x%08X", v);
	cr_assert_eq(gang_stlink_write32_ap(sl, 3, DHCSR_ADDR, DHCSR_HALT), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_stlink_read32_ap(&v, sl, 3, DHCSR_ADDR), GANG_OK, "%s", diag.msg);
	cr_expect(v & DHCSR_S_HALT, "the CM4 halted: 0x%08X", v);
	cr_expect_eq(gang_stlink_read32_ap(&v, sl, 3, DHCSR_ADDR + 2U), GANG_ERR);
	cr_expect_neq(strstr(diag.msg, "0xE000EDF2"), NULL, "%s", diag.msg);
	cr_expect_eq(gang_stlink_write32_ap(sl, 256, DHCSR_ADDR, 0), GANG_ERR);
	cr_expect_neq(strstr(diag.msg, "access port 256 does not exist"), NULL, "%s", diag.msg);
}

Test(stlink_session, firmware_before_j28_cannot_address_another_access_port)
{
	uint32_t v = 0;

	sl_connect("stlink-old.cfg", "48FF6E066772574857351925");
	cr_expect_eq(gang_stlink_ap_open(sl, 3), GANG_EPROBE_FIRMWARE);
	cr_expect_neq(strstr(diag.msg, "needs ST-Link firmware V2J28 or newer (or a V3); this probe runs V2J25S4"),
		      NULL, "%s", diag.msg);
	cr_expect_eq(gang_stlink_read32_ap(&v, sl, 3, DHCSR_ADDR), GANG_EPROBE_FIRMWARE);
}
