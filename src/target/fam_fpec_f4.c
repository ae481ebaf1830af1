/*
 * fam_fpec_f4.c — what identification needs from the F2/F4/F7 family
 * driver: the read-protection level, from FLASH_OPTCR.RDP of the sector
 * controller (the option bytes as loaded at the last reset).
 *
 * Facts: RM0090 §3.7.1 and FLASH_OPTCR (RDP[15:8]: 0xAA level 0, 0xCC
 * level 2, any other value level 1); RM0033 and RM0385 give the same.
 */
#include "target/target_internal.h"

#define FAM_F4_FLASH_OPTCR  0x14U         /* offset in the controller */
#define FAM_F4_OPTCR_RDP(v) (((v) >> 8) & 0xFFU)

int gang_fam_fpec_f4_read_rdp(int *level_out, gang_target *t)
{
	uint32_t optcr = 0;
	int err = gang_stlink_read32(&optcr, t->sl, t->fam->flash.base + FAM_F4_FLASH_OPTCR);
	uint32_t rdp = FAM_F4_OPTCR_RDP(optcr);

	if (err < 0)
		return err;
	if (rdp == t->fam->rdp_level0)
		*level_out = 0;
	else
		*level_out = rdp == t->fam->rdp_level2 ? 2 : 1;
	return GANG_OK;
}
