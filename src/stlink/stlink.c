/*
 * stlink.c — an ST-Link debug session: open the probe, decode its
 * firmware version into a feature set, leave DFU / stale debug mode, and
 * the non-memory debug commands (SWD entry, IDCODE, NRST, reset, target
 * voltage, SWD clock, core registers, single-word AHB access).
 * Depends on: usb (transport), status.c (status byte, WAIT retry).
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use
 * it (GET_VERSION, GET_VERSION_EX, GET_TARGET_VOLTAGE, feature thresholds,
 * DEBUG subcommands and reply lengths, mode machine, open order).
 */
#include "stlink/stlink_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET_VERSION packs V[15:12] J[11:6] S[5:0] big-endian in bytes 0-1. */
#define STLINK_VER_V_SHIFT 12U
#define STLINK_VER_J_SHIFT 6U
#define STLINK_VER_FIELD_MASK 0x3FU
#define STLINK_VER_V_MASK 0x0FU
/* DCRSR REGSEL is 7 bits wide (ARMv7-M C1.6.3). */
#define STLINK_REGSEL_MAX 0x7FU

static bool stlink_pid_is_v21(uint16_t pid)
{
	return pid == STLINK_PID_V2_1 || pid == STLINK_PID_V2_1_NOMSD;
}

bool gang_stlink_version_needs_ex(const uint8_t *v6)
{
	unsigned raw = ((unsigned)v6[0] << 8) | v6[1];

	return ((raw >> STLINK_VER_V_SHIFT) & STLINK_VER_V_MASK) == 3U &&
	       (raw & ((STLINK_VER_FIELD_MASK << STLINK_VER_J_SHIFT) | STLINK_VER_FIELD_MASK)) == 0U;
}

static void stlink_version_ex(gang_stlink_version *out, const uint8_t *ex12)
{
	out->stlink = ex12[0];
	out->swim = ex12[1];
	out->jtag = ex12[2];
	out->msd = ex12[3];
	out->bridge = ex12[4];
	out->vid = (uint16_t)(ex12[8] | (ex12[9] << 8));
	out->pid = (uint16_t)(ex12[10] | (ex12[11] << 8));
	snprintf(out->text, sizeof(out->text), "V%uJ%uM%uB%uS%u", out->stlink, out->jtag,
		 out->msd, out->bridge, out->swim);
}

void gang_stlink_version_decode(gang_stlink_version *out, const uint8_t *v6,
				const uint8_t *ex12)
{
	unsigned raw = ((unsigned)v6[0] << 8) | v6[1];
	unsigned low = raw & STLINK_VER_FIELD_MASK;

	memset(out, 0, sizeof(*out));
	if (ex12) {
		stlink_version_ex(out, ex12);
		return;
	}
	out->stlink = (raw >> STLINK_VER_V_SHIFT) & STLINK_VER_V_MASK;
	out->jtag = (raw >> STLINK_VER_J_SHIFT) & STLINK_VER_FIELD_MASK;
	out->vid = (uint16_t)(v6[2] | (v6[3] << 8));
	out->pid = (uint16_t)(v6[4] | (v6[5] << 8));
	/* V2-1 firmware puts its mass-storage version where V2 puts SWIM. */
	if (stlink_pid_is_v21(out->pid)) {
		out->msd = low;
		snprintf(out->text, sizeof(out->text), "V%uJ%uM%u", out->stlink, out->jtag, low);
	} else {
		out->swim = low;
		snprintf(out->text, sizeof(out->text), "V%uJ%uS%u", out->stlink, out->jtag, low);
	}
}

void gang_stlink_features_of(gang_stlink_features *out, const gang_stlink_version *v)
{
	bool v3 = v->stlink >= 3U;

	memset(out, 0, sizeof(*out));
	out->voltage = v3 || v->jtag >= STLINK_V2_MIN_J_VOLTAGE;
	out->rwstatus2 = v3 || v->jtag >= STLINK_V2_MIN_J_RWSTATUS2;
	out->swd_freq = !v3 && v->jtag >= STLINK_V2_MIN_J_SWD_FREQ;
	out->com_freq = v3;
	out->mem16 = v3 || v->jtag >= STLINK_V2_MIN_J_MEM16;
	out->init_ap = v3 || v->jtag >= STLINK_V2_MIN_J_INIT_AP;
	out->max_rw8 = (v3 && v->jtag >= STLINK_V3_MIN_J_RW8_512) ? STLINK_MAX_RW8_V3
								   : STLINK_MAX_RW8_V2;
}

int gang_stlink_check_api(const gang_stlink_version *v, gang_diag *d)
{
	if (v->stlink < 2U)
		return gang_diag_set(d, GANG_EPROBE_FIRMWARE,
				     "ST-Link %s speaks API v1 only; gang needs V2J%u or newer",
				     v->text, STLINK_V2_MIN_J_API2);
	if (v->stlink == 2U && v->jtag < STLINK_V2_MIN_J_API2)
		return gang_diag_set(d, GANG_EPROBE_FIRMWARE,
				     "ST-Link firmware %s speaks API v1 only; gang needs V2J%u or newer",
				     v->text, STLINK_V2_MIN_J_API2);
	return GANG_OK;
}

static int stlink_read_version(gang_stlink *sl)
{
	uint8_t cmd[STLINK_CMD_LEN] = { STLINK_GET_VERSION };
	uint8_t v6[GANG_STLINK_REPLY_VERSION], ex[GANG_STLINK_REPLY_VERSION_EX];
	int err = gang_stlink_raw(sl, cmd, NULL, 0, v6, sizeof(v6));

	if (err < 0)
		return err;
	if (!gang_stlink_version_needs_ex(v6)) {
		gang_stlink_version_decode(&sl->ver, v6, NULL);
		return GANG_OK;
	}
	cmd[0] = STLINK_APIV3_GET_VERSION_EX;
	err = gang_stlink_raw(sl, cmd, NULL, 0, ex, sizeof(ex));
	if (err == GANG_OK)
		gang_stlink_version_decode(&sl->ver, v6, ex);
	return err;
}

static int stlink_get_mode(uint8_t *mode_out, gang_stlink *sl)
{
	uint8_t cmd[STLINK_CMD_LEN] = { STLINK_GET_CURRENT_MODE };
	uint8_t in[GANG_STLINK_REPLY_MODE];
	int err = gang_stlink_raw(sl, cmd, NULL, 0, in, sizeof(in));

	*mode_out = in[0];
	return err;
}

/* Leave DFU or a debug session a previous run left open; neither replies. */
static int stlink_leave_mode(gang_stlink *sl)
{
	uint8_t cmd[STLINK_CMD_LEN] = { 0 };
	uint8_t mode = 0;
	int err = stlink_get_mode(&mode, sl);

	if (err < 0)
		return err;
	if (mode == STLINK_MODE_DFU) {
		cmd[0] = STLINK_DFU_COMMAND;
		cmd[1] = STLINK_DFU_EXIT;
	} else if (mode == STLINK_MODE_DEBUG) {
		cmd[0] = STLINK_DEBUG_COMMAND;
		cmd[1] = STLINK_DEBUG_EXIT;
	} else {
		return GANG_OK;
	}
	return gang_stlink_raw(sl, cmd, NULL, 0, NULL, 0);
}

int gang_stlink_open(gang_stlink **out, gang_usb *usb, const char *selector, gang_diag *d)
{
	gang_stlink *sl;
	int err;

	*out = NULL;
	sl = calloc(1, sizeof(*sl));
	if (!sl)
		return gang_diag_set(d, GANG_ENOMEM, "opening the ST-Link: out of memory");
	sl->d = d;
	err = gang_usb_open(&sl->usb, usb, selector, d);
	if (err == GANG_OK)
		err = stlink_read_version(sl);
	if (err == GANG_OK)
		err = gang_stlink_check_api(&sl->ver, d);
	if (err == GANG_OK) {
		gang_stlink_features_of(&sl->feat, &sl->ver);
		err = stlink_leave_mode(sl);
	}
	if (err < 0) {
		gang_stlink_close(sl);
		return err;
	}
	*out = sl;
	return GANG_OK;
}

void gang_stlink_close(gang_stlink *sl)
{
	if (!sl)
		return;
	if (sl->in_debug)
		gang_stlink_exit_debug(sl);
	gang_usb_close(sl->usb);
	free(sl);
}

const gang_stlink_version *gang_stlink_get_version(const gang_stlink *sl)
{
	return &sl->ver;
}

const gang_probe_id *gang_stlink_id(const gang_stlink *sl)
{
	return gang_usb_id(sl->usb);
}

gang_diag *gang_stlink_diag(gang_stlink *sl)
{
	return sl->d;
}

static int stlink_needs(gang_stlink *sl, bool have, const char *what, unsigned min_j)
{
	if (have)
		return GANG_OK;
	return gang_diag_set(sl->d, GANG_EPROBE_FIRMWARE,
			     "%s needs ST-Link firmware V2J%u or newer; this probe runs %s", what,
			     min_j, sl->ver.text);
}

int gang_stlink_voltage_mv(unsigned *mv_out, uint32_t r0, uint32_t r1, gang_diag *d)
{
	*mv_out = 0;
	if (r0 == 0)
		return gang_diag_set(d, GANG_EPROBE_PROTOCOL,
				     "GET_TARGET_VOLTAGE: reference reading is 0 (target reading %u)",
				     (unsigned)r1);
	/* Both are 12-bit ADC readings; anything wider is a garbled reply, not a voltage. */
	if (r0 > 0xFFFU || r1 > 0xFFFU)
		return gang_diag_set(d, GANG_EPROBE_PROTOCOL,
				     "GET_TARGET_VOLTAGE: readings 0x%X/0x%X exceed the 12-bit ADC range",
				     (unsigned)r0, (unsigned)r1);
	*mv_out = (unsigned)((uint64_t)GANG_STLINK_VOLTAGE_REF_MV * r1 / r0);
	return GANG_OK;
}

int gang_stlink_target_voltage(unsigned *mv_out, gang_stlink *sl)
{
	uint8_t cmd[STLINK_CMD_LEN] = { STLINK_GET_TARGET_VOLTAGE };
	uint8_t in[GANG_STLINK_REPLY_VOLTAGE];
	int err;

	*mv_out = 0;
	err = stlink_needs(sl, sl->feat.voltage, "reading the target voltage",
			   STLINK_V2_MIN_J_VOLTAGE);
	if (err == GANG_OK)
		err = gang_stlink_raw(sl, cmd, NULL, 0, in, sizeof(in));
	if (err < 0)
		return err;
	return gang_stlink_voltage_mv(mv_out, gang_stlink_get_le32(in),
				      gang_stlink_get_le32(in + 4), sl->d);
}

/* DEBUG command with the subcommand in byte 1 and args from byte 2. */
static void stlink_debug_cmd(uint8_t cmd[STLINK_CMD_LEN], uint8_t sub)
{
	memset(cmd, 0, STLINK_CMD_LEN);
	cmd[0] = STLINK_DEBUG_COMMAND;
	cmd[1] = sub;
}

/* Status-only DEBUG command with one argument byte. */
static int stlink_simple(gang_stlink *sl, uint8_t sub, uint8_t arg, gang_stlink_ctx ctx,
			 const char *what)
{
	uint8_t cmd[STLINK_CMD_LEN], in[GANG_STLINK_REPLY_STATUS];

	stlink_debug_cmd(cmd, sub);
	cmd[2] = arg;
	return gang_stlink_cmd(sl, cmd, in, sizeof(in), ctx, what, 0);
}

unsigned gang_stlink_v2_swd_divisor(unsigned *actual_khz_out, unsigned khz)
{
	static const unsigned table[][2] = { STLINK_V2_SWD_FREQ_TABLE };
	size_t n = sizeof(table) / sizeof(table[0]);

	/* The table runs fastest first; the slowest entry is the floor. */
	for (size_t i = 0; i < n; i++) {
		if (table[i][0] <= khz) {
			*actual_khz_out = table[i][0];
			return table[i][1];
		}
	}
	*actual_khz_out = table[n - 1][0];
	return table[n - 1][1];
}

unsigned gang_stlink_pick_khz(const uint32_t *list, size_t n, unsigned khz)
{
	unsigned best_below = 0, slowest = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned f = list[i];

		if (f == 0)
			continue;
		if (f <= khz && f > best_below)
			best_below = f;
		if (slowest == 0 || f < slowest)
			slowest = f;
	}
	return best_below ? best_below : slowest;
}

/* V3: ask the probe's clock list, then set the fastest at or below khz. */
static int stlink_v3_set_khz(unsigned *actual_out, gang_stlink *sl, unsigned khz)
{
	uint8_t cmd[STLINK_CMD_LEN], in[GANG_STLINK_REPLY_COM_FREQ];
	uint32_t list[GANG_STLINK_COM_FREQ_MAX];
	size_t n;
	unsigned pick;
	int err;

	stlink_debug_cmd(cmd, STLINK_DEBUG_APIV3_GET_COM_FREQ);
	err = gang_stlink_cmd(sl, cmd, in, sizeof(in), GANG_STLINK_CTX_ACCESS, "GET_COM_FREQ", 0);
	if (err < 0)
		return err;
	n = in[8] < GANG_STLINK_COM_FREQ_MAX ? in[8] : GANG_STLINK_COM_FREQ_MAX;
	for (size_t i = 0; i < n; i++)
		list[i] = gang_stlink_get_le32(in + 12 + 4 * i);
	pick = gang_stlink_pick_khz(list, n, khz);
	if (pick == 0)
		return gang_diag_set(sl->d, GANG_EPROBE_PROTOCOL,
				     "GET_COM_FREQ: the probe lists no SWD clock");
	stlink_debug_cmd(cmd, STLINK_DEBUG_APIV3_SET_COM_FREQ);
	gang_stlink_put_le32(cmd + 4, pick);
	err = gang_stlink_cmd(sl, cmd, in, GANG_STLINK_REPLY_VALUE, GANG_STLINK_CTX_ACCESS,
			      "SET_COM_FREQ", 0);
	if (err == GANG_OK) {
		uint32_t got = gang_stlink_get_le32(in + 4);

		*actual_out = got ? got : pick;
	}
	return err;
}

int gang_stlink_set_swd_khz(unsigned *actual_out, gang_stlink *sl, unsigned khz)
{
	uint8_t cmd[STLINK_CMD_LEN], in[GANG_STLINK_REPLY_STATUS];
	unsigned actual = 0, div;
	int err;

	*actual_out = 0;
	if (sl->feat.com_freq)
		return stlink_v3_set_khz(actual_out, sl, khz);
	err = stlink_needs(sl, sl->feat.swd_freq, "setting the SWD clock",
			   STLINK_V2_MIN_J_SWD_FREQ);
	if (err < 0)
		return err;
	div = gang_stlink_v2_swd_divisor(&actual, khz);
	stlink_debug_cmd(cmd, STLINK_DEBUG_APIV2_SWD_SET_FREQ);
	gang_stlink_put_le16(cmd + 2, (uint16_t)div);
	err = gang_stlink_cmd(sl, cmd, in, sizeof(in), GANG_STLINK_CTX_ACCESS, "SWD_SET_FREQ", 0);
	if (err == GANG_OK)
		*actual_out = actual;
	return err;
}

int gang_stlink_enter_swd(gang_stlink *sl)
{
	int err;

	/* Even a refused ENTER may leave the probe in debug mode: owe it an EXIT. */
	sl->in_debug = true;
	err = stlink_simple(sl, STLINK_DEBUG_APIV2_ENTER, STLINK_DEBUG_ENTER_SWD_NO_RESET,
			    GANG_STLINK_CTX_CONNECT, "APIV2_ENTER SWD");
	/* J28+ firmware wants the AP opened before the first access. */
	if (err == GANG_OK && sl->feat.init_ap)
		err = stlink_simple(sl, STLINK_DEBUG_APIV2_INIT_AP, 0, GANG_STLINK_CTX_CONNECT,
				    "INIT_AP 0");
	return err;
}

int gang_stlink_exit_debug(gang_stlink *sl)
{
	uint8_t cmd[STLINK_CMD_LEN];

	sl->in_debug = false;
	stlink_debug_cmd(cmd, STLINK_DEBUG_EXIT);
	return gang_stlink_raw(sl, cmd, NULL, 0, NULL, 0);
}

int gang_stlink_drive_nrst(gang_stlink *sl, bool low)
{
	return stlink_simple(sl, STLINK_DEBUG_APIV2_DRIVE_NRST,
			     (uint8_t)(low ? STLINK_NRST_LOW : STLINK_NRST_HIGH), GANG_STLINK_CTX_ACCESS,
			     low ? "DRIVE_NRST low" : "DRIVE_NRST high");
}

int gang_stlink_reset_sys(gang_stlink *sl)
{
	return stlink_simple(sl, STLINK_DEBUG_APIV2_RESETSYS, 0, GANG_STLINK_CTX_ACCESS,
			     "APIV2_RESETSYS");
}

int gang_stlink_read_idcodes(uint32_t *dpidr_out, gang_stlink *sl)
{
	uint8_t cmd[STLINK_CMD_LEN], in[GANG_STLINK_REPLY_IDCODES];
	uint32_t id;
	int err;

	*dpidr_out = 0;
	stlink_debug_cmd(cmd, STLINK_DEBUG_APIV2_READ_IDCODES);
	err = gang_stlink_cmd(sl, cmd, in, sizeof(in), GANG_STLINK_CTX_CONNECT, "READ_IDCODES", 0);
	if (err < 0)
		return err;
	id = gang_stlink_get_le32(in + 4);
	/* All-zero or all-one: the lines float, no DP drove them. */
	if (id == 0 || id == UINT32_MAX)
		return gang_diag_set(sl->d, GANG_ETARGET_NOSWD, "READ_IDCODES: DPIDR reads 0x%08X",
				     (unsigned)id);
	*dpidr_out = id;
	return GANG_OK;
}

int gang_stlink_check_align(gang_stlink *sl, uint32_t addr, uint32_t align, const char *what)
{
	if ((addr & (align - 1U)) == 0)
		return GANG_OK;
	return gang_diag_set(sl->d, GANG_ERR, "%s at 0x%08X: address not %u-byte aligned", what,
			     (unsigned)addr, (unsigned)align);
}

int gang_stlink_read32(uint32_t *out, gang_stlink *sl, uint32_t addr)
{
	uint8_t cmd[STLINK_CMD_LEN], in[GANG_STLINK_REPLY_VALUE];
	int err;

	*out = 0;
	err = gang_stlink_check_align(sl, addr, 4, "READDEBUGREG");
	if (err < 0)
		return err;
	stlink_debug_cmd(cmd, STLINK_DEBUG_APIV2_READDEBUGREG);
	gang_stlink_put_le32(cmd + 2, addr);
	err = gang_stlink_cmd(sl, cmd, in, sizeof(in), GANG_STLINK_CTX_ACCESS, "READDEBUGREG",
			      addr);
	if (err == GANG_OK)
		*out = gang_stlink_get_le32(in + 4);
	return err;
}

int gang_stlink_write32(gang_stlink *sl, uint32_t addr, uint32_t val)
{
	uint8_t cmd[STLINK_CMD_LEN], in[GANG_STLINK_REPLY_STATUS];
	int err = gang_stlink_check_align(sl, addr, 4, "WRITEDEBUGREG");

	if (err < 0)
		return err;
	stlink_debug_cmd(cmd, STLINK_DEBUG_APIV2_WRITEDEBUGREG);
	gang_stlink_put_le32(cmd + 2, addr);
	gang_stlink_put_le32(cmd + 6, val);
	return gang_stlink_cmd(sl, cmd, in, sizeof(in), GANG_STLINK_CTX_ACCESS, "WRITEDEBUGREG",
			       addr);
}

static int stlink_check_reg(gang_stlink *sl, unsigned idx)
{
	if (idx <= STLINK_REGSEL_MAX)
		return GANG_OK;
	return gang_diag_set(sl->d, GANG_ERR, "core register index %u out of range (max %u)", idx,
			     STLINK_REGSEL_MAX);
}

int gang_stlink_read_reg(uint32_t *out, gang_stlink *sl, unsigned idx)
{
	uint8_t cmd[STLINK_CMD_LEN], in[GANG_STLINK_REPLY_VALUE];
	int err;

	*out = 0;
	err = stlink_check_reg(sl, idx);
	if (err < 0)
		return err;
	stlink_debug_cmd(cmd, STLINK_DEBUG_APIV2_READREG);
	cmd[2] = (uint8_t)idx;
	err = gang_stlink_cmd(sl, cmd, in, sizeof(in), GANG_STLINK_CTX_ACCESS, "READREG", idx);
	if (err == GANG_OK)
		*out = gang_stlink_get_le32(in + 4);
	return err;
}

int gang_stlink_write_reg(gang_stlink *sl, unsigned idx, uint32_t val)
{
	uint8_t cmd[STLINK_CMD_LEN], in[GANG_STLINK_REPLY_STATUS];
	int err = stlink_check_reg(sl, idx);

	if (err < 0)
		return err;
	stlink_debug_cmd(cmd, STLINK_DEBUG_APIV2_WRITEREG);
	cmd[2] = (uint8_t)idx;
	gang_stlink_put_le32(cmd + 3, val);
	return gang_stlink_cmd(sl, cmd, in, sizeof(in), GANG_STLINK_CTX_ACCESS, "WRITEREG", idx);
}
