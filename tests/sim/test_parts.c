/*
 * test_parts.c — the bench simulates every row of the part table gang
 * uses (src/target/parts.def, compiled into both): each name is found,
 * and the shared facts (DEV_ID, sizes, page size, WRP granularity, the
 * family's identification addresses and RDP byte) are the row's own.
 */
#include <criterion/criterion.h>
#include <stdbool.h>

#include "board.h"
#include "target/parts.def"

TestSuite(sim_parts, .timeout = 10);

#define TP_FIRST(a, ...) a
#define TP_FAM_CHECK(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) \
	cr_expect_eq(p->idcode_addr, TP_FIRST idc, "%s", p->name); \
	cr_expect_eq(p->flash_size_addr, fsz, "%s", p->name); \
	cr_expect_eq(p->uid_addr, uid, "%s", p->name); \
	cr_expect_eq(p->rdp_unprotected, rdp0, "%s", p->name); \
	cr_expect_eq(p->has_obl_launch, obl, "%s", p->name);

#define TP_PAGE_PAGES(arg) (arg)
#define TP_PAGE_SECT(arg)  0U
#define TP_PAGE_SECT2(arg) 0U
#define TP_PAGE_PAGES2(arg) (arg)
#define TP_PAGE_PAGES2G0(arg) (arg)
#define TP_ROW_CHECK(id, fam, nm, dev, kib, sram, kind, arg, wrp) \
	do { \
		const sim_part *p = sim_part_find(nm); \
		cr_assert_not_null(p, "%s is not simulated", nm); \
		cr_expect_eq(p->dev_id, dev, "%s", nm); \
		cr_expect_eq(p->flash_kib, kib, "%s", nm); \
		cr_expect_eq(p->sram_kib, sram, "%s", nm); \
		cr_expect_eq(p->page_size, TP_PAGE_##kind(arg), "%s", nm); \
		cr_expect_eq(p->wrp_pages_per_bit, wrp, "%s", nm); \
		GANG_FAMILY_##fam(TP_FAM_CHECK) \
	} while (0);

Test(sim_parts, every_row_of_the_shared_table_is_simulated_with_its_facts)
{
	GANG_PARTS(TP_ROW_CHECK)
	cr_expect_not_null(sim_part_find("STM32F303CC"), "the table's 'x' matches a package letter");
	cr_expect_null(sim_part_find("STM32F303"));
}

/* Sector parts: the regions cover the whole flash, in address order, bank 2 numbered from 12. */
Test(sim_parts, sector_parts_carry_their_regions_and_controller)
{
	static const char *const names[] = { "STM32F205RG", "STM32F407VG", "STM32F411RE", "STM32F429ZI",
					     "STM32F446RE", "STM32F746ZG", "STM32F767ZI" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const sim_part *p = sim_part_find(names[i]);
		uint32_t next = 0x08000000U;
		cr_assert_not_null(p);
		cr_expect_neq(p->flash_ctl, SIM_FLASH_FPEC, "%s", names[i]);
		for (unsigned r = 0; r < p->n_regions; r++) {
			cr_expect_eq(p->regions[r].base, next, "%s region %u", names[i], r);
			next += p->regions[r].unit * p->regions[r].count;
		}
		cr_expect_eq(next - 0x08000000U, p->flash_kib * 1024U, "%s", names[i]);
	}
	const sim_part *f429 = sim_part_find("STM32F429ZI");
	const sim_region *last = &f429->regions[f429->n_regions - 1];
	cr_expect_eq(last->bank, 1U);
	cr_expect_eq(f429->regions[3].base, 0x08100000U, "bank 2 starts at 1 MiB");
	cr_expect_eq(f429->regions[3].first_no, 12U);
	cr_expect_eq(sim_part_find("STM32F746ZG")->regions[0].unit, 32U * 1024U);
	cr_expect_eq(sim_part_find("STM32F103RC")->flash_ctl, SIM_FLASH_FPEC);
}
