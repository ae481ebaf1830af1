/*
 * target.h — one STM32 on the far side of an ST-Link: connect (normal,
 * under reset, hot-plug, auto with fallback), identify (DPIDR, CPUID,
 * DBGMCU_IDCODE, flash size, 96-bit UID; refuse a part other than the one
 * asked for), keep the watchdogs frozen while attached, halt/reset/run,
 * and run code on the core for the flash drivers.
 *
 * Facts: RM0008 §3.3 (memory map), "Device electronic signature" and
 * DBGMCU_IDCODE (identification; RM0091/RM0316 for F0/F3), AFIO_MAPR.SWJ_CFG,
 * DBGMCU_CR and debug support (connect under reset); ARMv7-M ARM
 * (DDI 0403E) C1.6 and B3.2 (DHCSR/DEMCR/DFSR, AIRCR); the ST-Link
 * protocol as OpenOCD 0.12 and stlink 1.7.0 use it (connect sequences of
 * the stock tools).
 *
 * Errors go to the probe's gang_diag (gang_stlink_diag). Threading: a
 * gang_target is owned by the thread that owns its gang_stlink.
 */
#ifndef GANG_TARGET_TARGET_H
#define GANG_TARGET_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "stlink/stlink.h"
#include "target/part.h"

typedef struct gang_target gang_target;

typedef enum gang_connect_mode {
	GANG_CONNECT_AUTO = 0,     /* normal; on no answer / no halt retry under reset */
	GANG_CONNECT_NORMAL,       /* attach, then reset and halt (SYSRESETREQ + vector catch) */
	GANG_CONNECT_UNDER_RESET,  /* NRST low while attaching; halted before the first instruction */
	GANG_CONNECT_HOT_PLUG,     /* attach and halt where the core is, no reset */
} gang_connect_mode;

typedef enum gang_detach_after {
	GANG_DETACH_RUN = 0,       /* resume where it stopped; after gang ran code on it, from reset */
	GANG_DETACH_RESET,         /* system reset, then the firmware runs from its reset vector */
	GANG_DETACH_HALT,          /* leave the core halted */
} gang_detach_after;

typedef struct gang_connect_opts {
	gang_connect_mode mode;
	unsigned swd_khz;          /* 0: 4000 (the ST-Link/V2 maximum) */
	const char *part;          /* expected part name ("STM32F103RC"), or NULL for any known part */
	/*
	 * The caller's stop (a production run's abort; NULL: never), polled
	 * by long flash operations between blocks so that a stop ends them
	 * inside the step (gang_target_stop_check).
	 */
	bool (*should_stop)(void *user);
	void *stop_user;
} gang_connect_opts;

#define GANG_TARGET_NOTE_LEN 160

typedef struct gang_target_info {
	const gang_part *part;     /* the part table row (the expected one when given) */
	uint16_t dev_id;           /* DBGMCU_IDCODE[11:0] */
	uint16_t rev;              /* DBGMCU_IDCODE[31:16] */
	uint32_t flash_kib;        /* from the flash-size register */
	char uid[25];              /* 24 uppercase hex digits */
	uint32_t dpidr, cpuid;
	unsigned target_mv;        /* 0 if the probe cannot measure it */
	unsigned swd_khz;          /* SWD clock actually set */
	gang_connect_mode mode;    /* strategy that succeeded (never AUTO) */
	int rdp_level;             /* 0, 1 or 2, from FLASH_OBR at attach / last reset */
	bool rdp_level05;          /* L5/U5 at RDP level 0.5 (rdp_level 0: the debugger reaches non-secure memory) */
	uint32_t opt_reg;          /* the option register RDP was read from (FLASH_OPTR on G0-WL and L5/U5, OPTCR, OBR, OPTSR_CUR; 0 on F0/F1/F3) */
	char note[GANG_TARGET_NOTE_LEN]; /* what happened at connect, in detail ("" if nothing) */
	char headline[GANG_TARGET_NOTE_LEN]; /* the operator's one sentence for it ("" if nothing) */
} gang_target_info;

/* Human name of a connect mode ("normal", "under-reset", "hot-plug", "auto"). */
const char *gang_connect_mode_name(gang_connect_mode m);
/* Parse a mode name; -1 if unknown. */
int gang_connect_mode_parse(const char *s);

/*
 * Attach to the target of sl (borrowed; must outlive the target) and
 * identify it. Errors: GANG_ENO_BOARD (supply below 1.5 V),
 * GANG_ETARGET_NOSWD, GANG_ETARGET_NOHALT, GANG_ENRST_UNWIRED,
 * GANG_EWRONG_PART, GANG_EPROFILE (unknown expected part name), probe errors.
 */
int gang_target_attach(gang_target **out, gang_stlink *sl, const gang_connect_opts *o);
/* Leave the core as asked, leave debug mode and free t (NULL: no-op). Returns the first error. */
int gang_target_detach(gang_target *t, gang_detach_after after);

/*
 * Look at the board without touching it: enter SWD, identify it (DPIDR,
 * DBGMCU_IDCODE, flash size, UID, RDP) through the memory AP while the
 * core keeps running, and leave debug mode. No halt, no reset, no write:
 * a waiting slot uses it to tell a new board from the finished one
 * without disturbing the firmware it runs. Same errors as attach except
 * GANG_ETARGET_NOHALT and GANG_ENRST_UNWIRED.
 */
int gang_target_peek(gang_target_info *info_out, gang_stlink *sl, unsigned swd_khz);

const gang_target_info *gang_target_info_get(const gang_target *t);
const gang_part *gang_target_part(const gang_target *t);
/* Borrowed: valid while t lives. */
gang_stlink *gang_target_stlink(gang_target *t);
gang_diag *gang_target_diag(gang_target *t);
/*
 * GANG_OK, or GANG_ECANCELLED ("stopped by the operator during program at
 * 0x08004000") when the connect options' should_stop says so. Flash loops
 * call it between blocks, each where it can end without leaving the FPEC
 * busy (a unit's erase or a loader's run is always waited out or halted).
 */
int gang_target_stop_check(gang_target *t, const char *during, uint32_t addr);
/* GANG_ECANCELLED with gang_target_stop_check's sentence, for a stop heard elsewhere (wait_halt_or_stop). */
int gang_target_stopped(gang_target *t, const char *during, uint32_t addr);

/* Halt the core (DHCSR C_HALT) and wait for S_HALT. */
int gang_target_halt(gang_target *t);
/* System reset (SYSRESETREQ) with vector catch: halted before the first instruction; rereads RDP. */
int gang_target_reset_halt(gang_target *t);
/* Re-read FLASH_OBR into info.rdp_level. */
int gang_target_read_rdp(gang_target *t);
/*
 * Arm the reset vector catch (DEMCR VC_CORERESET plus fault catch): the
 * next reset, whatever causes it (OBL_LAUNCH, a watchdog), halts the core
 * before its first instruction.
 */
int gang_target_arm_reset_catch(gang_target *t);
/* After a halt: *bkpt_out tells whether a BKPT instruction stopped the core; *dfsr_out the DFSR. */
int gang_target_halt_reason(bool *bkpt_out, uint32_t *dfsr_out, gang_target *t);

/*
 * Start code already in SRAM: r0..r(n-1) = regs, PC = pc, interrupts
 * masked, faults caught by vector catch (the core halts instead of locking up).
 * The same as gang_target_run_prepare then gang_target_run_go.
 */
int gang_target_run(gang_target *t, uint32_t pc, const uint32_t *regs, unsigned n);
/*
 * Everything of gang_target_run but letting the core go: registers, the
 * vector catch, interrupts masked. The core stays halted, so this may
 * overlap a flash erase (nothing here touches flash).
 */
int gang_target_run_prepare(gang_target *t, uint32_t pc, const uint32_t *regs, unsigned n);
/* Let the prepared core run (one DHCSR write). */
int gang_target_run_go(gang_target *t);
/*
 * A word the flash layer owns for what it has left in SRAM this session
 * (a CRC stub, the CRC unit's clock): 0 at attach and after any reset,
 * so nothing there is trusted across one.
 */
uint32_t *gang_target_sram_note(gang_target *t);
/*
 * True once after gang reset the chip (attach, reset) when since then
 * the core has not run and nothing has asked this before: the flash
 * controller holds its reset values (every family's FLASH_CR locked, no
 * error flag set), so its unlock need not look first. Asking clears it.
 */
bool gang_target_flash_at_reset_take(gang_target *t);

/*
 * CRCs the chip itself computed of flash ranges this session (the flash
 * loader's closing read-back pass through the CRC unit), for verify to
 * use instead of starting the core again. Forgotten at any reset and by
 * gang_target_crc_memo_clear (the flash layer clears them before it
 * erases or programs).
 */
#define GANG_TARGET_CRC_MEMOS 8
void gang_target_crc_memo_put(gang_target *t, uint32_t addr, uint32_t len, uint32_t crc);
bool gang_target_crc_memo_get(uint32_t *crc_out, const gang_target *t, uint32_t addr, uint32_t len);
void gang_target_crc_memo_clear(gang_target *t);
/* *halted_out: the core is in debug halt (bkpt, vector catch). */
int gang_target_poll_halt(bool *halted_out, gang_target *t);
/*
 * Sleep first_sleep_us (the expected run time), then poll for a halt for
 * up to timeout_ms; on timeout halt the core and fail with code, naming
 * what ("CRC stub") and the PC.
 */
int gang_target_wait_halt(gang_target *t, unsigned timeout_ms, unsigned first_sleep_us,
			  int code, const char *what);
/*
 * gang_target_wait_halt that also hears the caller's stop (the connect
 * options' should_stop) every check_us while it sleeps and every poll:
 * on a stop GANG_OK with *stopped_out set and the core still running (the
 * caller halts it and waits out what its code started).
 */
int gang_target_wait_halt_or_stop(bool *stopped_out, gang_target *t, unsigned timeout_ms, unsigned first_sleep_us,
				  unsigned check_us, int code, const char *what);
/* Sleep the calling thread (the bench counts host time as target time). */
void gang_target_sleep_us(unsigned us);

#endif
