/*
 * test_parts_ref.c — every row of the shared part table (target/parts.def)
 * against the DEV_ID tables of the reference manuals and datasheets:
 * RM0008 Tables 4-8 and DBGMCU_IDCODE (F1 low/medium/high/XL density,
 * connectivity line, value line), RM0091 (F0), RM0316 (F3), DS5319 and
 * DS5792 (F103 sizes). A row whose DEV_ID is not in these tables, or
 * whose family, page size, flash or SRAM contradicts them, fails, so a
 * part cannot be added on a guess. `gang parts` lists exactly these rows.
 * F2/F4/F7: RM0033 §2.3 (F2), RM0090 §3.3 Tables 5-6 (F40x/F41x, F42x/F43x
 * dual bank), RM0383 (F411), RM0390 (F446), RM0385 §3.3 (F74x: 32/128/256
 * KiB sectors), RM0410 §3.3 (F76x single bank), DBGMCU_IDCODE of each.
 * L0/L1: RM0377 §3.3.1 and §27.4.1 (L0: 128-byte pages, DEV_ID 0x457
 * Cat.1, 0x417 Cat.3, 0x447 Cat.5), RM0038 §3.3.1 (L1: 256-byte pages,
 * 0x437 Cat.5/6), the datasheets (L011: 16 KiB, 2 KiB SRAM; L053: 64
 * KiB, 8 KiB; L073: 192 KiB, 20 KiB; L152xE: 512 KiB, 80 KiB; the
 * reference's §1.2 table agrees); an erased byte reads 0x00 (RM0377 §3.3.4).
 * G0/C0/G4/L4/L4+/WB/WL (double-word controller): RM0444 §3.3.1 and §40.4.1
 * (G03x/G04x 0x466, G07x/G08x 0x460, G0Bx/G0Cx 0x467 with two banks of 2 KiB
 * pages, bank 2 from page 256), RM0490 (C031 0x453), RM0440 §5.3.1 (G43x/G44x
 * 0x468, G47x/G48x 0x469: two banks of 2 KiB pages with DBANK = 1), RM0394
 * (L43x/L44x 0x435), RM0351 §3.3.1 (L47x/L48x 0x415: two banks of 2 KiB pages),
 * RM0432 §3.3.1 (L4R/L4S 0x470: two banks of 4 KiB pages with DBANK = 1),
 * RM0434 §3.3.1 (WB5x 0x495, 4 KiB pages), RM0461 §3.3.1 (WLE/WL5x 0x497).
 * H7: RM0433 §4.2 (H742/743/745/747/750/753/755/757, DEV_ID 0x450: up to
 * two banks of 8 x 128 KiB, bank 2 at 0x08100000 with its sectors
 * numbered 0-7 again; H750 one 128 KiB sector), RM0468 §4.2 (H72x/H73x,
 * 0x483: one bank of up to 8 x 128 KiB), §2 of both (DTCM 128 KiB at
 * 0x20000000, the SRAM gang's loader uses), 256-bit flash words.
 * L5/U5 (TrustZone controller): RM0438 §6.3.1 and §52.2 (L55x/L56x 0x472:
 * 512 KiB, two banks of 128 2-KiB pages with the factory DBANK = 1, a
 * double word programmed at once), RM0456 §7.3.1 and §75.2 (U575/U585
 * 0x482: 2 MiB, two banks of 128 8-KiB pages, a quad word at once);
 * DBGMCU_IDCODE at 0xE0044000, flash size 0x0BFA05E0 / 0x0BFA07A0, UID
 * 0x0BFA0590 / 0x0BFA0700, OTP 512 bytes at 0x0BFA0000.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "flash/geom.h"
#include "target/part.h"

TestSuite(parts_ref, .timeout = 10);

typedef struct ref_line {
	uint16_t dev_id;
	const char *family;
	uint32_t page;             /* erase unit bytes; 0: sectors of several sizes */
	uint32_t kib_min, kib_max; /* main flash */
	uint32_t sram_min, sram_max;
} ref_line;

/* DEV_ID, family, page bytes, flash KiB range, SRAM KiB range (0: the sources do not say) */
static const ref_line ref_lines[] = {
	{ 0x412U, "F1", 1024U, 16U, 32U, 6U, 10U },      /* low density */
	{ 0x410U, "F1", 1024U, 64U, 128U, 20U, 20U },    /* medium density (F103x8/xB) */
	{ 0x414U, "F1", 2048U, 256U, 512U, 48U, 64U },   /* high density (F103xC/xD/xE) */
	{ 0x430U, "F1", 2048U, 768U, 1024U, 96U, 96U },  /* XL density, dual bank */
	{ 0x418U, "F1", 2048U, 64U, 256U, 64U, 64U },    /* connectivity line (F105/F107) */
	{ 0x420U, "F1", 1024U, 16U, 128U, 0, 0 },        /* F100 value line LD/MD */
	{ 0x428U, "F1", 2048U, 256U, 512U, 0, 0 },       /* F100 value line HD */
	{ 0x444U, "F0", 1024U, 16U, 32U, 4U, 4U },       /* F03x */
	{ 0x445U, "F0", 1024U, 32U, 32U, 6U, 6U },       /* F04x */
	{ 0x440U, "F0", 1024U, 64U, 64U, 8U, 8U },       /* F05x, F030x8 */
	{ 0x448U, "F0", 2048U, 128U, 128U, 16U, 16U },   /* F07x */
	{ 0x442U, "F0", 2048U, 256U, 256U, 32U, 32U },   /* F09x */
	{ 0x422U, "F3", 2048U, 128U, 256U, 0, 0 },       /* F302/F303xB/xC */
	{ 0x438U, "F3", 2048U, 32U, 64U, 0, 0 },         /* F303x6/x8, F334 */
	{ 0x446U, "F3", 2048U, 384U, 512U, 0, 0 },       /* F303xD/xE */
	{ 0x432U, "F3", 2048U, 64U, 256U, 0, 0 },        /* F37x */
	{ 0x411U, "F2", 0U, 128U, 1024U, 64U, 128U },    /* F205/F207/F215/F217 */
	{ 0x413U, "F4", 0U, 512U, 1024U, 192U, 192U },   /* F405/F407/F415/F417 (128 + 64 CCM) */
	{ 0x419U, "F4", 0U, 1024U, 2048U, 256U, 256U },  /* F42x/F43x */
	{ 0x431U, "F4", 0U, 256U, 512U, 128U, 128U },    /* F411 */
	{ 0x421U, "F4", 0U, 256U, 512U, 128U, 128U },    /* F446 */
	{ 0x449U, "F7", 0U, 512U, 1024U, 320U, 320U },   /* F74x/F75x */
	{ 0x451U, "F7", 0U, 1024U, 2048U, 512U, 512U },  /* F76x/F77x */
	{ 0x457U, "L0", 128U, 8U, 16U, 2U, 2U },         /* L0 Cat.1: L011/L021 */
	{ 0x417U, "L0", 128U, 32U, 64U, 8U, 8U },        /* L0 Cat.3: L05x/L06x */
	{ 0x447U, "L0", 128U, 64U, 192U, 20U, 20U },     /* L0 Cat.5: L07x/L08x, two banks above 64 KiB */
	{ 0x437U, "L1", 256U, 384U, 512U, 48U, 80U },    /* L1 Cat.5/6: L15xxD/xE */
	{ 0x466U, "G0", 2048U, 16U, 64U, 8U, 8U },       /* G03x/G04x */
	{ 0x460U, "G0", 2048U, 64U, 128U, 36U, 36U },    /* G07x/G08x */
	{ 0x467U, "G0", 2048U, 256U, 512U, 144U, 144U }, /* G0Bx/G0Cx, two banks */
	{ 0x453U, "C0", 2048U, 16U, 32U, 12U, 12U },     /* C031 */
	{ 0x468U, "G4", 2048U, 32U, 128U, 32U, 32U },    /* G43x/G44x (16 + 6 + 10 CCM) */
	{ 0x469U, "G4", 2048U, 128U, 512U, 128U, 128U }, /* G47x/G48x, two banks (DBANK = 1) */
	{ 0x435U, "L4", 2048U, 64U, 256U, 64U, 64U },    /* L43x/L44x */
	{ 0x415U, "L4", 2048U, 256U, 1024U, 128U, 128U },/* L47x/L48x (96 + 32) */
	{ 0x470U, "L4+", 4096U, 2048U, 2048U, 640U, 640U }, /* L4R/L4S, two banks (DBANK = 1) */
	{ 0x495U, "WB", 4096U, 256U, 1024U, 256U, 256U },/* WB5x */
	{ 0x497U, "WL", 2048U, 64U, 256U, 20U, 64U },    /* WLE/WL5x */
	{ 0x450U, "H7", 131072U, 128U, 2048U, 128U, 128U }, /* H742/743/745/747/750/753/755/757 (DTCM) */
	{ 0x483U, "H7", 131072U, 128U, 1024U, 128U, 128U }, /* H723/725/730/733/735 (DTCM) */
	{ 0x472U, "L5", 2048U, 256U, 512U, 256U, 256U }, /* L55x/L56x, two banks (DBANK = 1) */
	{ 0x482U, "U5", 8192U, 1024U, 2048U, 786U, 786U }, /* U575/U585, two banks */
};

/*
 * Bytes a family's controller programs at once (F1 half-words, F2/F4/F7
 * words at x32, L0/L1 words, G0-C0 double words, H7 flash words; RM0438
 * §6.3.7: L5 double word; RM0456 §7.3.7: U5 quad word).
 */
static unsigned ref_write_unit(const gang_family *f)
{
	if (f->flash.id == GANG_CTRL_FPEC_TZ)
		return strcmp(f->name, "U5") == 0 ? 16U : 8U;
	if (f->flash.id == GANG_CTRL_FPEC_L4)
		return 8U;
	if (f->flash.id == GANG_CTRL_FPEC_H7)
		return 32U;
	return f->flash.id == GANG_CTRL_FPEC_F1 ? 2U : 4U;
}

static const ref_line *ref_find(uint16_t dev_id)
{
	for (size_t i = 0; i < sizeof(ref_lines) / sizeof(ref_lines[0]); i++)
		if (ref_lines[i].dev_id == dev_id)
			return &ref_lines[i];
	return NULL;
}

Test(parts_ref, every_row_has_a_dev_id_and_sizes_the_references_give)
{
	cr_assert_gt(gang_part_count(), 0U);
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);
		const ref_line *r = ref_find(p->dev_id);

		cr_assert_not_null(r, "%s: DEV_ID 0x%03X is in no reference table", p->name, (unsigned)p->dev_id);
		cr_expect_str_eq(p->family->name, r->family, "%s: family", p->name);
		cr_expect_eq(gang_part_page_size(p), r->page, "%s: page size", p->name);
		cr_expect(p->flash_kib >= r->kib_min && p->flash_kib <= r->kib_max, "%s: %u KiB of flash",
			  p->name, (unsigned)p->flash_kib);
		cr_expect(r->sram_max == 0 || (p->sram_kib >= r->sram_min && p->sram_kib <= r->sram_max),
			  "%s: %u KiB of SRAM", p->name, (unsigned)p->sram_kib);
	}
}

Test(parts_ref, every_row_has_a_geometry_covering_exactly_its_flash)
{
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);

		cr_assert(gang_geom_valid(&p->geom), "%s: geometry", p->name);
		cr_expect_eq(gang_geom_base(&p->geom), GANG_FLASH_BASE, "%s", p->name);
		cr_expect_eq(gang_geom_end(&p->geom) - gang_geom_base(&p->geom), (uint64_t)p->flash_kib * 1024U,
			     "%s: regions cover the flash size", p->name);
		cr_expect_eq(p->geom.erased, p->family->flash.id == GANG_CTRL_PECR_L0 ? 0x00U : 0xFFU,
			     "%s: L0/L1 erase to 0x00, the other families to 0xFF", p->name);
		cr_expect_eq(p->geom.write_unit, ref_write_unit(p->family),
			     "%s: F0/F1/F3 program half-words, F2/F4/F7 and L0/L1 words, G0-C0 and L5 double words, "
			     "U5 quad words, H7 256-bit flash words", p->name);
	}
}

Test(parts_ref, names_are_unique_and_found_by_their_own_spelling)
{
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);

		cr_expect_eq(gang_part_find(p->name), p, "%s", p->name);
		for (unsigned j = i + 1; j < gang_part_count(); j++)
			cr_expect_neq(strcmp(p->name, gang_part_at(j)->name), 0, "%s twice", p->name);
	}
}

/* RM0090 §3.3 Table 5 (1 MiB: 4 x 16, 64, 7 x 128 KiB), Table 6 (2 MiB: bank 2 from sector 12 at 0x08100000), RM0385 §3.3 (F74x: 4 x 32, 128, 3 x 256 KiB). */
Test(parts_ref, sector_layouts_are_the_reference_manuals)
{
	const gang_part *f407 = gang_part_find("STM32F407VG"), *f429 = gang_part_find("STM32F429ZI");
	const gang_part *f746 = gang_part_find("STM32F746ZG");
	gang_flash_unit u;

	cr_assert(f407 && f429 && f746);
	cr_expect_eq(gang_geom_unit_count(&f407->geom), 12U);
	cr_assert(gang_geom_unit_at(&u, &f407->geom, 0x08010000U));
	cr_expect(u.no == 4U && u.size == 65536U);
	cr_assert(gang_geom_unit_at(&u, &f407->geom, 0x080FFFFFU));
	cr_expect(u.no == 11U && u.size == 131072U && u.addr == 0x080E0000U);
	cr_expect_eq(gang_geom_unit_count(&f429->geom), 24U);
	cr_assert(gang_geom_unit_at(&u, &f429->geom, 0x08100000U));
	cr_expect(u.no == 12U && u.bank == 1U && u.size == 16384U);
	cr_assert(gang_geom_unit_at(&u, &f429->geom, 0x081E0000U));
	cr_expect(u.no == 23U && u.size == 131072U);
	cr_assert(gang_geom_unit_at(&u, &f746->geom, 0x08018000U));
	cr_expect(u.no == 3U && u.size == 32768U);
	cr_assert(gang_geom_unit_at(&u, &f746->geom, 0x08040000U));
	cr_expect(u.no == 5U && u.size == 262144U);
	cr_expect_eq(gang_geom_unit_count(&f746->geom), 8U);
}

/* RM0433 §4.2 Table 7: two banks of 8 x 128 KiB, bank 2 at 0x08100000 numbered 0-7; RM0468 §4.2: one bank. */
Test(parts_ref, h7_layouts_are_the_reference_manuals)
{
	const gang_part *h743 = gang_part_find("STM32H743ZI"), *h723 = gang_part_find("STM32H723ZG");
	const gang_part *h750 = gang_part_find("STM32H750VB"), *h745 = gang_part_find("STM32H745ZI");
	gang_flash_unit u;

	cr_assert(h743 && h723 && h750 && h745);
	cr_expect_eq(gang_geom_unit_count(&h743->geom), 16U);
	cr_assert(gang_geom_unit_at(&u, &h743->geom, 0x080FFFFFU));
	cr_expect(u.no == 7U && u.bank == 0U && u.size == 131072U && u.addr == 0x080E0000U);
	cr_assert(gang_geom_unit_at(&u, &h743->geom, 0x08100000U));
	cr_expect(u.no == 0U && u.bank == 1U && u.size == 131072U);
	cr_assert(gang_geom_unit_at(&u, &h743->geom, 0x081FFFFFU));
	cr_expect(u.no == 7U && u.bank == 1U);
	cr_expect_eq(gang_geom_unit_count(&h723->geom), 8U);
	cr_assert(gang_geom_unit_at(&u, &h723->geom, 0x080FFFFFU));
	cr_expect(u.no == 7U && u.bank == 0U);
	cr_expect_eq(gang_geom_unit_count(&h750->geom), 1U);
	/* same DEV_ID and size: the table names the first row, the family's BCM4/BCM7 read picks the H745 */
	cr_expect_eq(gang_part_identify(0x450U, 2048U), h743);
	cr_expect_eq(h745->dev_id, h743->dev_id);
	cr_expect(gang_part_h7_dual_core(h745) && !gang_part_h7_dual_core(h743) && !gang_part_h7_dual_core(h723));
	cr_expect_not_null(h743->family->pick_part);
}

/* RM0433 §4.9, §61.5.1 (DBGMCU at 0x5C001000), §8.7.43 (RCC_AHB4ENR.CRCEN b19), §22 (CRC at 0x58024C00). */
Test(parts_ref, h7_family_addresses_are_the_reference_manuals)
{
	const gang_family *f = gang_part_family_of(0x450U);

	cr_assert_not_null(f);
	cr_expect_eq(gang_part_family_of(0x483U), f);
	cr_expect_eq(f->flash.id, GANG_CTRL_FPEC_H7);
	cr_expect_eq(f->flash.base, 0x52002000U);
	cr_expect_eq(f->flash.flags & GANG_CTRL_OBL_LAUNCH, 0U, "option bytes apply at OPTSTART");
	cr_expect_eq(f->idcode_addrs[0], 0x5C001000U);
	cr_expect_eq(f->cpuid_parts[0], 0xC27U, "Cortex-M7");
	cr_expect_eq(f->flash_size_addr, 0x1FF1E880U);
	cr_expect_eq(f->uid_addr, 0x1FF1E800U);
	cr_expect_eq(f->crc_base, 0x58024C00U);
	cr_expect_eq(f->rcc_ahbenr, 0x580244E0U);
	cr_expect_eq(f->rcc_crcen, 1U << 19);
	cr_expect_eq(f->dbgmcu_cr_addr, 0x5C001004U);
	cr_expect_eq(f->dbgmcu_cr_bits & 0x00600000U, 0x00600000U, "D1DBGCKEN and D3DBGCKEN");
	cr_expect_eq(f->iwdg_kr, 0x58004800U);
	cr_expect_eq(f->rdp_reg, 0x1CU, "FLASH_OPTSR_CUR");
	cr_expect_eq(f->rdp_shift, 8U);
}

/*
 * Two-bank layouts (RM0351 §3.3.1: L476 bank 2 at 0x08080000, pages from 0
 * with BKER; RM0440 §5.3.1 and RM0432 §3.3.1 the same with DBANK = 1; RM0444
 * §3.3.1: G0B1 bank 2 at 0x08040000 from page 256).
 */
Test(parts_ref, two_bank_page_layouts_are_the_reference_manuals)
{
	const gang_part *l476 = gang_part_find("STM32L476RG"), *g0b1 = gang_part_find("STM32G0B1RE");
	const gang_part *g474 = gang_part_find("STM32G474RE"), *l4r5 = gang_part_find("STM32L4R5ZI");
	gang_flash_unit u;

	cr_assert(l476 && g0b1 && g474 && l4r5);
	cr_assert(gang_geom_unit_at(&u, &l476->geom, 0x0807F800U));
	cr_expect(u.no == 255U && u.bank == 0U && u.size == 2048U);
	cr_assert(gang_geom_unit_at(&u, &l476->geom, 0x08080000U));
	cr_expect(u.no == 0U && u.bank == 1U);
	cr_assert(gang_geom_unit_at(&u, &g0b1->geom, 0x08040000U));
	cr_expect(u.no == 256U && u.bank == 1U && u.size == 2048U);
	cr_assert(gang_geom_unit_at(&u, &g0b1->geom, 0x0807F800U));
	cr_expect(u.no == 383U && u.bank == 1U);
	cr_assert(gang_geom_unit_at(&u, &g474->geom, 0x08040000U));
	cr_expect(u.no == 0U && u.bank == 1U && u.size == 2048U);
	cr_assert(gang_geom_unit_at(&u, &l4r5->geom, 0x08100000U));
	cr_expect(u.no == 0U && u.bank == 1U && u.size == 4096U);
	cr_expect_eq(gang_geom_unit_count(&l4r5->geom), 512U);
}

/*
 * L5/U5 (RM0438 §6.3.1: L552 with DBANK = 1, bank 2 at 0x08040000, pages
 * 0-127 of 2 KiB in each bank; RM0456 §7.3.1: U575/U585 bank 2 at
 * 0x08100000, pages 0-127 of 8 KiB), with the identity addresses of
 * RM0438 §52.2 / RM0456 §75.2 and the OTP area of §6.3.1 / §7.3.1.
 */
Test(parts_ref, trustzone_bank_layouts_and_addresses_are_the_reference_manuals)
{
	const gang_part *l552 = gang_part_find("STM32L552ZE"), *u575 = gang_part_find("STM32U575ZI");
	const gang_part *u585 = gang_part_find("STM32U585AI");
	gang_flash_unit u;

	cr_assert(l552 && u575 && u585);
	cr_expect_eq(gang_geom_unit_count(&l552->geom), 256U);
	cr_assert(gang_geom_unit_at(&u, &l552->geom, 0x0803F800U));
	cr_expect(u.no == 127U && u.bank == 0U && u.size == 2048U);
	cr_assert(gang_geom_unit_at(&u, &l552->geom, 0x08040000U));
	cr_expect(u.no == 0U && u.bank == 1U);
	cr_expect_eq(gang_geom_unit_count(&u575->geom), 256U);
	cr_assert(gang_geom_unit_at(&u, &u575->geom, 0x08100000U));
	cr_expect(u.no == 0U && u.bank == 1U && u.size == 8192U);
	cr_assert(gang_geom_unit_at(&u, &u585->geom, 0x081FE000U));
	cr_expect(u.no == 127U && u.bank == 1U);
	cr_expect_eq(l552->family->idcode_addrs[0], 0xE0044000U);
	cr_expect_eq(l552->family->flash_size_addr, 0x0BFA05E0U);
	cr_expect_eq(l552->family->uid_addr, 0x0BFA0590U);
	cr_expect_eq(u575->family->flash_size_addr, 0x0BFA07A0U);
	cr_expect_eq(u575->family->uid_addr, 0x0BFA0700U);
	cr_expect_eq(u575->family, u585->family);
	cr_expect(l552->family->flash.otp_base == 0x0BFA0000U && l552->family->flash.otp_bytes == 512U);
	cr_expect(u575->family->flash.otp_base == 0x0BFA0000U && u575->family->flash.otp_bytes == 512U);
	cr_expect_eq(l552->family->flash.base, 0x40022000U);
	cr_expect_eq(u575->family->rcc_ahbenr, 0x46020C88U, "U5 RCC at 0x46020C00, AHB1ENR at +0x88");
	cr_expect_eq(l552->family->rcc_ahbenr, 0x40021048U);
	cr_expect_eq(u575->family->dbgmcu_fz_addr, 0xE0044008U);
}
