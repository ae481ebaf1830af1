/*
 * board_fpec.c — the F0/F1/F3 flash program/erase controller ("FPEC",
 * 0x40022000) and the option-byte block (0x1FFFF800, 8 value/complement
 * half-words, persisted as those 16 bytes), on top of the mmap'd state:
 * one board_flash_model (flash_model.h). Also the stuck-bit fault and the
 * erase helper the other flash models share.
 *
 * Facts: PM0075 (STM32F10xxx flash programming manual): registers, key
 * sequence, half-word programming, the must-be-erased rule, bus stalls while
 * BSY, option bytes, OBR, RDP, WRP and the mass erase an RDP regression
 * triggers; RM0091 / RM0316 for F0 / F3. Timings come from cfg->timing
 * (DS5792 Table 29). Where the manuals leave silicon behaviour open, the
 * stricter choice is taken and marked "strict".
 */
#include <string.h>

#include "board_internal.h"

#define FPEC_ACR       0x00U
#define FPEC_KEYR      0x04U
#define FPEC_OPTKEYR   0x08U
#define FPEC_SR        0x0CU
#define FPEC_CR        0x10U
#define FPEC_AR        0x14U
#define FPEC_OBR       0x1CU
#define FPEC_WRPR      0x20U

#define FPEC_KEY1      0x45670123U
#define FPEC_KEY2      0xCDEF89ABU

#define FPEC_SR_BSY      (1U << 0)
#define FPEC_SR_PGERR    (1U << 2)
#define FPEC_SR_WRPRTERR (1U << 4)
#define FPEC_SR_EOP      (1U << 5)
#define FPEC_SR_W1C      (FPEC_SR_PGERR | FPEC_SR_WRPRTERR | FPEC_SR_EOP)

#define FPEC_CR_PG       (1U << 0)
#define FPEC_CR_PER      (1U << 1)
#define FPEC_CR_MER      (1U << 2)
#define FPEC_CR_OPTPG    (1U << 4)
#define FPEC_CR_OPTER    (1U << 5)
#define FPEC_CR_STRT     (1U << 6)
#define FPEC_CR_LOCK     (1U << 7)
#define FPEC_CR_OPTWRE   (1U << 9)
#define FPEC_CR_ERRIE    (1U << 10)
#define FPEC_CR_EOPIE    (1U << 12)
#define FPEC_CR_OBL_LAUNCH (1U << 13)
#define FPEC_CR_WRITABLE (FPEC_CR_PG | FPEC_CR_PER | FPEC_CR_MER | FPEC_CR_OPTPG | \
			  FPEC_CR_OPTER | FPEC_CR_STRT | FPEC_CR_LOCK | FPEC_CR_ERRIE | \
			  FPEC_CR_EOPIE)

#define FPEC_ACR_RESET   0x30U    /* prefetch enabled and active (PM0075) */
#define FPEC_ACR_MASK    0x1FU    /* PRFTBS (b5) is read-only */
#define FPEC_ACR_LATENCY 0x07U
#define FPEC_RDP_L2      0xCCU    /* F0/F3 level 2 */
#define FPEC_REG_BASE    0x40022000U
#define FPEC_OB_BASE     0x1FFFF800U   /* PM0075 "Option byte description" */
#define FPEC_OB_SIZE     16U
#define FPEC_OB_RDP_L1   0x00U    /* what "lock" tools program: any value but 0xA5/0xAA */
#define FPEC_OB_ERASED   0xFFU

/* ---- option bytes --------------------------------------------------- */

/* Latch OBR/WRPR and the RDP level from option_bytes.bin (every reset, PM0075). */
static void fpec_ob_reload(sim_board *b)
{
	board_fpec *f = &b->fpec;
	uint8_t v[8];
	bool opterr = false;

	for (unsigned i = 0; i < 8; i++) {
		uint8_t lo = b->ob[2 * i];
		bool ok = (uint8_t)(lo ^ b->ob[2 * i + 1]) == 0xFFU;
		/* a pair whose complement does not match reads as 0xFF (PM0075) */
		v[i] = ok ? lo : 0xFFU;
		opterr |= !ok;
	}
	f->rdp_level = v[0] == b->part->rdp_unprotected ? 0 : 1;
	/* the F1 layout (level-0 key 0xA5, PM0075) has no level 2 and another OBR */
	f->wrpr = (uint32_t)v[4] | (uint32_t)v[5] << 8 | (uint32_t)v[6] << 16 |
		  (uint32_t)v[7] << 24;
	if (b->part->rdp_unprotected == 0xA5U) {
		f->obr = (opterr ? 1U : 0U) | (f->rdp_level ? 2U : 0U) | (uint32_t)v[1] << 2 |
			 (uint32_t)v[2] << 10 | (uint32_t)v[3] << 18;
		return;
	}
	/* F0/F3 layout: RDPRT[2:1] = 01 level 1, 11 level 2 */
	if (v[0] == FPEC_RDP_L2)
		f->rdp_level = 2;
	f->obr = (opterr ? 1U : 0U) | (f->rdp_level == 2 ? 6U : f->rdp_level ? 2U : 0U) |
		 (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
}

static void fpec_reset(sim_board *b)
{
	board_fpec *f = &b->fpec;

	f->acr = FPEC_ACR_RESET;
	f->cr = FPEC_CR_LOCK;
	f->sr = 0;
	f->ar = 0;
	f->key_stage = 0;
	f->optkey_stage = 0;
	f->key_dead = false;
	f->optkey_dead = false;
	fpec_ob_reload(b);
}

/* RDP level 1 with a debugger attached since power-on: main flash is off limits (PM0075). */
static bool fpec_flash_blocked(const sim_board *b)
{
	return b->fpec.rdp_level >= 1 && b->dbg_attached;
}

static bool fpec_page_protected(const sim_board *b, uint32_t page)
{
	uint32_t bit = page / b->part->wrp_pages_per_bit;

	if (bit > 31U)
		bit = 31U;   /* the last WRPR bit covers every remaining page (PM0075 WRP) */
	return (b->fpec.wrpr & (1U << bit)) == 0;
}

static bool fpec_any_protected(const sim_board *b)
{
	for (uint32_t p = 0; p < b->flash_size / b->part->page_size; p++) {
		if (fpec_page_protected(b, p))
			return true;
	}
	return false;
}

/* ---- operations --------------------------------------------------------- */

static bool fpec_busy(const sim_board *b)
{
	return b->fpec.op != BOARD_OP_NONE;
}

static int64_t fpec_busy_until(const sim_board *b)
{
	return b->fpec.op_end;
}

void board_flash_erase(sim_board *b, uint32_t off, uint32_t len)
{
	memset(b->flash + off, 0xFF, len);
	board_core_dirty_flash(b, off, len);
	if (off == 0 && len > 0)
		board_state_firmware_gone(b);
}

static void fpec_start(sim_board *b, board_op op, uint64_t dur_ns)
{
	board_fpec *f = &b->fpec;

	f->op = op;
	f->op_start = board_time(b);
	f->op_end = f->op_start + (int64_t)dur_ns;
}

/* Complete the running operation if its deadline has passed. */
static void fpec_update(sim_board *b, int64_t t)
{
	board_fpec *f = &b->fpec;

	if (f->op == BOARD_OP_NONE || t < f->op_end)
		return;
	if (f->op == BOARD_OP_PAGE_ERASE)
		board_flash_erase(b, f->op_addr, b->part->page_size);
	else if (f->op == BOARD_OP_MASS_ERASE)
		board_flash_erase(b, 0, b->flash_size);
	else if (f->op == BOARD_OP_OB_ERASE) {
		if (f->op_regress)
			board_flash_erase(b, 0, b->flash_size);
		memset(b->ob, 0xFF, FPEC_OB_SIZE);
	}
	/* programs changed the cell when they started; reads stall until now */
	f->op = BOARD_OP_NONE;
	f->sr |= FPEC_SR_EOP;
	f->cr &= ~FPEC_CR_STRT;
}

/* Erase/program refused: the flag is set and nothing changes (PM0075). */
static void fpec_refuse(sim_board *b, uint32_t flag)
{
	b->fpec.sr |= flag;
	b->fpec.cr &= ~FPEC_CR_STRT;
}

/* OPTER+STRT: erase the option bytes (t_ob_erase), leaving level 1 first. */
static void fpec_start_ob_erase(sim_board *b)
{
	board_fpec *f = &b->fpec;
	const sim_timing *tm = &b->cfg.timing;

	/* strict: level 2 option bytes can never be erased (PM0075) */
	if (f->rdp_level == 2) {
		fpec_refuse(b, FPEC_SR_WRPRTERR);
		return;
	}
	/* leaving level 1 mass-erases main flash first (PM0075 RDP regression) */
	f->op_regress = f->rdp_level == 1;
	fpec_start(b, BOARD_OP_OB_ERASE, tm->t_ob_erase_ns +
		   (f->op_regress ? tm->t_mass_erase_ns : 0));
}

/* MER+STRT or PER+STRT with AR. */
static void fpec_start_main_erase(sim_board *b)
{
	board_fpec *f = &b->fpec;
	uint32_t off = f->ar - BOARD_FLASH_BASE;

	if (fpec_flash_blocked(b)) {
		fpec_refuse(b, FPEC_SR_WRPRTERR);
	} else if (f->cr & FPEC_CR_MER) {
		/* strict: a protected page aborts the whole mass erase (PM0075) */
		if (fpec_any_protected(b))
			fpec_refuse(b, FPEC_SR_WRPRTERR);
		else
			fpec_start(b, BOARD_OP_MASS_ERASE, b->cfg.timing.t_mass_erase_ns);
	} else if (f->ar < BOARD_FLASH_BASE || off >= b->flash_size) {
		fpec_refuse(b, 0);
	} else if (fpec_page_protected(b, off / b->part->page_size)) {
		fpec_refuse(b, FPEC_SR_WRPRTERR);
	} else {
		f->op_addr = off / b->part->page_size * b->part->page_size;
		fpec_start(b, BOARD_OP_PAGE_ERASE, b->cfg.timing.t_page_erase_ns);
	}
}

static void fpec_start_erase(sim_board *b)
{
	if (b->fpec.cr & FPEC_CR_OPTER)
		fpec_start_ob_erase(b);
	else if (b->fpec.cr & (FPEC_CR_MER | FPEC_CR_PER))
		fpec_start_main_erase(b);
	else
		fpec_refuse(b, 0);
}

/* ---- registers ------------------------------------------------------------ */

static board_bus fpec_read(sim_board *b, uint32_t off, uint32_t *val, bool core)
{
	board_fpec *f = &b->fpec;

	fpec_update(b, board_time(b));
	switch (off) {
	case FPEC_ACR: *val = f->acr; break;
	case FPEC_SR:
		*val = f->sr | (f->op != BOARD_OP_NONE ? FPEC_SR_BSY : 0U);
		if (core && f->op != BOARD_OP_NONE)
			board_core_spin(b, f->op_end);
		break;
	case FPEC_CR: *val = f->cr; break;
	case FPEC_AR: *val = f->ar; break;
	case FPEC_OBR: *val = f->obr; break;
	case FPEC_WRPR: *val = f->wrpr; break;
	default: *val = 0; break;   /* KEYR/OPTKEYR are write-only and read 0 */
	}
	return BOARD_BUS_OK;
}

/* KEY1 then KEY2; anything else is a bus error and locks until reset (PM0075). */
static board_bus fpec_key(unsigned *stage, bool *dead, uint32_t val)
{
	uint32_t want = *stage == 0 ? FPEC_KEY1 : FPEC_KEY2;

	if (*dead || val != want) {
		*dead = true;
		*stage = 0;
		return BOARD_BUS_FAULT;
	}
	*stage = *stage == 0 ? 1U : 0U;
	return BOARD_BUS_OK;
}

static board_bus fpec_write_keys(sim_board *b, uint32_t off, uint32_t val)
{
	board_fpec *f = &b->fpec;
	board_bus r;

	if (off == FPEC_KEYR) {
		r = fpec_key(&f->key_stage, &f->key_dead, val);
		if (r == BOARD_BUS_OK && f->key_stage == 0)
			f->cr &= ~FPEC_CR_LOCK;
		return r;
	}
	/* strict: the option key is only taken while the FPEC is unlocked */
	if (f->cr & FPEC_CR_LOCK)
		return BOARD_BUS_OK;
	r = fpec_key(&f->optkey_stage, &f->optkey_dead, val);
	if (r == BOARD_BUS_OK && f->optkey_stage == 0)
		f->cr |= FPEC_CR_OPTWRE;
	return r;
}

static void fpec_write_cr(sim_board *b, uint32_t val, bool core)
{
	board_fpec *f = &b->fpec;
	uint32_t writable = FPEC_CR_WRITABLE;
	uint32_t optwre = (val & FPEC_CR_OPTWRE) ? (f->cr & FPEC_CR_OPTWRE) : 0U;

	if (f->cr & FPEC_CR_LOCK)
		return;   /* LOCK makes CR read-only until the key sequence (PM0075) */
	if (b->part->has_obl_launch)
		writable |= FPEC_CR_OBL_LAUNCH;
	if (!optwre)
		writable &= ~(FPEC_CR_OPTPG | FPEC_CR_OPTER);
	f->cr = (val & writable) | optwre;
	if (f->cr & FPEC_CR_OBL_LAUNCH) {
		/* F0/F3: reload the option bytes, which resets the chip (PM0075) */
		if (core)
			b->core.stop = BOARD_STOP_RESET;
		else
			board_system_reset(b, board_time(b));
		return;
	}
	if (f->cr & FPEC_CR_STRT)
		fpec_start_erase(b);
}

static board_bus fpec_write(sim_board *b, uint32_t off, uint32_t val, bool core)
{
	board_fpec *f = &b->fpec;

	fpec_update(b, board_time(b));
	switch (off) {
	case FPEC_ACR:
		f->acr = (f->acr & ~FPEC_ACR_MASK) | (val & FPEC_ACR_MASK);
		board_clock_flash_changed(b);
		break;
	case FPEC_KEYR:
	case FPEC_OPTKEYR: return fpec_write_keys(b, off, val);
	case FPEC_SR: f->sr &= ~(val & FPEC_SR_W1C); break;
	case FPEC_CR:
		if (f->op != BOARD_OP_NONE)
			return BOARD_BUS_STALL;   /* CR writes stall while BSY (PM0075) */
		fpec_write_cr(b, val, core);
		break;
	case FPEC_AR:
		if (f->op == BOARD_OP_NONE)   /* AR writes are ignored while BSY */
			f->ar = val;
		break;
	default: break;
	}
	return BOARD_BUS_OK;
}

/* ---- programming ---------------------------------------------------------- */

/* A byte as stored at off once the stuck-bit faults apply. */
uint8_t board_flash_stuck(const sim_board *b, uint32_t off, uint8_t v)
{
	for (size_t i = 0; i < b->cfg.n_stuck && i < SIM_MAX_STUCK; i++) {
		const sim_stuck_bit *s = &b->cfg.stuck[i];
		if (s->addr - BOARD_FLASH_BASE == off)
			v = (uint8_t)((v & ~s->mask) | (s->value & s->mask));
	}
	return v;
}

static uint16_t fpec_stuck(const sim_board *b, uint32_t off, uint16_t v)
{
	return (uint16_t)(board_flash_stuck(b, off, (uint8_t)v) |
			  board_flash_stuck(b, off + 1U, (uint8_t)(v >> 8)) << 8);
}

/* Common gate of flash and option-byte writes: size, mode, busy. */
static board_bus fpec_prog_gate(sim_board *b, uint32_t off, unsigned size, uint32_t mode)
{
	fpec_update(b, board_time(b));
	if (b->fpec.op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;
	/* half-word only; and a write without PG/OPTPG is a bus error (strict, PM0075) */
	if (size != 2 || (off & 1U) || !(b->fpec.cr & mode) || (b->fpec.cr & FPEC_CR_LOCK))
		return BOARD_BUS_FAULT;
	return BOARD_BUS_OK;
}

static board_bus fpec_flash_write(sim_board *b, uint32_t off, unsigned size, uint32_t val)
{
	board_fpec *f = &b->fpec;
	board_bus r = fpec_prog_gate(b, off, size, FPEC_CR_PG);
	uint16_t v = (uint16_t)val;

	if (r != BOARD_BUS_OK)
		return r;
	if (fpec_flash_blocked(b) || fpec_page_protected(b, off / b->part->page_size)) {
		f->sr |= FPEC_SR_WRPRTERR;
		return BOARD_BUS_OK;
	}
	uint16_t old = (uint16_t)board_le_get(b->flash + off, 2);
	if (old != 0xFFFFU && v != 0) {
		f->sr |= FPEC_SR_PGERR;   /* must-be-erased rule; 0x0000 is the exception */
		return BOARD_BUS_OK;
	}
	uint16_t nv = fpec_stuck(b, off, (uint16_t)(old & v));
	board_le_put(b->flash + off, 2, nv);
	board_core_dirty_flash(b, off, 2);
	f->op_addr = off;
	f->op_old = old;
	f->op_new = nv;
	fpec_start(b, BOARD_OP_PROG, b->cfg.timing.t_prog_ns);
	return BOARD_BUS_OK;
}

static board_bus fpec_ob_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	board_fpec *f = &b->fpec;
	uint32_t off = addr - FPEC_OB_BASE;
	board_bus r = fpec_prog_gate(b, off, size, FPEC_CR_OPTPG);

	if (r != BOARD_BUS_OK)
		return r;
	uint16_t old = (uint16_t)board_le_get(b->ob + off, 2);
	if (old != 0xFFFFU) {
		f->sr |= FPEC_SR_WRPRTERR;   /* target must be erased (PM0075) */
		return BOARD_BUS_OK;
	}
	uint8_t lo = (uint8_t)val;
	uint16_t nv = (uint16_t)(lo | (uint16_t)(uint8_t)~lo << 8);   /* hardware complements */
	board_le_put(b->ob + off, 2, nv);
	f->op_addr = off;
	f->op_old = old;
	f->op_new = nv;
	fpec_start(b, BOARD_OP_OB_PROG, b->cfg.timing.t_prog_ns);
	return BOARD_BUS_OK;
}

/* ---- power loss: whatever was in progress is left half done --------------- */

static uint16_t fpec_partial(uint16_t old, uint16_t nv, int64_t done, int64_t total)
{
	unsigned bits = (unsigned)(16 * done / (total > 0 ? total : 1));
	uint16_t pending = (uint16_t)(0xFFFFU << bits);   /* high bits not yet programmed */

	return (uint16_t)(old & (nv | pending));
}

static void fpec_partial_erase(sim_board *b, uint32_t off, uint32_t len, int64_t done,
			       int64_t total)
{
	board_flash_erase(b, off, (uint32_t)((uint64_t)len * (uint64_t)done / (uint64_t)total));
}

static void fpec_partial_ob_erase(sim_board *b, int64_t done, int64_t total)
{
	int64_t mass = (int64_t)b->cfg.timing.t_mass_erase_ns;

	if (b->fpec.op_regress && done < mass) {
		fpec_partial_erase(b, 0, b->flash_size, done, mass);
		return;
	}
	if (b->fpec.op_regress) {
		board_flash_erase(b, 0, b->flash_size);
		done -= mass;
		total -= mass;
	}
	memset(b->ob, 0xFF, (size_t)((uint64_t)FPEC_OB_SIZE * (uint64_t)done / (uint64_t)total));
}

/* FLASH_ACR.LATENCY[2:0] (RM0008 §3.3.3, RM0091 §3.5.1, RM0316 §4.5.1). */
static unsigned fpec_latency(const sim_board *b)
{
	return b->fpec.acr & FPEC_ACR_LATENCY;
}

/* The supply drops at t: a program or erase in progress is left half done. */
static void fpec_power_loss(sim_board *b, int64_t t)
{
	board_fpec *f = &b->fpec;
	int64_t done = t - f->op_start, total = f->op_end - f->op_start;

	fpec_update(b, t);
	if (f->op == BOARD_OP_PROG || f->op == BOARD_OP_OB_PROG) {
		uint8_t *p = f->op == BOARD_OP_PROG ? b->flash + f->op_addr : b->ob + f->op_addr;
		board_le_put(p, 2, fpec_partial(f->op_old, f->op_new, done, total));
		board_core_dirty_flash(b, f->op_addr, 2);
	} else if (f->op == BOARD_OP_PAGE_ERASE) {
		fpec_partial_erase(b, f->op_addr, b->part->page_size, done, total);
	} else if (f->op == BOARD_OP_MASS_ERASE) {
		fpec_partial_erase(b, 0, b->flash_size, done, total);
	} else if (f->op == BOARD_OP_OB_ERASE) {
		fpec_partial_ob_erase(b, done, total);
	}
	f->op = BOARD_OP_NONE;
}

/* ---- the model ---------------------------------------------------------------- */

/* Option bytes as new silicon with cfg->rdp / cfg->wrp: value, complement pairs. */
static void fpec_ob_new(const sim_board *b, uint8_t *ob)
{
	uint8_t val[8];

	val[0] = b->cfg.rdp ? FPEC_OB_RDP_L1 : b->part->rdp_unprotected;
	val[1] = FPEC_OB_ERASED;   /* USER: software watchdog, no reset on stop/standby */
	val[2] = FPEC_OB_ERASED;   /* DATA0 */
	val[3] = FPEC_OB_ERASED;   /* DATA1 */
	for (unsigned i = 0; i < 4; i++)
		val[4 + i] = (uint8_t)(b->cfg.wrp >> (8 * i));
	for (unsigned i = 0; i < 8; i++) {
		ob[2 * i] = val[i];
		ob[2 * i + 1] = (uint8_t)~val[i];
	}
}

/* The option block reads as stored, complements included (PM0075). */
static board_bus fpec_ob_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	*val = board_le_get(b->ob + (addr - FPEC_OB_BASE), size);
	return BOARD_BUS_OK;
}

static bool fpec_dp_dead(const sim_board *b)
{
	return b->fpec.rdp_level == 2;
}

const board_flash_model board_fpec_model = {
	.name = "FPEC (F0/F1/F3)",
	.reg_base = FPEC_REG_BASE,
	.ob_base = FPEC_OB_BASE,
	.ob_size = FPEC_OB_SIZE,
	.otp_base = 0,
	.otp_size = 0,
	.ob_file_len = FPEC_OB_SIZE,
	.t_prog_ns = 52500U,   /* half-word, DS5792 Table 29 typ */
	.ob_new = fpec_ob_new,
	.reset = fpec_reset,
	.update = fpec_update,
	.busy = fpec_busy,
	.busy_until = fpec_busy_until,
	.reg_read = fpec_read,
	.reg_write = fpec_write,
	.flash_write = fpec_flash_write,
	.opt_read = fpec_ob_read,
	.opt_write = fpec_ob_write,
	.blocked = fpec_flash_blocked,
	.dp_dead = fpec_dp_dead,
	.latency = fpec_latency,
	.power_loss = fpec_power_loss,
};

const board_flash_model *board_flash_model_for(const sim_part *p)
{
	switch (p->flash_ctl) {
	case SIM_FLASH_F2:
	case SIM_FLASH_F4: return &board_fpec_f24_model;
	case SIM_FLASH_F7: return &board_fpec_f7_model;
	case SIM_FLASH_L0: return &board_pecr_l0_model;
	case SIM_FLASH_L1: return &board_pecr_l1_model;
	case SIM_FLASH_G0: return &board_fpec_dw_g0_model;
	case SIM_FLASH_C0: return &board_fpec_dw_c0_model;
	case SIM_FLASH_G4: return &board_fpec_dw_g4_model;
	case SIM_FLASH_L4: return &board_fpec_dw_l4_model;
	case SIM_FLASH_L4P: return &board_fpec_dw_l4p_model;
	case SIM_FLASH_WB: return &board_fpec_dw_wb_model;
	case SIM_FLASH_WL: return &board_fpec_dw_wl_model;
	case SIM_FLASH_H7: return &board_fpec_h7_model;
	case SIM_FLASH_L5: return &board_fpec_l5_model;
	case SIM_FLASH_U5: return &board_fpec_u5_model;
	default: return &board_fpec_model;
	}
}
