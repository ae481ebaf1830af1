/*
 * usb_id.c — probe identity without a bus: which PIDs are ST-Links and of
 * what model, which endpoint takes commands, how a serial descriptor is
 * turned into the 24-character serial gang shows, how a port path is
 * spelled, and which probe a selector names.
 * Depends on: core/err, stlink/stlink_cmd.h (PIDs, endpoints).
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use
 * it (PID/endpoint table; binary serial quirk: bLength 26 carries 12 raw
 * bytes; matching rules).
 */
#include "usb/usb_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct usb_model_row {
	uint16_t pid;
	const char *model;
	uint8_t ep_out;
} usb_model_row;

/* V1 (STLINK_PID_V1) is absent on purpose: it speaks SCSI, not API v2. */
static const usb_model_row usb_models[] = {
	{ STLINK_PID_V2, "V2", STLINK_EP_OUT_V2 },
	{ STLINK_PID_V2_1, "V2-1", STLINK_EP_OUT_V21 },
	{ STLINK_PID_V2_1_NOMSD, "V2-1", STLINK_EP_OUT_V21 },
	{ STLINK_PID_V3_BL, "V3", STLINK_EP_OUT_V21 },
	{ STLINK_PID_V3E, "V3", STLINK_EP_OUT_V21 },
	{ STLINK_PID_V3S, "V3", STLINK_EP_OUT_V21 },
	{ STLINK_PID_V3_2VCP, "V3", STLINK_EP_OUT_V21 },
	{ STLINK_PID_V3_NOMSD, "V3", STLINK_EP_OUT_V21 },
};

static const usb_model_row *usb_model_find(uint16_t pid)
{
	for (size_t i = 0; i < sizeof(usb_models) / sizeof(usb_models[0]); i++)
		if (usb_models[i].pid == pid)
			return &usb_models[i];
	return NULL;
}

const char *gang_usb_model_for_pid(uint16_t pid)
{
	const usb_model_row *row = usb_model_find(pid);

	return row ? row->model : NULL;
}

uint8_t gang_usb_ep_out_for_pid(uint16_t pid)
{
	const usb_model_row *row = usb_model_find(pid);

	return row ? row->ep_out : (uint8_t)STLINK_EP_OUT_V21;
}

/* 12 raw bytes, one in the low byte of each UTF-16 unit -> 24 hex digits. */
static void usb_serial_hex(char out[STLINK_SERIAL_LEN + 1], const uint8_t *desc)
{
	for (size_t i = 0; i < STLINK_SERIAL_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02X", desc[2 + 2 * i]);
}

/* UTF-16LE string of printable ASCII -> C string; false if not printable. */
static bool usb_serial_ascii(char out[STLINK_SERIAL_LEN + 1], const uint8_t *desc,
			     size_t units)
{
	for (size_t i = 0; i < units; i++) {
		uint8_t lo = desc[2 + 2 * i], hi = desc[3 + 2 * i];

		if (hi != 0 || lo < 0x21U || lo > 0x7EU)
			return false;
		out[i] = (char)lo;
	}
	out[units] = '\0';
	return true;
}

int gang_usb_serial_decode(char out[STLINK_SERIAL_LEN + 1], bool *binary_out,
			   const uint8_t *desc, size_t got, gang_diag *d)
{
	size_t blen = got >= 1 ? desc[0] : 0;

	out[0] = '\0';
	*binary_out = false;
	if (got < 2 || desc[1] != 3U)
		return gang_diag_set(d, GANG_EPROBE_PROTOCOL,
				     "serial descriptor: %zu bytes, type 0x%02X (want a string, type 3)",
				     got, got >= 2 ? desc[1] : 0U);
	if (blen > got || blen < 4 || blen % 2 != 0 || blen > GANG_USB_SERIAL_DESC_LEN)
		return gang_diag_set(d, GANG_EPROBE_PROTOCOL,
				     "serial descriptor: bLength %zu with %zu bytes received", blen, got);
	if (blen == GANG_USB_SERIAL_BINARY_LEN) {
		/* Old V2 firmware and clones put raw bytes here. */
		usb_serial_hex(out, desc);
		*binary_out = true;
		return GANG_OK;
	}
	if (!usb_serial_ascii(out, desc, (blen - 2) / 2)) {
		out[0] = '\0'; /* no half-decoded serial escapes */
		return gang_diag_set(d, GANG_EPROBE_PROTOCOL,
				     "serial descriptor: bLength %zu holds non-printable characters", blen);
	}
	return GANG_OK;
}

void gang_usb_port_path_format(char *out, size_t out_len, uint8_t bus,
			       const uint8_t *ports, int n_ports)
{
	int used;

	if (n_ports <= 0) {
		snprintf(out, out_len, "%u-0", (unsigned)bus);
		return;
	}
	used = snprintf(out, out_len, "%u-%u", (unsigned)bus, (unsigned)ports[0]);
	for (int i = 1; i < n_ports && used > 0 && (size_t)used < out_len; i++)
		used += snprintf(out + used, out_len - (size_t)used, ".%u", (unsigned)ports[i]);
}

bool gang_usb_selector_matches_port(const gang_probe_id *id, const char *selector)
{
	return id->port_path[0] != '\0' && strcmp(id->port_path, selector) == 0;
}

bool gang_usb_selector_matches_serial(const gang_probe_id *id, const char *selector)
{
	/* Case-insensitive: stlink 1.6 printed lower-case hex, 1.7 upper. */
	return id->serial[0] != '\0' && strcasecmp(id->serial, selector) == 0;
}

/* NULL selector: exactly one probe must be attached. */
static int usb_select_only(size_t *index_out, const gang_probe_id *ids, size_t n,
			   gang_diag *d)
{
	char names[GANG_DIAG_LEN / 2] = "";
	size_t used = 0;

	if (n == 0)
		return gang_diag_set(d, GANG_EPROBE_NONE, "no ST-Link attached");
	if (n == 1) {
		*index_out = 0;
		return GANG_OK;
	}
	for (size_t i = 0; i < n && used < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s (port %s)",
					 i ? ", " : "", ids[i].serial[0] ? ids[i].serial : "?",
					 ids[i].port_path);
	return gang_diag_set(d, GANG_EUSAGE,
			     "%zu ST-Links attached: %s — select one by serial or port path", n, names);
}

int gang_usb_select(size_t *index_out, const gang_probe_id *ids, size_t n,
		    const char *selector, gang_diag *d)
{
	size_t hits = 0, first = 0, second = 0;

	if (!selector || !selector[0])
		return usb_select_only(index_out, ids, n, d);
	for (size_t i = 0; i < n; i++) {
		if (gang_usb_selector_matches_port(&ids[i], selector)) {
			*index_out = i;
			return GANG_OK;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!gang_usb_selector_matches_serial(&ids[i], selector))
			continue;
		if (hits++ == 0)
			first = i;
		else if (hits == 2)
			second = i;
	}
	if (hits == 0)
		return gang_diag_set(d, GANG_EPROBE_NONE,
				     "no ST-Link with serial or port path \"%s\" (%zu attached)", selector, n);
	if (hits > 1)
		return gang_diag_set(d, GANG_EUSAGE,
				     "serial %s is shared by %zu ST-Links (ports %s and %s): "
				     "select the probe by port path instead",
				     selector, hits, ids[first].port_path, ids[second].port_path);
	*index_out = first;
	return GANG_OK;
}
