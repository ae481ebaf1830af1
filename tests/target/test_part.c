/*
 * test_part.c — the pure part of the target layer: part lookup (exact and
 * 'x' package wildcards), identification by DEV_ID + flash size, the UID
 * string, the wrong-part sentence, and connect-mode names.
 * References: RM0008 "Device electronic signature" and DBGMCU_IDCODE
 * (RM0091/RM0316 for F0/F3), the datasheets' sizes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "flash/flash_ops.h"
#include "target/part.h"
#include "target/target.h"

TestSuite(part, .timeout = 10);

Test(part, lookup_is_case_insensitive_and_knows_the_required_parts)
{
	const char *names[] = { "STM32F103C8", "stm32f103cb", "STM32F103RB", "STM32F103RC",
				"STM32F103RD", "STM32F103RE", "STM32F030R8", "STM32F030C8",
				"STM32F303CC", "stm32f303vc" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_not_null(gang_part_find(names[i]), "%s not found", names[i]);
	cr_assert_eq(gang_part_find("STM32F103RC")->dev_id, 0x414);
	cr_assert_eq(gang_part_find("STM32F103RC")->flash_kib, 256U);
	cr_assert_eq(gang_part_page_size(gang_part_find("STM32F103RC")), 2048U);
	cr_assert_eq(gang_part_find("STM32F103RC")->sram_kib, 48U);
	cr_assert_eq(gang_part_page_size(gang_part_find("STM32F103C8")), 1024U);
	cr_assert_eq(gang_part_find("STM32F030R8")->dev_id, 0x440);
	cr_assert_eq(gang_part_find("STM32F303CC")->dev_id, 0x422);
}

Test(part, unknown_and_near_miss_names_are_not_found)
{
	cr_assert_null(gang_part_find("STM32F103ZZ"));
	cr_assert_null(gang_part_find("STM32F103RC1"));
	cr_assert_null(gang_part_find("STM32F030x"));
	cr_assert_null(gang_part_find(""));
	cr_assert_null(gang_part_find(NULL));
}

Test(part, identify_uses_the_flash_size_to_tell_rc_from_re)
{
	cr_assert_str_eq(gang_part_identify(0x414, 256)->name, "STM32F103RC");
	cr_assert_str_eq(gang_part_identify(0x414, 384)->name, "STM32F103RD");
	cr_assert_str_eq(gang_part_identify(0x414, 512)->name, "STM32F103RE");
	cr_assert_str_eq(gang_part_identify(0x410, 64)->name, "STM32F103C8");
	cr_assert_null(gang_part_identify(0x414, 128));
	cr_assert_null(gang_part_identify(0x999, 64));
}

Test(part, every_row_has_a_family_with_a_complete_flash_driver)
{
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);
		const gang_flash_ops *o = gang_flash_ops_of(p->family);
		cr_assert_not_null(o, "%s", p->name);
		cr_assert(o->unlock && o->lock && o->mass_erase && o->erase_units && o->program &&
			  o->crc && o->ob_read && o->ob_write, "%s: incomplete ops", p->name);
		/* the streaming ring needs 8 KiB; the L0 driver batches through 1 KiB on the L011's 2 KiB */
		cr_assert(p->sram_kib > 4U || (p->family->flash.id == GANG_CTRL_PECR_L0 && p->sram_kib >= 2U),
			  "%s: the loader needs SRAM", p->name);
		cr_assert_eq(gang_part_page_size(p) & (gang_part_page_size(p) - 1U), 0U, "%s: page size", p->name);
	}
	cr_assert_null(gang_part_at(gang_part_count()));
}

Test(part, family_addresses_follow_the_reference_table)
{
	const gang_family *f1 = gang_part_family_of(0x414), *f0 = gang_part_family_of(0x440);
	const gang_family *f3 = gang_part_family_of(0x422);

	cr_assert_eq(f1->idcode_addrs[0], 0xE0042000U);
	cr_assert_eq(f1->flash_size_addr, 0x1FFFF7E0U);
	cr_assert_eq(f1->uid_addr, 0x1FFFF7E8U);
	cr_assert_eq(f1->dbgmcu_cr_bits & 0x307U, 0x307U);
	cr_assert_eq(f1->rdp_level0, 0xA5);
	cr_assert_eq(f1->rdp_level2, 0);
	cr_assert_eq(f0->idcode_addrs[0], 0x40015800U);
	cr_assert_eq(f0->flash_size_addr, 0x1FFFF7CCU);
	cr_assert_eq(f0->uid_addr, 0x1FFFF7ACU);
	cr_assert_eq(f0->rdp_level0, 0xAA);
	cr_assert_eq(f0->rdp_level2, 0xCC);
	cr_assert_eq(f3->idcode_addrs[0], 0xE0042000U);
	cr_assert_eq(f3->uid_addr, 0x1FFFF7ACU);
	cr_assert_null(gang_part_family_of(0x123));
	cr_assert_eq(f1->cpuid_parts[0], 0xC23U, "Cortex-M3");
	cr_assert_eq(f0->cpuid_parts[0], 0xC20U, "Cortex-M0");
	cr_assert_eq(f3->cpuid_parts[0], 0xC24U, "Cortex-M4");
}

Test(part, every_family_has_identity_data_and_an_rdp_reader)
{
	cr_assert_eq(gang_family_count(), 18U, "F1, F0, F3, F2, F4, F7, G0, C0, G4, L4, L4+, WB, WL, L0, L1, H7, L5, U5");
	for (unsigned i = 0; i < gang_family_count(); i++) {
		const gang_family *f = gang_family_at(i);

		cr_assert_neq(f->idcode_addrs[0], 0U, "%s: an IDCODE address to try", f->name);
		cr_assert_neq(f->cpuid_parts[0], 0U, "%s: a core", f->name);
		cr_assert_neq(f->flash_size_addr, 0U, "%s", f->name);
		cr_assert_neq(f->uid_addr, 0U, "%s", f->name);
		cr_assert_not_null(f->read_rdp, "%s: the driver reads RDP", f->name);
	}
	cr_assert_null(gang_family_at(gang_family_count()));
}

Test(part, uid_prints_bytes_from_the_lowest_address_in_uppercase_hex)
{
	const uint8_t uid[12] = { 0x31, 0xff, 0x06, 0x05, 0x48, 0x4e, 0x39, 0x33,
				  0x01, 0x2a, 0x3b, 0xc0 };
	char s[25];

	gang_part_uid_string(s, uid);
	cr_assert_str_eq(s, "31FF0605484E3933012A3BC0");
}

Test(part, check_accepts_the_same_part_and_names_both_parts_otherwise)
{
	gang_diag d;

	gang_diag_clear(&d);
	cr_assert_eq(gang_part_check(gang_part_find("STM32F103RC"), 0x414, 256, &d), GANG_OK);
	cr_assert_eq(gang_part_check(NULL, 0x410, 64, &d), GANG_OK);
	cr_assert_eq(gang_part_check(gang_part_find("STM32F103RC"), 0x410, 64, &d), GANG_EWRONG_PART);
	cr_assert_str_eq(d.msg, "board has STM32F103C8 (0x410, 64 KiB), profile wants STM32F103RC");
	cr_assert_eq(gang_part_check(gang_part_find("STM32F103RC"), 0x414, 512, &d), GANG_EWRONG_PART);
	cr_assert_str_eq(d.msg, "board has STM32F103RE (0x414, 512 KiB), profile wants STM32F103RC");
	cr_assert_eq(gang_part_check(gang_part_find("STM32F103RC"), 0x777, 32, &d), GANG_EWRONG_PART);
	cr_assert(strstr(d.msg, "unknown STM32 (0x777, 32 KiB)") != NULL, "%s", d.msg);
}

Test(part, connect_mode_names_round_trip)
{
	for (int m = GANG_CONNECT_AUTO; m <= GANG_CONNECT_HOT_PLUG; m++)
		cr_assert_eq(gang_connect_mode_parse(gang_connect_mode_name((gang_connect_mode)m)), m);
	cr_assert_str_eq(gang_connect_mode_name(GANG_CONNECT_UNDER_RESET), "under-reset");
	cr_assert_eq(gang_connect_mode_parse("Hot-Plug"), GANG_CONNECT_HOT_PLUG);
	cr_assert_eq(gang_connect_mode_parse("reset"), -1);
	cr_assert_eq(gang_connect_mode_parse(NULL), -1);
	cr_assert_str_eq(gang_connect_mode_name((gang_connect_mode)9), "?");
}
