/*
 * fpec_l4_ob.c — how G0/G4/L4/L4+/WB/WL/C0 keep their option bytes: in
 * FLASH_OPTR and the write-protection area registers of the double-word
 * controller, loaded from the option area at reset or OBL_LAUNCH, as
 * named fields. The raw block the generic layer (ob.c) sees is OPTR,
 * WRP1AR, WRP1BR, little-endian. A WRP area is the field WRP1A (WRP1B):
 * its end page in bits 15:8 and its start page in bits 7:0 (the register's
 * WRP1A_END and WRP1A_STRT, as wide as the family has them); the area
 * protects start..end and is off when start > end (RM0351 §3.5.2).
 *
 * Facts, FLASH_OPTR bit positions: RM0351 §3.7.8 (L4: BOR_LEV[10:8],
 * nRST_STOP b12, nRST_STDBY b13, nRST_SHDW b14, IWDG_SW b16, IWDG_STOP b17,
 * IWDG_STDBY b18, WWDG_SW b19, BFB2 b20, DUALBANK b21, nBOOT1 b23,
 * SRAM2_PE b24, SRAM2_RST b25, nSWBOOT0 b26 and nBOOT0 b27 (L43x/L45x/L49x,
 * RM0394; reserved on L47x: unverified)); RM0432 (L4+: the L4 layout with
 * DB1M b21 and DBANK b22); RM0440 (G4: the L4 layout with DBANK b22,
 * NRST_MODE[29:28], IRHEN b30, SRAM_PE b24, CCMSRAM_RST b25); RM0444 §3.7.8
 * (G0: BOR_EN b8, BORR_LEV[10:9], BORF_LEV[12:11], nRST_STOP b13,
 * nRST_STDBY b14, nRST_SHDW b15, IWDG_SW b16, IWDG_STOP b17, IWDG_STDBY
 * b18, WWDG_SW b19, nSWAP_BANK b20, DUAL_BANK b21, RAM_PARITY_CHECK b22,
 * nBOOT_SEL b24, nBOOT1 b25, nBOOT0 b26, NRST_MODE[28:27], IRHEN b29);
 * RM0490 (C0: taken as the G0 layout without the bank and shutdown bits;
 * unverified); RM0434 and RM0461 (WB/WL: BOR_LEV[11:9], nRST_STOP b12,
 * nRST_STDBY b13, nRST_SHDW b14, the watchdog bits b16-b19, nBOOT1 b23,
 * SRAM2_PE b24, SRAM2_RST b25, nSWBOOT0 b26, nBOOT0 b27; ESE b8 and the WL
 * BOOT_LOCK stay out of reach: they belong to CPU2's security). RDP is
 * OPTR[7:0]: 0xAA level 0, 0xCC level 2, anything else level 1.
 */
#include "flash/fpec_l4.h"
#include "core/bytes.h"

#include <string.h>

#define L4_RDP_LEVEL1        0xBBU     /* any value but 0xAA and 0xCC */

#define L4_F_RDP  { "RDP", GANG_OB_KIND_RDP, 0, 0 }
#define L4_F_WRP  { "WRP1A", GANG_OB_KIND_BYTE, 0, 16 }, { "WRP1B", GANG_OB_KIND_BYTE, 1, 16 }
#define L4_F_END  { NULL, GANG_OB_KIND_RDP, 0, 0 }
#define L4_F(name, bit, width) { name, GANG_OB_KIND_BIT, (bit), (width) }
/* the watchdog bits every family here has at b16-b19 */
#define L4_F_WDG  L4_F("IWDG_SW", 16, 0), L4_F("IWDG_STOP", 17, 0), L4_F("IWDG_STDBY", 18, 0), \
	L4_F("WWDG_SW", 19, 0)
/* L4, L4+, G4: the reset and boot bits around them */
#define L4_F_L4   L4_F("BOR_LEV", 8, 3), L4_F("nRST_STOP", 12, 0), L4_F("nRST_STDBY", 13, 0), \
	L4_F("nRST_SHDW", 14, 0), L4_F_WDG, L4_F("BFB2", 20, 0), L4_F("nBOOT1", 23, 0), \
	L4_F("nSWBOOT0", 26, 0), L4_F("nBOOT0", 27, 0)
#define L4_F_G0   L4_F("BOR_EN", 8, 0), L4_F("BORR_LEV", 9, 2), L4_F("BORF_LEV", 11, 2), \
	L4_F("nRST_STOP", 13, 0), L4_F("nRST_STDBY", 14, 0), L4_F_WDG, L4_F("RAM_PARITY_CHECK", 22, 0), \
	L4_F("nBOOT_SEL", 24, 0), L4_F("nBOOT1", 25, 0), L4_F("nBOOT0", 26, 0), L4_F("NRST_MODE", 27, 2), \
	L4_F("IRHEN", 29, 0)

static const gang_ob_field l4_fields_l4[] = {
	L4_F_RDP, L4_F_L4, L4_F("DUALBANK", 21, 0), L4_F("SRAM2_PE", 24, 0), L4_F("SRAM2_RST", 25, 0),
	L4_F_WRP, L4_F_END,
};
static const gang_ob_field l4_fields_l4p[] = {
	L4_F_RDP, L4_F_L4, L4_F("DB1M", 21, 0), L4_F("DBANK", 22, 0), L4_F("SRAM2_PE", 24, 0),
	L4_F("SRAM2_RST", 25, 0), L4_F_WRP, L4_F_END,
};
static const gang_ob_field l4_fields_g4[] = {
	L4_F_RDP, L4_F_L4, L4_F("DBANK", 22, 0), L4_F("SRAM_PE", 24, 0), L4_F("CCMSRAM_RST", 25, 0),
	L4_F("NRST_MODE", 28, 2), L4_F("IRHEN", 30, 0), L4_F_WRP, L4_F_END,
};
static const gang_ob_field l4_fields_g0[] = {
	L4_F_RDP, L4_F_G0, L4_F("nRST_SHDW", 15, 0), L4_F("nSWAP_BANK", 20, 0), L4_F("DUAL_BANK", 21, 0),
	L4_F_WRP, L4_F_END,
};
static const gang_ob_field l4_fields_c0[] = {
	L4_F_RDP, L4_F_G0, L4_F_WRP, L4_F_END,
};
static const gang_ob_field l4_fields_wb[] = {
	L4_F_RDP, L4_F("BOR_LEV", 9, 3), L4_F("nRST_STOP", 12, 0), L4_F("nRST_STDBY", 13, 0),
	L4_F("nRST_SHDW", 14, 0), L4_F_WDG, L4_F("nBOOT1", 23, 0), L4_F("SRAM2_PE", 24, 0),
	L4_F("SRAM2_RST", 25, 0), L4_F("nSWBOOT0", 26, 0), L4_F("nBOOT0", 27, 0), L4_F_WRP, L4_F_END,
};

/*
 * The family's list and the width of a WRP area's page numbers (WRP1A_STRT
 * [n:0], WRP1A_END [16+n:16]: 8 bits on L4/L4+/WB (RM0351 §3.7.10, RM0434),
 * 7 on G4, G0 and WL (RM0440, RM0444 §3.7.10 for G0B1, RM0461), 4 on C0
 * (RM0490); the other bits are reserved and kept), by name: the controller
 * flags do not tell L4 from WL.
 */
typedef struct l4_fields_row {
	const char *family;
	const gang_ob_field *fields;
	uint32_t wrp_page_mask;
} l4_fields_row;

static const l4_fields_row l4_fields_by_family[] = {
	{ "L4", l4_fields_l4, 0xFFU }, { "L4+", l4_fields_l4p, 0xFFU }, { "G4", l4_fields_g4, 0x7FU },
	{ "G0", l4_fields_g0, 0x7FU }, { "C0", l4_fields_c0, 0x0FU }, { "WB", l4_fields_wb, 0xFFU },
	{ "WL", l4_fields_wb, 0x7FU },
};

static const l4_fields_row *l4_row(const gang_family *f)
{
	for (size_t i = 0; i < sizeof(l4_fields_by_family) / sizeof(l4_fields_by_family[0]); i++)
		if (strcmp(l4_fields_by_family[i].family, f->name) == 0)
			return &l4_fields_by_family[i];
	return &l4_fields_by_family[0];
}

const gang_ob_field *gang_fpec_l4_ob_fields(const gang_family *f)
{
	return l4_row(f)->fields;
}

uint32_t gang_fpec_l4_wrp_bits(const gang_family *f)
{
	uint32_t m = l4_row(f)->wrp_page_mask;

	return m | m << L4_WRP_END_SHIFT;
}

uint32_t gang_fpec_l4_user_mask(const gang_family *f)
{
	return gang_ob_bit_mask(gang_fpec_l4_ob_fields(f));
}

/* WRPxyR (start [n:0], end [16+n:16]) as the 16-bit field value (end << 8 | start), and back. */
static uint16_t l4_wrp_field(uint32_t reg, const gang_family *f)
{
	uint32_t m = l4_row(f)->wrp_page_mask;

	return (uint16_t)((reg & m) | ((reg >> L4_WRP_END_SHIFT) & m) << 8);
}

static uint32_t l4_wrp_reg(uint16_t field, const gang_family *f)
{
	return ((uint32_t)(field & 0xFFU) | (uint32_t)(field >> 8) << L4_WRP_END_SHIFT) & gang_fpec_l4_wrp_bits(f);
}

void gang_fpec_l4_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	uint32_t optr = gang_le32_get(raw);

	out->rdp = (uint8_t)(optr & L4_OPTR_RDP);
	out->rdp_level = out->rdp == f->rdp_level0 ? 0 : out->rdp == f->rdp_level2 ? 2 : 1;
	out->user = optr & gang_fpec_l4_user_mask(f);
	out->data0 = l4_wrp_field(gang_le32_get(raw + 4), f);
	out->data1 = l4_wrp_field(gang_le32_get(raw + 8), f);
	out->wrp = UINT32_MAX;     /* no bit-per-page protection on this controller: the areas are WRP1A/B */
	out->opterr = false;
}

void gang_fpec_l4_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	for (unsigned i = 0; i < GANG_OB_RAW_LEN; i++)
		raw[i] = 0;
	gang_le32_put(raw, (ob->user & gang_fpec_l4_user_mask(f)) | ob->rdp);
	gang_le32_put(raw + 4, l4_wrp_reg(ob->data0, f));
	gang_le32_put(raw + 8, l4_wrp_reg(ob->data1, f));
}

int gang_fpec_l4_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	return gang_ob_rdp_levels(out, level, f, L4_RDP_LEVEL1, d);
}
