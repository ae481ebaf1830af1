/*
 * board_fpec_h7.c — the STM32H7 (H72x-H75x) embedded flash controller at
 * 0x52002000 as a board_flash_model (flash_model.h): two banks, each with
 * its own KEYR/CR/SR/CCR (bank 2 at +0x100), its own write buffer and its
 * own busy timer, so both banks program and erase at the same time; the
 * 256-bit flash word with its ECC; sector, bank and mass erase; the option
 * registers (board_fpec_h7_ob.c) and FLASH_ACR. flash.bin holds bank 1
 * then bank 2; with SWAP_BANK in force the bus (debugger and core) sees
 * bank 2 at 0x08000000 (.phys), and each bank keeps its own registers
 * (KEYR1/CR1 act on physical bank 1 wherever it is mapped: unverified).
 *
 * Facts: RM0433 §4 (H742/743/745/747/750/753/755/757) and RM0468 §4
 * (H723/725/730/733/735): §4.3.8 (read: a double ECC error sets DBECCERR,
 * records the word in ECC_FA and is a bus error), §4.3.9 (programming:
 * PG, one flash word of 8 x 32 bits filled in the write buffer, FW forces
 * a partial word out with the missing bytes left erased; WBNE while the
 * buffer waits for the rest of a word, QW while an operation is queued or
 * runs), §4.3.10 (erase:
 * SER + SNB + START, BER + START, MER in OPTCR erases both banks), §4.5
 * (KEYR1/KEYR2 0x45670123, 0xCDEF89AB; a wrong key keeps CR locked until
 * reset), §4.7 (the error flags: WRPERR protected sector, PGSERR write
 * without PG or an erase request with a conflicting bit, STRBERR the same
 * byte of the buffer written twice, INCERR data for another flash word
 * while the buffer holds one (the buffer is lost), OPERR an operation the
 * array could not do), §4.9 (register map, CCR write-1-to-clear).
 * OpenOCD 0.12 (stm32h7x.c, as read for the reference) always programs at
 * PSIZE x64 with no external supply, and the H74x pinout has no VPP pin
 * (DS12110, from memory: unverified), so the bench lets every PSIZE
 * program at any supply and PSIZE only changes the time.
 *
 * Bench choices (marked "strict" or "unverified" where they appear):
 * - A flash word can be programmed once after erase. Programming it again
 *   ANDs the cells, and unless the new data equals the old or is all zero
 *   (an all-zero rewrite keeps data and ECC consistent) the word's ECC no
 *   longer matches: every later read of it is a double error (DBECCERR,
 *   ECC_FA, bus error) until the sector is erased. The ECC code itself is
 *   not published, so single errors (SNECCERR) are never produced.
 *   The bad-word map persists after the option registers in
 *   option_bytes.bin, so it survives a host process as flash.bin does.
 * - A write into the buffer of a protected sector sets WRPERR and is
 *   dropped (strict: the RM flags it; when exactly is not said).
 * - A word completes and starts programming when its 32nd byte arrives
 *   (or FW); a store that completes a word while the bank still programs
 *   the previous one stalls the bus until the bank is free (one word in
 *   the queue).
 * - OPERR: an erase or program that a power loss interrupts leaves the
 *   array half done (power_loss); the flag itself is not needed by any
 *   path silicon documents for a debugger, so nothing else sets it.
 * Timings (typical; DS12110 "Flash memory programming" not at hand):
 * sector erase x32 1.1 s (ST staff on community.st.com td-p/734674, citing
 * the datasheet), x64 1.0 s, x16 1.5 s, x8 2.0 s (unverified: ChromiumOS EC
 * flash-stm32h7.c comments "< 1 s in x64, < 2 s in x8"); a bank erase as
 * five sector erases (unverified, derived from the reference's mass erase
 * "x64 about 5 s"); a flash word x64 100, x32 130, x16 180, x8 290 us
 * (unverified, from memory of DS12110); option change 300 ms typical
 * (ChromiumOS EC comment "around 300 ms"; bench key t_ob_erase_ms).
 */
#include <string.h>

#include "board_internal.h"
#include "board_fpec_h7.h"

#define H7_MS            1000000ULL

/* ---- geometry ------------------------------------------------------------------ */

bool h7_dual(const sim_board *b)
{
	return b->part->regions[b->part->n_regions - 1].bank != 0;
}

uint32_t h7_bank_size(const sim_board *b)
{
	return h7_dual(b) ? b->flash_size / 2U : b->flash_size;
}

/* Bus offset (from 0x08000000) to physical offset: SWAP_BANK exchanges the halves. */
uint32_t h7_phys(const sim_board *b, uint32_t off)
{
	if (!b->h7.swapped || !h7_dual(b))
		return off;
	return off < h7_bank_size(b) ? off + h7_bank_size(b) : off - h7_bank_size(b);
}

static unsigned h7_bank_of(const sim_board *b, uint32_t phys)
{
	return phys >= h7_bank_size(b) ? 1U : 0U;
}

static uint32_t h7_sector_of(uint32_t phys)
{
	return (phys / H7_SECTOR) % H7_BANK_SECTORS;
}

/* WPSN_CUR: bit clear = sector protected (RM0433 §4.5.3). */
static bool h7_protected(const sim_board *b, unsigned bank, uint32_t sector)
{
	return (b->h7.wpsn_cur[bank] & (1U << sector)) == 0;
}

/* ---- ECC map (option_bytes.bin after the registers) ------------------------------- */

static uint8_t *h7_ecc_byte(sim_board *b, uint32_t phys, uint8_t *bit)
{
	uint32_t word = phys / BOARD_H7_WORD;

	*bit = (uint8_t)(1U << (word % 8U));
	return b->ob + H7_OB_REGS_LEN + word / 8U;
}

static bool h7_ecc_bad(sim_board *b, uint32_t phys)
{
	uint8_t bit, *p = h7_ecc_byte(b, phys, &bit);

	return (*p & bit) != 0;
}

static void h7_ecc_set(sim_board *b, uint32_t phys, bool bad)
{
	uint8_t bit, *p = h7_ecc_byte(b, phys, &bit);

	*p = bad ? (uint8_t)(*p | bit) : (uint8_t)(*p & ~bit);
}

/* Erase cells and their ECC state. */
void h7_erase(sim_board *b, uint32_t phys, uint32_t len)
{
	board_flash_erase(b, phys, len);
	for (uint32_t o = 0; o < len; o += BOARD_H7_WORD)
		h7_ecc_set(b, phys + o, false);
	board_core_dirty_flash(b, h7_phys(b, phys), len);
}

/* ---- operations ------------------------------------------------------------------ */

static void h7_bank_start(sim_board *b, unsigned bank, board_op op, uint64_t dur_ns)
{
	board_h7bank *k = &b->h7.bank[bank];

	board_cm4_flash_op(b);   /* a running CM4 meets the flash mid-rewrite */
	k->op = op;
	k->op_start = board_time(b);
	k->op_end = k->op_start + (int64_t)dur_ns;
}

static bool h7_busy(const sim_board *b)
{
	const board_fpech7 *h = &b->h7;

	return h->bank[0].op != BOARD_OP_NONE || h->bank[1].op != BOARD_OP_NONE ||
	       h->ob_op != BOARD_OP_NONE;
}

/* The earliest end of a running operation (the bus loops retry until theirs is over). */
static int64_t h7_busy_until(const sim_board *b)
{
	const board_fpech7 *h = &b->h7;
	int64_t t = INT64_MAX;

	for (unsigned i = 0; i < 2; i++)
		if (h->bank[i].op != BOARD_OP_NONE && h->bank[i].op_end < t)
			t = h->bank[i].op_end;
	if (h->ob_op != BOARD_OP_NONE && h->ob_end < t)
		t = h->ob_end;
	return t == INT64_MAX ? board_time(b) : t;
}

static void h7_bank_update(sim_board *b, unsigned bank, int64_t t)
{
	board_h7bank *k = &b->h7.bank[bank];

	if (k->op == BOARD_OP_NONE || t < k->op_end)
		return;
	if (k->op == BOARD_OP_SECTOR_ERASE || k->op == BOARD_OP_MASS_ERASE)
		h7_erase(b, k->op_addr, k->op_len);
	k->op = BOARD_OP_NONE;
	k->sr |= H7_SR_EOP;
	k->cr &= ~(H7_CR_START | H7_CR_FW);
}

static void h7_update(sim_board *b, int64_t t)
{
	h7_bank_update(b, 0, t);
	h7_bank_update(b, 1, t);
	h7_ob_update(b, t);
}

static uint32_t h7_psize(const board_h7bank *k)
{
	return (k->cr & H7_CR_PSIZE) >> H7_CR_PSIZE_SH;
}

/* typical per PSIZE x8, x16, x32, x64 (see the file header) */
static const uint16_t h7_sector_ms[4] = { 2000, 1500, 1100, 1000 };
static const uint16_t h7_prog_scale[4] = { 290, 180, 130, 100 };   /* us; x32 = cfg t_prog */

uint64_t h7_bank_erase_ns(const board_h7bank *k)
{
	return (uint64_t)h7_sector_ms[h7_psize(k)] * 5U * H7_MS;
}

/* A flash word at the bank's PSIZE: the bench's t_prog is the x32 figure. */
static uint64_t h7_prog_ns(const sim_board *b, const board_h7bank *k)
{
	return b->cfg.timing.t_prog_ns * h7_prog_scale[h7_psize(k)] / 130U;
}

static void h7_refuse(board_h7bank *k, uint32_t flag)
{
	k->sr |= flag;
	k->cr &= ~H7_CR_START;
}

static bool h7_blocked(const sim_board *b)
{
	return b->h7.rdp_level >= 1 && b->dbg_attached;
}

static bool h7_dp_dead(const sim_board *b)
{
	return b->h7.rdp_level == 2;
}

static void h7_start_erase(sim_board *b, unsigned bank)
{
	board_h7bank *k = &b->h7.bank[bank];
	uint32_t base = bank * h7_bank_size(b), snb = (k->cr & H7_CR_SNB) >> H7_CR_SNB_SH;
	uint32_t nsect = h7_bank_size(b) / H7_SECTOR;
	bool ser = (k->cr & H7_CR_SER) != 0, ber = (k->cr & H7_CR_BER) != 0;

	if ((k->cr & H7_CR_PG) || ser == ber || k->wb_fill != 0)
		return h7_refuse(k, H7_SR_PGSERR);   /* strict: one of SER/BER, no PG, buffer empty */
	if (h7_blocked(b))
		return h7_refuse(k, H7_SR_WRPERR);   /* RDP 1 with a debugger (RM0433 §4.5.2) */
	if (ser && snb >= nsect)
		return h7_refuse(k, H7_SR_PGSERR);   /* strict: no such sector (H750: one) */
	for (uint32_t s = ser ? snb : 0; s < (ser ? snb + 1U : nsect); s++)
		if (h7_protected(b, bank, s))
			return h7_refuse(k, H7_SR_WRPERR);
	k->op_addr = base + (ser ? snb * H7_SECTOR : 0U);
	k->op_len = ser ? H7_SECTOR : h7_bank_size(b);
	h7_bank_start(b, bank, ser ? BOARD_OP_SECTOR_ERASE : BOARD_OP_MASS_ERASE,
		      ser ? (uint64_t)h7_sector_ms[h7_psize(k)] * H7_MS : h7_bank_erase_ns(k));
}

/* ---- programming ------------------------------------------------------------------ */

/* The write buffer's word goes to the array: cells AND the data; ECC as the header says. */
static void h7_program_word(sim_board *b, unsigned bank)
{
	board_h7bank *k = &b->h7.bank[bank];
	uint8_t *cells = b->flash + k->wb_off;
	bool virgin = true, same = true, zero = true;

	/*
	 * A core STM that completes the word has already stored its earlier
	 * registers into the mapped cells: put back what the cells hold
	 * before the array is programmed (board_core.c fixes).
	 */
	board_core_apply_fix(b);
	for (unsigned i = 0; i < BOARD_H7_WORD; i++) {
		virgin = virgin && cells[i] == 0xFFU;
		same = same && cells[i] == k->wb[i];
		zero = zero && k->wb[i] == 0;
	}
	if (!virgin && !same && !zero)
		h7_ecc_set(b, k->wb_off, true);
	for (unsigned i = 0; i < BOARD_H7_WORD; i++) {
		uint8_t v = (uint8_t)(cells[i] & k->wb[i]);
		k->op_old[i] = cells[i];
		cells[i] = board_flash_stuck(b, k->wb_off + i, v);
		k->op_new[i] = cells[i];
	}
	k->op_addr = k->wb_off;
	k->op_len = BOARD_H7_WORD;
	k->wb_fill = 0;
	board_core_dirty_flash(b, h7_phys(b, k->wb_off), BOARD_H7_WORD);
	h7_bank_start(b, bank, BOARD_OP_PROG, h7_prog_ns(b, k));
}

/* FW: the partial word goes out with its missing bytes erased (RM0433 §4.3.9). */
static void h7_force_write(sim_board *b, unsigned bank)
{
	board_h7bank *k = &b->h7.bank[bank];

	if (k->wb_fill == 0 || k->op != BOARD_OP_NONE)
		return;   /* nothing to write, or the word goes once the bank is free */
	for (unsigned i = 0; i < BOARD_H7_WORD; i++)
		if (!(k->wb_fill & (1U << i)))
			k->wb[i] = 0xFFU;
	h7_program_word(b, bank);
}

/* The checks of a store with the buffer's state; 0 when it may enter the buffer. */
static uint32_t h7_store_check(sim_board *b, const board_h7bank *k, unsigned bank, uint32_t phys,
			       unsigned size)
{
	uint32_t word = phys & ~(BOARD_H7_WORD - 1U), lanes = ((1U << size) - 1U) << (phys - word);

	if ((k->cr & H7_CR_LOCK) || !(k->cr & H7_CR_PG) || (k->cr & (H7_CR_SER | H7_CR_BER)))
		return H7_SR_PGSERR;
	if ((phys & (size - 1U)) || (phys + size - 1U) / BOARD_H7_WORD != phys / BOARD_H7_WORD)
		return H7_SR_INCERR;   /* strict: a store across two flash words */
	if (k->wb_fill != 0 && k->wb_off != word)
		return H7_SR_INCERR;
	if (k->wb_fill & lanes)
		return H7_SR_STRBERR;
	if (h7_protected(b, bank, h7_sector_of(phys)))
		return H7_SR_WRPERR;
	return 0;
}

static board_bus h7_flash_write(sim_board *b, uint32_t off, unsigned size, uint32_t val)
{
	uint32_t phys = h7_phys(b, off), word = phys & ~(BOARD_H7_WORD - 1U), err;
	unsigned bank = h7_bank_of(b, phys);
	board_h7bank *k = &b->h7.bank[bank];

	h7_update(b, board_time(b));
	if (h7_blocked(b))
		return BOARD_BUS_FAULT;   /* RDP level 1 with a debugger (RM0433 §4.5.2) */
	if (k->op != BOARD_OP_NONE && k->op != BOARD_OP_PROG)
		return BOARD_BUS_STALL;   /* the bank erases */
	err = h7_store_check(b, k, bank, phys, size);
	if (err != 0) {
		k->sr |= err;
		if (err == H7_SR_INCERR)
			k->wb_fill = 0;   /* the buffer's data is lost (RM0433 §4.7) */
		return BOARD_BUS_OK;
	}
	uint32_t full = k->wb_fill | ((1U << size) - 1U) << (phys - word);
	if (full == 0xFFFFFFFFU && k->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;   /* the queue holds one word: wait for the bank */
	k->wb_off = word;
	for (unsigned i = 0; i < size; i++)
		k->wb[phys - word + i] = (uint8_t)(val >> (8 * i));
	k->wb_fill = full;
	if (full == 0xFFFFFFFFU)
		h7_program_word(b, bank);
	return BOARD_BUS_OK;
}

/*
 * A read of main flash: a bank that erases or programs stalls the bus
 * (the other bank reads on), RDP level 1 with a debugger is a bus error,
 * a word with a double ECC error sets DBECCERR and ECC_FA and is a bus
 * error (RM0433 §4.3.8), too few wait states read garbage (board_clock.c).
 */
static board_bus h7_flash_read(sim_board *b, uint32_t off, unsigned size, uint32_t *val, bool core)
{
	uint32_t phys = h7_phys(b, off);
	unsigned bank = h7_bank_of(b, phys);
	board_h7bank *k = &b->h7.bank[bank];

	h7_update(b, board_time(b));
	if (!core && k->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;
	if (h7_blocked(b))
		return BOARD_BUS_FAULT;
	if (h7_ecc_bad(b, phys)) {
		k->sr |= H7_SR_DBECCERR;
		k->ecc_fa = (phys % h7_bank_size(b)) / BOARD_H7_WORD;
		return BOARD_BUS_FAULT;
	}
	*val = board_le_get(b->flash + phys, size);
	if (!board_clock_flash_ok(b))
		*val = board_clock_garble(*val, size);
	return BOARD_BUS_OK;
}

/* ---- bank registers ---------------------------------------------------------------- */

static uint32_t h7_sr_read(sim_board *b, unsigned bank, bool core)
{
	board_h7bank *k = &b->h7.bank[bank];
	uint32_t v = k->sr;

	/*
	 * QW: an operation queued or running; WBNE: the buffer waits for the
	 * rest of its flash word, which is not yet an operation (RM0433
	 * §4.9.5): a partial word leaves QW clear until FW.
	 */
	if (k->op != BOARD_OP_NONE)
		v |= H7_SR_BSY | H7_SR_QW;
	if (k->wb_fill != 0)
		v |= H7_SR_WBNE;
	if (core && k->op != BOARD_OP_NONE)
		board_core_spin(b, k->op_end);
	return v;
}

/* KEY1 then KEY2; anything else (or a second sequence) locks until reset (RM0433 §4.5.1). */
board_bus h7_key(unsigned *stage, bool *dead, uint32_t val, uint32_t k1, uint32_t k2, bool locked)
{
	uint32_t want = *stage == 0 ? k1 : k2;

	if (*dead || val != want || !locked) {
		*dead = true;
		*stage = 0;
		return BOARD_BUS_FAULT;
	}
	*stage = *stage == 0 ? 1U : 0U;
	return BOARD_BUS_OK;
}

static board_bus h7_write_keyr(sim_board *b, unsigned bank, uint32_t val)
{
	board_h7bank *k = &b->h7.bank[bank];
	board_bus r = h7_key(&k->key_stage, &k->key_dead, val, H7_KEY1, H7_KEY2,
			     (k->cr & H7_CR_LOCK) != 0);

	if (r == BOARD_BUS_OK && k->key_stage == 0)
		k->cr &= ~H7_CR_LOCK;
	return r;
}

static void h7_write_cr(sim_board *b, unsigned bank, uint32_t val)
{
	board_h7bank *k = &b->h7.bank[bank];

	if ((k->cr & H7_CR_LOCK) || k->key_dead)
		return;   /* CR is read-only while LOCK (RM0433 §4.9.4) */
	k->cr = val & H7_CR_MASK;
	if ((k->cr & H7_CR_LOCK) && k->wb_fill != 0) {
		k->wb_fill = 0;   /* strict: locking drops a partial word */
		k->sr |= H7_SR_PGSERR;
	}
	if (k->cr & H7_CR_FW)
		h7_force_write(b, bank);
	if ((k->cr & H7_CR_START) && !(k->cr & H7_CR_LOCK))
		h7_start_erase(b, bank);
}

static board_bus h7_bank_read(sim_board *b, unsigned bank, uint32_t off, uint32_t *val, bool core)
{
	const board_h7bank *k = &b->h7.bank[bank];

	switch (off) {
	case H7_CR: *val = k->cr; break;
	case H7_SR: *val = h7_sr_read(b, bank, core); break;
	case H7_ECC_FA: *val = k->ecc_fa; break;
	default: return h7_ob_read(b, bank, off, val);
	}
	return BOARD_BUS_OK;
}

static board_bus h7_bank_write(sim_board *b, unsigned bank, uint32_t off, uint32_t val)
{
	board_h7bank *k = &b->h7.bank[bank];

	switch (off) {
	case H7_KEYR: return h7_write_keyr(b, bank, val);
	case H7_CR:
		if (k->op != BOARD_OP_NONE)
			return BOARD_BUS_STALL;   /* strict: CR changes wait for the bank */
		h7_write_cr(b, bank, val);
		break;
	case H7_CCR: k->sr &= ~(val & H7_SR_W1C); break;
	default: return h7_ob_write(b, bank, off, val);
	}
	return BOARD_BUS_OK;
}

static bool h7_bank_exists(const sim_board *b, unsigned bank)
{
	return bank == 0 || h7_dual(b);
}

static board_bus h7_reg_read(sim_board *b, uint32_t off, uint32_t *val, bool core)
{
	unsigned bank = off >= H7_BANK2 && off < 2U * H7_BANK2 ? 1U : 0U;

	h7_update(b, board_time(b));
	*val = 0;
	if (off == H7_ACR || off == H7_ACR + H7_BANK2) {
		*val = b->h7.acr;   /* bank 2's address is an alias (RM0433 §4.9.1) */
		return BOARD_BUS_OK;
	}
	if (off >= 2U * H7_BANK2 || !h7_bank_exists(b, bank))
		return BOARD_BUS_OK;   /* reserved: reads 0 */
	return h7_bank_read(b, bank, off - bank * H7_BANK2, val, core);
}

static board_bus h7_reg_write(sim_board *b, uint32_t off, uint32_t val, bool core)
{
	unsigned bank = off >= H7_BANK2 && off < 2U * H7_BANK2 ? 1U : 0U;

	(void)core;
	h7_update(b, board_time(b));
	if (off == H7_ACR || off == H7_ACR + H7_BANK2) {
		b->h7.acr = val & H7_ACR_MASK;
		board_clock_flash_changed(b);
		return BOARD_BUS_OK;
	}
	if (off >= 2U * H7_BANK2 || !h7_bank_exists(b, bank))
		return BOARD_BUS_OK;
	return h7_bank_write(b, bank, off - bank * H7_BANK2, val);
}

/* ---- reset, latency, power loss ---------------------------------------------------------- */

static void h7_reset(sim_board *b)
{
	board_fpech7 *h = &b->h7;

	h->acr = H7_ACR_RESET;
	for (unsigned i = 0; i < 2; i++) {
		board_h7bank *k = &h->bank[i];
		memset(k, 0, sizeof(*k));
		k->cr = H7_CR_LOCK;
	}
	h7_ob_reset(b);
}

/* FLASH_ACR.LATENCY[3:0] (RM0433 §4.9.1). */
static unsigned h7_latency(const sim_board *b)
{
	return b->h7.acr & H7_ACR_LATENCY;
}

static void h7_power_loss(sim_board *b, int64_t t)
{
	h7_update(b, t);
	for (unsigned i = 0; i < 2; i++) {
		board_h7bank *k = &b->h7.bank[i];
		int64_t done = t - k->op_start, total = k->op_end - k->op_start;
		uint64_t part = total > 0 ? (uint64_t)done * 256U / (uint64_t)total : 256U;

		if (k->op == BOARD_OP_PROG) {
			/* bits not yet programmed keep their old value; the ECC is half written */
			for (unsigned j = 0; j < BOARD_H7_WORD; j++)
				b->flash[k->op_addr + j] = (uint8_t)(k->op_old[j] &
					(k->op_new[j] | (part < 128U ? 0xF0U : 0U)));
			h7_ecc_set(b, k->op_addr, true);
			board_core_dirty_flash(b, h7_phys(b, k->op_addr), BOARD_H7_WORD);
		} else if (k->op != BOARD_OP_NONE) {
			h7_erase(b, k->op_addr, (uint32_t)((uint64_t)k->op_len * part / 256U));
		}
		k->op = BOARD_OP_NONE;
	}
	h7_ob_power_loss(b, t);
}

/* ---- the model ------------------------------------------------------------------ */

const board_flash_model board_fpec_h7_model = {
	.name = "H7 two-bank flash controller",
	.reg_base = H7_REG_BASE,
	/* no memory-mapped option bytes: an empty window at the end of system memory */
	.ob_base = 0x1FF20000U,
	.ob_size = 0U,
	.otp_base = 0U,
	.otp_size = 0U,
	.ob_file_len = H7_OB_FILE_LEN,
	.t_prog_ns = H7_T_PROG_NS,
	.ob_new = h7_ob_new,
	.reset = h7_reset,
	.update = h7_update,
	.busy = h7_busy,
	.busy_until = h7_busy_until,
	.reg_read = h7_reg_read,
	.reg_write = h7_reg_write,
	.flash_write = h7_flash_write,
	.flash_read = h7_flash_read,
	.phys = h7_phys,
	.opt_read = h7_opt_read,
	.opt_write = h7_opt_write,
	.blocked = h7_blocked,
	.dp_dead = h7_dp_dead,
	.latency = h7_latency,
	.power_loss = h7_power_loss,
};
