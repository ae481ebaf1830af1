/*
 * pecr_l0_ob.c — how the L0/L1 families keep their option bytes: 32-bit
 * words at 0x1FF80000, each a 16-bit value in [15:0] with its complement in
 * [31:16], as named fields, and the L0 PCROP rules. The raw block the
 * generic layer (ob.c) sees is RDP, USER, then the WRP half-words, one
 * word each, little-endian (L0_OB_WORDS; gang_pecr_l0_ob_off places them).
 *
 * Facts: RM0377 §3.4.1 (L0: word 0 RDPROT[7:0] and WPRMOD b8; word 1
 * BOR_LEV[3:0], WDG_SW b4, nRST_STOP b5, nRST_STDBY b6, BFB2 b7 (Cat.5),
 * nBOOT1 b15, seen in FLASH_OPTR[31:16]; WRPROT1 at 0x1FF80008/0C, WRPROT2
 * (Cat.5, sectors 32-47) at 0x1FF80010; one bit per 4 KiB sector), RM0038
 * §3.8.1 (L1: the same words without WPRMOD and BOOT1, WRP bit 1 =
 * protected, one bit per 16 pages of 256 bytes = 4 KiB; WRP1 at
 * 0x1FF80008/0C, WRP2 0x1FF80010/14 (Cat.3+), WRP3 0x1FF80018/1C (Cat.4+),
 * WRP4 0x1FF80080/84 (Cat.5/6, 512 KiB)); RDP 0xAA level 0, 0xCC level 2,
 * any other value level 1 (RM0377 §3.4.4; L1's exact set unverified). A
 * value whose complement does not match is an OPTVERR at load (RM0377
 * §3.7.8).
 * PCROP (RM0367 §3.4.4 and §3.8.2, the same in RM0377): WPRMOD = 1 turns
 * the WRPROT bits into read protection, and then a bit 0 protects its
 * sector (with WPRMOD = 0 a bit 1 write-protects it). PCROP can be
 * enabled at level 0 or 1, sectors added but not removed; only the RDP
 * regression from level 1 to 0 (which mass-erases the chip) removes it.
 */
#include "flash/pecr_l0.h"

#include <inttypes.h>
#include <string.h>

#include "core/bytes.h"

#define L0_OB_RDP            0U
#define L0_OB_USER           1U
#define L0_OB_WRP            2U        /* the first WRP half-word */
#define L0_OB_HALVES         (L0_OB_WORDS - L0_OB_WRP)
#define L0_OB_HIGH_OFF       0x80U     /* L1 Cat.5/6: WRP4 sits apart (RM0038 §3.8.1) */
#define L0_OB_LOW_WORDS      8U        /* words 0..7 at 0x00..0x1C */
#define L0_RDP_LEVEL1        0xBBU     /* any value but 0xAA and 0xCC */
#define L0_WPRMOD_RDP_BIT    8U
#define L0_PCROP_INDEX       3U        /* PCROP, PCROP2: gang_ob.more[1], more[2] */

static const gang_ob_field l0_ob_fields_l0[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 },        { "BOR_LEV", GANG_OB_KIND_BIT, 0, 4 },
	{ "IWDG_SW", GANG_OB_KIND_BIT, 4, 0 },    { "nRST_STOP", GANG_OB_KIND_BIT, 5, 0 },
	{ "nRST_STDBY", GANG_OB_KIND_BIT, 6, 0 }, { "BFB2", GANG_OB_KIND_BIT, 7, 0 },
	{ "nBOOT1", GANG_OB_KIND_BIT, 15, 0 },    { "WPRMOD", GANG_OB_KIND_BIT, L0_WPRMOD_USER_BIT, 0 },
	/* WRPROT1 (sectors 0-31), WRPROT2 (32-47) while WPRMOD = 0; bit = 0 protected, as every WRP */
	{ "WRP", GANG_OB_KIND_WRP, 0, 0 },        { "WRP2", GANG_OB_KIND_WRP, 2, 0 },
	/* the same bits while WPRMOD = 1: read-protected sectors, bit = 1 protected */
	{ "PCROP", GANG_OB_KIND_BYTE, L0_PCROP_INDEX, 32 },
	{ "PCROP2", GANG_OB_KIND_BYTE, L0_PCROP_INDEX + 1U, 16 },
	{ NULL, GANG_OB_KIND_RDP, 0, 0 },
};
static const gang_ob_field l0_ob_fields_l1[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 },        { "BOR_LEV", GANG_OB_KIND_BIT, 0, 4 },
	{ "IWDG_SW", GANG_OB_KIND_BIT, 4, 0 },    { "nRST_STOP", GANG_OB_KIND_BIT, 5, 0 },
	{ "nRST_STDBY", GANG_OB_KIND_BIT, 6, 0 }, { "BFB2", GANG_OB_KIND_BIT, 7, 0 },
	{ "WRP", GANG_OB_KIND_WRP, 0, 0 },        { "WRP2", GANG_OB_KIND_WRP, 2, 0 },
	{ "WRP3", GANG_OB_KIND_WRP, 3, 0 },       { "WRP4", GANG_OB_KIND_WRP, 4, 0 },
	{ NULL, GANG_OB_KIND_RDP, 0, 0 },
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

unsigned gang_pecr_l0_ob_words(const gang_part *p)
{
	unsigned sectors = p->flash_kib / L0_OB_SECTOR_KIB;
	unsigned n = L0_OB_WRP + (sectors + 15U) / 16U;

	return n < L0_OB_WORDS ? n : L0_OB_WORDS;
}

uint32_t gang_pecr_l0_ob_off(unsigned i)
{
	return i < L0_OB_LOW_WORDS ? 4U * i : L0_OB_HIGH_OFF + 4U * (i - L0_OB_LOW_WORDS);
}

/* The 16-bit value of option word i; *ok false when its complement does not match. */
static uint16_t l0_ob_value(bool *ok, const uint8_t *raw, unsigned i)
{
	uint32_t w = gang_le32_get(raw + 4U * i);

	*ok = (uint16_t)(w ^ (w >> 16)) == 0xFFFFU;
	return (uint16_t)w;
}

/* 32-sector words: L0 WRP, WRP2 (48 sectors at most), L1 WRP..WRP4 */
static unsigned l0_wrp_words(const gang_family *f)
{
	return l0_is_l0(f) ? 2U : GANG_OB_WRP_WORDS;
}

static bool l0_wprmod(const gang_ob *ob, const gang_family *f)
{
	return l0_is_l0(f) && ((ob->user >> L0_WPRMOD_USER_BIT) & 1U);
}

/* Sectors 32k..32k+31 as the WRPROT half-words hold them (bit 1 = set on silicon). */
static uint32_t l0_halves_get(const uint16_t *h, unsigned k)
{
	return (uint32_t)h[2U * k] | (uint32_t)h[2U * k + 1U] << 16;
}

void gang_pecr_l0_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	bool ok[L0_OB_WORDS];
	uint16_t v[L0_OB_WORDS], h[L0_OB_HALVES];
	uint32_t w[GANG_OB_WRP_WORDS];

	for (unsigned i = 0; i < L0_OB_WORDS; i++)
		v[i] = l0_ob_value(&ok[i], raw, i);
	out->opterr = !ok[L0_OB_RDP] || !ok[L0_OB_USER] || !ok[L0_OB_WRP];
	out->rdp = (uint8_t)v[L0_OB_RDP];
	out->rdp_level = out->rdp == f->rdp_level0 ? 0 : out->rdp == f->rdp_level2 ? 2 : 1;
	out->user = v[L0_OB_USER];
	if (l0_is_l0(f))
		out->user |= (uint32_t)((v[L0_OB_RDP] >> L0_WPRMOD_RDP_BIT) & 1U) << L0_WPRMOD_USER_BIT;
	out->data0 = out->data1 = 0;
	/* a half-word this part does not have reads as no pair: nothing protected in either mode */
	for (unsigned i = 0; i < L0_OB_HALVES; i++)
		h[i] = ok[L0_OB_WRP + i] ? v[L0_OB_WRP + i] : l0_wprmod(out, f) ? 0xFFFFU : 0U;
	for (unsigned k = 0; k < GANG_OB_WRP_WORDS; k++)
		w[k] = l0_halves_get(h, k);
	if (l0_wprmod(out, f)) {
		/* PCROP: a 0 protects; these sectors are not write-protected (RM0367 §3.8.2) */
		out->wrp = out->more[0] = 0xFFFFFFFFU;
		out->more[L0_PCROP_INDEX - 2U] = ~w[0];
		out->more[L0_PCROP_INDEX - 1U] = ~w[1] & 0xFFFFU;
		return;
	}
	/* the hardware's WRP bit 1 protects; gang_ob keeps the FPEC sense (bit 0 protects) */
	out->wrp = ~w[0];
	for (unsigned k = 1; k < l0_wrp_words(f); k++)
		out->more[k - 1U] = ~w[k];
}

static uint32_t l0_ob_word(uint16_t v)
{
	return (uint32_t)v | (uint32_t)(uint16_t)~v << 16;
}

/* The four 32-sector words as silicon stores them (bit 1 = set). */
static void l0_ob_sectors(uint32_t *w, const gang_ob *ob, const gang_family *f)
{
	if (l0_wprmod(ob, f)) {
		w[0] = ~ob->more[L0_PCROP_INDEX - 2U];
		w[1] = ~(ob->more[L0_PCROP_INDEX - 1U] & 0xFFFFU);
		w[2] = w[3] = 0xFFFFFFFFU;
		return;
	}
	w[0] = ~ob->wrp;
	for (unsigned k = 1; k < GANG_OB_WRP_WORDS; k++)
		w[k] = k < l0_wrp_words(f) ? ~ob->more[k - 1U] : 0U;
}

void gang_pecr_l0_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	uint16_t rdp = ob->rdp;
	uint32_t w[GANG_OB_WRP_WORDS];

	if (l0_is_l0(f))
		rdp |= (uint16_t)(((ob->user >> L0_WPRMOD_USER_BIT) & 1U) << L0_WPRMOD_RDP_BIT);
	l0_ob_sectors(w, ob, f);
	memset(raw, 0, GANG_OB_RAW_LEN);
	gang_le32_put(raw + 4U * L0_OB_RDP, l0_ob_word(rdp));
	gang_le32_put(raw + 4U * L0_OB_USER, l0_ob_word((uint16_t)ob->user));
	for (unsigned i = 0; i < L0_OB_HALVES; i++)
		gang_le32_put(raw + 4U * (L0_OB_WRP + i), l0_ob_word((uint16_t)(w[i / 2U] >> (16U * (i % 2U)))));
}

int gang_pecr_l0_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	return gang_ob_rdp_levels(out, level, f, L0_RDP_LEVEL1, d);
}

/* ---- PCROP policy (L0) --------------------------------------------------------------- */

static uint64_t l0_pcrop(const gang_ob *ob)
{
	return (uint64_t)ob->more[L0_PCROP_INDEX - 2U] | (uint64_t)(ob->more[L0_PCROP_INDEX - 1U] & 0xFFFFU) << 32;
}

static uint64_t l0_wrp_set(const gang_ob *ob)
{
	return (uint64_t)(uint32_t)~ob->wrp | (uint64_t)(~ob->more[0] & 0xFFFFU) << 32;
}

static bool l0_confirmed(const gang_ob_write_opts *o)
{
	return o && o->confirm_level2 && strcmp(o->confirm_level2, GANG_OB_LEVEL2_CONFIRM) == 0;
}

/* What the two modes of the WRPROT bits cannot hold at once. */
static int l0_pcrop_shape(const gang_ob *next, const gang_family *f, gang_diag *d)
{
	if (!l0_wprmod(next, f) && l0_pcrop(next))
		return gang_diag_set(d, GANG_EUSAGE, "PCROP sectors 0x%012" PRIX64 " need WPRMOD = 1 (with "
				     "WPRMOD = 0 the WRPROT bits write-protect instead); set PCROP = 0 and PCROP2 = 0 "
				     "with WPRMOD = 0 (RM0377 §3.4.1)", l0_pcrop(next));
	if (l0_wprmod(next, f) && l0_wrp_set(next))
		return gang_diag_set(d, GANG_EUSAGE, "WPRMOD = 1 turns the WRPROT bits into PCROP read "
				     "protection: no sector can stay write-protected (WRP sectors 0x%012" PRIX64
				     "); remove the write protection or keep WPRMOD = 0 (RM0377 §3.4.1)",
				     l0_wrp_set(next));
	return GANG_OK;
}

/* Removing PCROP: only the RDP 1 -> 0 regression does it, and it always does (RM0367 §3.4.4). */
static int l0_pcrop_removal(const gang_ob *cur, const gang_ob *next, const gang_family *f, gang_diag *d)
{
	bool regress = cur->rdp_level == 1 && next->rdp_level == 0;

	if (regress && l0_wprmod(next, f))
		return gang_diag_set(d, GANG_EUSAGE, "the RDP regression to level 0 removes PCROP with the "
				     "mass erase: set WPRMOD = 0 with it (RM0367 §3.4.4)");
	if (regress)
		return GANG_OK;
	if (!l0_wprmod(next, f))
		return gang_diag_set(d, GANG_EREAD_PROTECTED, "WPRMOD 1 -> 0 removes PCROP, which only the RDP "
				     "regression from level 1 to 0 does, erasing the chip (RM0367 §3.4.4); the chip "
				     "is at level %d: %s", cur->rdp_level, cur->rdp_level == 0 ? "set rdp = 1 first, "
				     "then rdp = 0 with allow_unprotect" : "set rdp = 0 with allow_unprotect");
	return gang_diag_set(d, GANG_EREAD_PROTECTED, "PCROP sectors 0x%012" PRIX64 " would be removed: "
			     "silicon adds PCROP sectors but never removes them except by the RDP regression "
			     "from level 1 to 0 with WPRMOD = 0 (RM0367 §3.4.4)",
			     l0_pcrop(cur) & ~l0_pcrop(next));
}

int gang_pecr_l0_ob_policy(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o,
			   const gang_family *f, gang_diag *d)
{
	bool was = l0_wprmod(cur, f), will = l0_wprmod(next, f);
	int err;

	if (!l0_is_l0(f))
		return GANG_OK;
	if ((err = l0_pcrop_shape(next, f, d)) < 0)
		return err;
	if (was && (!will || (l0_pcrop(cur) & ~l0_pcrop(next)) || (cur->rdp_level == 1 && next->rdp_level == 0)) &&
	    (err = l0_pcrop_removal(cur, next, f, d)) < 0)
		return err;
	if (will && (!was || (l0_pcrop(next) & ~l0_pcrop(cur))) && !l0_confirmed(o))
		return gang_diag_set(d, GANG_ELOCKED_FOREVER, "PCROP (WPRMOD = 1, sectors 0x%012" PRIX64 ") "
				     "can be undone only by an RDP regression that erases the whole chip; confirm "
				     "with exactly \"%s\"", l0_pcrop(next), GANG_OB_LEVEL2_CONFIRM);
	return GANG_OK;
}
