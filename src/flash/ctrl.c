/*
 * ctrl.c — the key unlock and the BSY wait that the F0/F1/F3 FPEC, the
 * F2/F4/F7 sector controller, the L0/L1 PECR controller (two key stages)
 * H7 two-bank, G0/L4 double-word and L5/U5 controllers share
 * (flash/ctrl.h), and the sentence for a status register's error bits from
 * each controller's table of them. On H7 each bank has its own copy of
 * KEYR, CR, SR and CCR at +0x100 (RM0433 §4.9): the table says where, the
 * code is one.
 */
#include "flash/ctrl.h"

#include <inttypes.h>

static uint32_t ctrl_reg(gang_target *t, const gang_flash_ctrl_regs *r, unsigned bank, uint32_t off)
{
	return gang_target_part(t)->family->flash.base + bank * r->bank_off + off;
}

unsigned gang_flash_ctrl_banks(gang_target *t, const gang_flash_ctrl_regs *r)
{
	const gang_flash_geom *g = &gang_target_part(t)->geom;

	if (r->bank_off == 0 || g->n_regions == 0)
		return 1U;
	return g->regions[g->n_regions - 1].bank > 0 ? 2U : 1U;
}

/*
 * at_reset: gang reset the chip and nothing ran since, so FLASH_CR is
 * locked and no error flag is set (every family's reset values: RM0008
 * §3.3.3 FLASH_CR 0x80, RM0090 §3.9.7, RM0377 §3.7.4 PECR 0x07, RM0433
 * §4.9.4, RM0351 §3.7.5, RM0456 §7.9.4): the keys go in at once, without
 * first clearing the status and reading CR (two USB round trips). Only
 * the read after the keys, which proves the unlock, stays.
 */
static int ctrl_unlock_bank(gang_target *t, const gang_flash_ctrl_regs *r, unsigned bank, bool at_reset)
{
	gang_stlink *sl = gang_target_stlink(t);
	uint32_t cr = 0;
	int err;

	if (!at_reset &&
	    ((err = gang_stlink_write32(sl, ctrl_reg(t, r, bank, r->ccr ? r->ccr : r->sr), r->sr_clear)) < 0 ||
	     (err = gang_stlink_read32(&cr, sl, ctrl_reg(t, r, bank, r->cr))) < 0))
		return err;
	if (!at_reset && !(cr & r->cr_lock))
		return GANG_OK;
	if ((err = gang_stlink_write32(sl, ctrl_reg(t, r, bank, r->keyr), r->key1 ? r->key1 : GANG_FLASH_KEY1)) < 0 ||
	    (err = gang_stlink_write32(sl, ctrl_reg(t, r, bank, r->keyr), r->key2 ? r->key2 : GANG_FLASH_KEY2)) < 0 ||
	    (err = gang_stlink_read32(&cr, sl, ctrl_reg(t, r, bank, r->cr))) < 0)
		return err;
	if (cr & r->cr_lock)
		return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "flash controller stays locked "
				     "after the key sequence (FLASH_CR%s=0x%08" PRIX32 "): a wrong key "
				     "locks it until the next reset", r->bank_off ? (bank ? "2" : "1") : "", cr);
	return GANG_OK;
}

static int ctrl_unlock_chain(gang_target *t, const gang_flash_ctrl_regs *r, bool at_reset)
{
	int err = GANG_OK;

	for (unsigned b = 0; b < gang_flash_ctrl_banks(t, r) && err == GANG_OK; b++)
		err = ctrl_unlock_bank(t, r, b, at_reset);
	return err == GANG_OK && r->next ? ctrl_unlock_chain(t, r->next, at_reset) : err;
}

int gang_flash_ctrl_unlock(gang_target *t, const gang_flash_ctrl_regs *r)
{
	return ctrl_unlock_chain(t, r, gang_target_flash_at_reset_take(t));
}

int gang_flash_ctrl_wait_bank(uint32_t *sr_out, gang_target *t, const gang_flash_ctrl_regs *r, unsigned bank,
			      unsigned expect_us, unsigned timeout_ms, const char *what)
{
	uint64_t waited_us = expect_us;
	int err;

	if (expect_us)
		gang_target_sleep_us(expect_us);
	for (;;) {
		if ((err = gang_stlink_read32(sr_out, gang_target_stlink(t), ctrl_reg(t, r, bank, r->sr))) < 0)
			return err;
		if (!(*sr_out & r->sr_busy))
			return GANG_OK;
		if (waited_us / 1000U > timeout_ms)
			break;
		gang_target_sleep_us(r->poll_us);
		waited_us += r->poll_us;
	}
	return gang_diag_set(gang_target_diag(t), GANG_EFLASH,
			     "%s: flash controller still busy after %u ms (FLASH_SR%s=0x%08" PRIX32 ")",
			     what, timeout_ms, r->bank_off ? (bank ? "2" : "1") : "", *sr_out);
}

int gang_flash_ctrl_wait(uint32_t *sr_out, gang_target *t, const gang_flash_ctrl_regs *r, unsigned expect_us,
			 unsigned timeout_ms, const char *what)
{
	return gang_flash_ctrl_wait_bank(sr_out, t, r, 0, expect_us, timeout_ms, what);
}

int gang_flash_ctrl_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr,
			  const gang_flash_sr_errs *e)
{
	gang_diag *d = gang_target_diag(t);

	if (sr & e->wrp)
		return gang_diag_set_at(d, GANG_EWRITE_PROTECTED, addr, "%s at 0x%08" PRIX32 ": write-protected %s (%s, "
					"FLASH_SR=0x%08" PRIX32 ")", what, addr, e->wrp_unit, e->wrp_why, sr);
	for (unsigned i = 0; i < GANG_FLASH_SR_WHY_MAX && e->why[i].bit; i++)
		if (sr & e->why[i].bit)
			return gang_diag_set_at(d, GANG_EFLASH, addr, "%s at 0x%08" PRIX32 ": %s (FLASH_SR=0x%08"
						PRIX32 ")", what, addr, e->why[i].why, sr);
	return GANG_OK;
}
