/*
 * test_ob.c — option bytes without a target: decode/encode of the
 * value/complement block for F1 and F0/F3, OPTERR, the RDP policy (1 -> 0
 * only when allowed, level 2 only with the exact sentence, never on F1),
 * range checks, "unchanged" fields and WRP page lookup; the F2/F4/F7
 * FLASH_OPTCR/OPTCR1 fields.
 * References: PM0075 option bytes and WRP (RM0091 §3 for F0/F3), RM0090
 * §3.9.10-11 (F4 OPTCR/OPTCR1), RM0033 §2.4.7 (F2), RM0410 §3.7.7-8 (F7);
 * RM0433 §4.9.9, §4.9.17, §4.9.21 (H7 OPTSR, WPSN, BOOT).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/bytes.h"
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
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
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
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };

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
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob ob;

	memset(raw, 0xFF, sizeof(raw));
	gang_ob_decode(&ob, raw, ob_f1());
	cr_assert(ob.opterr);
	cr_assert_eq(ob.rdp_level, 1);
}

Test(ob, f0_levels_use_aa_and_cc)
{
	gang_ob ob = { 0, 0xAA, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU, false }, out;
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 }, b = 0;

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
	w.user = 0x100000000LL;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), &d), GANG_EUSAGE);
	cr_assert(strstr(d.msg, "USER") != NULL, "%s", d.msg);
	gang_ob_want_init(&w);
	w.wrp = 0x100000000LL;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), &d), GANG_EUSAGE);
	gang_ob_want_init(&w);
	w.rdp_level = 5;
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, ob_f1(), &d), GANG_EUSAGE);
}

static uint32_t first_page(uint32_t wrp, const char *part)
{
	gang_ob_wrp_bits b;

	gang_ob_wrp_none(&b, gang_part_find(part)->family);
	b.w[0] = wrp;
	return gang_ob_wrp_first_page(&b, gang_part_find(part));
}

Test(ob, wrp_first_page_uses_the_parts_pages_per_bit)
{
	cr_assert_eq(first_page(0xFFFFFFFFU, "STM32F103RC"), 0U);
	cr_assert_eq(first_page(0xFFFFFFFDU, "STM32F103RC"), 0x08001000U);
	cr_assert_eq(first_page(0xFFFFFFFDU, "STM32F103C8"), 0x08001000U);
	cr_assert_eq(first_page(0xFFFFFFFBU, "STM32F103C8"), 0x08002000U);
}

Test(ob, one_wrp_word_lets_its_last_bit_cover_the_rest)
{
	const gang_part *rc = gang_part_find("STM32F103RC");
	gang_ob_wrp_bits b;

	gang_ob_wrp_none(&b, rc->family);
	cr_assert_eq(b.n, 1U);
	gang_ob_wrp_protect(&b, 255, rc);   /* RC: 2 pages per bit up to bit 30, bit 31 the rest */
	cr_assert_eq(b.w[0], 0x7FFFFFFFU);
	cr_assert(gang_ob_wrp_protects(&b, 62, rc));
	cr_assert(!gang_ob_wrp_protects(&b, 61, rc));
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
	cr_assert_eq(w.user_mask, 0U, "nothing set by a refused value");
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

static const gang_family *ob_fam(const char *part)
{
	return gang_part_find(part)->family;
}

Test(ob, f2_f4_f7_name_their_optcr_fields_as_their_manuals_do)
{
	char list[256];

	gang_ob_field_list(list, sizeof(list), ob_fam("STM32F205RG"));
	cr_assert_str_eq(list, "RDP, BOR_LEV, WDG_SW, nRST_STOP, nRST_STDBY, nWRP");
	gang_ob_field_list(list, sizeof(list), ob_fam("STM32F429ZI"));
	cr_assert_str_eq(list, "RDP, BOR_LEV, BFB2, WDG_SW, nRST_STOP, nRST_STDBY, DB1M, nWRP");
	gang_ob_field_list(list, sizeof(list), ob_fam("STM32F767ZI"));
	cr_assert_str_eq(list, "RDP, BOR_LEV, WWDG_SW, IWDG_SW, nRST_STOP, nRST_STDBY, nDBOOT, nDBANK, "
			       "IWDG_STDBY, IWDG_STOP, BOOT_ADD0, BOOT_ADD1, nWRP");
	cr_assert_eq(gang_ob_field_max(gang_ob_field_find(ob_fam("STM32F407VG"), "BOR_LEV")), 3);
	cr_assert_eq(gang_ob_field_max(gang_ob_field_find(ob_fam("STM32F746ZG"), "BOOT_ADD1")), 0xFFFF);
	cr_assert_null(gang_ob_field_find(ob_fam("STM32F205RG"), "BFB2"), "F2 has no second bank");
}

/* RM0090 §3.9.10 reset value of OPTCR: 0x0FFFAAED (level 0, nothing protected, BOR off). */
Test(ob, f4_optcr_decodes_and_a_changed_field_encodes_back_in_place)
{
	const gang_family *f4 = ob_fam("STM32F429ZI");
	uint8_t raw[GANG_OB_RAW_LEN] = { 0xEC, 0xAA, 0xFF, 0x0F, 0x00, 0x00, 0xFF, 0x0F };
	gang_ob ob, next;
	gang_ob_want w;
	bool changed = false;

	gang_ob_decode(&ob, raw, f4);
	cr_assert_eq(ob.rdp_level, 0);
	cr_assert_eq(ob.wrp, 0xFFFFFFFFU, "24 sectors unprotected, the rest reads as 1");
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f4, "BOR_LEV")), 3);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f4, "nRST_STOP")), 1);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f4, "BOR_LEV", 1, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, f4, "nWRP", 0xFFFFEFFEU, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, f4, "RDP", 1, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &ob, &w, NULL, f4, NULL), GANG_OK);
	cr_assert(changed);
	gang_ob_encode(raw, &next, f4);
	cr_assert_eq(raw[0], 0xE4, "BOR_LEV 01 in bits 3:2, the other user bits kept");
	cr_assert_neq(raw[1], 0xAA, "RDP left level 0");
	cr_assert_neq(raw[1], 0xCC);
	cr_assert_eq(raw[2] | raw[3] << 8, 0x0FFE, "bank 1 sector 0 protected (nWRP bit 0 clear)");
	cr_assert_eq(raw[6] | raw[7] << 8, 0x0FFE, "sector 12 is bank 2's first bit in OPTCR1");
}

Test(ob, f7_boot_addresses_live_in_optcr1)
{
	const gang_family *f7 = ob_fam("STM32F746ZG");
	uint8_t raw[GANG_OB_RAW_LEN] = { 0xFC, 0xAA, 0xFF, 0xC0, 0x80, 0x00, 0x40, 0x00 };
	gang_ob ob;

	gang_ob_decode(&ob, raw, f7);
	cr_assert_eq(ob.data0, 0x0080, "BOOT_ADD0 reset value: flash on ITCM at 0x00200000");
	cr_assert_eq(ob.data1, 0x0040, "BOOT_ADD1: system memory");
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f7, "IWDG_STOP")), 1);
	ob.data1 = 0x2000;
	gang_ob_encode(raw, &ob, f7);
	cr_assert_eq(raw[6] | raw[7] << 8, 0x2000);
}

/* RM0433 §4.9.9 factory OPTSR 0x0006AAD0 (IWDG1_SW, NRST_STOP_D1, NRST_STBY_D1, FZ_IWDG_STOP/SDBY, RDP 0xAA). */
Test(ob, h7_optsr_boot_and_wpsn_decode_and_encode_in_place)
{
	const gang_family *h7 = ob_fam("STM32H743ZI");
	uint8_t raw[GANG_OB_RAW_LEN] = { 0xD0, 0xAA, 0x06, 0x00, 0x00, 0x08, 0xF0, 0x1F, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0 };
	gang_ob ob, next;
	gang_ob_want w;
	bool changed = false;
	char list[320];

	gang_ob_field_list(list, sizeof(list), h7);
	cr_assert_str_eq(list, "RDP, BOR_LEV, IWDG1_SW, IWDG2_SW, NRST_STOP_D1, NRST_STBY_D1, FZ_IWDG_STOP, "
			       "FZ_IWDG_SDBY, BCM4, BCM7, NRST_STOP_D2, NRST_STBY_D2, IO_HSLV, SWAP_BANK_OPT, "
			       "BOOT_ADD0, BOOT_ADD1, BOOT_CM7_ADD0, BOOT_CM7_ADD1, BOOT_CM4_ADD0, BOOT_CM4_ADD1, WRPSN");
	gang_ob_decode(&ob, raw, h7);
	cr_assert_eq(ob.rdp_level, 0);
	cr_assert_eq(ob.wrp, 0xFFFFFFFFU, "16 sectors unprotected, the rest reads as 1");
	cr_assert_eq(ob.data0, 0x0800, "BOOT_ADD0: 0x08000000");
	cr_assert_eq(ob.data1, 0x1FF0, "BOOT_ADD1: system memory");
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(h7, "IWDG1_SW")), 1);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(h7, "FZ_IWDG_SDBY")), 1);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(h7, "BOR_LEV")), 0);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, h7, "BOR_LEV", 3, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, h7, "FZ_IWDG_STOP", 0, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, h7, "WRPSN", 0xFFFFFEFEU, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &ob, &w, NULL, h7, NULL), GANG_OK);
	cr_assert(changed);
	gang_ob_encode(raw, &next, h7);
	cr_assert_eq(raw[0], 0xDC, "BOR_LEV 11 in bits 3:2, the other user bits kept");
	cr_assert_eq(raw[1], 0xAA, "RDP kept");
	cr_assert_eq(raw[2], 0x04, "FZ_IWDG_STOP (b17) cleared, FZ_IWDG_SDBY (b18) kept");
	cr_assert_eq(raw[5] << 8 | raw[4], 0x0800);
	cr_assert_eq(raw[8], 0xFE, "bank 1 sector 0 protected (WRPSN1 bit 0 clear)");
	cr_assert_eq(raw[9], 0xFE, "bank 2 sector 0 is gang_ob.wrp bit 8, the raw WRPSN word's bit 8");
	cr_assert_eq(gang_le32_get(raw + 12), 0, "no Cortex-M4 boot word on a single-core block");
	cr_assert_null(gang_ob_field_find(h7, "nWRP"));
}

/*
 * RM0433 §4.9.21 vs RM0399 §4.9.21-22: the single-core H743/H723/H750 have
 * BOOT_ADD0/1; the dual-core H745 has BOOT_CM7_ADD0/1 in the same word
 * and BOOT_CM4_ADD0/1 in FLASH_BOOT4 (raw word 3, gang_ob.more[0..1]), and
 * the boot enables BCM4/BCM7. Each part lists only its own names.
 */
Test(ob, h7_boot_addresses_are_named_per_part)
{
	const gang_part *h743 = gang_part_find("STM32H743ZI"), *h745 = gang_part_find("STM32H745ZI");
	const gang_part *h723 = gang_part_find("STM32H723ZG"), *h750 = gang_part_find("STM32H750VB");
	char list[400];

	gang_ob_part_field_list(list, sizeof(list), h743);
	cr_expect_str_eq(list, "RDP, BOR_LEV, IWDG1_SW, NRST_STOP_D1, NRST_STBY_D1, FZ_IWDG_STOP, FZ_IWDG_SDBY, "
			       "IO_HSLV, SWAP_BANK_OPT, BOOT_ADD0, BOOT_ADD1, WRPSN");
	gang_ob_part_field_list(list, sizeof(list), h745);
	cr_expect_str_eq(list, "RDP, BOR_LEV, IWDG1_SW, IWDG2_SW, NRST_STOP_D1, NRST_STBY_D1, FZ_IWDG_STOP, "
			       "FZ_IWDG_SDBY, BCM4, BCM7, NRST_STOP_D2, NRST_STBY_D2, IO_HSLV, SWAP_BANK_OPT, "
			       "BOOT_CM7_ADD0, BOOT_CM7_ADD1, BOOT_CM4_ADD0, BOOT_CM4_ADD1, WRPSN");
	gang_ob_part_field_list(list, sizeof(list), h723);
	cr_expect_str_eq(list, "RDP, BOR_LEV, IWDG1_SW, NRST_STOP_D1, NRST_STBY_D1, FZ_IWDG_STOP, FZ_IWDG_SDBY, "
			       "IO_HSLV, BOOT_ADD0, BOOT_ADD1, WRPSN", "one bank: no SWAP_BANK_OPT");
	cr_expect_not(gang_ob_field_on(gang_ob_field_find(h750->family, "SWAP_BANK_OPT"), h750), "H750VB: one bank");
	cr_expect(gang_ob_field_on(gang_ob_field_find(h745->family, "SWAP_BANK_OPT"), h745));
	cr_expect(gang_ob_field_on(gang_ob_field_find(h723->family, "BOOT_ADD1"), h723));
	cr_expect_not(gang_ob_field_on(gang_ob_field_find(h750->family, "BOOT_CM4_ADD0"), h750));
	cr_expect(gang_ob_field_on(gang_ob_field_find(h745->family, "bcm4"), h745));
	cr_expect(gang_ob_field_on(gang_ob_field_find(h745->family, "RDP"), h745));
}

Test(ob, h7_cm4_fields_are_refused_on_a_single_core_part_and_single_core_names_on_the_h745)
{
	const gang_part *h743 = gang_part_find("STM32H743ZI"), *h745 = gang_part_find("STM32H745ZI");
	gang_ob_want w;
	gang_diag d = { 0 };

	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set_part(&w, h743, "BOOT_CM4_ADD0", 0x0810, &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "option byte BOOT_CM4_ADD0 exists only on the dual-core "
				  "H745/H747/H755/H757, not on the STM32H743ZI (it has RDP,"), "%s", d.msg);
	cr_expect_eq(w.more[0], GANG_OB_UNCHANGED, "nothing set");
	cr_assert_eq(gang_ob_want_set_part(&w, h743, "BCM4", 1, &d), GANG_EUSAGE);
	cr_assert_eq(gang_ob_want_set_part(&w, gang_part_find("STM32H723ZG"), "BOOT_CM7_ADD1", 1, &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "not on the STM32H723ZG"), "%s", d.msg);
	cr_assert_eq(gang_ob_want_set_part(&w, h745, "BOOT_ADD0", 0x0800, &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "BOOT_ADD0 exists only on the single-core H742/H743/H750/H753 and "
				  "H72x/H73x, not on the STM32H745ZI"), "%s", d.msg);
	cr_expect_not_null(strstr(d.msg, "BOOT_CM7_ADD0"), "the part's own name is listed: %s", d.msg);
	cr_assert_eq(gang_ob_want_set_part(&w, h745, "BOOT_CM4_ADD0", 0x0810, &d), GANG_OK);
	cr_assert_eq(gang_ob_want_set_part(&w, h745, "BOOT_CM7_ADD1", 0x1FF0, &d), GANG_OK);
	cr_assert_eq(gang_ob_want_set_part(&w, h743, "BOOT_ADD1", 0x1FF0, &d), GANG_OK);
	cr_expect_eq(w.more[0], 0x0810);
	cr_expect_eq(w.data1, 0x1FF0);
	cr_assert_eq(gang_ob_want_set_part(&w, gang_part_find("STM32H723ZG"), "SWAP_BANK_OPT", 1, &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "option byte SWAP_BANK_OPT exists only on the two-bank "), "%s", d.msg);
	cr_expect_not_null(strstr(d.msg, "not on the STM32H723ZG"), "%s", d.msg);
	cr_expect_eq(w.user_mask, 0U, "nothing set by the refusals");
	cr_assert_eq(gang_ob_want_set_part(&w, h743, "NO_SUCH", 1, &d), GANG_EUSAGE, "unknown names as before");
	cr_expect_not_null(strstr(d.msg, "does not exist on the H7 family"), "%s", d.msg);
}

/* RM0399 §4.9.22: FLASH_BOOT4 is raw word 3; BOOT_CM4_ADD0 in bits 15:0, BOOT_CM4_ADD1 in 31:16. */
Test(ob, h7_cm4_boot_word_decodes_and_encodes_in_place)
{
	const gang_part *h745 = gang_part_find("STM32H745ZI");
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob ob, next;
	gang_ob_want w;
	bool changed = false;

	gang_le32_put(raw, 0x03C6AAF0U);
	gang_le32_put(raw + 4, 0x1FF00800U);
	gang_le32_put(raw + 8, 0xFFFFU);
	gang_le32_put(raw + 12, 0x10000810U);
	gang_ob_decode(&ob, raw, h745->family);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(h745->family, "BOOT_CM4_ADD0")), 0x0810);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(h745->family, "BOOT_CM4_ADD1")), 0x1000);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(h745->family, "BOOT_CM7_ADD0")), 0x0800);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(h745->family, "BCM4")), 1);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set_part(&w, h745, "BOOT_CM4_ADD1", 0x0800, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set_part(&w, h745, "BCM7", 0, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &ob, &w, NULL, h745->family, NULL), GANG_OK);
	cr_assert(changed);
	gang_ob_encode(raw, &next, h745->family);
	cr_expect_eq(gang_le32_get(raw + 12), 0x08000810U, "CM4 ADD1 in the high half, ADD0 kept");
	cr_expect_eq(gang_le32_get(raw + 4), 0x1FF00800U, "the CM7 word untouched");
	cr_expect_eq(gang_le32_get(raw) & (1U << 23), 0, "BCM7 cleared");
}

/*
 * RM0433 §4.3.13: a swap moves every sector to the other address while
 * WRPSN stays with the physical sector. A swap while protection is in
 * force and stays is refused; with the protection removed in the same
 * write, or with nothing protected before, it goes through.
 */
Test(ob, h7_a_swap_with_protection_in_force_must_say_which_sectors_it_means)
{
	const gang_family *h7 = ob_fam("STM32H743ZI");
	gang_ob cur = { 0 }, next;
	gang_ob_want w;
	gang_diag d = { 0 };
	bool changed = false;

	cur.rdp = 0xAA;
	cur.user = 0x0006A0D0U & 0xA3FE00FCU;
	cur.wrp = 0xFFFFFFFEU;   /* sector 0 of the bank at 0x08000000 protected */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, h7, "SWAP_BANK_OPT", 1, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, h7, &d), GANG_EUSAGE);
	cr_expect_not_null(strstr(d.msg, "SWAP_BANK_OPT = 1 exchanges the banks while sectors are write-protected "
				  "(WRPSN=0xFFFE)"), "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, h7, "WRPSN", 0xFFFFFEFFU, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, h7, &d), GANG_EUSAGE, "other sectors: still kept");
	cr_assert_eq(gang_ob_want_set(&w, h7, "WRPSN", 0xFFFFFFFFU, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, h7, &d), GANG_OK, "removed: %s", d.msg);
	cr_expect(changed);
	cur.wrp = 0xFFFFFFFFU;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, h7, "SWAP_BANK_OPT", 1, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, h7, "WRPSN", 0xFFFFFFFEU, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, h7, &d), GANG_OK, "nothing protected before");
	cr_expect_eq(next.user >> 31, 1U);
}

/*
 * RM0351 §3.7.8 (L4 FLASH_OPTR factory value 0xFFEFF8AA: RDP 0xAA, BOR_LEV
 * 0, nRST_STOP b12 set, BFB2 b20 clear) and §3.7.10 (WRP1AR factory
 * 0x000000FF: start 0xFF > end 0, no area); RM0444 §3.7.8 (G0 0xFFFFFEAA:
 * BOR_EN b8 clear, BORR_LEV b10:9 = 3, nBOOT_SEL b24).
 */
Test(ob, double_word_optr_fields_decode_at_their_manuals_bits_and_encode_back)
{
	const gang_family *l4 = gang_part_find("STM32L476RG")->family, *g0 = gang_part_find("STM32G071RB")->family;
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 }, back[GANG_OB_RAW_LEN];
	gang_ob ob;
	gang_ob_want w;
	gang_ob next;
	gang_diag d = { 0 };
	bool changed = false;

	gang_le32_put(raw, 0xFFEFF8AAU);
	gang_le32_put(raw + 4, 0x000000FFU);
	gang_le32_put(raw + 8, 0x000000FFU);
	gang_ob_decode(&ob, raw, l4);
	cr_assert_eq(ob.rdp_level, 0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(l4, "BOR_LEV")), 0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(l4, "nRST_STOP")), 1);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(l4, "BFB2")), 0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(l4, "WRP1A")), 0x00FF, "start 0xFF, end 0: off");
	gang_ob_encode(back, &ob, l4);
	cr_expect_eq(gang_le32_get(back) & 0x0FBF77FFU, 0xFFEFF8AAU & 0x0FBF77FFU, "OPTR 0x%08X: the named bits",
		     gang_le32_get(back));
	cr_expect_eq(gang_le32_get(back + 4), 0x000000FFU);
	gang_ob_decode(&next, back, l4);
	cr_expect(next.user == ob.user && next.rdp == ob.rdp && next.data0 == ob.data0 && next.data1 == ob.data1);
	/* BOR_LEV 4 and a WRP area of pages 0-7 land in OPTR[10:8] and WRP1AR [7:0]/[23:16] */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, l4, "BOR_LEV", 4, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, l4, "WRP1A", 0x0700, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_plan(&next, &changed, &ob, &w, NULL, l4, &d), GANG_OK, "%s", d.msg);
	cr_assert(changed);
	gang_ob_encode(back, &next, l4);
	cr_expect_eq(gang_le32_get(back) & 0x700U, 0x400U);
	cr_expect_eq(gang_le32_get(back) & 0xFFU, 0xAAU);
	cr_expect_eq(gang_le32_get(back + 4), 0x00070000U);
	gang_le32_put(raw, 0xFFFFFEAAU);
	gang_ob_decode(&ob, raw, g0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(g0, "BOR_EN")), 0);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(g0, "BORR_LEV")), 3);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(g0, "nBOOT_SEL")), 1);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(g0, "NRST_MODE")), 3);
	cr_expect_null(gang_ob_field_find(g0, "BOR_LEV"));
	cr_expect_null(gang_ob_field_find(l4, "nBOOT_SEL"));
}

/* RDP is FLASH_OPTR[7:0] on every double-word family: 0xAA, 0xCC, anything else level 1 (RM0351 §3.5.1). */
Test(ob, double_word_rdp_levels_use_aa_bb_and_cc)
{
	const gang_family *wb = gang_part_find("STM32WB55RG")->family;
	uint8_t b = 0;
	gang_diag d = { 0 };

	cr_assert_eq(gang_ob_rdp_byte(&b, 0, wb, &d), GANG_OK);
	cr_expect_eq(b, 0xAA);
	cr_assert_eq(gang_ob_rdp_byte(&b, 1, wb, &d), GANG_OK);
	cr_expect(b != 0xAA && b != 0xCC);
	cr_assert_eq(gang_ob_rdp_byte(&b, 2, wb, &d), GANG_OK);
	cr_expect_eq(b, 0xCC);
}
