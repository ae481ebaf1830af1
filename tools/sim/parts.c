/*
 * parts.c — the STM32 parts the virtual bench simulates (a part answers
 * DBGMCU_IDCODE at its family's first address): every row of
 * src/target/parts.def (the table gang itself compiles, so names and chip
 * facts cannot drift), plus what only a simulation needs beside it: the
 * DP and CPUID values the core answers, the system-memory window, and the
 * silicon revision it reports.
 *
 * Facts: DPIDR and CPUID as the parts answer (Cortex-M3 r1p1 on F1,
 * Cortex-M0 / M4 on F0 / F3; the stock OpenOCD 0.12 target scripts), system
 * memory at 0x1FFFF000 (2 KiB, F1 LD/MD/HD, RM0008 Tables 4-8),
 * 0x1FFFEC00 (F03x/F05x, RM0091), 0x1FFFD800 (F3, RM0316); REV_ID 0x2003
 * ("Y", F1 medium density) and 0x1001 ("Z", high density), RM0008
 * DBGMCU_IDCODE. F2/F4/F7: system memory 0x1FFF0000 (30 KiB, RM0033 §2.3,
 * RM0090 §2.3 Table 3) and 0x1FF00000 (RM0385 §2.2), REV_ID 0x1001 (a
 * revision RM0090 §38.6.1 lists for 0x413); the sector controller per
 * family and each part's sector layout from parts.def GANG_GEOM_<kind>;
 * RCC at 0x40023800 (AHB1ENR 0x30: GPIOAEN b0, CRCEN b12; reset value
 * 0x00100000 with CCMDATARAMEN/DTCMRAMEN on F4/F7, 0 on F2, RM0090
 * §6.3.10, RM0033 §5.3.10, RM0385 §5.3.10), GPIOA at 0x40020000 with MODER
 * resetting to 0xA8000000 (RM0090 §8.4.1), HSI 16 MHz after reset.
 */
#include <ctype.h>
#include <string.h>

#include "board.h"
#include "target/parts.def"

#define PART_CPUID_M3      0x411FC231U   /* Cortex-M3 r1p1 */
#define PART_CPUID_M4      0x410FC241U   /* Cortex-M4 r0p1 */
#define PART_CPUID_M0      0x410CC200U   /* Cortex-M0 r0p0 */
#define PART_CPUID_M3R2    0x412FC230U   /* Cortex-M3 r2p0 (F2) */
#define PART_CPUID_M7      0x411FC270U   /* Cortex-M7 r1p0 (F7) */
#define PART_CPUID_M0P     0x410CC601U   /* Cortex-M0+ r0p1 (G0, C0) */
#define PART_CPUID_M33     0x410FD214U   /* Cortex-M33 r0p4 (L5, U5) */

/* DPIDR and CPUID, then the system memory base and size, per family */
#define SIM_DP_F1  0x1BA01477U, PART_CPUID_M3
#define SIM_DP_F0  0x0BB11477U, PART_CPUID_M0
#define SIM_DP_F3  0x2BA01477U, PART_CPUID_M4
#define SIM_DP_F2  0x2BA01477U, PART_CPUID_M3R2
#define SIM_DP_F4  0x2BA01477U, PART_CPUID_M4
#define SIM_DP_F7  0x5BA02477U, PART_CPUID_M7
#define SIM_DP_G0  0x0BC11477U, PART_CPUID_M0P
#define SIM_DP_C0  0x0BC11477U, PART_CPUID_M0P
#define SIM_DP_G4  0x2BA01477U, PART_CPUID_M4
#define SIM_DP_L4  0x2BA01477U, PART_CPUID_M4
#define SIM_DP_L4P 0x2BA01477U, PART_CPUID_M4
#define SIM_DP_WB  0x6BA02477U, PART_CPUID_M4
#define SIM_DP_WL  0x6BA02477U, PART_CPUID_M4
#define SIM_DP_L0  0x0BC11477U, PART_CPUID_M0P
#define SIM_DP_L1  0x2BA01477U, PART_CPUID_M3
#define SIM_DP_H7  0x6BA02477U, PART_CPUID_M7
#define SIM_DP_L5  0x0BE12477U, PART_CPUID_M33
#define SIM_DP_U5  0x0BE12477U, PART_CPUID_M33
#define SIM_MEM_F1 0x1FFFF000U, 0x800U
#define SIM_MEM_F0 0x1FFFEC00U, 0xC00U
#define SIM_MEM_F3 0x1FFFD800U, 0x2000U
#define SIM_MEM_F2 0x1FFF0000U, 0x7800U
#define SIM_MEM_F4 0x1FFF0000U, 0x7800U
#define SIM_MEM_F7 0x1FF00000U, 0xEDC0U
#define SIM_MEM_G0 0x1FFF0000U, 0x2000U
#define SIM_MEM_C0 0x1FFF0000U, 0x1800U
#define SIM_MEM_G4 0x1FFF0000U, 0x7000U
#define SIM_MEM_L4 0x1FFF0000U, 0x7000U
#define SIM_MEM_L4P 0x1FFF0000U, 0x7000U
#define SIM_MEM_WB 0x1FFF0000U, 0x7000U
#define SIM_MEM_WL 0x1FFF0000U, 0x4000U
#define SIM_MEM_L0 0x1FF00000U, 0x1000U
#define SIM_MEM_L1 0x1FF00000U, 0x2000U
#define SIM_MEM_H7 0x1FF00000U, 0x20000U
#define SIM_MEM_L5 0x0BF90000U, 0x8000U
#define SIM_MEM_U5 0x0BF90000U, 0x8000U
/* flash controller model and peripheral facts per family */
#define SIM_CTL_FLASH_F1 SIM_FLASH_FPEC
#define SIM_CTL_FLASH_F0 SIM_FLASH_FPEC
#define SIM_CTL_FLASH_F3 SIM_FLASH_FPEC
#define SIM_CTL_FLASH_F2 SIM_FLASH_F2
#define SIM_CTL_FLASH_F4 SIM_FLASH_F4
#define SIM_CTL_FLASH_F7 SIM_FLASH_F7
#define SIM_CTL_FLASH_G0 SIM_FLASH_G0
#define SIM_CTL_FLASH_C0 SIM_FLASH_C0
#define SIM_CTL_FLASH_G4 SIM_FLASH_G4
#define SIM_CTL_FLASH_L4 SIM_FLASH_L4
#define SIM_CTL_FLASH_L4P SIM_FLASH_L4P
#define SIM_CTL_FLASH_WB SIM_FLASH_WB
#define SIM_CTL_FLASH_WL SIM_FLASH_WL
#define SIM_CTL_FLASH_L0 SIM_FLASH_L0
#define SIM_CTL_FLASH_L1 SIM_FLASH_L1
#define SIM_CTL_FLASH_H7 SIM_FLASH_H7
#define SIM_CTL_FLASH_L5 SIM_FLASH_L5
#define SIM_CTL_FLASH_U5 SIM_FLASH_U5
#define SIM_CTL_IO_F1 &parts_io_f1
#define SIM_CTL_IO_F0 &parts_io_f03
#define SIM_CTL_IO_F3 &parts_io_f03
#define SIM_CTL_IO_F2 &parts_io_f2
#define SIM_CTL_IO_F4 &parts_io_f47
#define SIM_CTL_IO_F7 &parts_io_f47
#define SIM_CTL_IO_G0 &parts_io_g0c0
#define SIM_CTL_IO_C0 &parts_io_c0
#define SIM_CTL_IO_G4 &parts_io_g4
#define SIM_CTL_IO_L4 &parts_io_l4
#define SIM_CTL_IO_L4P &parts_io_l4
#define SIM_CTL_IO_WB &parts_io_wbwl
#define SIM_CTL_IO_WL &parts_io_wbwl
#define SIM_CTL_IO_L0 &parts_io_l0
#define SIM_CTL_IO_L1 &parts_io_l1
#define SIM_CTL_IO_H7 &parts_io_h7
#define SIM_CTL_IO_L5 &parts_io_l5
#define SIM_CTL_IO_U5 &parts_io_u5

/* field order: rcc base, cfgr, crc enable reg/bit/reset, csr, gpioa base, enable reg/bit,
 * MODER reset, AFIO, core clock, DBGMCU clock enable reg/bit (none when left out) */
static const sim_family_io parts_io_f1 = {
	0x40021000U, 0x04U, 0x14U, 1U << 6, 0x14U, 0x24U, 0U, 0U, 0U, 0U, true, 8000000U,
};
static const sim_family_io parts_io_f03 = {
	0x40021000U, 0x04U, 0x14U, 1U << 6, 0x14U, 0x24U, 0x48000000U, 0x14U, 1U << 17,
	0x28000000U, false, 8000000U,
};
static const sim_family_io parts_io_f2 = {
	0x40023800U, 0x08U, 0x30U, 1U << 12, 0U, 0x74U, 0x40020000U, 0x30U, 1U << 0,
	0xA8000000U, false, 16000000U,
};
static const sim_family_io parts_io_f47 = {
	0x40023800U, 0x08U, 0x30U, 1U << 12, 0x00100000U, 0x74U, 0x40020000U, 0x30U, 1U << 0,
	0xA8000000U, false, 16000000U,
};
/*
 * The double-word families (RM0444 §5, RM0440 §7, RM0351 §6, RM0434 §7):
 * RCC at 0x40021000 (0x58000000 on WB/WL), CRC clock b12 of AHBENR 0x38
 * (G0/C0) or AHB1ENR 0x48 (reset 0x100: FLASHEN), GPIOA on the IOPORT bus
 * at 0x50000000 (G0/C0, IOPENR 0x34) or AHB2 at 0x48000000 (AHB2ENR 0x4C),
 * MODER resetting with PA13/PA14 in alternate mode; core clock after reset
 * HSI16 (G0, G4), HSI48 / 4 = 12 MHz (C0, RM0490 §6.2), MSI 4 MHz (L4,
 * L4+, WB, WL); board_clock_dw.c builds the tree on these.
 */
static const sim_family_io parts_io_g0c0 = {
	0x40021000U, 0x08U, 0x38U, 1U << 12, 0x100U, 0x60U, 0x50000000U, 0x34U, 1U << 0,
	0xEBFFFFFFU, false, 16000000U,
};
static const sim_family_io parts_io_c0 = {
	0x40021000U, 0x08U, 0x38U, 1U << 12, 0x100U, 0x60U, 0x50000000U, 0x34U, 1U << 0,
	0xEBFFFFFFU, false, 12000000U,
};
static const sim_family_io parts_io_g4 = {
	0x40021000U, 0x08U, 0x48U, 1U << 12, 0x100U, 0x94U, 0x48000000U, 0x4CU, 1U << 0,
	0xABFFFFFFU, false, 16000000U,
};
static const sim_family_io parts_io_l4 = {
	0x40021000U, 0x08U, 0x48U, 1U << 12, 0x100U, 0x94U, 0x48000000U, 0x4CU, 1U << 0,
	0xABFFFFFFU, false, 4000000U,
};
static const sim_family_io parts_io_wbwl = {
	0x58000000U, 0x08U, 0x48U, 1U << 12, 0x100U, 0x94U, 0x48000000U, 0x4CU, 1U << 0,
	0xABFFFFFFU, false, 4000000U,
};
/*
 * L0 (RM0377 §7): RCC at 0x40021000, CFGR 0x0C, CRC clock AHBENR 0x30 b12
 * (reset 0x100: MIFEN), CSR 0x50, GPIOA at 0x50000000 (IOPENR 0x2C),
 * MODER 0xEBFFFCFF, MSI 2.097 MHz. L1 (RM0038 §6): RCC at 0x40023800,
 * CFGR 0x08, AHBENR 0x1C b12 (reset 0x8000: FLITFEN), CSR 0x34, GPIOA at
 * 0x40020000 (AHBENR b0), MODER 0xA8000000, MSI 2.097 MHz. H7 (RM0433
 * §8): RCC at 0x58024400, CFGR 0x10, CRC clock AHB4ENR 0xE0 b19, RSR 0xD0,
 * GPIOA at 0x58020000 (AHB4ENR b0), MODER 0xABFFFFFF, HSI 64 MHz, CRC at
 * 0x58024C00 (RM0433 §2.3.2), DBGMCU at 0x5C001000 on the system bus and
 * 0xE00E1000 on the debug APB through AP2 (RM0433 §60.5.8), Standby chosen
 * by PWR_CPUCR.PDDS_D1 (0x58024810 b0, RM0433 §6.8.6), IWDG1 at 0x58004800
 * (RM0433 §2.3.2, §45).
 * (Reset values of MODER and the enable registers unverified.)
 */
static const sim_family_io parts_io_l0 = {
	0x40021000U, 0x0CU, 0x30U, 1U << 12, 0x100U, 0x50U, 0x50000000U, 0x2CU, 1U << 0,
	0xEBFFFCFFU, false, 2097000U, 0U, 0U, 0U, 0U, 0U, 0x34U, 1U << 22,
};
static const sim_family_io parts_io_l1 = {
	0x40023800U, 0x08U, 0x1CU, 1U << 12, 0x8000U, 0x34U, 0x40020000U, 0x1CU, 1U << 0,
	0xA8000000U, false, 2097000U,
};
static const sim_family_io parts_io_h7 = {
	0x58024400U, 0x10U, 0xE0U, 1U << 19, 0U, 0xD0U, 0x58020000U, 0xE0U, 1U << 0,
	0xABFFFFFFU, false, 64000000U, 0x58024C00U, 0xE00E1000U, 0x58024810U, 1U << 0, 0x58004800U,
};
/*
 * L5 (RM0438 §9): RCC at 0x40021000, CFGR 0x08, CRC clock AHB1ENR 0x48
 * b12, CSR 0x94, GPIOA at 0x42020000 (AHB2ENR 0x4C b0). U5 (RM0456 §11):
 * RCC at 0x46020C00, CFGR1 0x1C, AHB1ENR 0x88 b12, CSR 0xF4, GPIOA at
 * 0x42020000 (AHB2ENR1 0x8C b0). MODER with PA13/PA14 in alternate mode;
 * MSI 4 MHz after reset. (DPIDR and reset values unverified.)
 */
static const sim_family_io parts_io_l5 = {
	0x40021000U, 0x08U, 0x48U, 1U << 12, 0x100U, 0x94U, 0x42020000U, 0x4CU, 1U << 0,
	0xABFFFFFFU, false, 4000000U,
};
static const sim_family_io parts_io_u5 = {
	0x46020C00U, 0x1CU, 0x88U, 1U << 12, 0x100U, 0xF4U, 0x42020000U, 0x8CU, 1U << 0,
	0xABFFFFFFU, false, 4000000U,
};

/* each part's main-flash regions, from its GANG_GEOM_<kind> */
#define SIM_REG(base, unit, count, no, bank) { (base), (unit), (count), (no), (bank) },
#define SIM_GEOM_DEF(id, fam, nm, dev, kib, sram, kind, arg, wrp) \
	static const sim_region parts_geom_##id[] = { GANG_GEOM_##kind(SIM_REG, (kib), (arg)) };
GANG_PARTS(SIM_GEOM_DEF)
#define SIM_GEOM(id) parts_geom_##id, (unsigned)(sizeof(parts_geom_##id) / sizeof(sim_region))

/*
 * the silicon revision a part reports in DBGMCU_IDCODE[31:16]: revisions
 * the parts' errata sheets and OpenOCD 0.12's revision lists name (G07x,
 * G0Bx, G43x, G47x "A" 0x1000; WLE "1.0" 0x1000; WB55 "2.1" 0x2001; C031 0x1000 unverified)
 */
#define SIM_REV_DW(dev) ((dev) == 0x495U ? 0x2001U : \
	((dev) == 0x460U || (dev) == 0x467U || (dev) == 0x468U || (dev) == 0x469U || \
	 (dev) == 0x497U || (dev) == 0x453U) ? 0x1000U : 0x1001U)
#define SIM_REV(dev) ((dev) == 0x410U ? 0x2003U : (dev) == 0x440U ? 0x1000U : SIM_REV_DW(dev))

/* The family's identity fields a part row needs (a GANG_FAMILY_<id> row macro). */
#define SIM_FIRST(a, ...) a
#define SIM_FAM_IDS(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) SIM_FIRST idc, fsz, uid
#define SIM_FAM_RDP0(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) rdp0
#define SIM_FAM_OBL(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) obl
/* the page size of a paged layout; 0 for sectors */
#define SIM_PAGE_PAGES(arg) (arg)
#define SIM_PAGE_SECT(arg)  0U
#define SIM_PAGE_SECT2(arg) 0U
#define SIM_PAGE_PAGES2(arg) (arg)
#define SIM_PAGE_PAGES2G0(arg) (arg)

/* sim_part field order: name .. wrp, dpidr, cpuid, ids, system memory, rdp0, obl, controller,
 * regions, io */
#define SIM_ROW(id, fam, nm, dev, kib, sram, kind, arg, wrp) \
	{ nm, dev, SIM_REV(dev), kib, sram, SIM_PAGE_##kind(arg), wrp, SIM_DP_##fam, \
	  GANG_FAMILY_##fam(SIM_FAM_IDS), SIM_MEM_##fam, GANG_FAMILY_##fam(SIM_FAM_RDP0), \
	  GANG_FAMILY_##fam(SIM_FAM_OBL), SIM_CTL_FLASH_##fam, SIM_GEOM(id), SIM_CTL_IO_##fam },

static const sim_part parts_table[] = { GANG_PARTS(SIM_ROW) };

/* Table names match case-insensitively; a lowercase 'x' in the table matches any character. */
static bool parts_name_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (strlen(name) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pattern[i] != 'x' && toupper((unsigned char)pattern[i]) != toupper((unsigned char)name[i]))
			return false;
	return true;
}

const sim_part *sim_part_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(parts_table) / sizeof(parts_table[0]); i++) {
		if (parts_name_match(parts_table[i].name, name))
			return &parts_table[i];
	}
	return NULL;
}
