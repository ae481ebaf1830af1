/*
 * ctrl.h — the register sequences every STM32 flash controller here
 * shares, described by a small table per controller: the key unlock
 * (KEY1 then KEY2 into KEYR; a wrong key locks the controller until the
 * next reset) and waiting for BSY in the status register. Internal to
 * src/flash; every driver fills a gang_flash_ctrl_regs (and a
 * gang_flash_sr_errs for its error sentences).
 *
 * Facts: PM0075 §2.3.1 and RM0091 §3.2.2 (F0/F1/F3), RM0090 §3.5.1
 * (F2/F4/F7): the same keys 0x45670123 and 0xCDEF89AB, LOCK in FLASH_CR,
 * BSY in FLASH_SR; RM0433 §4.5.1 and §4.9 (H7): the same keys per bank
 * in FLASH_KEYR1/KEYR2, LOCK in CR1/CR2, flags cleared through CCR1/CCR2.
 * The L0/L1 PECR controller unlocks in two stages, each with keys of its
 * own (RM0377 §3.3.4: PEKEYR clears PELOCK, only then PRGKEYR clears
 * PRGLOCK or OPTKEYR OPTLOCK): a table with a next stage.
 */
#ifndef GANG_FLASH_CTRL_H
#define GANG_FLASH_CTRL_H

#include <stdint.h>

#include "target/target.h"

#define GANG_FLASH_KEY1 0x45670123U
#define GANG_FLASH_KEY2 0xCDEF89ABU

/* Where a controller keeps what the shared sequences touch (offsets from its base). */
typedef struct gang_flash_ctrl_regs {
	uint32_t keyr, sr, cr;
	uint32_t sr_busy;          /* BSY */
	uint32_t sr_clear;         /* error and EOP bits, written 1 to clear */
	uint32_t cr_lock;          /* LOCK */
	unsigned poll_us;          /* between two reads of a busy SR */
	uint32_t ccr;              /* where sr_clear is written: FLASH_CCR on H7; 0: SR itself */
	uint32_t bank_off;         /* bank 2's KEYR/SR/CR/CCR at +bank_off (H7, RM0433 §4.9); 0: one set */
	uint32_t key1, key2;       /* the keys; 0: GANG_FLASH_KEY1/KEY2 */
	const struct gang_flash_ctrl_regs *next; /* a stage unlocked after this one (L0/L1), or NULL */
} gang_flash_ctrl_regs;

/* A status-register error bit and what it means, in words an engineer can act on. */
typedef struct gang_flash_sr_why {
	uint32_t bit;
	const char *why;
} gang_flash_sr_why;

#define GANG_FLASH_SR_WHY_MAX 8U

/* A controller's error bits: write protection first, then the others in the order they are told. */
typedef struct gang_flash_sr_errs {
	uint32_t wrp;              /* WRPERR */
	const char *wrp_unit;      /* "sector", "page" */
	const char *wrp_why;       /* "WRPERR", or with what the controller protects */
	gang_flash_sr_why why[GANG_FLASH_SR_WHY_MAX]; /* ended by a 0 bit */
} gang_flash_sr_errs;

/*
 * GANG_OK when sr holds no error of e; else GANG_EWRITE_PROTECTED ("program
 * at 0x08004000: write-protected page (WRPERR, FLASH_SR=0x...)") or
 * GANG_EFLASH with the first of e->why that sr holds, at addr in the diag.
 */
int gang_flash_ctrl_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr,
			  const gang_flash_sr_errs *e);

/*
 * Clear stale status, and unlock with the key sequence if CR says locked;
 * with bank_off, every bank the part has (each has its own KEYR and LOCK);
 * then the next stage, if any.
 */
int gang_flash_ctrl_unlock(gang_target *t, const gang_flash_ctrl_regs *r);
/* The number of banks whose registers r describes on t's part (1, or 2 with bank_off on a dual-bank part). */
unsigned gang_flash_ctrl_banks(gang_target *t, const gang_flash_ctrl_regs *r);
/*
 * Sleep expect_us, then poll SR until BSY clears (timeout_ms); the final
 * SR in *sr_out. GANG_EFLASH on timeout naming what.
 */
int gang_flash_ctrl_wait(uint32_t *sr_out, gang_target *t, const gang_flash_ctrl_regs *r, unsigned expect_us,
			 unsigned timeout_ms, const char *what);
/* The same for bank (0 or 1) of a controller with per-bank registers. */
int gang_flash_ctrl_wait_bank(uint32_t *sr_out, gang_target *t, const gang_flash_ctrl_regs *r, unsigned bank,
			      unsigned expect_us, unsigned timeout_ms, const char *what);

#endif
