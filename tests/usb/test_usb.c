/*
 * test_usb.c — gang's USB layer: serial-descriptor decoding (genuine and
 * 12-raw-byte clones), port paths, probe selection, libusb error mapping,
 * and, against the virtual bench (build/libgangsim.so stands in for
 * libusb), listing, opening by serial / port path, claim conflicts and the
 * three-phase transfer with its failure modes.
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use it.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stlink/stlink_cmd.h"
#include "usb/usb.h"
#include "usb/usb_internal.h"

#define BENCH_DIR "tests/fixtures/benches/"

static char usb_state[64];
static gang_diag diag;

static int usb_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void usb_fini(void)
{
	if (usb_state[0])
		nftw(usb_state, usb_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Choose the bench and a fresh state directory before the first libusb_init. */
static void usb_bench(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), BENCH_DIR "%s", name);
	cr_assert_eq(access(path, R_OK), 0, "bench file %s missing", path);
	setenv("GANGSIM_BENCH", path, 1);
	snprintf(usb_state, sizeof(usb_state), "/tmp/gang-usb-XXXXXX");
	cr_assert_not_null(mkdtemp(usb_state));
	setenv("GANGSIM_STATE", usb_state, 1);
	gang_diag_clear(&diag);
}

TestSuite(usb, .fini = usb_fini, .timeout = 20);

/* Build a string descriptor of n UTF-16 units from bytes (low byte each). */
static size_t usb_desc(uint8_t *buf, const uint8_t *units, size_t n)
{
	buf[0] = (uint8_t)(2 + 2 * n);
	buf[1] = 3;
	for (size_t i = 0; i < n; i++) {
		buf[2 + 2 * i] = units[i];
		buf[3 + 2 * i] = 0;
	}
	return 2 + 2 * n;
}

Test(usb, genuine_serial_descriptor_of_50_bytes_is_the_24_char_string)
{
	uint8_t buf[64];
	char serial[STLINK_SERIAL_LEN + 1];
	bool binary = true;
	size_t got = usb_desc(buf, (const uint8_t *)"066DFF485457725187084919", 24);

	cr_assert_eq(got, 50);
	cr_assert_eq(gang_usb_serial_decode(serial, &binary, buf, got, &diag), GANG_OK);
	cr_expect_str_eq(serial, "066DFF485457725187084919");
	cr_expect_not(binary);
}

Test(usb, clone_serial_descriptor_of_26_bytes_is_hex_encoded_upper_case)
{
	static const uint8_t raw[12] = { 0x39, 0x29, 0x05, 0x01, 0x26, 0x12,
					 0x34, 0x4D, 0x31, 0x4B, 0x4E, 0x00 };
	uint8_t buf[64];
	char serial[STLINK_SERIAL_LEN + 1];
	bool binary = false;
	size_t got = usb_desc(buf, raw, 12);

	cr_assert_eq(got, 26);
	cr_assert_eq(gang_usb_serial_decode(serial, &binary, buf, got, &diag), GANG_OK);
	cr_expect_str_eq(serial, "392905012612344D314B4E00");
	cr_expect(binary);
}

Test(usb, serial_descriptor_of_the_wrong_type_is_a_protocol_error)
{
	uint8_t buf[64];
	char serial[STLINK_SERIAL_LEN + 1];
	bool binary;
	size_t got = usb_desc(buf, (const uint8_t *)"066DFF485457725187084919", 24);

	buf[1] = 2; /* a configuration descriptor */
	cr_expect_eq(gang_usb_serial_decode(serial, &binary, buf, got, &diag),
		     GANG_EPROBE_PROTOCOL);
	cr_expect_neq(strstr(diag.msg, "type 0x02"), NULL, "diag: %s", diag.msg);
	cr_expect_str_eq(serial, "");
}

Test(usb, truncated_serial_descriptor_is_a_protocol_error)
{
	uint8_t buf[64];
	char serial[STLINK_SERIAL_LEN + 1];
	bool binary;

	usb_desc(buf, (const uint8_t *)"066DFF485457725187084919", 24);
	cr_expect_eq(gang_usb_serial_decode(serial, &binary, buf, 30, &diag),
		     GANG_EPROBE_PROTOCOL);
	cr_expect_neq(strstr(diag.msg, "bLength 50"), NULL, "diag: %s", diag.msg);
	cr_expect_eq(gang_usb_serial_decode(serial, &binary, buf, 1, &diag), GANG_EPROBE_PROTOCOL);
}

Test(usb, unprintable_serial_of_another_length_is_a_protocol_error)
{
	static const uint8_t raw[5] = { 'A', 'B', 0x01, 'C', 'D' };
	uint8_t buf[64];
	char serial[STLINK_SERIAL_LEN + 1];
	bool binary;
	size_t got = usb_desc(buf, raw, 5);

	cr_expect_eq(gang_usb_serial_decode(serial, &binary, buf, got, &diag),
		     GANG_EPROBE_PROTOCOL);
	cr_expect_neq(strstr(diag.msg, "non-printable"), NULL, "diag: %s", diag.msg);
}

Test(usb, port_path_joins_bus_and_port_chain)
{
	static const uint8_t ports[3] = { 2, 3, 14 };
	char path[32];

	gang_usb_port_path_format(path, sizeof(path), 1, ports, 3);
	cr_expect_str_eq(path, "1-2.3.14");
	gang_usb_port_path_format(path, sizeof(path), 4, ports, 1);
	cr_expect_str_eq(path, "4-2");
	gang_usb_port_path_format(path, sizeof(path), 3, ports, 0);
	cr_expect_str_eq(path, "3-0");
}

Test(usb, every_api2_pid_has_a_model_and_v1_has_none)
{
	cr_expect_str_eq(gang_usb_model_for_pid(STLINK_PID_V2), "V2");
	cr_expect_str_eq(gang_usb_model_for_pid(STLINK_PID_V2_1), "V2-1");
	cr_expect_str_eq(gang_usb_model_for_pid(STLINK_PID_V2_1_NOMSD), "V2-1");
	cr_expect_str_eq(gang_usb_model_for_pid(STLINK_PID_V3_BL), "V3");
	cr_expect_str_eq(gang_usb_model_for_pid(STLINK_PID_V3E), "V3");
	cr_expect_str_eq(gang_usb_model_for_pid(STLINK_PID_V3S), "V3");
	cr_expect_str_eq(gang_usb_model_for_pid(STLINK_PID_V3_2VCP), "V3");
	cr_expect_str_eq(gang_usb_model_for_pid(STLINK_PID_V3_NOMSD), "V3");
	cr_expect_null(gang_usb_model_for_pid(STLINK_PID_V1));
	cr_expect_null(gang_usb_model_for_pid(0x5740U));
	cr_expect_eq(gang_usb_ep_out_for_pid(STLINK_PID_V2), STLINK_EP_OUT_V2);
	cr_expect_eq(gang_usb_ep_out_for_pid(STLINK_PID_V2_1), STLINK_EP_OUT_V21);
	cr_expect_eq(gang_usb_ep_out_for_pid(STLINK_PID_V3E), STLINK_EP_OUT_V21);
}

static void usb_id_set(gang_probe_id *id, const char *serial, const char *port)
{
	memset(id, 0, sizeof(*id));
	snprintf(id->serial, sizeof(id->serial), "%s", serial);
	snprintf(id->port_path, sizeof(id->port_path), "%s", port);
}

Test(usb, selector_matches_serial_case_insensitively_or_port_path)
{
	gang_probe_id ids[2];
	size_t pick = 99;

	usb_id_set(&ids[0], "066DFF485457725187084919", "1-1");
	usb_id_set(&ids[1], "0669FF555052836687031939", "1-2");
	cr_expect_eq(gang_usb_select(&pick, ids, 2, "0669ff555052836687031939", &diag), GANG_OK);
	cr_expect_eq(pick, 1);
	cr_expect_eq(gang_usb_select(&pick, ids, 2, "1-1", &diag), GANG_OK);
	cr_expect_eq(pick, 0);
}

Test(usb, duplicate_serial_selector_is_ambiguous_and_points_at_port_path)
{
	gang_probe_id ids[3];
	size_t pick = 99;

	usb_id_set(&ids[0], "303030303030303030303031", "1-1");
	usb_id_set(&ids[1], "066DFF485457725187084919", "1-2");
	usb_id_set(&ids[2], "303030303030303030303031", "1-3");
	cr_expect_eq(gang_usb_select(&pick, ids, 3, "303030303030303030303031", &diag), GANG_EUSAGE);
	cr_expect_neq(strstr(diag.msg, "port path"), NULL, "diag: %s", diag.msg);
	cr_expect_neq(strstr(diag.msg, "1-1"), NULL, "diag: %s", diag.msg);
	cr_expect_neq(strstr(diag.msg, "1-3"), NULL, "diag: %s", diag.msg);
	/* the port path still picks one of the twins */
	cr_expect_eq(gang_usb_select(&pick, ids, 3, "1-3", &diag), GANG_OK);
	cr_expect_eq(pick, 2);
}

Test(usb, no_selector_needs_exactly_one_probe)
{
	gang_probe_id ids[2];
	size_t pick = 99;

	usb_id_set(&ids[0], "066DFF485457725187084919", "1-1");
	usb_id_set(&ids[1], "0669FF555052836687031939", "1-2");
	cr_expect_eq(gang_usb_select(&pick, ids, 0, NULL, &diag), GANG_EPROBE_NONE);
	cr_expect_eq(gang_usb_select(&pick, ids, 1, NULL, &diag), GANG_OK);
	cr_expect_eq(pick, 0);
	cr_expect_eq(gang_usb_select(&pick, ids, 2, NULL, &diag), GANG_EUSAGE);
	cr_expect_neq(strstr(diag.msg, "0669FF555052836687031939"), NULL, "diag: %s", diag.msg);
	cr_expect_neq(strstr(diag.msg, "1-2"), NULL, "diag: %s", diag.msg);
}

Test(usb, unknown_selector_is_no_probe_naming_the_selector)
{
	gang_probe_id ids[1];
	size_t pick = 99;

	usb_id_set(&ids[0], "066DFF485457725187084919", "1-1");
	cr_expect_eq(gang_usb_select(&pick, ids, 1, "ABCDEF", &diag), GANG_EPROBE_NONE);
	cr_expect_neq(strstr(diag.msg, "\"ABCDEF\""), NULL, "diag: %s", diag.msg);
	/* a probe without a readable serial is never matched by an empty-looking serial */
	usb_id_set(&ids[0], "", "1-1");
	cr_expect_eq(gang_usb_select(&pick, ids, 1, "1-2", &diag), GANG_EPROBE_NONE);
}

Test(usb, libusb_errors_map_to_operator_errors)
{
	cr_expect_eq(gang_usb_err_map(&diag, LIBUSB_ERROR_ACCESS, "open"), GANG_EPROBE_ACCESS);
	cr_expect_neq(strstr(diag.msg, "tools/udev/49-gang-stlink.rules"), NULL, "%s", diag.msg);
	cr_expect_eq(gang_usb_err_map(&diag, LIBUSB_ERROR_BUSY, "claim"), GANG_EPROBE_BUSY);
	cr_expect_eq(gang_usb_err_map(&diag, LIBUSB_ERROR_NO_DEVICE, "x"), GANG_EPROBE_GONE);
	cr_expect_eq(gang_usb_err_map(&diag, LIBUSB_ERROR_TIMEOUT, "x"), GANG_EPROBE_TIMEOUT);
	cr_expect_eq(gang_usb_err_map(&diag, LIBUSB_ERROR_NO_MEM, "x"), GANG_ENOMEM);
	cr_expect_eq(gang_usb_err_map(&diag, LIBUSB_ERROR_PIPE, "reply"), GANG_EPROBE_PROTOCOL);
	cr_expect_neq(strstr(diag.msg, "reply"), NULL, "%s", diag.msg);
}

/* ---- against the virtual bench ---- */

static const gang_probe_id *usb_find(const gang_probe_id *ids, size_t n, const char *serial)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i].serial, serial) == 0)
			return &ids[i];
	return NULL;
}

Test(usb, list_reports_serials_models_and_port_paths_of_every_probe)
{
	gang_usb *u;
	gang_probe_id *ids;
	size_t n;
	const gang_probe_id *v2, *v21, *v3;

	usb_bench("stlink-models.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK, "%s", diag.msg);
	cr_assert_eq(gang_usb_list(&ids, &n, u, &diag), GANG_OK, "%s", diag.msg);
	cr_assert_eq(n, 3);
	v2 = usb_find(ids, n, "392905012612344D314B4E00");
	v21 = usb_find(ids, n, "0669FF555052836687031939");
	v3 = usb_find(ids, n, "002F00293137510F33333639");
	cr_assert(v2 && v21 && v3, "serials: %s %s %s", ids[0].serial, ids[1].serial, ids[2].serial);
	cr_expect(v2->serial_binary);
	cr_expect_not(v21->serial_binary);
	cr_expect_str_eq(v2->model, "V2");
	cr_expect_str_eq(v21->model, "V2-1");
	cr_expect_str_eq(v3->model, "V3");
	cr_expect_eq(v2->pid, STLINK_PID_V2);
	cr_expect_eq(v2->vid, STLINK_VID);
	for (size_t i = 0; i < n; i++) {
		unsigned bus = 0, port = 0;

		cr_expect_eq(sscanf(ids[i].port_path, "%u-%u", &bus, &port), 2, "%s",
			     ids[i].port_path);
		cr_expect_eq(bus, ids[i].bus);
		for (size_t k = 0; k < i; k++)
			cr_expect_str_neq(ids[i].port_path, ids[k].port_path);
		if (i > 0)
			cr_expect_lt(strverscmp(ids[i - 1].port_path, ids[i].port_path), 0,
				     "listing not ordered by port path");
	}
	free(ids);
	gang_usb_free(u);
}

static void usb_open_ok(gang_usb_handle **h, gang_usb *u, const char *sel)
{
	cr_assert_eq(gang_usb_open(h, u, sel, &diag), GANG_OK, "open %s: %s", sel, diag.msg);
}

Test(usb, open_by_lower_case_serial_and_by_port_path_reach_the_same_probe)
{
	gang_usb *u;
	gang_usb_handle *h;
	char port[32];

	usb_bench("stlink-models.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	usb_open_ok(&h, u, "392905012612344d314b4e00");
	cr_expect_str_eq(gang_usb_id(h)->model, "V2");
	snprintf(port, sizeof(port), "%s", gang_usb_id(h)->port_path);
	gang_usb_close(h);
	usb_open_ok(&h, u, port);
	cr_expect_str_eq(gang_usb_id(h)->serial, "392905012612344D314B4E00");
	gang_usb_close(h);
	gang_usb_free(u);
}

Test(usb, open_without_selector_among_several_probes_is_a_usage_error)
{
	gang_usb *u;
	gang_usb_handle *h = (gang_usb_handle *)&diag;

	usb_bench("stlink-models.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	cr_expect_eq(gang_usb_open(&h, u, NULL, &diag), GANG_EUSAGE);
	cr_expect_null(h);
	cr_expect_neq(strstr(diag.msg, "3 ST-Links"), NULL, "%s", diag.msg);
	cr_expect_eq(gang_usb_open(&h, u, "0000", &diag), GANG_EPROBE_NONE);
	gang_usb_free(u);
}

Test(usb, open_without_selector_takes_the_only_probe)
{
	gang_usb *u;
	gang_usb_handle *h;

	usb_bench("stlink-v2.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	usb_open_ok(&h, u, NULL);
	cr_expect_str_eq(gang_usb_id(h)->serial, "066DFF485457725187084919");
	gang_usb_close(h);
	gang_usb_free(u);
}

Test(usb, second_claim_of_a_probe_is_busy)
{
	gang_usb *u;
	gang_usb_handle *h, *h2;

	usb_bench("stlink-v2.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	usb_open_ok(&h, u, NULL);
	cr_expect_eq(gang_usb_open(&h2, u, NULL, &diag), GANG_EPROBE_BUSY);
	cr_expect_neq(strstr(diag.msg, "066DFF485457725187084919"), NULL, "%s", diag.msg);
	gang_usb_close(h);
	/* released: the next open succeeds */
	usb_open_ok(&h2, u, NULL);
	gang_usb_close(h2);
	gang_usb_free(u);
}

Test(usb, xfer_moves_command_and_reply)
{
	static const uint8_t cmd[1] = { STLINK_GET_VERSION };
	gang_usb *u;
	gang_usb_handle *h;
	uint8_t in[6] = { 0 };

	usb_bench("stlink-v2.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	usb_open_ok(&h, u, NULL);
	cr_assert_eq(gang_usb_xfer(h, cmd, sizeof(cmd), NULL, 0, in, sizeof(in), 3000, &diag),
		     GANG_OK, "%s", diag.msg);
	/* V2J37S7 on 0483:3748 (as traced on the bench) */
	cr_expect_eq(in[0], 0x29);
	cr_expect_eq(in[1], 0x47);
	cr_expect_eq(in[4] | (in[5] << 8), STLINK_PID_V2);
	gang_usb_close(h);
	gang_usb_free(u);
}

Test(usb, short_reply_is_a_protocol_error)
{
	static const uint8_t cmd[1] = { STLINK_GET_CURRENT_MODE };
	gang_usb *u;
	gang_usb_handle *h;
	uint8_t in[16];

	usb_bench("stlink-v2.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	usb_open_ok(&h, u, NULL);
	cr_expect_eq(gang_usb_xfer(h, cmd, sizeof(cmd), NULL, 0, in, sizeof(in), 3000, &diag),
		     GANG_EPROBE_PROTOCOL);
	cr_expect_neq(strstr(diag.msg, "of 16 bytes"), NULL, "%s", diag.msg);
	gang_usb_close(h);
	gang_usb_free(u);
}

Test(usb, oversized_command_is_refused_before_the_bus)
{
	uint8_t cmd[STLINK_CMD_LEN + 1] = { 0 };
	gang_usb *u;
	gang_usb_handle *h;

	usb_bench("stlink-v2.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	usb_open_ok(&h, u, NULL);
	cr_expect_eq(gang_usb_xfer(h, cmd, sizeof(cmd), NULL, 0, NULL, 0, 3000, &diag), GANG_ERR);
	gang_usb_close(h);
	gang_usb_free(u);
}

Test(usb, lost_command_is_a_timeout)
{
	static const uint8_t cmd[1] = { STLINK_GET_VERSION };
	gang_usb *u;
	gang_usb_handle *h;
	uint8_t in[6];

	usb_bench("stlink-faults.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	usb_open_ok(&h, u, "22FF6B064966545232401203");
	cr_expect_eq(gang_usb_xfer(h, cmd, sizeof(cmd), NULL, 0, in, sizeof(in), 3000, &diag),
		     GANG_EPROBE_TIMEOUT);
	cr_expect_neq(strstr(diag.msg, "3000 ms"), NULL, "%s", diag.msg);
	gang_usb_close(h);
	gang_usb_free(u);
}

Test(usb, unplugged_probe_is_gone)
{
	static const uint8_t cmd[1] = { STLINK_GET_VERSION };
	gang_usb *u;
	gang_usb_handle *h;
	uint8_t in[6];
	int err = GANG_OK;

	usb_bench("stlink-faults.cfg");
	cr_assert_eq(gang_usb_new(&u, &diag), GANG_OK);
	usb_open_ok(&h, u, "22FF6B064966545232401204");
	for (int i = 0; i < 3 && err == GANG_OK; i++)
		err = gang_usb_xfer(h, cmd, sizeof(cmd), NULL, 0, in, sizeof(in), 3000, &diag);
	cr_expect_eq(err, GANG_EPROBE_GONE, "err %d: %s", err, diag.msg);
	gang_usb_close(h);
	gang_usb_free(u);
}

Test(usb, free_and_close_accept_null)
{
	gang_usb_free(NULL);
	gang_usb_close(NULL);
}
