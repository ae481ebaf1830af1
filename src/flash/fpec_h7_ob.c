/*
 * fpec_h7_ob.c — how the H7 keeps its option bytes: in registers of the
 * flash controller (FLASH_OPTSR_CUR, BOOT_CUR (BOOT7 on the dual-core
 * parts), BOOT4_CUR, WPSN_CUR1/2, programmed through their _PRG twins and
 * OPTSTART; no memory-mapped block), as named fields. The raw block the
 * generic layer (ob.c) sees is OPTSR, BOOT, WRPSN, BOOT4, little-endian,
 * with WRPSN already in bus order (fpec_h7.c: the sectors of the bank at
 * 0x08000000 in bits 0-7, the other bank's in 8-15, whichever bank
 * SWAP_BANK_OPT puts first); gang_ob.user is OPTSR within H7_USER_MASK,
 * data0/data1 BOOT_ADD0/BOOT_ADD1 (dual core: BOOT_CM7_ADD0/1), more[0]
 * and more[1] BOOT_CM4_ADD0/1, and wrp that bus-order WRPSN.
 *
 * Facts: RM0433 §4.9.9 (OPTSR: BOR_LEV[3:2], IWDG1_SW b4, NRST_STOP_D1
 * b6, NRST_STBY_D1 b7, RDP[15:8], FZ_IWDG_STOP b17, FZ_IWDG_SDBY b18,
 * ST_RAM_SIZE[20:19], SECURITY b21, IO_HSLV b29, SWAP_BANK_OPT b31),
 * §4.9.21 (BOOT_ADD0/1: bits 31:16 of the boot address, factory 0x0800
 * and 0x1FF0: flash and system memory), §4.9.17 (WRPSN bit = 0 protects
 * the sector); RM0399 §4.9.9 (dual core: also IWDG2_SW b5, BCM4 b22, BCM7
 * b23, NRST_STOP_D2 b24, NRST_STBY_D2 b25), RM0399 §4.9.21-22
 * (FLASH_BOOT7_CURR 0x40: BOOT_CM7_ADD0[15:0], BOOT_CM7_ADD1[31:16];
 * FLASH_BOOT4_CURR 0x48 with its _PRGR at 0x4C: BOOT_CM4_ADD0/1; offsets
 * as in ST's register description files, section numbers unverified);
 * RM0468 (H723: the single-core names, one bank). RDP 0xAA level 0, 0xCC
 * level 2, anything else level 1 (RM0433 §4.5.3). SECURITY and
 * ST_RAM_SIZE keep their values and have no field: setting SECURITY
 * cannot be undone by a debugger (§4.5.4).
 */
#include "flash/fpec_h7.h"
#include "core/bytes.h"

#include <stdio.h>

#include "target/part.h"

#define H7_RDP_LEVEL1        0x55U     /* any value but 0xAA and 0xCC */
/* gang_ob_field.parts: the traits a field needs (RM0433 and RM0468 vs RM0399 names, §4.3.13 swap) */
#define H7_SINGLE            1U        /* single core: H742/743/750/753, H72x/H73x */
#define H7_DUAL              2U        /* dual core: H745/747/755/757 */
#define H7_TWO_BANKS         4U        /* two banks, so SWAP_BANK_OPT */

static const gang_ob_field h7_ob_fields[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0, 0 },
	{ "BOR_LEV", GANG_OB_KIND_BIT, 2, 2, 0 },
	{ "IWDG1_SW", GANG_OB_KIND_BIT, 4, 0, 0 },
	{ "IWDG2_SW", GANG_OB_KIND_BIT, 5, 0, H7_DUAL },
	{ "NRST_STOP_D1", GANG_OB_KIND_BIT, 6, 0, 0 },
	{ "NRST_STBY_D1", GANG_OB_KIND_BIT, 7, 0, 0 },
	{ "FZ_IWDG_STOP", GANG_OB_KIND_BIT, 17, 0, 0 },
	{ "FZ_IWDG_SDBY", GANG_OB_KIND_BIT, 18, 0, 0 },
	{ "BCM4", GANG_OB_KIND_BIT, 22, 0, H7_DUAL },
	{ "BCM7", GANG_OB_KIND_BIT, 23, 0, H7_DUAL },
	{ "NRST_STOP_D2", GANG_OB_KIND_BIT, 24, 0, H7_DUAL },
	{ "NRST_STBY_D2", GANG_OB_KIND_BIT, 25, 0, H7_DUAL },
	{ "IO_HSLV", GANG_OB_KIND_BIT, 29, 0, 0 },
	{ "SWAP_BANK_OPT", GANG_OB_KIND_BIT, 31, 0, H7_TWO_BANKS },
	{ "BOOT_ADD0", GANG_OB_KIND_BYTE, 0, 16, H7_SINGLE },
	{ "BOOT_ADD1", GANG_OB_KIND_BYTE, 1, 16, H7_SINGLE },
	{ "BOOT_CM7_ADD0", GANG_OB_KIND_BYTE, 0, 16, H7_DUAL },
	{ "BOOT_CM7_ADD1", GANG_OB_KIND_BYTE, 1, 16, H7_DUAL },
	{ "BOOT_CM4_ADD0", GANG_OB_KIND_BYTE, 2, 16, H7_DUAL },
	{ "BOOT_CM4_ADD1", GANG_OB_KIND_BYTE, 3, 16, H7_DUAL },
	{ "WRPSN", GANG_OB_KIND_WRP, 0, 0, 0 },
	{ NULL, GANG_OB_KIND_RDP, 0, 0, 0 },
};

/* ob_classes[H7_SINGLE], [H7_DUAL], [H7_TWO_BANKS]: the parts a refusal names. */
const char *const gang_fpec_h7_ob_classes[] = {
	[H7_SINGLE] = "single-core H742/H743/H750/H753 and H72x/H73x",
	[H7_DUAL] = "dual-core H745/H747/H755/H757",
	[H7_TWO_BANKS] = "two-bank H742/H743/H745/H747/H753/H755/H757 with 2 x 1 MiB (its banks to swap)",
};

const gang_ob_field *gang_fpec_h7_ob_fields(const gang_family *f)
{
	(void)f;
	return h7_ob_fields;
}

unsigned gang_fpec_h7_ob_part_class(const gang_part *p)
{
	return (gang_part_h7_dual_core(p) ? H7_DUAL : H7_SINGLE) | (gang_fpec_h7_dual_bank(p) ? H7_TWO_BANKS : 0U);
}

void gang_fpec_h7_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	uint32_t optsr = gang_le32_get(raw), boot = gang_le32_get(raw + 4), boot4 = gang_le32_get(raw + 12);

	out->rdp = (uint8_t)(optsr >> H7_OPTSR_RDP_SHIFT);
	out->rdp_level = out->rdp == f->rdp_level0 ? 0 : out->rdp == f->rdp_level2 ? 2 : 1;
	out->user = optsr & H7_USER_MASK;
	out->data0 = (uint16_t)boot;
	out->data1 = (uint16_t)(boot >> 16);
	out->more[0] = boot4 & 0xFFFFU;
	out->more[1] = boot4 >> 16;
	out->wrp = (gang_le32_get(raw + 8) & H7_WRPSN_BOTH) | ~H7_WRPSN_BOTH;
	out->opterr = false;
}

void gang_fpec_h7_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	(void)f;
	for (unsigned i = 0; i < GANG_OB_RAW_LEN; i++)
		raw[i] = 0;
	gang_le32_put(raw, (ob->user & H7_USER_MASK) | (uint32_t)ob->rdp << H7_OPTSR_RDP_SHIFT);
	gang_le32_put(raw + 4, (uint32_t)ob->data0 | (uint32_t)ob->data1 << 16);
	gang_le32_put(raw + 8, ob->wrp & H7_WRPSN_BOTH);
	gang_le32_put(raw + 12, (ob->more[0] & 0xFFFFU) | (ob->more[1] & 0xFFFFU) << 16);
}

/* With SWAP_BANK_OPT the operator is told which bank answers (and boots) where (RM0433 §4.3.13). */
void gang_fpec_h7_ob_note(char *out, size_t cap, const gang_ob *ob, const gang_part *p)
{
	out[0] = '\0';
	if ((ob->user & H7_SWAP_BANK_OPT) && gang_fpec_h7_dual_bank(p))
		snprintf(out, cap, "banks swapped: bank 2 answers at 0x08000000 (the boot address), bank 1 at "
			 "0x08100000; images, serials and WRPSN sectors count addresses as the board answers");
}

/*
 * A change of SWAP_BANK_OPT moves every sector to the other address
 * (RM0433 §4.3.13) while WRPSN stays with the physical sector. gang's WRP
 * bits count sectors in the map the written option bytes set up, so a
 * protection in force would, after the swap, sit under other addresses
 * than the ones it was given for, and the plan cannot tell a protection
 * given again from one left as it was. The stricter rule: a swap only
 * from or to a board with nothing write-protected.
 */
int gang_fpec_h7_ob_policy(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o,
			   const gang_family *f, gang_diag *d)
{
	(void)o, (void)f;
	if (!((cur->user ^ next->user) & H7_SWAP_BANK_OPT) || (cur->wrp & H7_WRPSN_BOTH) == H7_WRPSN_BOTH ||
	    (next->wrp & H7_WRPSN_BOTH) == H7_WRPSN_BOTH)
		return GANG_OK;
	return gang_diag_set(d, GANG_EUSAGE, "SWAP_BANK_OPT = %u exchanges the banks while sectors are "
			     "write-protected (WRPSN=0x%04X), and the protection stays with the physical sectors: "
			     "remove it in the same write (wrp_pages = \"none\", --wrp none), then protect the "
			     "sectors as the swapped banks answer", (unsigned)(next->user >> 31),
			     (unsigned)(cur->wrp & H7_WRPSN_BOTH));
}

int gang_fpec_h7_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	return gang_ob_rdp_levels(out, level, f, H7_RDP_LEVEL1, d);
}
