/*
 * fam_h7.c — which H7 row a board is when rows share DEV_ID 0x450 and the
 * flash size (STM32H743ZI and the dual-core STM32H745ZI): FLASH_OPTSR_CUR
 * holds BCM4 (b22) and BCM7 (b23), the boot enables of the Cortex-M4 and
 * the Cortex-M7, only on the dual-core parts (RM0399 §4.9.9; the factory
 * sets both); a single-core part keeps those bits reserved and is taken
 * to read them as 0 (RM0433 §4.9.9; unverified on silicon, the bench
 * models it so). A dual-core part whose option bytes disable both boots
 * reads as the single-core row; a profile naming the part decides anyway.
 */
#include "target/target_internal.h"

#define FAM_H7_OPTSR_CUR   0x1CU
#define FAM_H7_BCM         (3U << 22)   /* BCM4, BCM7 */

int gang_fam_h7_pick_part(const gang_part **part_io, gang_target *t)
{
	const gang_part *first = *part_io;
	uint32_t optsr = 0;
	bool dual;
	int err = gang_stlink_read32(&optsr, t->sl, t->fam->flash.base + FAM_H7_OPTSR_CUR);

	if (err < 0)
		return err;
	dual = (optsr & FAM_H7_BCM) != 0;
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);

		if (p->dev_id == first->dev_id && p->flash_kib == first->flash_kib &&
		    gang_part_h7_dual_core(p) == dual) {
			*part_io = p;
			break;
		}
	}
	return GANG_OK;
}
