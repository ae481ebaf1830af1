/*
 * test_geom.c — flash/geom.h over uniform pages (STM32F103RC: 128 x
 * 2 KiB, PM0075) and over a synthetic F4-like bank of sectors of unequal
 * size (4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB from 0x08000000, RM0090
 * §3.3), plus a second bank numbered from 12: unit lookup, ranges across
 * regions, what is flash, and what the erase planner makes of it.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "flash/flash.h"
#include "flash/geom.h"

TestSuite(geom, .timeout = 10);

static const gang_flash_region gm_rc_pages[] = { { 0x08000000U, 2048U, 128U, 0, 0 } };
static const gang_flash_geom gm_rc = { gm_rc_pages, 1, 2, 0xFFU };

static const gang_flash_region gm_f4_sectors[] = {
	{ 0x08000000U, 16U * 1024U, 4U, 0, 0 },
	{ 0x08010000U, 64U * 1024U, 1U, 4, 0 },
	{ 0x08020000U, 128U * 1024U, 7U, 5, 0 },
	{ 0x08100000U, 16U * 1024U, 4U, 12, 1 },
};
static const gang_flash_geom gm_f4 = { gm_f4_sectors, 4, 4, 0xFFU };

Test(geom, uniform_pages_find_the_unit_of_an_address)
{
	gang_flash_unit u;

	cr_assert(gang_geom_valid(&gm_rc));
	cr_assert_eq(gang_geom_unit_count(&gm_rc), 128U);
	cr_assert_eq(gang_geom_uniform_unit(&gm_rc), 2048U);
	cr_assert(gang_geom_unit_at(&u, &gm_rc, 0x08000FFFU));
	cr_assert_eq(u.addr, 0x08000800U);
	cr_assert_eq(u.size, 2048U);
	cr_assert_eq(u.index, 1U);
	cr_assert_eq(u.no, 1U);
	cr_assert(gang_geom_unit_at(&u, &gm_rc, 0x0803FFFFU));
	cr_assert_eq(u.index, 127U);
	cr_assert_not(gang_geom_unit_at(&u, &gm_rc, 0x08040000U));
	cr_assert_not(gang_geom_unit_at(&u, &gm_rc, 0x07FFFFFFU));
}

Test(geom, sectors_of_unequal_size_are_found_by_address_and_by_index)
{
	gang_flash_unit u;

	cr_assert(gang_geom_valid(&gm_f4));
	cr_assert_eq(gang_geom_unit_count(&gm_f4), 16U);
	cr_assert_eq(gang_geom_uniform_unit(&gm_f4), 0U);
	cr_assert(gang_geom_unit_at(&u, &gm_f4, 0x0800C000U));
	cr_assert_eq(u.index, 3U);
	cr_assert_eq(u.size, 16U * 1024U);
	cr_assert(gang_geom_unit_at(&u, &gm_f4, 0x0801FFFFU));
	cr_assert_eq(u.addr, 0x08010000U);
	cr_assert_eq(u.no, 4U);
	cr_assert(gang_geom_unit_at(&u, &gm_f4, 0x08050000U));
	cr_assert_eq(u.addr, 0x08040000U, "sector 6 starts at 0x08040000");
	cr_assert_eq(u.no, 6U);
	cr_assert(gang_geom_unit(&u, &gm_f4, 12U));
	cr_assert_eq(u.addr, 0x08100000U);
	cr_assert_eq(u.no, 12U);
	cr_assert_eq(u.bank, 1U);
	cr_assert_not(gang_geom_unit(&u, &gm_f4, 16U));
}

Test(geom, a_range_across_regions_spans_every_unit_it_touches)
{
	unsigned first = 99, last = 99;

	cr_assert(gang_geom_span(&first, &last, &gm_f4, 0x0800FFFFU, 2U));
	cr_assert_eq(first, 3U);
	cr_assert_eq(last, 4U);
	cr_assert(gang_geom_span(&first, &last, &gm_f4, 0x08008000U, 0x20000U));
	cr_assert_eq(first, 2U);
	cr_assert_eq(last, 5U, "0x08008000..0x08027FFF ends in the first 128 KiB sector");
	cr_assert(gang_geom_span(&first, &last, &gm_f4, 0x080FFFFFU, 2U));
	cr_assert_eq(first, 11U);
	cr_assert_eq(last, 12U, "bank 1 follows bank 0");
	cr_assert_not(gang_geom_span(&first, &last, &gm_f4, 0x08000000U, 0));
}

Test(geom, only_ranges_wholly_inside_the_regions_are_flash)
{
	cr_assert(gang_geom_is_flash(&gm_rc, 0x08000000U, 0x40000U));
	cr_assert_not(gang_geom_is_flash(&gm_rc, 0x08000000U, 0x40001U));
	cr_assert_not(gang_geom_is_flash(&gm_rc, 0x07FFFFFEU, 4U));
	cr_assert(gang_geom_is_flash(&gm_f4, 0x08100000U, 0x10000U));
	cr_assert_not(gang_geom_is_flash(&gm_f4, 0x08100000U, 0x10001U));
	cr_assert_eq(gang_geom_end(&gm_f4), 0x08110000ULL);
}

Test(geom, regions_with_a_hole_or_no_units_are_not_a_geometry)
{
	static const gang_flash_region hole[] = { { 0x08000000U, 1024U, 4U, 0, 0 },
						  { 0x08002000U, 1024U, 4U, 4, 0 } };
	static const gang_flash_region empty[] = { { 0x08000000U, 1024U, 0, 0, 0 } };
	const gang_flash_geom g_hole = { hole, 2, 2, 0xFFU }, g_empty = { empty, 1, 2, 0xFFU };
	const gang_flash_geom g_none = { NULL, 0, 2, 0xFFU };

	cr_assert_not(gang_geom_valid(&g_hole));
	cr_assert_not(gang_geom_valid(&g_empty));
	cr_assert_not(gang_geom_valid(&g_none));
}

Test(geom, the_erase_plan_rounds_to_sectors_of_their_own_size)
{
	static const uint8_t b[4] = { 1, 2, 3, 4 };
	gang_image *img = NULL;
	gang_flash_range *r = NULL;
	size_t n = 0;

	cr_assert_eq(gang_image_from_buffer(&img, 0x0800FFFEU, b, 4), GANG_OK);
	cr_assert_eq(gang_image_patch(img, 0x08030000U, b, 4, 0, NULL), GANG_OK);
	cr_assert_eq(gang_flash_plan_units(&r, &n, img, &gm_f4, NULL), GANG_OK);
	cr_assert_eq(n, 1U, "sectors 3, 4 and 5 are contiguous");
	cr_assert_eq(r[0].addr, 0x0800C000U);
	cr_assert_eq(r[0].len, 0x4000U + 0x10000U + 0x20000U);
	free(r);
	gang_image_free(img);
}

Test(geom, runs_are_filled_with_the_erased_value_of_the_part)
{
	static const uint8_t b[1] = { 0x5A };
	gang_image *img = NULL;
	gang_flash_run *runs = NULL;
	size_t n = 0;

	cr_assert_eq(gang_image_from_buffer(&img, 0x08000001U, b, 1), GANG_OK);
	cr_assert_eq(gang_flash_plan_runs(&runs, &n, img, 0, 0x00U, 2U), GANG_OK);
	cr_assert_eq(n, 1U);
	cr_assert_eq(runs[0].len, 4U);
	cr_assert_eq(runs[0].data[0], 0x00U);
	cr_assert_eq(runs[0].data[1], 0x5AU);
	cr_assert_eq(runs[0].data[3], 0x00U);
	gang_flash_runs_free(runs, n);
	gang_image_free(img);
}
