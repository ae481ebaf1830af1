/*
 * fpec_tz_ob.c — how L5/U5 keep their option bytes: FLASH_OPTR and the
 * area registers of the TrustZone controller (WRP1A/1B/2A/2B, the secure
 * watermarks SECWM1/2 and the hide-protection areas HDP1/2), loaded at
 * reset or OBL_LAUNCH, as named fields; RDP level 0.5; and the changes a
 * profile may only make with the family model's explicit confirmation
 * (flash/ob.h GANG_OB_LEVEL2_CONFIRM): RDP level 2, a U5 WRP area's UNLOCK
 * set to 0, and TZEN either way.
 *
 * An area is a field (WRP1A ... SECWM2) whose value is end << 8 | start,
 * page numbers of its bank; a WRP area protects start..end and a
 * watermark makes start..end secure, and either is off when start > end
 * (RM0438 §6.5.2 and §6.5.4, RM0456 §7.5.2 and §7.6.1). On U5,
 * WRPxy_UNLOCK = 0 locks that area for good (RM0456 §7.9.18; OpenOCD's
 * stm32l4x driver treats the bit as one-way too).
 *
 * Hide protection (HDP): FLASH_SECWMxR2 holds HDPxEN (b31) and HDPx_PEND
 * (b22:16, a page of bank x); the HDP area of bank x runs from the first
 * page of its secure watermark area (SECWMx_PSTRT) to HDPx_PEND, so it is
 * part of that secure area, and it exists only with TrustZone on (RM0438
 * §6.5 and §6.9 FLASH_SECWMxR2, RM0456 §7.5 and §7.9 FLASH_SECWMxR2; the
 * sub-section numbers and the exact wording are unverified; AN5347 lists
 * the HDP option bytes among the features that need TZEN = 1). gang names
 * them HDP1EN, HDP1_PEND, HDP2EN, HDP2_PEND and refuses an enabled HDP
 * area outside its watermark area. The U5's FLASH_SECHDPCR.HDPxACCDIS
 * (RM0456 §7.9) is a run-time bit the secure firmware sets, not an option
 * byte: gang leaves it alone.
 *
 * Facts, FLASH_OPTR: RM0438 §6.9.14 (L5: BOR_LEV[10:8], nRST_STOP b12,
 * nRST_STDBY b13, nRST_SHDW b14, IWDG_SW b16, IWDG_STOP b17, IWDG_STDBY
 * b18, WWDG_SW b19, SWAP_BANK b20, DB256K b21, DBANK b22, SRAM2_PE b24,
 * SRAM2_RST b25, nSWBOOT0 b26, nBOOT0 b27, PA15_PUPEN b28, TZEN b31);
 * RM0456 §7.9.15 (U5: the same up to b20, SRAM1345_RST b15, DUALBANK b21,
 * BKPRAM_ECC b22, SRAM3_ECC b23, SRAM2_ECC b24, SRAM2_RST b25, nSWBOOT0
 * b26, nBOOT0 b27, PA15_PUPEN b28, IO_VDD_HSLV b29, IO_VDDIO2_HSLV b30,
 * TZEN b31). RDP in OPTR[7:0]: 0xAA level 0, 0xCC level 2, 0x55 level 0.5
 * when TZEN = 1, anything else level 1; TZEN can be set at level 0 only
 * and cleared only with a regression to level 0, which erases the whole
 * flash (RM0438 §6.6.2, RM0456 §7.6.2). Level 0.5 exists only with TZEN =
 * 1; gang_ob.rdp_level holds it as GANG_OB_RDP_LEVEL05. 0 -> 0.5 and
 * 0.5 -> 1 are plain writes; 0.5 -> 0 is a regression that erases the
 * whole flash (flash/ob.c asks for the regression's permission, as for
 * 1 -> 0). Not done by gang: 1 -> 0.5 (a partial regression on U5 that
 * the OEM2 key can lock, AN5347; what it erases is unverified), and on U5
 * TZEN = 0 from level 0.5 (AN5347: that regression is for the L5 only).
 */
#include "flash/fpec_tz.h"
#include "core/bytes.h"

#include <inttypes.h>
#include <string.h>

#define TZ_RDP_LEVEL1        0xBBU     /* any value but 0xAA, 0xCC and (with TZEN) 0x55 */
#define TZ_PAGE_MASK         0x7FU     /* 128 pages per bank: L552 (DBANK = 1), U575/U585 */

#define TZ_F(name, bit, width) { name, GANG_OB_KIND_BIT, (bit), (width) }
#define TZ_A(name, slot, width) { name, GANG_OB_KIND_BYTE, (slot), (width) }
#define TZ_F_COMMON TZ_F("BOR_LEV", 8, 3), TZ_F("nRST_STOP", 12, 0), TZ_F("nRST_STDBY", 13, 0), \
	TZ_F("nRST_SHDW", 14, 0), TZ_F("IWDG_SW", 16, 0), TZ_F("IWDG_STOP", 17, 0), \
	TZ_F("IWDG_STDBY", 18, 0), TZ_F("WWDG_SW", 19, 0), TZ_F("SWAP_BANK", 20, 0)
#define TZ_F_BOOT TZ_F("SRAM2_RST", 25, 0), TZ_F("nSWBOOT0", 26, 0), TZ_F("nBOOT0", 27, 0), \
	TZ_F("PA15_PUPEN", 28, 0), TZ_F("TZEN", 31, 0)
#define TZ_F_AREAS TZ_A("WRP1A", 0, 15), TZ_A("WRP1B", 1, 15), TZ_A("WRP2A", 2, 15), TZ_A("WRP2B", 3, 15), \
	TZ_A("SECWM1", 4, 15), TZ_A("SECWM2", 5, 15)
/* HDPxEN and HDPx_PEND in gang_ob.more[8..11] (index 10..13) on both families */
#define TZ_F_HDP TZ_A("HDP1EN", 10, 1), TZ_A("HDP1_PEND", 11, 7), TZ_A("HDP2EN", 12, 1), TZ_A("HDP2_PEND", 13, 7)

static const gang_ob_field tz_fields_l5[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 }, TZ_F_COMMON, TZ_F("DB256K", 21, 0), TZ_F("DBANK", 22, 0),
	TZ_F("SRAM2_PE", 24, 0), TZ_F_BOOT, TZ_F_AREAS, TZ_F_HDP, { NULL, GANG_OB_KIND_RDP, 0, 0 },
};
static const gang_ob_field tz_fields_u5[] = {
	{ "RDP", GANG_OB_KIND_RDP, 0, 0 }, TZ_F_COMMON, TZ_F("SRAM1345_RST", 15, 0), TZ_F("DUALBANK", 21, 0),
	TZ_F("BKPRAM_ECC", 22, 0), TZ_F("SRAM3_ECC", 23, 0), TZ_F("SRAM2_ECC", 24, 0), TZ_F_BOOT,
	TZ_F("IO_VDD_HSLV", 29, 0), TZ_F("IO_VDDIO2_HSLV", 30, 0), TZ_F_AREAS,
	TZ_A("WRP1A_UNLOCK", 6, 1), TZ_A("WRP1B_UNLOCK", 7, 1), TZ_A("WRP2A_UNLOCK", 8, 1),
	TZ_A("WRP2B_UNLOCK", 9, 1), TZ_F_HDP, { NULL, GANG_OB_KIND_RDP, 0, 0 },
};

/* gang_ob.more slots: WRP2A, WRP2B, SECWM1, SECWM2, the four UNLOCK bits, HDP1EN, HDP1_PEND, HDP2EN, HDP2_PEND */
#define TZ_MORE_UNLOCK       4U
#define TZ_MORE_SECWM        2U
#define TZ_MORE_HDP          8U
#define TZ_HDP_PEND_MASK     0x7FU

static const char *const tz_area_names[TZ_AREAS] = { "WRP1A", "WRP1B", "WRP2A", "WRP2B", "SECWM1", "SECWM2" };

const uint32_t gang_fpec_tz_area_regs[TZ_AREAS] = {
	TZ_FLASH_WRP1AR, TZ_FLASH_WRP1BR, TZ_FLASH_WRP2AR, TZ_FLASH_WRP2BR, TZ_FLASH_SECWM1R1, TZ_FLASH_SECWM2R1,
};

const uint32_t gang_fpec_tz_hdp_regs[TZ_HDP_AREAS] = { TZ_FLASH_SECWM1R2, TZ_FLASH_SECWM2R2 };

bool gang_fpec_tz_has_unlock(const gang_family *f)
{
	return strcmp(f->name, "U5") == 0;
}

const gang_ob_field *gang_fpec_tz_ob_fields(const gang_family *f)
{
	return gang_fpec_tz_has_unlock(f) ? tz_fields_u5 : tz_fields_l5;
}

uint32_t gang_fpec_tz_user_mask(const gang_family *f)
{
	return gang_ob_bit_mask(gang_fpec_tz_ob_fields(f));
}

uint32_t gang_fpec_tz_page_mask(const gang_family *f)
{
	(void)f;
	return TZ_PAGE_MASK;
}

uint16_t gang_fpec_tz_area_field(uint32_t reg, const gang_family *f)
{
	uint32_t m = gang_fpec_tz_page_mask(f);

	return (uint16_t)((reg & m) | ((reg >> TZ_AREA_END_SHIFT) & m) << 8);
}

uint32_t gang_fpec_tz_area_reg(uint16_t field, const gang_family *f)
{
	uint32_t m = gang_fpec_tz_page_mask(f);

	return (field & m) | ((uint32_t)(field >> 8) & m) << TZ_AREA_END_SHIFT;
}

uint16_t gang_fpec_tz_hdp_half(uint32_t reg, const gang_family *f)
{
	(void)f;
	return (uint16_t)(((reg >> TZ_HDP_PEND_SHIFT) & TZ_HDP_PEND_MASK) | ((reg & TZ_HDP_EN) ? TZ_RAW_HDP_EN : 0U));
}

uint32_t gang_fpec_tz_hdp_reg(uint16_t half, const gang_family *f)
{
	(void)f;
	return (uint32_t)(half & TZ_HDP_PEND_MASK) << TZ_HDP_PEND_SHIFT | ((half & TZ_RAW_HDP_EN) ? TZ_HDP_EN : 0U);
}

/* The RDP level of OPTR: 0x55 is level 0.5 only with TZEN = 1 (RM0438 §6.6.2, RM0456 §7.6.2). */
static int tz_rdp_level(uint32_t optr, const gang_family *f)
{
	uint8_t rdp = (uint8_t)(optr & TZ_OPTR_RDP);

	if (rdp == TZ_RDP_LEVEL05 && (optr & TZ_OPTR_TZEN))
		return GANG_OB_RDP_LEVEL05;
	return rdp == f->rdp_level0 ? 0 : rdp == f->rdp_level2 ? 2 : 1;
}

void gang_fpec_tz_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	uint32_t optr = gang_le32_get(raw + TZ_RAW_OPTR);

	memset(out, 0, sizeof(*out));
	out->rdp = (uint8_t)(optr & TZ_OPTR_RDP);
	out->rdp_level = tz_rdp_level(optr, f);
	out->user = optr & gang_fpec_tz_user_mask(f);
	out->wrp = UINT32_MAX;     /* no bit-per-page protection: the areas are fields */
	for (unsigned i = 0; i < TZ_AREAS; i++) {
		uint16_t h = (uint16_t)(raw[TZ_RAW_AREA + 2U * i] | raw[TZ_RAW_AREA + 2U * i + 1U] << 8);
		uint16_t v = h & (TZ_PAGE_MASK | TZ_PAGE_MASK << 8);

		/* WRP1A and WRP1B in data0/data1, the other areas in more[] (the fields' slots) */
		if (i == 0)
			out->data0 = v;
		else if (i == 1)
			out->data1 = v;
		else
			out->more[i - 2U] = v;
		if (i < TZ_WRP_AREAS && gang_fpec_tz_has_unlock(f))
			out->more[TZ_MORE_UNLOCK + i] = (h & TZ_RAW_UNLOCK) ? 1U : 0U;
	}
	for (unsigned i = 0; i < TZ_HDP_AREAS; i++) {
		uint16_t h = (uint16_t)(raw[TZ_RAW_HDP + 2U * i] | raw[TZ_RAW_HDP + 2U * i + 1U] << 8);

		out->more[TZ_MORE_HDP + 2U * i] = (h & TZ_RAW_HDP_EN) ? 1U : 0U;
		out->more[TZ_MORE_HDP + 2U * i + 1U] = h & TZ_HDP_PEND_MASK;
	}
}

void gang_fpec_tz_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	uint32_t optr = (ob->user & gang_fpec_tz_user_mask(f)) | ob->rdp;

	memset(raw, 0, GANG_OB_RAW_LEN);
	for (unsigned i = 0; i < 4U; i++)
		raw[TZ_RAW_OPTR + i] = (uint8_t)(optr >> (8U * i));
	for (unsigned i = 0; i < TZ_AREAS; i++) {
		uint32_t v = i == 0 ? ob->data0 : i == 1 ? ob->data1 : ob->more[i - 2U];
		uint16_t h = (uint16_t)(v & (TZ_PAGE_MASK | TZ_PAGE_MASK << 8));

		if (i < TZ_WRP_AREAS && gang_fpec_tz_has_unlock(f) && ob->more[TZ_MORE_UNLOCK + i])
			h |= TZ_RAW_UNLOCK;
		raw[TZ_RAW_AREA + 2U * i] = (uint8_t)h;
		raw[TZ_RAW_AREA + 2U * i + 1U] = (uint8_t)(h >> 8);
	}
	for (unsigned i = 0; i < TZ_HDP_AREAS; i++) {
		uint16_t h = (uint16_t)(ob->more[TZ_MORE_HDP + 2U * i + 1U] & TZ_HDP_PEND_MASK);

		if (ob->more[TZ_MORE_HDP + 2U * i])
			h |= TZ_RAW_HDP_EN;
		raw[TZ_RAW_HDP + 2U * i] = (uint8_t)h;
		raw[TZ_RAW_HDP + 2U * i + 1U] = (uint8_t)(h >> 8);
	}
}

int gang_fpec_tz_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	if (level == GANG_OB_RDP_LEVEL05) {
		*out = TZ_RDP_LEVEL05;   /* level 0.5 with TZEN = 1: gang_fpec_tz_ob_policy checks it */
		return GANG_OK;
	}
	return gang_ob_rdp_levels(out, level, f, TZ_RDP_LEVEL1, d);
}

static bool tz_confirmed(const gang_ob_write_opts *o)
{
	return o && o->confirm_level2 && strcmp(o->confirm_level2, GANG_OB_LEVEL2_CONFIRM) == 0;
}

static uint32_t tz_area_value(const gang_ob *ob, unsigned i)
{
	return i == 0 ? ob->data0 : i == 1 ? ob->data1 : ob->more[i - 2U];
}

/* U5: an area whose UNLOCK is 0 never changes again; setting UNLOCK to 0 needs the confirmation. */
static int tz_unlock_policy(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o, gang_diag *d)
{
	for (unsigned i = 0; i < TZ_WRP_AREAS; i++) {
		bool was = cur->more[TZ_MORE_UNLOCK + i] != 0, will = next->more[TZ_MORE_UNLOCK + i] != 0;

		if (!was && (will || tz_area_value(cur, i) != tz_area_value(next, i)))
			return gang_diag_set(d, GANG_ELOCKED_FOREVER, "write-protection area %s is locked for "
					     "good (%s_UNLOCK = 0): it can never change again", tz_area_names[i],
					     tz_area_names[i]);
		if (was && !will && !tz_confirmed(o))
			return gang_diag_set(d, GANG_ELOCKED_FOREVER, "%s_UNLOCK = 0 locks write-protection "
					     "area %s (pages 0x%02" PRIX32 "..0x%02" PRIX32 ") forever; confirm with "
					     "exactly \"%s\"", tz_area_names[i], tz_area_names[i],
					     tz_area_value(next, i) & 0xFFU, tz_area_value(next, i) >> 8,
					     GANG_OB_LEVEL2_CONFIRM);
	}
	return GANG_OK;
}

/*
 * TZEN = 1 only from level 0, and undone only by a regression to level 0
 * that erases the whole flash, secure and not; TZEN = 0 only with that
 * regression, and on U5 only from level 1 (AN5347 "TrustZone
 * deactivation": from level 0.5 on the L5 only). Both need the
 * confirmation.
 */
static int tz_tzen_policy(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o,
			  const gang_family *f, gang_diag *d)
{
	bool was = cur->user & TZ_OPTR_TZEN, will = next->user & TZ_OPTR_TZEN;

	if (was == will)
		return GANG_OK;
	/* to level 0.5 in two writes: TZEN at level 0 first (gang_fpec_tz_ob_stage) */
	if (will && (cur->rdp_level != 0 || (next->rdp_level != 0 && next->rdp_level != GANG_OB_RDP_LEVEL05)))
		return gang_diag_set(d, GANG_EUSAGE, "TZEN = 1 can be set only at RDP level 0, and the chip "
				     "stays there in the same write");
	if (!will && (cur->rdp_level == 0 || next->rdp_level != 0))
		return gang_diag_set(d, GANG_EUSAGE, "TZEN = 0 is accepted only with an RDP regression to "
				     "level 0 (from level 1 or 0.5), which erases the whole flash: set RDP level 1 "
				     "first, then RDP = 0 and TZEN = 0 in one write");
	if (!will && cur->rdp_level == GANG_OB_RDP_LEVEL05 && gang_fpec_tz_has_unlock(f))
		return gang_diag_set(d, GANG_EUSAGE, "TZEN = 0 from RDP level 0.5 is an L5 regression; the U5 turns "
				     "TrustZone off only from level 1: set RDP level 1 first, then RDP = 0 and TZEN = 0 "
				     "in one write");
	if (!tz_confirmed(o))
		return gang_diag_set(d, GANG_ELOCKED_FOREVER, "TZEN = %d %s; confirm with exactly \"%s\"",
				     will ? 1 : 0, will ? "can be undone only by an RDP regression that erases the "
				     "whole flash" : "regresses RDP to level 0 and erases the whole flash, secure "
				     "and non-secure", GANG_OB_LEVEL2_CONFIRM);
	return GANG_OK;
}

/*
 * RDP level 0.5 only with TZEN = 1 (RM0438 §6.6.2, RM0456 §7.6.2); not
 * from level 1 (a regression gang does not make); and at level 0.5 the
 * debugger reaches no secure register, so the watermarks and HDP areas
 * stay as they are.
 */
static int tz_rdp05_policy(const gang_ob *cur, const gang_ob *next, gang_diag *d)
{
	static const char *const names[] = { "SECWM1", "SECWM2", "HDP1EN", "HDP1_PEND", "HDP2EN", "HDP2_PEND" };
	static const unsigned slots[] = { TZ_MORE_SECWM, TZ_MORE_SECWM + 1U, TZ_MORE_HDP, TZ_MORE_HDP + 1U,
					  TZ_MORE_HDP + 2U, TZ_MORE_HDP + 3U };

	if (next->rdp_level == GANG_OB_RDP_LEVEL05 && !(next->user & TZ_OPTR_TZEN))
		return gang_diag_set(d, GANG_EUSAGE, "RDP level 0.5 exists only with TrustZone on (TZEN = 1), and "
				     "this chip has TZEN = 0: set TZEN = 1 at level 0 first, then RDP 0.5 in a later "
				     "write (RM0438 §6.6.2, RM0456 §7.6.2)");
	if (cur->rdp_level == 1 && next->rdp_level == GANG_OB_RDP_LEVEL05)
		return gang_diag_set(d, GANG_EUSAGE, "RDP level 1 -> 0.5 is a partial regression gang does not "
				     "make: lower the chip to level 0 (the whole flash is erased), then set 0.5");
	if (cur->rdp_level != GANG_OB_RDP_LEVEL05)
		return GANG_OK;
	for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (cur->more[slots[i]] != next->more[slots[i]])
			return gang_diag_set(d, GANG_EUSAGE, "%s cannot change at RDP level 0.5: it is a secure "
					     "option register and the debugger reaches only non-secure ones; change it "
					     "at level 0", names[i]);
	return GANG_OK;
}

/*
 * An enabled HDP area of bank x runs from SECWMx's first page to
 * HDPx_PEND and must lie inside that watermark area, with TrustZone on.
 * Checked when the area or its watermark changes (a chip that holds odd
 * values can still take other changes; TrustZone turned off takes the HDP
 * areas with it, so clearing TZEN alone is not refused here).
 */
static int tz_hdp_policy(const gang_ob *cur, const gang_ob *next, gang_diag *d)
{
	for (unsigned x = 0; x < TZ_HDP_AREAS; x++) {
		unsigned en = TZ_MORE_HDP + 2U * x, pend = en + 1U, wm = TZ_MORE_SECWM + x;
		uint32_t start = next->more[wm] & 0xFFU, end = next->more[wm] >> 8, last = next->more[pend];
		bool hdp = cur->more[en] != next->more[en] || cur->more[pend] != next->more[pend];

		if (!next->more[en] || !(hdp || cur->more[wm] != next->more[wm]))
			continue;
		if (!(next->user & TZ_OPTR_TZEN) && !hdp)
			continue;
		if (!(next->user & TZ_OPTR_TZEN))
			return gang_diag_set(d, GANG_EUSAGE, "HDP%u: hide protection exists only with TrustZone on "
					     "(TZEN = 1); the chip has TZEN = 0", x + 1U);
		if (start > end)
			return gang_diag_set(d, GANG_EUSAGE, "HDP%u: the hide-protection area must lie inside secure "
					     "watermark area SECWM%u, which is off (start page 0x%02" PRIX32 " > end "
					     "page 0x%02" PRIX32 ")", x + 1U, x + 1U, start, end);
		if (last < start || last > end)
			return gang_diag_set(d, GANG_EUSAGE, "HDP%u_PEND = 0x%02" PRIX32 ": the hide-protection area "
					     "runs from SECWM%u's first page to HDP%u_PEND and must lie inside secure "
					     "watermark area SECWM%u (pages 0x%02" PRIX32 "..0x%02" PRIX32 ")", x + 1U,
					     last, x + 1U, x + 1U, x + 1U, start, end);
	}
	return GANG_OK;
}

int gang_fpec_tz_ob_policy(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o,
			   const gang_family *f, gang_diag *d)
{
	int err = gang_fpec_tz_has_unlock(f) ? tz_unlock_policy(cur, next, o, d) : GANG_OK;

	if (err == GANG_OK)
		err = tz_tzen_policy(cur, next, o, f, d);
	if (err == GANG_OK)
		err = tz_rdp05_policy(cur, next, d);
	return err == GANG_OK ? tz_hdp_policy(cur, next, d) : err;
}

/* Level 0.5 needs TrustZone on: a want of RDP 0.5 that turns TZEN off is refused before any chip is seen. */
int gang_fpec_tz_ob_want_check(const gang_ob_want *w, const gang_family *f, gang_diag *d)
{
	(void)f;
	if (w->rdp_level != GANG_OB_RDP_LEVEL05 || !(w->user_mask & TZ_OPTR_TZEN) || (w->user_val & TZ_OPTR_TZEN))
		return GANG_OK;
	return gang_diag_set(d, GANG_EUSAGE, "level 0.5 exists only with TrustZone on, and user.TZEN = false here");
}

/*
 * Level 0.5 from a chip with TrustZone off: TZEN is set at level 0 and
 * 0x55 means level 0.5 only once TZEN = 1 is in force (RM0438 §6.6.2,
 * RM0456 §7.6.2), so the stricter reading is two writes, each reloaded
 * by OBL_LAUNCH: first everything but the RDP byte (TZEN = 1, the
 * watermarks, the rest), then RDP 0.5.
 */
bool gang_fpec_tz_ob_stage(gang_ob *mid, const gang_ob *cur, const gang_ob *next, const gang_family *f)
{
	(void)f;
	if ((cur->user & TZ_OPTR_TZEN) || !(next->user & TZ_OPTR_TZEN) || next->rdp_level != GANG_OB_RDP_LEVEL05 ||
	    cur->rdp_level == GANG_OB_RDP_LEVEL05)
		return false;
	*mid = *next;
	mid->rdp = cur->rdp;
	mid->rdp_level = cur->rdp_level;
	return true;
}
