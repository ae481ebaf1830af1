/*
 * flash_ops.c — which driver runs which flash controller. One entry per
 * controller generation (target/part.h gang_flash_ctrl); families sharing
 * a controller share its driver (F0/F1/F3: PM0075, RM0091 §3; F2/F4/F7:
 * RM0090 §3; G0/G4/L4/L4+/WB/WL/C0: RM0351 §3, RM0444 §3; H7: RM0433 §4).
 */
#include "flash/flash_ops.h"

static const gang_flash_ops *const flash_ops_by_ctrl[GANG_CTRL_COUNT] = {
	[GANG_CTRL_FPEC_F1] = &gang_flash_ops_f1,
	[GANG_CTRL_FPEC_F4] = &gang_flash_ops_f4,
	[GANG_CTRL_PECR_L0] = &gang_flash_ops_l0,
	[GANG_CTRL_FPEC_L4] = &gang_flash_ops_l4,
	[GANG_CTRL_FPEC_H7] = &gang_flash_ops_h7,
	[GANG_CTRL_FPEC_TZ] = &gang_flash_ops_tz,
};

const gang_flash_ops *gang_flash_ops_of(const gang_family *f)
{
	return (unsigned)f->flash.id < GANG_CTRL_COUNT ? flash_ops_by_ctrl[f->flash.id] : NULL;
}
