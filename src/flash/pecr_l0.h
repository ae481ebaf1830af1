/*
 * pecr_l0.h — register map of the L0/L1 PECR flash controller (L0 at
 * 0x40022000, L1 at 0x40023C00) and what the driver files share:
 * pecr_l0.c (two-stage unlock, page erase, the half-page loader, data
 * EEPROM, option-byte writes and OBL_LAUNCH) and pecr_l0_ob.c (the option
 * words as named fields). Internal to src/flash.
 *
 * Facts: RM0377 §3.7 (L0x1 registers; RM0367 the same for L0x3), RM0038
 * §3.9 (L1 registers): the same offsets, keys and PECR bits on both; L0
 * adds RDERR/NOTZEROERR/FWWERR to FLASH_SR and WPRMOD/BOOT1 to the option
 * bytes, L1 has OPTVERRUSR.
 */
#ifndef GANG_FLASH_PECR_L0_H
#define GANG_FLASH_PECR_L0_H

#include <stdbool.h>
#include <stdint.h>

#include "flash/flash_ops.h"

#define L0_FLASH_ACR         0x00U
#define L0_FLASH_PECR        0x04U
#define L0_FLASH_PDKEYR      0x08U
#define L0_FLASH_PEKEYR      0x0CU
#define L0_FLASH_PRGKEYR     0x10U
#define L0_FLASH_OPTKEYR     0x14U
#define L0_FLASH_SR          0x18U
#define L0_FLASH_OPTR        0x1CU     /* FLASH_OBR on L1 */

#define L0_ACR_ACC64         (1U << 2)   /* L1: 64-bit access, before LATENCY (RM0038 §3.9.1) */

#define L0_PEKEY1            0x89ABCDEFU
#define L0_PEKEY2            0x02030405U
#define L0_PRGKEY1           0x8C9DAEBFU
#define L0_PRGKEY2           0x13141516U
#define L0_OPTKEY1           0xFBEAD9C8U
#define L0_OPTKEY2           0x24252627U

#define L0_PECR_PELOCK       (1U << 0)
#define L0_PECR_PRGLOCK      (1U << 1)
#define L0_PECR_OPTLOCK      (1U << 2)
#define L0_PECR_PROG         (1U << 3)
#define L0_PECR_DATA         (1U << 4)
#define L0_PECR_ERASE        (1U << 9)
#define L0_PECR_FPRG         (1U << 10)
#define L0_PECR_OBL_LAUNCH   (1U << 18)

#define L0_SR_BSY            (1U << 0)
#define L0_SR_EOP            (1U << 1)
#define L0_SR_WRPERR         (1U << 8)
#define L0_SR_PGAERR         (1U << 9)
#define L0_SR_SIZERR         (1U << 10)
#define L0_SR_OPTVERR        (1U << 11)
#define L0_SR_OPTVERRUSR     (1U << 12)  /* L1 */
#define L0_SR_RDERR          (1U << 13)  /* L0 */
#define L0_SR_NOTZEROERR     (1U << 16)  /* L0 */
#define L0_SR_FWWERR         (1U << 17)  /* L0 */

#define L0_EEPROM_BASE       0x08080000U /* data EEPROM on every L0/L1 (RM0377 §3.3.1, RM0038 §3.3.1) */
/*
 * The block gang moves: RDP, USER, then the WRP half-words of 16 sectors
 * each (L0 Cat.5: three, RM0377 §3.4.1; L1 Cat.5/6: eight, the last two at
 * 0x1FF80080, RM0038 §3.8.1), as many as the part's flash needs.
 */
#define L0_OB_WORDS          10U
#define L0_OB_RAW            (4U * L0_OB_WORDS)
#define L0_OB_SECTOR_KIB     4U          /* one WRP bit: 32 L0 pages, 16 L1 pages */
#define L0_OB_WPRMOD         (1U << 8)   /* in option word 0, L0 only */
#define L0_WPRMOD_USER_BIT   16U         /* gang_ob.user: WPRMOD kept above the USER word's 16 bits */

/* What differs between the L0 and L1 instances of the controller. */
typedef struct gang_pecr_family {
	uint32_t base;             /* controller registers: identifies the family */
	uint32_t sr_errs;          /* FLASH_SR bits that fail a program or erase */
	uint32_t sr_clear;         /* bits written 1 to clear before an operation */
	bool l0_optr;              /* WPRMOD in the RDP word, BOOT1 in USER (RM0377 §3.4.1) */
} gang_pecr_family;

/* The part's data EEPROM: [*lo, *hi); false for a part not in the driver's table. */
bool gang_pecr_l0_eeprom(uint32_t *lo, uint32_t *hi, const gang_part *p);
const gang_pecr_family *gang_pecr_l0_family(const gang_family *f);

/* pecr_l0_ob.c */
/* Option words part p has (RDP, USER and its WRP half-words), and where raw word i lives from 0x1FF80000. */
unsigned gang_pecr_l0_ob_words(const gang_part *p);
uint32_t gang_pecr_l0_ob_off(unsigned i);
const gang_ob_field *gang_pecr_l0_ob_fields(const gang_family *f);
void gang_pecr_l0_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f);
void gang_pecr_l0_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f);
int gang_pecr_l0_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d);
/* L0 PCROP rules (WPRMOD, PCROP sectors): what silicon refuses, and what only an RDP regression undoes. */
int gang_pecr_l0_ob_policy(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o,
			   const gang_family *f, gang_diag *d);

#endif
