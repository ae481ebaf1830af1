/*
 * test_ob_l0.c — the L0/L1 option words without a target: each a 16-bit
 * value with its complement in the high half, RDP/WPRMOD in word 0, the
 * USER bits in word 1, WRP (1 = protected on silicon) in words 2-3, and the
 * fields each family's manual names.
 * References: RM0377 §3.4.1 and §3.7.8 (L0 option bytes, OPTR), RM0038
 * §3.8 (L1), OpenOCD's stm32lx driver (0xFF5500AA = RDP level 0).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "flash/ob.h"
#include "target/part.h"

TestSuite(ob_l0, .timeout = 10);

static const gang_family *l0(void)
{
	return gang_part_find("STM32L053R8")->family;
}

static const gang_family *l1(void)
{
	return gang_part_find("STM32L152RE")->family;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

Test(ob_l0, factory_words_decode_as_level0_nothing_protected)
{
	uint8_t raw[16];
	gang_ob ob;

	put32(raw, 0xFF5500AAU);       /* RDP 0xAA, WPRMOD 0 */
	put32(raw + 4, 0xFF8F0070U);   /* BOR_LEV 0, IWDG_SW, nRST_STOP, nRST_STDBY = 1 */
	put32(raw + 8, 0xFFFF0000U);   /* WRP01: nothing protected */
	put32(raw + 12, 0xFFFF0000U);
	gang_ob_decode(&ob, raw, l0());
	cr_assert(!ob.opterr);
	cr_assert_eq(ob.rdp_level, 0);
	cr_assert_eq(ob.wrp, 0xFFFFFFFFU, "no sector protected reads as all ones in gang's sense");
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(l0(), "nRST_STOP")), 1);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(l0(), "BOR_LEV")), 0);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(l0(), "WPRMOD")), 0);
}

Test(ob_l0, a_broken_complement_is_opterr)
{
	uint8_t raw[16];
	gang_ob ob;

	put32(raw, 0xFF5500AAU);
	put32(raw + 4, 0x00000070U);   /* complement missing: OPTVERR at load */
	put32(raw + 8, 0xFFFF0000U);
	put32(raw + 12, 0);            /* a 64 KiB part has no WRP23 pair: not an error */
	gang_ob_decode(&ob, raw, l0());
	cr_assert(ob.opterr);
	put32(raw + 4, 0xFF8F0070U);
	gang_ob_decode(&ob, raw, l0());
	cr_assert(!ob.opterr);
}

Test(ob_l0, named_fields_encode_as_value_and_complement_words)
{
	const gang_family *f = l0();
	uint8_t raw[16];
	gang_ob cur = { 0 }, next, back;
	gang_ob_want w;
	bool changed = false;

	put32(raw, 0xFF5500AAU);
	put32(raw + 4, 0xFF8F0070U);
	put32(raw + 8, 0xFFFF0000U);
	put32(raw + 12, 0xFFFF0000U);
	gang_ob_decode(&cur, raw, f);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "BOR_LEV", 9, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, f, "nRST_STDBY", 0, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, f, "WPRMOD", 1, NULL), GANG_OK);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP", 0xFFFEFFFBU, NULL), GANG_OK);   /* sectors 2 and 16 */
	cr_assert_eq(gang_ob_want_set(&w, f, "RDP", 1, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, f, NULL), GANG_OK);
	cr_assert(changed);
	gang_ob_encode(raw, &next, f);
	cr_assert_eq(get32(raw), 0xFE4401BBU, "RDP 0xBB with WPRMOD b8, complement above");
	cr_assert_eq(get32(raw + 4), 0xFFC60039U, "BOR_LEV 9 | IWDG_SW | nRST_STOP");
	cr_assert_eq(get32(raw + 8), 0xFFFB0004U, "silicon WRP bit 1 protects sector 2");
	cr_assert_eq(get32(raw + 12), 0xFFFE0001U, "sector 16 in WRP23");
	gang_ob_decode(&back, raw, f);
	cr_assert(!back.opterr);
	cr_assert_eq(back.rdp_level, 1);
	cr_assert_eq(back.wrp, 0xFFFEFFFBU);
	cr_assert_eq(back.user, next.user);
}

Test(ob_l0, levels_use_aa_and_cc)
{
	uint8_t b = 0;

	cr_assert_eq(gang_ob_rdp_byte(&b, 0, l1(), NULL), GANG_OK);
	cr_assert_eq(b, 0xAA);
	cr_assert_eq(gang_ob_rdp_byte(&b, 2, l1(), NULL), GANG_OK);
	cr_assert_eq(b, 0xCC);
	cr_assert_eq(gang_ob_rdp_byte(&b, 1, l0(), NULL), GANG_OK);
	cr_assert(b != 0xAA && b != 0xCC);
}

Test(ob_l0, each_family_names_its_fields_as_its_manual_does)
{
	const char *both[] = { "RDP", "BOR_LEV", "IWDG_SW", "nRST_STOP", "nRST_STDBY", "BFB2", "WRP" };

	for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
		cr_expect_not_null(gang_ob_field_find(l0(), both[i]), "L0 %s", both[i]);
		cr_expect_not_null(gang_ob_field_find(l1(), both[i]), "L1 %s", both[i]);
	}
	cr_expect_not_null(gang_ob_field_find(l0(), "nBOOT1"));
	cr_expect_not_null(gang_ob_field_find(l0(), "WPRMOD"));
	cr_expect_null(gang_ob_field_find(l1(), "WPRMOD"), "WPRMOD is L0 only (RM0377 §3.4.1)");
	cr_expect_null(gang_ob_field_find(l1(), "nBOOT1"));
	cr_expect_eq(gang_ob_field_max(gang_ob_field_find(l0(), "BOR_LEV")), 15);
}
