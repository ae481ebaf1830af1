/*
 * fpec_f1.h — register map of the F0/F1/F3 flash controller and the
 * helpers shared by the driver files fpec_f1.c (erase, option-byte
 * writes, its streaming loader and CRC through flash/loader_ring.c) and
 * fpec_f1_ob.c (the option-byte block's encoding and fields). Internal to
 * src/flash.
 *
 * Facts: PM0075 and RM0091 §3 (offsets, keys, CR/SR bits; OPTKEYR uses
 * the same keys on F0/F1/F3; OBL_LAUNCH b13).
 */
#ifndef GANG_FLASH_FPEC_F1_H
#define GANG_FLASH_FPEC_F1_H

#include <stdint.h>

#include "flash/flash_ops.h"

#define F1_FLASH_KEYR        0x04U
#define F1_FLASH_OPTKEYR     0x08U
#define F1_FLASH_SR          0x0CU
#define F1_FLASH_CR          0x10U
#define F1_FLASH_AR          0x14U
#define F1_FLASH_OBR         0x1CU
#define F1_FLASH_WRPR        0x20U


#define F1_SR_BSY            (1U << 0)
#define F1_SR_PGERR          (1U << 2)
#define F1_SR_WRPRTERR       (1U << 4)
#define F1_SR_EOP            (1U << 5)
#define F1_SR_ERRORS         (F1_SR_PGERR | F1_SR_WRPRTERR)

#define F1_CR_PG             (1U << 0)
#define F1_CR_PER            (1U << 1)
#define F1_CR_MER            (1U << 2)
#define F1_CR_OPTPG          (1U << 4)
#define F1_CR_OPTER          (1U << 5)
#define F1_CR_STRT           (1U << 6)
#define F1_CR_LOCK           (1U << 7)
#define F1_CR_OPTWRE         (1U << 9)
#define F1_CR_OBL_LAUNCH     (1U << 13)

/* Register address of the target's FPEC. */
uint32_t gang_fpec_f1_reg(gang_target *t, uint32_t off);
/*
 * Sleep expect_us, then poll SR until BSY clears (timeout_ms); the final
 * SR in *sr_out. GANG_EFLASH on timeout naming what.
 */
int gang_fpec_f1_wait(uint32_t *sr_out, gang_target *t, unsigned expect_us, unsigned timeout_ms,
		      const char *what);
/* Map SR error bits after an operation at addr to GANG_EWRITE_PROTECTED / GANG_EFLASH. */
int gang_fpec_f1_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr);

/* fpec_f1_ob.c: the option-byte block's encoding and the family's named fields. */
const gang_ob_field *gang_fpec_f1_ob_fields(const gang_family *f);
void gang_fpec_f1_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f);
void gang_fpec_f1_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f);
int gang_fpec_f1_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d);

#endif
