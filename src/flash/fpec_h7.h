/*
 * fpec_h7.h — register map of the STM32H7 flash controller (0x52002000,
 * bank 2's KEYR/CR/SR/CCR/WPSN/CRC registers at +0x100) and what the
 * driver files share: fpec_h7.c (per-bank unlock, sector, bank and mass
 * erase, programming of 256-bit flash words through loader_h7.S, both
 * banks at once, option-byte writes) and fpec_h7_ob.c (FLASH_OPTSR,
 * BOOT and WPSN registers as named fields). Internal to src/flash.
 *
 * Facts: RM0433 §4.9 (H742/743/745/747/750/753/755/757 registers: CR
 * LOCK b0, PG b1, SER b2, BER b3, PSIZE[5:4], FW b6, START b7, SNB[10:8];
 * SR BSY b0, WBNE b1, QW b2, EOP b16, WRPERR b17, PGSERR b18, STRBERR
 * b19, INCERR b21, OPERR b22, RDPERR b23, RDSERR b24, SNECCERR b25,
 * DBECCERR b26, CRCEND b27, cleared through CCR; OPTCR OPTLOCK b0,
 * OPTSTART b1, MER b4; OPTSR OPT_BUSY b0, RDP[15:8], OPTCHANGEERR b30;
 * OPTCCR CLR_OPTCHANGEERR b30; WPSN WRPSN[7:0]; BOOT BOOT_ADD0[15:0],
 * BOOT_ADD1[31:16]), RM0468 §4.9 (H723/725/730/733/735: the same map for
 * its one bank).
 */
#ifndef GANG_FLASH_FPEC_H7_H
#define GANG_FLASH_FPEC_H7_H

#include <stdint.h>

#include "flash/flash_ops.h"

#define H7_FLASH_ACR         0x00U
#define H7_FLASH_KEYR        0x04U      /* KEYR1; KEYR2 at +H7_BANK2 */
#define H7_FLASH_OPTKEYR     0x08U
#define H7_FLASH_CR          0x0CU
#define H7_FLASH_SR          0x10U
#define H7_FLASH_CCR         0x14U
#define H7_FLASH_OPTCR       0x18U
#define H7_FLASH_OPTSR_CUR   0x1CU
#define H7_FLASH_OPTSR_PRG   0x20U
#define H7_FLASH_OPTCCR      0x24U
#define H7_FLASH_WPSN_CUR    0x38U
#define H7_FLASH_WPSN_PRG    0x3CU
#define H7_FLASH_BOOT_CUR    0x40U      /* BOOT7_CURR on the dual-core parts */
#define H7_FLASH_BOOT_PRG    0x44U
#define H7_FLASH_BOOT4_CUR   0x48U      /* dual core only (RM0399 §4.9): the Cortex-M4's boot addresses */
#define H7_FLASH_BOOT4_PRG   0x4CU
#define H7_BANK2             0x100U     /* bank 2's copy of KEYR, CR, SR, CCR, WPSN */

#define H7_OPT_KEY1          0x08192A3BU
#define H7_OPT_KEY2          0x4C5D6E7FU

#define H7_SR_BSY            (1U << 0)
#define H7_SR_WBNE           (1U << 1)
#define H7_SR_QW             (1U << 2)
#define H7_SR_EOP            (1U << 16)
#define H7_SR_WRPERR         (1U << 17)
#define H7_SR_PGSERR         (1U << 18)
#define H7_SR_STRBERR        (1U << 19)
#define H7_SR_INCERR         (1U << 21)
#define H7_SR_OPERR          (1U << 22)
#define H7_SR_ERRORS         (H7_SR_WRPERR | H7_SR_PGSERR | H7_SR_STRBERR | H7_SR_INCERR | H7_SR_OPERR)
#define H7_SR_CLEAR          0x0FEF0000U /* EOP and every error flag, RDPERR..CRCEND included */

#define H7_CR_LOCK           (1U << 0)
#define H7_CR_PG             (1U << 1)
#define H7_CR_SER            (1U << 2)
#define H7_CR_BER            (1U << 3)
#define H7_CR_PSIZE_X64      (3U << 4)
#define H7_CR_START          (1U << 7)
#define H7_CR_SNB_SHIFT      8U

#define H7_OPTCR_OPTLOCK     (1U << 0)
#define H7_OPTCR_OPTSTART    (1U << 1)
#define H7_OPTCR_SWAP_BANK   (1U << 31) /* the banks are swapped now (RM0433 §4.3.13) */
#define H7_OPTSR_OPT_BUSY    (1U << 0)
#define H7_OPTSR_RDP_SHIFT   8U
#define H7_OPTSR_CHANGEERR   (1U << 30)
#define H7_OPTCCR_CLR_CHANGEERR (1U << 30)

/* OPTSR_PRG bits the user fields own (the rest: OPT_BUSY, RDP, OPTCHANGEERR, reserved). */
#define H7_USER_MASK         0xA3FE00FCU
#define H7_BANK_SECTORS      8U         /* WRPSN bits per bank: bank 2's from gang_ob.wrp bit 8 */
#define H7_WRPSN_BITS        0xFFU
#define H7_WRPSN_BOTH        0xFFFFU    /* both banks' WRPSN in the raw block, bank at 0x08000000 first */
#define H7_SWAP_BANK_OPT     (1U << 31)

/*
 * The raw block the driver moves: OPTSR, BOOT (BOOT7), the two WRPSN in bus
 * order (bits 0-7: the bank SWAP_BANK_OPT maps at 0x08000000), BOOT4 (0 on
 * a single-core part); the _CUR registers, little-endian.
 */
#define H7_OB_RAW            16U

/* True when the part has a second bank (two controllers, the second at +0x100). */
bool gang_fpec_h7_dual_bank(const gang_part *p);

/* fpec_h7_ob.c */
const gang_ob_field *gang_fpec_h7_ob_fields(const gang_family *f);
unsigned gang_fpec_h7_ob_part_class(const gang_part *p);
void gang_fpec_h7_ob_note(char *out, size_t cap, const gang_ob *ob, const gang_part *p);
int gang_fpec_h7_ob_policy(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o,
			   const gang_family *f, gang_diag *d);
extern const char *const gang_fpec_h7_ob_classes[];
void gang_fpec_h7_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f);
void gang_fpec_h7_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f);
int gang_fpec_h7_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d);

#endif
