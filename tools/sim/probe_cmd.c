/*
 * probe_cmd.c — the ST-Link firmware command set as a table: for each
 * DEBUG (0xF2) subcommand its name, the firmware that introduced it
 * (STLINK_V2_MIN_J_* in stlink_cmd.h), whether it needs debug mode, and its
 * handler. Reply lengths, status bytes, size limits, alignment and the mode
 * machine follow the ST-Link USB protocol as OpenOCD 0.12 (stlink_usb.c)
 * and stlink 1.7.0 drive it and as traced from both.
 * A command the emulated firmware lacks gets a 2-byte reply with status
 * 0x81 (DEBUG_ERR_FAULT). Status conventions shared with gang's driver:
 * no DP -> 0x09 on ENTER/READ_IDCODES and 0x16 elsewhere; AHB fault 0x11;
 * WAIT 0x10; READMEM data zero-filled on error, status via GETLASTRWSTATUS.
 */
#include "probe_internal.h"

#include <stdio.h>
#include <string.h>

#include "stlink/stlink_cmd.h"

#define CMD_NONE          0xFFU        /* "never" in the J-version columns */
#define CMD_NO_REPLY      (-1)
#define DHCSR_ADDR        0xE000EDF0U
#define DCRSR_ADDR        0xE000EDF4U
#define DCRDR_ADDR        0xE000EDF8U
#define AIRCR_ADDR        0xE000ED0CU
#define DHCSR_KEY         0xA05F0000U
#define DHCSR_C_DEBUGEN   (1U << 0)
#define DHCSR_C_HALT      (1U << 1)
#define DHCSR_C_STEP      (1U << 2)
#define DHCSR_S_REGRDY    (1U << 16)
#define DHCSR_S_HALT      (1U << 17)
#define DCRSR_REGWNR      (1U << 16)
#define AIRCR_SYSRESETREQ 0x05FA0004U
#define REGRDY_POLLS      8            /* DHCSR polls for S_REGRDY before giving up */
#define AHB_AP_IDR        0x24770011U  /* Cortex-M3 AHB-AP IDR */
#define V3_MAX_RW8        STLINK_MAX_RW8_V3

typedef int (*cmd_fn)(sim_probe *p, const uint8_t *c, uint8_t *r);

typedef struct cmd_def {
	uint8_t sub;
	const char *name;
	uint8_t min_j_v2;        /* CMD_NONE: V2/V2-1 firmware lacks it */
	uint8_t min_j_v3;        /* CMD_NONE: V3 firmware lacks it */
	bool needs_debug;
	cmd_fn fn;
} cmd_def;

static uint32_t cmd_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint16_t cmd_le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static void cmd_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8), b[2] = (uint8_t)(v >> 16), b[3] = (uint8_t)(v >> 24);
}

uint8_t probe_status(sim_swd s)
{
	switch (s) {
	case SIM_SWD_OK:
		return STLINK_DEBUG_ERR_OK;
	case SIM_SWD_WAIT:
		return STLINK_SWD_AP_WAIT;
	case SIM_SWD_FAULT:
		return STLINK_SWD_AP_FAULT;
	default:
		return STLINK_SWD_DP_ERROR;
	}
}

static void cmd_args(sim_probe *p, const char *fmt, uint32_t a, uint32_t b)
{
	snprintf(p->t_args, sizeof(p->t_args), fmt, a, b);
}

/* ---- mode machine, reset, NRST ---------------------------------------- */

static int cmd_enter(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	cmd_args(p, "mode=0x%02X", c[2], 0);
	if (c[2] != STLINK_DEBUG_ENTER_SWD_NO_RESET) {
		r[0] = STLINK_JTAG_GET_IDCODE_ERROR;   /* no JTAG-DP modelled */
		return 2;
	}
	p->mode = STLINK_MODE_DEBUG;
	memset(p->ap_open, 0, sizeof(p->ap_open));
	r[0] = probe_dp_connect(p) == SIM_SWD_OK ? STLINK_DEBUG_ERR_OK : STLINK_JTAG_GET_IDCODE_ERROR;
	return 2;
}

static int cmd_exit(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)c, (void)r;
	if (p->mode == STLINK_MODE_DEBUG)
		probe_release(p);
	p->mode = STLINK_MODE_MASS;
	p->dp_up = false;
	return CMD_NO_REPLY;
}

static int cmd_idcodes(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)c;
	if (probe_dp_connect(p) != SIM_SWD_OK) {
		r[0] = STLINK_JTAG_GET_IDCODE_ERROR;
		return 12;
	}
	r[0] = STLINK_DEBUG_ERR_OK;
	cmd_put32(r + 4, p->dpidr);
	return 12;
}

static int cmd_nrst(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	sim_board *b = probe_board(p);

	cmd_args(p, "%u", c[2], 0);
	if (c[2] > STLINK_NRST_PULSE) {
		r[0] = STLINK_DEBUG_ERR_FAULT;
		return 2;
	}
	p->nrst_low = c[2] == STLINK_NRST_LOW;
	if (b) {
		sim_board_advance(b, p->clock.now_ns);
		sim_board_set_nrst(b, c[2] != STLINK_NRST_HIGH);
		if (c[2] == STLINK_NRST_PULSE) {
			sim_clock_add(&p->clock, 100000); /* pulse width */
			sim_board_advance(b, p->clock.now_ns);
			sim_board_set_nrst(b, false);
		}
	}
	r[0] = STLINK_DEBUG_ERR_OK;
	return 2;
}

static int cmd_resetsys(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	uint32_t v = AIRCR_SYSRESETREQ;

	(void)c;
	r[0] = probe_status(probe_access(p, true, AIRCR_ADDR, 4, &v));
	return 2;
}

/* ---- single registers ------------------------------------------------- */

static int cmd_rdbg(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	uint32_t a = cmd_le32(c + 2), v = 0;

	cmd_args(p, "0x%08X", a, 0);
	r[0] = (a & 3U) ? STLINK_SWD_AP_FAULT : probe_status(probe_access(p, false, a, 4, &v));
	cmd_put32(r + 4, v);
	return 8;
}

static int cmd_wdbg(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	uint32_t a = cmd_le32(c + 2), v = cmd_le32(c + 6);

	cmd_args(p, "0x%08X=0x%08X", a, v);
	r[0] = (a & 3U) ? STLINK_SWD_AP_FAULT : probe_status(probe_access(p, true, a, 4, &v));
	return 2;
}

/* Core register through DCRSR/DCRDR as the firmware does (ARMv7-M C1.6.3). */
static uint8_t cmd_core_reg(sim_probe *p, uint8_t idx, bool write, uint32_t *val)
{
	uint32_t sel = idx | (write ? DCRSR_REGWNR : 0U), st = 0;
	sim_swd rc = SIM_SWD_OK;

	if (write)
		rc = probe_access(p, true, DCRDR_ADDR, 4, val);
	if (rc == SIM_SWD_OK)
		rc = probe_access(p, true, DCRSR_ADDR, 4, &sel);
	for (int i = 0; rc == SIM_SWD_OK && i < REGRDY_POLLS && !(st & DHCSR_S_REGRDY); i++)
		rc = probe_access(p, false, DHCSR_ADDR, 4, &st);
	if (rc != SIM_SWD_OK)
		return probe_status(rc);
	if (!(st & DHCSR_S_REGRDY))
		return STLINK_DEBUG_ERR_FAULT;
	if (!write)
		rc = probe_access(p, false, DCRDR_ADDR, 4, val);
	return probe_status(rc);
}

static int cmd_readreg(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	uint32_t v = 0;

	cmd_args(p, "r%u", c[2], 0);
	r[0] = cmd_core_reg(p, c[2], false, &v);
	cmd_put32(r + 4, v);
	return 8;
}

static int cmd_writereg(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	uint32_t v = cmd_le32(c + 3);

	cmd_args(p, "r%u=0x%08X", c[2], v);
	r[0] = cmd_core_reg(p, c[2], true, &v);
	return 2;
}

static int cmd_readall(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	static const uint8_t sel[21] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
					 16, 17, 18, 20, 20 };
	uint8_t st = STLINK_DEBUG_ERR_OK;

	(void)c;
	for (int i = 0; i < 21 && st == STLINK_DEBUG_ERR_OK; i++) {
		uint32_t v = 0;

		st = cmd_core_reg(p, sel[i], false, &v);
		cmd_put32(r + 4 + 4 * i, i == 20 ? 0 : v);
	}
	r[0] = st;
	return 88;
}

/* API v1 core control, still answered by V2 firmware: DHCSR writes. */
static int cmd_dhcsr_write(sim_probe *p, uint8_t *r, uint32_t bits)
{
	uint32_t v = DHCSR_KEY | bits;

	r[0] = probe_status(probe_access(p, true, DHCSR_ADDR, 4, &v));
	return 2;
}

static int cmd_forcedebug(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)c;
	return cmd_dhcsr_write(p, r, DHCSR_C_DEBUGEN | DHCSR_C_HALT);
}

static int cmd_runcore(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)c;
	return cmd_dhcsr_write(p, r, DHCSR_C_DEBUGEN);
}

static int cmd_stepcore(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)c;
	return cmd_dhcsr_write(p, r, DHCSR_C_DEBUGEN | DHCSR_C_STEP);
}

static int cmd_getstatus(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	uint32_t v = 0;
	sim_swd rc = probe_access(p, false, DHCSR_ADDR, 4, &v);

	(void)c;
	/* v1 status: 0x80 core running, 0x81 core halted */
	r[0] = rc != SIM_SWD_OK ? probe_status(rc) :
	       (v & DHCSR_S_HALT) ? STLINK_DEBUG_ERR_FAULT : STLINK_DEBUG_ERR_OK;
	return 2;
}

static int cmd_coreid(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)c;
	cmd_put32(r, p->dp_up ? p->dpidr : 0U);
	return 4;
}

/* ---- memory ----------------------------------------------------------- */

/*
 * Max bytes per memory command of this access size on this firmware. Reads
 * return through the probe's 6144-byte buffer (OpenOCD 0.12's
 * STLINK_DATA_SIZE). 16/32-bit writes stream: stlink 1.7.0's F2/F4/F7
 * loader path sends up to 32 KiB in one WRITEMEM_32BIT, and a limit check
 * added to stlink broke flashing on real probes and was taken out again
 * (stlink-org/stlink #1154, #1157), so the firmware takes what the 16-bit
 * length field can say.
 */
static size_t cmd_mem_max(const sim_probe *p, unsigned size, bool write)
{
	if (size != 1)
		return write ? PROBE_DATA_MAX - 4U : STLINK_MAX_RW32;
	if (p->cfg->model == SIM_MODEL_V3 && p->cfg->fw.j >= STLINK_V3_MIN_J_RW8_512)
		return V3_MAX_RW8;
	return STLINK_MAX_RW8_V2;
}

static uint8_t cmd_mem_check(const sim_probe *p, uint32_t addr, size_t len, unsigned size, bool write)
{
	if (len > cmd_mem_max(p, size, write) || (addr % size) != 0 || (len % size) != 0)
		return STLINK_DEBUG_ERR_FAULT;
	return STLINK_DEBUG_ERR_OK;
}

/*
 * Address of element i of a memory command. The AHB-AP's TAR
 * auto-increment is only sure within 1 KiB (ADIv5 §7.2.2), but the probe's
 * firmware rewrites TAR at each block: stlink 1.7.0 reads 6 KiB at a time
 * from 0x08000000 (its verify) and writes 32 KiB loader buffers in one
 * command, across 4 KiB blocks, and both work on real probes (stlink
 * #1154, #1157). OpenOCD 0.12 and gang still never cross a block.
 */
static uint32_t cmd_tar(uint32_t addr, size_t off, bool inc)
{
	return inc ? addr + (uint32_t)off : addr;
}

/*
 * The access port of a memory command: byte 8 on firmware that reaches
 * several APs (V2J28 and later, every V3; OpenOCD stlink_usb.c puts its
 * ap_num there, st-flash sends 0); AP0 before.
 */
static unsigned cmd_ap(const sim_probe *p, const uint8_t *c)
{
	if (p->cfg->model != SIM_MODEL_V3 && p->cfg->fw.j < STLINK_V2_MIN_J_INIT_AP)
		return 0;
	return c[STLINK_MEM_AP_BYTE];
}

/*
 * An AP other than AP0 answers only once INIT_AP opened it since ENTER
 * (OpenOCD 0.12 stlink_usb.c opens every AP it uses; st-flash 1.7, which
 * never sends INIT_AP, works on AP0 with J28+ firmware, so AP0 is open
 * without it). The stricter reading: BAD_AP_ERROR otherwise.
 */
static bool cmd_ap_open(const sim_probe *p, unsigned ap)
{
	return ap == 0 || (p->ap_open[ap / 32U] >> (ap % 32U) & 1U);
}

static int cmd_init_ap(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	unsigned ap = c[2];

	cmd_args(p, "%u", ap, 0);
	if (c[1] == STLINK_DEBUG_APIV2_INIT_AP)
		p->ap_open[ap / 32U] |= 1U << (ap % 32U);
	else
		p->ap_open[ap / 32U] &= ~(1U << (ap % 32U));
	r[0] = STLINK_DEBUG_ERR_OK;
	return 2;
}

static void cmd_mem_read(sim_probe *p, unsigned ap, uint32_t addr, size_t len, unsigned size, bool inc,
			 uint8_t *r)
{
	sim_swd rc = SIM_SWD_OK;
	size_t off;

	for (off = 0; off < len && rc == SIM_SWD_OK; off += size) {
		uint32_t v = 0;

		rc = probe_access_ap(p, ap, false, cmd_tar(addr, off, inc), size, &v);
		for (unsigned k = 0; k < size; k++)
			r[off + k] = (uint8_t)(v >> (8 * k));
	}
	p->last_rw_status = probe_status(rc);
	p->last_rw_addr = rc == SIM_SWD_OK ? 0 : cmd_tar(addr, off - size, inc);
	if (rc != SIM_SWD_OK)
		memset(r, 0, len);
}

static int cmd_readmem(sim_probe *p, const uint8_t *c, uint8_t *r, unsigned size, bool inc)
{
	uint32_t addr = cmd_le32(c + 2);
	size_t len = cmd_le16(c + 6);

	cmd_args(p, "0x%08X len=%u", addr, (uint32_t)len);
	p->last_rw_status = cmd_mem_check(p, addr, len, size, false);
	p->last_rw_addr = addr;
	if (p->last_rw_status == STLINK_DEBUG_ERR_OK && !cmd_ap_open(p, cmd_ap(p, c))) {
		p->last_rw_status = STLINK_BAD_AP_ERROR;
		memset(r, 0, len);   /* the length was checked: the reply still has it */
	}
	if (p->last_rw_status == STLINK_DEBUG_ERR_OK)
		cmd_mem_read(p, cmd_ap(p, c), addr, len, size, inc, r);
	/* an 8-bit read of one byte still answers two (observed; OpenOCD pads such reads) */
	return (size == 1 && len == 1) ? 2 : (int)len;
}

static int cmd_rm32(sim_probe *p, const uint8_t *c, uint8_t *r) { return cmd_readmem(p, c, r, 4, true); }
static int cmd_rm16(sim_probe *p, const uint8_t *c, uint8_t *r) { return cmd_readmem(p, c, r, 2, true); }
static int cmd_rm8(sim_probe *p, const uint8_t *c, uint8_t *r) { return cmd_readmem(p, c, r, 1, true); }
static int cmd_rm32_noinc(sim_probe *p, const uint8_t *c, uint8_t *r) { return cmd_readmem(p, c, r, 4, false); }

static int cmd_writemem(sim_probe *p, const uint8_t *c)
{
	size_t len = cmd_le16(c + 6);

	cmd_args(p, "0x%08X len=%u", cmd_le32(c + 2), (uint32_t)len);
	memcpy(p->wcmd, c, STLINK_CMD_LEN);
	/* the host sends the data phase whatever the firmware thinks of it */
	p->wneed = len <= PROBE_DATA_MAX ? len : PROBE_DATA_MAX;
	p->whave = 0;
	if (p->wneed == 0)
		p->last_rw_status = STLINK_DEBUG_ERR_OK;
	return CMD_NO_REPLY;
}

static int cmd_wm(sim_probe *p, const uint8_t *c, uint8_t *r) { (void)r; return cmd_writemem(p, c); }

static unsigned cmd_wm_size(uint8_t sub, bool *inc)
{
	*inc = sub != STLINK_DEBUG_WRITEMEM_32BIT_NO_ADDR_INC;
	if (sub == STLINK_DEBUG_WRITEMEM_8BIT)
		return 1;
	return sub == STLINK_DEBUG_APIV2_WRITEMEM_16BIT ? 2 : 4;
}

static void cmd_trace_rw(sim_probe *p)
{
	char st[32];

	snprintf(st, sizeof(st), "0x%02X", p->last_rw_status);
	probe_trace(p, st);
}

/* The data phase of a WRITEMEM arrived: perform the writes. */
void probe_cmd_data(sim_probe *p)
{
	bool inc;
	unsigned size = cmd_wm_size(p->wcmd[1], &inc);
	uint32_t addr = cmd_le32(p->wcmd + 2);
	size_t len = cmd_le16(p->wcmd + 6);
	sim_swd rc = SIM_SWD_OK;
	size_t off;

	p->wneed = p->whave = 0;
	p->last_rw_addr = addr;
	if (p->wcmd[0] != STLINK_DEBUG_COMMAND) {
		p->last_rw_status = STLINK_DEBUG_ERR_FAULT;   /* refused command */
		cmd_trace_rw(p);
		return;
	}
	p->last_rw_status = cmd_mem_check(p, addr, len, size, true);
	if (p->last_rw_status == STLINK_DEBUG_ERR_OK && !cmd_ap_open(p, cmd_ap(p, p->wcmd)))
		p->last_rw_status = STLINK_BAD_AP_ERROR;
	if (p->last_rw_status != STLINK_DEBUG_ERR_OK) {
		cmd_trace_rw(p);
		return;
	}
	for (off = 0; off < len && rc == SIM_SWD_OK; off += size) {
		uint32_t v = 0;

		for (unsigned k = 0; k < size; k++)
			v |= (uint32_t)p->wdata[off + k] << (8 * k);
		rc = probe_access_ap(p, cmd_ap(p, p->wcmd), true, cmd_tar(addr, off, inc), size, &v);
	}
	p->last_rw_status = probe_status(rc);
	if (rc != SIM_SWD_OK)
		p->last_rw_addr = cmd_tar(addr, off - size, inc);
	cmd_trace_rw(p);
}

static int cmd_rwstatus(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)c;
	r[0] = p->last_rw_status;
	return 2;
}

static int cmd_rwstatus2(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)c;
	r[0] = p->last_rw_status;
	if (p->last_rw_status != STLINK_DEBUG_ERR_OK)
		cmd_put32(r + 4, p->last_rw_addr);
	return 12;
}

/* ---- clocks, DAP, AP, trace ------------------------------------------ */

static int cmd_swd_freq(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	static const struct { unsigned khz, div; } table[] = { STLINK_V2_SWD_FREQ_TABLE };
	unsigned div = cmd_le16(c + 2);

	cmd_args(p, "div=%u", div, 0);
	r[0] = STLINK_DEBUG_ERR_FAULT;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].div == div) {
			p->swd_khz = table[i].khz;
			r[0] = STLINK_DEBUG_ERR_OK;
		}
	return 2;
}

static int cmd_jtag_freq(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	unsigned div = cmd_le16(c + 2);

	cmd_args(p, "div=%u", div, 0);
	r[0] = div ? STLINK_DEBUG_ERR_OK : STLINK_DEBUG_ERR_FAULT;
	if (div)
		p->jtag_khz = 36000U / div;
	return 2;
}

/* STLINK-V3 SWD clock list in kHz (GET_COM_FREQ on V3SET firmware). */
static const unsigned cmd_v3_swd_khz[] = { 24000, 8000, 3300, 1000, 200, 50, 5 };
#define CMD_V3_NFREQ (sizeof(cmd_v3_swd_khz) / sizeof(cmd_v3_swd_khz[0]))

static int cmd_get_com_freq(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	snprintf(p->t_args, sizeof(p->t_args), "%s", c[2] ? "jtag" : "swd");
	r[0] = STLINK_DEBUG_ERR_OK;
	r[8] = CMD_V3_NFREQ;
	for (size_t i = 0; i < CMD_V3_NFREQ; i++)
		cmd_put32(r + 12 + 4 * i, cmd_v3_swd_khz[i]);
	return 52;
}

static int cmd_set_com_freq(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	unsigned want = cmd_le32(c + 4), got = cmd_v3_swd_khz[CMD_V3_NFREQ - 1];

	cmd_args(p, "%u kHz", want, 0);
	/* the firmware picks the fastest clock not above the request */
	for (size_t i = 0; i < CMD_V3_NFREQ; i++)
		if (cmd_v3_swd_khz[i] <= want) {
			got = cmd_v3_swd_khz[i];
			break;
		}
	if (c[2] == 0)
		p->swd_khz = got;
	r[0] = STLINK_DEBUG_ERR_OK;
	cmd_put32(r + 4, got);
	return 8;
}

static int cmd_read_dap(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	unsigned port = cmd_le16(c + 2), addr = cmd_le16(c + 4);
	uint32_t v = 0;

	cmd_args(p, "port=0x%04X addr=0x%02X", port, addr);
	if (!p->dp_up) {
		r[0] = STLINK_SWD_DP_ERROR;
		return 8;
	}
	if (port == 0xFFFFU && addr == 0)
		v = p->dpidr;
	else if (port == 0 && addr == 0xFCU)
		v = AHB_AP_IDR;
	else if (port < 0x100U && addr == 0xFCU && probe_board(p))
		v = sim_board_ap_idr(probe_board(p), port);   /* the part's other APs (H7: 2, 3) */
	r[0] = STLINK_DEBUG_ERR_OK;
	cmd_put32(r + 4, v);
	return 8;
}

static int cmd_status_ok(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	cmd_args(p, "%u", c[2], 0);
	r[0] = STLINK_DEBUG_ERR_OK;
	return 2;
}

static int cmd_unmodelled(sim_probe *p, const uint8_t *c, uint8_t *r)
{
	(void)p, (void)c;
	r[0] = STLINK_DEBUG_ERR_FAULT;
	return 2;
}

static const cmd_def cmd_table[] = {
	{ STLINK_DEBUG_GETSTATUS, "GETSTATUS", 0, CMD_NONE, true, cmd_getstatus },
	{ STLINK_DEBUG_FORCEDEBUG, "FORCEDEBUG", 0, CMD_NONE, true, cmd_forcedebug },
	{ STLINK_DEBUG_READMEM_32BIT, "READMEM_32BIT", 0, 0, true, cmd_rm32 },
	{ STLINK_DEBUG_WRITEMEM_32BIT, "WRITEMEM_32BIT", 0, 0, true, cmd_wm },
	{ STLINK_DEBUG_RUNCORE, "RUNCORE", 0, CMD_NONE, true, cmd_runcore },
	{ STLINK_DEBUG_STEPCORE, "STEPCORE", 0, CMD_NONE, true, cmd_stepcore },
	{ STLINK_DEBUG_READMEM_8BIT, "READMEM_8BIT", 0, 0, true, cmd_rm8 },
	{ STLINK_DEBUG_WRITEMEM_8BIT, "WRITEMEM_8BIT", 0, 0, true, cmd_wm },
	{ STLINK_DEBUG_EXIT, "DEBUG_EXIT", 0, 0, false, cmd_exit },
	{ STLINK_DEBUG_READCOREID, "READCOREID", 0, CMD_NONE, true, cmd_coreid },
	{ STLINK_DEBUG_APIV2_ENTER, "APIV2_ENTER", 0, 0, false, cmd_enter },
	{ STLINK_DEBUG_APIV2_READ_IDCODES, "READ_IDCODES", 0, 0, true, cmd_idcodes },
	{ STLINK_DEBUG_APIV2_RESETSYS, "RESETSYS", 0, 0, true, cmd_resetsys },
	{ STLINK_DEBUG_APIV2_READREG, "READREG", 0, 0, true, cmd_readreg },
	{ STLINK_DEBUG_APIV2_WRITEREG, "WRITEREG", 0, 0, true, cmd_writereg },
	{ STLINK_DEBUG_APIV2_WRITEDEBUGREG, "WRITEDEBUGREG", 0, 0, true, cmd_wdbg },
	{ STLINK_DEBUG_APIV2_READDEBUGREG, "READDEBUGREG", 0, 0, true, cmd_rdbg },
	{ STLINK_DEBUG_APIV2_READALLREGS, "READALLREGS", 0, 0, true, cmd_readall },
	{ STLINK_DEBUG_APIV2_GETLASTRWSTATUS, "GETLASTRWSTATUS", 0, 0, false, cmd_rwstatus },
	{ STLINK_DEBUG_APIV2_DRIVE_NRST, "DRIVE_NRST", 0, 0, false, cmd_nrst },
	{ STLINK_DEBUG_APIV2_GETLASTRWSTATUS2, "GETLASTRWSTATUS2", STLINK_V2_MIN_J_RWSTATUS2, 0, false, cmd_rwstatus2 },
	{ STLINK_DEBUG_APIV2_START_TRACE_RX, "START_TRACE_RX", STLINK_V2_MIN_J_VOLTAGE, 0, true, cmd_status_ok },
	{ STLINK_DEBUG_APIV2_STOP_TRACE_RX, "STOP_TRACE_RX", STLINK_V2_MIN_J_VOLTAGE, 0, true, cmd_status_ok },
	{ STLINK_DEBUG_APIV2_GET_TRACE_NB, "GET_TRACE_NB", STLINK_V2_MIN_J_VOLTAGE, 0, true, cmd_status_ok },
	{ STLINK_DEBUG_APIV2_SWD_SET_FREQ, "SWD_SET_FREQ", STLINK_V2_MIN_J_SWD_FREQ, CMD_NONE, false, cmd_swd_freq },
	{ STLINK_DEBUG_APIV2_JTAG_SET_FREQ, "JTAG_SET_FREQ", STLINK_V2_MIN_J_DAP_REG, CMD_NONE, false, cmd_jtag_freq },
	{ STLINK_DEBUG_APIV2_READ_DAP_REG, "READ_DAP_REG", STLINK_V2_MIN_J_DAP_REG, 0, true, cmd_read_dap },
	{ STLINK_DEBUG_APIV2_WRITE_DAP_REG, "WRITE_DAP_REG", STLINK_V2_MIN_J_DAP_REG, 0, true, cmd_status_ok },
	{ STLINK_DEBUG_APIV2_READMEM_16BIT, "READMEM_16BIT", STLINK_V2_MIN_J_MEM16, 0, true, cmd_rm16 },
	{ STLINK_DEBUG_APIV2_WRITEMEM_16BIT, "WRITEMEM_16BIT", STLINK_V2_MIN_J_MEM16, 0, true, cmd_wm },
	{ STLINK_DEBUG_APIV2_INIT_AP, "INIT_AP", STLINK_V2_MIN_J_INIT_AP, 0, true, cmd_init_ap },
	{ STLINK_DEBUG_APIV2_CLOSE_AP_DBG, "CLOSE_AP_DBG", STLINK_V2_MIN_J_INIT_AP, 0, true, cmd_init_ap },
	{ STLINK_DEBUG_WRITEMEM_32BIT_NO_ADDR_INC, "WRITEMEM_32BIT_NO_INC", STLINK_V2_MIN_J_MEM16, 0, true, cmd_wm },
	{ STLINK_DEBUG_APIV2_RW_MISC_OUT, "RW_MISC_OUT", STLINK_V2_MIN_J_CSW, 2, true, cmd_unmodelled },
	{ STLINK_DEBUG_APIV2_RW_MISC_IN, "RW_MISC_IN", STLINK_V2_MIN_J_CSW, 2, true, cmd_unmodelled },
	{ STLINK_DEBUG_READMEM_32BIT_NO_ADDR_INC, "READMEM_32BIT_NO_INC", STLINK_V2_MIN_J_CSW, 2, true, cmd_rm32_noinc },
	{ STLINK_DEBUG_APIV3_SET_COM_FREQ, "SET_COM_FREQ", CMD_NONE, 0, false, cmd_set_com_freq },
	{ STLINK_DEBUG_APIV3_GET_COM_FREQ, "GET_COM_FREQ", CMD_NONE, 0, false, cmd_get_com_freq },
};

static const cmd_def *cmd_find(uint8_t sub)
{
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (cmd_table[i].sub == sub)
			return &cmd_table[i];
	return NULL;
}

static bool cmd_supported(const sim_probe *p, const cmd_def *d)
{
	uint8_t min = p->cfg->model == SIM_MODEL_V3 ? d->min_j_v3 : d->min_j_v2;

	return min != CMD_NONE && p->cfg->fw.j >= min;
}

/* Queue the reply and trace the command; status < 0: the reply has no status byte. */
static void cmd_reply_st(sim_probe *p, int len, int status)
{
	char st[32];

	p->reply_ready = len != CMD_NO_REPLY;
	if (len == CMD_NO_REPLY) {
		/* a write's line waits for its data phase, which decides the status */
		if (p->wneed == p->whave)
			probe_trace(p, "-");
		return;
	}
	p->reply_len = (size_t)len;
	if (status < 0)
		snprintf(st, sizeof(st), "len=%d", len);
	else
		snprintf(st, sizeof(st), "0x%02X len=%d", (unsigned)status, len);
	probe_trace(p, st);
}

static void cmd_reply(sim_probe *p, int len)
{
	cmd_reply_st(p, len, p->reply[0]);
}

static void cmd_reject(sim_probe *p, const char *name)
{
	p->t_name = name;
	memset(p->reply, 0, 2);
	p->reply[0] = STLINK_DEBUG_ERR_FAULT;
	cmd_reply(p, 2);
}

static bool cmd_is_read(const cmd_def *d)
{
	return d->fn == cmd_rm32 || d->fn == cmd_rm16 || d->fn == cmd_rm8 || d->fn == cmd_rm32_noinc;
}

/* Commands that change the target (what the virtual operator counts as work on the board). */
static bool cmd_works_target(const cmd_def *d)
{
	return d->fn == cmd_wm || d->fn == cmd_wdbg || d->fn == cmd_writereg || d->fn == cmd_nrst ||
	       d->fn == cmd_resetsys || d->fn == cmd_forcedebug || d->fn == cmd_runcore ||
	       d->fn == cmd_stepcore;
}

static void cmd_debug(sim_probe *p, const uint8_t *c)
{
	const cmd_def *d = cmd_find(c[1]);
	int len;

	bool refused = !d || !cmd_supported(p, d) ||
		       (d->needs_debug && p->mode != STLINK_MODE_DEBUG);

	if (refused && d && d->fn == cmd_wm) {
		/* the host still sends the data phase: swallow it, fail the status */
		cmd_writemem(p, c);
		p->wcmd[0] = 0;
	}
	if (!d || !cmd_supported(p, d)) {
		cmd_reject(p, d ? d->name : "DEBUG_UNKNOWN");
		return;
	}
	p->t_name = d->name;
	memset(p->reply, 0, PROBE_REPLY_MAX);
	if (!refused && cmd_works_target(d))
		probe_work(p);
	if (refused) {
		/* not in debug mode: nothing reaches the target */
		p->reply[0] = STLINK_DEBUG_ERR_FAULT;
		len = d->fn == cmd_wm ? CMD_NO_REPLY : 2;
	} else {
		len = d->fn(p, c, p->reply);
	}
	if (cmd_is_read(d))
		cmd_reply_st(p, len, refused ? STLINK_DEBUG_ERR_FAULT : p->last_rw_status);
	else
		cmd_reply(p, len);
}

/* ---- top level --------------------------------------------------------- */

static void cmd_version(sim_probe *p)
{
	const sim_fw_version *fw = &p->cfg->fw;
	uint16_t pid = sim_probe_pid(p);
	unsigned low = p->cfg->model == SIM_MODEL_V2_1 ? fw->m : fw->s;
	uint16_t v = p->cfg->model == SIM_MODEL_V3 ? (uint16_t)(3U << 12) :
		     (uint16_t)(fw->v << 12 | fw->j << 6 | low);

	p->t_name = "GET_VERSION";
	p->reply[0] = (uint8_t)(v >> 8), p->reply[1] = (uint8_t)v;   /* big-endian */
	p->reply[2] = (uint8_t)STLINK_VID, p->reply[3] = (uint8_t)(STLINK_VID >> 8);
	p->reply[4] = (uint8_t)pid, p->reply[5] = (uint8_t)(pid >> 8);
	cmd_reply_st(p, 6, -1);
}

static void cmd_version_ex(sim_probe *p)
{
	const sim_fw_version *fw = &p->cfg->fw;
	uint16_t pid = sim_probe_pid(p);

	if (p->cfg->model != SIM_MODEL_V3) {
		cmd_reject(p, "GET_VERSION_EX");
		return;
	}
	p->t_name = "GET_VERSION_EX";
	memset(p->reply, 0, 12);
	p->reply[0] = 3, p->reply[1] = (uint8_t)fw->s, p->reply[2] = (uint8_t)fw->j;
	p->reply[3] = (uint8_t)fw->m, p->reply[4] = (uint8_t)fw->b;
	p->reply[8] = (uint8_t)STLINK_VID, p->reply[9] = (uint8_t)(STLINK_VID >> 8);
	p->reply[10] = (uint8_t)pid, p->reply[11] = (uint8_t)(pid >> 8);
	cmd_reply_st(p, 12, -1);
}

static void cmd_voltage(sim_probe *p)
{
	/* r0: the 1.2 V reference reading; V = 2 x 1.2 V x r1 / r0, as OpenOCD and st-info compute it. */
	const uint32_t r0 = 1600;
	sim_board *b;
	unsigned mv;

	if (p->cfg->model != SIM_MODEL_V3 && p->cfg->fw.j < STLINK_V2_MIN_J_VOLTAGE) {
		cmd_reject(p, "GET_TARGET_VOLTAGE");
		return;
	}
	p->t_name = "GET_TARGET_VOLTAGE";
	b = probe_board(p);
	if (b)
		sim_board_advance(b, p->clock.now_ns);
	mv = b ? sim_board_voltage_mv(b) : 0;
	cmd_put32(p->reply, r0);
	cmd_put32(p->reply + 4, (uint32_t)((uint64_t)mv * r0 / 2400U));
	snprintf(p->t_args, sizeof(p->t_args), "(%u mV)", mv);
	cmd_reply_st(p, 8, -1);
}

static void cmd_mode(sim_probe *p)
{
	p->t_name = "GET_CURRENT_MODE";
	p->reply[0] = p->mode, p->reply[1] = 0;
	snprintf(p->t_args, sizeof(p->t_args), "(mode %u)", p->mode);
	cmd_reply_st(p, 2, -1);
}

static void cmd_dfu(sim_probe *p, const uint8_t *c)
{
	if (c[1] != STLINK_DFU_EXIT) {
		cmd_reject(p, "DFU_COMMAND");
		return;
	}
	p->t_name = "DFU_EXIT";
	if (p->mode == STLINK_MODE_DFU)
		p->mode = STLINK_MODE_MASS;
	cmd_reply(p, CMD_NO_REPLY);
}

void probe_cmd_execute(sim_probe *p, const uint8_t *cmd)
{
	p->reply_ready = false;   /* an unread reply is dropped by the next command */
	switch (cmd[0]) {
	case STLINK_GET_VERSION:
		cmd_version(p);
		break;
	case STLINK_APIV3_GET_VERSION_EX:
		cmd_version_ex(p);
		break;
	case STLINK_GET_CURRENT_MODE:
		cmd_mode(p);
		break;
	case STLINK_GET_TARGET_VOLTAGE:
		cmd_voltage(p);
		break;
	case STLINK_DFU_COMMAND:
		cmd_dfu(p, cmd);
		break;
	case STLINK_DEBUG_COMMAND:
		cmd_debug(p, cmd);
		break;
	default:
		cmd_reject(p, "UNKNOWN");
		break;
	}
}
