/*
 * board_ap.c — the access ports beyond AP0 that a part's debug topology
 * has, as the debugger sees them (board.h sim_board_read_ap): on the H7
 * AP2, the APB-AP of the system debug bus (APB-D), where the DBGMCU sits
 * at 0xE00E1000 and answers while NRST holds the system in reset, unlike
 * its AXI copy at 0x5C001000 behind AP0; on the dual-core H745/H747/H755/
 * H757 AP3, the Cortex-M4's AHB-AP into the same system bus, with the
 * CM4's own CPUID.
 *
 * Facts: RM0433 §60.4 (H74x debug topology: AP0 AXI-AP of the CM7, AP1
 * AHB-AP (D3, not modelled), AP2 APB-AP of APB-D), RM0399 §60.4 (H745:
 * AP3 the CM4's AHB-AP), OpenOCD 0.12 target/stm32h7x.cfg (DBGMCU through
 * AP2 works under SRST, through AP0 it does not; the CM4 on AP3). The IDR
 * values are ADIv5 JEP106 ARM with the AP class: APB-AP 0x54770002 and a
 * Cortex-M4 AHB-AP 0x24770011 (unverified for the H7's exact revisions).
 * Not modelled: the CoreSight components on APB-D other than the DBGMCU
 * (ROM table, SWO, ETM, CTI read 0 and ignore writes), AP1.
 *
 * The CM4 itself is not executed. What its AP shows of it is modelled:
 * CPUID, DHCSR (C_DEBUGEN/C_HALT with the 0xA05F key, S_HALT, S_RESET_ST)
 * and DEMCR (VC_CORERESET), ARMv7-M ARM DDI 0403E §C1.6.2-§C1.6.3. It
 * boots with every system reset when FLASH_OPTSR_CUR.BCM4 is set (RM0399
 * §4.9.9) and stays clock-gated otherwise (until the CM7 sets
 * RCC_GCR.BOOT_C2, which no code on the bench does); a reset with
 * VC_CORERESET and C_DEBUGEN set halts it on its reset vector. The
 * stricter reading where the ARM ARM leaves it open: a system (local)
 * reset clears C_HALT, so only the reset vector catch holds the CM4
 * across a reset; power-on clears DHCSR and DEMCR. A flash erase or
 * program that begins while the CM4 runs is counted (board_cm4_flash_op):
 * on silicon that core keeps fetching, and may be writing, from the flash
 * being rewritten.
 */
#include "board_internal.h"

#include <string.h>

#define AP_SYS         0U
#define AP_APBD        2U
#define AP_CM4         3U
#define AP_IDR_APBD    0x54770002U
#define AP_IDR_AHB     0x24770011U   /* the AP0 the probe reports for every part */
#define AP_IDR_CM4     0x24770011U
#define AP_APBD_BASE   0xE0000000U
#define AP_APBD_SIZE   0x00100000U
#define AP_DBGMCU_SIZE 0x400U
#define AP_CM4_CPUID   0x410FC241U   /* Cortex-M4 r0p1 */
#define AP_SCS_CPUID   0xE000ED00U
#define AP_SCS_DHCSR   0xE000EDF0U
#define AP_SCS_DEMCR   0xE000EDFCU
#define CM4_DHCSR_KEY  0xA05F0000U
#define CM4_DHCSR_C    0x0000000FU   /* C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS */
#define CM4_C_DEBUGEN  0x1U
#define CM4_C_HALT     0x2U
#define CM4_S_REGRDY   (1U << 16)
#define CM4_S_HALT     (1U << 17)
#define CM4_S_RESET_ST (1U << 25)
#define CM4_DEMCR_MASK 0x010F07F1U   /* TRCENA, MON_*, VC_* (DDI 0403E §C1.6.5) */
#define CM4_VC_CORERESET 0x1U

static bool ap_h7(const sim_board *b)
{
	return b->part->io->dbgmcu_apb != 0;
}

/* H745/H747/H755/H757: the name tells, the DEV_ID is the H743's (RM0399 §63.2). */
bool board_dual_core(const sim_board *b)
{
	const char *n = b->part->name;

	return ap_h7(b) && (n[7] == '4' || n[7] == '5') && (n[8] == '5' || n[8] == '7');
}

uint32_t sim_board_ap_idr(const sim_board *b, unsigned ap)
{
	if (ap == AP_SYS)
		return AP_IDR_AHB;
	if (ap == AP_APBD && ap_h7(b))
		return AP_IDR_APBD;
	if (ap == AP_CM4 && board_dual_core(b))
		return AP_IDR_CM4;
	return 0;
}

/* The wire answers at all (the same SW-DP for every AP). */
static sim_swd ap_wire(const sim_board *b)
{
	if (!b->powered || b->swd_off || b->fm->dp_dead(b))
		return SIM_SWD_NOACK;
	return SIM_SWD_OK;
}

/* APB-D: the DBGMCU block, the rest of the debug components read 0. */
static sim_swd ap_apbd(sim_board *b, bool write, uint32_t addr, unsigned size, uint32_t *val)
{
	uint32_t dbg = b->part->io->dbgmcu_apb;

	if (size != 4 || (addr & 3U) || addr < AP_APBD_BASE || addr - AP_APBD_BASE >= AP_APBD_SIZE)
		return SIM_SWD_FAULT;   /* APB-AP: word accesses to the debug bus only */
	if (addr >= dbg && addr < dbg + AP_DBGMCU_SIZE) {
		if (write)
			board_dbgmcu_h7_write(b, addr - dbg, *val);
		else
			*val = board_dbgmcu_h7_read(b, addr - dbg);
	} else if (!write) {
		*val = 0;
	}
	return SIM_SWD_OK;
}

void board_cm4_por(sim_board *b)
{
	memset(&b->cm4, 0, sizeof(b->cm4));
}

/* FLASH_OPTSR_CUR.BCM4 (b22) in force: the CM4 boots with the system (RM0399 §4.9.9). */
void board_cm4_reset(sim_board *b)
{
	board_cm4 *c = &b->cm4;
	bool boot_enabled = (b->h7.optsr_cur >> 22) & 1U;

	c->dhcsr_c &= ~(CM4_C_HALT | 0x4U);   /* C_HALT, C_STEP: see the header */
	c->gated = !boot_enabled;
	c->halted = boot_enabled && (c->dhcsr_c & CM4_C_DEBUGEN) && (c->demcr & CM4_VC_CORERESET);
	c->reset_st = true;
}

static bool cm4_running(const sim_board *b)
{
	return board_dual_core(b) && b->powered && !b->nrst_low && !b->cm4.gated && !b->cm4.halted;
}

void board_cm4_flash_op(sim_board *b)
{
	if (cm4_running(b) && b->cm4.unheld_ops++ == 0)
		(void)board_state_first_time(b, BOARD_CM4_UNHELD_MARK);
}

unsigned sim_board_cm4_unheld_ops(const sim_board *b)
{
	return b->cm4.unheld_ops;
}

bool sim_board_cm4_halted(const sim_board *b)
{
	return board_dual_core(b) && b->cm4.halted;
}

/* DHCSR: the key guards every write; C_HALT acts only with C_DEBUGEN (DDI 0403E §C1.6.3). */
static void cm4_dhcsr_write(board_cm4 *c, uint32_t v)
{
	if ((v & 0xFFFF0000U) != CM4_DHCSR_KEY)
		return;
	c->dhcsr_c = v & CM4_DHCSR_C;
	if (c->gated)
		return;
	c->halted = (v & CM4_C_DEBUGEN) && (v & CM4_C_HALT);
}

static uint32_t cm4_dhcsr_read(board_cm4 *c)
{
	uint32_t v = c->dhcsr_c | (c->halted ? CM4_S_HALT | CM4_S_REGRDY : 0U) | (c->reset_st ? CM4_S_RESET_ST : 0U);

	c->reset_st = c->gated;   /* sticky until read, and held while the core stays in reset */
	return v;
}

/* CM4 AHB-AP: its CPUID, DHCSR and DEMCR, the rest of its PPB reads 0; the shared system bus as AP0 sees it. */
static sim_swd ap_cm4(sim_board *b, bool write, uint32_t addr, unsigned size, uint32_t *val)
{
	board_cm4 *c = &b->cm4;

	if (addr < BOARD_PPB_BASE)
		return write ? sim_board_write(b, addr, size, *val) : sim_board_read(b, addr, size, val);
	if (size != 4 || (addr & 3U))
		return SIM_SWD_FAULT;   /* the SCS takes words (DDI 0403E §B3.2) */
	if (addr == AP_SCS_DHCSR) {
		if (write)
			cm4_dhcsr_write(c, *val);
		else
			*val = cm4_dhcsr_read(c);
	} else if (addr == AP_SCS_DEMCR) {
		if (write)
			c->demcr = *val & CM4_DEMCR_MASK;
		else
			*val = c->demcr;
	} else if (!write) {
		*val = addr == AP_SCS_CPUID ? AP_CM4_CPUID : 0;
	}
	return SIM_SWD_OK;
}

static sim_swd ap_access(sim_board *b, unsigned ap, bool write, uint32_t addr, unsigned size,
			 uint32_t *val)
{
	sim_swd s;

	if (ap == AP_SYS)
		return write ? sim_board_write(b, addr, size, *val) : sim_board_read(b, addr, size, val);
	if ((s = ap_wire(b)) != SIM_SWD_OK)
		return s;
	if (ap == AP_APBD && ap_h7(b))
		return ap_apbd(b, write, addr, size, val);
	if (ap == AP_CM4 && board_dual_core(b))
		return ap_cm4(b, write, addr, size, val);
	return SIM_SWD_FAULT;   /* no such AP */
}

sim_swd sim_board_read_ap(sim_board *b, unsigned ap, uint32_t addr, unsigned size, uint32_t *val_out)
{
	sim_swd s = ap_access(b, ap, false, addr, size, val_out);

	if (s != SIM_SWD_OK)
		*val_out = 0;
	return s;
}

sim_swd sim_board_write_ap(sim_board *b, unsigned ap, uint32_t addr, unsigned size, uint32_t val)
{
	return ap_access(b, ap, true, addr, size, &val);
}
