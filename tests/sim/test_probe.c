/*
 * test_probe.c — the virtual ST-Link through the libusb API it replaces:
 * enumeration and descriptors, the command set with its reply lengths,
 * status codes, limits and firmware gating (the ST-Link protocol as
 * OpenOCD 0.12 and stlink 1.7.0 drive it), virtual time, async transfers,
 * every bench fault as a client sees it, and the bench driven by hand
 * (tools/gangsim ctl). Benches: tests/fixtures/benches (run from the repo root).
 */
#include <criterion/criterion.h>
#include <libusb-1.0/libusb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libusb_shim.h"
#include "stlink/stlink_cmd.h"

#define FIX "tests/fixtures/benches/"
#define TMO 1000U

static char tp_state[64];

static void tp_setup(void)
{
	snprintf(tp_state, sizeof(tp_state), "/tmp/gangsim-tp-XXXXXX");
	cr_assert_not_null(mkdtemp(tp_state));
	setenv("GANGSIM_STATE", tp_state, 1);
	unsetenv("GANGSIM_STATS");
	unsetenv("GANGSIM_TRACE");
	unsetenv("GANGSIM_REALTIME");
}

/* Handles a test opened and has not closed: closed at teardown so no test leaks one. */
#define TP_MAX_OPEN 16
static libusb_device_handle *tp_handles[TP_MAX_OPEN];

static void tp_close(libusb_device_handle *h)
{
	for (int i = 0; i < TP_MAX_OPEN; i++)
		if (tp_handles[i] == h)
			tp_handles[i] = NULL;
	libusb_close(h);
}

static void tp_teardown(void)
{
	char cmd[128];

	for (int i = 0; i < TP_MAX_OPEN; i++)
		if (tp_handles[i])
			tp_close(tp_handles[i]);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tp_state);
	(void)system(cmd);
}

TestSuite(sim_probe, .init = tp_setup, .fini = tp_teardown, .timeout = 30);

static void tp_bench(const char *file)
{
	setenv("GANGSIM_BENCH", file, 1);
	cr_assert_eq(libusb_init(NULL), LIBUSB_SUCCESS);
}

static libusb_device *tp_find(const char *serial)
{
	libusb_device **l, *found = NULL;
	ssize_t n = libusb_get_device_list(NULL, &l);

	for (ssize_t i = 0; i < n; i++)
		if (strcmp(sim_probe_cfg(l[i]->probe)->serial, serial) == 0)
			found = libusb_ref_device(l[i]);
	libusb_free_device_list(l, 1);
	return found;
}

static libusb_device_handle *tp_open(const char *serial)
{
	libusb_device *d = tp_find(serial);
	libusb_device_handle *h = NULL;

	cr_assert_not_null(d, "probe %s not listed", serial);
	cr_assert_eq(libusb_open(d, &h), LIBUSB_SUCCESS);
	libusb_unref_device(d);
	for (int i = 0; i < TP_MAX_OPEN; i++)
		if (!tp_handles[i]) {
			tp_handles[i] = h;
			break;
		}
	return h;
}

static uint8_t tp_ep_out(libusb_device_handle *h)
{
	return sim_probe_ep_out(libusb_get_device(h)->probe);
}

/* One command; returns the reply length read (or a libusb error). */
static int tp_cmd(libusb_device_handle *h, const uint8_t *c, size_t clen, uint8_t *reply, int rlen)
{
	uint8_t cmd[16] = { 0 };
	int n = 0, rc;

	memcpy(cmd, c, clen);
	rc = libusb_bulk_transfer(h, tp_ep_out(h), cmd, 16, &n, TMO);
	if (rc != 0 || rlen == 0)
		return rc;
	rc = libusb_bulk_transfer(h, STLINK_EP_IN, reply, rlen, &n, TMO);
	return rc != 0 ? rc : n;
}

static int tp_dbg(libusb_device_handle *h, const uint8_t *c, size_t clen, uint8_t *r, int rlen)
{
	uint8_t cmd[16] = { STLINK_DEBUG_COMMAND };

	memcpy(cmd + 1, c, clen);
	return tp_cmd(h, cmd, 1 + clen, r, rlen);
}

static void tp_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8), b[2] = (uint8_t)(v >> 16), b[3] = (uint8_t)(v >> 24);
}

static uint32_t tp_get32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint8_t tp_enter(libusb_device_handle *h)
{
	uint8_t c[2] = { STLINK_DEBUG_APIV2_ENTER, STLINK_DEBUG_ENTER_SWD_NO_RESET }, r[2];

	cr_assert_eq(tp_dbg(h, c, 2, r, 2), 2);
	return r[0];
}

static uint8_t tp_rdbg(libusb_device_handle *h, uint32_t addr, uint32_t *val)
{
	uint8_t c[5] = { STLINK_DEBUG_APIV2_READDEBUGREG }, r[8];

	tp_put32(c + 1, addr);
	cr_assert_eq(tp_dbg(h, c, 5, r, 8), 8);
	*val = tp_get32(r + 4);
	return r[0];
}

static uint8_t tp_wdbg(libusb_device_handle *h, uint32_t addr, uint32_t val)
{
	uint8_t c[9] = { STLINK_DEBUG_APIV2_WRITEDEBUGREG }, r[2];

	tp_put32(c + 1, addr);
	tp_put32(c + 5, val);
	cr_assert_eq(tp_dbg(h, c, 9, r, 2), 2);
	return r[0];
}

/* Halt the core (DHCSR = DBGKEY | C_HALT | C_DEBUGEN): work on the board, for the virtual operator. */
static void tp_halt(libusb_device_handle *h)
{
	cr_assert_eq(tp_wdbg(h, 0xE000EDF0U, 0xA05F0003U), STLINK_DEBUG_ERR_OK);
}

static uint8_t tp_rwstatus(libusb_device_handle *h)
{
	uint8_t c[1] = { STLINK_DEBUG_APIV2_GETLASTRWSTATUS2 }, r[12];

	cr_assert_eq(tp_dbg(h, c, 1, r, 12), 12);
	return r[0];
}

/* READMEM_*: returns the byte count read. */
static int tp_readmem(libusb_device_handle *h, uint8_t sub, uint32_t addr, uint16_t len, uint8_t *buf, int buflen)
{
	uint8_t c[7] = { sub };

	tp_put32(c + 1, addr);
	c[5] = (uint8_t)len, c[6] = (uint8_t)(len >> 8);
	return tp_dbg(h, c, 7, buf, buflen);
}

static void tp_writemem(libusb_device_handle *h, uint8_t sub, uint32_t addr, const uint8_t *data, uint16_t len)
{
	uint8_t c[7] = { sub };
	int n;

	tp_put32(c + 1, addr);
	c[5] = (uint8_t)len, c[6] = (uint8_t)(len >> 8);
	cr_assert_eq(tp_dbg(h, c, 7, NULL, 0), 0);
	if (len)
		cr_assert_eq(libusb_bulk_transfer(h, tp_ep_out(h), (uint8_t *)data, len, &n, TMO), 0);
}

static void tp_spend_ms(libusb_device_handle *h, int ms);

static int64_t tp_now(libusb_device_handle *h)
{
	return sim_probe_now(libusb_get_device(h)->probe);
}

/* ---- enumeration and descriptors --------------------------------------- */

Test(sim_probe, each_model_enumerates_with_its_real_vid_pid_speed_and_endpoints)
{
	static const struct { const char *serial; uint16_t pid; uint8_t out, trace; int speed; } m[] = {
		{ "392905012612344D314B4E00", STLINK_PID_V2, STLINK_EP_OUT_V2, STLINK_EP_TRACE_V2, LIBUSB_SPEED_FULL },
		{ "0669FF555052836687031939", STLINK_PID_V2_1, STLINK_EP_OUT_V21, STLINK_EP_TRACE_V21, LIBUSB_SPEED_FULL },
		{ "002F00293137510F33333639", STLINK_PID_V3S, STLINK_EP_OUT_V21, STLINK_EP_TRACE_V21, LIBUSB_SPEED_HIGH },
	};

	tp_bench(FIX "models.cfg");
	for (size_t i = 0; i < 3; i++) {
		libusb_device *d = tp_find(m[i].serial);
		struct libusb_device_descriptor dd;
		struct libusb_config_descriptor *cfg;
		const struct libusb_interface_descriptor *itf;

		cr_assert_not_null(d);
		cr_assert_eq(libusb_get_device_descriptor(d, &dd), 0);
		cr_expect_eq(dd.idVendor, STLINK_VID);
		cr_expect_eq(dd.idProduct, m[i].pid);
		cr_expect_eq(dd.iSerialNumber, 3);
		cr_expect_eq(libusb_get_device_speed(d), m[i].speed);
		cr_assert_eq(libusb_get_config_descriptor(d, 0, &cfg), 0);
		cr_expect_eq(cfg->bConfigurationValue, 1);
		itf = &cfg->interface[0].altsetting[0];
		cr_assert_eq(itf->bNumEndpoints, 3);
		cr_expect_eq(itf->endpoint[0].bEndpointAddress, STLINK_EP_IN);
		cr_expect_eq(itf->endpoint[1].bEndpointAddress, m[i].out);
		cr_expect_eq(itf->endpoint[2].bEndpointAddress, m[i].trace);
		cr_expect_eq(itf->endpoint[1].wMaxPacketSize, m[i].speed == LIBUSB_SPEED_HIGH ? 512 : 64);
		cr_expect_eq(libusb_get_config_descriptor(d, 1, &cfg), LIBUSB_ERROR_NOT_FOUND);
		libusb_free_config_descriptor(cfg);
		libusb_unref_device(d);
	}
}

Test(sim_probe, genuine_serial_is_truncated_to_48_bytes_but_reports_blength_50)
{
	libusb_device_handle *h;
	uint8_t buf[64];
	unsigned char ascii[64];

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	memset(buf, 0xEE, sizeof(buf));
	cr_assert_eq(libusb_control_transfer(h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
					     0x0303, 0x0409, buf, 48, TMO), 48);
	cr_expect_eq(buf[0], 50);
	cr_expect_eq(buf[1], LIBUSB_DT_STRING);
	cr_expect_eq(buf[2], '0');
	cr_expect_eq(buf[46], '1');      /* 23rd digit; the 24th did not fit */
	cr_expect_eq(buf[48], 0xEE);
	cr_assert_eq(libusb_get_string_descriptor_ascii(h, 3, ascii, sizeof(ascii)), 24);
	cr_expect_str_eq((char *)ascii, "066DFF485457725187084919");
	tp_close(h);
}

Test(sim_probe, clone_serial_is_12_raw_bytes_with_blength_26)
{
	libusb_device_handle *h;
	uint8_t buf[64];
	char hex[25];

	tp_bench(FIX "models.cfg");
	h = tp_open("392905012612344D314B4E00");
	cr_assert_eq(libusb_control_transfer(h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
					     0x0303, 0x0409, buf, 48, TMO), 26);
	cr_expect_eq(buf[0], 26);
	for (int i = 0; i < 12; i++) {
		cr_expect_eq(buf[3 + 2 * i], 0, "code unit %d high byte", i);
		snprintf(hex + 2 * i, 3, "%02X", buf[2 + 2 * i]);
	}
	cr_expect_str_eq(hex, "392905012612344D314B4E00");
	tp_close(h);
}

Test(sim_probe, unknown_string_index_and_request_stall)
{
	libusb_device_handle *h;
	uint8_t buf[8];

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_expect_eq(libusb_control_transfer(h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
					     0x0309, 0x0409, buf, 8, TMO), LIBUSB_ERROR_PIPE);
	cr_expect_eq(libusb_control_transfer(h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_VENDOR, 0x42,
					     0, 0, buf, 8, TMO), LIBUSB_ERROR_PIPE);
	tp_close(h);
}

Test(sim_probe, no_bench_means_an_empty_bus_and_no_hotplug)
{
	libusb_device **l;

	unsetenv("GANGSIM_BENCH");
	cr_assert_eq(libusb_init(NULL), 0);
	cr_expect_eq(libusb_get_device_list(NULL, &l), 0);
	libusb_free_device_list(l, 1);
	cr_expect_eq(libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG), 0);
	cr_expect_eq(libusb_hotplug_register_callback(NULL, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, 0,
		     STLINK_VID, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, NULL, NULL, NULL),
		     LIBUSB_ERROR_NOT_SUPPORTED);
	libusb_exit(NULL);
}

Test(sim_probe, claiming_a_probe_twice_is_busy_until_released)
{
	libusb_device_handle *a, *b;

	tp_bench(FIX "single-v2.cfg");
	a = tp_open("066DFF485457725187084919");
	b = tp_open("066DFF485457725187084919");
	cr_assert_eq(libusb_claim_interface(a, 0), 0);
	cr_expect_eq(libusb_claim_interface(b, 0), LIBUSB_ERROR_BUSY);
	cr_expect_eq(libusb_claim_interface(b, 7), LIBUSB_ERROR_NOT_FOUND);
	cr_assert_eq(libusb_release_interface(a, 0), 0);
	cr_expect_eq(libusb_claim_interface(b, 0), 0);
	tp_close(a);
	tp_close(b);
}

/* ---- version and mode machine ------------------------------------------ */

Test(sim_probe, get_version_packs_the_firmware_of_each_model)
{
	uint8_t c = STLINK_GET_VERSION, r[16];
	uint8_t ex = STLINK_APIV3_GET_VERSION_EX;
	libusb_device_handle *v2, *v21, *v3;
	uint16_t v;

	tp_bench(FIX "models.cfg");
	v2 = tp_open("392905012612344D314B4E00");
	v21 = tp_open("0669FF555052836687031939");
	v3 = tp_open("002F00293137510F33333639");
	cr_assert_eq(tp_cmd(v2, &c, 1, r, 6), 6);
	cr_expect_eq(r[0], 0x29);          /* V2J37S7 -> 0x2947, big-endian */
	cr_expect_eq(r[1], 0x47);
	cr_expect_eq(r[4] | r[5] << 8, STLINK_PID_V2);
	cr_assert_eq(tp_cmd(v21, &c, 1, r, 6), 6);
	v = (uint16_t)(r[0] << 8 | r[1]);
	cr_expect_eq(v, 2U << 12 | 37U << 6 | 26U);   /* V2J37M26 */
	cr_assert_eq(tp_cmd(v3, &c, 1, r, 6), 6);
	cr_expect_eq(r[0], 0x30);          /* V3: V=3, J=0, S=0 */
	cr_expect_eq(r[1], 0x00);
	cr_assert_eq(tp_cmd(v3, &ex, 1, r, 12), 12);
	cr_expect_eq(r[0], 3);
	cr_expect_eq(r[1], 1);             /* SWIM */
	cr_expect_eq(r[2], 7);             /* JTAG/SWD */
	cr_expect_eq(r[3], 3);             /* MSD */
	cr_expect_eq(r[4], 5);             /* bridge */
	cr_expect_eq(r[10] | r[11] << 8, STLINK_PID_V3S);
	cr_assert_eq(tp_cmd(v2, &ex, 1, r, 12), 2, "V2 firmware refuses GET_VERSION_EX");
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_FAULT);
}

Test(sim_probe, mode_machine_goes_dfu_mass_debug_mass)
{
	uint8_t mode = STLINK_GET_CURRENT_MODE, dfu[2] = { STLINK_DFU_COMMAND, STLINK_DFU_EXIT };
	uint8_t exit_dbg[1] = { STLINK_DEBUG_EXIT }, r[2];
	libusb_device_handle *h;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_cmd(h, &mode, 1, r, 2), 2);
	cr_expect_eq(r[0], STLINK_MODE_DFU);
	cr_assert_eq(tp_cmd(h, dfu, 2, NULL, 0), 0);
	cr_assert_eq(tp_cmd(h, &mode, 1, r, 2), 2);
	cr_expect_eq(r[0], STLINK_MODE_MASS);
	cr_expect_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_cmd(h, &mode, 1, r, 2), 2);
	cr_expect_eq(r[0], STLINK_MODE_DEBUG);
	cr_assert_eq(tp_dbg(h, exit_dbg, 1, NULL, 0), 0);
	cr_assert_eq(tp_cmd(h, &mode, 1, r, 2), 2);
	cr_expect_eq(r[0], STLINK_MODE_MASS);
}

Test(sim_probe, target_access_outside_debug_mode_is_refused)
{
	uint8_t c[5] = { STLINK_DEBUG_APIV2_READDEBUGREG, 0x00, 0xED, 0x00, 0xE0 }, r[8];
	libusb_device_handle *h;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	memset(r, 0xAA, sizeof(r));
	cr_expect_eq(tp_dbg(h, c, 5, r, 8), 2, "short refusal");
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_FAULT);
}

Test(sim_probe, a_reply_not_read_is_dropped_and_a_second_read_times_out)
{
	uint8_t c = STLINK_GET_VERSION, r[8];
	libusb_device_handle *h;
	int n;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_cmd(h, &c, 1, r, 6), 6);
	cr_expect_eq(libusb_bulk_transfer(h, STLINK_EP_IN, r, 6, &n, 50), LIBUSB_ERROR_TIMEOUT);
	cr_expect_eq(n, 0);
	cr_expect_eq(libusb_bulk_transfer(h, 0x05, r, 6, &n, 50), LIBUSB_ERROR_PIPE);
}

/* ---- SWD, identification, voltage ---------------------------------------- */

Test(sim_probe, enter_swd_reads_dp_idcode_cpuid_dbgmcu_and_voltage)
{
	uint8_t ids[1] = { STLINK_DEBUG_APIV2_READ_IDCODES }, volt = STLINK_GET_TARGET_VOLTAGE, r[12];
	libusb_device_handle *h;
	uint32_t v;
	unsigned mv;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_cmd(h, &volt, 1, r, 8), 8);
	mv = (unsigned)(2400ULL * tp_get32(r + 4) / tp_get32(r));
	cr_expect(mv > 3200 && mv < 3400, "target voltage %u mV", mv);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_dbg(h, ids, 1, r, 12), 12);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_get32(r + 4), 0x1BA01477U);
	cr_expect_eq(tp_rdbg(h, 0xE000ED00U, &v), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(v, 0x411FC231U);
	cr_expect_eq(tp_rdbg(h, 0xE0042000U, &v), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(v & 0xFFFU, 0x414U);
}

Test(sim_probe, empty_fixture_gives_idcode_error_dp_error_and_no_voltage)
{
	uint8_t ids[1] = { STLINK_DEBUG_APIV2_READ_IDCODES }, volt = STLINK_GET_TARGET_VOLTAGE, r[64];
	libusb_device_handle *h;
	uint32_t v = 1;

	tp_bench(FIX "absent.cfg");
	h = tp_open("55FF6D064983575115520887");
	cr_assert_eq(tp_cmd(h, &volt, 1, r, 8), 8);
	cr_expect_eq(tp_get32(r + 4), 0);
	cr_expect_eq(tp_enter(h), STLINK_JTAG_GET_IDCODE_ERROR);
	cr_assert_eq(tp_dbg(h, ids, 1, r, 12), 12);
	cr_expect_eq(r[0], STLINK_JTAG_GET_IDCODE_ERROR);
	cr_expect_eq(tp_get32(r + 4), 0);
	cr_expect_eq(tp_rdbg(h, 0xE000ED00U, &v), STLINK_SWD_DP_ERROR);
	cr_expect_eq(v, 0);
	memset(r, 0xAA, sizeof(r));
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000000U, 64, r, 64), 64);
	for (int i = 0; i < 64; i++)
		cr_expect_eq(r[i], 0, "byte %d not zero-filled", i);
	cr_expect_eq(tp_rwstatus(h), STLINK_SWD_DP_ERROR);
}

Test(sim_probe, swd_disabled_board_answers_only_with_nrst_held_low)
{
	uint8_t low[2] = { STLINK_DEBUG_APIV2_DRIVE_NRST, STLINK_NRST_LOW }, r[2];
	libusb_device_handle *h;
	uint32_t v;

	tp_bench(FIX "swd-disabled.cfg");
	h = tp_open("51FF71064965575426341787");
	tp_spend_ms(h, 3);   /* the firmware has run for a few ms */
	cr_expect_eq(tp_enter(h), STLINK_JTAG_GET_IDCODE_ERROR);
	cr_assert_eq(tp_dbg(h, low, 2, r, 2), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_rdbg(h, 0xE000ED00U, &v), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(v, 0x411FC231U);
}

Test(sim_probe, unmapped_address_is_an_ap_fault)
{
	libusb_device_handle *h;
	uint32_t v = 1;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_rdbg(h, 0x50000000U, &v), STLINK_SWD_AP_FAULT);
	cr_expect_eq(v, 0);
	cr_expect_eq(tp_rdbg(h, 0x20000002U, &v), STLINK_SWD_AP_FAULT, "unaligned debug register");
}

/* ---- memory --------------------------------------------------------------- */

Test(sim_probe, sram_round_trips_through_32_16_and_8_bit_commands)
{
	uint8_t data[256], back[256];
	libusb_device_handle *h;

	for (int i = 0; i < 256; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_writemem(h, STLINK_DEBUG_WRITEMEM_32BIT, 0x20000100U, data, 256);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000100U, 256, back, 256), 256);
	cr_expect_arr_eq(back, data, 256);
	tp_writemem(h, STLINK_DEBUG_APIV2_WRITEMEM_16BIT, 0x20000202U, data + 10, 6);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_APIV2_READMEM_16BIT, 0x20000202U, 6, back, 6), 6);
	cr_expect_arr_eq(back, data + 10, 6);
	tp_writemem(h, STLINK_DEBUG_WRITEMEM_8BIT, 0x20000301U, data + 20, 3);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_8BIT, 0x20000301U, 3, back, 64), 3);
	cr_expect_arr_eq(back, data + 20, 3);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_8BIT, 0x20000301U, 1, back, 64), 2,
		     "a one-byte 8-bit read answers two bytes");
	cr_expect_eq(back[0], data[20]);
}

Test(sim_probe, memory_commands_enforce_alignment_and_size_limits)
{
	static uint8_t big[STLINK_MAX_RW32 + 4];
	libusb_device_handle *h;
	uint8_t buf[128];

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	memset(buf, 0xAA, sizeof(buf));
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000002U, 8, buf, 8), 8);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_FAULT, "unaligned 32-bit address");
	cr_expect_eq(buf[0], 0);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000000U, 6, buf, 8), 6);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_FAULT, "length not a multiple of 4");
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_APIV2_READMEM_16BIT, 0x20000001U, 2, buf, 8), 2);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_FAULT, "unaligned 16-bit address");
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_8BIT, 0x20000000U, 65, buf, 128), 65);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_FAULT, "V2 8-bit reads stop at 64 bytes");
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_8BIT, 0x20000000U, 64, buf, 128), 64);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_OK);
	tp_writemem(h, STLINK_DEBUG_WRITEMEM_32BIT, 0x20000000U, big, STLINK_MAX_RW32);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000000U, STLINK_MAX_RW32 + 4, big,
				STLINK_MAX_RW32 + 4), STLINK_MAX_RW32 + 4);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_FAULT, "32-bit reads stop at 6144 bytes (the probe's buffer)");
}

/* stlink 1.7.0's F2/F4/F7 path writes its 32 KiB loader buffer in one command (stlink #1154, #1157). */
Test(sim_probe, a_streamed_32_bit_write_beyond_the_read_buffer_lands_linearly_across_tar_blocks)
{
	static uint8_t big[12288], back[4096];
	libusb_device_handle *h;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7U + (i >> 8));
	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_writemem(h, STLINK_DEBUG_WRITEMEM_32BIT, 0x20000400U, big, sizeof(big));
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_OK);
	for (uint32_t off = 0; off < sizeof(big); off += 1024) {
		cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000400U + off, 1024, back, sizeof(back)),
			     1024);
		cr_expect_arr_eq(back, big + off, 1024, "bytes at +%u", (unsigned)off);
	}
}

Test(sim_probe, v3_reads_512_bytes_at_8_bit_but_not_513)
{
	libusb_device_handle *h;
	uint8_t buf[600];

	tp_bench(FIX "models.cfg");
	h = tp_open("002F00293137510F33333639");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_8BIT, 0x20000000U, 512, buf, 600), 512);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_8BIT, 0x20000000U, 513, buf, 600), 513);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_FAULT);
}

/* The firmware rewrites TAR at each block (stlink 1.7.0's 6 KiB verify reads cross 4 KiB on real probes). */
Test(sim_probe, a_read_across_a_4k_tar_block_goes_on_linearly)
{
	uint8_t lo[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, hi[4] = { 0xA1, 0xA2, 0xA3, 0xA4 }, back[8];
	libusb_device_handle *h;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_writemem(h, STLINK_DEBUG_WRITEMEM_32BIT, 0x20000000U, lo, 8);
	tp_writemem(h, STLINK_DEBUG_WRITEMEM_32BIT, 0x20001000U, hi, 4);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000FFCU, 8, back, 8), 8);
	cr_expect_arr_eq(back + 4, hi, 4, "the word after 0x20000FFC comes from 0x20001000");
}

Test(sim_probe, core_registers_are_reached_through_dcrsr_while_halted)
{
	uint8_t wr[6] = { STLINK_DEBUG_APIV2_WRITEREG, 0 }, rd[2] = { STLINK_DEBUG_APIV2_READREG, 0 };
	uint8_t all[1] = { STLINK_DEBUG_APIV2_READALLREGS }, r[88];
	libusb_device_handle *h;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_halt(h);
	tp_put32(wr + 2, 0x12345678U);
	cr_assert_eq(tp_dbg(h, wr, 6, r, 2), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_dbg(h, rd, 2, r, 8), 8);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_get32(r + 4), 0x12345678U);
	cr_assert_eq(tp_dbg(h, all, 1, r, 88), 88);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_get32(r + 4), 0x12345678U);
}

/* ---- firmware gating and clocks ------------------------------------------ */

Test(sim_probe, v1_core_control_halts_runs_and_reports_the_core_state)
{
	uint8_t halt[1] = { STLINK_DEBUG_FORCEDEBUG }, run[1] = { STLINK_DEBUG_RUNCORE };
	uint8_t st[1] = { STLINK_DEBUG_GETSTATUS }, step[1] = { STLINK_DEBUG_STEPCORE }, r[2];
	libusb_device_handle *h;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_dbg(h, halt, 1, r, 2), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_dbg(h, st, 1, r, 2), 2);
	cr_expect_eq(r[0], 0x81, "v1 GETSTATUS: halted");
	cr_assert_eq(tp_dbg(h, step, 1, r, 2), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_dbg(h, run, 1, r, 2), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_dbg(h, st, 1, r, 2), 2);
	cr_expect_eq(r[0], 0x80, "v1 GETSTATUS: running");
}

Test(sim_probe, old_firmware_refuses_commands_it_predates)
{
	uint8_t freq[3] = { STLINK_DEBUG_APIV2_SWD_SET_FREQ, 1, 0 }, r[16];
	libusb_device_handle *h;

	tp_bench(FIX "old-firmware.cfg");
	h = tp_open("48FF6E066772574857351967");
	cr_assert_eq(tp_dbg(h, freq, 3, r, 16), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_FAULT, "SWD_SET_FREQ needs J22");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_APIV2_READMEM_16BIT, 0x20000000U, 2, r, 16), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_FAULT, "READMEM_16BIT needs J26");
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_OK, "GETLASTRWSTATUS2 exists since J15");
}

Test(sim_probe, v3_sets_the_nearest_lower_swd_clock_and_v2_has_no_com_freq)
{
	uint8_t get[2] = { STLINK_DEBUG_APIV3_GET_COM_FREQ, 0 }, set[7] = { STLINK_DEBUG_APIV3_SET_COM_FREQ, 0, 0 };
	libusb_device_handle *v3, *v2;
	uint8_t r[52];

	tp_bench(FIX "models.cfg");
	v3 = tp_open("002F00293137510F33333639");
	v2 = tp_open("392905012612344D314B4E00");
	cr_assert_eq(tp_dbg(v3, get, 2, r, 52), 52);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK);
	cr_expect(r[8] > 0 && r[8] <= 10);
	cr_expect_eq(tp_get32(r + 12), 24000U);
	tp_put32(set + 3, 1800U);
	cr_assert_eq(tp_dbg(v3, set, 7, r, 8), 8);
	cr_expect_eq(tp_get32(r + 4), 1000U);
	cr_assert_eq(tp_dbg(v2, get, 2, r, 52), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_FAULT);
}

Test(sim_probe, each_command_costs_a_usb_round_trip_of_virtual_time)
{
	uint8_t c = STLINK_GET_VERSION, r[6];
	libusb_device_handle *h;
	int64_t t0, dt;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_cmd(h, &c, 1, r, 6), 6);
	t0 = tp_now(h);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(tp_cmd(h, &c, 1, r, 6), 6);
	dt = tp_now(h) - t0;
	cr_expect(dt >= 20 * 1000000LL && dt < 30 * 1000000LL, "20 commands took %lld ns", (long long)dt);
}

Test(sim_probe, swd_clock_sets_the_cost_of_memory_reads)
{
	uint8_t fast[3] = { STLINK_DEBUG_APIV2_SWD_SET_FREQ, 0, 0 }, slow[3] = { STLINK_DEBUG_APIV2_SWD_SET_FREQ, 40, 0 };
	static uint8_t buf[4096];
	libusb_device_handle *h;
	int64_t t0, t_fast, t_slow;
	uint8_t r[2];

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_dbg(h, fast, 3, r, 2), 2);
	t0 = tp_now(h);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000000U, 4096, buf, 4096), 4096);
	t_fast = tp_now(h) - t0;
	cr_assert_eq(tp_dbg(h, slow, 3, r, 2), 2);
	t0 = tp_now(h);
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000000U, 4096, buf, 4096), 4096);
	t_slow = tp_now(h) - t0;
	/* 1024 accesses x 46 SWCLK: 11.8 ms at 4 MHz, 471 ms at 100 kHz (+ USB) */
	cr_expect(t_fast > 11000000LL && t_fast < 20000000LL, "4 MHz: %lld ns", (long long)t_fast);
	cr_expect(t_slow > 470000000LL && t_slow < 480000000LL, "100 kHz: %lld ns", (long long)t_slow);
}

Test(sim_probe, realtime_scale_paces_wall_time_to_virtual_time)
{
	uint8_t c = STLINK_GET_VERSION, r[6];
	libusb_device_handle *h;
	struct timespec a, b;
	double wall;

	setenv("GANGSIM_REALTIME", "1", 1);
	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 30; i++)
		cr_assert_eq(tp_cmd(h, &c, 1, r, 6), 6);
	clock_gettime(CLOCK_MONOTONIC, &b);
	wall = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	cr_expect(wall >= 0.029, "30 paced round trips took %.4f s of wall time", wall);
}

/* ---- faults ---------------------------------------------------------------- */

Test(sim_probe, wait_storm_answers_ap_wait_with_zeroed_data)
{
	libusb_device_handle *h;
	uint8_t buf[16];
	uint32_t v = 1;

	tp_bench(FIX "faults.cfg");
	h = tp_open("11FF6B064966545232401201");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_rdbg(h, 0xE000ED00U, &v), STLINK_SWD_AP_WAIT);
	cr_expect_eq(v, 0);
	memset(buf, 0xAA, sizeof(buf));
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x20000000U, 16, buf, 16), 16);
	cr_expect_eq(buf[0], 0);
	cr_expect_eq(tp_rwstatus(h), STLINK_SWD_AP_WAIT);
}

Test(sim_probe, fault_storm_answers_ap_fault)
{
	libusb_device_handle *h;
	uint32_t v;

	tp_bench(FIX "faults.cfg");
	h = tp_open("11FF6B064966545232401202");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_rdbg(h, 0xE000ED00U, &v), STLINK_SWD_AP_FAULT);
	cr_expect_eq(tp_wdbg(h, 0x20000000U, 1), STLINK_SWD_AP_FAULT);
}

Test(sim_probe, lost_commands_time_out_after_the_callers_timeout)
{
	uint8_t cmd[16] = { STLINK_GET_VERSION }, r[6];
	libusb_device_handle *h;
	int64_t t0;
	int n = -1;

	tp_bench(FIX "faults.cfg");
	h = tp_open("11FF6B064966545232401203");
	t0 = tp_now(h);
	cr_expect_eq(libusb_bulk_transfer(h, STLINK_EP_OUT_V2, cmd, 16, &n, 300), LIBUSB_ERROR_TIMEOUT);
	cr_expect_eq(n, 0);
	cr_expect_geq(tp_now(h) - t0, 300000000LL, "the timeout is spent in virtual time");
	cr_expect_eq(libusb_bulk_transfer(h, STLINK_EP_IN, r, 6, &n, 100), LIBUSB_ERROR_TIMEOUT,
		     "no reply follows a lost command");
}

static bool tp_listed(const char *serial, uint8_t *addr_out)
{
	libusb_device *d = tp_find(serial);

	if (!d)
		return false;
	*addr_out = libusb_get_device_address(d);
	libusb_unref_device(d);
	return true;
}

Test(sim_probe, unplugged_probe_leaves_the_bus_and_rejoins_with_a_new_address)
{
	uint8_t c = STLINK_GET_VERSION, mode = STLINK_GET_CURRENT_MODE, r[6], a0 = 0, a1 = 0;
	libusb_device_handle *h, *h2;

	tp_bench(FIX "faults.cfg");
	cr_assert(tp_listed("11FF6B064966545232401204", &a0));
	h = tp_open("11FF6B064966545232401204");
	cr_expect_eq(tp_cmd(h, &c, 1, r, 6), LIBUSB_ERROR_NO_DEVICE);
	cr_expect_not(tp_listed("11FF6B064966545232401204", &a1), "gone from the device list");
	cr_expect_eq(libusb_claim_interface(h, 0), LIBUSB_ERROR_NO_DEVICE);
	usleep(80000);   /* unplug_for_s = 0.05: the clock follows wall time meanwhile */
	cr_assert(tp_listed("11FF6B064966545232401204", &a1), "back on the bus");
	cr_expect_neq(a0, a1);
	cr_expect_eq(tp_cmd(h, &c, 1, r, 6), LIBUSB_ERROR_NO_DEVICE, "the old handle stays dead");
	h2 = tp_open("11FF6B064966545232401204");
	cr_expect_eq(tp_cmd(h2, &mode, 1, r, 2), 2);
	cr_expect_eq(r[0], STLINK_MODE_DFU, "firmware restarted");
	tp_close(h);
	tp_close(h2);
}

Test(sim_probe, board_power_loss_drops_voltage_and_silences_the_dp)
{
	uint8_t c = STLINK_GET_VERSION, volt = STLINK_GET_TARGET_VOLTAGE, r[8];
	libusb_device_handle *h;
	uint32_t v;

	tp_bench(FIX "faults.cfg");
	h = tp_open("11FF6B064966545232401205");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_rdbg(h, 0xE000ED00U, &v), STLINK_DEBUG_ERR_OK);
	for (int i = 0; i < 15; i++)   /* 15 ms: past power_loss_at_s = 0.01 */
		cr_assert_eq(tp_cmd(h, &c, 1, r, 6), 6);
	cr_assert_eq(tp_cmd(h, &volt, 1, r, 8), 8);
	cr_expect_eq(tp_get32(r + 4), 0);
	cr_expect_eq(tp_rdbg(h, 0xE000ED00U, &v), STLINK_SWD_DP_ERROR);
	cr_expect_eq(tp_enter(h), STLINK_JTAG_GET_IDCODE_ERROR);
}

static void tp_uid(libusb_device_handle *h, char out[25])
{
	uint8_t u[12];

	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_READMEM_32BIT, 0x1FFFF7E8U, 12, u, 12), 12);
	for (int i = 0; i < 12; i++)
		snprintf(out + 2 * i, 3, "%02X", u[i]);
}

static void tp_spend_ms(libusb_device_handle *h, int ms)
{
	uint8_t c = STLINK_GET_VERSION, r[6];

	for (int i = 0; i < ms; i++)
		cr_assert_eq(tp_cmd(h, &c, 1, r, 6), 6);
}

/* Close the tray-swap probe's handle, reopen it 0.6 s later and read the UID in the fixture. */
static void tp_reopen_uid(libusb_device_handle **h, char uid[25])
{
	tp_close(*h);
	*h = tp_open("066DFF485457725187084919");
	tp_spend_ms(*h, 600);
	cr_assert_eq(tp_enter(*h), STLINK_DEBUG_ERR_OK);
	tp_uid(*h, uid);
}

Test(sim_probe, operator_swaps_the_board_swap_s_after_release)
{
	uint8_t ex[1] = { STLINK_DEBUG_EXIT }, volt = STLINK_GET_TARGET_VOLTAGE, r[8];
	libusb_device_handle *h;
	char uid[25];

	tp_bench(FIX "tray-swap.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "0102030405060708090A0B0C");
	tp_halt(h);
	cr_assert_eq(tp_dbg(h, ex, 1, NULL, 0), 0);
	tp_spend_ms(h, 300);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "0102030405060708090A0B0C", "not yet swapped at 0.3 s");
	tp_spend_ms(h, 300);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "1112131415161718191A1B1C");
	tp_halt(h);
	cr_assert_eq(tp_dbg(h, ex, 1, NULL, 0), 0);
	tp_spend_ms(h, 600);
	cr_assert_eq(tp_cmd(h, &volt, 1, r, 8), 8);
	cr_expect_eq(tp_get32(r + 4), 0, "the third tray slot is empty");
}

Test(sim_probe, work_on_the_board_before_the_swap_is_due_cancels_it)
{
	uint8_t ex[1] = { STLINK_DEBUG_EXIT };
	libusb_device_handle *h;
	char uid[25];

	tp_bench(FIX "tray-swap.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_halt(h);
	cr_assert_eq(tp_dbg(h, ex, 1, NULL, 0), 0);       /* attempt 1 ends: swap due in 0.5 s */
	tp_spend_ms(h, 200);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);   /* attempt 2 (a retry) starts working */
	tp_halt(h);
	tp_spend_ms(h, 600);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "0102030405060708090A0B0C", "the board was pulled during the retry");
	cr_assert_eq(tp_dbg(h, ex, 1, NULL, 0), 0);       /* attempt 2 ends: the swap is armed again */
	tp_spend_ms(h, 600);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "1112131415161718191A1B1C");
}

Test(sim_probe, a_release_after_only_reading_the_board_is_no_cue_to_swap_it)
{
	uint8_t ex[1] = { STLINK_DEBUG_EXIT };
	libusb_device_handle *h;
	char uid[25];

	tp_bench(FIX "tray-swap.cfg");
	h = tp_open("066DFF485457725187084919");
	for (int look = 0; look < 3; look++) {
		cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
		tp_uid(h, uid);
		cr_assert_eq(tp_dbg(h, ex, 1, NULL, 0), 0);
		tp_spend_ms(h, 600);
	}
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "0102030405060708090A0B0C", "three UID looks made the operator swap");
	tp_reopen_uid(&h, uid);
	cr_expect_str_eq(uid, "0102030405060708090A0B0C", "closing a handle that only read is no cue");
}

Test(sim_probe, without_swap_s_the_board_stays_after_release)
{
	uint8_t ex[1] = { STLINK_DEBUG_EXIT };
	libusb_device_handle *h;
	char a[25], b[25];

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, a);
	cr_assert_eq(tp_dbg(h, ex, 1, NULL, 0), 0);
	tp_spend_ms(h, 100);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, b);
	cr_expect_str_eq(a, b);
}

/* Work on the board in the fixture and end the session, as one programming job does. */
static void tp_job(libusb_device_handle *h, char uid[25])
{
	uint8_t ex[1] = { STLINK_DEBUG_EXIT };

	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	tp_halt(h);
	cr_assert_eq(tp_dbg(h, ex, 1, NULL, 0), 0);
}

Test(sim_probe, every_fixture_of_the_rehearsal_bench_gets_a_new_board_after_a_job)
{
	static const char *const serials[] = { "066DFF485457725187084919", "57FF6B064966545232401287" };

	tp_bench("tools/sim/benches/quad-f103.cfg");
	for (size_t i = 0; i < 2; i++) {
		libusb_device_handle *h = tp_open(serials[i]);
		char uid[3][25];

		for (int job = 0; job < 3; job++) {
			tp_job(h, uid[job]);
			tp_spend_ms(h, 3000);   /* the slower operator swaps 2.5 s after release */
		}
		cr_expect_str_neq(uid[0], uid[1], "probe %s keeps its first board", serials[i]);
		cr_expect_str_neq(uid[1], uid[2], "probe %s keeps its second board", serials[i]);
	}
}

/* ---- the bench driven by hand (tools/gangsim ctl) -------------------------- */

static char tp_ctl_out[1024];

/* Run `tools/gangsim ctl --state <this test's state> words` as another process would; its exit status. */
static int tp_ctl(const char *words)
{
	char cmd[256];
	size_t n;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "tools/gangsim ctl --state %s %s 2>&1", tp_state, words);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	n = fread(tp_ctl_out, 1, sizeof(tp_ctl_out) - 1, f);
	tp_ctl_out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static uint32_t tp_voltage_raw(libusb_device_handle *h)
{
	uint8_t volt = STLINK_GET_TARGET_VOLTAGE, r[8];

	cr_assert_eq(tp_cmd(h, &volt, 1, r, 8), 8);
	return tp_get32(r + 4);
}

Test(sim_probe, a_session_sees_boards_removed_and_inserted_by_hand)
{
	libusb_device_handle *h;
	char uid[25];

	tp_bench(FIX "tray-swap.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "0102030405060708090A0B0C");
	cr_assert_eq(tp_ctl("S1 remove"), 0, "%s", tp_ctl_out);
	cr_expect_str_eq(tp_ctl_out, "S1: board 1/3 (UID 0102030405060708090A0B0C) removed; the fixture is empty\n");
	cr_expect_eq(tp_voltage_raw(h), 0, "no board, no target voltage");
	cr_expect_eq(tp_enter(h), STLINK_JTAG_GET_IDCODE_ERROR, "the DP of a removed board answered");
	cr_assert_eq(tp_ctl("S1 insert"), 0, "%s", tp_ctl_out);
	cr_expect_str_eq(tp_ctl_out, "S1: board 2/3 (UID 1112131415161718191A1B1C) inserted\n");
	cr_expect_neq(tp_voltage_raw(h), 0);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "1112131415161718191A1B1C", "the session still sees the old board");
	cr_expect_eq(tp_ctl("S1 insert"), 1, "inserted on top of a board: %s", tp_ctl_out);
	cr_expect_eq(tp_ctl("S1 swap"), 1, "the third tray slot holds no board: %s", tp_ctl_out);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "1112131415161718191A1B1C", "a refused swap pulled the board");
}

Test(sim_probe, a_swap_by_hand_voids_the_operators_pending_swap)
{
	uint8_t ex[1] = { STLINK_DEBUG_EXIT };
	libusb_device_handle *h;
	char uid[25];

	tp_bench("tools/sim/benches/quad-f103.cfg");
	h = tp_open("57FF6B064966545232401287");
	tp_job(h, uid);                                     /* the operator swaps 2 s after this */
	tp_spend_ms(h, 500);
	cr_assert_eq(tp_ctl("S2 swap"), 0, "%s", tp_ctl_out);
	cr_expect_not_null(strstr(tp_ctl_out, "S2: board 1/8 (UID "), "%s", tp_ctl_out);
	cr_expect_not_null(strstr(tp_ctl_out, " swapped for board 2/8 (UID "), "%s", tp_ctl_out);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_not_null(strstr(tp_ctl_out, uid), "the session does not see board 2: %s", uid);
	cr_assert_eq(tp_dbg(h, ex, 1, NULL, 0), 0);        /* a look that only read: no cue */
	tp_spend_ms(h, 2500);
	cr_assert_eq(tp_ctl("S2 status"), 0, "%s", tp_ctl_out);
	cr_expect_not_null(strstr(tp_ctl_out, "S2 57FF6B064966545232401287 V2   board 2/8 (UID "),
			   "the operator's old swap still happened: %s", tp_ctl_out);
}

Test(sim_probe, a_later_process_finds_the_fixture_as_the_hand_left_it)
{
	libusb_device_handle *h;

	cr_assert_eq(tp_ctl("--bench " FIX "tray-swap.cfg S1 remove"), 0, "%s", tp_ctl_out);
	tp_bench(FIX "tray-swap.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_expect_eq(tp_voltage_raw(h), 0, "the removed board is back");
}

/* ---- async API, stats, trace ---------------------------------------------- */

static void LIBUSB_CALL tp_done(struct libusb_transfer *t)
{
	(*(int *)t->user_data)++;
}

Test(sim_probe, async_transfers_submitted_back_to_back_complete_in_handle_events)
{
	uint8_t cmd[16] = { STLINK_GET_VERSION }, reply[64];
	struct libusb_transfer *out = libusb_alloc_transfer(0), *in = libusb_alloc_transfer(0);
	struct libusb_transfer *extra = libusb_alloc_transfer(0);
	libusb_device_handle *h;
	int done = 0;

	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	libusb_fill_bulk_transfer(out, h, STLINK_EP_OUT_V2, cmd, 16, tp_done, &done, TMO);
	libusb_fill_bulk_transfer(in, h, STLINK_EP_IN, reply, 64, tp_done, &done, TMO);
	libusb_fill_bulk_transfer(extra, h, STLINK_EP_IN, reply, 64, tp_done, &done, TMO);
	cr_assert_eq(libusb_submit_transfer(out), 0);
	cr_assert_eq(libusb_submit_transfer(in), 0);
	cr_assert_eq(libusb_submit_transfer(extra), 0);
	cr_assert_eq(libusb_cancel_transfer(extra), 0);
	cr_expect_eq(done, 0, "callbacks only run in event handling");
	while (done < 3)
		cr_assert_eq(libusb_handle_events_completed(NULL, NULL), 0);
	cr_expect_eq(out->status, LIBUSB_TRANSFER_COMPLETED);
	cr_expect_eq(out->actual_length, 16);
	cr_expect_eq(in->status, LIBUSB_TRANSFER_COMPLETED);
	cr_expect_eq(in->actual_length, 6);
	cr_expect_eq(reply[0], 0x29);
	cr_expect_eq(extra->status, LIBUSB_TRANSFER_CANCELLED);
	cr_expect_eq(libusb_cancel_transfer(extra), LIBUSB_ERROR_NOT_FOUND);
	libusb_free_transfer(out);
	libusb_free_transfer(in);
	libusb_free_transfer(extra);
}

static char *tp_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(sim_probe, stats_and_trace_record_every_command)
{
	uint8_t c = STLINK_GET_VERSION, r[6];
	char stats[128], trace[128], *s;
	libusb_device_handle *h;

	snprintf(stats, sizeof(stats), "%s/stats.json", tp_state);
	snprintf(trace, sizeof(trace), "%s/trace.txt", tp_state);
	setenv("GANGSIM_STATS", stats, 1);
	setenv("GANGSIM_TRACE", trace, 1);
	tp_bench(FIX "single-v2.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_cmd(h, &c, 1, r, 6), 6);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_writemem(h, STLINK_DEBUG_WRITEMEM_32BIT, 0x20000001U, (const uint8_t *)"abcd", 4);
	tp_close(h);
	libusb_exit(NULL);
	s = tp_slurp(stats);
	cr_assert_not_null(s, "stats written at libusb_exit");
	cr_expect_not_null(strstr(s, "\"serial\": \"066DFF485457725187084919\", \"usb_commands\": 3, "
				     "\"bytes_out\": 52, \"bytes_in\": 8"), "%s", s);
	cr_expect_not_null(strstr(s, "\"boards\": [{\"uid\": \""), "%s", s);
	s = tp_slurp(trace);
	cr_assert_not_null(s);
	cr_expect_not_null(strstr(s, "066DFF485457725187084919 "), "%s", s);
	cr_expect_not_null(strstr(s, " GET_VERSION -> len=6\n"), "%s", s);
	cr_expect_not_null(strstr(s, " WRITEMEM_32BIT 0x20000001 len=4 -> 0x81\n"), "unaligned write: %s", s);
	cr_expect_not_null(strstr(s, " APIV2_ENTER mode=0xA3 -> 0x80 len=2"), "%s", s);
}

Test(sim_probe, stuck_flash_bit_reads_back_wrong_after_programming)
{
	uint8_t hw[2] = { 0x55, 0x55 }, back[2];
	libusb_device_handle *h;
	uint32_t sr = 1;

	tp_bench(FIX "faults.cfg");
	h = tp_open("11FF6B064966545232401206");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_halt(h);
	cr_assert_eq(tp_wdbg(h, 0x40022004U, 0x45670123U), STLINK_DEBUG_ERR_OK);   /* FLASH_KEYR */
	cr_assert_eq(tp_wdbg(h, 0x40022004U, 0xCDEF89ABU), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_wdbg(h, 0x40022010U, 0x1U), STLINK_DEBUG_ERR_OK);           /* CR = PG */
	tp_writemem(h, STLINK_DEBUG_APIV2_WRITEMEM_16BIT, 0x08000100U, hw, 2);
	cr_expect_eq(tp_rwstatus(h), STLINK_DEBUG_ERR_OK);
	for (int i = 0; i < 10 && (sr & 1U); i++)
		cr_assert_eq(tp_rdbg(h, 0x4002200CU, &sr), STLINK_DEBUG_ERR_OK);       /* SR.BSY */
	cr_assert_eq(tp_readmem(h, STLINK_DEBUG_APIV2_READMEM_16BIT, 0x08000100U, 2, back, 2), 2);
	cr_expect_eq(back[0], 0x54, "bit 0 stuck at 0 (read 0x%02X)", back[0]);
	cr_expect_eq(back[1], 0x55);
}

typedef struct tp_worker {
	const char *serial;
	int ok;
} tp_worker;

static void *tp_hammer(void *arg)
{
	tp_worker *w = arg;
	libusb_device_handle *h = tp_open(w->serial);
	uint8_t c[5] = { STLINK_DEBUG_APIV2_READDEBUGREG, 0x00, 0xED, 0x00, 0xE0 }, r[8];

	if (tp_enter(h) != STLINK_DEBUG_ERR_OK)
		return NULL;
	for (int i = 0; i < 300; i++)
		if (tp_dbg(h, c, 5, r, 8) == 8 && r[0] == STLINK_DEBUG_ERR_OK && tp_get32(r + 4) == 0x411FC231U)
			w->ok++;
	tp_close(h);
	return NULL;
}

Test(sim_probe, probes_in_one_process_work_from_their_own_threads)
{
	tp_worker w[2] = { { "0669FF555052836687031939", 0 }, { "002F00293137510F33333639", 0 } };
	pthread_t t[2];

	tp_bench(FIX "models.cfg");
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, tp_hammer, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	cr_expect_eq(w[0].ok, 300);
	cr_expect_eq(w[1].ok, 300);
}

Test(sim_probe, closing_a_handle_that_talked_releases_the_board_but_a_serial_lookup_does_not)
{
	libusb_device_handle *h, *look;
	unsigned char ascii[32];
	char uid[25];

	tp_bench(FIX "tray-swap.cfg");
	h = tp_open("066DFF485457725187084919");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_halt(h);
	look = tp_open("066DFF485457725187084919");
	cr_assert_eq(libusb_get_string_descriptor_ascii(look, 3, ascii, sizeof(ascii)), 24);
	tp_close(look);
	tp_spend_ms(h, 600);
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	tp_uid(h, uid);
	cr_expect_str_eq(uid, "0102030405060708090A0B0C", "a lookup handle released the board");
	tp_reopen_uid(&h, uid);
	cr_expect_str_eq(uid, "1112131415161718191A1B1C", "closing the working handle released the board");
}

Test(sim_probe, unwired_nrst_cannot_rescue_a_board_with_swd_disabled)
{
	uint8_t low[2] = { STLINK_DEBUG_APIV2_DRIVE_NRST, STLINK_NRST_LOW }, r[2];
	libusb_device_handle *h;

	tp_bench(FIX "nrst-unwired.cfg");
	h = tp_open("51FF71064965575426341788");
	tp_spend_ms(h, 3);
	cr_assert_eq(tp_dbg(h, low, 2, r, 2), 2);
	cr_expect_eq(r[0], STLINK_DEBUG_ERR_OK, "the probe drives its pin regardless");
	cr_expect_eq(tp_enter(h), STLINK_JTAG_GET_IDCODE_ERROR);
}

/* READMEM_32BIT through access port ap (byte 8 on multi-AP firmware): status and first word. */
static uint8_t tp_read_ap(libusb_device_handle *h, uint8_t ap, uint32_t addr, uint32_t *val)
{
	uint8_t c[8] = { STLINK_DEBUG_READMEM_32BIT }, r[4];

	tp_put32(c + 1, addr);
	c[5] = 4;
	c[7] = ap;
	cr_assert_eq(tp_dbg(h, c, 8, r, 4), 4);
	*val = tp_get32(r);
	return tp_rwstatus(h);
}

/* INIT_AP or CLOSE_AP_DBG of access port ap: the status. */
static uint8_t tp_init_ap(libusb_device_handle *h, uint8_t sub, unsigned ap)
{
	uint8_t c[2] = { sub, (uint8_t)ap }, r[2];

	cr_assert_eq(tp_dbg(h, c, 2, r, 2), 2);
	return r[0];
}

/*
 * H7: the DBGMCU at 0x5C001000 is on the AXI bus behind AP0, held in reset
 * with the system; its copy at 0xE00E1000 on the debug APB answers through
 * AP2 under NRST (OpenOCD target/stm32h7x.cfg); an AP the part lacks faults.
 */
Test(sim_probe, memory_commands_reach_the_h7_dbgmcu_through_ap2_under_reset)
{
	uint8_t low[2] = { STLINK_DEBUG_APIV2_DRIVE_NRST, STLINK_NRST_LOW }, r[2];
	libusb_device_handle *h;
	uint32_t v = 0;

	tp_bench(FIX "flash-h743zi.cfg");
	h = tp_open("066DFF48545772518708E701");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_assert_eq(tp_dbg(h, low, 2, r, 2), 2);
	cr_expect_eq(tp_read_ap(h, 0, 0x5C001000U, &v), STLINK_SWD_AP_FAULT, "AXI under reset");
	cr_expect_eq(tp_read_ap(h, 2, 0xE00E1000U, &v), STLINK_BAD_AP_ERROR, "AP2 not opened yet");
	cr_expect_eq(tp_init_ap(h, STLINK_DEBUG_APIV2_INIT_AP, 2), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_init_ap(h, STLINK_DEBUG_APIV2_INIT_AP, 3), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_read_ap(h, 2, 0xE00E1000U, &v), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(v & 0xFFFU, 0x450U, "DEV_ID through AP2");
	cr_expect_eq(tp_read_ap(h, 3, 0xE000ED00U, &v), STLINK_SWD_AP_FAULT, "H743: no CM4 on AP3");
	tp_close(h);
}

/* A bench file of one probe in the test's state directory. */
static void tp_bench_one(const char *model, const char *fw, const char *target)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench.cfg", tp_state);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "probes = ( { serial = \"066DFF485457725187084C02\"; model = \"%s\"; firmware = \"%s\"; "
		   "target = \"%s\"; } );\n", model, fw, target);
	fclose(f);
	tp_bench(path);
}


/*
 * J28+ firmware reads the AP from byte 8 of a memory command and answers
 * an AP other than 0 only after INIT_AP opened it (OpenOCD 0.12
 * stlink_usb.c): the H745's Cortex-M4 on AP3 (RM0399 §60.4).
 */
Test(sim_probe, an_ap_other_than_ap0_answers_only_after_init_ap_on_j28_firmware)
{
	libusb_device_handle *h;
	uint32_t v = 0;

	tp_bench_one("V2", "V2J37S7", "STM32H745ZI");
	h = tp_open("066DFF485457725187084C02");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_read_ap(h, 3, 0xE000ED00U, &v), STLINK_BAD_AP_ERROR, "AP3 not opened");
	cr_expect_eq(v, 0U);
	cr_expect_eq(tp_init_ap(h, STLINK_DEBUG_APIV2_INIT_AP, 3), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_read_ap(h, 3, 0xE000ED00U, &v), STLINK_DEBUG_ERR_OK);
	cr_expect_eq((v >> 4) & 0xFFFU, 0xC24U, "the CM4's CPUID through AP3");
	cr_expect_eq(tp_read_ap(h, 0, 0xE000ED00U, &v), STLINK_DEBUG_ERR_OK, "AP0 needs no INIT_AP");
	cr_expect_eq((v >> 4) & 0xFFFU, 0xC27U, "the CM7's through AP0");
	cr_expect_eq(tp_init_ap(h, STLINK_DEBUG_APIV2_CLOSE_AP_DBG, 3), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_read_ap(h, 3, 0xE000ED00U, &v), STLINK_BAD_AP_ERROR, "closed again");
	cr_expect_eq(tp_init_ap(h, STLINK_DEBUG_APIV2_INIT_AP, 3), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_read_ap(h, 3, 0xE000ED00U, &v), STLINK_BAD_AP_ERROR, "a new ENTER closes every AP");
	tp_close(h);
}

/* Before J28 byte 8 means nothing: every memory command reaches AP0. */
Test(sim_probe, firmware_before_j28_reaches_ap0_whatever_byte_8_says)
{
	libusb_device_handle *h;
	uint32_t v = 0;

	tp_bench_one("V2", "V2J25S4", "STM32H745ZI");
	h = tp_open("066DFF485457725187084C02");
	cr_assert_eq(tp_enter(h), STLINK_DEBUG_ERR_OK);
	cr_expect_eq(tp_read_ap(h, 3, 0xE000ED00U, &v), STLINK_DEBUG_ERR_OK);
	cr_expect_eq((v >> 4) & 0xFFFU, 0xC27U, "the CM7 (AP0), not the CM4");
	tp_close(h);
}
