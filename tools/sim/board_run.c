/*
 * board_run.c — time and run control of the virtual core: one instruction
 * is one cycle of HCLK (the HSI, cfg->timing.core_hz, after reset; the
 * clock tree of board_clock.c after a switch: a run stops where a pending
 * SYSCLK switch takes effect and goes on from there at the new clock,
 * cycles counted from an epoch at the switch), a run never takes the core past the
 * time the probe advanced to, the FPEC stalls the core's bus while BSY, and
 * the debug-visible states (halt, lockup, sleep, reset with vector catch).
 *
 * Facts: PM0075 (the bus stalls while FLASH_SR.BSY); ARMv7-M Architecture
 * Reference Manual (ARM DDI 0403E) C1.6 (DHCSR/DEMCR/DFSR bits, halt on
 * BKPT, DEMCR.VC_CORERESET halting before the first instruction, which is
 * what connect-under-reset relies on).
 */
#include "board_internal.h"

#include <signal.h>

#define RUN_DEBUGEN       (1U << 0)
#define RUN_C_HALT        (1U << 1)
#define RUN_DFSR_HALTED   (1U << 0)
#define RUN_DFSR_BKPT     (1U << 1)
#define RUN_DFSR_VCATCH   (1U << 3)
#define RUN_VC_CORERESET  (1U << 0)
#define RUN_VC_BUSERR     (1U << 8)
#define RUN_VC_HARDERR    (1U << 10)
#define RUN_CFSR_PRECISERR (1U << 9)
#define RUN_HFSR_FORCED   (1U << 30)
#define RUN_XPSR_T        (1U << 24)
#define RUN_LR_RESET      0xFFFFFFFFU
#define RUN_UNTIL         0xFFFFFFFEULL   /* the lockup address: never reached */

/* Cycles of the current run epoch at time t (floor, or ceil for deadlines). */
uint64_t board_core_cycles_at(const sim_board *b, int64_t t, bool round_up)
{
	uint64_t hz = b->core.hz;
	if (t <= b->core.epoch_ns)
		return 0;
	uint64_t dt = (uint64_t)(t - b->core.epoch_ns);
	uint64_t q = dt / BOARD_NS_PER_S, r = dt % BOARD_NS_PER_S;
	uint64_t c = q * hz + r * hz / BOARD_NS_PER_S;

	if (round_up && (r * hz) % BOARD_NS_PER_S != 0)
		c++;
	return c;
}

int64_t board_core_now(const sim_board *b)
{
	uint64_t hz = b->core.hz, n = b->core.cycles;

	if (hz == 0)
		return b->core.epoch_ns;
	return b->core.epoch_ns + (int64_t)((n / hz) * BOARD_NS_PER_S +
					   (n % hz) * BOARD_NS_PER_S / hz);
}

void board_core_reclock(sim_board *b, uint64_t hz)
{
	board_core *c = &b->core;

	if (hz == c->hz)
		return;
	c->epoch_ns = board_core_now(b);
	c->cycles = 0;
	c->hz = hz;
	c->spin_valid = false;
	if (c->in_emu) {
		c->retired = true;   /* the instruction that wrote RCC */
		c->limit = 0;        /* the run's budget was in the old clock: end it here */
	}
}

void board_core_stop_by(sim_board *b, int64_t t)
{
	board_core *c = &b->core;
	uint64_t lim;

	if (!c->in_emu)
		return;
	lim = board_core_cycles_at(b, t, true);
	if (lim < c->cycles)
		lim = c->cycles;
	if (lim < c->limit)
		c->limit = lim;
}

bool board_core_running(const sim_board *b)
{
	const board_core *c = &b->core;

	return b->powered && !b->nrst_low && !c->halted && !c->lockup && !c->sleeping;
}

void board_core_dirty_flash(sim_board *b, uint32_t off, uint32_t len)
{
	board_core *c = &b->core;

	if (c->fdirty_hi == c->fdirty_lo) {
		c->fdirty_lo = off;
		c->fdirty_hi = off + len;
	}
	c->fdirty_lo = off < c->fdirty_lo ? off : c->fdirty_lo;
	c->fdirty_hi = off + len > c->fdirty_hi ? off + len : c->fdirty_hi;
	c->side_gen++;
}

void board_core_dirty_sram(sim_board *b, uint32_t off, uint32_t len)
{
	board_core *c = &b->core;

	if (c->sdirty_hi == c->sdirty_lo) {
		c->sdirty_lo = off;
		c->sdirty_hi = off + len;
	}
	c->sdirty_lo = off < c->sdirty_lo ? off : c->sdirty_lo;
	c->sdirty_hi = off + len > c->sdirty_hi ? off + len : c->sdirty_hi;
	c->side_gen++;
}

/* Code written behind the core's back: drop translated blocks that cover it. */
static void run_flush_code(sim_board *b)
{
	board_core *c = &b->core;

	if (c->fdirty_hi > c->fdirty_lo) {
		uc_ctl_remove_cache(c->uc, BOARD_FLASH_BASE + c->fdirty_lo,
				    BOARD_FLASH_BASE + c->fdirty_hi);
		uc_ctl_remove_cache(c->uc, c->fdirty_lo, c->fdirty_hi);
	}
	if (c->sdirty_hi > c->sdirty_lo)
		uc_ctl_remove_cache(c->uc, BOARD_SRAM_BASE + c->sdirty_lo,
				    BOARD_SRAM_BASE + c->sdirty_hi);
	c->fdirty_lo = c->fdirty_hi = 0;
	c->sdirty_lo = c->sdirty_hi = 0;
}

void board_core_halt(sim_board *b, uint32_t dfsr_bits)
{
	board_core *c = &b->core;

	c->halted = true;
	c->lockup = false;   /* a halt request takes the core out of lockup */
	c->sleeping = false;
	c->dfsr |= dfsr_bits;
	c->spin_valid = false;
	if (c->dhcsr_ctrl & RUN_DEBUGEN)
		c->dhcsr_ctrl |= RUN_C_HALT;
}

/* Bus fault: vector catch halts the core, otherwise HardFault without a handler model locks it up. */
void board_core_fault(sim_board *b)
{
	board_core *c = &b->core;

	c->cfsr |= RUN_CFSR_PRECISERR;
	c->hfsr |= RUN_HFSR_FORCED;
	if ((c->dhcsr_ctrl & RUN_DEBUGEN) && (c->demcr & (RUN_VC_HARDERR | RUN_VC_BUSERR))) {
		board_core_halt(b, RUN_DFSR_VCATCH);
		return;
	}
	c->lockup = true;
	c->spin_valid = false;
}

static void run_stopped(sim_board *b, uc_err e)
{
	board_core *c = &b->core;
	board_stop s = c->stop;

	c->stop = BOARD_STOP_NONE;
	if (e != UC_ERR_OK && s != BOARD_STOP_BKPT && s != BOARD_STOP_SLEEP)
		s = BOARD_STOP_FAULT;   /* unmapped or protected access */
	switch (s) {
	case BOARD_STOP_FAULT: board_core_fault(b); break;
	case BOARD_STOP_STALL: c->stall_until = b->fm->busy_until(b); break;
	case BOARD_STOP_RESET: board_system_reset(b, board_core_now(b)); break;
	case BOARD_STOP_BKPT: board_core_halt(b, RUN_DFSR_BKPT); break;
	case BOARD_STOP_SLEEP:
		c->sleeping = true;
		board_periph_deep_sleep(b);
		break;
	default: break;
	}
}

/* One Unicorn run of at most limit cycles from the current epoch. */
static void run_emu(sim_board *b, uint64_t limit)
{
	board_core *c = &b->core;
	uint32_t pc = 0;
	uint64_t before = c->cycles;

	run_flush_code(b);
	board_core_map_flash(b);   /* wait states or RDP changed since the last run */
	uc_reg_read(c->uc, UC_ARM_REG_PC, &pc);
	c->limit = limit;
	c->stop = BOARD_STOP_NONE;
	c->last_pc = UINT64_MAX;
	c->in_emu = true;
	uc_err e = uc_emu_start(c->uc, pc | 1U, RUN_UNTIL, 0, 0);
	c->in_emu = false;
	board_core_apply_fix(b);
	if (c->cycles != before)
		c->retired = true;
	run_stopped(b, e);
}

/* The FPEC released the bus: the held access completes at that time. */
static void run_unstall(sim_board *b)
{
	board_core *c = &b->core;
	int64_t t = c->stall_until;

	c->stall_until = 0;
	b->fm->update(b, t);
	c->epoch_ns = t;
	c->cycles = 0;
	if (!c->defer_on)
		return;
	c->defer_on = false;
	c->in_emu = true;   /* the access is the core's, at time t */
	board_bus r = board_bus_write(b, c->defer_addr, c->defer_size, c->defer_val, true);
	c->in_emu = false;
	if (r == BOARD_BUS_FAULT)
		board_core_fault(b);
	if (c->stop == BOARD_STOP_RESET)
		run_stopped(b, UC_ERR_OK);
}

/* Cycles to run towards t: up to a pending SYSCLK switch at sw, never past t. */
static uint64_t run_limit(const sim_board *b, int64_t t, int64_t sw)
{
	uint64_t lim = board_core_cycles_at(b, t, false);

	if (sw < t) {
		uint64_t at_sw = board_core_cycles_at(b, sw, true);
		lim = at_sw < lim ? at_sw : lim;
	}
	return lim;
}

/* Run the core up to probe time t (never past it). */
void board_core_run_until(sim_board *b, int64_t t)
{
	board_core *c = &b->core;

	while (board_core_running(b)) {
		if (c->stall_until != 0) {
			if (c->stall_until > t)
				break;
			run_unstall(b);
			continue;
		}
		int64_t sw = board_clock_switch_at(b);
		if (sw <= board_core_now(b)) {
			board_clock_sync(b, board_core_now(b));
			continue;
		}
		uint64_t limit = run_limit(b, t, sw);
		if (c->cycles >= limit)
			break;
		run_emu(b, limit);
	}
	board_clock_sync(b, t);   /* a halted or stalled core: the switch happens all the same */
	b->fm->update(b, t);
}

static bool run_check_thumb(sim_board *b)
{
	if (b->core.xpsr_t)
		return true;
	board_core_fault(b);   /* EPSR.T = 0: INVSTATE UsageFault, escalated */
	return false;
}

/*
 * Fault kill_on_release: the host dies (SIGKILL, as a power cut of the PC
 * or kill -9 would) at the moment it lets the core go into the board's
 * firmware (anywhere but SRAM, where loaders run), once per board state. A test then sees what the host had
 * committed before it released the board.
 */
static void run_kill_on_release(sim_board *b)
{
	uint32_t pc = 0;

	if (!b->cfg.kill_host_on_release)
		return;
	uc_reg_read(b->core.uc, UC_ARM_REG_PC, &pc);
	/* a host's code (its loaders) runs from SRAM; anything else is the board's own firmware */
	if ((pc < BOARD_SRAM_BASE || pc >= BOARD_SRAM_BASE + b->sram_size) &&
	    board_state_first_time(b, "killed-on-release"))
		raise(SIGKILL);
}

void board_core_resume(sim_board *b, bool step)
{
	board_core *c = &b->core;

	if (!step)
		run_kill_on_release(b);
	c->halted = false;
	c->epoch_ns = b->now;
	c->cycles = 0;
	c->spin_valid = false;
	if (!run_check_thumb(b) || !step)
		return;
	/* C_STEP: one instruction, then debug state again */
	run_emu(b, 1);
	c->epoch_ns = b->now;
	c->cycles = 0;
	if (!c->halted)
		board_core_halt(b, RUN_DFSR_HALTED);
}

static void run_reset_regs(sim_board *b, uint32_t sp, uint32_t pc)
{
	board_core *c = &b->core;
	uint32_t zero = 0, lr = RUN_LR_RESET, xpsr = (pc & 1U) ? RUN_XPSR_T : 0U;

	for (int r = UC_ARM_REG_R0; r <= UC_ARM_REG_R12; r++)
		uc_reg_write(c->uc, r, &zero);
	uc_reg_write(c->uc, UC_ARM_REG_CONTROL, &zero);
	uc_reg_write(c->uc, UC_ARM_REG_PRIMASK, &zero);
	uc_reg_write(c->uc, UC_ARM_REG_FAULTMASK, &zero);
	uc_reg_write(c->uc, UC_ARM_REG_BASEPRI, &zero);
	uc_reg_write(c->uc, UC_ARM_REG_LR, &lr);
	sp &= ~3U;
	pc &= ~1U;
	uc_reg_write(c->uc, UC_ARM_REG_MSP, &sp);
	uc_reg_write(c->uc, UC_ARM_REG_SP, &sp);
	uc_reg_write(c->uc, UC_ARM_REG_PC, &pc);
	uc_reg_write(c->uc, UC_ARM_REG_XPSR, &xpsr);
	c->xpsr_t = (xpsr & RUN_XPSR_T) != 0;
}

/* Core reset at time t: vectors from the boot alias (BOOT0 low), then halt, run or lock up. */
void board_core_reset(sim_board *b, int64_t t)
{
	board_core *c = &b->core;
	uint32_t sp = 0xFFFFFFFFU, pc = 0xFFFFFFFFU;

	if (c->flash_mapped) {   /* the bank at 0x08000000 (swapped on an H7 with SWAP_BANK) */
		sp = board_le_get(b->flash + board_flash_phys(b, 0), 4);
		pc = board_le_get(b->flash + board_flash_phys(b, 4), 4);
	}
	run_reset_regs(b, sp, pc);
	c->halted = c->lockup = c->sleeping = false;
	c->scr = 0;   /* SCR is in the system reset domain */
	c->stall_until = 0;
	c->defer_on = false;
	c->n_fix = 0;
	c->flash_cycles = 0;
	c->spin_valid = false;
	c->side_gen++;
	c->reset_st = true;
	c->epoch_ns = t;
	c->cycles = 0;
	if ((c->dhcsr_ctrl & RUN_DEBUGEN) && (c->demcr & RUN_VC_CORERESET))
		board_core_halt(b, RUN_DFSR_VCATCH);
	else if ((c->dhcsr_ctrl & RUN_DEBUGEN) && (c->dhcsr_ctrl & RUN_C_HALT))
		board_core_halt(b, RUN_DFSR_HALTED);
	else if (pc == 0xFFFFFFFFU || !(pc & 1U))
		c->lockup = true;   /* erased or invalid vector table: no instruction runs */
}
