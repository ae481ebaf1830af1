/*
 * board_core.c — the Cortex-M core of the virtual board on Unicorn 2:
 * memory map (flash at 0x08000000 and its boot alias at 0, SRAM, system
 * memory, peripherals and the private peripheral bus as MMIO), the hooks
 * that count instructions (time), apply FPEC rules to core stores into
 * flash, catch BKPT, and the debugger's register transfer (DCRSR).
 *
 * Flash is mapped read/write so the firmware and loaders run at native
 * speed; a write hook computes what the FPEC really stores, and the next
 * instruction's code hook puts those bytes back (a Unicorn write hook runs
 * before the store, and stopping inside it would re-execute the store).
 *
 * Facts: RM0008 §3.3 (memory map); the flash loaders of st-flash 1.7.0 and
 * OpenOCD 0.12 (the Thumb instructions they use, their BKPT halt); ARMv7-M
 * Architecture Reference Manual (ARM DDI 0403E) C1.6 (DCRSR register numbers).
 */
#include <stdio.h>
#include <string.h>

#include "board_internal.h"

#define CORE_EXCP_BKPT     7U        /* QEMU exception numbers seen by UC_HOOK_INTR */
#define CORE_EXCP_HLT      0x10001U  /* WFI/WFE */
#define CORE_INSN_B_SELF   0xE7FEU   /* "b ." */
#define CORE_INSN_WFI      0xBF30U
#define CORE_INSN_WFE      0xBF20U
#define CORE_REG_XPSR      16U
#define CORE_REG_MSP       17U
#define CORE_REG_PSP       18U
#define CORE_REG_SPECIAL   20U       /* CONTROL, FAULTMASK, BASEPRI, PRIMASK */

static const int core_spin_regs[BOARD_SPIN_REGS] = {
	UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4,
	UC_ARM_REG_R5, UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9,
	UC_ARM_REG_R10, UC_ARM_REG_R11, UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,
};

static bool core_in_flash(const sim_board *b, uint64_t addr)
{
	return addr < b->flash_size ||
	       (addr >= BOARD_FLASH_BASE && addr < BOARD_FLASH_BASE + (uint64_t)b->flash_size);
}

/* ---- hooks -------------------------------------------------------------- */

void board_core_apply_fix(sim_board *b)
{
	board_core *c = &b->core;

	for (unsigned i = 0; i < c->n_fix; i++)
		memcpy(b->flash + c->fix[i].off, c->fix[i].bytes, c->fix[i].len);
	c->n_fix = 0;
}

/* "b ." spins until the budget ends: jump there (same state every turn). */
static uint64_t core_self_loop(sim_board *b, uint64_t addr)
{
	board_core *c = &b->core;
	uint8_t insn[2];

	if (uc_mem_read(c->uc, addr, insn, sizeof(insn)) != UC_ERR_OK ||
	    board_le_get(insn, 2) != CORE_INSN_B_SELF || c->cycles >= c->limit)
		return 0;
	uint64_t skip = c->limit - c->cycles;
	c->cycles = c->limit;
	return skip;
}

/*
 * WFI/WFE about to execute (Unicorn runs them as NOPs in M-class mode):
 * read the halfword from the host copy of flash or SRAM.
 */
static bool core_is_wait(const sim_board *b, uint64_t addr, uint32_t size)
{
	const uint8_t *p = NULL;

	if (size != 2)
		return false;
	if (addr + 2U <= b->flash_size && b->core.flash_mapped)
		p = b->flash + board_flash_phys(b, (uint32_t)addr);
	else if (addr >= BOARD_FLASH_BASE && addr + 2U <= BOARD_FLASH_BASE + (uint64_t)b->flash_size &&
		 b->core.flash_mapped)
		p = b->flash + board_flash_phys(b, (uint32_t)(addr - BOARD_FLASH_BASE));
	else if (addr >= BOARD_SRAM_BASE && addr + 2U <= BOARD_SRAM_BASE + (uint64_t)b->sram_size)
		p = b->sram + (addr - BOARD_SRAM_BASE);
	if (p == NULL)
		return false;
	uint32_t insn = board_le_get(p, 2);
	return insn == CORE_INSN_WFI || insn == CORE_INSN_WFE;
}

/*
 * ARMv6-M (Cortex-M0/M0+) has only four 32-bit instructions: BL, MSR,
 * MRS and DSB/DMB/ISB (ARMv6-M ARM §A5.3); any other 32-bit encoding is
 * UNDEFINED and takes a HardFault. Unicorn's M0 executes all of Thumb-2,
 * so the bench checks (a loader built for the M4 must fault on G0/C0/F0).
 */
static bool core_v6m_undefined(const sim_board *b, uint64_t addr, uint32_t size)
{
	uint32_t partno = (b->part->cpuid >> 4) & 0xFFFU;
	uint8_t insn[4];

	if (size != 4 || (partno != 0xC20U && partno != 0xC60U))
		return false;
	if (uc_mem_read(b->core.uc, addr, insn, sizeof(insn)) != UC_ERR_OK)
		return false;
	uint32_t hw1 = board_le_get(insn, 2), hw2 = board_le_get(insn + 2, 2);
	bool bl = (hw1 & 0xF800U) == 0xF000U && (hw2 & 0xD000U) == 0xD000U;
	bool msr = (hw1 & 0xFFF0U) == 0xF380U && (hw2 & 0xFF00U) == 0x8800U;
	bool mrs = hw1 == 0xF3EFU && (hw2 & 0xF000U) == 0x8000U;
	bool barrier = hw1 == 0xF3BFU && (hw2 & 0xFF00U) == 0x8F00U;
	return !(bl || msr || mrs || barrier);
}

static void core_hook_code(uc_engine *uc, uint64_t addr, uint32_t size, void *ud)
{
	sim_board *b = ud;
	board_core *c = &b->core;
	uint64_t n = 1;

	if (c->n_fix)
		board_core_apply_fix(b);
	if (c->stop == BOARD_STOP_NONE && core_is_wait(b, addr, size))
		c->stop = BOARD_STOP_SLEEP;   /* sleeps on the WFI; nothing modelled wakes it */
	if (c->stop == BOARD_STOP_NONE && core_v6m_undefined(b, addr, size))
		c->stop = BOARD_STOP_FAULT;   /* UNDEFINSTR: HardFault before it executes */
	if (c->stop != BOARD_STOP_NONE || c->cycles >= c->limit) {
		uc_emu_stop(uc);   /* this instruction has not run; PC stays on it */
		return;
	}
	c->cycles++;
	if (addr == c->last_pc)
		n += core_self_loop(b, addr);
	c->last_pc = addr;
	/* the seed failure: 1 ms of firmware running from flash turns SWD off */
	if (b->fw_kills_swd && !b->swd_off && core_in_flash(b, addr)) {
		c->flash_cycles += n;
		if (c->flash_cycles >= c->kill_cycles)
			b->swd_off = true;
	}
}

static void core_defer(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	board_core *c = &b->core;

	c->defer_on = true;
	c->defer_addr = addr;
	c->defer_size = size;
	c->defer_val = val;
	c->stop = BOARD_STOP_STALL;
}

static void core_hook_wflash(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			     int64_t value, void *ud)
{
	sim_board *b = ud;
	board_core *c = &b->core;
	uint32_t off = (uint32_t)(addr >= BOARD_FLASH_BASE ? addr - BOARD_FLASH_BASE : addr);
	unsigned len = (unsigned)size;

	(void)uc;
	(void)type;
	if (!c->flash_mapped)
		return;   /* flash mapped as MMIO: the store goes through core_wr_flash */
	/*
	 * An earlier store of the same instruction (stm, strd) has already
	 * landed in the mapped memory: undo it now, so the controller sees its
	 * own cells (a quad word completed by the fourth store of an stmia
	 * programs all four words; the earlier fixes would undo that).
	 */
	if (c->n_fix)
		board_core_apply_fix(b);
	if (off + len > b->flash_size)
		len = b->flash_size - off;
	board_bus r = b->fm->flash_write(b, off, (unsigned)size, (uint32_t)value);
	if (r == BOARD_BUS_STALL)
		core_defer(b, BOARD_FLASH_BASE + off, (unsigned)size, (uint32_t)value);
	else if (r == BOARD_BUS_FAULT)
		c->stop = BOARD_STOP_FAULT;
	b->core.side_gen++;
	if (c->n_fix < BOARD_MAX_FIX && len <= 4) {
		board_fix *f = &c->fix[c->n_fix++];
		f->off = board_flash_phys(b, off);
		f->len = len;
		memcpy(f->bytes, b->flash + f->off, len);   /* what the cell must hold */
	}
}

static void core_hook_intr(uc_engine *uc, uint32_t intno, void *ud)
{
	sim_board *b = ud;
	board_core *c = &b->core;

	if (intno == CORE_EXCP_BKPT && (c->dhcsr_ctrl & 1U))
		c->stop = BOARD_STOP_BKPT;   /* C_DEBUGEN: halt with PC on the BKPT */
	else if (intno == CORE_EXCP_HLT)
		c->stop = BOARD_STOP_SLEEP;
	else
		c->stop = BOARD_STOP_FAULT;  /* no handler model: HardFault escalation */
	uc_emu_stop(uc);
}

/* ---- MMIO: the core's view of the bus -------------------------------------- */

static uint64_t core_bus_read(sim_board *b, uint32_t addr, unsigned size)
{
	uint32_t v = 0;

	if (board_bus_read(b, addr, size, &v, true) == BOARD_BUS_FAULT)
		b->core.stop = BOARD_STOP_FAULT;
	return v;
}

static void core_bus_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	board_bus r = board_bus_write(b, addr, size, val, true);

	if (r == BOARD_BUS_STALL)
		core_defer(b, addr, size, val);
	else if (r == BOARD_BUS_FAULT)
		b->core.stop = BOARD_STOP_FAULT;
}

static uint32_t core_info_base(const sim_board *b)
{
	return b->part->sysmem_base & ~0xFFFU;
}

static uint64_t core_rd_info(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, core_info_base(ud) + (uint32_t)off, size);
}

static void core_wr_info(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, core_info_base(ud) + (uint32_t)off, size, (uint32_t)v);
}

static uint64_t core_rd_periph(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, BOARD_PERIPH_BASE + (uint32_t)off, size);
}

static void core_wr_periph(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, BOARD_PERIPH_BASE + (uint32_t)off, size, (uint32_t)v);
}

static uint64_t core_rd_gpioa(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, BOARD_AHB2_BASE + (uint32_t)off, size);
}

static void core_wr_gpioa(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, BOARD_AHB2_BASE + (uint32_t)off, size, (uint32_t)v);
}

/* L0/L1 data EEPROM at 0x08080000: outside flash and the information block */
static bool core_has_eeprom(const sim_board *b)
{
	const board_flash_model *m = b->fm;

	return m->otp_size != 0 && m->otp_base >= BOARD_FLASH_BASE + b->flash_size &&
	       m->otp_base < core_info_base(b);
}

static uint64_t core_rd_eeprom(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	const sim_board *b = ud;

	(void)uc;
	return core_bus_read(ud, b->fm->otp_base + (uint32_t)off, size);
}

static void core_wr_eeprom(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	const sim_board *b = ud;

	(void)uc;
	core_bus_write(ud, b->fm->otp_base + (uint32_t)off, size, (uint32_t)v);
}

/* Windows the family has beyond 0x40000000-0x4002FFFF (board.c board_in_periph). */
#define CORE_IOPORT_BASE  0x50000000U   /* G0/C0/L0 GPIO on the IOPORT (RM0444 §2.1, RM0377 §2.2.2) */
#define CORE_AHB34_BASE   0x58000000U   /* WB/WL RCC, PWR, FLASH (RM0434 §2.2.2) */
#define CORE_AHB34_SIZE   0x5000U

static uint32_t core_win_base(const sim_board *b)
{
	return b->part->io->rcc_base == CORE_AHB34_BASE ? CORE_AHB34_BASE : CORE_IOPORT_BASE;
}

static uint64_t core_rd_win(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, core_win_base(ud) + (uint32_t)off, size);
}

static void core_wr_win(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, core_win_base(ud) + (uint32_t)off, size, (uint32_t)v);
}

static uc_err core_map_win(sim_board *b)
{
	board_core *c = &b->core;

	if (b->part->io->rcc_base == CORE_AHB34_BASE)
		return uc_mmio_map(c->uc, CORE_AHB34_BASE, CORE_AHB34_SIZE, core_rd_win, b, core_wr_win, b);
	if (b->part->io->gpioa_base == CORE_IOPORT_BASE)
		return uc_mmio_map(c->uc, CORE_IOPORT_BASE, 0x1000U, core_rd_win, b, core_wr_win, b);
	return UC_ERR_OK;
}

static uint64_t core_rd_ppb(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, BOARD_PPB_BASE + (uint32_t)off, size);
}

static void core_wr_ppb(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, BOARD_PPB_BASE + (uint32_t)off, size, (uint32_t)v);
}

/* L5/U5 windows: secure SRAM alias, AHB2/AHB3 peripherals, secure peripheral aliases. */
static uint64_t core_rd_sram_s(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, BOARD_SRAM_S_BASE + (uint32_t)off, size);
}

static void core_wr_sram_s(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, BOARD_SRAM_S_BASE + (uint32_t)off, size, (uint32_t)v);
}

static uint64_t core_rd_hi(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, BOARD_HI_BASE + (uint32_t)off, size);
}

static void core_wr_hi(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, BOARD_HI_BASE + (uint32_t)off, size, (uint32_t)v);
}

static uint64_t core_rd_sec(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, BOARD_SEC_BASE + (uint32_t)off, size);
}

static void core_wr_sec(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, BOARD_SEC_BASE + (uint32_t)off, size, (uint32_t)v);
}

static uc_err core_map_tz(sim_board *b)
{
	board_core *c = &b->core;
	uc_err e;

	if (b->fm->sec_flash_base == 0)
		return UC_ERR_OK;
	e = uc_mmio_map(c->uc, BOARD_SRAM_S_BASE, (b->sram_size + 0xFFFU) & ~0xFFFU, core_rd_sram_s, b,
			core_wr_sram_s, b);
	if (e == UC_ERR_OK)
		e = uc_mmio_map(c->uc, BOARD_HI_BASE, BOARD_HI_END - BOARD_HI_BASE, core_rd_hi, b,
				core_wr_hi, b);
	if (e == UC_ERR_OK)
		e = uc_mmio_map(c->uc, BOARD_SEC_BASE, BOARD_SEC_END - BOARD_SEC_BASE, core_rd_sec, b,
				core_wr_sec, b);
	return e;
}

/* H7: the D1/D2/D3 peripheral space (flash registers, RCC, GPIO, PWR, CRC, DBGMCU). */
#define CORE_H7_PERIPH_BASE 0x50000000U
#define CORE_H7_PERIPH_SIZE 0x10000000U

static uint64_t core_rd_h7(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, CORE_H7_PERIPH_BASE + (uint32_t)off, size);
}

static void core_wr_h7(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, CORE_H7_PERIPH_BASE + (uint32_t)off, size, (uint32_t)v);
}

/* ---- setup ------------------------------------------------------------------ */

static uint64_t core_rd_flash(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
	(void)uc;
	return core_bus_read(ud, BOARD_FLASH_BASE + (uint32_t)off, size);
}

static void core_wr_flash(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *ud)
{
	(void)uc;
	core_bus_write(ud, BOARD_FLASH_BASE + (uint32_t)off, size, (uint32_t)v);
}

static void core_unmap_flash(sim_board *b)
{
	board_core *c = &b->core;

	if (!c->flash_mapped && !c->flash_garbled)
		return;
	if (c->flash_swap != 0) {
		uint32_t half = c->flash_swap;
		uc_mem_unmap(c->uc, BOARD_FLASH_BASE, half);
		uc_mem_unmap(c->uc, BOARD_FLASH_BASE + half, b->flash_size - half);
		uc_mem_unmap(c->uc, 0, half);
		uc_mem_unmap(c->uc, half, b->flash_size - half);
	} else {
		uc_mem_unmap(c->uc, BOARD_FLASH_BASE, b->flash_size);
		uc_mem_unmap(c->uc, 0, b->flash_size);
	}
	c->flash_mapped = c->flash_garbled = false;
	c->flash_swap = 0;
}

/* Flash as memory at base; swapped banks as two mappings of the other half each. */
static void core_map_flash_ptr(sim_board *b, uint32_t base)
{
	board_core *c = &b->core;
	uint32_t half = board_flash_phys(b, 0);

	if (half == 0) {
		uc_mem_map_ptr(c->uc, base, b->flash_size, UC_PROT_ALL, b->flash);
		return;
	}
	uc_mem_map_ptr(c->uc, base, half, UC_PROT_ALL, b->flash + half);
	uc_mem_map_ptr(c->uc, base + half, b->flash_size - half, UC_PROT_ALL, b->flash);
	c->flash_swap = half;
}

/*
 * Main flash as the core sees it: memory (native speed); MMIO through the
 * bus routing while the wait states are too few for HCLK (reads return
 * garbage, board_clock.c; instruction fetches from MMIO fault); nothing
 * while RDP1 blocks it (any access faults).
 */
void board_core_map_flash(sim_board *b)
{
	board_core *c = &b->core;
	bool on = !b->fm->blocked(b), ok = board_clock_flash_ok(b);

	if (c->flash_mapped == (on && ok) && c->flash_garbled == (on && !ok) &&
	    (!c->flash_mapped || c->flash_swap == board_flash_phys(b, 0)))
		return;
	core_unmap_flash(b);
	if (on && ok) {
		core_map_flash_ptr(b, BOARD_FLASH_BASE);
		core_map_flash_ptr(b, 0);
		c->flash_mapped = true;
	} else if (on) {
		uc_mmio_map(c->uc, BOARD_FLASH_BASE, b->flash_size, core_rd_flash, b, core_wr_flash, b);
		uc_mmio_map(c->uc, 0, b->flash_size, core_rd_flash, b, core_wr_flash, b);
		c->flash_garbled = true;
	}
}

static int core_cpu_model(const sim_part *p)
{
	uint32_t partno = (p->cpuid >> 4) & 0xFFFU;

	if (partno == 0xC24U)
		return UC_CPU_ARM_CORTEX_M4;
	if (partno == 0xC27U)
		return UC_CPU_ARM_CORTEX_M7;   /* Unicorn 2 has the M7 (F7) */
	if (partno == 0xC20U || partno == 0xC60U)
		return UC_CPU_ARM_CORTEX_M0;   /* M0+ (L0, G0, C0): ARMv6-M as the M0 */
	if (partno == 0xD21U)
		return UC_CPU_ARM_CORTEX_M33;   /* L5/U5: ARMv8-M mainline with the security extension */
	return UC_CPU_ARM_CORTEX_M3;
}

static uc_err core_map(sim_board *b)
{
	board_core *c = &b->core;
	uint32_t info = core_info_base(b);
	uc_err e;

	e = uc_mem_map_ptr(c->uc, BOARD_SRAM_BASE, b->sram_size, UC_PROT_ALL, b->sram);
	if (e == UC_ERR_OK)
		e = uc_mmio_map(c->uc, info, BOARD_INFO_END - info, core_rd_info, b, core_wr_info, b);
	if (e == UC_ERR_OK)
		e = uc_mmio_map(c->uc, BOARD_PERIPH_BASE, BOARD_PERIPH_END - BOARD_PERIPH_BASE,
				core_rd_periph, b, core_wr_periph, b);
	if (e == UC_ERR_OK)
		e = uc_mmio_map(c->uc, BOARD_AHB2_BASE, BOARD_AHB2_END - BOARD_AHB2_BASE, core_rd_gpioa, b,
				core_wr_gpioa, b);
	if (e == UC_ERR_OK)
		e = uc_mmio_map(c->uc, BOARD_PPB_BASE, BOARD_PPB_SIZE, core_rd_ppb, b, core_wr_ppb, b);
	if (e == UC_ERR_OK)
		e = core_map_tz(b);
	if (e == UC_ERR_OK && b->part->flash_ctl == SIM_FLASH_H7)
		e = uc_mmio_map(c->uc, CORE_H7_PERIPH_BASE, CORE_H7_PERIPH_SIZE, core_rd_h7, b,
				core_wr_h7, b);
	else if (e == UC_ERR_OK)
		e = core_map_win(b);
	if (e == UC_ERR_OK && core_has_eeprom(b))
		e = uc_mmio_map(c->uc, b->fm->otp_base, (b->fm->otp_size + 0xFFFU) & ~0xFFFU,
				core_rd_eeprom, b, core_wr_eeprom, b);
	return e;
}

static uc_err core_hooks(sim_board *b)
{
	board_core *c = &b->core;
	uint64_t fb = BOARD_FLASH_BASE, fs = b->flash_size;
	uc_err e;

	e = uc_hook_add(c->uc, &c->h_code, UC_HOOK_CODE, (void *)core_hook_code, b, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &c->h_wflash, UC_HOOK_MEM_WRITE, (void *)core_hook_wflash,
				b, fb, fb + fs - 1);
	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &c->h_walias, UC_HOOK_MEM_WRITE, (void *)core_hook_wflash,
				b, 0, fs - 1);
	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &c->h_intr, UC_HOOK_INTR, (void *)core_hook_intr, b, 1, 0);
	return e;
}

int board_core_new(sim_board *b, char *err, size_t errlen)
{
	board_core *c = &b->core;
	uc_err e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &c->uc);

	if (e == UC_ERR_OK)
		e = uc_ctl_set_cpu_model(c->uc, core_cpu_model(b->part));
	if (e == UC_ERR_OK)
		e = core_map(b);
	if (e == UC_ERR_OK)
		e = core_hooks(b);
	if (e != UC_ERR_OK) {
		snprintf(err, errlen, "cannot set up the %s core emulation (Unicorn): %s",
			 b->part->name, uc_strerror(e));
		return -1;
	}
	c->kill_cycles = b->cfg.timing.core_hz / 1000U;   /* 1 ms of core time */
	c->hz = b->cfg.timing.core_hz;
	board_core_map_flash(b);
	return 0;
}

void board_core_free(sim_board *b)
{
	if (b->core.uc != NULL)
		uc_close(b->core.uc);
	b->core.uc = NULL;
}

/* ---- BSY spin fast-forward ------------------------------------------------------- */

/*
 * Called when the core reads FLASH_SR with BSY set. If the previous such read
 * came from the same instruction with identical registers and no side effect
 * since, the loop is pure: every further turn until the deadline reads BSY=1
 * again, so those turns are skipped by adding their cycles (same modelled
 * time as spinning; never past the run's budget).
 */
void board_core_spin(sim_board *b, int64_t deadline)
{
	board_core *c = &b->core;
	uint32_t regs[BOARD_SPIN_REGS];
	void *ptrs[BOARD_SPIN_REGS];

	for (int i = 0; i < BOARD_SPIN_REGS; i++)
		ptrs[i] = &regs[i];
	uc_reg_read_batch(c->uc, (int *)core_spin_regs, ptrs, BOARD_SPIN_REGS);
	if (c->spin_valid && c->spin_pc == c->last_pc && c->spin_gen == c->side_gen &&
	    c->cycles > c->spin_cycles && memcmp(regs, c->spin_regs, sizeof(regs)) == 0) {
		uint64_t period = c->cycles - c->spin_cycles;
		uint64_t dcyc = board_core_cycles_at(b, deadline, true);
		uint64_t k = dcyc > c->cycles + 1 ? (dcyc - 1 - c->cycles) / period : 0;
		uint64_t kmax = (c->limit - c->cycles) / period;
		c->cycles += (k < kmax ? k : kmax) * period;
	}
	c->spin_valid = true;
	c->spin_pc = c->last_pc;
	c->spin_gen = c->side_gen;
	c->spin_cycles = c->cycles;
	memcpy(c->spin_regs, regs, sizeof(regs));
}

/* ---- register transfer (DCRSR/DCRDR, ARMv7-M ARM C1.6) --------------------------------------- */

static int core_reg_id(unsigned sel)
{
	if (sel <= 12U)
		return UC_ARM_REG_R0 + (int)sel;
	switch (sel) {
	case 13U: return UC_ARM_REG_SP;
	case 14U: return UC_ARM_REG_LR;
	case 15U: return UC_ARM_REG_PC;
	case CORE_REG_XPSR: return UC_ARM_REG_XPSR;
	case CORE_REG_MSP: return UC_ARM_REG_MSP;
	case CORE_REG_PSP: return UC_ARM_REG_PSP;
	default: return -1;
	}
}

static uint32_t core_reg(const sim_board *b, int id)
{
	uint32_t v = 0;

	uc_reg_read(b->core.uc, id, &v);
	return v;
}

uint32_t board_core_reg_read(sim_board *b, unsigned sel)
{
	int id = core_reg_id(sel);

	if (sel == CORE_REG_SPECIAL)
		return (core_reg(b, UC_ARM_REG_CONTROL) & 0xFFU) << 24 |
		       (core_reg(b, UC_ARM_REG_FAULTMASK) & 0xFFU) << 16 |
		       (core_reg(b, UC_ARM_REG_BASEPRI) & 0xFFU) << 8 |
		       (core_reg(b, UC_ARM_REG_PRIMASK) & 0xFFU);
	if (id < 0)
		return 0;
	if (sel == 15U)
		return core_reg(b, id) & ~1U;
	return core_reg(b, id);
}

void board_core_reg_write(sim_board *b, unsigned sel, uint32_t val)
{
	board_core *c = &b->core;
	int id = core_reg_id(sel);

	c->spin_valid = false;
	if (sel == CORE_REG_SPECIAL) {
		uint32_t control = val >> 24 & 0xFFU, fm = val >> 16 & 0xFFU;
		uint32_t bp = val >> 8 & 0xFFU, pm = val & 0xFFU;
		uc_reg_write(c->uc, UC_ARM_REG_CONTROL, &control);
		uc_reg_write(c->uc, UC_ARM_REG_FAULTMASK, &fm);
		uc_reg_write(c->uc, UC_ARM_REG_BASEPRI, &bp);
		uc_reg_write(c->uc, UC_ARM_REG_PRIMASK, &pm);
		return;
	}
	if (id < 0)
		return;
	if (sel == 15U)
		val &= ~1U;   /* DebugReturnAddress: bit 0 is ignored */
	if (sel == CORE_REG_XPSR)
		c->xpsr_t = (val >> 24) & 1U;
	uc_reg_write(c->uc, id, &val);
}
