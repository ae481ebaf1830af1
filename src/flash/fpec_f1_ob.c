/*
 * fpec_f1_ob.c — how the F0/F1/F3 family stores its option bytes: the
 * 16-byte block of value/complement pairs at 0x1FFFF800, the RDP bytes
 * per level, and the family's named fields. The generic layer (ob.c)
 * plans and checks in terms of gang_ob and field names only.
 *
 * Facts: PM0075 option bytes (RM0091 §4 for F0/F3): RDP at +0 (F1: 0xA5 =
 * level 0, anything else level 1; F0/F3: 0xAA level 0, 0xCC level 2, else
 * level 1), USER +2, Data0/1 +4/+6, WRP0..3 +8..+E (bit = 0 protected);
 * each low byte has its complement in the high byte, a mismatch reads as
 * 0xFF (OPTERR). USER bits: b0 WDG_SW, b1 nRST_STOP, b2 nRST_STDBY (F1,
 * PM0075), plus b4 nBOOT1 on F0 (RM0091 §4) and F3 (RM0316).
 */
#include "flash/fpec_f1.h"

#define F1_OB_RDP    0U
#define F1_OB_USER   1U
#define F1_OB_DATA0  2U
#define F1_OB_DATA1  3U
#define F1_OB_WRP0   4U
#define F1_OB_N      8U
#define F1_RDP_LEVEL1 0x00U   /* F1: any value but 0xA5 */
#define F0_RDP_LEVEL1 0xBBU   /* F0/F3: any value but 0xAA and 0xCC */

static const gang_ob_field f1_ob_fields_f1[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0 },       { "WDG_SW", GANG_OB_KIND_BIT, 0 },
	{ "nRST_STOP", GANG_OB_KIND_BIT, 1 }, { "nRST_STDBY", GANG_OB_KIND_BIT, 2 },
	{ "Data0", GANG_OB_KIND_BYTE, 0 },    { "Data1", GANG_OB_KIND_BYTE, 1 },
	{ "WRP", GANG_OB_KIND_WRP, 0 },       { NULL, GANG_OB_KIND_RDP, 0 },
};
static const gang_ob_field f1_ob_fields_f0f3[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0 },       { "WDG_SW", GANG_OB_KIND_BIT, 0 },
	{ "nRST_STOP", GANG_OB_KIND_BIT, 1 }, { "nRST_STDBY", GANG_OB_KIND_BIT, 2 },
	{ "nBOOT1", GANG_OB_KIND_BIT, 4 },    { "Data0", GANG_OB_KIND_BYTE, 0 },
	{ "Data1", GANG_OB_KIND_BYTE, 1 },    { "WRP", GANG_OB_KIND_WRP, 0 },
	{ NULL, GANG_OB_KIND_RDP, 0 },
};

const gang_ob_field *gang_fpec_f1_ob_fields(const gang_family *f)
{
	return (f->flash.flags & GANG_CTRL_OBR_LEVEL2) ? f1_ob_fields_f0f3 : f1_ob_fields_f1;
}

static int f1_ob_level_of(uint8_t rdp, const gang_family *f)
{
	if (rdp == f->rdp_level0)
		return 0;
	if (f->rdp_level2 != 0 && rdp == f->rdp_level2)
		return 2;
	return 1;
}

void gang_fpec_f1_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	uint8_t v[F1_OB_N];

	out->opterr = false;
	for (unsigned i = 0; i < F1_OB_N; i++) {
		bool ok = (uint8_t)(raw[2 * i] ^ raw[2 * i + 1]) == 0xFFU;
		v[i] = ok ? raw[2 * i] : 0xFFU;
		out->opterr |= !ok;
	}
	out->rdp = v[F1_OB_RDP];
	out->rdp_level = f1_ob_level_of(v[F1_OB_RDP], f);
	out->user = v[F1_OB_USER];
	out->data0 = v[F1_OB_DATA0];
	out->data1 = v[F1_OB_DATA1];
	out->wrp = (uint32_t)v[F1_OB_WRP0] | (uint32_t)v[F1_OB_WRP0 + 1] << 8 |
		   (uint32_t)v[F1_OB_WRP0 + 2] << 16 | (uint32_t)v[F1_OB_WRP0 + 3] << 24;
}

void gang_fpec_f1_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	uint8_t v[F1_OB_N] = { ob->rdp, (uint8_t)ob->user, (uint8_t)ob->data0, (uint8_t)ob->data1, (uint8_t)ob->wrp,
			       (uint8_t)(ob->wrp >> 8), (uint8_t)(ob->wrp >> 16), (uint8_t)(ob->wrp >> 24) };

	(void)f;   /* one layout for F0/F1/F3 */
	for (unsigned i = 0; i < F1_OB_N; i++) {
		raw[2 * i] = v[i];
		raw[2 * i + 1] = (uint8_t)~v[i];
	}
}

int gang_fpec_f1_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	if (level == 0)
		*out = f->rdp_level0;
	else if (level == 1)
		*out = (f->flash.flags & GANG_CTRL_OBR_LEVEL2) ? F0_RDP_LEVEL1 : F1_RDP_LEVEL1;
	else if (level == 2 && f->rdp_level2 != 0)
		*out = f->rdp_level2;
	else if (level == 2)
		return gang_diag_set(d, GANG_ENOTSUP, "RDP level 2 does not exist on the %s family",
				     f->name);
	else
		return gang_diag_set(d, GANG_EUSAGE, "RDP level %d: must be 0, 1 or 2", level);
	return GANG_OK;
}
