/*
 * fpec_h7_ob.c — how the H7 keeps its option bytes: in registers of the
 * flash controller (FLASH_OPTSR_CUR, BOOT_CUR, WPSN_CUR1/2, programmed
 * through their _PRG twins and OPTSTART; no memory-mapped block), as named
 * fields. The raw block the generic layer (ob.c) sees is OPTSR, BOOT,
 * WPSN1, WPSN2, little-endian; gang_ob.user is OPTSR within
 * H7_USER_MASK, data0/data1 BOOT_ADD0/BOOT_ADD1 and wrp bank 1's WRPSN
 * in bits 0-7, bank 2's in bits 8-15.
 *
 * Facts: RM0433 §4.9.9 (OPTSR: BOR_LEV[3:2], IWDG1_SW b4, NRST_STOP_D1
 * b6, NRST_STBY_D1 b7, RDP[15:8], FZ_IWDG_STOP b17, FZ_IWDG_SDBY b18,
 * ST_RAM_SIZE[20:19], SECURITY b21, IO_HSLV b29, SWAP_BANK_OPT b31; on
 * the dual-core parts also IWDG2_SW b5, BCM4 b22, BCM7 b23, NRST_STOP_D2
 * b24, NRST_STBY_D2 b25, and BOOT_CM7_ADD0/1 in FLASH_BOOT7), §4.9.21
 * (BOOT_ADD0/1: bits 31:16 of the boot address, factory 0x0800 and
 * 0x1FF0: flash and system memory), §4.9.17
 * (WRPSN bit = 0 protects the sector); RDP 0xAA level 0, 0xCC level 2,
 * anything else level 1 (RM0433 §4.5.3). SECURITY and ST_RAM_SIZE keep
 * their values and have no field: setting SECURITY cannot be undone by a
 * debugger (§4.5.4).
 */
#include "flash/fpec_h7.h"
#include "core/bytes.h"

#define H7_RDP_LEVEL1        0x55U     /* any value but 0xAA and 0xCC */

/* Dual-core fields are listed for the family; fpec_h7.c refuses them on a single-core part. */
static const gang_ob_field h7_ob_fields[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 },            { "BOR_LEV", GANG_OB_KIND_BIT, 2, 2 },
	{ "IWDG1_SW", GANG_OB_KIND_BIT, 4, 0 },       { "IWDG2_SW", GANG_OB_KIND_BIT, 5, 0 },
	{ "NRST_STOP_D1", GANG_OB_KIND_BIT, 6, 0 },   { "NRST_STBY_D1", GANG_OB_KIND_BIT, 7, 0 },
	{ "FZ_IWDG_STOP", GANG_OB_KIND_BIT, 17, 0 },  { "FZ_IWDG_SDBY", GANG_OB_KIND_BIT, 18, 0 },
	{ "BCM4", GANG_OB_KIND_BIT, 22, 0 },          { "BCM7", GANG_OB_KIND_BIT, 23, 0 },
	{ "NRST_STOP_D2", GANG_OB_KIND_BIT, 24, 0 },  { "NRST_STBY_D2", GANG_OB_KIND_BIT, 25, 0 },
	{ "IO_HSLV", GANG_OB_KIND_BIT, 29, 0 },       { "SWAP_BANK_OPT", GANG_OB_KIND_BIT, 31, 0 },
	{ "BOOT_ADD0", GANG_OB_KIND_BYTE, 0, 16 },    { "BOOT_ADD1", GANG_OB_KIND_BYTE, 1, 16 },
	{ "WRPSN", GANG_OB_KIND_WRP, 0, 0 },          { NULL, GANG_OB_KIND_RDP, 0, 0 },
};

const gang_ob_field *gang_fpec_h7_ob_fields(const gang_family *f)
{
	(void)f;
	return h7_ob_fields;
}

void gang_fpec_h7_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	uint32_t optsr = gang_le32_get(raw), boot = gang_le32_get(raw + 4);

	out->rdp = (uint8_t)(optsr >> H7_OPTSR_RDP_SHIFT);
	out->rdp_level = out->rdp == f->rdp_level0 ? 0 : out->rdp == f->rdp_level2 ? 2 : 1;
	out->user = optsr & H7_USER_MASK;
	out->data0 = (uint16_t)boot;
	out->data1 = (uint16_t)(boot >> 16);
	out->wrp = (gang_le32_get(raw + 8) & H7_WRPSN_BITS) | (gang_le32_get(raw + 12) & H7_WRPSN_BITS) << H7_BANK_SECTORS |
		   0xFFFF0000U;
	out->opterr = false;
}

void gang_fpec_h7_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	(void)f;
	for (unsigned i = 0; i < GANG_OB_RAW_LEN; i++)
		raw[i] = 0;
	gang_le32_put(raw, (ob->user & H7_USER_MASK) | (uint32_t)ob->rdp << H7_OPTSR_RDP_SHIFT);
	gang_le32_put(raw + 4, (uint32_t)ob->data0 | (uint32_t)ob->data1 << 16);
	gang_le32_put(raw + 8, ob->wrp & H7_WRPSN_BITS);
	gang_le32_put(raw + 12, (ob->wrp >> H7_BANK_SECTORS) & H7_WRPSN_BITS);
}

int gang_fpec_h7_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	return gang_ob_rdp_levels(out, level, f, H7_RDP_LEVEL1, d);
}
