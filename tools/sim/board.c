/*
 * board.c — the virtual STM32 board as the probe model sees it
 * (tools/sim/board.h): lifetime, supply and power loss, the NRST pin, the
 * SW-DP (DPIDR, SWD on/off, WAIT/FAULT injection) and the AHB-AP memory bus
 * routed to flash, SRAM, system memory, peripherals and the private
 * peripheral bus. The same routing serves the core's MMIO accesses.
 *
 * Facts: RM0008 §3.3 (memory map), §30 (UID, flash size register); RM0090
 * §2.3 and RM0385 §2.2 (F4/F7 memory maps); §9.4.2
 * (AFIO_MAPR.SWJ_CFG: SWD off until system reset), §31 (the debug domain
 * stays usable while NRST holds the system in reset); PM0075 "Read
 * protection" (RDP level 1: debugger reads of main flash fault); what
 * st-flash 1.7.0 and OpenOCD 0.12 read and write on a F103, as traced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_internal.h"

#define BOARD_PAGE          4096U

void board_le_put(uint8_t *p, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(val >> (8 * i));
}

uint32_t board_le_get(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

uint32_t board_flash_phys(const sim_board *b, uint32_t off)
{
	return b->fm->phys != NULL ? b->fm->phys(b, off) : off;
}

int64_t board_time(const sim_board *b)
{
	return b->core.in_emu ? board_core_now(b) : b->now;
}

/* ---- memory routing --------------------------------------------------------- */

static bool board_flash_off(const sim_board *b, uint32_t addr, uint32_t *off)
{
	if (addr >= BOARD_FLASH_BASE && addr - BOARD_FLASH_BASE < b->flash_size)
		*off = addr - BOARD_FLASH_BASE;
	else if (addr < b->flash_size)
		*off = addr;   /* boot alias (BOOT0 low) */
	else
		return false;
	return true;
}

static bool board_sram_off(const sim_board *b, uint32_t addr, uint32_t *off)
{
	*off = addr - BOARD_SRAM_BASE;
	return addr >= BOARD_SRAM_BASE && *off < b->sram_size;
}

static bool board_in(uint32_t addr, uint32_t base, uint32_t end)
{
	return addr >= base && addr < end;
}

static bool board_in_ob(const sim_board *b, uint32_t addr)
{
	const board_flash_model *m = b->fm;

	return board_in(addr, m->ob_base, m->ob_base + m->ob_size) ||
	       (m->otp_size != 0 && board_in(addr, m->otp_base, m->otp_base + m->otp_size));
}

/*
 * The UID byte at addr, or -1. L0/L1 split the 96 bits: U_ID[63:0] at
 * offsets 0 and 4, U_ID[95:64] at offset 0x14 (RM0377 §28.2, RM0038
 * §31.2); the words between are not the UID.
 */
static int board_uid_byte(const sim_board *b, uint32_t addr)
{
	const sim_part *p = b->part;
	bool split = p->flash_ctl == SIM_FLASH_L0 || p->flash_ctl == SIM_FLASH_L1;
	uint32_t off = addr - p->uid_addr;

	if (addr < p->uid_addr)
		return -1;
	if (off < (split ? 8U : 12U))
		return b->cfg.uid[off];
	if (split && off >= 0x14U && off < 0x18U)
		return b->cfg.uid[off - 0x14U + 8U];
	return -1;
}

/*
 * Peripheral windows outside 0x40000000-0x4002FFFF: the flash registers and
 * RCC of WB/WL on AHB3/AHB4 at 0x58000000 (RM0434 §2.2.2) and the G0/C0
 * IOPORT GPIOA at 0x50000000 (RM0444 §2.1, L0: RM0377 §2.2.2) go to board_periph.c as well,
 * and so does whatever else board_periph_owns names (the H7's D1/D3
 * peripherals, a family's PWR register).
 */
static bool board_in_periph(const sim_board *b, uint32_t addr)
{
	uint32_t rcc = b->part->io->rcc_base, fpec = b->fm->reg_base;

	return board_in(addr, BOARD_PERIPH_BASE, BOARD_PERIPH_END) ||
	       board_in(addr, rcc, rcc + 0x400U) || board_in(addr, fpec, fpec + 0x400U) ||
	       board_in_gpioa(b, addr) || board_periph_owns(b, addr);
}

/* One byte of system memory: flash-size register, UID. */
static uint8_t board_info_byte(const sim_board *b, uint32_t addr)
{
	const sim_part *p = b->part;
	int u = board_uid_byte(b, addr);

	if (u >= 0)
		return (uint8_t)u;
	if (addr == p->flash_size_addr)
		return (uint8_t)p->flash_kib;
	if (addr == p->flash_size_addr + 1U)
		return (uint8_t)(p->flash_kib >> 8);
	return 0xFFU;   /* bootloader code and reserved words are not modelled */
}

/*
 * System memory up to the end of the option bytes (the family's information
 * block), or at least past the UID and flash-size registers (L4+: the option
 * bytes sit below system memory, RM0432 §3.4.1; on L0/L1 the UID, its
 * third word at +0x14, and the flash size lie above the option words,
 * RM0377 §28.1).
 */
static bool board_in_info(const sim_board *b, uint32_t addr)
{
	const sim_part *p = b->part;
	uint32_t end = b->fm->ob_base + b->fm->ob_size;

	if (end < p->flash_size_addr + 2U)
		end = p->flash_size_addr + 2U;
	if (end < p->uid_addr + 0x18U)
		end = p->uid_addr + 0x18U;   /* past the L0/L1 U_ID[95:64] at +0x14 */
	return addr >= p->sysmem_base && addr < end;
}

static board_bus board_info_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	uint32_t v = 0;

	if (board_in_ob(b, addr))
		return b->fm->opt_read(b, addr, size, val);
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)board_info_byte(b, addr + i) << (8 * i);
	*val = v;
	return BOARD_BUS_OK;
}

static board_bus board_flash_read(sim_board *b, uint32_t off, unsigned size, uint32_t *val,
				  bool core)
{
	if (b->fm->flash_read != NULL)
		return b->fm->flash_read(b, off, size, val, core);
	if (!core && b->fm->busy(b)) {
		b->fm->update(b, board_time(b));
		if (b->fm->busy(b))
			return BOARD_BUS_STALL;   /* flash reads stall while BSY (PM0075, RM0090 §3.6) */
	}
	if (b->fm->blocked(b))
		return BOARD_BUS_FAULT;       /* RDP level 1 with a debugger (PM0075, RM0090 §3.7.3) */
	if (b->fm->note_read != NULL)
		b->fm->note_read(b);
	if (b->fm->flash_readable != NULL && !b->fm->flash_readable(b, off, b->bus_secure)) {
		*val = 0;                     /* the other world's page: read as zero (RM0456 §7.5.3) */
		return BOARD_BUS_OK;
	}
	if (b->fm->flash_check != NULL) {
		board_bus r = b->fm->flash_check(b, off, size, core);   /* ECC (board_fpec_l4.c) */
		if (r != BOARD_BUS_OK)
			return r;
	}
	*val = board_le_get(b->flash + off, size);
	if (!board_clock_flash_ok(b))
		*val = board_clock_garble(*val, size);   /* too few wait states (RM0008 §3.3.3) */
	return BOARD_BUS_OK;
}

static board_bus board_bus_read_at(sim_board *b, uint32_t addr, unsigned size, uint32_t *val,
				   bool core)
{
	uint32_t off, v = 0;
	board_bus r = BOARD_BUS_OK;

	if (board_flash_off(b, addr, &off))
		r = board_flash_read(b, off, size, &v, core);
	else if (board_sram_off(b, addr, &off))
		v = board_le_get(b->sram + off, size);
	else if (board_in_info(b, addr) || board_in_ob(b, addr))
		r = board_info_read(b, addr, size, &v);
	else if (board_in_periph(b, addr) || board_periph_claims(b, addr))
		r = board_periph_read(b, addr, size, &v);
	else if (board_in(addr, BOARD_AHB2_BASE, BOARD_AHB2_END))
		r = board_gpioa_read(b, addr, size, &v);
	else if (board_in(addr, BOARD_PPB_BASE, BOARD_PPB_BASE + BOARD_PPB_SIZE))
		r = board_scs_read(b, addr, &v, core);
	else
		r = BOARD_BUS_FAULT;          /* nothing answers: bus error */
	*val = size == 4 ? v : v & ((1U << (8U * size)) - 1U);
	return r;
}

/*
 * TrustZone parts (RM0438 §2.3, RM0456 §2.3): main flash at 0x0C000000,
 * SRAM at 0x30000000 and the peripherals at 0x50000000-0x5FFFFFFF (the
 * flash registers at 0x50022000) are the secure aliases of 0x08000000,
 * 0x20000000 and 0x40000000-0x4FFFFFFF. True (and *addr the non-secure
 * address) when addr is one of them.
 */
static bool board_sec_alias(const sim_board *b, uint32_t *addr)
{
	const board_flash_model *m = b->fm;
	uint32_t a = *addr;

	if (m->sec_flash_base == 0)
		return false;
	if (a >= m->sec_flash_base && a - m->sec_flash_base < b->flash_size)
		*addr = BOARD_FLASH_BASE + (a - m->sec_flash_base);
	else if (a >= BOARD_SRAM_S_BASE && a - BOARD_SRAM_S_BASE < b->sram_size)
		*addr = BOARD_SRAM_BASE + (a - BOARD_SRAM_S_BASE);
	else if (a >= BOARD_SEC_BASE && a < BOARD_SEC_END)
		*addr = a - (BOARD_SEC_BASE - BOARD_PERIPH_BASE);   /* peripherals, the flash registers among them */
	else
		return false;
	return true;
}

board_bus board_bus_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val, bool core)
{
	board_bus r;
	bool sec;

	if (size != 1 && size != 2 && size != 4)
		return BOARD_BUS_FAULT;
	if (addr & (size - 1U))
		return BOARD_BUS_FAULT;
	sec = board_sec_alias(b, &addr);
	if (sec && !b->fm->sec_ok(b, core)) {
		*val = 0;
		return BOARD_BUS_FAULT;       /* secure state not open to this master */
	}
	b->bus_secure = sec;
	r = board_bus_read_at(b, addr, size, val, core);
	b->bus_secure = false;
	return r;
}

static board_bus board_bus_write_at(sim_board *b, uint32_t addr, unsigned size, uint32_t val,
				    bool core)
{
	uint32_t off;

	/* the flash controller judges the alignment of its writes itself (PGAERR on F2/F4/F7) */
	if (board_flash_off(b, addr, &off))
		return b->fm->flash_write(b, off, size, val);
	if (addr & (size - 1U))
		return BOARD_BUS_FAULT;
	if (board_sram_off(b, addr, &off)) {
		board_le_put(b->sram + off, size, val);
		board_core_dirty_sram(b, off, size);
		return BOARD_BUS_OK;
	}
	if (board_in_ob(b, addr))
		return b->fm->opt_write(b, addr, size, val);
	if (board_in_periph(b, addr) || board_periph_claims(b, addr))
		return board_periph_write(b, addr, size, val);
	if (board_in(addr, BOARD_AHB2_BASE, BOARD_AHB2_END))
		return board_gpioa_write(b, addr, size, val);
	if (board_in(addr, BOARD_PPB_BASE, BOARD_PPB_BASE + BOARD_PPB_SIZE))
		return board_scs_write(b, addr, val, core);
	return BOARD_BUS_FAULT;   /* system memory is read-only; the rest is unmapped */
}

board_bus board_bus_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val, bool core)
{
	board_bus r;
	bool sec;

	if (size != 1 && size != 2 && size != 4)
		return BOARD_BUS_FAULT;
	sec = board_sec_alias(b, &addr);
	if (sec && !b->fm->sec_ok(b, core))
		return BOARD_BUS_FAULT;
	b->bus_secure = sec;
	r = board_bus_write_at(b, addr, size, val, core);
	b->bus_secure = false;
	return r;
}

/* ---- resets and power ------------------------------------------------------- */

/* System reset (NRST release, SYSRESETREQ, OBL_LAUNCH, power-on) at time t. */
void board_system_reset(sim_board *b, int64_t t)
{
	board_periph_reset(b);
	b->fm->reset(b);       /* reloads the option bytes in force (PM0075, RM0090 §3.6) */
	b->swd_off = false;    /* SWJ_CFG back to 000 (RM0008 §9.4.2) */
	if (board_dual_core(b))
		board_cm4_reset(b);   /* after the option bytes: BCM4 decides */
	board_core_map_flash(b);
	if (!b->nrst_low)
		board_core_reset(b, t);
}

static void board_power_off(sim_board *b, int64_t t)
{
	b->fm->power_loss(b, t);
	b->powered = false;
}

/* ---- public API --------------------------------------------------------------- */

static int board_check_cfg(const sim_board_cfg *cfg, char *err, size_t errlen)
{
	if (cfg->part == NULL)
		snprintf(err, errlen, "board has no part: give a part name such as STM32F103RC");
	else if (cfg->state_dir == NULL || cfg->state_dir[0] == '\0')
		snprintf(err, errlen, "board %s has no state directory", cfg->part->name);
	else if (cfg->timing.core_hz != 0 &&
		 (cfg->timing.core_hz < 1000U || cfg->timing.core_hz > 1000000000U))
		snprintf(err, errlen, "board %s: core_hz %llu is outside 1 kHz..1 GHz",
			 cfg->part->name, (unsigned long long)cfg->timing.core_hz);
	else if (cfg->n_stuck > SIM_MAX_STUCK)
		snprintf(err, errlen, "board %s: %zu stuck bits, at most %d", cfg->part->name,
			 cfg->n_stuck, SIM_MAX_STUCK);
	else
		return 0;
	return -1;
}

int sim_board_new(sim_board **out, const sim_board_cfg *cfg, int64_t t_insert_ns,
		  char *err, size_t errlen)
{
	sim_board *b = NULL;

	*out = NULL;
	if (board_check_cfg(cfg, err, errlen) != 0)
		return -1;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		goto nomem;
	b->cfg = *cfg;
	b->part = cfg->part;
	b->fm = board_flash_model_for(cfg->part);
	if (b->cfg.timing.core_hz == 0)
		b->cfg.timing.core_hz = cfg->part->io->core_hz;
	if (b->cfg.timing.t_prog_ns == 0)
		b->cfg.timing.t_prog_ns = b->fm->t_prog_ns;
	if (b->cfg.vdd_mv == 0)
		b->cfg.vdd_mv = SIM_VDD_MV_DEFAULT;
	b->flash_size = cfg->part->flash_kib * 1024U;
	b->sram_size = cfg->part->sram_kib * 1024U;
	b->rng = cfg->rng_seed != 0 ? cfg->rng_seed : 0x9E3779B9U;   /* xorshift: never 0 */
	/* C11 7.22.3.1: aligned_alloc wants a size that is a multiple of the
	 * alignment, and 786 KiB (U575) or 2 KiB (L011) is not; the tail past
	 * sram_size is never mapped or addressed. */
	b->sram = aligned_alloc(BOARD_PAGE, (b->sram_size + BOARD_PAGE - 1U) & ~(BOARD_PAGE - 1U));
	if (b->sram == NULL)
		goto nomem;
	memset(b->sram, 0, b->sram_size);
	if (board_state_open(b, err, errlen) != 0 || board_core_new(b, err, errlen) != 0)
		goto fail;
	b->cfg.state_dir = NULL;   /* borrowed strings: not used after creation */
	b->cfg.firmware = NULL;
	b->now = t_insert_ns;
	b->powered = true;
	board_scs_por(b);
	board_cm4_por(b);
	board_system_reset(b, t_insert_ns);
	if (cfg->power_loss_at_ns >= 0 && cfg->power_loss_at_ns <= t_insert_ns)
		board_power_off(b, t_insert_ns);
	*out = b;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory creating board %s", cfg->part->name);
fail:
	sim_board_free(b);
	return -1;
}

void sim_board_free(sim_board *b)
{
	if (b == NULL)
		return;
	board_core_free(b);
	board_state_close(b);
	free(b->sram);
	free(b);
}

void sim_board_advance(sim_board *b, int64_t t_ns)
{
	int64_t loss = b->cfg.power_loss_at_ns;

	if (t_ns <= b->now)
		return;
	if (b->powered && loss >= 0 && loss <= t_ns) {
		if (loss > b->now)
			board_core_run_until(b, loss);
		board_power_off(b, loss > b->now ? loss : b->now);
	}
	if (b->powered)
		board_core_run_until(b, t_ns);
	b->now = t_ns;
}

int64_t sim_board_now(const sim_board *b)
{
	return b->now;
}

unsigned sim_board_voltage_mv(const sim_board *b)
{
	return b->powered ? b->cfg.vdd_mv : 0U;
}

static void board_note_access(sim_board *b)
{
	if (!b->accessed)
		b->first_access = b->now;
	b->accessed = true;
	b->last_access = b->now;
}

sim_swd sim_board_dp_connect(sim_board *b, uint32_t *dpidr_out)
{
	board_note_access(b);
	if (!b->powered || b->swd_off || b->fm->dp_dead(b))
		return SIM_SWD_NOACK;
	b->dbg_attached = true;   /* from now on RDP1 blocks main flash until power-on */
	board_core_map_flash(b);
	*dpidr_out = b->part->dpidr;
	return SIM_SWD_OK;
}

/* xorshift32: deterministic WAIT/FAULT injection from cfg->rng_seed. */
static double board_rand(sim_board *b)
{
	uint32_t x = b->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	b->rng = x;
	return (double)x / 4294967296.0;
}

/* Gate of every AP access: supply, SW-DP state, injected WAIT/FAULT, reset domain. */
static sim_swd board_gate(sim_board *b, uint32_t addr)
{
	board_note_access(b);
	if (!b->powered || b->swd_off || b->fm->dp_dead(b))
		return SIM_SWD_NOACK;
	if (b->cfg.swd_wait_rate > 0 || b->cfg.swd_fault_rate > 0) {
		double r = board_rand(b);
		if (r < b->cfg.swd_wait_rate)
			return SIM_SWD_WAIT;
		if (r < b->cfg.swd_wait_rate + b->cfg.swd_fault_rate)
			return SIM_SWD_FAULT;
	}
	/*
	 * under NRST only the debug domain answers (RM0008 §31, DBGMCU at
	 * 0xE0042000); the H7's DBGMCU at 0x5C001000 is on the AXI bus, held
	 * in reset (OpenOCD stm32h7x.cfg: no connect_assert_srst through AP0)
	 */
	bool dbgmcu = b->part->io->dbgmcu_apb == 0 &&
		      (addr == b->part->idcode_addr || addr == b->part->idcode_addr + 4U);
	bool debug = addr >= BOARD_PPB_BASE || dbgmcu;
	if (b->nrst_low && !debug)
		return SIM_SWD_FAULT;
	return SIM_SWD_OK;
}

sim_swd sim_board_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val_out)
{
	sim_swd s = board_gate(b, addr);
	board_bus r;

	if (s != SIM_SWD_OK)
		return s;
	while ((r = board_bus_read(b, addr, size, val_out, false)) == BOARD_BUS_STALL)
		sim_board_advance(b, b->fm->busy_until(b));
	return r == BOARD_BUS_OK ? SIM_SWD_OK : SIM_SWD_FAULT;
}

sim_swd sim_board_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	sim_swd s = board_gate(b, addr);
	board_bus r;

	if (s != SIM_SWD_OK)
		return s;
	b->core.side_gen++;
	while ((r = board_bus_write(b, addr, size, val, false)) == BOARD_BUS_STALL)
		sim_board_advance(b, b->fm->busy_until(b));
	if (b->dp_error_once) {
		b->dp_error_once = false;
		return SIM_SWD_DP_RESET;   /* the reset cut the transfer: a DP error */
	}
	return r == BOARD_BUS_OK ? SIM_SWD_OK : SIM_SWD_FAULT;
}

void sim_board_set_nrst(sim_board *b, bool low)
{
	if (!b->cfg.nrst_wired || !b->powered)
		return;
	board_note_access(b);
	if (low && !b->nrst_low) {
		b->nrst_low = true;   /* system held in reset; SWJ pins back to the debugger */
		b->swd_off = false;
	} else if (!low && b->nrst_low) {
		b->nrst_low = false;
		board_system_reset(b, b->now);
	}
}

bool sim_board_core_running(const sim_board *b)
{
	return board_core_running(b);
}

const uint8_t *sim_board_uid(const sim_board *b)
{
	return b->cfg.uid;
}

int64_t sim_board_busy_ns(const sim_board *b)
{
	return b->accessed ? b->last_access - b->first_access : 0;
}
