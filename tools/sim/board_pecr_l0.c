/*
 * board_pecr_l0.c — the L0/L1 flash controller ("PECR" interface; 0x40022000
 * on L0, 0x40023C00 on L1), its data EEPROM at 0x08080000 and option words
 * at 0x1FF80000, as two board_flash_model instances (flash_model.h).
 *
 * Facts: RM0377 §3 (L0x1) and RM0038 §3 (L1):
 * - PEKEYR 0x89ABCDEF/0x02030405 clears PECR.PELOCK; only then PRGKEYR
 *   0x8C9DAEBF/0x13141516 clears PRGLOCK and OPTKEYR 0xFBEAD9C8/0x24252627
 *   clears OPTLOCK (RM0377 §3.3.1). A wrong key is a bus error and keeps
 *   the controller locked until reset. Setting PELOCK locks all three.
 * - Program memory erases to 0x00. A word write with PRGLOCK clear programs
 *   one word (RM0377 §3.3.4); FPRG+PROG takes a half page (16 words on L0,
 *   32 on L1) written back to back, the first at a half-page boundary,
 *   each the next word (PGAERR otherwise), whole words only (SIZERR);
 *   ERASE+PROG then a word write into a page erases that page (§3.3.5).
 * - Data EEPROM (RM0377 §3.3.4 "data EEPROM"): byte, half-word and word
 *   writes with PELOCK clear replace the cell (the controller erases it
 *   first); ERASE+DATA then a word write erases that word.
 * - L0 only: NOTZEROERR when a program targets a word that is not zero,
 *   unless PECR.NZDISABLE (the write is then not done: unverified); FWWERR
 *   when a half-page burst is interrupted (RM0377 §3.7.7: an NVM write
 *   aborted by a fetch).
 * - Option words (RM0377 §3.4.1, RM0038 §3.5.1): 16-bit value in [15:0],
 *   its complement in [31:16]; word 0 RDP (+ WPRMOD b8 on L0), word 1 USER
 *   (OPTR[31:16]: BOR_LEV, IWDG_SW, nRST_STOP, nRST_STDBY, BFB2, L0
 *   nBOOT1), then WRP (bit set = 4 KiB sector protected). A pair that
 *   does not complement sets SR.OPTVERR at load (the USER word on L1:
 *   OPTVERRUSR) and the stricter value is used (RDP level 1, every
 *   sector protected; unverified which value silicon takes). RDP 0xAA level 0, 0xCC level 2, else level 1; writing
 *   0xAA at level 1 erases program memory and data EEPROM first.
 *   PECR.OBL_LAUNCH (b18) reloads the option words by a system reset.
 * Timings: L0 word, half-page and page erase 3.2 ms each (DS10668-class
 * L0 datasheets as quoted by a blog and a Zephyr comment, [S]); L1 3.28 ms
 * (unverified). EEPROM writes and option words take the same t_prog
 * (unverified: the faster write of an already-erased EEPROM word with
 * FIX/FTDW clear is not modelled); the regression erase takes the bench's
 * t_mass_erase_ns (unverified).
 * Half-page bursts: silicon requires the code doing them to run from SRAM
 * (RM0377 §3.3.4). The bench refuses a burst word the core stores while
 * executing from flash: the burst is dropped with FWWERR on L0, PGAERR on
 * L1 (unverified flag on L1). Any other access between two burst words (a
 * flash read, a store elsewhere, a PECR write) drops it the same way.
 * - WRP words (RM0377 §3.4.1, RM0038 §3.8.1): L0 WRPROT1 at 0x08/0x0C and
 *   WRPROT2 (Cat.5) at 0x10; L1 WRP1..3 at 0x08..0x1C and WRP4 (Cat.5/6) at
 *   0x80/0x84; registers WRPR1 0x20, WRPR2..4 0x80.. (L0: WRPROT2 at 0x80).
 * - L0 PCROP (RM0367 §3.4.4, §3.8.2): with WPRMOD = 1 a clear WRP bit
 *   read-protects its sector: a debugger read faults with SR.RDERR, and
 *   program or erase sets WRPERR (only fetches reach it; the flag is
 *   unverified). WPRMOD 1 -> 0 or a PCROP bit set again is refused with
 *   WRPERR (flag unverified) unless an RDP regression was programmed
 *   since the load; the regression clears WPRMOD in word 0. A word 0
 *   that does not complement loads WPRMOD = 1 and every sector PCROP.
 * Not modelled: PCROP against the core's own data reads (the emulator maps
 * flash as memory), the L0 dual-bank PARALLBANK and read-while-write,
 * double-word EEPROM writes.
 */
#include <string.h>

#include "board_pecr_l0.h"

static const pecr_variant pecr_l0 = {
	true, 0x40022000U, 16U,
	PECR_PROG | PECR_DATA | PECR_FIX | PECR_ERASE | PECR_FPRG | PECR_PARALLBANK |
		PECR_EOPIE | PECR_ERRIE | PECR_OBL_LAUNCH | PECR_NZDISABLE,
	PECR_SR_EOP | PECR_SR_WRPERR | PECR_SR_PGAERR | PECR_SR_SIZERR | PECR_SR_OPTVERR |
		PECR_SR_RDERR | PECR_SR_NOTZEROERR | PECR_SR_FWWERR,
	0x7BU, PECR_SR_FWWERR, 0x8078U, 3U,
};

static const pecr_variant pecr_l1 = {
	false, 0x40023C00U, 32U,
	PECR_PROG | PECR_DATA | PECR_FIX | PECR_ERASE | PECR_FPRG | PECR_PARALLBANK |
		PECR_EOPIE | PECR_ERRIE | PECR_OBL_LAUNCH,
	PECR_SR_EOP | PECR_SR_WRPERR | PECR_SR_PGAERR | PECR_SR_SIZERR | PECR_SR_OPTVERR |
		PECR_SR_OPTVERRUSR,
	0x1FU, PECR_SR_PGAERR, 0x0078U, 8U,
};

const pecr_variant *pecr_var(const sim_board *b)
{
	return b->part->flash_ctl == SIM_FLASH_L0 ? &pecr_l0 : &pecr_l1;
}

bool pecr_pcrop_mode(const sim_board *b)
{
	return pecr_var(b)->l0 && (b->l0.optr & PECR_OB_WPRMOD);
}

/* The WRP bit of the sector at off as loaded. */
static bool pecr_sector_bit(const sim_board *b, uint32_t off)
{
	uint32_t s = off / PECR_SECTOR;

	return s < 32U * (BOARD_PECR_WRP_WORDS / 2U) && (b->l0.wrp[s / 32U] >> (s % 32U) & 1U);
}

static bool pecr_sector_pcrop(const sim_board *b, uint32_t off)
{
	return pecr_pcrop_mode(b) && !pecr_sector_bit(b, off);
}

/* Write-protected, or PCROP: only instruction fetches reach a PCROP sector (RM0367 Table 21). */
static bool pecr_sector_protected(const sim_board *b, uint32_t off)
{
	return pecr_pcrop_mode(b) ? !pecr_sector_bit(b, off) : pecr_sector_bit(b, off);
}

/* A debugger read of a PCROP sector: RDERR and a bus error (RM0377 §3.7.8 SR.RDERR). */
static board_bus pecr_flash_check(sim_board *b, uint32_t off, unsigned size, bool core)
{
	(void)size;
	if (core || !pecr_sector_pcrop(b, off))
		return BOARD_BUS_OK;
	b->l0.sr |= PECR_SR_RDERR;
	return BOARD_BUS_FAULT;
}

/* ---- state ------------------------------------------------------------------ */

static void pecr_reset(sim_board *b)
{
	board_pecr *f = &b->l0;

	f->acr = 0;
	f->pecr = PECR_LOCKS;
	f->sr = PECR_SR_READY | PECR_SR_ENDHV;
	f->pekey_stage = f->prgkey_stage = f->optkey_stage = 0;
	f->dead = false;
	f->op = BOARD_OP_NONE;
	f->hp_on = false;
	f->hp_n = 0;
	pecr_ob_load(b);
}

/* RDP level 1 with a debugger attached since power-on: flash and EEPROM off limits. */
bool pecr_blocked(const sim_board *b)
{
	return b->l0.rdp_level >= 1 && b->dbg_attached;
}

static bool pecr_dp_dead(const sim_board *b)
{
	return b->l0.rdp_level == 2;
}

bool pecr_busy(const sim_board *b)
{
	return b->l0.op != BOARD_OP_NONE;
}

static int64_t pecr_busy_until(const sim_board *b)
{
	return b->l0.op_end;
}

void pecr_start(sim_board *b, board_op op, uint64_t dur_ns)
{
	board_pecr *f = &b->l0;

	f->op = op;
	f->op_start = board_time(b);
	f->op_end = f->op_start + (int64_t)dur_ns;
}

/* Erase len bytes of program memory at off to 0x00. */
void pecr_erase_flash(sim_board *b, uint32_t off, uint32_t len)
{
	memset(b->flash + off, 0x00, len);
	board_core_dirty_flash(b, off, len);
	if (off == 0 && len > 0)
		board_state_firmware_gone(b);
}

void pecr_update(sim_board *b, int64_t t)
{
	board_pecr *f = &b->l0;

	if (f->op == BOARD_OP_NONE || t < f->op_end)
		return;
	if (f->op == BOARD_OP_PAGE_ERASE)
		pecr_erase_flash(b, f->op_addr, f->op_len);
	else if (f->op == BOARD_OP_OB_PROG)
		pecr_ob_commit(b);
	/* programs changed the cells when they started; reads stall until now */
	f->op = BOARD_OP_NONE;
	f->sr |= PECR_SR_EOP;
}

/* ---- registers --------------------------------------------------------------- */

static uint32_t pecr_sr(const sim_board *b)
{
	const board_pecr *f = &b->l0;

	if (f->op != BOARD_OP_NONE)
		return (f->sr & ~PECR_SR_ENDHV) | PECR_SR_BSY;
	return f->sr | PECR_SR_READY | PECR_SR_ENDHV;
}

static uint32_t pecr_wrpr(const sim_board *b, uint32_t off)
{
	if (off == PECR_WRPR1)
		return b->l0.wrp[0];
	if (off >= PECR_WRPR2 && off < PECR_WRPR2 + 4U * (pecr_var(b)->l0 ? 1U : 3U))
		return b->l0.wrp[1U + (off - PECR_WRPR2) / 4U];
	return 0;
}

static board_bus pecr_reg_read(sim_board *b, uint32_t off, uint32_t *val, bool core)
{
	board_pecr *f = &b->l0;

	pecr_update(b, board_time(b));
	switch (off) {
	case PECR_ACR: *val = f->acr; break;
	case PECR_PECR: *val = f->pecr; break;
	case PECR_SR:
		*val = pecr_sr(b);
		if (core && f->op != BOARD_OP_NONE)
			board_core_spin(b, f->op_end);
		break;
	case PECR_OPTR: *val = f->optr; break;
	default: *val = pecr_wrpr(b, off); break;   /* key registers read 0 */
	}
	return BOARD_BUS_OK;
}

/* A half-page burst left unfinished: dropped, nothing programmed. */
void pecr_burst_drop(sim_board *b)
{
	board_pecr *f = &b->l0;

	if (!f->hp_on)
		return;
	f->hp_on = false;
	f->hp_n = 0;
	f->sr |= pecr_var(b)->burst_err;
}

/* Wrong key: bus error, and PECR stays locked until reset (RM0377 §3.3.1). */
static board_bus pecr_key_dead(board_pecr *f)
{
	f->dead = true;
	f->pecr |= PECR_LOCKS;
	f->pekey_stage = f->prgkey_stage = f->optkey_stage = 0;
	return BOARD_BUS_FAULT;
}

/* KEY1 then KEY2 into one key register; true when the pair completed. */
static bool pecr_key_step(unsigned *stage, uint32_t val, uint32_t k1, uint32_t k2, bool *ok)
{
	*ok = val == (*stage == 0 ? k1 : k2);
	if (!*ok)
		return false;
	*stage = *stage == 0 ? 1U : 0U;
	return *stage == 0;
}

static board_bus pecr_write_key(sim_board *b, uint32_t off, uint32_t val)
{
	board_pecr *f = &b->l0;
	bool ok = false, done;

	if (f->dead)
		return BOARD_BUS_FAULT;
	if (off == PECR_PEKEYR) {
		done = pecr_key_step(&f->pekey_stage, val, PECR_PEKEY1, PECR_PEKEY2, &ok);
		if (done)
			f->pecr &= ~PECR_PELOCK;
	} else if (f->pecr & PECR_PELOCK) {
		return pecr_key_dead(f);   /* strict: PRGKEYR/OPTKEYR before PELOCK is clear */
	} else if (off == PECR_PRGKEYR) {
		done = pecr_key_step(&f->prgkey_stage, val, PECR_PRGKEY1, PECR_PRGKEY2, &ok);
		if (done)
			f->pecr &= ~PECR_PRGLOCK;
	} else {
		done = pecr_key_step(&f->optkey_stage, val, PECR_OPTKEY1, PECR_OPTKEY2, &ok);
		if (done)
			f->pecr &= ~PECR_OPTLOCK;
	}
	return ok ? BOARD_BUS_OK : pecr_key_dead(f);
}

/* OBL_LAUNCH: the option words reload by a system reset (RM0377 §3.4.3). */
static board_bus pecr_obl_launch(sim_board *b, bool core)
{
	if (core) {
		b->core.stop = BOARD_STOP_RESET;
		return BOARD_BUS_OK;
	}
	board_system_reset(b, board_time(b));
	return BOARD_BUS_FAULT;   /* the chip resets under the access: its ACK is lost */
}

static board_bus pecr_write_pecr(sim_board *b, uint32_t val, bool core)
{
	board_pecr *f = &b->l0;
	const pecr_variant *v = pecr_var(b);

	pecr_burst_drop(b);
	if (f->pecr & PECR_PELOCK)
		return BOARD_BUS_OK;   /* PECR is read-only while PELOCK is set */
	if (val & PECR_PELOCK) {
		f->pecr = PECR_LOCKS;  /* relocking PELOCK relocks everything */
		return BOARD_BUS_OK;
	}
	if ((val & PECR_OBL_LAUNCH) && (f->pecr & PECR_OPTLOCK))
		val &= ~PECR_OBL_LAUNCH;   /* needs OPTLOCK clear */
	f->pecr = (f->pecr & PECR_LOCKS) | (val & (PECR_PRGLOCK | PECR_OPTLOCK)) |
		  (val & v->pecr_mask);
	if (f->pecr & PECR_OBL_LAUNCH)
		return pecr_obl_launch(b, core);
	return BOARD_BUS_OK;
}

/* L1: LATENCY and PRFTEN only with ACC64 set; ACC64 cannot drop under them (RM0038 §3.9.1). */
static void pecr_write_acr(sim_board *b, uint32_t val)
{
	board_pecr *f = &b->l0;
	const pecr_variant *v = pecr_var(b);

	val &= v->acr_mask;
	if (!v->l0) {
		if (!(f->acr & PECR_ACR_ACC64))
			val &= ~(PECR_ACR_LATENCY | PECR_ACR_PRFTEN);
		if (val & (PECR_ACR_LATENCY | PECR_ACR_PRFTEN))
			val |= PECR_ACR_ACC64;
	}
	f->acr = val;
	board_clock_flash_changed(b);
}

static board_bus pecr_reg_write(sim_board *b, uint32_t off, uint32_t val, bool core)
{
	board_pecr *f = &b->l0;

	pecr_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE && off != PECR_SR && off != PECR_ACR)
		return BOARD_BUS_STALL;   /* writes stall while BSY (RM0377 §3.3.4) */
	switch (off) {
	case PECR_ACR: pecr_write_acr(b, val); break;
	case PECR_PECR: return pecr_write_pecr(b, val, core);
	case PECR_PEKEYR:
	case PECR_PRGKEYR:
	case PECR_OPTKEYR: return pecr_write_key(b, off, val);
	case PECR_SR: f->sr &= ~(val & pecr_var(b)->sr_w1c); break;
	default: break;   /* PDKEYR (power-down keys), OPTR, WRPR: no effect here */
	}
	return BOARD_BUS_OK;
}

/* ---- program memory ------------------------------------------------------------ */

uint64_t pecr_t_prog(const sim_board *b)
{
	return b->cfg.timing.t_prog_ns;
}

/* Cells take the data; over a word that is not zero the bits OR in (unverified). */
static void pecr_program(sim_board *b, uint32_t off, const uint32_t *words, unsigned n)
{
	for (unsigned i = 0; i < 4U * n; i++) {
		uint8_t v = (uint8_t)(b->flash[off + i] | (uint8_t)(words[i / 4U] >> (8U * (i % 4U))));
		b->flash[off + i] = board_flash_stuck(b, off + i, v);
	}
	board_core_dirty_flash(b, off, 4U * n);
	b->l0.op_addr = off;
	b->l0.op_len = 4U * n;
	b->l0.op_eeprom = false;
	pecr_start(b, BOARD_OP_PROG, pecr_t_prog(b));
}

/* L0 NOTZEROERR: a target word not zero, unless NZDISABLE. */
static bool pecr_not_zero(const sim_board *b, uint32_t off, unsigned n)
{
	if (!pecr_var(b)->l0 || (b->l0.pecr & PECR_NZDISABLE))
		return false;
	for (unsigned i = 0; i < 4U * n; i++)
		if (b->flash[off + i] != 0)
			return true;
	return false;
}

/* One program of n words at off after the lock, size and protection checks. */
static void pecr_program_checked(sim_board *b, uint32_t off, const uint32_t *words, unsigned n)
{
	if (pecr_sector_protected(b, off))
		b->l0.sr |= PECR_SR_WRPERR;
	else if (pecr_not_zero(b, off, n))
		b->l0.sr |= PECR_SR_NOTZEROERR;
	else
		pecr_program(b, off, words, n);
}

/* True when the store comes from the core executing from flash. */
static bool pecr_core_in_flash(const sim_board *b)
{
	uint32_t pc = (uint32_t)b->core.last_pc;

	if (!b->core.in_emu)
		return false;
	return pc < b->flash_size || (pc >= BOARD_FLASH_BASE && pc - BOARD_FLASH_BASE < b->flash_size);
}

/* FPRG+PROG: collect a half page; the last word starts the program (RM0377 §3.3.4). */
static void pecr_burst_word(sim_board *b, uint32_t off, uint32_t val)
{
	board_pecr *f = &b->l0;
	const pecr_variant *v = pecr_var(b);
	uint32_t hp = 4U * v->hp_words;

	if (pecr_core_in_flash(b)) {
		f->hp_on = true;   /* a fetch from flash breaks the burst (RM0377 §3.3.4) */
		pecr_burst_drop(b);
		return;
	}
	if (!f->hp_on) {
		if (off % hp != 0) {
			f->sr |= PECR_SR_PGAERR;
			return;
		}
		f->hp_on = true;
		f->hp_off = off;
		f->hp_n = 0;
	} else if (off != f->hp_off + 4U * f->hp_n) {
		f->hp_on = false;
		f->hp_n = 0;
		f->sr |= PECR_SR_PGAERR;
		return;
	}
	f->hp_buf[f->hp_n++] = val;
	if (f->hp_n < v->hp_words)
		return;
	f->hp_on = false;
	f->hp_n = 0;
	pecr_program_checked(b, f->hp_off, f->hp_buf, v->hp_words);
}

/* ERASE+PROG and a word store into the page: erase it to 0x00 (RM0377 §3.3.5). */
static void pecr_page_erase(sim_board *b, uint32_t off)
{
	board_pecr *f = &b->l0;
	uint32_t page = b->part->page_size;

	if (pecr_sector_protected(b, off)) {
		f->sr |= PECR_SR_WRPERR;
		return;
	}
	f->op_addr = off / page * page;
	f->op_len = page;
	pecr_start(b, BOARD_OP_PAGE_ERASE, pecr_t_prog(b));
}

static board_bus pecr_flash_write(sim_board *b, uint32_t off, unsigned size, uint32_t val)
{
	board_pecr *f = &b->l0;
	uint32_t mode = f->pecr & (PECR_PROG | PECR_ERASE | PECR_FPRG);

	pecr_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;   /* the bus holds the store until BSY drops */
	if (pecr_blocked(b))
		return BOARD_BUS_FAULT;
	if (mode == (PECR_PROG | PECR_FPRG) && !(f->pecr & PECR_PRGLOCK) && size == 4) {
		pecr_burst_word(b, off, val);
		return BOARD_BUS_OK;
	}
	pecr_burst_drop(b);
	if (f->pecr & PECR_PRGLOCK)
		f->sr |= PECR_SR_WRPERR;     /* strict: locked program memory */
	else if (size != 4)
		f->sr |= PECR_SR_SIZERR;     /* program memory takes whole words */
	else if (off & 3U)
		f->sr |= PECR_SR_PGAERR;
	else if (mode == (PECR_PROG | PECR_ERASE))
		pecr_page_erase(b, off);
	else if (mode == 0 || mode == PECR_PROG)
		pecr_program_checked(b, off, &val, 1);
	else
		f->sr |= PECR_SR_PGAERR;     /* strict: no operation matches these PECR bits */
	return BOARD_BUS_OK;
}


/* FLASH_ACR.LATENCY (RM0377 §3.7.1, RM0038 §3.9.1): one bit. */
static unsigned pecr_latency(const sim_board *b)
{
	return b->l0.acr & PECR_ACR_LATENCY;
}

/* The supply drops at t: an erase is left partly done (a program took its data when it began). */
static void pecr_power_loss(sim_board *b, int64_t t)
{
	board_pecr *f = &b->l0;
	int64_t done = t - f->op_start, total = f->op_end - f->op_start;

	pecr_update(b, t);
	if (f->op == BOARD_OP_PAGE_ERASE)
		pecr_erase_flash(b, f->op_addr,
				 (uint32_t)((uint64_t)f->op_len * (uint64_t)done / (uint64_t)total));
	f->op = BOARD_OP_NONE;
	f->hp_on = false;
}

#define PECR_MODEL(nm, base, ob, ee, tprog) { \
	.name = nm, .reg_base = base, .ob_base = PECR_OB_BASE, .ob_size = ob, \
	.otp_base = PECR_EE_BASE, .otp_size = ee, .ob_file_len = ob, \
	.erased_zero = true, .t_prog_ns = tprog, .ob_new = pecr_ob_new, .reset = pecr_reset, \
	.update = pecr_update, .busy = pecr_busy, .busy_until = pecr_busy_until, \
	.reg_read = pecr_reg_read, .reg_write = pecr_reg_write, .flash_write = pecr_flash_write, \
	.opt_read = pecr_opt_read, .opt_write = pecr_opt_write, .blocked = pecr_blocked, \
	.dp_dead = pecr_dp_dead, .latency = pecr_latency, .power_loss = pecr_power_loss, \
	.note_read = pecr_burst_drop, .flash_check = pecr_flash_check }

/* data EEPROM windows: the largest part of each family (L073 6 KiB, L152xE 16 KiB) */
const board_flash_model board_pecr_l0_model =
	PECR_MODEL("PECR (L0)", 0x40022000U, PECR_OB_SIZE_L0, 6144U, 3200000U);
const board_flash_model board_pecr_l1_model =
	PECR_MODEL("PECR (L1)", 0x40023C00U, PECR_OB_SIZE_L1, 16384U, 3280000U);
