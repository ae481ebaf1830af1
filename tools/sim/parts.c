/*
 * parts.c — the immutable table of STM32 parts the virtual bench can
 * simulate, and lookup by name.
 *
 * Facts: RM0008 (F1), RM0091 (F0), RM0316 (F3): addresses per family,
 * DEV_ID (DBGMCU_IDCODE), flash and SRAM sizes, page size, WRP granularity,
 * the RDP "unprotected" byte, OBL_LAUNCH (F0/F3 only); DPIDR and CPUID as
 * the parts answer (Cortex-M3 r1p1 on F1, Cortex-M0 / M4 on F0 / F3).
 */
#include <strings.h>

#include "board.h"

#define PART_F1_DPIDR      0x1BA01477U
#define PART_F3_DPIDR      0x2BA01477U
#define PART_F0_DPIDR      0x0BB11477U
#define PART_CPUID_M3      0x411FC231U   /* Cortex-M3 r1p1 */
#define PART_CPUID_M4      0x410FC241U   /* Cortex-M4 r0p1 */
#define PART_CPUID_M0      0x410CC200U   /* Cortex-M0 r0p0 */
#define PART_IDCODE_PPB    0xE0042000U   /* DBGMCU_IDCODE on F1/F3 */
#define PART_IDCODE_APB    0x40015800U   /* DBGMCU_IDCODE on F0 */
#define PART_F1_FSIZE      0x1FFFF7E0U
#define PART_F1_UID        0x1FFFF7E8U
#define PART_F03_FSIZE     0x1FFFF7CCU
#define PART_F03_UID       0x1FFFF7ACU

static const sim_part parts_table[] = {
	{ "STM32F103RC", 0x414U, 0x1001U, 256U, 48U, 2048U, 2U, PART_F1_DPIDR,
	  PART_CPUID_M3, PART_IDCODE_PPB, PART_F1_FSIZE, PART_F1_UID,
	  0x1FFFF000U, 0x800U, 0xA5U, false },
	{ "STM32F103RE", 0x414U, 0x1001U, 512U, 64U, 2048U, 2U, PART_F1_DPIDR,
	  PART_CPUID_M3, PART_IDCODE_PPB, PART_F1_FSIZE, PART_F1_UID,
	  0x1FFFF000U, 0x800U, 0xA5U, false },
	{ "STM32F103C8", 0x410U, 0x2003U, 64U, 20U, 1024U, 4U, PART_F1_DPIDR,
	  PART_CPUID_M3, PART_IDCODE_PPB, PART_F1_FSIZE, PART_F1_UID,
	  0x1FFFF000U, 0x800U, 0xA5U, false },
	{ "STM32F303CC", 0x422U, 0x1001U, 256U, 40U, 2048U, 2U, PART_F3_DPIDR,
	  PART_CPUID_M4, PART_IDCODE_PPB, PART_F03_FSIZE, PART_F03_UID,
	  0x1FFFD800U, 0x2000U, 0xAAU, true },
	{ "STM32F030R8", 0x440U, 0x1000U, 64U, 8U, 1024U, 4U, PART_F0_DPIDR,
	  PART_CPUID_M0, PART_IDCODE_APB, PART_F03_FSIZE, PART_F03_UID,
	  0x1FFFEC00U, 0xC00U, 0xAAU, true },
};

const sim_part *sim_part_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(parts_table) / sizeof(parts_table[0]); i++) {
		if (strcasecmp(parts_table[i].name, name) == 0)
			return &parts_table[i];
	}
	return NULL;
}
