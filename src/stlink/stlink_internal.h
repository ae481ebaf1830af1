/*
 * stlink_internal.h — what stlink.c, stlink_mem.c and status.c share: the
 * session struct, the feature set derived from the firmware version, the
 * status-byte check with bounded WAIT retry, and the pure helpers
 * (version decoding, status mapping, chunk planning) the unit tests call
 * without a probe.
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use
 * it (version, features, status codes, transfer limits).
 */
#ifndef GANG_STLINK_STLINK_INTERNAL_H
#define GANG_STLINK_STLINK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "stlink/stlink.h"
#include "stlink/stlink_cmd.h"
#include "usb/usb.h"

/* Per-transfer USB timeout (stlink uses 3000 ms). */
#define GANG_STLINK_TIMEOUT_MS     3000U
/* WAIT retry budget: 8 tries, 100 µs doubling (OpenOCD retries 8 times). */
#define GANG_STLINK_WAIT_TRIES     8U
#define GANG_STLINK_WAIT_FIRST_US  100U
/* Reply lengths. */
#define GANG_STLINK_REPLY_VERSION    6U
#define GANG_STLINK_REPLY_VERSION_EX 12U
#define GANG_STLINK_REPLY_MODE       2U
#define GANG_STLINK_REPLY_VOLTAGE    8U
#define GANG_STLINK_REPLY_STATUS     2U
#define GANG_STLINK_REPLY_STATUS2    12U
#define GANG_STLINK_REPLY_IDCODES    12U
#define GANG_STLINK_REPLY_VALUE      8U
#define GANG_STLINK_REPLY_COM_FREQ   52U
#define GANG_STLINK_COM_FREQ_MAX     10U
/* ADC reference of GET_TARGET_VOLTAGE: mV = 2400 * r1 / r0. */
#define GANG_STLINK_VOLTAGE_REF_MV 2400U

/* Features the firmware version enables. */
typedef struct gang_stlink_features {
	bool voltage;      /* GET_TARGET_VOLTAGE */
	bool rwstatus2;    /* GETLASTRWSTATUS2 instead of GETLASTRWSTATUS */
	bool swd_freq;     /* V2 SWD_SET_FREQ */
	bool com_freq;     /* V3 GET/SET_COM_FREQ */
	bool mem16;        /* READ/WRITEMEM_16BIT */
	bool init_ap;      /* INIT_AP after ENTER */
	size_t max_rw8;    /* READ/WRITEMEM_8BIT limit */
} gang_stlink_features;

struct gang_stlink {
	gang_usb_handle *usb;
	gang_diag *d;
	gang_stlink_version ver;
	gang_stlink_features feat;
	bool in_debug;       /* we entered SWD and owe the probe a DEBUG_EXIT */
};

/* How a status byte is judged: 0x09 means "no DP" only on connect commands. */
typedef enum gang_stlink_ctx {
	GANG_STLINK_CTX_ACCESS = 0,  /* memory / register / misc command */
	GANG_STLINK_CTX_CONNECT,     /* APIV2_ENTER, READ_IDCODES */
} gang_stlink_ctx;

/* Status mapping result besides GANG_OK and negative gang_err. */
#define GANG_STLINK_RETRY 1

/* ---- pure helpers (tests/stlink/test_pure.c) ---- */

/*
 * Decode GET_VERSION (6 bytes) and, on V3, GET_VERSION_EX (12 bytes, NULL
 * otherwise). PIDs of V2-1 report MSD in the low six bits, not SWIM.
 */
void gang_stlink_version_decode(gang_stlink_version *out, const uint8_t *v6,
				const uint8_t *ex12);
/* True when GET_VERSION says V3 and GET_VERSION_EX must be asked. */
bool gang_stlink_version_needs_ex(const uint8_t *v6);
/* Feature set of a decoded version. */
void gang_stlink_features_of(gang_stlink_features *out, const gang_stlink_version *v);
/* GANG_EPROBE_FIRMWARE if the probe only speaks API v1 (V2 J < 11). */
int gang_stlink_check_api(const gang_stlink_version *v, gang_diag *d);

/*
 * Judge one status byte: GANG_OK, GANG_STLINK_RETRY (WAIT), or a negative
 * gang_err with the byte, the command name and addr in d.
 */
int gang_stlink_status_map(uint8_t status, gang_stlink_ctx ctx, const char *what,
			   uint32_t addr, gang_diag *d);
/* Back-off before retry number attempt (0-based): first_us << attempt. */
unsigned gang_stlink_backoff_us(unsigned first_us, unsigned attempt);

/* Kinds of memory command the planner picks. */
typedef enum gang_stlink_access {
	GANG_STLINK_ACCESS_8 = 1,
	GANG_STLINK_ACCESS_32 = 4,
} gang_stlink_access;

/*
 * Next piece of a bulk transfer at addr with len bytes left: 8-bit for an
 * unaligned head or a tail shorter than a word (at most max_rw8 bytes),
 * 32-bit for the aligned middle in pieces of at most STLINK_MAX_RW32 bytes
 * that never cross a STLINK_TAR_BLOCK_M3 boundary. Returns the piece size.
 */
size_t gang_stlink_plan(gang_stlink_access *kind_out, uint32_t addr, size_t len,
			size_t max_rw8);

/* V2 SWD_SET_FREQ: divisor of the fastest table entry at or below khz. */
unsigned gang_stlink_v2_swd_divisor(unsigned *actual_khz_out, unsigned khz);
/* Fastest of list[0..n) at or below khz (the slowest if none is); 0 if n == 0. */
unsigned gang_stlink_pick_khz(const uint32_t *list, size_t n, unsigned khz);
/* Millivolts from the two ADC readings; GANG_EPROBE_PROTOCOL if r0 == 0. */
int gang_stlink_voltage_mv(unsigned *mv_out, uint32_t r0, uint32_t r1, gang_diag *d);

/* ---- transactions (need a session) ---- */

/* Raw transaction with the session's timeout; no status check. */
int gang_stlink_raw(gang_stlink *sl, const uint8_t *cmd, const uint8_t *out, size_t out_len,
		    uint8_t *in, size_t in_len);
/* Transaction whose reply starts with a status byte; WAIT retried within budget. */
int gang_stlink_cmd(gang_stlink *sl, const uint8_t *cmd, uint8_t *in, size_t in_len,
		    gang_stlink_ctx ctx, const char *what, uint32_t addr);
/*
 * Memory command (cmd + optional data out / data in) followed by
 * GETLASTRWSTATUS(2); the pair is repeated on WAIT within the budget.
 */
int gang_stlink_mem_cmd(gang_stlink *sl, const uint8_t *cmd, const uint8_t *out, size_t out_len,
			uint8_t *in, size_t in_len, const char *what, uint32_t addr);

/* Little-endian helpers for command building and reply parsing. */
void gang_stlink_put_le16(uint8_t *p, uint16_t v);
void gang_stlink_put_le32(uint8_t *p, uint32_t v);
uint32_t gang_stlink_get_le32(const uint8_t *p);
/* GANG_ERR naming what and addr unless addr is a multiple of align (a power of two). */
int gang_stlink_check_align(gang_stlink *sl, uint32_t addr, uint32_t align, const char *what);

#endif
