/*
 * fpec_f4.h — register map of the F2/F4/F7 sector flash controller
 * (0x40023C00) and what the driver files share: fpec_f4.c (unlock,
 * sector and mass erase, option-byte writes, its loader) and fpec_f4_ob.c
 * (FLASH_OPTCR/OPTCR1 as named fields). Internal to src/flash.
 *
 * Facts: RM0090 §3.9 (F4 registers), RM0033 §2.4 (F2), RM0385 §3.7 and
 * RM0410 §3.7 (F7: the same map, ERSERR for PGSERR, the OPTCR layout of
 * their own and BOOT_ADDx in OPTCR1).
 */
#ifndef GANG_FLASH_FPEC_F4_H
#define GANG_FLASH_FPEC_F4_H

#include <stdint.h>

#include "flash/flash_ops.h"

#define F4_FLASH_ACR         0x00U
#define F4_FLASH_KEYR        0x04U
#define F4_FLASH_OPTKEYR     0x08U
#define F4_FLASH_SR          0x0CU
#define F4_FLASH_CR          0x10U
#define F4_FLASH_OPTCR       0x14U
#define F4_FLASH_OPTCR1      0x18U

#define F4_OPT_KEY1          0x08192A3BU
#define F4_OPT_KEY2          0x4C5D6E7FU

#define F4_SR_EOP            (1U << 0)
#define F4_SR_OPERR          (1U << 1)
#define F4_SR_WRPERR         (1U << 4)
#define F4_SR_PGAERR         (1U << 5)
#define F4_SR_PGPERR         (1U << 6)
#define F4_SR_PGSERR         (1U << 7)   /* ERSERR on F7 */
#define F4_SR_BSY            (1U << 16)
#define F4_SR_ERRORS         (F4_SR_OPERR | F4_SR_WRPERR | F4_SR_PGAERR | F4_SR_PGPERR | F4_SR_PGSERR)

#define F4_CR_PG             (1U << 0)
#define F4_CR_SER            (1U << 1)
#define F4_CR_MER            (1U << 2)
#define F4_CR_SNB_SHIFT      3U
#define F4_CR_PSIZE_X16      (1U << 8)
#define F4_CR_PSIZE_X32      (2U << 8)
#define F4_CR_MER1           (1U << 15)  /* bank 2 of a dual-bank F42x/F43x */
#define F4_CR_STRT           (1U << 16)
#define F4_CR_LOCK           (1U << 31)
#define F4_SNB_BANK2         0x10U       /* bank-2 sector n is SNB 0x10 | n (RM0090 §3.9.8) */

#define F4_OPTCR_OPTLOCK     (1U << 0)
#define F4_OPTCR_OPTSTRT     (1U << 1)
#define F4_OPTCR_RDP_SHIFT   8U
#define F4_OPTCR_NWRP_SHIFT  16U
#define F4_NWRP_BITS         0xFFFU      /* 12 sectors per bank register */
#define F4_BANK_SECTORS      12U         /* bank 2's nWRP in OPTCR1 from gang_ob.wrp bit 12 */

/* The raw block the driver moves: FLASH_OPTCR then FLASH_OPTCR1, little-endian, zero-padded. */
#define F4_OB_RAW            8U

/* True when the part has a second bank (its sectors 12.. live in bank 1 of the geometry). */
bool gang_fpec_f4_dual_bank(const gang_part *p);
/* True when the family has OPTCR1: F7 always (BOOT_ADDx), F4 with a second bank (its nWRP). */
bool gang_fpec_f4_has_optcr1(const gang_part *p);

/* fpec_f4_ob.c */
const gang_ob_field *gang_fpec_f4_ob_fields(const gang_family *f);
void gang_fpec_f4_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f);
void gang_fpec_f4_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f);
int gang_fpec_f4_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d);
/* OPTCR bits the user fields of family f own (the rest is RDP, nWRP, OPTLOCK, OPTSTRT). */
uint32_t gang_fpec_f4_user_mask(const gang_family *f);

#endif
