/*
 * test_diag.c — gang_diag carries the failing address beside the detail:
 * gang_diag_set_at records it, gang_diag_set and gang_diag_clear drop it,
 * so a later failure without an address never inherits an old one.
 */
#include <criterion/criterion.h>

#include "core/err.h"

TestSuite(diag, .timeout = 10);

Test(diag, set_at_records_the_address_and_set_drops_it)
{
	gang_diag d = { 0 };

	cr_assert_eq(gang_diag_set_at(&d, GANG_EVERIFY, 0x1FFF7800U, "verify failed at 0x%08X", 0x1FFF7800U),
		     GANG_EVERIFY);
	cr_assert(d.has_addr);
	cr_assert_eq(d.addr, 0x1FFF7800U, "any address, not only main flash");
	cr_assert_str_eq(d.msg, "verify failed at 0x1FFF7800");
	gang_diag_set(&d, GANG_EFLASH, "flash controller stays locked");
	cr_assert_not(d.has_addr);
	gang_diag_set_at(&d, GANG_EFLASH, 0x08100000U, "bank 2");
	gang_diag_clear(&d);
	cr_assert_not(d.has_addr);
	cr_assert_eq(d.code, GANG_OK);
	cr_assert_eq(gang_diag_set_at(NULL, GANG_EFLASH, 0, "x"), GANG_EFLASH);
}
