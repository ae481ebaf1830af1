/*
 * board_pecr_l0_ob.c — the option words (0x1FF80000) and the data EEPROM
 * (0x08080000) of the L0/L1 PECR model (board_pecr_l0.c has the
 * registers and program memory, and the facts with their sources):
 * loading the words with their complements at reset (OPTVERR and the
 * stricter value on a mismatch), a new part's words, programming a word
 * (the RDP 1 -> 0 regression erases program memory and data EEPROM
 * first and lifts L0 PCROP; PCROP in force refuses WPRMOD 1 -> 0 and
 * removed PCROP sectors until then), EEPROM byte/half-word/word writes and
 * word erase, and the EEPROM size of each part.
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

/* Where WRP half-word h lives in the option image (L1 WRP4 apart at 0x80, RM0038 §3.8.1). */
static uint32_t pecr_ob_wrp_off(unsigned h)
{
	return h < PECR_OB_LOW - 2U ? 8U + 4U * h : PECR_OB_HIGH + 4U * (h - (PECR_OB_LOW - 2U));
}

/*
 * WRP half-word h as it loads. Strict on a mismatch: every sector
 * protected, write- or read- as WPRMOD says (RM0367 §3.8.2 for PCROP;
 * unverified which value silicon takes for write protection). A half-word
 * the family has not: nothing protected.
 */
static uint32_t pecr_ob_wrp_load(sim_board *b, unsigned h, bool pcrop, bool *bad)
{
	if (h >= pecr_var(b)->wrp_words)
		return pcrop ? 0xFFFFU : 0U;
	return pecr_ob_value(b, pecr_ob_wrp_off(h) / 4U, pcrop ? 0x0000U : 0xFFFFU, bad);
}

/*
 * Latch RDP, OPTR and the WRP words from option_bytes.bin (every reset).
 * A USER word that does not complement sets OPTVERRUSR on L1 (RM0038
 * §3.9.8) and OPTVERR on L0, which has no separate flag (RM0377 §3.7.7).
 * A word 0 that does not complement loads level 1 and, on L0, WPRMOD = 1
 * with every sector PCROP (RM0367 §3.8.2).
 */
void pecr_ob_load(sim_board *b)
{
	board_pecr *f = &b->l0;
	const pecr_variant *v = pecr_var(b);
	bool bad = false, user_bad = false, rdp_bad = false;
	uint16_t rdp = pecr_ob_value(b, 0, v->l0 ? 0x01FFU : 0x00FFU, &rdp_bad);   /* strict: level 1 */
	uint16_t user = pecr_ob_value(b, 1, 0xFFFFU, &user_bad);
	uint8_t r = (uint8_t)rdp;
	bool pcrop = v->l0 && (rdp & PECR_OB_WPRMOD);

	f->rdp_level = r == PECR_RDP_L0 ? 0 : r == PECR_RDP_L2 ? 2 : 1;
	f->optr = (v->l0 ? (rdp & 0x1FFU) : r) | (uint32_t)user << 16;
	for (unsigned i = 0; i < BOARD_PECR_WRP_WORDS / 2U; i++) {
		uint32_t lo = pecr_ob_wrp_load(b, 2U * i, pcrop, &bad);
		uint32_t hi = pecr_ob_wrp_load(b, 2U * i + 1U, pcrop, &bad);

		f->wrp[i] = rdp_bad && pcrop ? 0U : lo | hi << 16;
	}
	f->pcrop_lifted = false;
	if (bad || rdp_bad || (user_bad && v->l0))
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

	memset(img, 0, b->fm->ob_file_len);
	board_le_put(img, 4, pecr_ob_pair(b->cfg.rdp ? 0x00U : PECR_RDP_L0));
	board_le_put(img + 4, 4, pecr_ob_pair(v->user_new));
	for (unsigned h = 0; h < v->wrp_words; h++) {
		uint16_t w = h < 2U ? (uint16_t)(wrp >> (16U * h)) : 0U;
		board_le_put(img + pecr_ob_wrp_off(h), 4, pecr_ob_pair(w));
	}
}

void pecr_ob_commit(sim_board *b)
{
	board_pecr *f = &b->l0;

	if (f->op_regress) {
		pecr_erase_flash(b, 0, b->flash_size);
		memset(b->otp, 0x00, b->fm->otp_size);
		f->pcrop_lifted = true;   /* the regression deletes PCROP (RM0367 §3.4.4) */
		if (pecr_var(b)->l0)
			f->op_ob_val = pecr_ob_pair((uint16_t)(f->op_ob_val & ~PECR_OB_WPRMOD));
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

/* The WRP half-word an option word holds, or -1. */
static int pecr_ob_wrp_half(const sim_board *b, uint32_t off)
{
	for (unsigned h = 0; h < pecr_var(b)->wrp_words; h++)
		if (pecr_ob_wrp_off(h) == off)
			return (int)h;
	return -1;
}

/*
 * L0 PCROP in force: WPRMOD stays 1 and no PCROP bit comes back to 1 unless
 * an RDP regression was programmed since the load (RM0367 §3.4.4).
 */
static bool pecr_ob_pcrop_refused(const sim_board *b, uint32_t off, uint32_t val)
{
	const board_pecr *f = &b->l0;
	int h = pecr_ob_wrp_half(b, off);
	uint32_t now;

	if (!pecr_pcrop_mode(b) || f->pcrop_lifted)
		return false;
	if (off == 0)
		return !(val & PECR_OB_WPRMOD) && !pecr_rdp_regress(b, 0, val);
	if (h < 0)
		return false;
	now = (f->wrp[h / 2] >> (16U * ((unsigned)h % 2U))) & 0xFFFFU;
	return ((val & 0xFFFFU) & ~now) != 0;
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
	if (pecr_ob_pcrop_refused(b, off, val)) {
		f->sr |= PECR_SR_WRPERR;   /* flag unverified */
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
