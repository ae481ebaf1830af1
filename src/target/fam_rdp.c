/*
 * fam_rdp.c — the read-protection level of the families whose controller
 * shows the RDP byte of the option bytes in force in one register: F2/F4/F7
 * FLASH_OPTCR[15:8] (RM0090 §3.9.10), G0/G4/L4/L4+/WB/WL/C0 FLASH_OPTR[7:0]
 * (RM0351 §3.7.8, RM0444 §3.7.8), L0/L1 FLASH_OPTR / FLASH_OBR[7:0]
 * (RM0377 §3.7.9, RM0038 §3.9.9), H7 FLASH_OPTSR_CUR[15:8] (RM0433
 * §4.9.8). The byte is 0xAA at level 0 and 0xCC at level 2 on all of them;
 * any other value is level 1. The family row names the register and the
 * byte's position (gang_family.rdp_reg, rdp_shift). The register's whole
 * value is kept in gang_target_info.opt_reg.
 */
#include "target/target_internal.h"

int gang_fam_read_rdp_byte(int *level_out, gang_target *t)
{
	uint32_t v = 0;
	int err = gang_stlink_read32(&v, t->sl, t->fam->flash.base + t->fam->rdp_reg);
	uint32_t rdp = (v >> t->fam->rdp_shift) & 0xFFU;

	if (err < 0)
		return err;
	t->info.opt_reg = v;   /* the double-word driver checks the bank layout against it (flash/fpec_l4.c) */
	if (rdp == t->fam->rdp_level0)
		*level_out = 0;
	else
		*level_out = rdp == t->fam->rdp_level2 ? 2 : 1;
	return GANG_OK;
}

/*
 * L5/U5: FLASH_OPTR[7:0] as above, but 0x55 with OPTR.TZEN (b31) = 1 is
 * level 0.5 (RM0438 §6.6.2, RM0456 §7.6.2): the debugger still reaches
 * non-secure flash, SRAM and peripherals, so gang counts it as level 0
 * here (gang_target_info.rdp_level05 tells it apart); the flash driver (flash/fpec_tz.c) reads OPTR itself and keeps to
 * non-secure flash. Without TZEN, 0x55 is an ordinary level 1.
 */
int gang_fam_tz_read_rdp(int *level_out, gang_target *t)
{
	uint32_t v = 0;
	int err = gang_stlink_read32(&v, t->sl, t->fam->flash.base + t->fam->rdp_reg);

	if (err < 0)
		return err;
	t->info.opt_reg = v;
	t->info.rdp_level05 = (v & 0xFFU) == 0x55U && (v & (1U << 31));
	if (t->info.rdp_level05)
		*level_out = 0;
	else
		*level_out = (v & 0xFFU) == t->fam->rdp_level0 ? 0 : (v & 0xFFU) == t->fam->rdp_level2 ? 2 : 1;
	return GANG_OK;
}
