/*
 * fpec_tz.h — register map of the L5/U5 TrustZone flash controller (the
 * non-secure set at 0x40022000, the secure set at 0x50022000) and what the
 * driver files share: fpec_tz.c (unlock, page and mass erase per bank,
 * what TrustZone and RDP level 0.5 let a debugger touch, programming with
 * the double-word (L5) and quad-word (U5) loaders, option-byte writes with
 * OPTSTRT and OBL_LAUNCH, OTP) and fpec_tz_ob.c (FLASH_OPTR, the WRP and
 * secure-watermark areas and the HDP fields of SECWMxR2 as named fields,
 * RDP level 0.5, and the rules for changes that cannot be undone).
 * Internal to src/flash.
 *
 * Facts: RM0438 §6.9 (L5 register map: NSKEYR 0x08, SECKEYR 0x0C,
 * OPTKEYR 0x10, NSSR 0x20, SECSR 0x24, NSCR 0x28, SECCR 0x2C, OPTR 0x40,
 * SECWM1R1 0x50, SECWM1R2 0x54, WRP1AR 0x58, WRP1BR 0x5C, SECWM2R1 0x60,
 * SECWM2R2 0x64, WRP2AR 0x68, WRP2BR 0x6C), RM0456 §7.9 (U5: the same
 * offsets, OPSR 0x34, NSSR.WDW b17, NSCR.BWR b14, WRPxyR.UNLOCK b31); the
 * CMSIS stm32l552xx.h and stm32u585xx.h headers; the secure alias is the
 * non-secure address | 0x10000000 for registers and 0x0C000000 for flash.
 */
#ifndef GANG_FLASH_FPEC_TZ_H
#define GANG_FLASH_FPEC_TZ_H

#include <stdint.h>

#include "flash/flash_ops.h"

#define TZ_FLASH_NSKEYR      0x08U
#define TZ_FLASH_SECKEYR     0x0CU
#define TZ_FLASH_OPTKEYR     0x10U
#define TZ_FLASH_NSSR        0x20U
#define TZ_FLASH_SECSR       0x24U
#define TZ_FLASH_NSCR        0x28U
#define TZ_FLASH_SECCR       0x2CU
#define TZ_FLASH_OPTR        0x40U
#define TZ_FLASH_SECWM1R1    0x50U
#define TZ_FLASH_SECWM1R2    0x54U
#define TZ_FLASH_WRP1AR      0x58U
#define TZ_FLASH_WRP1BR      0x5CU
#define TZ_FLASH_SECWM2R1    0x60U
#define TZ_FLASH_SECWM2R2    0x64U
#define TZ_FLASH_WRP2AR      0x68U
#define TZ_FLASH_WRP2BR      0x6CU

#define TZ_SEC_REGS          0x10000000U  /* secure register alias: NS address | this */
#define TZ_SEC_FLASH         0x04000000U  /* secure flash alias 0x0C000000 = 0x08000000 | this */

#define TZ_OPT_KEY1          0x08192A3BU
#define TZ_OPT_KEY2          0x4C5D6E7FU

#define TZ_SR_EOP            (1U << 0)
#define TZ_SR_OPERR          (1U << 1)
#define TZ_SR_PROGERR        (1U << 3)
#define TZ_SR_WRPERR         (1U << 4)
#define TZ_SR_PGAERR         (1U << 5)
#define TZ_SR_SIZERR         (1U << 6)
#define TZ_SR_PGSERR         (1U << 7)
#define TZ_SR_OPTWERR        (1U << 13)
#define TZ_SR_BSY            (1U << 16)
#define TZ_SR_WDW            (1U << 17)   /* U5: a quad word partly written (RM0456 §7.9.5) */
#define TZ_SR_ERRORS         (TZ_SR_OPERR | TZ_SR_PROGERR | TZ_SR_WRPERR | TZ_SR_PGAERR | TZ_SR_SIZERR | \
			      TZ_SR_PGSERR | TZ_SR_OPTWERR)
#define TZ_SR_CLEAR          (TZ_SR_ERRORS | TZ_SR_EOP)

#define TZ_CR_PG             (1U << 0)
#define TZ_CR_PER            (1U << 1)
#define TZ_CR_MER1           (1U << 2)
#define TZ_CR_PNB_SHIFT      3U
#define TZ_CR_BKER           (1U << 11)
#define TZ_CR_MER2           (1U << 15)
#define TZ_CR_STRT           (1U << 16)
#define TZ_CR_OPTSTRT        (1U << 17)   /* NSCR only */
#define TZ_CR_OBL_LAUNCH     (1U << 27)   /* NSCR only */
#define TZ_CR_OPTLOCK        (1U << 30)   /* NSCR only */
#define TZ_CR_LOCK           (1U << 31)

#define TZ_OPTR_RDP          0xFFU
#define TZ_OPTR_SWAP_BANK    (1U << 20)
#define TZ_OPTR_DBANK_L5     (1U << 22)   /* L5: two banks of 2 KiB pages (RM0438 §6.9.14) */
#define TZ_OPTR_TZEN         (1U << 31)
#define TZ_RDP_LEVEL05       0x55U        /* level 0.5 when TZEN = 1, level 1 otherwise */

/* SECWMxR1 and WRPxyR: start page from bit 0, end page from bit 16; U5 WRPxyR.UNLOCK b31 */
#define TZ_AREA_END_SHIFT    16U
#define TZ_WRP_UNLOCK        (1U << 31)
/*
 * SECWMxR2: HDPxEN b31, HDPx_PEND from bit 16 (the hide-protection area
 * of bank x ends there; it starts at SECWMx_PSTRT). RM0438 §6.9 and
 * RM0456 §7.9 FLASH_SECWM1R2/SECWM2R2 (sub-section numbers unverified).
 */
#define TZ_HDP_EN            (1U << 31)
#define TZ_HDP_PEND_SHIFT    16U

/*
 * The raw block the driver moves (20 bytes, little-endian): FLASH_OPTR,
 * then one half-word per area register in gang_fpec_tz_area_regs order,
 * its end page in bits 14:8 and its start page in bits 6:0 (7-bit page
 * numbers: 128 pages per bank on every part in parts.def), and on the
 * U5's WRP areas UNLOCK in bit 15; then one half-word per SECWMxR2 in
 * gang_fpec_tz_hdp_regs order, HDPx_PEND in bits 6:0 and HDPxEN in bit 15.
 */
#define TZ_RAW_OPTR          0U
#define TZ_RAW_AREA          4U
#define TZ_RAW_UNLOCK        0x8000U
#define TZ_RAW_HDP           16U
#define TZ_RAW_HDP_EN        0x8000U
#define TZ_OB_RAW            20U
#define TZ_AREAS             6U    /* WRP1A, WRP1B, WRP2A, WRP2B, SECWM1, SECWM2 */
#define TZ_WRP_AREAS         4U
#define TZ_HDP_AREAS         2U    /* HDP1 (SECWM1R2), HDP2 (SECWM2R2) */

/* The area registers in raw-block order. */
extern const uint32_t gang_fpec_tz_area_regs[TZ_AREAS];
/* The SECWMxR2 registers (HDPxEN, HDPx_PEND) in raw-block order. */
extern const uint32_t gang_fpec_tz_hdp_regs[TZ_HDP_AREAS];

/* fpec_tz_ob.c */
const gang_ob_field *gang_fpec_tz_ob_fields(const gang_family *f);
void gang_fpec_tz_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f);
void gang_fpec_tz_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f);
int gang_fpec_tz_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d);
int gang_fpec_tz_ob_policy(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o,
			   const gang_family *f, gang_diag *d);
int gang_fpec_tz_ob_want_check(const gang_ob_want *w, const gang_family *f, gang_diag *d);
/* TrustZone off -> level 0.5: TZEN = 1 (and the rest) first, RDP 0.5 in a second write (flash_ops.h ob_stage). */
bool gang_fpec_tz_ob_stage(gang_ob *mid, const gang_ob *cur, const gang_ob *next, const gang_family *f);
/* FLASH_OPTR bits the user fields of family f own (RDP excluded). */
uint32_t gang_fpec_tz_user_mask(const gang_family *f);
/* Page-number bits of an area register's start and end on family f. */
uint32_t gang_fpec_tz_page_mask(const gang_family *f);
/* True when family f has WRPxyR.UNLOCK (U5). */
bool gang_fpec_tz_has_unlock(const gang_family *f);
/* An area register (start [n:0], end [16+n:16]) as the field value end << 8 | start, and back. */
uint16_t gang_fpec_tz_area_field(uint32_t reg, const gang_family *f);
uint32_t gang_fpec_tz_area_reg(uint16_t field, const gang_family *f);
/* A SECWMxR2 register as the raw block's half-word (HDPxEN b15, HDPx_PEND b6:0), and back. */
uint16_t gang_fpec_tz_hdp_half(uint32_t reg, const gang_family *f);
uint32_t gang_fpec_tz_hdp_reg(uint16_t half, const gang_family *f);

#endif
