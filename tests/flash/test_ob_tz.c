/*
 * test_ob_tz.c — L5/U5 option bytes without a target: FLASH_OPTR and the
 * area registers as named fields (RM names: BOR_LEV, nRST_STOP, TZEN,
 * DBANK, WRP1A..WRP2B, SECWM1/2, the U5 WRPxy_UNLOCK bits), the raw block
 * round trip, and the changes that need the family model's confirmation:
 * RDP 2, a U5 WRP area's UNLOCK = 0 (one-way), TZEN either way (set only
 * at level 0, cleared only with a regression to level 0).
 * RDP level 0.5 (0x55 with TZEN = 1: shown apart from level 1, set only
 * with TrustZone on, left only by a permitted regression, not entered from
 * level 1; the secure registers stay as they are at 0.5) and the HDP areas
 * (HDPxEN, HDPx_PEND in SECWMxR2; enabled only with TrustZone on and inside
 * the watermark area).
 * References: RM0438 §6.9.14-6.9.20 (L5 OPTR, SECWMxR1, WRPxyR), RM0456
 * §7.9.15-7.9.19 (U5, WRPxyR.UNLOCK), RM0438 §6.6.2 / RM0456 §7.6.2 (RDP
 * 0.5, TZEN rules), RM0438 §6.9 / RM0456 §7.9 FLASH_SECWMxR2 (HDP), AN5347
 * (TrustZone off from level 0.5 on the L5 only).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "flash/fpec_tz.h"
#include "flash/ob.h"
#include "target/part.h"

TestSuite(ob_tz, .timeout = 10);

static const gang_family *tz_u5(void)
{
	return gang_part_find("STM32U575ZI")->family;
}

static const gang_family *tz_l5(void)
{
	return gang_part_find("STM32L552ZE")->family;
}

/*
 * A U5 as it leaves the factory: level 0, TZEN 0, WRP areas off (start > end) and unlockable, no watermark,
 * no HDP area (the block's last two half-words); the rest of the 40-byte buffer zero.
 */
static void tz_factory(uint8_t raw[GANG_OB_RAW_LEN])
{
	static const uint8_t f[20] = { 0xAA, 0xF8, 0xEF, 0x1F, 0x7F, 0x80, 0x7F, 0x80, 0x7F, 0x80, 0x7F, 0x80,
				       0x7F, 0x00, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00 };

	memset(raw, 0, GANG_OB_RAW_LEN);
	memcpy(raw, f, sizeof(f));
}

Test(ob_tz, u5_factory_block_decodes_by_rm_names)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob ob;

	tz_factory(raw);
	gang_ob_decode(&ob, raw, tz_u5());
	cr_assert_eq(ob.rdp_level, 0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_u5(), "TZEN")), 0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_u5(), "BOR_LEV")), 0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_u5(), "nRST_STOP")), 1);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_u5(), "WRP2B")), 0x007F, "start 127 > end 0: off");
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_u5(), "SECWM2")), 0x007F);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_u5(), "WRP2B_UNLOCK")), 1);
	cr_expect_null(gang_ob_field_find(tz_l5(), "WRP1A_UNLOCK"), "L5 has no UNLOCK bit");
	cr_expect_not_null(gang_ob_field_find(tz_l5(), "DBANK"));
	cr_expect_null(gang_ob_field_find(tz_u5(), "DBANK"), "U5 names it DUALBANK");
}

Test(ob_tz, encode_then_decode_round_trips_areas_and_unlock_bits)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 }, back[GANG_OB_RAW_LEN];
	gang_ob ob, out;

	tz_factory(raw);
	gang_ob_decode(&ob, raw, tz_u5());
	ob.data0 = 0x0500;           /* WRP1A: pages 0..5 */
	ob.more[2] = 0x7F40;         /* SECWM1: pages 0x40..0x7F */
	ob.more[5] = 0;              /* WRP1B_UNLOCK = 0 */
	gang_ob_encode(back, &ob, tz_u5());
	cr_expect_eq(back[4], 0x00);
	cr_expect_eq(back[5], 0x85, "WRP1A end 5 with UNLOCK");
	cr_expect_eq(back[7], 0x00, "WRP1B lost its UNLOCK");
	gang_ob_decode(&out, back, tz_u5());
	cr_expect_eq(out.data0, 0x0500);
	cr_expect_eq(out.more[2], 0x7F40);
	cr_expect_eq(out.more[4], 1U);
	cr_expect_eq(out.more[5], 0U);
	cr_expect_eq(out.user, ob.user);
}

Test(ob_tz, unlock_to_zero_needs_the_confirmation_and_is_one_way)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, next, locked;
	gang_ob_want w;
	gang_diag d = { 0 };
	gang_ob_write_opts ok = { false, GANG_OB_LEVEL2_CONFIRM };
	bool changed = false;

	tz_factory(raw);
	gang_ob_decode(&cur, raw, tz_u5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "WRP1A", 0x0300, &d), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "WRP1A_UNLOCK", 0, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_u5(), &d), GANG_ELOCKED_FOREVER);
	cr_expect(strstr(d.msg, "WRP1A_UNLOCK = 0 locks write-protection area WRP1A") != NULL, "%s", d.msg);
	cr_expect(strstr(d.msg, GANG_OB_LEVEL2_CONFIRM) != NULL);
	cr_assert_eq(gang_ob_plan(&locked, &changed, &cur, &w, &ok, tz_u5(), &d), GANG_OK);
	cr_expect(changed);
	/* once locked, the area can change no more, confirmation or not */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "WRP1A", 0x0400, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &locked, &w, &ok, tz_u5(), &d), GANG_ELOCKED_FOREVER);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "WRP1A_UNLOCK", 1, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &locked, &w, &ok, tz_u5(), &d), GANG_ELOCKED_FOREVER);
	cr_expect(strstr(d.msg, "locked for good") != NULL, "%s", d.msg);
	/* other areas stay free */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "WRP2A", 0x0201, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &locked, &w, NULL, tz_u5(), &d), GANG_OK);
}

Test(ob_tz, tzen_is_set_at_level0_with_the_confirmation_and_cleared_only_by_a_regression)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, next, on;
	gang_ob_want w;
	gang_diag d = { 0 };
	gang_ob_write_opts ok = { true, GANG_OB_LEVEL2_CONFIRM };
	bool changed = false;

	tz_factory(raw);
	gang_ob_decode(&cur, raw, tz_l5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "TZEN", 1, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_l5(), &d), GANG_ELOCKED_FOREVER);
	cr_expect(strstr(d.msg, "TZEN = 1 can be undone only by an RDP regression") != NULL, "%s", d.msg);
	cr_assert_eq(gang_ob_plan(&on, &changed, &cur, &w, &ok, tz_l5(), &d), GANG_OK);
	cr_expect(on.user & (1U << 31));
	/* cleared at level 0: refused, it needs the regression */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "TZEN", 0, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &on, &w, &ok, tz_l5(), &d), GANG_EUSAGE);
	/* from level 0.5 (an L5 may leave TrustZone from there, AN5347): with RDP 0 and both permissions */
	on.rdp = 0x55;
	on.rdp_level = GANG_OB_RDP_LEVEL05;
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "RDP", 0, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &on, &w, NULL, tz_l5(), &d), GANG_EREAD_PROTECTED);
	cr_expect_eq(gang_ob_plan(&next, &changed, &on, &w, &(gang_ob_write_opts){ true, NULL }, tz_l5(), &d),
		     GANG_ELOCKED_FOREVER);
	cr_expect(strstr(d.msg, "erases the whole flash") != NULL, "%s", d.msg);
	cr_expect_eq(gang_ob_plan(&next, &changed, &on, &w, &ok, tz_l5(), &d), GANG_OK);
	cr_expect_eq(next.rdp, 0xAA);
	cr_expect_eq(next.user & (1U << 31), 0U);
}

Test(ob_tz, level2_needs_the_sentence_on_l5_and_u5)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, next;
	gang_ob_want w;
	gang_diag d = { 0 };
	bool changed = false;

	tz_factory(raw);
	gang_ob_decode(&cur, raw, tz_u5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "RDP", 2, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_u5(), &d), GANG_ELOCKED_FOREVER);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, &(gang_ob_write_opts){ false, GANG_OB_LEVEL2_CONFIRM },
				  tz_u5(), &d), GANG_OK);
	cr_expect_eq(next.rdp, 0xCC);
}

/* A factory U5 (or L5) block with TrustZone on and SECWM1 over pages 0x10..0x20 of bank 1. */
static void tz_trustzone(uint8_t raw[GANG_OB_RAW_LEN])
{
	tz_factory(raw);
	raw[3] |= 0x80;                /* OPTR.TZEN */
	raw[12] = 0x10;                /* SECWM1 start */
	raw[13] = 0x20;                /* SECWM1 end */
}

Test(ob_tz, level05_decodes_apart_from_level1_only_with_tzen)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob ob;

	tz_trustzone(raw);
	raw[0] = 0x55;
	gang_ob_decode(&ob, raw, tz_u5());
	cr_expect_eq(ob.rdp_level, GANG_OB_RDP_LEVEL05);
	cr_expect_eq(ob.rdp, 0x55);
	cr_expect_str_eq(gang_ob_rdp_name(ob.rdp_level), "0.5");
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_u5(), "RDP")), GANG_OB_RDP_LEVEL05);
	raw[3] &= 0x7F;                /* TZEN = 0: 0x55 is an ordinary level 1 */
	gang_ob_decode(&ob, raw, tz_l5());
	cr_expect_eq(ob.rdp_level, 1);
	cr_expect_str_eq(gang_ob_rdp_name(1), "1");
	cr_expect_str_eq(gang_ob_rdp_name(7), "?");
}

Test(ob_tz, level05_exists_only_on_l5_and_u5)
{
	gang_ob_want w;
	gang_diag d = { 0 };
	uint8_t byte = 0;

	gang_ob_want_init(&w);
	cr_expect_eq(gang_ob_want_set(&w, gang_part_find("STM32F103RC")->family, "RDP", GANG_OB_RDP_LEVEL05, &d),
		     GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "RDP level 0.5 exists only on the L5 and U5 families, with TrustZone on (TZEN = 1), "
			 "not on the F1 family: use 0, 1 or 2");
	cr_expect_eq(gang_ob_want_set(&w, gang_part_find("STM32L476RG")->family, "RDP", GANG_OB_RDP_LEVEL05, &d),
		     GANG_EUSAGE);
	cr_expect(strstr(d.msg, "not on the L4 family") != NULL, "%s", d.msg);
	cr_expect_eq(w.rdp_level, GANG_OB_UNCHANGED);
	cr_expect_eq(gang_ob_want_set(&w, tz_u5(), "RDP", 3, &d), GANG_EUSAGE);
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "RDP", GANG_OB_RDP_LEVEL05, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(w.rdp_level, GANG_OB_RDP_LEVEL05);
	cr_assert_eq(gang_ob_rdp_byte(&byte, GANG_OB_RDP_LEVEL05, tz_u5(), &d), GANG_OK);
	cr_expect_eq(byte, 0x55);
}

/* RM0456 §7.6.2: 0 -> 0.5 with TZEN = 1, 0.5 -> 1, 0.5 -> 0 only as a permitted regression. */
Test(ob_tz, level05_is_entered_with_tzen_and_left_for_0_only_as_a_regression)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, half, next;
	gang_ob_want w;
	gang_diag d = { 0 };
	bool changed = false;

	tz_trustzone(raw);
	gang_ob_decode(&cur, raw, tz_u5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "RDP", GANG_OB_RDP_LEVEL05, &d), GANG_OK);
	cr_assert_eq(gang_ob_plan(&half, &changed, &cur, &w, NULL, tz_u5(), &d), GANG_OK, "%s", d.msg);
	cr_expect(changed);
	cr_expect_eq(half.rdp, 0x55);
	cr_expect_eq(half.rdp_level, GANG_OB_RDP_LEVEL05);
	/* the same level again: nothing to write */
	cr_assert_eq(gang_ob_plan(&next, &changed, &half, &w, NULL, tz_u5(), &d), GANG_OK);
	cr_expect(!changed);
	/* 0.5 -> 1: a plain write */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "RDP", 1, &d), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &half, &w, NULL, tz_u5(), &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(next.rdp_level, 1);
	cr_expect_neq(next.rdp, 0x55);
	/* 0.5 -> 0: erases the flash, so only with the regression allowed; TZEN stays */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "RDP", 0, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &half, &w, NULL, tz_u5(), &d), GANG_EREAD_PROTECTED);
	cr_expect_str_eq(d.msg, "lowering RDP from level 0.5 to 0 mass-erases the chip; allow the RDP regression "
			 "explicitly");
	cr_assert_eq(gang_ob_plan(&next, &changed, &half, &w, &(gang_ob_write_opts){ true, NULL }, tz_u5(), &d),
		     GANG_OK, "%s", d.msg);
	cr_expect_eq(next.rdp, 0xAA);
	cr_expect(next.user & (1U << 31));
}

Test(ob_tz, level05_is_refused_without_tzen_and_from_level1)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, next, mid;
	gang_ob_want w;
	gang_diag d = { 0 };
	bool changed = false;

	tz_factory(raw);               /* TZEN = 0 */
	gang_ob_decode(&cur, raw, tz_l5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "RDP", GANG_OB_RDP_LEVEL05, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_l5(), &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "RDP level 0.5 exists only with TrustZone on (TZEN = 1), and this chip has TZEN = 0: "
			 "set TZEN = 1 at level 0 first, then RDP 0.5 in a later write (RM0438 §6.6.2, RM0456 "
			 "§7.6.2)");
	/* TZEN = 1 and 0.5: planned, and staged as two writes, TZEN at level 0 first (RM0456 §7.6.2) */
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "TZEN", 1, &d), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, &(gang_ob_write_opts){ false, GANG_OB_LEVEL2_CONFIRM },
				  tz_l5(), &d), GANG_OK, "%s", d.msg);
	cr_expect(gang_fpec_tz_ob_stage(&mid, &cur, &next, tz_l5()));
	cr_expect(mid.user & (1U << 31), "TZEN in the first write");
	cr_expect_eq(mid.rdp, 0xAA, "level 0 kept in the first write");
	cr_expect_eq(next.rdp, 0x55);
	cr_expect_not(gang_fpec_tz_ob_stage(&mid, &mid, &next, tz_l5()), "from TZEN = 1: one write");
	/* TZEN = 1 with level 1: still refused, the chip must stay at 0 while TZEN is set */
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "RDP", 1, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, &(gang_ob_write_opts){ false, GANG_OB_LEVEL2_CONFIRM },
				  tz_l5(), &d), GANG_EUSAGE);
	cr_expect(strstr(d.msg, "TZEN = 1 can be set only at RDP level 0") != NULL, "%s", d.msg);
	/* level 1 with TrustZone on -> 0.5: a partial regression gang does not make */
	tz_trustzone(raw);
	raw[0] = 0xBB;
	gang_ob_decode(&cur, raw, tz_u5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "RDP", GANG_OB_RDP_LEVEL05, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, &(gang_ob_write_opts){ true, NULL }, tz_u5(), &d),
		     GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "RDP level 1 -> 0.5 is a partial regression gang does not make: lower the chip to "
			 "level 0 (the whole flash is erased), then set 0.5");
}

/* At 0.5 the debugger reaches no secure register; on U5 TrustZone goes off only from level 1 (AN5347). */
Test(ob_tz, at_level05_secure_registers_stay_and_a_u5_keeps_tzen)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob half, next;
	gang_ob_want w;
	gang_diag d = { 0 };
	gang_ob_write_opts all = { true, GANG_OB_LEVEL2_CONFIRM };
	bool changed = false;

	tz_trustzone(raw);
	raw[0] = 0x55;
	gang_ob_decode(&half, raw, tz_u5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "SECWM1", 0x2000, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &half, &w, &all, tz_u5(), &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "SECWM1 cannot change at RDP level 0.5: it is a secure option register and the "
			 "debugger reaches only non-secure ones; change it at level 0");
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "HDP2_PEND", 3, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &half, &w, &all, tz_u5(), &d), GANG_EUSAGE);
	cr_expect(strstr(d.msg, "HDP2_PEND cannot change at RDP level 0.5") != NULL, "%s", d.msg);
	/* non-secure fields still change at 0.5 */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "WRP1A", 0x0100, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &half, &w, NULL, tz_u5(), &d), GANG_OK, "%s", d.msg);
	/* TZEN = 0 with the regression from 0.5: refused on U5, done on L5 */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "TZEN", 0, &d), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "RDP", 0, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &half, &w, &all, tz_u5(), &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "TZEN = 0 from RDP level 0.5 is an L5 regression; the U5 turns TrustZone off only "
			 "from level 1: set RDP level 1 first, then RDP = 0 and TZEN = 0 in one write");
	gang_ob_decode(&half, raw, tz_l5());
	cr_expect_eq(gang_ob_plan(&next, &changed, &half, &w, &all, tz_l5(), &d), GANG_OK, "%s", d.msg);
}

Test(ob_tz, hdp_fields_round_trip_through_the_block)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 }, back[GANG_OB_RAW_LEN];
	gang_ob ob, out;

	tz_trustzone(raw);
	raw[16] = 0x1C;                /* HDP1_PEND 0x1C */
	raw[17] = 0x80;                /* HDP1EN */
	raw[18] = 0x05;                /* HDP2_PEND 5, HDP2EN 0 */
	gang_ob_decode(&ob, raw, tz_l5());
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_l5(), "HDP1EN")), 1);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_l5(), "hdp1_pend")), 0x1C);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_l5(), "HDP2EN")), 0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(tz_l5(), "HDP2_PEND")), 5);
	cr_expect_eq(gang_ob_field_max(gang_ob_field_find(tz_u5(), "HDP2_PEND")), 127, "a page of the bank");
	ob.more[10] = 1;               /* HDP2EN */
	gang_ob_encode(back, &ob, tz_l5());
	cr_expect_eq(back[19], 0x80);
	cr_expect_eq(back[18], 0x05);
	cr_expect_eq(back[16], 0x1C);
	cr_expect_eq(back[17], 0x80);
	gang_ob_decode(&out, back, tz_l5());
	cr_expect_eq(memcmp(out.more, ob.more, sizeof(ob.more)), 0);
}

Test(ob_tz, an_hdp_area_needs_trustzone_and_lies_inside_its_watermark)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, next;
	gang_ob_want w;
	gang_diag d = { 0 };
	bool changed = false;

	tz_trustzone(raw);             /* SECWM1 0x10..0x20, SECWM2 off */
	gang_ob_decode(&cur, raw, tz_u5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "HDP1EN", 1, &d), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "HDP1_PEND", 0x18, &d), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_u5(), &d), GANG_OK, "%s", d.msg);
	cr_expect(changed);
	cr_expect_eq(next.more[8], 1U);
	cr_expect_eq(next.more[9], 0x18U);
	/* past the watermark's end, or before its start */
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "HDP1_PEND", 0x21, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_u5(), &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "HDP1_PEND = 0x21: the hide-protection area runs from SECWM1's first page to "
			 "HDP1_PEND and must lie inside secure watermark area SECWM1 (pages 0x10..0x20)");
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "HDP1_PEND", 0x0F, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_u5(), &d), GANG_EUSAGE);
	cr_expect(strstr(d.msg, "HDP1_PEND = 0x0F") != NULL, "%s", d.msg);
	/* shrinking the watermark under an enabled HDP area is refused too */
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "HDP1_PEND", 0x20, &d), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_u5(), &d), GANG_OK, "%s", d.msg);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "SECWM1", 0x1F10, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&cur, &changed, &next, &w, NULL, tz_u5(), &d), GANG_EUSAGE);
	cr_expect(strstr(d.msg, "HDP1_PEND = 0x20") != NULL, "%s", d.msg);
	/* a watermark that is off holds no HDP area */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_u5(), "HDP2EN", 1, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&cur, &changed, &next, &w, NULL, tz_u5(), &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "HDP2: the hide-protection area must lie inside secure watermark area SECWM2, which "
			 "is off (start page 0x7F > end page 0x00)");
	/* a page number past the bank's 128 */
	cr_expect_eq(gang_ob_want_set(&w, tz_u5(), "HDP2_PEND", 128, &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "option byte HDP2_PEND = 128: must be 0..127");
	/* without TrustZone there is no hide protection */
	tz_factory(raw);
	raw[12] = 0x10;
	raw[13] = 0x20;
	gang_ob_decode(&cur, raw, tz_l5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "HDP1EN", 1, &d), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "HDP1_PEND", 0x10, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, tz_l5(), &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "HDP1: hide protection exists only with TrustZone on (TZEN = 1); the chip has TZEN = 0");
}

/* Leaving TrustZone (L5 from level 1, with both permissions) is not held up by an enabled HDP area. */
Test(ob_tz, clearing_tzen_takes_an_enabled_hdp_area_along)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, next;
	gang_ob_want w;
	gang_diag d = { 0 };
	bool changed = false;

	tz_trustzone(raw);
	raw[0] = 0xBB;                 /* level 1 */
	raw[16] = 0x12;                /* HDP1_PEND inside SECWM1 0x10..0x20 */
	raw[17] = 0x80;                /* HDP1EN */
	gang_ob_decode(&cur, raw, tz_l5());
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "TZEN", 0, &d), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, tz_l5(), "RDP", 0, &d), GANG_OK);
	cr_expect_eq(gang_ob_plan(&next, &changed, &cur, &w, &(gang_ob_write_opts){ true, GANG_OB_LEVEL2_CONFIRM },
				  tz_l5(), &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(next.user & (1U << 31), 0U);
}
