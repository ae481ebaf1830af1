/*
 * fam_fpec_f1.c — what identification needs from the F0/F1/F3 family
 * driver: the read-protection level, from FLASH_OBR of the FPEC. The
 * generic target code asks the family (gang_family.read_rdp) and knows no
 * flash register.
 *
 * Facts: PM0075 FLASH_OBR (RDPRT b1 on F1: set at level 1), RM0091 §3
 * FLASH_OBR (RDPRT[2:1] on F0/F3: 00 level 0, 01 level 1, 11 level 2).
 */
#include "target/target_internal.h"

#define FAM_F1_FLASH_OBR  0x1CU         /* offset in the FPEC */
#define FAM_F1_OBR_RDPRT  (1U << 1)
#define FAM_F1_OBR_RDPRT2 (1U << 2)     /* F0/F3: RDPRT[2:1] = 11 is level 2 */

int gang_fam_fpec_f1_read_rdp(int *level_out, gang_target *t)
{
	uint32_t obr = 0;
	int err = gang_stlink_read32(&obr, t->sl, t->fam->flash.base + FAM_F1_FLASH_OBR);

	if (err < 0)
		return err;
	if (!(obr & FAM_F1_OBR_RDPRT))
		*level_out = 0;
	else
		*level_out = ((t->fam->flash.flags & GANG_CTRL_OBR_LEVEL2) && (obr & FAM_F1_OBR_RDPRT2)) ? 2 : 1;
	return GANG_OK;
}
