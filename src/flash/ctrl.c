/*
 * ctrl.c — the key unlock and the BSY wait that the F0/F1/F3 FPEC, the
 * F2/F4/F7 sector controller and the L0/L1 PECR controller share
 * (flash/ctrl.h).
 */
#include "flash/ctrl.h"

#include <inttypes.h>

static uint32_t ctrl_reg(gang_target *t, uint32_t off)
{
	return gang_target_part(t)->family->flash.base + off;
}

int gang_flash_ctrl_unlock(gang_target *t, const gang_flash_ctrl_regs *r)
{
	gang_stlink *sl = gang_target_stlink(t);
	uint32_t cr = 0;
	int err;

	if ((err = gang_stlink_write32(sl, ctrl_reg(t, r->sr), r->sr_clear)) < 0 ||
	    (err = gang_stlink_read32(&cr, sl, ctrl_reg(t, r->cr))) < 0)
		return err;
	if (!(cr & r->cr_lock))
		return r->next ? gang_flash_ctrl_unlock(t, r->next) : GANG_OK;
	if ((err = gang_stlink_write32(sl, ctrl_reg(t, r->keyr), r->key1 ? r->key1 : GANG_FLASH_KEY1)) < 0 ||
	    (err = gang_stlink_write32(sl, ctrl_reg(t, r->keyr), r->key2 ? r->key2 : GANG_FLASH_KEY2)) < 0 ||
	    (err = gang_stlink_read32(&cr, sl, ctrl_reg(t, r->cr))) < 0)
		return err;
	if (cr & r->cr_lock)
		return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "flash controller stays locked "
				     "after the key sequence (FLASH_CR=0x%08" PRIX32 "): a wrong key "
				     "locks it until the next reset", cr);
	return r->next ? gang_flash_ctrl_unlock(t, r->next) : GANG_OK;
}

int gang_flash_ctrl_wait(uint32_t *sr_out, gang_target *t, const gang_flash_ctrl_regs *r, unsigned expect_us,
			 unsigned timeout_ms, const char *what)
{
	uint64_t waited_us = expect_us;
	int err;

	if (expect_us)
		gang_target_sleep_us(expect_us);
	for (;;) {
		if ((err = gang_stlink_read32(sr_out, gang_target_stlink(t), ctrl_reg(t, r->sr))) < 0)
			return err;
		if (!(*sr_out & r->sr_busy))
			return GANG_OK;
		if (waited_us / 1000U > timeout_ms)
			break;
		gang_target_sleep_us(r->poll_us);
		waited_us += r->poll_us;
	}
	return gang_diag_set(gang_target_diag(t), GANG_EFLASH,
			     "%s: flash controller still busy after %u ms (FLASH_SR=0x%08" PRIX32 ")",
			     what, timeout_ms, *sr_out);
}
