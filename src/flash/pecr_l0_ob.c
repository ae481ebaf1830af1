/*
 * pecr_l0_ob.c — how the L0/L1 families keep their option bytes: 32-bit
 * words at 0x1FF80000, each a 16-bit value in [15:0] with its complement in
 * [31:16], as named fields. The raw block the generic layer (ob.c) sees is
 * the first four words (RDP, USER, WRP01, WRP23), little-endian.
 *
 * Facts: RM0377 §3.4.1 (L0: word 0 RDPROT[7:0] and WPRMOD b8; word 1
 * BOR_LEV[3:0], WDG_SW b4, nRST_STOP b5, nRST_STDBY b6, BFB2 b7 (Cat.5),
 * nBOOT1 b15, seen in FLASH_OPTR[31:16]; WRPROTx one bit per 4 KiB sector,
 * 1 = protected while WPRMOD = 0), RM0038 §3.8 (L1: the same words without
 * WPRMOD and BOOT1, WRP bit 1 = protected, one bit per 16 pages); RDP 0xAA
 * level 0, 0xCC level 2, any other value level 1 (RM0377 §3.4.4; L1's
 * exact set unverified). A value whose complement does not match is an
 * OPTVERR at load (RM0377 §3.7.8).
 */
#include "flash/pecr_l0.h"
#include "core/bytes.h"

#define L0_OB_RDP            0U
#define L0_OB_USER           1U
#define L0_OB_WRP01          2U
#define L0_OB_WRP23          3U
#define L0_RDP_LEVEL1        0xBBU     /* any value but 0xAA and 0xCC */
#define L0_WPRMOD_USER_BIT   16U       /* gang_ob.user: WPRMOD kept above the USER word's 16 bits */

static const gang_ob_field l0_ob_fields_l0[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 },        { "BOR_LEV", GANG_OB_KIND_BIT, 0, 4 },
	{ "IWDG_SW", GANG_OB_KIND_BIT, 4, 0 },    { "nRST_STOP", GANG_OB_KIND_BIT, 5, 0 },
	{ "nRST_STDBY", GANG_OB_KIND_BIT, 6, 0 }, { "BFB2", GANG_OB_KIND_BIT, 7, 0 },
	{ "nBOOT1", GANG_OB_KIND_BIT, 15, 0 },    { "WPRMOD", GANG_OB_KIND_BIT, L0_WPRMOD_USER_BIT, 0 },
	{ "WRP", GANG_OB_KIND_WRP, 0, 0 },        { NULL, GANG_OB_KIND_RDP, 0, 0 },
};
static const gang_ob_field l0_ob_fields_l1[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 },        { "BOR_LEV", GANG_OB_KIND_BIT, 0, 4 },
	{ "IWDG_SW", GANG_OB_KIND_BIT, 4, 0 },    { "nRST_STOP", GANG_OB_KIND_BIT, 5, 0 },
	{ "nRST_STDBY", GANG_OB_KIND_BIT, 6, 0 }, { "BFB2", GANG_OB_KIND_BIT, 7, 0 },
	{ "WRP", GANG_OB_KIND_WRP, 0, 0 },        { NULL, GANG_OB_KIND_RDP, 0, 0 },
};

static bool l0_is_l0(const gang_family *f)
{
	const gang_pecr_family *pf = gang_pecr_l0_family(f);

	return pf != NULL && pf->l0_optr;
}

const gang_ob_field *gang_pecr_l0_ob_fields(const gang_family *f)
{
	return l0_is_l0(f) ? l0_ob_fields_l0 : l0_ob_fields_l1;
}

/* The 16-bit value of option word i; *ok false when its complement does not match. */
static uint16_t l0_ob_value(bool *ok, const uint8_t *raw, unsigned i)
{
	uint32_t w = gang_le32_get(raw + 4U * i);

	*ok = (uint16_t)(w ^ (w >> 16)) == 0xFFFFU;
	return (uint16_t)w;
}

void gang_pecr_l0_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	bool ok[L0_OB_WORDS];
	uint16_t v[L0_OB_WORDS];

	for (unsigned i = 0; i < L0_OB_WORDS; i++)
		v[i] = l0_ob_value(&ok[i], raw, i);
	/* WRP23 exists only above 64 KiB of flash: a part without it reads no pair there */
	if (!ok[L0_OB_WRP23])
		v[L0_OB_WRP23] = 0;
	out->opterr = !ok[L0_OB_RDP] || !ok[L0_OB_USER] || !ok[L0_OB_WRP01];
	out->rdp = (uint8_t)v[L0_OB_RDP];
	out->rdp_level = out->rdp == f->rdp_level0 ? 0 : out->rdp == f->rdp_level2 ? 2 : 1;
	out->user = v[L0_OB_USER];
	if (l0_is_l0(f))
		out->user |= (uint32_t)((v[L0_OB_RDP] >> 8) & 1U) << L0_WPRMOD_USER_BIT;
	out->data0 = out->data1 = 0;
	/* the hardware's WRP bit 1 protects; gang_ob.wrp keeps the FPEC sense (bit 0 protects) */
	out->wrp = ~((uint32_t)v[L0_OB_WRP01] | (uint32_t)v[L0_OB_WRP23] << 16);
}

static uint32_t l0_ob_word(uint16_t v)
{
	return (uint32_t)v | (uint32_t)(uint16_t)~v << 16;
}

void gang_pecr_l0_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	uint16_t rdp = ob->rdp, wrp = (uint16_t)~ob->wrp, wrp23 = (uint16_t)(~ob->wrp >> 16);

	if (l0_is_l0(f))
		rdp |= (uint16_t)(((ob->user >> L0_WPRMOD_USER_BIT) & 1U) << 8);
	for (unsigned i = 0; i < GANG_OB_RAW_LEN; i++)
		raw[i] = 0;
	gang_le32_put(raw + 4U * L0_OB_RDP, l0_ob_word(rdp));
	gang_le32_put(raw + 4U * L0_OB_USER, l0_ob_word((uint16_t)ob->user));
	gang_le32_put(raw + 4U * L0_OB_WRP01, l0_ob_word(wrp));
	gang_le32_put(raw + 4U * L0_OB_WRP23, l0_ob_word(wrp23));
}

int gang_pecr_l0_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	return gang_ob_rdp_levels(out, level, f, L0_RDP_LEVEL1, d);
}
