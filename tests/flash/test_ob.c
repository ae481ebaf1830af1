/*
 * test_ob.c — option bytes without a target: decode/encode of the
 * value/complement block for F1 and F0/F3, OPTERR, the RDP policy (1 -> 0
 * only when allowed, level 2 only with the exact sentence, never on F1),
 * range checks, "unchanged" fields and WRP page lookup.
 * References: PM0075 option bytes and WRP (RM0091 §3 for F0/F3).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "flash/ob.h"
#include "target/part.h"

TestSuite(ob, .timeout = 10);

static const gang_family *ob_f1(void)
{
	return gang_part_find("STM32F103RC")->family;
}

static const gang_family *ob_f0(void)
{
	return gang_part_find("STM32F030R8")->family;
}

Test(ob, f1_factory_block_decodes_as_level0_with_no_protection)
{
	uint8_t raw[16];
	gang_ob ob;

	for (int i = 0; i < 8; i++) {
		raw[2 * i] = 0xFF;
		raw[2 * i + 1] = 0x00;
	}
	raw[0] = 0xA5;
	raw[1] = 0x5A;
	gang_ob_decode(&ob, raw, ob_f1());
	cr_assert_eq(ob.rdp_level, 0);
	cr_assert_eq(ob.user, 0xFF);
	cr_assert_eq(ob.wrp, 0xFFFFFFFFU);
	cr_assert(!ob.opterr);
}

Test(ob, encode_then_decode_round_trips_every_field)
{
	gang_ob in = { 1, 0x00, 0x06, 0x12, 0x34, 0xFFFF00FEU, false }, out;
	uint8_t raw[16];

	gang_ob_encode(raw, &in, ob_f1());
	cr_assert_eq(raw[4], 0x12);
	cr_assert_eq(raw[5], 0xED, "complement in the high byte");
	cr_assert_eq(raw[8], 0xFE);
	cr_assert_eq(raw[14], 0xFF);
	gang_ob_decode(&out, raw, ob_f1());
	cr_assert_eq(out.rdp_level, 1);
	cr_assert_eq(out.user, 0x06);
	cr_assert_eq(out.data0, 0x12);
	cr_assert_eq(out.data1, 0x34);
	cr_assert_eq(out.wrp, 0xFFFF00FEU);
}

Test(ob, erased_block_is_opterr_and_read_protected)
{
	uint8_t raw[16];
	gang_ob ob;

	memset(raw, 0xFF, sizeof(raw));
	gang_ob_decode(&ob, raw, ob_f1());
	cr_assert(ob.opterr);
	cr_assert_eq(ob.rdp_level, 1);
}

Test(ob, f0_levels_use_aa_and_cc)
{
	gang_ob ob = { 0, 0xAA, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU, false }, out;
	uint8_t raw[16], b = 0;

	gang_ob_encode(raw, &ob, ob_f0());
	gang_ob_decode(&out, raw, ob_f0());
	cr_assert_eq(out.rdp_level, 0);
	ob.rdp = 0xCC;
	gang_ob_encode(raw, &ob, ob_f0());
	gang_ob_decode(&out, raw, ob_f0());
	cr_assert_eq(out.rdp_level, 2);
	gang_ob_decode(&out, raw, ob_f1());
	cr_assert_eq(out.rdp_level, 1, "0xCC is just level 1 on F1");
	cr_assert_eq(gang_ob_rdp_byte(&b, 1, ob_f0(), NULL), GANG_OK);
	cr_assert(b != 0xAA && b != 0xCC);
	cr_assert_eq(gang_ob_rdp_byte(&b, 2, ob_f1(), NULL), GANG_ENOTSUP);
	cr_assert_eq(gang_ob_rdp_byte(&b, 3, ob_f1(), NULL), GANG_EUSAGE);
}

static gang_ob ob_level(int level, const gang_family *f)
{
	gang_ob ob = { level, 0, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU, false };

	cr_assert_eq(gang_ob_rdp_byte(&ob.rdp, level, f, NULL), GANG_OK);
	return ob;
}

Test(ob, unchanged_fields_keep_their_value_and_equal_means_no_write)
{
	gang_ob cur = ob_level(0, ob_f1()), next;
	gang_ob_want w;
	bool changed = true;

	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), NULL), GANG_OK);
	cr_assert(!changed);
	w.data1 = 0xFF;
	w.rdp_level = 0;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), NULL), GANG_OK);
	cr_assert(!changed, "the same values are no change");
	w.data0 = 0x42;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), NULL), GANG_OK);
	cr_assert(changed);
	cr_assert_eq(next.data0, 0x42);
	cr_assert_eq(next.rdp, 0xA5);
	cr_assert_eq(next.wrp, 0xFFFFFFFFU);
}

Test(ob, rdp_regression_needs_explicit_permission)
{
	gang_ob cur = ob_level(1, ob_f1()), next;
	gang_ob_want w;
	gang_ob_write_opts o = { false, NULL };
	bool changed;
	gang_diag d;

	gang_diag_clear(&d);
	gang_ob_want_init(&w);
	w.rdp_level = 0;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, &o, ob_f1(), &d), GANG_EREAD_PROTECTED);
	cr_assert(strstr(d.msg, "mass-erases") != NULL, "%s", d.msg);
	o.allow_rdp_regression = true;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, &o, ob_f1(), &d), GANG_OK);
	cr_assert(changed);
	cr_assert_eq(next.rdp, 0xA5);
}

Test(ob, level2_needs_the_exact_confirmation_sentence)
{
	gang_ob cur = ob_level(0, ob_f0()), next;
	gang_ob_want w;
	gang_ob_write_opts o = { false, "I understand this locks the chip" };
	bool changed;

	gang_ob_want_init(&w);
	w.rdp_level = 2;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f0(), NULL), GANG_ELOCKED_FOREVER);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, &o, ob_f0(), NULL), GANG_ELOCKED_FOREVER);
	o.confirm_level2 = "i understand this locks the chip forever";
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, &o, ob_f0(), NULL), GANG_ELOCKED_FOREVER);
	o.confirm_level2 = GANG_OB_LEVEL2_CONFIRM;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, &o, ob_f0(), NULL), GANG_OK);
	cr_assert_eq(next.rdp, 0xCC);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, &o, ob_f1(), NULL), GANG_ENOTSUP);
}

Test(ob, a_level2_chip_can_never_change)
{
	gang_ob cur = ob_level(2, ob_f0()), next;
	gang_ob_want w;
	bool changed;

	gang_ob_want_init(&w);
	w.rdp_level = 0;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f0(), NULL), GANG_ELOCKED_FOREVER);
}

Test(ob, out_of_range_values_are_usage_errors_naming_the_byte)
{
	gang_ob cur = ob_level(0, ob_f1()), next;
	gang_ob_want w;
	bool changed;
	gang_diag d;

	gang_diag_clear(&d);
	gang_ob_want_init(&w);
	w.user = 256;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), &d), GANG_EUSAGE);
	cr_assert(strstr(d.msg, "USER") != NULL, "%s", d.msg);
	gang_ob_want_init(&w);
	w.wrp = 0x100000000LL;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), &d), GANG_EUSAGE);
	gang_ob_want_init(&w);
	w.rdp_level = 5;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), &d), GANG_EUSAGE);
}

Test(ob, wrp_first_page_uses_the_parts_pages_per_bit)
{
	cr_assert_eq(gang_ob_wrp_first_page(0xFFFFFFFFU, gang_part_find("STM32F103RC")), 0U);
	cr_assert_eq(gang_ob_wrp_first_page(0xFFFFFFFDU, gang_part_find("STM32F103RC")), 0x08001000U);
	cr_assert_eq(gang_ob_wrp_first_page(0xFFFFFFFDU, gang_part_find("STM32F103C8")), 0x08001000U);
	cr_assert_eq(gang_ob_wrp_first_page(0xFFFFFFFBU, gang_part_find("STM32F103C8")), 0x08002000U);
}

Test(ob, each_family_names_its_fields_as_its_manual_does)
{
	char list[160];

	gang_ob_field_list(list, sizeof(list), ob_f1());
	cr_assert_str_eq(list, "RDP, WDG_SW, nRST_STOP, nRST_STDBY, Data0, Data1, WRP");
	gang_ob_field_list(list, sizeof(list), ob_f0());
	cr_assert_str_eq(list, "RDP, WDG_SW, nRST_STOP, nRST_STDBY, nBOOT1, Data0, Data1, WRP");
	cr_assert_str_eq(gang_ob_field_find(ob_f1(), "nrst_stop")->name, "nRST_STOP", "today's keys still work");
	cr_assert_eq(gang_ob_field_find(ob_f1(), "NRST_STDBY")->index, 2U);
	cr_assert_eq(gang_ob_field_find(ob_f0(), "nBOOT1")->index, 4U);
	cr_assert_null(gang_ob_field_find(ob_f1(), "nBOOT1"));
	cr_assert_null(gang_ob_field_find(ob_f1(), NULL));
}

Test(ob, an_unknown_field_is_an_error_naming_it_and_listing_the_familys)
{
	gang_ob_want w;
	gang_diag d = { 0 };

	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, ob_f1(), "nBOOT1", 1, &d), GANG_EUSAGE);
	cr_assert_str_eq(d.msg, "option byte nBOOT1 does not exist on the F1 family (it has RDP, WDG_SW, "
				"nRST_STOP, nRST_STDBY, Data0, Data1, WRP)");
	cr_assert_eq(gang_ob_want_set(&w, ob_f0(), "IWDG_STOP", 1, &d), GANG_EUSAGE);
	cr_assert(strstr(d.msg, "IWDG_STOP does not exist on the F0 family") != NULL, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, ob_f0(), "nBOOT1", 2, &d), GANG_EUSAGE);
	cr_assert_str_eq(d.msg, "option byte nBOOT1 = 2: must be 0..1");
	cr_assert_eq(w.user_bit[4], GANG_OB_UNCHANGED, "nothing set by a refused value");
}

Test(ob, named_fields_set_their_bits_bytes_level_and_wrp)
{
	gang_ob cur = ob_level(0, ob_f0()), next;
	gang_ob_want w;
	bool changed = false;

	cur.user = 0xFF;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, ob_f0(), "nBOOT1", 0, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, ob_f0(), "wdg_sw", 0, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, ob_f0(), "Data1", 0x42, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, ob_f0(), "WRP", 0xFFFFFFFEU, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, ob_f0(), "RDP", 0, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f0(), NULL), GANG_OK);
	cr_assert(changed);
	cr_assert_eq(next.user, 0xEEU, "b4 nBOOT1 and b0 WDG_SW cleared, the rest kept");
	cr_assert_eq(next.data1, 0x42U);
	cr_assert_eq(next.wrp, 0xFFFFFFFEU);
	cr_assert_eq(next.rdp, 0xAAU);
}
