/*
 * err.h — the one error enum of gang, its operator sentences, and the
 * per-slot diagnostic buffer that carries the engineer's detail.
 *
 * Every fallible function returns int: GANG_OK (0) or a negative gang_err.
 * The first place that detects a failure fills the slot's gang_diag with the
 * register values / status bytes; callers only propagate the code.
 * When adding a code: update the table in err.c (sentence, class, exit code).
 */
#ifndef GANG_CORE_ERR_H
#define GANG_CORE_ERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum gang_err {
	GANG_OK = 0,
	GANG_ERR = -1,               /* internal error (a bug) */
	GANG_ENOMEM = -2,
	GANG_EUSAGE = -3,            /* bad command line */
	GANG_EFILE = -4,             /* a file cannot be read or written */
	GANG_EIMAGE = -5,            /* firmware image malformed / does not fit */
	GANG_EPROFILE = -6,          /* production profile invalid */
	GANG_ECONFIG = -7,           /* gang.conf invalid, or no default path can be made */
	GANG_EOUTPUT = -8,           /* an output file (read-out, report, log) cannot be written */
	/* probe and USB */
	GANG_EPROBE_NONE = -10,      /* no ST-Link (matching the selector) attached */
	GANG_EPROBE_BUSY = -11,      /* claimed by another process */
	GANG_EPROBE_ACCESS = -12,    /* permission denied (udev rules) */
	GANG_EPROBE_GONE = -13,      /* unplugged mid-operation */
	GANG_EPROBE_TIMEOUT = -14,   /* USB transfer timed out */
	GANG_EPROBE_FIRMWARE = -15,  /* probe firmware too old for a needed feature */
	GANG_EPROBE_PROTOCOL = -16,  /* malformed or unexpected reply */
	GANG_EPROBE_FLAKY = -17,     /* attempts keep being cut off by lost probe commands */
	/* target */
	GANG_ENO_BOARD = -20,        /* no target voltage: no board or no power */
	GANG_ETARGET_NOSWD = -21,    /* debug port does not answer */
	GANG_ETARGET_NOHALT = -22,   /* core cannot be halted */
	GANG_ENRST_UNWIRED = -23,    /* under-reset needed but NRST not wired */
	GANG_ETARGET_FAULT = -24,    /* SWD fault / WAIT storm on an access */
	GANG_EWRONG_PART = -25,      /* part differs from the one asked for */
	GANG_EREAD_PROTECTED = -26,  /* RDP level 1 */
	GANG_EWRITE_PROTECTED = -27, /* WRP page or WRPRTERR */
	GANG_EFLASH = -28,           /* PGERR / erase failure / loader failure */
	GANG_EVERIFY = -29,          /* verify mismatch */
	GANG_ELOCKED_FOREVER = -30,  /* operation would lock the part permanently */
	GANG_EUID_BLANK = -31,       /* 96-bit unique ID all 0s or all 1s */
	GANG_EUID_TWICE = -32,       /* the same unique ID sits in another slot right now */
	GANG_ETZ_SECURE = -33,       /* L5/U5 TrustZone: secure flash a debugger cannot reach (RDP 0.5) */
	/* production */
	GANG_ESERIAL_EXHAUSTED = -40,
	GANG_EDB = -41,
	GANG_ECANCELLED = -42,
	GANG_ENOTSUP = -43,          /* the part or family does not support this */
	GANG_EUNRECORDED = -44,      /* verified, but the database refused to record the pass */
	GANG_ESERIAL_VOIDED = -45,   /* the board's serial or a data value was voided while it was programmed */
	GANG_ESERIAL_TAKEN = -46,    /* the serial text is already another board's in its pool */
	GANG_ESTEP = -47,            /* a step of the profile's own failed (command, memory check) */
	GANG_EPOOL_DRY = -48,        /* a data pool (MAC range, imported list) has no value left */
	GANG_ESCAN_TAKEN = -49,      /* the scanned label is already bound to another board */
	GANG_ELEASE_OFFLINE = -50,   /* the central database is out of reach and the station's lease is used up */
	GANG_EOFFLINE_DATA = -51,    /* out of reach, and a data pool or a label scan has no lease to go on with */
} gang_err;

/* The operator's sentence for an error code (never NULL). */
const char *gang_strerror(int err);
/* Short stable class name stored in the database ("probe", "no-board", ...). */
const char *gang_err_class(int err);
/* Documented process exit status for a failure of this code (0 for GANG_OK). */
int gang_err_exit_code(int err);

#define GANG_DIAG_LEN 512

/*
 * Per-slot diagnostic: the first failure's code and the engineer's detail
 * ("FLASH_SR=0x14 at 0x08012344"), plus the failing target address when
 * there is one, so the operator's sentence can name it without parsing
 * the detail (main flash, option bytes, a second bank alike). Owned by one
 * thread; never global.
 */
typedef struct gang_diag {
	int code;
	char msg[GANG_DIAG_LEN];
	uint32_t addr;               /* the failing address, when has_addr */
	bool has_addr;
} gang_diag;

/* Record code and detail (printf format) in d (may be NULL), with no address; returns code. */
int gang_diag_set(gang_diag *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, recording the failing target address addr too. */
int gang_diag_set_at(gang_diag *d, int code, uint32_t addr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Clear d. */
void gang_diag_clear(gang_diag *d);

#endif
