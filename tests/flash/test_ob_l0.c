/*
 * test_ob_l0.c — the L0/L1 option words without a target: each a 16-bit
 * value with its complement in the high half, RDP/WPRMOD in word 0, the
 * USER bits in word 1, WRP (1 = protected on silicon) from word 2 (L0 Cat.5
 * WRPROT2 in word 4, L1 WRP4 at 0x1FF80080), PCROP while WPRMOD = 1 (0 =
 * protected on silicon) and its rules, and the fields each family's
 * manual names.
 * References: RM0377 §3.4.1 and §3.7.8 (L0 option bytes, OPTR), RM0367
 * §3.4.4 (PCROP changes), RM0038 §3.8 (L1), OpenOCD's stm32lx driver
 * (0xFF5500AA = RDP level 0).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "flash/ob.h"
#include "flash/pecr_l0.h"
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
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
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
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
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
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
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
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP", 0xFFFEFFFBU, NULL), GANG_OK);   /* sectors 2 and 16 */
	cr_assert_eq(gang_ob_want_set(&w, f, "RDP", 1, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, f, NULL), GANG_OK);
	cr_assert(changed);
	gang_ob_encode(raw, &next, f);
	cr_assert_eq(get32(raw), 0xFF4400BBU, "RDP 0xBB, complement above");
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
	const char *both[] = { "RDP", "BOR_LEV", "IWDG_SW", "nRST_STOP", "nRST_STDBY", "BFB2", "WRP", "WRP2" };

	for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
		cr_expect_not_null(gang_ob_field_find(l0(), both[i]), "L0 %s", both[i]);
		cr_expect_not_null(gang_ob_field_find(l1(), both[i]), "L1 %s", both[i]);
	}
	cr_expect_not_null(gang_ob_field_find(l0(), "nBOOT1"));
	cr_expect_not_null(gang_ob_field_find(l0(), "WPRMOD"));
	cr_expect_null(gang_ob_field_find(l1(), "WPRMOD"), "WPRMOD is L0 only (RM0377 §3.4.1)");
	cr_expect_null(gang_ob_field_find(l1(), "nBOOT1"));
	cr_expect_null(gang_ob_field_find(l1(), "PCROP"), "PCROP through WPRMOD is L0 only");
	cr_expect_not_null(gang_ob_field_find(l0(), "PCROP"));
	cr_expect_not_null(gang_ob_field_find(l1(), "WRP4"), "L1 Cat.5/6: 128 sectors in four words");
	cr_expect_null(gang_ob_field_find(l0(), "WRP3"), "L0 has at most 48 sectors");
	cr_expect_eq(gang_ob_field_max(gang_ob_field_find(l0(), "BOR_LEV")), 15);
}

/* ---- every WRP word a part has --------------------------------------------------- */

static void words_blank(uint8_t *raw, unsigned n)
{
	memset(raw, 0, GANG_OB_RAW_LEN);
	put32(raw, 0xFF5500AAU);
	put32(raw + 4, 0xFF8F0070U);
	for (unsigned i = 2; i < n; i++)
		put32(raw + 4 * i, 0xFFFF0000U);
}

Test(ob_l0, each_part_reads_the_words_its_flash_needs)
{
	cr_assert_eq(gang_pecr_l0_ob_words(gang_part_find("STM32L011K4")), 3U, "4 sectors: WRP01 only");
	cr_assert_eq(gang_pecr_l0_ob_words(gang_part_find("STM32L053R8")), 3U, "16 sectors");
	cr_assert_eq(gang_pecr_l0_ob_words(gang_part_find("STM32L073RZ")), 5U, "48 sectors: WRPROT2 at 0x10");
	cr_assert_eq(gang_pecr_l0_ob_words(gang_part_find("STM32L152RE")), 10U, "128 sectors");
	cr_assert_eq(gang_pecr_l0_ob_off(4), 0x10U);
	cr_assert_eq(gang_pecr_l0_ob_off(7), 0x1CU);
	cr_assert_eq(gang_pecr_l0_ob_off(8), 0x80U, "L1 WRP4 sits apart (RM0038 §3.8.1)");
	cr_assert_eq(gang_pecr_l0_ob_off(9), 0x84U);
}

Test(ob_l0, l073_sectors_32_to_47_are_wrprot2)
{
	const gang_part *p = gang_part_find("STM32L073RZ");
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob ob, back;
	gang_ob_wrp_bits b;

	words_blank(raw, 5);
	put32(raw + 16, 0x7FFE8001U);   /* WRPROT2 bits 0 and 15: sectors 32 and 47 */
	gang_ob_decode(&ob, raw, p->family);
	cr_assert_eq(ob.wrp, 0xFFFFFFFFU);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(p->family, "WRP2")), 0xFFFF7FFE);
	gang_ob_wrp_of(&b, &ob, p->family);
	cr_assert_eq(b.n, 2U);
	cr_assert(gang_ob_wrp_protects(&b, 32 * 32, p), "page 1024 = 0x08008000 is sector 32");
	cr_assert(gang_ob_wrp_protects(&b, 48 * 32 - 1, p), "the last page is sector 47");
	cr_assert(!gang_ob_wrp_protects(&b, 31 * 32, p));
	cr_assert_eq(gang_ob_wrp_first_page(&b, p), 0x08020000U);
	gang_ob_encode(raw, &ob, p->family);
	cr_assert_eq(get32(raw + 16), 0x7FFE8001U);
	gang_ob_decode(&back, raw, p->family);
	cr_assert_eq(back.more[0], ob.more[0]);
}

Test(ob_l0, l152re_protects_all_128_sectors_up_to_0x1ff80084)
{
	const gang_part *p = gang_part_find("STM32L152RE");
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob_wrp_bits b;
	gang_ob_want w;
	gang_ob cur, next;
	bool changed = false;

	words_blank(raw, 10);
	gang_ob_decode(&cur, raw, p->family);
	gang_ob_wrp_none(&b, p->family);
	cr_assert_eq(b.n, 4U);
	gang_ob_wrp_protect(&b, 2047, p);   /* the last 256-byte page: sector 127 */
	gang_ob_wrp_protect(&b, 16 * 64, p);   /* sector 64, WRP3 */
	cr_assert_eq(b.w[3], 0x7FFFFFFFU);
	cr_assert_eq(b.w[2], 0xFFFFFFFEU);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_wrp(&w, &b, p->family, NULL), GANG_OK);
	cr_assert_eq(gang_ob_plan(&next, &changed, &cur, &w, NULL, p->family, NULL), GANG_OK);
	cr_assert(changed);
	gang_ob_encode(raw, &next, p->family);
	cr_assert_eq(get32(raw + 4 * 9), 0x7FFF8000U, "0x1FF80084: sectors 112-127, bit 15 set");
	cr_assert_eq(get32(raw + 4 * 6), 0xFFFE0001U, "0x1FF80018: sector 64");
	cr_assert_eq(get32(raw + 4 * 8), 0xFFFF0000U);
}

Test(ob_l0, a_missing_wrp_word_reads_as_unprotected)
{
	const gang_part *p = gang_part_find("STM32L152RE");
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob ob;
	gang_ob_wrp_bits b;

	words_blank(raw, 3);   /* only WRP01 read: the rest zero, no pair */
	gang_ob_decode(&ob, raw, p->family);
	cr_assert(!ob.opterr);
	gang_ob_wrp_of(&b, &ob, p->family);
	for (unsigned i = 0; i < 4; i++)
		cr_assert_eq(b.w[i], 0xFFFFFFFFU, "word %u", i);
}

/* ---- WPRMOD = 1: the same bits are PCROP ------------------------------------------ */

static void pcrop_chip(gang_ob *cur, int level, uint16_t wrprot1_lo)
{
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };

	words_blank(raw, 3);
	put32(raw, level == 0 ? 0xFE5501AAU : 0xFE4401BBU);   /* WPRMOD b8 */
	put32(raw + 8, (uint32_t)(uint16_t)~wrprot1_lo << 16 | wrprot1_lo);
	gang_ob_decode(cur, raw, l0());
}

Test(ob_l0, wprmod_bits_are_pcrop_never_write_protection)
{
	gang_ob ob;
	gang_ob_wrp_bits b;

	pcrop_chip(&ob, 0, 0xFFFCU);   /* WPRMOD = 1: a 0 read-protects sectors 0 and 1 */
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(l0(), "WPRMOD")), 1);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(l0(), "PCROP")), 0x3);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(l0(), "PCROP2")), 0);
	gang_ob_wrp_of(&b, &ob, l0());
	cr_assert_eq(b.w[0], 0xFFFFFFFFU, "PCROP bits are no write protection");
	cr_assert_eq(b.w[1], 0xFFFFFFFFU);
	pcrop_chip(&ob, 0, 0x0003U);   /* what would write-protect 0-1 read-protects 2-15 */
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(l0(), "PCROP")), 0xFFFC);
}

static int plan_l0(gang_ob *next, const gang_ob *cur, const char *const *names, const int64_t *vals, size_t n,
		   const gang_ob_write_opts *o, gang_diag *d)
{
	gang_ob_want w;
	bool changed = false;

	gang_ob_want_init(&w);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(gang_ob_want_set(&w, l0(), names[i], vals[i], NULL), GANG_OK, "%s", names[i]);
	return gang_ob_plan(next, &changed, cur, &w, o, l0(), d);
}

Test(ob_l0, enabling_pcrop_needs_the_confirmation_and_writes_zeros_for_its_sectors)
{
	static const char *const names[] = { "WPRMOD", "PCROP" };
	static const int64_t vals[] = { 1, 0x5 };
	gang_ob_write_opts o = { .confirm_level2 = GANG_OB_LEVEL2_CONFIRM };
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, next;
	gang_diag d = { 0 };

	pcrop_chip(&cur, 0, 0);
	cur.user &= ~(1U << 16);   /* WPRMOD = 0, nothing protected */
	cur.more[1] = 0;
	cr_assert_eq(plan_l0(&next, &cur, names, vals, 2, NULL, &d), GANG_ELOCKED_FOREVER);
	cr_assert(strstr(d.msg, "PCROP (WPRMOD = 1, sectors 0x000000000005) can be undone only by an RDP "
			 "regression") != NULL, "%s", d.msg);
	cr_assert_eq(plan_l0(&next, &cur, names, vals, 2, &o, NULL), GANG_OK);
	gang_ob_encode(raw, &next, l0());
	cr_assert_eq(get32(raw) & 0x1FFU, 0x1AAU, "WPRMOD b8 with RDP 0xAA");
	cr_assert_eq(get32(raw + 8), 0x0005FFFAU, "PCROP: a 0 protects sectors 0 and 2");
	cr_assert_eq(get32(raw + 16), 0x0000FFFFU, "WRPROT2 all ones: sectors 32-47 not read-protected");
}

Test(ob_l0, pcrop_and_write_protection_cannot_share_the_bits)
{
	static const char *const a[] = { "WPRMOD", "WRP" };
	static const int64_t av[] = { 1, 0xFFFFFFFE };
	static const char *const b[] = { "WPRMOD", "PCROP" };
	static const int64_t bv[] = { 0, 0x1 };
	gang_ob_write_opts o = { .confirm_level2 = GANG_OB_LEVEL2_CONFIRM };
	gang_ob cur, next;
	gang_diag d = { 0 };

	pcrop_chip(&cur, 0, 0);
	cur.user &= ~(1U << 16);
	cur.more[1] = 0;
	cr_assert_eq(plan_l0(&next, &cur, a, av, 2, &o, &d), GANG_EUSAGE);
	cr_assert(strstr(d.msg, "no sector can stay write-protected") != NULL, "%s", d.msg);
	cr_assert_eq(plan_l0(&next, &cur, b, bv, 2, &o, &d), GANG_EUSAGE);
	cr_assert(strstr(d.msg, "need WPRMOD = 1") != NULL, "%s", d.msg);
}

Test(ob_l0, pcrop_goes_only_with_the_rdp_regression)
{
	static const char *const off[] = { "WPRMOD", "PCROP" };
	static const int64_t offv[] = { 0, 0 };
	static const char *const fewer[] = { "PCROP" };
	static const int64_t fewerv[] = { 0x1 };
	static const char *const keep[] = { "RDP" };
	static const int64_t keepv[] = { 0 };
	static const char *const lift[] = { "RDP", "WPRMOD", "PCROP" };
	static const int64_t liftv[] = { 0, 0, 0 };
	gang_ob_write_opts allow = { .allow_rdp_regression = true };
	uint8_t raw[GANG_OB_RAW_LEN] = { 0 };
	gang_ob cur, next;
	gang_diag d = { 0 };

	pcrop_chip(&cur, 0, 0xFFFCU);
	cr_assert_eq(plan_l0(&next, &cur, off, offv, 2, &allow, &d), GANG_EREAD_PROTECTED);
	cr_assert(strstr(d.msg, "the chip is at level 0: set rdp = 1 first") != NULL, "%s", d.msg);
	pcrop_chip(&cur, 1, 0xFFFCU);
	cr_assert_eq(plan_l0(&next, &cur, off, offv, 2, &allow, &d), GANG_EREAD_PROTECTED);
	cr_assert(strstr(d.msg, "at level 1: set rdp = 0 with allow_unprotect") != NULL, "%s", d.msg);
	cr_assert_eq(plan_l0(&next, &cur, fewer, fewerv, 1, &allow, &d), GANG_EREAD_PROTECTED);
	cr_assert(strstr(d.msg, "PCROP sectors 0x000000000002 would be removed") != NULL, "%s", d.msg);
	cr_assert_eq(plan_l0(&next, &cur, keep, keepv, 1, &allow, &d), GANG_EUSAGE);
	cr_assert(strstr(d.msg, "set WPRMOD = 0 with it") != NULL, "%s", d.msg);
	cr_assert_eq(plan_l0(&next, &cur, lift, liftv, 3, NULL, &d), GANG_EREAD_PROTECTED,
		     "the regression itself still needs allow_unprotect");
	cr_assert_eq(plan_l0(&next, &cur, lift, liftv, 3, &allow, NULL), GANG_OK);
	gang_ob_encode(raw, &next, l0());
	cr_assert_eq(get32(raw), 0xFF5500AAU, "RDP 0xAA, WPRMOD 0");
	cr_assert_eq(get32(raw + 8), 0xFFFF0000U, "WRPROT rewritten to 0: a mass erase leaves it (RM0367 §3.4.4)");
}

Test(ob_l0, more_pcrop_sectors_need_the_confirmation_again)
{
	static const char *const more[] = { "PCROP" };
	static const int64_t morev[] = { 0x7 };
	gang_ob_write_opts o = { .confirm_level2 = GANG_OB_LEVEL2_CONFIRM };
	gang_ob cur, next;

	pcrop_chip(&cur, 1, 0xFFFCU);
	cr_assert_eq(plan_l0(&next, &cur, more, morev, 1, NULL, NULL), GANG_ELOCKED_FOREVER);
	cr_assert_eq(plan_l0(&next, &cur, more, morev, 1, &o, NULL), GANG_OK);
}
