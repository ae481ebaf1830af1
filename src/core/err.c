/*
 * err.c — operator sentences, classes and exit codes for gang_err.
 * Sentences are for the person at the fixture: what happened and what to do.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct err_row {
	int code;
	const char *cls;
	int exit_code;
	const char *sentence;
} err_row;

/*
 * Exit codes: 0 ok, 1 boards failed, 2 usage/profile/image, 3 probe/USB, 4 database, 5 internal,
 * 6 an output file cannot be written (the input was fine: retrying elsewhere helps).
 */
static const err_row err_table[] = {
	{ GANG_OK, "ok", 0, "ok" },
	{ GANG_ERR, "internal", 5, "internal error in gang — please report it with the log" },
	{ GANG_ENOMEM, "internal", 5, "out of memory" },
	{ GANG_EUSAGE, "usage", 2, "invalid command line" },
	{ GANG_EFILE, "file", 2, "a file could not be read or written" },
	{ GANG_EIMAGE, "image", 2, "the firmware image is invalid or does not fit this part" },
	{ GANG_EPROFILE, "profile", 2, "the production profile is invalid" },
	{ GANG_ECONFIG, "config", 2, "the gang configuration (gang.conf) is invalid or incomplete" },
	{ GANG_EOUTPUT, "output", 6,
	  "the output file could not be written — check its directory, permissions and free space" },
	{ GANG_EPROBE_NONE, "probe", 3, "no ST-Link found — check the USB cable" },
	{ GANG_EPROBE_BUSY, "probe", 3, "the ST-Link is in use by another program — close it and retry" },
	{ GANG_EPROBE_ACCESS, "probe", 3,
	  "no permission to open the ST-Link — install tools/udev/49-gang-stlink.rules and replug" },
	{ GANG_EPROBE_GONE, "probe", 3, "the ST-Link was unplugged — reconnect it" },
	{ GANG_EPROBE_TIMEOUT, "probe", 3, "the ST-Link stopped answering (USB timeout) — replug it" },
	{ GANG_EPROBE_FIRMWARE, "probe", 3, "the ST-Link firmware is too old — update it with ST's upgrade tool" },
	{ GANG_EPROBE_PROTOCOL, "probe", 3, "the ST-Link gave an unexpected answer — replug it" },
	{ GANG_EPROBE_FLAKY, "probe", 3,
	  "the ST-Link keeps losing contact in the middle of a board — check its USB cable and hub" },
	{ GANG_ENO_BOARD, "no-board", 1, "no board in the fixture, or the board has no power" },
	{ GANG_ETARGET_NOSWD, "target", 1,
	  "the chip does not answer on SWD — its firmware may disable SWD; connect under reset" },
	{ GANG_ETARGET_NOHALT, "target", 1, "the chip answers but cannot be halted — connect under reset" },
	{ GANG_ENRST_UNWIRED, "target", 1,
	  "connect under reset is impossible: NRST is not wired on this fixture" },
	{ GANG_ETARGET_FAULT, "target", 1, "SWD communication with the chip failed — check the fixture contacts" },
	{ GANG_EWRONG_PART, "wrong-part", 1, "wrong chip on this board — set the board aside" },
	{ GANG_EREAD_PROTECTED, "read-protected", 1, "the chip is read-protected (RDP level 1)" },
	{ GANG_EWRITE_PROTECTED, "write-protected", 1, "flash is write-protected on this chip" },
	{ GANG_EFLASH, "flash", 1, "flash programming failed — set board aside" },
	{ GANG_EVERIFY, "verify", 1, "verify failed — set board aside" },
	{ GANG_ELOCKED_FOREVER, "refused", 2,
	  "refused: this would change the chip permanently (confirm explicitly to proceed)" },
	{ GANG_EUID_BLANK, "uid", 1,
	  "the chip's unique ID is blank — not a genuine or an intact STM32; set it aside" },
	{ GANG_EUID_TWICE, "uid", 1,
	  "another slot holds a chip with the same unique ID — not genuine STM32s; set it aside" },
	{ GANG_ETZ_SECURE, "trustzone", 1,
	  "TrustZone keeps this flash secure and no debugger may touch it at RDP level 0.5 — set the board aside and ask the engineer" },
	{ GANG_ESERIAL_EXHAUSTED, "serial", 1, "the serial-number pool is exhausted — stop and ask the engineer" },
	{ GANG_EDB, "database", 4, "the traceability database cannot be used" },
	{ GANG_ECANCELLED, "aborted", 1, "aborted" },
	{ GANG_ENOTSUP, "unsupported", 2, "this operation is not supported on this part" },
	{ GANG_EUNRECORDED, "record", 1,
	  "programmed and verified, but the pass could not be recorded — set the board aside and tell the engineer" },
	{ GANG_ESERIAL_TAKEN, "serial", 1,
	  "this serial number is already on another board of the same pool — stop and ask the engineer" },
	{ GANG_ESTEP, "step", 1, "a step of the profile failed — set board aside" },
	{ GANG_EPOOL_DRY, "data", 1,
	  "a data pool (MAC addresses or an imported list) has no value left — stop and ask the engineer" },
	{ GANG_ESCAN_TAKEN, "scan", 1,
	  "this label is already bound to another board — set the board aside and tell the engineer" },
	{ GANG_ELEASE_OFFLINE, "serial", 1,
	  "the central database is unreachable and this station's serial lease is used up" },
	{ GANG_EOFFLINE_DATA, "data", 1,
	  "the central database is unreachable and this board's data values or scanned label can only come from it" },
	{ GANG_ESERIAL_VOIDED, "serial", 1,
	  "the board's serial or one of its data values was voided while it was programmed — program the board again" },
};

static const err_row *err_find(int code)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == code)
			return &err_table[i];
	return &err_table[1];
}

const char *gang_strerror(int err)
{
	return err_find(err)->sentence;
}

const char *gang_err_class(int err)
{
	return err_find(err)->cls;
}

int gang_err_exit_code(int err)
{
	return err_find(err)->exit_code;
}

int gang_diag_set(gang_diag *d, int code, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return code;
	d->code = code;
	d->has_addr = false;
	d->addr = 0;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return code;
}

int gang_diag_set_at(gang_diag *d, int code, uint32_t addr, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return code;
	d->code = code;
	d->has_addr = true;
	d->addr = addr;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return code;
}

void gang_diag_clear(gang_diag *d)
{
	if (!d)
		return;
	d->code = GANG_OK;
	d->msg[0] = '\0';
	d->has_addr = false;
	d->addr = 0;
}
