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
