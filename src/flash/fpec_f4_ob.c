/*
 * fpec_f4_ob.c — how the F2/F4/F7 families keep their option bytes: in
 * the FLASH_OPTCR (and OPTCR1) registers of the sector controller, loaded
 * from the option area at reset, as named fields. The raw block the
 * generic layer (ob.c) sees is OPTCR then OPTCR1, little-endian.
 *
 * Facts: RM0090 §3.9.10-11 (F4 OPTCR: BOR_LEV[3:2], BFB2 b4 and DB1M b30
 * on F42x/F43x, WDG_SW b5, nRST_STOP b6, nRST_STDBY b7, RDP[15:8],
 * nWRP[27:16]; OPTCR1 nWRP[27:16] for bank 2's sectors 12-23), RM0033
 * §2.4.7 (F2: the F4 layout without BFB2/DB1M), RM0410 §3.7.7-8 (F7
 * OPTCR: WWDG_SW b4, IWDG_SW b5, nDBOOT b28, nDBANK b29, IWDG_STDBY b30,
 * IWDG_STOP b31; OPTCR1 BOOT_ADD0[15:0], BOOT_ADD1[31:16]); RDP 0xAA
 * level 0, 0xCC level 2, anything else level 1 (RM0090 §3.7.3).
 */
#include "flash/fpec_f4.h"
#include "core/bytes.h"

#define F4_RDP_LEVEL1        0x55U     /* any value but 0xAA and 0xCC */
#define F4_USER_MASK_F2      0x000000FCU
#define F4_USER_MASK_F4      0x400000FCU
#define F4_USER_MASK_F7      0xF00000FCU

static const gang_ob_field f4_ob_fields_f2[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 },        { "BOR_LEV", GANG_OB_KIND_BIT, 2, 2 },
	{ "WDG_SW", GANG_OB_KIND_BIT, 5, 0 },     { "nRST_STOP", GANG_OB_KIND_BIT, 6, 0 },
	{ "nRST_STDBY", GANG_OB_KIND_BIT, 7, 0 }, { "nWRP", GANG_OB_KIND_WRP, 0, 0 },
	{ NULL, GANG_OB_KIND_RDP, 0, 0 },
};
static const gang_ob_field f4_ob_fields_f4[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 },        { "BOR_LEV", GANG_OB_KIND_BIT, 2, 2 },
	{ "BFB2", GANG_OB_KIND_BIT, 4, 0 },       { "WDG_SW", GANG_OB_KIND_BIT, 5, 0 },
	{ "nRST_STOP", GANG_OB_KIND_BIT, 6, 0 },  { "nRST_STDBY", GANG_OB_KIND_BIT, 7, 0 },
	{ "DB1M", GANG_OB_KIND_BIT, 30, 0 },      { "nWRP", GANG_OB_KIND_WRP, 0, 0 },
	{ NULL, GANG_OB_KIND_RDP, 0, 0 },
};
static const gang_ob_field f4_ob_fields_f7[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 },        { "BOR_LEV", GANG_OB_KIND_BIT, 2, 2 },
	{ "WWDG_SW", GANG_OB_KIND_BIT, 4, 0 },    { "IWDG_SW", GANG_OB_KIND_BIT, 5, 0 },
	{ "nRST_STOP", GANG_OB_KIND_BIT, 6, 0 },  { "nRST_STDBY", GANG_OB_KIND_BIT, 7, 0 },
	{ "nDBOOT", GANG_OB_KIND_BIT, 28, 0 },    { "nDBANK", GANG_OB_KIND_BIT, 29, 0 },
	{ "IWDG_STDBY", GANG_OB_KIND_BIT, 30, 0 },{ "IWDG_STOP", GANG_OB_KIND_BIT, 31, 0 },
	{ "BOOT_ADD0", GANG_OB_KIND_BYTE, 0, 16 },{ "BOOT_ADD1", GANG_OB_KIND_BYTE, 1, 16 },
	{ "nWRP", GANG_OB_KIND_WRP, 0, 0 },       { NULL, GANG_OB_KIND_RDP, 0, 0 },
};

const gang_ob_field *gang_fpec_f4_ob_fields(const gang_family *f)
{
	if (f->flash.flags & GANG_CTRL_F7_OPTCR)
		return f4_ob_fields_f7;
	return (f->flash.flags & GANG_CTRL_F4_BANKS) ? f4_ob_fields_f4 : f4_ob_fields_f2;
}

uint32_t gang_fpec_f4_user_mask(const gang_family *f)
{
	if (f->flash.flags & GANG_CTRL_F7_OPTCR)
		return F4_USER_MASK_F7;
	return (f->flash.flags & GANG_CTRL_F4_BANKS) ? F4_USER_MASK_F4 : F4_USER_MASK_F2;
}

void gang_fpec_f4_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	uint32_t optcr = gang_le32_get(raw), optcr1 = gang_le32_get(raw + 4);
	uint32_t nwrp = (optcr >> F4_OPTCR_NWRP_SHIFT) & F4_NWRP_BITS;

	out->rdp = (uint8_t)(optcr >> F4_OPTCR_RDP_SHIFT);
	out->rdp_level = out->rdp == f->rdp_level0 ? 0 : out->rdp == f->rdp_level2 ? 2 : 1;
	out->user = optcr & gang_fpec_f4_user_mask(f);
	out->opterr = false;
	if (f->flash.flags & GANG_CTRL_F7_OPTCR) {
		out->data0 = (uint16_t)optcr1;
		out->data1 = (uint16_t)(optcr1 >> 16);
		out->wrp = nwrp | ~F4_NWRP_BITS;
	} else {
		out->data0 = out->data1 = 0;
		out->wrp = nwrp | ((optcr1 >> F4_OPTCR_NWRP_SHIFT) & F4_NWRP_BITS) << F4_BANK_SECTORS |
			   0xFF000000U;
	}
}

void gang_fpec_f4_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	uint32_t optcr = (ob->user & gang_fpec_f4_user_mask(f)) | (uint32_t)ob->rdp << F4_OPTCR_RDP_SHIFT |
			 (ob->wrp & F4_NWRP_BITS) << F4_OPTCR_NWRP_SHIFT;
	uint32_t optcr1;

	if (f->flash.flags & GANG_CTRL_F7_OPTCR)
		optcr1 = (uint32_t)ob->data0 | (uint32_t)ob->data1 << 16;
	else
		optcr1 = ((ob->wrp >> F4_BANK_SECTORS) & F4_NWRP_BITS) << F4_OPTCR_NWRP_SHIFT;
	for (unsigned i = 0; i < GANG_OB_RAW_LEN; i++)
		raw[i] = 0;
	gang_le32_put(raw, optcr);
	gang_le32_put(raw + 4, optcr1);
}

int gang_fpec_f4_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	return gang_ob_rdp_levels(out, level, f, F4_RDP_LEVEL1, d);
}
