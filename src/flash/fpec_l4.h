/*
 * fpec_l4.h — register map of the 64-bit double-word flash controller of
 * G0/G4/L4/L4+/WB/WL/C0 (0x40022000; 0x58004000 on WB/WL) and what the
 * driver files share: fpec_l4.c (unlock, page and mass erase, the bank
 * layout and WB's CPU2 area, programming with the double-word and
 * fast-row loaders, option-byte writes and OBL_LAUNCH, OTP) and
 * fpec_l4_ob.c (FLASH_OPTR and WRP1AR/WRP1BR as named fields). Internal to
 * src/flash.
 *
 * Facts: RM0351 §3.7 (L4 registers: KEYR 0x08, OPTKEYR 0x0C, SR 0x10,
 * CR 0x14, OPTR 0x20, WRP1AR 0x2C, WRP1BR 0x30; SR and CR bits), RM0444
 * §3.7 (G0: BKER b13, BSY2 b17, CFGBSY b18, PNB 10 bits), RM0440 §5.7
 * (G4), RM0432 §3.7 (L4+), RM0434 §3.7 (WB: SFR 0x80 with SFSA[7:0] and
 * FSD b8), RM0461 §3.7 (WL), RM0490 §3.7 (C0); the same map in the CMSIS
 * device headers.
 */
#ifndef GANG_FLASH_FPEC_L4_H
#define GANG_FLASH_FPEC_L4_H

#include <stdint.h>

#include "flash/flash_ops.h"

#define L4_FLASH_ACR         0x00U
#define L4_FLASH_KEYR        0x08U
#define L4_FLASH_OPTKEYR     0x0CU
#define L4_FLASH_SR          0x10U
#define L4_FLASH_CR          0x14U
#define L4_FLASH_OPTR        0x20U
#define L4_FLASH_WRP1AR      0x2CU
#define L4_FLASH_WRP1BR      0x30U
#define L4_FLASH_SFR         0x80U     /* WB: secure flash start (RM0434 §3.7.18) */

#define L4_OPT_KEY1          0x08192A3BU
#define L4_OPT_KEY2          0x4C5D6E7FU

#define L4_SR_EOP            (1U << 0)
#define L4_SR_OPERR          (1U << 1)
#define L4_SR_PROGERR        (1U << 3)
#define L4_SR_WRPERR         (1U << 4)
#define L4_SR_PGAERR         (1U << 5)
#define L4_SR_SIZERR         (1U << 6)
#define L4_SR_PGSERR         (1U << 7)
#define L4_SR_MISSERR        (1U << 8)
#define L4_SR_FASTERR        (1U << 9)
#define L4_SR_RDERR          (1U << 14)
#define L4_SR_OPTVERR        (1U << 15)
#define L4_SR_BSY            (1U << 16)
#define L4_SR_BSY2           (1U << 17)  /* G0B/G0C: bank 2 busy */
#define L4_SR_CFGBSY         (1U << 18)  /* G0/C0/WB/WL */
#define L4_SR_ERRORS         (L4_SR_OPERR | L4_SR_PROGERR | L4_SR_WRPERR | L4_SR_PGAERR | L4_SR_SIZERR | \
			      L4_SR_PGSERR | L4_SR_MISSERR | L4_SR_FASTERR)
#define L4_SR_CLEAR          (L4_SR_ERRORS | L4_SR_EOP | L4_SR_RDERR | L4_SR_OPTVERR)

#define L4_CR_PG             (1U << 0)
#define L4_CR_PER            (1U << 1)
#define L4_CR_MER1           (1U << 2)   /* MER on WB/WL and single-bank parts */
#define L4_CR_PNB_SHIFT      3U
#define L4_CR_BKER           (1U << 11)
#define L4_CR_BKER_G0        (1U << 13)
#define L4_CR_MER2           (1U << 15)
#define L4_CR_STRT           (1U << 16)
#define L4_CR_OPTSTRT        (1U << 17)
#define L4_CR_FSTPG          (1U << 18)
#define L4_CR_OBL_LAUNCH     (1U << 27)
#define L4_CR_OPTLOCK        (1U << 30)
#define L4_CR_LOCK           (1U << 31)

#define L4_OPTR_RDP          0xFFU
#define L4_OPTR_nSWAP_BANK   (1U << 20)  /* G0B/G0C */
#define L4_OPTR_DUAL_BANK    (1U << 21)  /* G0B/G0C DUAL_BANK; L4 DUALBANK; L4+ DB1M */
#define L4_OPTR_DBANK        (1U << 22)  /* G4, L4+ */

/* WRPxyR: start page from bit 0, end page from bit 16 (widths per family: fpec_l4_ob.c) */
#define L4_WRP_END_SHIFT     16U

#define L4_SFR_SFSA          0xFFU
#define L4_SFR_FSD           (1U << 8)

/* The raw block the driver moves: FLASH_OPTR, WRP1AR, WRP1BR, little-endian, zero-padded. */
#define L4_OB_RAW            12U

/* fpec_l4_ob.c */
const gang_ob_field *gang_fpec_l4_ob_fields(const gang_family *f);
void gang_fpec_l4_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f);
void gang_fpec_l4_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f);
int gang_fpec_l4_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d);
/* FLASH_OPTR bits the user fields of family f own (the rest is RDP and bits gang leaves alone). */
uint32_t gang_fpec_l4_user_mask(const gang_family *f);
/* WRPxyR bits holding the start and end page numbers on family f (the rest is reserved). */
uint32_t gang_fpec_l4_wrp_bits(const gang_family *f);

#endif
