/*
 * test_ob_tz.c — L5/U5 option bytes without a target: FLASH_OPTR and the
 * area registers as named fields (RM names: BOR_LEV, nRST_STOP, TZEN,
 * DBANK, WRP1A..WRP2B, SECWM1/2, the U5 WRPxy_UNLOCK bits), the raw block
 * round trip, and the changes that need the family model's confirmation:
 * RDP 2, a U5 WRP area's UNLOCK = 0 (one-way), TZEN either way (set only
 * at level 0, cleared only with a regression to level 0).
 * References: RM0438 §6.9.14-6.9.20 (L5 OPTR, SECWMxR1, WRPxyR), RM0456
 * §7.9.15-7.9.19 (U5, WRPxyR.UNLOCK), RM0438 §6.6.2 / RM0456 §7.6.2 (RDP
 * 0.5, TZEN rules).
 */
#include <criterion/criterion.h>
#include <string.h>

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
	uint8_t raw[GANG_OB_RAW_LEN];
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
	uint8_t raw[GANG_OB_RAW_LEN], back[GANG_OB_RAW_LEN];
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
	uint8_t raw[GANG_OB_RAW_LEN];
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
	uint8_t raw[GANG_OB_RAW_LEN];
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
	/* from level 1 (0.5 decodes as 1): with RDP 0 and both permissions */
	on.rdp = 0x55;
	on.rdp_level = 1;
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
	uint8_t raw[GANG_OB_RAW_LEN];
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
