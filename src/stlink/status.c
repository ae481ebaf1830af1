/*
 * status.c — the ST-Link status byte: every reply that carries one is
 * judged here, WAIT answers are retried with a bounded exponential
 * back-off, and everything else becomes one gang_err with the byte, the
 * command and the target address in the slot's diag.
 * Depends on: usb (transactions), core/err.
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use
 * it (framing: write data has no reply, its status comes from
 * GETLASTRWSTATUS(2); status codes; OpenOCD's retry of 0x10/0x14).
 */
#include "stlink/stlink_internal.h"

#include <time.h>

void gang_stlink_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void gang_stlink_put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t gang_stlink_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/* Faults of an access the DP did acknowledge: the AHB-AP or the bus refused. */
static bool status_is_fault(uint8_t s)
{
	switch (s) {
	case STLINK_DEBUG_ERR_FAULT:
	case STLINK_JTAG_WRITE_ERROR:
	case STLINK_SWD_AP_FAULT:
	case STLINK_SWD_AP_ERROR:
	case STLINK_SWD_AP_PARITY_ERROR:
	case STLINK_SWD_DP_FAULT:
	case STLINK_SWD_DP_PARITY_ERROR:
	case STLINK_SWD_AP_WDATA_ERROR:
	case STLINK_SWD_AP_STICKY_ERROR:
	case STLINK_SWD_AP_STICKYORUN_ERROR:
	case STLINK_BAD_AP_ERROR:
		return true;
	default:
		return false;
	}
}

int gang_stlink_status_map(uint8_t status, gang_stlink_ctx ctx, const char *what,
			   uint32_t addr, gang_diag *d)
{
	/* 0x0D (write verify error) is treated as success, as OpenOCD does. */
	if (status == STLINK_DEBUG_ERR_OK || status == STLINK_JTAG_WRITE_VERIF_ERROR)
		return GANG_OK;
	if (status == STLINK_SWD_AP_WAIT || status == STLINK_SWD_DP_WAIT)
		return GANG_STLINK_RETRY;
	if (status == STLINK_SWD_DP_ERROR ||
	    (status == STLINK_JTAG_GET_IDCODE_ERROR && ctx == GANG_STLINK_CTX_CONNECT))
		return ctx == GANG_STLINK_CTX_CONNECT
			? gang_diag_set(d, GANG_ETARGET_NOSWD,
					"%s: status 0x%02X — the debug port does not answer", what,
					(unsigned)status)
			: gang_diag_set(d, GANG_ETARGET_NOSWD,
					"%s at 0x%08X: status 0x%02X — the debug port does not answer",
					what, (unsigned)addr, (unsigned)status);
	if (status_is_fault(status))
		return gang_diag_set(d, GANG_ETARGET_FAULT, "%s at 0x%08X: SWD fault, status 0x%02X",
				     what, (unsigned)addr, (unsigned)status);
	return gang_diag_set(d, GANG_EPROBE_PROTOCOL, "%s at 0x%08X: unexpected status byte 0x%02X",
			     what, (unsigned)addr, (unsigned)status);
}

unsigned gang_stlink_backoff_us(unsigned first_us, unsigned attempt)
{
	/* Capped shift: the budget is small, but never let a shift overflow. */
	return attempt >= 16U ? first_us << 16U : first_us << attempt;
}

static void status_sleep_us(unsigned us)
{
	struct timespec ts = { .tv_sec = us / 1000000U, .tv_nsec = (long)(us % 1000000U) * 1000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static int status_wait_storm(gang_stlink *sl, const char *what, uint32_t addr)
{
	return gang_diag_set(sl->d, GANG_ETARGET_FAULT,
			     "%s at 0x%08X: SWD WAIT storm (still WAIT after %u tries)", what,
			     (unsigned)addr, GANG_STLINK_WAIT_TRIES);
}

int gang_stlink_raw(gang_stlink *sl, const uint8_t *cmd, const uint8_t *out, size_t out_len,
		    uint8_t *in, size_t in_len)
{
	return gang_usb_xfer(sl->usb, cmd, STLINK_CMD_LEN, out, out_len, in, in_len,
			     GANG_STLINK_TIMEOUT_MS, sl->d);
}

int gang_stlink_cmd(gang_stlink *sl, const uint8_t *cmd, uint8_t *in, size_t in_len,
		    gang_stlink_ctx ctx, const char *what, uint32_t addr)
{
	for (unsigned attempt = 0; attempt < GANG_STLINK_WAIT_TRIES; attempt++) {
		int r = gang_stlink_raw(sl, cmd, NULL, 0, in, in_len);

		if (r < 0)
			return r;
		r = gang_stlink_status_map(in[0], ctx, what, addr, sl->d);
		if (r != GANG_STLINK_RETRY)
			return r;
		if (attempt + 1U < GANG_STLINK_WAIT_TRIES)
			status_sleep_us(gang_stlink_backoff_us(GANG_STLINK_WAIT_FIRST_US, attempt));
	}
	return status_wait_storm(sl, what, addr);
}

/* GETLASTRWSTATUS2 (J15+, V3) or GETLASTRWSTATUS: status of the last mem command. */
static int status_last_rw(uint8_t *status_out, gang_stlink *sl)
{
	uint8_t cmd[STLINK_CMD_LEN] = { STLINK_DEBUG_COMMAND };
	uint8_t in[GANG_STLINK_REPLY_STATUS2] = { 0 };
	size_t in_len = GANG_STLINK_REPLY_STATUS;
	int r;

	cmd[1] = STLINK_DEBUG_APIV2_GETLASTRWSTATUS;
	if (sl->feat.rwstatus2) {
		cmd[1] = STLINK_DEBUG_APIV2_GETLASTRWSTATUS2;
		in_len = GANG_STLINK_REPLY_STATUS2;
	}
	r = gang_stlink_raw(sl, cmd, NULL, 0, in, in_len);
	*status_out = in[0];
	return r;
}

int gang_stlink_mem_cmd(gang_stlink *sl, const uint8_t *cmd, const uint8_t *out, size_t out_len,
			uint8_t *in, size_t in_len, const char *what, uint32_t addr)
{
	for (unsigned attempt = 0; attempt < GANG_STLINK_WAIT_TRIES; attempt++) {
		uint8_t status = 0;
		int r = gang_stlink_raw(sl, cmd, out, out_len, in, in_len);

		if (r == GANG_OK)
			r = status_last_rw(&status, sl);
		if (r < 0)
			return r;
		r = gang_stlink_status_map(status, GANG_STLINK_CTX_ACCESS, what, addr, sl->d);
		if (r != GANG_STLINK_RETRY)
			return r;
		if (attempt + 1U < GANG_STLINK_WAIT_TRIES)
			status_sleep_us(gang_stlink_backoff_us(GANG_STLINK_WAIT_FIRST_US, attempt));
	}
	return status_wait_storm(sl, what, addr);
}
