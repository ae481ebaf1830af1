/*
 * fuzz_stlink_reply.c — libFuzzer target for the pure decoders behind the
 * ST-Link driver, fed with arbitrary probe replies: GET_VERSION(_EX)
 * decoding, feature gating and the API-v1 refusal, status-byte mapping,
 * the serial string descriptor with the 12-raw-byte quirk, target voltage,
 * the bulk-transfer planner, SWD clock choice, PID model table,
 * port-path formatting and probe selection. Each result is checked
 * against the rule its header or the ST-Link protocol states, not only for
 * crashes. The input is consumed as a byte stream; past its end, zeros are
 * read.
 * References: src/stlink/stlink_internal.h, src/usb/usb_internal.h,
 * the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use it (PIDs,
 * version, voltage, features, status codes, limits, serial quirk).
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stlink/stlink_internal.h"
#include "usb/usb_internal.h"

#define REPLY_IDS_MAX 4U
/* Alphabet of fuzzed serials, port paths and selectors: collisions must be likely. */
#define REPLY_ALPHABET "0123456789ABCDEFabcdef.-"

typedef struct reply_in {
	const uint8_t *p;
	size_t left;
} reply_in;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void reply_take(reply_in *in, uint8_t *out, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(out, in->p, k);
	memset(out + k, 0, n - k);
	in->p += k;
	in->left -= k;
}

static uint32_t reply_u32(reply_in *in)
{
	uint8_t b[4];

	reply_take(in, b, sizeof(b));
	return gang_stlink_get_le32(b);
}

/* The PID names the model (fits gang_probe_id.model) and the command endpoint. */
static void reply_model(uint16_t pid)
{
	const char *model = gang_usb_model_for_pid(pid);
	uint8_t ep = gang_usb_ep_out_for_pid(pid);
	bool v2 = model && strcmp(model, "V2") == 0;

	FUZZ_CHECK(!model || strlen(model) < sizeof(((gang_probe_id *)NULL)->model), "model \"%s\" too long", model);
	FUZZ_CHECK(ep == (v2 ? STLINK_EP_OUT_V2 : STLINK_EP_OUT_V21), "PID 0x%04X (%s): endpoint 0x%02X", pid,
		   model ? model : "unknown", ep);
}

static void reply_version(reply_in *in, gang_stlink_features *feat_out)
{
	uint8_t v6[GANG_STLINK_REPLY_VERSION], ex[GANG_STLINK_REPLY_VERSION_EX];
	bool use_ex;
	gang_stlink_version v;
	gang_diag d = { 0 };
	int rc;

	reply_take(in, v6, sizeof(v6));
	reply_take(in, ex, sizeof(ex));
	use_ex = gang_stlink_version_needs_ex(v6);
	gang_stlink_version_decode(&v, v6, use_ex ? ex : NULL);
	FUZZ_CHECK(memchr(v.text, '\0', sizeof(v.text)) && v.text[0] == 'V', "version text \"%.24s\"", v.text);
	if (use_ex)
		FUZZ_CHECK(v.stlink == ex[0] && v.jtag == ex[2] && v.pid == (ex[10] | ex[11] << 8),
			   "GET_VERSION_EX fields misplaced");
	else
		FUZZ_CHECK(v.stlink == (unsigned)(v6[0] >> 4) && v.jtag == (((unsigned)v6[0] << 8 | v6[1]) >> 6 & 0x3FU) &&
				   v.vid == (v6[2] | v6[3] << 8) && v.pid == (v6[4] | v6[5] << 8),
			   "GET_VERSION fields misplaced (%s)", v.text);
	reply_model(v.pid);
	gang_stlink_features_of(feat_out, &v);
	FUZZ_CHECK(feat_out->max_rw8 == STLINK_MAX_RW8_V2 || feat_out->max_rw8 == STLINK_MAX_RW8_V3, "max_rw8 %zu",
		   feat_out->max_rw8);
	FUZZ_CHECK(!(feat_out->swd_freq && feat_out->com_freq), "both V2 and V3 clock commands");
	rc = gang_stlink_check_api(&v, &d);
	FUZZ_CHECK((rc == GANG_OK) == (v.stlink >= 3U || (v.stlink == 2U && v.jtag >= STLINK_V2_MIN_J_API2)),
		   "API check %d for %s", rc, v.text);
	if (rc < 0)
		FUZZ_CHECK(rc == GANG_EPROBE_FIRMWARE && d.code == rc && strstr(d.msg, v.text), "API refusal \"%s\"",
			   d.msg);
}

static void reply_status(reply_in *in)
{
	uint8_t b[2];
	gang_diag d = { 0 };
	int rc, want_ok;

	reply_take(in, b, sizeof(b));
	rc = gang_stlink_status_map(b[0], (b[1] & 1U) ? GANG_STLINK_CTX_CONNECT : GANG_STLINK_CTX_ACCESS,
				    "READMEM_32BIT", 0x20000000U, &d);
	want_ok = b[0] == STLINK_DEBUG_ERR_OK || b[0] == STLINK_JTAG_WRITE_VERIF_ERROR;
	FUZZ_CHECK((rc == GANG_OK) == want_ok, "status 0x%02X -> %d", b[0], rc);
	FUZZ_CHECK((rc == GANG_STLINK_RETRY) == (b[0] == STLINK_SWD_AP_WAIT || b[0] == STLINK_SWD_DP_WAIT),
		   "status 0x%02X -> %d (WAIT)", b[0], rc);
	if (rc < 0) {
		char hex[8];

		snprintf(hex, sizeof(hex), "0x%02X", b[0]);
		FUZZ_CHECK(rc == GANG_ETARGET_NOSWD || rc == GANG_ETARGET_FAULT || rc == GANG_EPROBE_PROTOCOL,
			   "status 0x%02X -> %d", b[0], rc);
		FUZZ_CHECK(d.code == rc && strstr(d.msg, "READMEM_32BIT") && strstr(d.msg, hex),
			   "status message \"%s\" lacks the command or the byte", d.msg);
	}
}

/* The descriptor is copied into a buffer of exactly the received size, so an over-read is caught. */
static void reply_serial(reply_in *in)
{
	uint8_t n, *desc;
	char out[STLINK_SERIAL_LEN + 1];
	bool binary;
	gang_diag d = { 0 };
	int rc;

	/* Poison: an unterminated result must not pass by luck of the stack. */
	memset(out, 'x', sizeof(out));
	reply_take(in, &n, 1);
	n %= GANG_USB_SERIAL_DESC_LEN + 8U;
	desc = malloc(n ? n : 1U);
	FUZZ_CHECK(desc != NULL, "out of memory");
	reply_take(in, desc, n);
	rc = gang_usb_serial_decode(out, &binary, desc, n, &d);
	FUZZ_CHECK(rc < 0 || memchr(out, '\0', sizeof(out)) != NULL, "serial not NUL-terminated");
	if (rc == GANG_OK && binary) {
		FUZZ_CHECK(desc[0] == GANG_USB_SERIAL_BINARY_LEN && strlen(out) == STLINK_SERIAL_LEN &&
				   strspn(out, "0123456789ABCDEF") == STLINK_SERIAL_LEN,
			   "binary serial \"%s\"", out);
		for (size_t i = 0; i < STLINK_SERIAL_LEN / 2; i++)
			FUZZ_CHECK(strtoul((char[3]){ out[2 * i], out[2 * i + 1], 0 }, NULL, 16) == desc[2 + 2 * i],
				   "binary serial byte %zu", i);
	} else if (rc == GANG_OK) {
		FUZZ_CHECK(strlen(out) == (size_t)(desc[0] - 2U) / 2U, "serial \"%s\" for bLength %u", out, desc[0]);
		for (size_t i = 0; out[i]; i++)
			FUZZ_CHECK(out[i] > 0x20 && out[i] < 0x7F, "unprintable serial character 0x%02X", out[i]);
	} else {
		FUZZ_CHECK(rc == GANG_EPROBE_PROTOCOL && d.code == rc && d.msg[0], "serial failure %d \"%s\"", rc,
			   d.msg);
		/* The decoder empties out first; a refusal must not leave half a serial behind. */
		FUZZ_CHECK_KNOWN("serial-partial", out[0] == '\0', "refused descriptor left serial \"%.24s\"", out);
	}
	free(desc);
}

static void reply_voltage(reply_in *in)
{
	uint32_t r0 = reply_u32(in), r1 = reply_u32(in);
	unsigned mv = 1;
	gang_diag d = { 0 };
	int rc = gang_stlink_voltage_mv(&mv, r0, r1, &d);
	uint64_t exact = r0 ? (uint64_t)GANG_STLINK_VOLTAGE_REF_MV * r1 / r0 : 0;

	if (r0 == 0) {
		FUZZ_CHECK(rc == GANG_EPROBE_PROTOCOL && d.code == rc && d.msg[0] && mv == 0, "r0 = 0 accepted");
		return;
	}
	/* The header promises millivolts: a success must not be a truncated value. */
	FUZZ_CHECK_KNOWN("voltage-trunc", rc < 0 || mv == exact, "r0 %u r1 %u: %u mV reported, the readings say %llu mV", r0, r1, mv,
		   (unsigned long long)exact);
	FUZZ_CHECK(rc == GANG_OK || (d.code == rc && d.msg[0]), "voltage failure without a message");
}

/* Walk a whole transfer; each piece must obey the transfer limits. */
static void reply_plan(reply_in *in, size_t max_rw8)
{
	uint32_t addr = reply_u32(in);
	size_t left = reply_u32(in) % (3U * STLINK_MAX_RW32 + 16U);

	if ((uint64_t)addr + left > 0x100000000ULL)
		left = (size_t)(0x100000000ULL - addr);
	while (left > 0) {
		gang_stlink_access kind;
		size_t n = gang_stlink_plan(&kind, addr, left, max_rw8);

		FUZZ_CHECK(n > 0 && n <= left, "piece of %zu with %zu left at 0x%08X", n, left, addr);
		if (kind == GANG_STLINK_ACCESS_8)
			FUZZ_CHECK(n <= max_rw8 && (addr % 4U ? n <= 4U - addr % 4U : left < 4U),
				   "8-bit piece of %zu at 0x%08X with %zu left", n, addr, left);
		else
			FUZZ_CHECK(kind == GANG_STLINK_ACCESS_32 && addr % 4U == 0 && n % 4U == 0 && n <= STLINK_MAX_RW32 &&
					   addr / STLINK_TAR_BLOCK_M3 == (addr + n - 1U) / STLINK_TAR_BLOCK_M3,
				   "32-bit piece of %zu at 0x%08X", n, addr);
		addr += (uint32_t)n;
		left -= n;
	}
}

static void reply_clock(reply_in *in)
{
	uint32_t list[GANG_STLINK_COM_FREQ_MAX], best = 0, slowest = 0;
	uint8_t n8;
	unsigned khz, actual = 0, got;

	reply_take(in, &n8, 1);
	khz = reply_u32(in) % 30000U;
	for (size_t i = 0; i < GANG_STLINK_COM_FREQ_MAX; i++)
		list[i] = reply_u32(in) % 30000U;
	n8 %= GANG_STLINK_COM_FREQ_MAX + 1U;
	for (size_t i = 0; i < n8; i++) {
		if (list[i] && list[i] <= khz && list[i] > best)
			best = list[i];
		if (list[i] && (!slowest || list[i] < slowest))
			slowest = list[i];
	}
	got = gang_stlink_pick_khz(list, n8, khz);
	FUZZ_CHECK(got == (best ? best : slowest), "pick_khz %u from %u entries for %u kHz", got, n8, khz);
	gang_stlink_v2_swd_divisor(&actual, khz);
	FUZZ_CHECK(actual > 0, "SWD clock 0 for %u kHz", khz);
}

static void reply_port_path(reply_in *in)
{
	uint8_t hdr[3], ports[GANG_USB_MAX_PORTS];
	char full[64], out[32];
	size_t cap;

	reply_take(in, hdr, sizeof(hdr));
	reply_take(in, ports, sizeof(ports));
	cap = 1U + hdr[2] % sizeof(out);
	gang_usb_port_path_format(full, sizeof(full), hdr[0], ports, hdr[1] % (GANG_USB_MAX_PORTS + 1U));
	gang_usb_port_path_format(out, cap, hdr[0], ports, hdr[1] % (GANG_USB_MAX_PORTS + 1U));
	FUZZ_CHECK(memchr(out, '\0', cap) != NULL, "port path not terminated in %zu bytes", cap);
	FUZZ_CHECK(strncmp(out, full, cap - 1U) == 0 && strlen(out) == (strlen(full) < cap ? strlen(full) : cap - 1U),
		   "port path \"%s\" is not a prefix of \"%s\"", out, full);
}

/* A string of the fuzz alphabet, length from the input, into buf[cap]. */
static void reply_word(reply_in *in, char *buf, size_t cap)
{
	uint8_t len, c;

	reply_take(in, &len, 1);
	len %= (uint8_t)cap;
	for (size_t i = 0; i < len; i++) {
		reply_take(in, &c, 1);
		buf[i] = REPLY_ALPHABET[c % (sizeof(REPLY_ALPHABET) - 1U)];
	}
	buf[len] = '\0';
}

static void reply_select(reply_in *in)
{
	gang_probe_id ids[REPLY_IDS_MAX];
	char sel[32];
	uint8_t n;
	size_t idx = SIZE_MAX, ports = 0, serials = 0;
	gang_diag d = { 0 };
	int rc;

	memset(ids, 0, sizeof(ids));
	reply_take(in, &n, 1);
	n %= REPLY_IDS_MAX + 1U;
	for (size_t i = 0; i < n; i++) {
		reply_word(in, ids[i].serial, sizeof(ids[i].serial));
		reply_word(in, ids[i].port_path, sizeof(ids[i].port_path));
	}
	reply_word(in, sel, sizeof(sel));
	for (size_t i = 0; i < n; i++) {
		ports += ids[i].port_path[0] && strcmp(ids[i].port_path, sel) == 0;
		serials += ids[i].serial[0] && strcasecmp(ids[i].serial, sel) == 0;
	}
	rc = gang_usb_select(&idx, ids, n, sel, &d);
	if (!sel[0])
		FUZZ_CHECK((rc == GANG_OK) == (n == 1), "no selector, %u probes: %d", n, rc);
	else if (ports)
		FUZZ_CHECK(rc == GANG_OK && strcmp(ids[idx].port_path, sel) == 0, "port %s not picked", sel);
	else
		FUZZ_CHECK(rc == (serials == 1 ? GANG_OK : serials ? GANG_EUSAGE : GANG_EPROBE_NONE),
			   "selector %s with %zu serial matches: %d", sel, serials, rc);
	FUZZ_CHECK(rc != GANG_OK || idx < n, "index %zu of %u", idx, n);
	FUZZ_CHECK(rc == GANG_OK || (d.code == rc && d.msg[0]), "selection failure without a message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reply_in in = { data, size };
	gang_stlink_features feat;

	reply_version(&in, &feat);
	reply_status(&in);
	reply_serial(&in);
	reply_voltage(&in);
	reply_plan(&in, feat.max_rw8);
	reply_clock(&in);
	reply_port_path(&in);
	reply_select(&in);
	return 0;
}
