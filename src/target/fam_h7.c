/*
 * fam_h7.c — the H7 family's part of the target: which H7 row a board is
 * (below), and the dual-core parts' second core held while gang works
 * (further down). Which row: when rows share DEV_ID 0x450 and the
 * flash size (STM32H743ZI and the dual-core STM32H745ZI): FLASH_OPTSR_CUR
 * holds BCM4 (b22) and BCM7 (b23), the boot enables of the Cortex-M4 and
 * the Cortex-M7, only on the dual-core parts (RM0399 §4.9.9; the factory
 * sets both); a single-core part keeps those bits reserved and is taken
 * to read them as 0 (RM0433 §4.9.9; unverified on silicon, the bench
 * models it so). A dual-core part whose option bytes disable both boots
 * reads as the single-core row; a profile naming the part decides anyway.
 */
#include "target/target_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define FAM_H7_OPTSR_CUR   0x1CU
#define FAM_H7_BCM4        (1U << 22)   /* the CM4 boots with the system */
#define FAM_H7_BCM         (FAM_H7_BCM4 | 1U << 23)   /* BCM4, BCM7 */

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

/*
 * The second core of the dual-core parts, held while gang works (the
 * family's hold_cores/release_cores): the Cortex-M4 of the STM32H745/H747/H755/H757, which sits on its
 * own access port, AP3, beside the Cortex-M7 on AP0 (RM0399 §60.4). Both
 * cores fetch from the same two flash banks, so a CM4 left running keeps
 * executing (and may be writing) the flash gang erases and programs.
 *
 * Holding it: after identification, through AP3, DEMCR.VC_CORERESET and
 * DHCSR.C_DEBUGEN|C_HALT (ARMv7-M ARM DDI 0403E §C1.6.3, §C1.6.5): it
 * halts now, and on its reset vector after every later system reset, so
 * gang's own resets do not let it run. A CM4 whose boot is disabled
 * (FLASH_OPTSR_CUR.BCM4 = 0, RM0399 §4.9.9) stays gated until the CM7
 * starts it, and the CM7 is halted: S_RESET_ST, or an AP3 fault, is then
 * taken as held. Releasing it: VC_CORERESET and C_DEBUGEN cleared right
 * before the CM7 is let go, after gang's final reset, so it starts with
 * the CM7 from its reset vector.
 *
 * A probe before V2J28 cannot address AP3 (the ST-Link firmware opens an
 * AP with INIT_AP and reads its number from byte 8 of a memory command):
 * the CM4 then keeps running, which the connect note tells the operator
 * and the record keeps; OpenOCD's ST-Link HLA mode has the same limit
 * (its target/stm32h7x.cfg).
 */
#define CORES_CM4_AP       3U
#define CORES_VC_CORERESET (1U << 0)
#define CORES_HALT_POLLS   20U
#define CORES_HALT_POLL_US 5000U

static bool cores_dual(const gang_target *t)
{
	return t->info.part != NULL && gang_part_h7_dual_core(t->info.part);
}

/* The CM4 cannot be reached: the operator hears it once, the record keeps it. */
static void cores_unheld_note(gang_target *t)
{
	const char *why = "the Cortex-M4 keeps running: this ST-Link's firmware cannot reach the second core "
			  "(AP3; V2J28 or later can), so it runs from the flash gang rewrites";
	size_t n = strlen(t->info.note);

	if (t->info.headline[0] == '\0')
		snprintf(t->info.headline, sizeof(t->info.headline), "second core not halted — update the ST-Link");
	if (n == 0)
		snprintf(t->info.note, sizeof(t->info.note), "%s", why);
	else if (!strstr(t->info.note, why) && n + 2U < sizeof(t->info.note))
		snprintf(t->info.note + n, sizeof(t->info.note) - n, "; %s", why);
}

static int cores_cm4_write(gang_target *t, uint32_t addr, uint32_t v)
{
	return gang_stlink_write32_ap(t->sl, CORES_CM4_AP, addr, v);
}

/* DHCSR through AP3 until S_HALT, or S_RESET_ST of a gated core. */
static int cores_cm4_wait(gang_target *t, bool gated)
{
	uint32_t dhcsr = 0;
	int err = GANG_OK;

	for (unsigned i = 0; i < CORES_HALT_POLLS; i++) {
		if ((err = gang_stlink_read32_ap(&dhcsr, t->sl, CORES_CM4_AP, TGT_DHCSR)) < 0)
			return err;
		if ((dhcsr & TGT_DHCSR_S_HALT) || (gated && (dhcsr & TGT_DHCSR_S_RESET)))
			return GANG_OK;
		gang_target_sleep_us(CORES_HALT_POLL_US);
	}
	return gang_diag_set(t->d, GANG_ETARGET_NOHALT,
			     "the %s's Cortex-M4 (AP3) does not halt (DHCSR=0x%08" PRIX32 " after C_HALT)",
			     t->info.part->name, dhcsr);
}

int gang_fam_h7_hold_cores(gang_target *t)
{
	bool gated;
	int err;

	if (!cores_dual(t))
		return GANG_OK;
	gated = !(t->info.opt_reg & FAM_H7_BCM4);
	if (!t->cm4_ap_open) {
		err = gang_stlink_ap_open(t->sl, CORES_CM4_AP);
		if (err == GANG_EPROBE_FIRMWARE) {
			gang_diag_clear(t->d);
			if (!gated)
				cores_unheld_note(t);
			return GANG_OK;
		}
		if (err < 0)
			return err;
		t->cm4_ap_open = true;
	}
	if ((err = cores_cm4_write(t, TGT_DEMCR, CORES_VC_CORERESET)) == GANG_OK &&
	    (err = cores_cm4_write(t, TGT_DHCSR, TGT_DHCSR_KEY | TGT_DHCSR_DEBUGEN | TGT_DHCSR_HALT)) == GANG_OK)
		err = cores_cm4_wait(t, gated);
	if (err == GANG_ETARGET_FAULT && gated) {
		gang_diag_clear(t->d);   /* a gated core's debug registers may not answer: nothing runs there */
		return GANG_OK;
	}
	t->cores_held = err == GANG_OK;
	return err;
}

int gang_fam_h7_release_cores(gang_target *t)
{
	int err;

	if (!t->cores_held)
		return GANG_OK;
	t->cores_held = false;
	if ((err = cores_cm4_write(t, TGT_DEMCR, 0)) < 0)
		return err;
	return cores_cm4_write(t, TGT_DHCSR, TGT_DHCSR_KEY);
}
