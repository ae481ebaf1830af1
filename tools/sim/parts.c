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
 * DBGMCU_IDCODE.
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

/* DPIDR and CPUID, then the system memory base and size, per family */
#define SIM_DP_F1  0x1BA01477U, PART_CPUID_M3
#define SIM_DP_F0  0x0BB11477U, PART_CPUID_M0
#define SIM_DP_F3  0x2BA01477U, PART_CPUID_M4
#define SIM_DP_F2  0x2BA01477U, PART_CPUID_M3R2
#define SIM_DP_F4  0x2BA01477U, PART_CPUID_M4
#define SIM_DP_F7  0x5BA02477U, PART_CPUID_M7
#define SIM_MEM_F1 0x1FFFF000U, 0x800U
#define SIM_MEM_F0 0x1FFFEC00U, 0xC00U
#define SIM_MEM_F3 0x1FFFD800U, 0x2000U
#define SIM_MEM_F2 0x1FFF0000U, 0x7800U
#define SIM_MEM_F4 0x1FFF0000U, 0x7800U
#define SIM_MEM_F7 0x1FF00000U, 0xEDC0U
/* the silicon revision a part reports in DBGMCU_IDCODE[31:16] */
#define SIM_REV(dev) ((dev) == 0x410U ? 0x2003U : (dev) == 0x440U ? 0x1000U : 0x1001U)

/* The family's identity fields a part row needs (a GANG_FAMILY_<id> row macro). */
#define SIM_FIRST(a, ...) a
#define SIM_FAM_IDS(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) SIM_FIRST idc, fsz, uid
#define SIM_FAM_RDP0(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) rdp0
#define SIM_FAM_OBL(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) obl
/* the page size of a paged layout; 0 for sectors */
#define SIM_PAGE_PAGES(arg) (arg)
#define SIM_PAGE_SECT(arg)  0U
#define SIM_PAGE_SECT2(arg) 0U

/* sim_part field order: name .. wrp, dpidr, cpuid, ids, system memory, rdp0, obl */
#define SIM_ROW(id, fam, nm, dev, kib, sram, kind, arg, wrp) \
	{ nm, dev, SIM_REV(dev), kib, sram, SIM_PAGE_##kind(arg), wrp, SIM_DP_##fam, \
	  GANG_FAMILY_##fam(SIM_FAM_IDS), SIM_MEM_##fam, GANG_FAMILY_##fam(SIM_FAM_RDP0), \
	  GANG_FAMILY_##fam(SIM_FAM_OBL) },

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
