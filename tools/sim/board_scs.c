/*
 * board_scs.c — the private peripheral bus (0xE0000000-0xE00FFFFF) of the
 * virtual Cortex-M: CPUID, AIRCR, the fault status registers, the ARMv7-M
 * debug registers (DHCSR, DCRSR/DCRDR, DEMCR, DFSR), FP_CTRL, DWT_CTRL and
 * DBGMCU (F1/F3 at 0xE0042000). Reachable by the debugger even while NRST
 * holds the system in reset, because this is the debug power domain.
 *
 * Facts: ARMv7-M Architecture Reference Manual (ARM DDI 0403E) B3.2
 * (CPUID, AIRCR), C1.6 (register bits, DHCSR key gate, sticky S_RESET_ST,
 * POR-only reset of DHCSR/DEMCR/DFSR); RM0008 §31 (DBGMCU_CR reset only by
 * POR); the constants st-flash 1.7.0 and OpenOCD 0.12 write, as traced.
 */
#include "board_internal.h"

#define SCS_CPUID        0xE000ED00U
#define SCS_ICSR         0xE000ED04U
#define SCS_VTOR         0xE000ED08U
#define SCS_AIRCR        0xE000ED0CU
#define SCS_SCR          0xE000ED10U   /* SLEEPDEEP b2 (ARMv7-M ARM B3.2.7) */
#define SCR_MASK         0x16U         /* SLEEPONEXIT, SLEEPDEEP, SEVONPEND */
#define SCS_CFSR         0xE000ED28U
#define SCS_HFSR         0xE000ED2CU
#define SCS_DFSR         0xE000ED30U
#define SCS_DHCSR        0xE000EDF0U
#define SCS_DCRSR        0xE000EDF4U
#define SCS_DCRDR        0xE000EDF8U
#define SCS_DEMCR        0xE000EDFCU
#define SCS_DWT_CTRL     0xE0001000U
#define SCS_FP_CTRL      0xE0002000U

#define DHCSR_KEY        0xA05F0000U
#define DHCSR_KEY_MASK   0xFFFF0000U
#define DHCSR_C_DEBUGEN  (1U << 0)
#define DHCSR_C_HALT     (1U << 1)
#define DHCSR_C_STEP     (1U << 2)
#define DHCSR_C_MASKINTS (1U << 3)
#define DHCSR_C_MASK     0xFU
#define DHCSR_S_REGRDY   (1U << 16)
#define DHCSR_S_HALT     (1U << 17)
#define DHCSR_S_SLEEP    (1U << 18)
#define DHCSR_S_LOCKUP   (1U << 19)
#define DHCSR_S_RETIRE   (1U << 24)
#define DHCSR_S_RESET    (1U << 25)
#define DCRSR_REGWNR     (1U << 16)
#define DCRSR_REGSEL     0x7FU
#define DFSR_HALTED      (1U << 0)
#define DFSR_MASK        0x1FU
#define DEMCR_MASK       0x010F07F1U   /* TRCENA, MON_*, VC_* */
#define AIRCR_VECTKEY    0x05FA0000U
#define AIRCR_VECTKEYSTAT 0xFA050000U
#define AIRCR_SYSRESETREQ (1U << 2)
#define AIRCR_PRIGROUP   0x00000700U
#define DWT_CTRL_VALUE   0x40000000U   /* NUMCOMP = 4 */
#define FP_CTRL_VALUE    0x00000260U   /* NUM_CODE = 6, NUM_LIT = 2 */
#define FP_CTRL_ENABLE   (1U << 0)
#define FP_CTRL_KEY      (1U << 1)
#define DBGMCU_CR_MASK   0x00000307U

/* Power-on reset of the debug domain (the only reset that clears it). */
void board_scs_por(sim_board *b)
{
	board_core *c = &b->core;

	c->dhcsr_ctrl = 0;
	c->demcr = 0;
	c->dfsr = 0;
	c->dcrdr = 0;
	c->cfsr = 0;
	c->hfsr = 0;
	c->aircr = 0;
	c->vtor = 0;
	c->scr = 0;
	c->fp_ctrl = FP_CTRL_VALUE;
	c->dbgmcu_cr = 0;
	for (unsigned i = 0; i < BOARD_DBGMCU_FZ_N; i++)
		c->dbgmcu_fz[i] = 0;
	c->reset_st = false;
}

static uint32_t scs_dhcsr_read(sim_board *b)
{
	board_core *c = &b->core;
	uint32_t v = c->dhcsr_ctrl;

	if (c->halted)
		v |= DHCSR_S_HALT | DHCSR_S_REGRDY | DHCSR_C_HALT;
	if (c->sleeping)
		v |= DHCSR_S_SLEEP;
	if (c->lockup)
		v |= DHCSR_S_LOCKUP;
	if (c->retired)
		v |= DHCSR_S_RETIRE;
	if (c->reset_st)
		v |= DHCSR_S_RESET;
	c->retired = false;   /* S_RETIRE_ST and S_RESET_ST are cleared by the read */
	c->reset_st = false;
	return v;
}

static void scs_dhcsr_write(sim_board *b, uint32_t val)
{
	board_core *c = &b->core;

	if ((val & DHCSR_KEY_MASK) != DHCSR_KEY)
		return;   /* writes without the key are ignored (ARMv7-M ARM C1.6) */
	c->dhcsr_ctrl = val & DHCSR_C_MASK;
	if (!(c->dhcsr_ctrl & DHCSR_C_DEBUGEN))
		c->dhcsr_ctrl = 0;   /* halt/step need C_DEBUGEN */
	if (b->nrst_low || !b->powered)
		return;   /* a halt request waits for the end of reset */
	if ((c->dhcsr_ctrl & DHCSR_C_HALT) && !c->halted)
		board_core_halt(b, DFSR_HALTED);
	else if (!(c->dhcsr_ctrl & DHCSR_C_HALT) && c->halted)
		board_core_resume(b, (c->dhcsr_ctrl & DHCSR_C_STEP) != 0);
}

static void scs_dcrsr_write(sim_board *b, uint32_t val)
{
	board_core *c = &b->core;

	if (!c->halted)
		return;   /* register transfer needs a halted core; S_REGRDY stays 0 */
	if (val & DCRSR_REGWNR)
		board_core_reg_write(b, val & DCRSR_REGSEL, c->dcrdr);
	else
		c->dcrdr = board_core_reg_read(b, val & DCRSR_REGSEL);
}

static uint32_t scs_read32(sim_board *b, uint32_t addr)
{
	board_core *c = &b->core;

	switch (addr) {
	case SCS_CPUID: return b->part->cpuid;
	case SCS_ICSR: return 0;
	case SCS_VTOR: return c->vtor;
	case SCS_AIRCR: return AIRCR_VECTKEYSTAT | c->aircr;
	case SCS_SCR: return c->scr;
	case SCS_CFSR: return c->cfsr;
	case SCS_HFSR: return c->hfsr;
	case SCS_DFSR: return c->dfsr;
	case SCS_DHCSR: return scs_dhcsr_read(b);
	case SCS_DCRSR: return 0;
	case SCS_DCRDR: return c->dcrdr;
	case SCS_DEMCR: return c->demcr;
	case SCS_DWT_CTRL: return DWT_CTRL_VALUE;
	case SCS_FP_CTRL: return c->fp_ctrl;
	default: break;
	}
	if (addr == b->part->idcode_addr)
		return board_dbgmcu_idcode(b);
	if (addr == b->part->idcode_addr + 4U)
		return c->dbgmcu_cr;
	return 0;
}

static void scs_aircr_write(sim_board *b, uint32_t val, bool core)
{
	if ((val & 0xFFFF0000U) != AIRCR_VECTKEY)
		return;
	b->core.aircr = val & AIRCR_PRIGROUP;
	if (!(val & AIRCR_SYSRESETREQ))
		return;
	if (core)
		b->core.stop = BOARD_STOP_RESET;   /* after the store retires */
	else
		board_system_reset(b, board_time(b));
}

/* Debug registers written by the core itself are ignored (only the DAP owns them). */
static void scs_write32(sim_board *b, uint32_t addr, uint32_t val, bool core)
{
	board_core *c = &b->core;

	switch (addr) {
	case SCS_VTOR: c->vtor = val & 0xFFFFFF80U; break;
	case SCS_AIRCR: scs_aircr_write(b, val, core); break;
	case SCS_SCR: c->scr = val & SCR_MASK; break;
	case SCS_CFSR: c->cfsr &= ~val; break;
	case SCS_HFSR: c->hfsr &= ~val; break;
	case SCS_DFSR: c->dfsr &= ~(val & DFSR_MASK); break;
	case SCS_DHCSR: if (!core) scs_dhcsr_write(b, val); break;
	case SCS_DCRSR: if (!core) scs_dcrsr_write(b, val); break;
	case SCS_DCRDR: c->dcrdr = val; break;
	case SCS_DEMCR: c->demcr = val & DEMCR_MASK; break;
	case SCS_FP_CTRL:
		if (val & FP_CTRL_KEY)
			c->fp_ctrl = FP_CTRL_VALUE | (val & FP_CTRL_ENABLE);
		break;
	default:
		if (addr == b->part->idcode_addr + 4U)
			c->dbgmcu_cr = val & DBGMCU_CR_MASK;
		break;
	}
}

board_bus board_scs_read(sim_board *b, uint32_t addr, uint32_t *val, bool core)
{
	(void)core;
	uint32_t v = scs_read32(b, addr & ~3U) >> ((addr & 3U) * 8U);

	*val = v;
	return BOARD_BUS_OK;
}

board_bus board_scs_write(sim_board *b, uint32_t addr, uint32_t val, bool core)
{
	/* strict: the debug registers take whole words; narrow writes are merged as words */
	scs_write32(b, addr & ~3U, val << ((addr & 3U) * 8U), core);
	return BOARD_BUS_OK;
}
