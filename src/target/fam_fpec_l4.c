/*
 * fam_fpec_l4.c — what identification needs from the G0/G4/L4/L4+/WB/WL/C0
 * family driver: the read-protection level, from FLASH_OPTR.RDP of the
 * double-word controller (the option bytes as loaded at the last reset or
 * OBL_LAUNCH).
 *
 * Facts: RM0351 §3.7.8, RM0440 §5.7.8, RM0444 §3.7.8 FLASH_OPTR (RDP[7:0]:
 * 0xAA level 0, 0xCC level 2, any other value level 1); RM0434 and RM0490
 * give the same field.
 */
#include "target/target_internal.h"

#define FAM_L4_FLASH_OPTR  0x20U          /* offset in the controller */
#define FAM_L4_OPTR_RDP(v) ((v) & 0xFFU)

int gang_fam_fpec_l4_read_rdp(int *level_out, gang_target *t)
{
	uint32_t optr = 0;
	int err = gang_stlink_read32(&optr, t->sl, t->fam->flash.base + FAM_L4_FLASH_OPTR);
	uint32_t rdp = FAM_L4_OPTR_RDP(optr);

	if (err < 0)
		return err;
	t->info.opt_reg = optr;   /* the driver checks the bank layout against it (flash/fpec_l4.c) */
	if (rdp == t->fam->rdp_level0)
		*level_out = 0;
	else
		*level_out = rdp == t->fam->rdp_level2 ? 2 : 1;
	return GANG_OK;
}
