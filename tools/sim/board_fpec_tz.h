/*
 * board_fpec_tz.h — what the two halves of the L5/U5 TrustZone controller
 * model share: board_fpec_tz.c (registers, programming, erase) and
 * board_fpec_tz_ob.c (option registers, RDP, TrustZone, watermarks, WRP).
 * Facts: RM0438 §6 (L552/562), RM0456 §7 (U575/585).
 */
#ifndef GANGSIM_BOARD_FPEC_TZ_H
#define GANGSIM_BOARD_FPEC_TZ_H

#include "board_internal.h"

#define TZ_NS          0
#define TZ_S           1

/* register offsets (RM0438 §6.9, RM0456 §7.9) */
#define TZ_ACR         0x00U
#define TZ_NSKEYR      0x08U
#define TZ_SECKEYR     0x0CU
#define TZ_OPTKEYR     0x10U
#define TZ_NSSR        0x20U
#define TZ_SECSR       0x24U
#define TZ_NSCR        0x28U
#define TZ_SECCR       0x2CU
#define TZ_ECCR        0x30U
#define TZ_OPSR        0x34U   /* U5 */
#define TZ_OPTR        0x40U   /* option registers 0x40-0x6C: opt[(off - 0x40) / 4] */
#define TZ_OPT_END     0x70U
#define TZ_OEMKEY      0x70U   /* U5 OEM1KEYR1/R2, OEM2KEYR1/R2: opt[12..15], write-only */
#define TZ_OEM_END     0x80U
#define TZ_SECBB1      0x80U
#define TZ_SECBB2      0xA0U

/* option register indexes */
#define TZ_O_OPTR      0U
#define TZ_O_NSBOOT0   1U
#define TZ_O_NSBOOT1   2U
#define TZ_O_SECBOOT0  3U
#define TZ_O_SECWM1R1  4U
#define TZ_O_SECWM1R2  5U
#define TZ_O_WRP1AR    6U
#define TZ_O_WRP1BR    7U
#define TZ_O_SECWM2R1  8U
#define TZ_O_SECWM2R2  9U
#define TZ_O_WRP2AR    10U
#define TZ_O_WRP2BR    11U
#define TZ_O_OEM1      12U     /* two words */
#define TZ_O_OEM2      14U     /* two words */

/* xSR bits (NSSR; SECSR the same without OPTWERR) */
#define TZ_SR_EOP      (1U << 0)
#define TZ_SR_OPERR    (1U << 1)
#define TZ_SR_PROGERR  (1U << 3)
#define TZ_SR_WRPERR   (1U << 4)
#define TZ_SR_PGAERR   (1U << 5)
#define TZ_SR_SIZERR   (1U << 6)
#define TZ_SR_PGSERR   (1U << 7)
#define TZ_SR_OPTWERR  (1U << 13)
#define TZ_SR_BSY      (1U << 16)
#define TZ_SR_WDW      (1U << 17)  /* U5 */
#define TZ_SR_OEM1LOCK (1U << 18)  /* U5 */
#define TZ_SR_OEM2LOCK (1U << 19)  /* U5 */
#define TZ_SR_ERRS     0x000020FAU /* what blocks a new operation (PGSERR) */
#define TZ_SR_W1C      0x000020FBU

/* xCR bits */
#define TZ_CR_PG       (1U << 0)
#define TZ_CR_PER      (1U << 1)
#define TZ_CR_MER1     (1U << 2)
#define TZ_CR_PNB_SH   3U
#define TZ_CR_PNB      (0x7FU << 3)
#define TZ_CR_BKER     (1U << 11)
#define TZ_CR_BWR      (1U << 14)  /* U5 */
#define TZ_CR_MER2     (1U << 15)
#define TZ_CR_STRT     (1U << 16)
#define TZ_CR_OPTSTRT  (1U << 17)  /* NSCR only */
#define TZ_CR_EOPIE    (1U << 24)
#define TZ_CR_ERRIE    (1U << 25)
#define TZ_CR_OBL_LAUNCH (1U << 27) /* NSCR only */
#define TZ_CR_OPTLOCK  (1U << 30)  /* NSCR only */
#define TZ_CR_LOCK     (1U << 31)

/* OPTR */
#define TZ_OPTR_RDP    0x000000FFU
#define TZ_OPTR_SWAP   (1U << 20)
#define TZ_OPTR_DBANK  (1U << 22)  /* L5 */
#define TZ_OPTR_TZEN   (1U << 31)
#define TZ_RDP_L0      0xAAU
#define TZ_RDP_L05     0x55U
#define TZ_RDP_L2      0xCCU
#define TZ_RDP_L1      0xBBU       /* what a new "rdp = 1" board holds */

#define TZ_WRP_UNLOCK  (1U << 31)  /* U5 WRPxyR: 0 = area locked for ever */

#define TZ_MS          1000000ULL

bool tz_u5(const sim_board *b);
/* main-flash geometry in force (L5 DBANK; U5 2 MiB parts: always two banks) */
bool tz_dual(const sim_board *b);
uint32_t tz_page_size(const sim_board *b);
uint32_t tz_bank_size(const sim_board *b);
/* the bank (0/1) and page number in it of flash offset off */
void tz_page_of(const sim_board *b, uint32_t off, uint32_t *bank, uint32_t *page);

/* board_fpec_tz_ob.c */
uint8_t tz_rdp_level(uint32_t optr);
bool tz_page_secure(const sim_board *b, uint32_t bank, uint32_t page);
bool tz_page_protected(const sim_board *b, uint32_t bank, uint32_t page);
/* may a debugger (core false) or the core reach secure state */
bool tz_secure_ok(const sim_board *b, bool core);
void tz_ob_new(const sim_board *b, uint8_t *img);
void tz_ob_reset(sim_board *b);
bool tz_opt_reg_read(sim_board *b, uint32_t off, uint32_t *val, bool secure);
bool tz_opt_reg_write(sim_board *b, uint32_t off, uint32_t val, bool secure);
/* OPTSTRT: 0 and the operation started, or the SR flag of the refusal */
uint32_t tz_ob_start(sim_board *b);
void tz_ob_done(sim_board *b);
uint64_t tz_mass_ns(const sim_board *b);

/* board_fpec_tz.c */
void tz_start(sim_board *b, board_op op, uint64_t dur_ns);

#endif
