/*
 * board_pecr_l0_ob.c — the option words (0x1FF80000) and the data EEPROM
 * (0x08080000) of the L0/L1 PECR model (board_pecr_l0.c has the
 * registers and program memory, and the facts with their sources):
 * loading the words with their complements at reset (OPTVERR and the
 * stricter value on a mismatch), a new part's words, programming a word
 * (the RDP 1 -> 0 regression erases program memory and data EEPROM
 * first), EEPROM byte/half-word/word writes and word erase, and the
 * EEPROM size of each part.
 */
#include <string.h>

#include "board_pecr_l0.h"

static const struct { uint16_t dev_id; uint32_t bytes; } pecr_eeprom[] = {
	{ 0x457U, 512U },     /* L0 Cat.1: STM32L011 */
	{ 0x425U, 1024U },    /* L0 Cat.2 */
	{ 0x417U, 2048U },    /* L0 Cat.3: STM32L053 */
	{ 0x447U, 6144U },    /* L0 Cat.5: STM32L073, two banks of 3 KiB */
	{ 0x416U, 4096U },    /* L1 Cat.1 */
	{ 0x429U, 4096U },    /* L1 Cat.2 */
	{ 0x427U, 8192U },    /* L1 Cat.3 */
	{ 0x436U, 12288U },   /* L1 Cat.4 */
	{ 0x437U, 16384U },   /* L1 Cat.5/6: STM32L152RE */
};

static uint32_t pecr_ee_size(const sim_board *b)
{
	for (size_t i = 0; i < sizeof(pecr_eeprom) / sizeof(pecr_eeprom[0]); i++)
		if (pecr_eeprom[i].dev_id == b->part->dev_id)
			return pecr_eeprom[i].bytes;
	return 0;
}

/* ---- option words ---------------------------------------------------------- */

static uint32_t pecr_ob_pair(uint16_t v)
{
	return (uint32_t)(uint16_t)~v << 16 | v;
}

/* The value of option word i, or fallback (and *bad) when the complement does not match. */
static uint16_t pecr_ob_value(const sim_board *b, unsigned i, uint16_t fallback, bool *bad)
{
	uint32_t w = board_le_get(b->ob + 4U * i, 4);

	if ((uint16_t)(w ^ (w >> 16)) != 0xFFFFU) {
		*bad = true;
		return fallback;
	}
	return (uint16_t)w;
}

/*
 * Latch RDP, OPTR and the WRP words from option_bytes.bin (every reset).
 * A USER word that does not complement sets OPTVERRUSR on L1 (RM0038
 * §3.9.8) and OPTVERR on L0, which has no separate flag (RM0377 §3.7.7).
 */
void pecr_ob_load(sim_board *b)
{
	board_pecr *f = &b->l0;
	const pecr_variant *v = pecr_var(b);
	bool bad = false, user_bad = false;
	uint16_t rdp = pecr_ob_value(b, 0, 0x00FFU, &bad);   /* strict: level 1 */
	uint16_t user = pecr_ob_value(b, 1, 0xFFFFU, &user_bad);
	uint8_t r = (uint8_t)rdp;

	f->rdp_level = r == PECR_RDP_L0 ? 0 : r == PECR_RDP_L2 ? 2 : 1;
	f->optr = (v->l0 ? (rdp & 0x1FFU) : r) | (uint32_t)user << 16;
	for (unsigned i = 0; i < BOARD_PECR_WRP_WORDS / 2U; i++) {
		uint32_t lo = 0, hi = 0;
		if (2U * i < v->wrp_words)
			lo = pecr_ob_value(b, 2U + 2U * i, 0xFFFFU, &bad);   /* strict: protected */
		if (2U * i + 1U < v->wrp_words)
			hi = pecr_ob_value(b, 3U + 2U * i, 0xFFFFU, &bad);
		f->wrp[i] = lo | hi << 16;
	}
	if (bad || (user_bad && v->l0))
		f->sr |= PECR_SR_OPTVERR;
	if (user_bad && !v->l0)
		f->sr |= PECR_SR_OPTVERRUSR;
}

/* Option words of a new part: RDP from cfg->rdp, the factory USER, WRP from cfg->wrp. */
void pecr_ob_new(const sim_board *b, uint8_t *img)
{
	const pecr_variant *v = pecr_var(b);
	/* cfg->wrp keeps the F1 sense (bit clear = protected); L0/L1 WRP bits set = protected */
	uint32_t wrp = ~b->cfg.wrp;

	memset(img, 0, PECR_OB_SIZE);
	board_le_put(img, 4, pecr_ob_pair(b->cfg.rdp ? 0x00U : PECR_RDP_L0));
	board_le_put(img + 4, 4, pecr_ob_pair(v->user_new));
	for (unsigned i = 0; i < PECR_OB_WORDS - 2U; i++) {
		uint16_t w = i < 2U ? (uint16_t)(wrp >> (16U * i)) : 0U;
		board_le_put(img + 8U + 4U * i, 4, pecr_ob_pair(w));
	}
}

void pecr_ob_commit(sim_board *b)
{
	board_pecr *f = &b->l0;

	if (f->op_regress) {
		pecr_erase_flash(b, 0, b->flash_size);
		memset(b->otp, 0x00, b->fm->otp_size);
	}
	board_le_put(b->ob + 4U * f->op_ob_word, 4, f->op_ob_val);
}

/* ---- data EEPROM and option words ------------------------------------------------- */

/* A store into data EEPROM: replace the cells, or erase a word with ERASE+DATA. */
static void pecr_ee_write(sim_board *b, uint32_t off, unsigned size, uint32_t val)
{
	board_pecr *f = &b->l0;

	if (f->pecr & PECR_PELOCK) {
		f->sr |= PECR_SR_WRPERR;
		return;
	}
	if ((f->pecr & (PECR_ERASE | PECR_DATA)) == (PECR_ERASE | PECR_DATA)) {
		if (size != 4) {
			f->sr |= PECR_SR_SIZERR;
			return;
		}
		val = 0;
	}
	board_le_put(b->otp + off, size, val);
	f->op_addr = off;
	f->op_len = size;
	f->op_eeprom = true;
	pecr_start(b, BOARD_OP_PROG, pecr_t_prog(b));
}

static bool pecr_rdp_regress(const sim_board *b, uint32_t word, uint32_t val)
{
	return word == 0 && b->l0.rdp_level == 1 && (uint8_t)val == PECR_RDP_L0;
}

/* A word store into the option words: programmed as written, complement and all. */
static void pecr_ob_write(sim_board *b, uint32_t off, unsigned size, uint32_t val)
{
	board_pecr *f = &b->l0;

	if ((f->pecr & PECR_OPTLOCK) || f->rdp_level == 2) {
		f->sr |= PECR_SR_WRPERR;   /* strict: level 2 option words are final */
		return;
	}
	if (size != 4) {
		f->sr |= PECR_SR_SIZERR;
		return;
	}
	f->op_ob_word = off / 4U;
	f->op_ob_val = val;
	f->op_regress = pecr_rdp_regress(b, f->op_ob_word, val);
	pecr_start(b, BOARD_OP_OB_PROG, pecr_t_prog(b) +
		   (f->op_regress ? b->cfg.timing.t_mass_erase_ns : 0U));
}

board_bus pecr_opt_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	board_pecr *f = &b->l0;

	pecr_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;
	pecr_burst_drop(b);
	if (addr >= PECR_OB_BASE) {
		pecr_ob_write(b, addr - PECR_OB_BASE, size, val);
		return BOARD_BUS_OK;
	}
	if (addr - PECR_EE_BASE + size > pecr_ee_size(b))
		return BOARD_BUS_FAULT;    /* past this part's data EEPROM */
	if (pecr_blocked(b))
		return BOARD_BUS_FAULT;
	pecr_ee_write(b, addr - PECR_EE_BASE, size, val);
	return BOARD_BUS_OK;
}

board_bus pecr_opt_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	pecr_update(b, board_time(b));
	if (addr >= PECR_OB_BASE) {
		*val = board_le_get(b->ob + (addr - PECR_OB_BASE), size);
		return BOARD_BUS_OK;
	}
	if (addr - PECR_EE_BASE + size > pecr_ee_size(b) || pecr_blocked(b))
		return BOARD_BUS_FAULT;
	if (pecr_busy(b) && !b->core.in_emu)
		return BOARD_BUS_STALL;
	*val = board_le_get(b->otp + (addr - PECR_EE_BASE), size);
	return BOARD_BUS_OK;
}

/* ---- wait states and power loss ---------------------------------------------------- */
